/* Stored bytes as an answer: the ETag (the SHA-256) and If-None-Match,
 * single byte ranges (Range, If-Range), Content-Disposition, and the
 * stream from the blob store. */
#include "http_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db_assets.h"

/* True if the If-None-Match list @inm names @etag (or is "*"). */
static bool etag_matches(const char *inm, const char *etag)
{
	if (inm == NULL)
		return false;
	size_t el = strlen(etag);
	for (const char *c = inm; *c;) {
		c += strspn(c, " \t,");
		if (strncmp(c, "W/", 2) == 0)
			c += 2;
		size_t n = strcspn(c, " \t,");
		if ((n == 1 && *c == '*') || (n == el && strncmp(c, etag, n) == 0))
			return true;
		c += n;
	}
	return false;
}

bool reply_not_modified(struct req *r, const char *etag)
{
	if (!etag_matches(req_header(r, "If-None-Match"), etag))
		return false;
	reply_empty(r, 304);
	return true;
}

enum range { RANGE_NONE, RANGE_OK, RANGE_UNSATISFIABLE };

/* A single "bytes=a-b" / "bytes=a-" / "bytes=-n" range of a @size-byte
 * body into [*from, *to]; anything else (several ranges, other units,
 * garbage) is RANGE_NONE: the whole body is sent, as RFC 9110 allows. */
static enum range parse_range(const char *h, uint64_t size, uint64_t *from, uint64_t *to)
{
	if (h == NULL || strncmp(h, "bytes=", 6) != 0 || strchr(h, ',') != NULL)
		return RANGE_NONE;
	const char *s = h + 6;
	char *end;
	if (*s == '-') {
		if (s[1] < '0' || s[1] > '9')
			return RANGE_NONE;
		uint64_t n = strtoull(s + 1, &end, 10);
		if (*end != '\0')
			return RANGE_NONE;
		if (n == 0 || size == 0)
			return RANGE_UNSATISFIABLE;
		*from = n >= size ? 0 : size - n;
		*to = size - 1;
		return RANGE_OK;
	}
	if (*s < '0' || *s > '9')
		return RANGE_NONE;
	*from = strtoull(s, &end, 10);
	if (*end != '-')
		return RANGE_NONE;
	s = end + 1;
	*to = size ? size - 1 : 0;
	if (*s != '\0') {
		if (*s < '0' || *s > '9')
			return RANGE_NONE;
		uint64_t last = strtoull(s, &end, 10);
		if (*end != '\0' || last < *from)
			return RANGE_NONE;
		if (last < *to)
			*to = last;
	}
	return *from < size ? RANGE_OK : RANGE_UNSATISFIABLE;
}

/* Content-Disposition with an ASCII fallback and the UTF-8 name (RFC 6266). */
static void disposition(const char *name, char *out, size_t len)
{
	char ascii[STORE_FILENAME_MAX + 1], enc[3 * STORE_FILENAME_MAX + 1];
	size_t a = 0, e = 0;
	for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
		ascii[a++] = (*c < 0x20 || *c >= 0x7f || *c == '"' || *c == '\\') ? '_' : (char)*c;
		if (strchr("!#$&+-.^_`|~", *c) != NULL || (*c >= '0' && *c <= '9') ||
		    ((*c | 0x20) >= 'a' && (*c | 0x20) <= 'z'))
			enc[e++] = (char)*c;
		else
			e += (size_t)sprintf(enc + e, "%%%02X", *c);
		if (a == STORE_FILENAME_MAX)
			break;
	}
	ascii[a] = enc[e] = '\0';
	snprintf(out, len, "attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii, enc);
}

static long read_blob(void *cls, uint64_t pos, char *buf, size_t max)
{
	return blob_reader_read(cls, pos, buf, max);
}

static void free_blob(void *cls)
{
	blob_reader_free(cls);
}

void reply_content(struct req *r, const struct asset_content *c, const char *cache_control)
{
	char etag[70], hdr[1024];
	snprintf(etag, sizeof etag, "\"%s\"", c->sha256);
	reply_header(r, "ETag", etag);
	reply_header(r, "Cache-Control", cache_control);
	if (reply_not_modified(r, etag))
		return;
	reply_header(r, "Accept-Ranges", "bytes");
	disposition(c->filename, hdr, sizeof hdr);
	reply_header(r, "Content-Disposition", hdr);
	uint64_t from = 0, to = c->size ? c->size - 1 : 0;
	const char *if_range = req_header(r, "If-Range");
	enum range rg = (if_range == NULL || strcmp(if_range, etag) == 0)
			    ? parse_range(req_header(r, "Range"), c->size, &from, &to)
			    : RANGE_NONE;
	if (rg == RANGE_UNSATISFIABLE) {
		snprintf(hdr, sizeof hdr, "bytes */%" PRIu64, c->size);
		reply_header(r, "Content-Range", hdr);
		reply_error(r, ERR_RANGE_NOT_SATISFIABLE, NULL, "the content is %" PRIu64 " bytes",
			    c->size);
		return;
	}
	if (rg == RANGE_OK) {
		snprintf(hdr, sizeof hdr, "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, from, to,
			 c->size);
		reply_header(r, "Content-Range", hdr);
	}
	struct blob_reader *br = blob_reader_new(c->blob, from, to - from + 1);
	if (br == NULL) {
		reply_error(r, ERR_INTERNAL, NULL, NULL);
		return;
	}
	reply_stream(r, rg == RANGE_OK ? 206 : 200, c->mime, to - from + 1, read_blob, br,
		     free_blob);
}
