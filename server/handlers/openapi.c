/* GET /api/v1/openapi.json: the API's contract (api/openapi.json, compiled
 * in: openapi.h), public, with a strong ETag from its SHA-256 so a client
 * that has it asks again for nothing (304). */
#include <pthread.h>
#include <string.h>
#include "crypto.h"
#include "handlers.h"
#include "openapi.h"

static char etag[2 + 32 + 1]; /* "\"" 32 hex digits "\"" */

static void make_etag(void)
{
	unsigned char sum[32];
	char hex[33];
	crypto_sha256(openapi_json, openapi_json_len, sum);
	crypto_hex(sum, 16, hex);
	etag[0] = '"';
	memcpy(etag + 1, hex, 32);
	memcpy(etag + 33, "\"", 2);
}

/* Whether the If-None-Match list @inm names the document's ETag (or is
 * "*"); weak tags compare as strong ones, as RFC 9110 asks for GET. */
static bool etag_matches(const char *inm)
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

void h_openapi(struct req *r)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, make_etag);
	reply_header(r, "ETag", etag);
	reply_header(r, "Cache-Control", "public, no-cache");
	if (etag_matches(req_header(r, "If-None-Match"))) {
		reply_empty(r, 304);
		return;
	}
	reply_bytes(r, 200, "application/json", openapi_json, openapi_json_len);
}
