/* GET /api/v1/assets/{id}/content: the bytes of a version, streamed from
 * the blob store by reply_content (ETag, conditional requests, ranges);
 * GET .../versions/{n}/thumbnail: its preview, under the same rules; POST
 * .../versions/{n}/extract: its text and preview made again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db_assets.h"
#include "db_extracts.h"
#include "extract_worker.h"
#include "handlers.h"

/* A version number: -1 when @v is not a positive integer. */
static int version_number(const char *v)
{
	char *end;
	long n = strtol(v, &end, 10);
	return (*v >= '1' && *v <= '9' && *end == '\0' && n <= 1000000) ? (int)n : -1;
}

/* "?version=N": 0 when absent, -1 when not a positive integer. */
static int version_param(const struct req *r)
{
	const char *v = req_query(r, "version");
	return v == NULL ? 0 : version_number(v);
}

/* Version {n} of asset {id} as @view may see it into @c; answers and
 * returns false when there is none. */
static bool version_of(struct req *r, int version, struct asset_content *c)
{
	const char *id = req_param(r, 0);
	if (version < 0) {
		reply_error(r, ERR_INVALID_PARAMETER, "version",
			    "version must be a positive integer");
		return false;
	}
	enum db_status s =
	    uuid_valid(id)
		? db_asset_content(id, version, asset_view_for(r->user->role, r->user->board), c)
		: DB_NOT_FOUND;
	if (s != DB_OK)
		reply_db(r, s);
	return s == DB_OK;
}

void h_assets_content(struct req *r)
{
	int version = version_param(r);
	struct asset_content c;
	if (!version_of(r, version, &c))
		return;
	/* A numbered version never changes; "the current one" may. */
	reply_content(r, &c,
		      version ? "private, max-age=31536000, immutable" : "private, no-cache");
}

void h_assets_thumbnail(struct req *r)
{
	struct asset_content c, thumb;
	if (!version_of(r, version_number(req_param(r, 1)), &c))
		return;
	enum db_status s = db_extract_thumbnail(c.blob, &thumb);
	if (s == DB_NOT_FOUND)
		reply_error(r, ERR_NOT_FOUND, NULL, "this version has no preview");
	else if (s != DB_OK)
		reply_db(r, s);
	else /* made again, a preview may change: asked again each time */
		reply_content(r, &thumb, "private, no-cache");
}

void h_assets_extract(struct req *r)
{
	struct asset_content c;
	int version = version_number(req_param(r, 1));
	if (!version_of(r, version, &c))
		return;
	enum db_status s = db_extract_requeue(r->user->id, req_param(r, 0), version);
	if (s == DB_CONFLICT) {
		reply_error(r, ERR_CONFLICT, NULL,
			    "this version's text is being extracted already");
		return;
	}
	if (s != DB_OK) {
		reply_db(r, s);
		return;
	}
	extract_worker_wake();
	reply_json(r, 202, json_pack("{s:i, s:s}", "number", version, "text_status", "pending"));
}
