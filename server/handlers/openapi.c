/* GET /api/v1/openapi.json: the API's contract (api/openapi.json, compiled
 * in: openapi.h), public, with a strong ETag from its SHA-256 so a client
 * that has it asks again for nothing (304), and gzip for a client that
 * takes it (the document is mostly repeated words: about a tenth). */
#include <pthread.h>
#include <string.h>
#include "crypto.h"
#include "handlers.h"
#include "openapi.h"
#include "static_files.h"

static char etag[2 + 32 + 1]; /* "\"" 32 hex digits "\"" */
static unsigned char *gz;     /* NULL: served as it is */
static size_t gzlen;

/* Once, at the first request: the ETag and the gzip copy (kept for the
 * life of the process, as the web app's files are). */
static void prepare(void)
{
	unsigned char sum[32];
	char hex[33];
	crypto_sha256(openapi_json, openapi_json_len, sum);
	crypto_hex(sum, 16, hex);
	etag[0] = '"';
	memcpy(etag + 1, hex, 32);
	memcpy(etag + 33, "\"", 2);
	gz = static_gzip((const unsigned char *)openapi_json, openapi_json_len, &gzlen);
}

void h_openapi(struct req *r)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, prepare);
	reply_header(r, "ETag", etag);
	reply_header(r, "Cache-Control", "public, no-cache");
	reply_header(r, "Vary", "Accept-Encoding");
	if (reply_not_modified(r, etag))
		return;
	if (gz != NULL && req_accepts_gzip(r)) {
		reply_header(r, "Content-Encoding", "gzip");
		reply_bytes(r, 200, "application/json", gz, gzlen);
		return;
	}
	reply_bytes(r, 200, "application/json", openapi_json, openapi_json_len);
}
