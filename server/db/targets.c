/* The shapes the SQL functions of shares and public pages answer in,
 * read into C: where a visitor is sent (asset_target_json(), also inside
 * open_links()), and the client hash as bytea text. */
#include "db_assets.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db_internal.h"
#include "visitor.h"

static const char *text(const json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v ? v : "";
}

bool db_target_read(const char *json, struct db_target *t)
{
	*t = (struct db_target){0};
	json_t *o = json ? json_loads(json, 0, NULL) : NULL;
	if (!json_is_object(o)) {
		json_decref(o);
		return false;
	}
	const char *url = json_string_value(json_object_get(o, "url"));
	if (url != NULL) {
		t->url = strdup(url);
		json_decref(o);
		return t->url != NULL;
	}
	t->file = (struct asset_content){
	    .blob = json_integer_value(json_object_get(o, "blob")),
	    .size = (uint64_t)json_integer_value(json_object_get(o, "size")),
	    .version = (int)json_integer_value(json_object_get(o, "version")),
	};
	snprintf(t->file.sha256, sizeof t->file.sha256, "%s", text(o, "sha256"));
	snprintf(t->file.mime, sizeof t->file.mime, "%s", text(o, "mime"));
	snprintf(t->file.filename, sizeof t->file.filename, "%s", text(o, "filename"));
	json_decref(o);
	return true;
}

void db_content_row(const PGresult *res, int col, struct asset_content *out)
{
	out->blob = db_int(res, 0, col);
	out->size = (uint64_t)db_int(res, 0, col + 1);
	out->version = (int)db_int(res, 0, col + 2);
	db_copy(out->sha256, sizeof out->sha256, res, 0, col + 3);
	db_copy(out->mime, sizeof out->mime, res, 0, col + 4);
	db_copy(out->filename, sizeof out->filename, res, 0, col + 5);
}

void db_target_clear(struct db_target *t)
{
	free(t->url);
	*t = (struct db_target){0};
}

const char *db_hash_text(const struct visitor *v, char out[DB_HASH_TEXT])
{
	if (!v->hashed)
		return NULL;
	memcpy(out, "\\x", 2); /* bytea's text form */
	sodium_bin2hex(out + 2, DB_HASH_TEXT - 2, v->hash, sizeof v->hash);
	return out;
}
