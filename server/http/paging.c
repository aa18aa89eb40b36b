/* Pages of a list: the limit and cursor arguments, the {"items",
 * "next_cursor"} answer, and the opaque cursor's codec (base64url of the
 * text the database gave). */
#include "http_internal.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

void cursor_encode(const char *text, char *out, size_t outlen)
{
	size_t len = strlen(text);
	if (sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING) > outlen) {
		out[0] = '\0';
		return;
	}
	sodium_bin2base64(out, outlen, (const unsigned char *)text, len,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool cursor_decode(const char *cursor, char *out, size_t outlen)
{
	size_t len;
	if (outlen == 0 ||
	    sodium_base642bin((unsigned char *)out, outlen - 1, cursor, strlen(cursor), NULL, &len,
			      NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return false;
	out[len] = '\0';
	return strlen(out) == len; /* no NUL inside */
}

/* The "cursor" argument as sent (NULL when absent), answering 400 for
 * one holding a NUL byte (MHD gives its length). */
static bool raw_cursor(struct req *r, const char **out)
{
	size_t clen = 0;
	const char *c = NULL;
	MHD_lookup_connection_value_n(CPRIV(r)->conn, MHD_GET_ARGUMENT_KIND, "cursor", 6, &c,
				      &clen);
	*out = c;
	if (c == NULL || strlen(c) == clen)
		return true;
	reply_error(r, ERR_INVALID_PARAMETER, "cursor", "cursor is not one this server gave");
	return false;
}

bool req_page(struct req *r, int *limit, char *cursor, size_t cursorlen)
{
	const char *c = NULL;
	cursor[0] = '\0';
	if (!req_query_int(r, "limit", 50, 1, 200, limit) || !raw_cursor(r, &c))
		return false;
	if (c != NULL && *c != '\0' && !cursor_decode(c, cursor, cursorlen)) {
		reply_error(r, ERR_INVALID_PARAMETER, "cursor",
			    "cursor is not one this server gave");
		return false;
	}
	return true;
}

bool req_page_opaque(struct req *r, int def, int *limit, const char **cursor)
{
	*cursor = NULL;
	if (!req_query_int(r, "limit", def, 1, 200, limit) || !raw_cursor(r, cursor))
		return false;
	if (*cursor != NULL && **cursor == '\0')
		*cursor = NULL;
	return true;
}

bool req_keyset_page(struct req *r, int *limit, char *cursor, size_t cursorlen)
{
	if (!req_page(r, limit, cursor, cursorlen))
		return false;
	if (*cursor && !keyset_valid(cursor)) {
		reply_error(r, ERR_INVALID_PARAMETER, "cursor",
			    "cursor is not one this server gave");
		return false;
	}
	return true;
}

/* The opaque cursor of @cursor (NULL: the last page) as JSON. */
static json_t *next_cursor(const char *cursor)
{
	char enc[512];
	if (cursor == NULL)
		return json_null();
	cursor_encode(cursor, enc, sizeof enc);
	return json_string(enc);
}

void reply_page(struct req *r, json_t *items, const char *cursor)
{
	reply_json(r, 200,
		   json_pack("{s:o, s:o}", "items", items, "next_cursor", next_cursor(cursor)));
}

void reply_db_page(struct req *r, enum db_status st, char *json, char *next)
{
	json_t *page = st == DB_OK && json ? json_loads(json, 0, NULL) : NULL;
	free(json);
	if (page == NULL)
		reply_db(r, st == DB_OK ? DB_ERROR : st);
	else if (json_object_set_new(page, "next_cursor", next_cursor(next)) == 0)
		reply_json(r, 200, json_incref(page)); /* items and what else the page says */
	else
		reply_db(r, DB_ERROR);
	json_decref(page);
	free(next);
}

bool req_id_page(struct req *r, int *limit, char *cursor, size_t cursorlen)
{
	if (!req_page(r, limit, cursor, cursorlen))
		return false;
	size_t n = strlen(cursor);
	if (strspn(cursor, "0123456789") != n || n > 18) {
		reply_error(r, ERR_INVALID_PARAMETER, "cursor",
			    "cursor is not one this server gave");
		return false;
	}
	return true;
}
