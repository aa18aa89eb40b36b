/* /api/v1/assets/{id}: create (a multipart upload or a JSON link), read,
 * update, and new versions. The JSON an asset is shown as comes from the
 * database (db_assets.h), so every endpoint shows the same shape. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db_assets.h"
#include "handlers.h"

static const char *const new_statuses[] = {"draft", "published", NULL};

/* Checks an asset's metadata (r->json) for create (@create: required
 * fields, @link: a JSON body, which must carry "url") or update; answers
 * 400 and returns false on the first fault. */
static bool check_meta(struct req *r, bool create, bool link)
{
	const char *title = NULL, *description = NULL, *kind = NULL, *intent = NULL, *status = NULL,
		   *disclosure = NULL, *owner = NULL, *expires_at = NULL, *source = NULL,
		   *url = NULL;
	json_t *personas = NULL, *stages = NULL, *tags = NULL;
	bool pub = false, gated = false, has_url = false;
	unsigned req = create ? JS_REQUIRED : 0;
	struct js_field spec[] = {
	    JS_STR("title", &title, req, 1, 300),
	    JS_STR("description", &description, 0, 0, 20000),
	    JS_ONE_OF("kind", &kind, req, asset_kinds),
	    JS_ONE_OF("intent", &intent, req, asset_intents),
	    JS_STR_ARRAY("personas", &personas, 0, 0, 20),
	    JS_STR_ARRAY("stages", &stages, 0, 0, 20),
	    JS_STR_ARRAY("tags", &tags, 0, 0, 30),
	    JS_ONE_OF("status", &status, 0, create ? new_statuses : asset_statuses),
	    JS_BOOLEAN("public", &pub, 0),
	    JS_BOOLEAN("gated", &gated, 0),
	    JS_STR("disclosure", &disclosure, JS_NULLABLE, 1, 2000),
	    JS_STR("owner", &owner, 0, 1, UUID_LEN),
	    JS_STR("expires_at", &expires_at, JS_NULLABLE, 1, 40),
	    JS_STR("source", &source, JS_NULLABLE, 1, 200),
	    JS_STR("url", &url, (create && link) ? JS_REQUIRED : 0, 1, 2000),
	};
	spec[14].present = &has_url;
	if (!req_parse_json(r, spec, sizeof spec / sizeof spec[0]))
		return false;
	size_t i;
	json_t *tag;
	json_array_foreach(tags, i, tag)
	{
		if (json_string_length(tag) > 50) {
			reply_error(r, ERR_INVALID_FIELD, "tags", "a tag is at most 50 bytes");
			return false;
		}
	}
	if (owner != NULL && !uuid_valid(owner)) {
		reply_error(r, ERR_INVALID_FIELD, "owner", "owner must be a user id");
		return false;
	}
	if (expires_at != NULL && !rfc3339_valid(expires_at)) {
		reply_error(r, ERR_INVALID_FIELD, "expires_at", "expires_at must be RFC 3339");
		return false;
	}
	if (has_url && create && !link) {
		reply_error(r, ERR_INVALID_FIELD, "url",
			    "an uploaded file and a url exclude each other");
		return false;
	}
	if (url != NULL && !http_url_valid(url)) {
		reply_error(r, ERR_INVALID_FIELD, "url", "url must be an absolute http(s) URL");
		return false;
	}
	if (create && gated && !pub) {
		reply_error(r, ERR_INVALID_FIELD, "gated", "only a public asset can be gated");
		return false;
	}
	if (create && gated && disclosure == NULL) {
		reply_error(r, ERR_MISSING_FIELD, "disclosure",
			    "a gated asset must say what follow-up a downloader agrees to");
		return false;
	}
	return true;
}

/* Makes the multipart "metadata" part the request's JSON; false when it
 * is missing or not a JSON object (answered). */
static bool take_metadata(struct req *r)
{
	const char *text = req_form(r, "metadata");
	if (text == NULL) {
		reply_error(r, ERR_MISSING_FIELD, "metadata", "the form needs a metadata part");
		return false;
	}
	json_error_t e;
	r->json = json_loads(text, JSON_REJECT_DUPLICATES, &e);
	if (!json_is_object(r->json)) {
		reply_error(r, ERR_INVALID_JSON, "metadata", "metadata must be a JSON object: %s",
			    r->json ? "not an object" : e.text);
		return false;
	}
	return true;
}

/* The form's file as a version to record; false when absent (answered). */
static bool take_file(struct req *r, struct version_file *vf)
{
	struct blob_writer *w = req_file(r);
	if (w == NULL) {
		reply_error(r, ERR_MISSING_FIELD, "file", "the form needs a file part");
		return false;
	}
	const struct blob_meta *m = blob_writer_meta(w);
	*vf = (struct version_file){blob_writer_take(w), m->mime, m->filename};
	return true;
}

void h_assets_create(struct req *r)
{
	bool link = r->json != NULL;
	struct version_file vf = {0};
	if (!link && !take_metadata(r))
		return;
	if (!check_meta(r, true, link) || (!link && !take_file(r, &vf)))
		return;
	char *meta = json_dumps(r->json, JSON_COMPACT);
	struct db_fault f = {0};
	char *json = NULL, id[UUID_LEN + 1];
	enum db_status s =
	    meta ? db_asset_create(r->user->id, meta, link ? NULL : &vf, &f, id, &json) : DB_ERROR;
	db_upload_abort(vf.upload); /* left only if not consumed */
	free(meta);
	if (s == DB_OK) {
		char loc[80];
		snprintf(loc, sizeof loc, "/api/v1/assets/%s", id);
		reply_header(r, "Location", loc);
	}
	reply_db_json(r, s, &f, 201, json);
}

/* Reps see published, unexpired assets only. */
static bool visible_only(const struct req *r)
{
	return r->user->role == ROLE_REP;
}

void h_assets_get(struct req *r)
{
	const char *id = req_param(r, 0);
	char *json = NULL;
	enum db_status s = uuid_valid(id) ? db_asset_get(id, visible_only(r), &json) : DB_NOT_FOUND;
	reply_db_json(r, s, NULL, 200, json);
}

void h_assets_update(struct req *r)
{
	const char *id = req_param(r, 0);
	if (!uuid_valid(id)) {
		reply_db(r, DB_NOT_FOUND);
		return;
	}
	if (!check_meta(r, false, false))
		return;
	char *patch = json_dumps(r->json, JSON_COMPACT);
	struct db_fault f = {0};
	char *json = NULL;
	enum db_status s = patch ? db_asset_update(r->user->id, id, patch, &f, &json) : DB_ERROR;
	free(patch);
	reply_db_json(r, s, &f, 200, json);
}

void h_assets_add_version(struct req *r)
{
	const char *id = req_param(r, 0);
	struct version_file vf = {0};
	if (r->json != NULL) {
		reply_error(r, ERR_UNSUPPORTED_MEDIA_TYPE, NULL,
			    "a version is uploaded as multipart/form-data with a file part");
		return;
	}
	if (req_form(r, "metadata") != NULL) {
		reply_error(r, ERR_UNKNOWN_FIELD, "metadata", "a version takes only a file part");
		return;
	}
	if (!take_file(r, &vf))
		return;
	char *json = NULL;
	enum db_status s =
	    uuid_valid(id) ? db_asset_add_version(r->user->id, id, &vf, &json) : DB_NOT_FOUND;
	db_upload_abort(vf.upload);
	struct db_fault f = {"file", false, "a link asset has no file versions"};
	reply_db_json(r, s, s == DB_CONFLICT ? &f : NULL, 201, json);
}
