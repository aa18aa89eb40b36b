/* /api/v1/assets/{id}: create (a multipart upload or a JSON link), read,
 * update, and new versions. The JSON an asset is shown as comes from the
 * database (db_assets.h), so every endpoint shows the same shape. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db_assets.h"
#include "extract_worker.h"
#include "handlers.h"

static const char *const new_statuses[] = {"draft", "published", NULL};

/* Whether the patch @m names @field. */
static bool given(const struct asset_fields *m, const char *field)
{
	for (const char *const *g = m->given; *g != NULL; g++)
		if (strcmp(*g, field) == 0)
			return true;
	return false;
}

/* Reads an asset's metadata (r->json) into @m for create (@create:
 * required fields, @link: a JSON body, which must carry "url") or update;
 * answers 400 and returns false on the first fault. */
static bool read_meta(struct req *r, bool create, bool link, struct asset_fields *m)
{
	unsigned req = create ? JS_REQUIRED : 0;
	struct js_field spec[] = {
	    JS_STR("title", &m->title, req, 1, 300),
	    JS_STR("description", &m->description, 0, 0, 20000),
	    JS_ONE_OF("kind", &m->kind, req, asset_kinds),
	    JS_ONE_OF("intent", &m->intent, req, asset_intents),
	    JS_STR_ARRAY("personas", m->personas, 0, 0, ASSET_LIST_MAX),
	    JS_STR_ARRAY("stages", m->stages, 0, 0, ASSET_LIST_MAX),
	    JS_STR_ARRAY("tags", m->tags, 0, 0, ASSET_TAGS_MAX),
	    JS_ONE_OF("status", &m->status, 0, create ? new_statuses : asset_statuses),
	    JS_BOOLEAN("public", &m->public, 0),
	    JS_BOOLEAN("gated", &m->gated, 0),
	    JS_BOOLEAN("downloadable", &m->downloadable, 0),
	    JS_STR("disclosure", &m->disclosure, JS_NULLABLE, 1, 2000),
	    JS_STR("owner", &m->owner, 0, 1, UUID_LEN),
	    JS_STR("expires_at", &m->expires_at, JS_NULLABLE, 1, 40),
	    JS_STR("source", &m->source, JS_NULLABLE, 1, 200),
	    JS_STR("url", &m->url, (create && link) ? JS_REQUIRED : 0, 1, 2000),
	    JS_ONE_OF("audience", &m->audience, 0, asset_audiences),
	};
	size_t n = sizeof spec / sizeof spec[0];
	*m = (struct asset_fields){0};
	if (!req_parse_json(r, spec, n))
		return false;
	js_given(r->json, spec, n, m->given);
	for (const char *const *tag = m->tags; *tag; tag++)
		if (strlen(*tag) > 50) {
			reply_error(r, ERR_INVALID_FIELD, "tags", "a tag is at most 50 bytes");
			return false;
		}
	if (m->owner != NULL && !uuid_valid(m->owner)) {
		reply_error(r, ERR_INVALID_FIELD, "owner", "owner must be a user id");
		return false;
	}
	if (m->expires_at != NULL && !rfc3339_valid(m->expires_at)) {
		reply_error(r, ERR_INVALID_FIELD, "expires_at", "expires_at must be RFC 3339");
		return false;
	}
	if (m->url != NULL && create && !link) {
		reply_error(r, ERR_INVALID_FIELD, "url",
			    "an uploaded file and a url exclude each other");
		return false;
	}
	if (m->url != NULL && !http_url_valid(m->url)) {
		reply_error(r, ERR_INVALID_FIELD, "url", "url must be an absolute http(s) URL");
		return false;
	}
	if (m->gated && !m->public && (create || given(m, "public"))) {
		reply_error(r, ERR_INVALID_FIELD, "gated", "only a public asset can be gated");
		return false;
	}
	if (m->gated && m->disclosure == NULL && (create || given(m, "disclosure"))) {
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
	struct asset_fields meta;
	if (!read_meta(r, true, link, &meta) || (!link && !take_file(r, &vf)))
		return;
	struct db_fault f = {0};
	char *json = NULL, id[UUID_LEN + 1];
	enum db_status s = db_asset_create(r->user->id, &meta, link ? NULL : &vf, &f, id, &json);
	db_upload_abort(vf.upload); /* left only if not consumed */
	if (s == DB_OK && !link)
		extract_worker_wake();
	if (s == DB_OK) {
		char loc[80];
		snprintf(loc, sizeof loc, "/api/v1/assets/%s", id);
		reply_header(r, "Location", loc);
	}
	reply_db_json(r, s, &f, 201, json);
}

void h_assets_get(struct req *r)
{
	const char *id = req_param(r, 0);
	char *json = NULL;
	enum db_status s =
	    uuid_valid(id) ? db_asset_get(id, asset_view_for(r->user->role, r->user->board), &json)
			   : DB_NOT_FOUND;
	reply_db_json(r, s, NULL, 200, json);
}

void h_assets_update(struct req *r)
{
	const char *id = req_param(r, 0);
	if (!uuid_valid(id)) {
		reply_db(r, DB_NOT_FOUND);
		return;
	}
	struct asset_fields patch;
	if (!read_meta(r, false, false, &patch))
		return;
	struct db_fault f = {0};
	char *json = NULL;
	enum db_status s = db_asset_update(r->user->id, id, &patch, &f, &json);
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
	if (s == DB_OK)
		extract_worker_wake();
	struct db_fault f = {.field = "file", .detail = "a link asset has no file versions"};
	reply_db_json(r, s, s == DB_CONFLICT ? &f : NULL, 201, json);
}
