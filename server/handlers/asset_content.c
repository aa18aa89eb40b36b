/* GET /api/v1/assets/{id}/content: the bytes of a version, streamed from
 * the blob store by reply_content (ETag, conditional requests, ranges). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db_assets.h"
#include "handlers.h"

/* "?version=N": 0 when absent, -1 when not a positive integer. */
static int version_param(const struct req *r)
{
	const char *v = req_query(r, "version");
	if (v == NULL)
		return 0;
	char *end;
	long n = strtol(v, &end, 10);
	return (*v >= '1' && *v <= '9' && *end == '\0' && n <= 1000000) ? (int)n : -1;
}

void h_assets_content(struct req *r)
{
	const char *id = req_param(r, 0);
	int version = version_param(r);
	if (version < 0) {
		reply_error(r, ERR_INVALID_PARAMETER, "version",
			    "version must be a positive integer");
		return;
	}
	struct asset_content c;
	enum db_status s =
	    uuid_valid(id)
		? db_asset_content(id, version, asset_view_for(r->user->role, r->user->board), &c)
		: DB_NOT_FOUND;
	if (s != DB_OK) {
		reply_db(r, s);
		return;
	}
	/* A numbered version never changes; "the current one" may. */
	reply_content(r, &c,
		      version ? "private, max-age=31536000, immutable" : "private, no-cache");
}
