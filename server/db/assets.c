/* Assets and versions. Each write runs in one transaction; the file bytes
 * of a version were written earlier in that same transaction (see
 * blobs.c), so an asset and its file appear together or not at all. */
#include "db_assets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db_internal.h"
#include "model.h"

#define VISIBLE "(a.status = 'published' AND (a.expires_at IS NULL OR a.expires_at > now()))"

static struct db_stmt q_get = DB_STMT("SELECT asset_detail_json(a) FROM assets a"
				      " WHERE a.id = $1 AND (NOT $2::boolean OR " VISIBLE ")");

enum db_status db_asset_get(const char *id, bool visible_only, char **json)
{
	const char *p[] = {id, visible_only ? "t" : "f"};
	enum db_status s;
	PGresult *res = db_query(false, &q_get, 2, p, &s);
	return db_text(res, s, json);
}

/* Slugs and owner that do not exist, for the fault report. */
static struct db_stmt q_check = DB_STMT(
    "SELECT (SELECT string_agg(x, ', ') FROM jsonb_array_elements_text("
    "          coalesce(j->'personas', '[]')) x WHERE x NOT IN (SELECT slug FROM personas)),"
    "       (SELECT string_agg(x, ', ') FROM jsonb_array_elements_text("
    "          coalesce(j->'stages', '[]')) x WHERE x NOT IN (SELECT slug FROM stages)),"
    "       j ? 'owner' AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id::text = j->>'owner')"
    " FROM (SELECT $1::jsonb AS j) q");

static enum db_status check_refs(struct db *db, const char *json, struct db_fault *f)
{
	const char *p[] = {json};
	enum db_status s;
	PGresult *res = db_exec(db, &q_check, 1, p, &s);
	if (s != DB_OK)
		return s;
	if (!PQgetisnull(res, 0, 0))
		s = db_refuse(f, DB_INVALID, "personas", "no such persona: %s",
			      PQgetvalue(res, 0, 0));
	else if (!PQgetisnull(res, 0, 1))
		s = db_refuse(f, DB_INVALID, "stages", "no such stage: %s", PQgetvalue(res, 0, 1));
	else if (db_bool(res, 0, 2))
		s = db_refuse(f, DB_INVALID, "owner", "no such user");
	PQclear(res);
	return s;
}

/* The list columns from JSON arrays: personas sorted by slug, stages by
 * position, tags deduplicated in the order given. */
#define PERSONAS_OF(j) "ARRAY(SELECT DISTINCT x FROM jsonb_array_elements_text(" j ") x ORDER BY 1)"
#define STAGES_OF(j)                                                                               \
	"ARRAY(SELECT s.slug FROM stages s WHERE s.slug IN"                                        \
	" (SELECT jsonb_array_elements_text(" j ")) ORDER BY s.position)"
#define TAGS_OF(j)                                                                                 \
	"ARRAY(SELECT x FROM jsonb_array_elements_text(" j ") WITH ORDINALITY t(x, i)"             \
	" GROUP BY x ORDER BY min(i))"

static struct db_stmt q_insert = DB_STMT(
    "INSERT INTO assets (title, description, kind, intent, personas, stages, tags, status,"
    " public, gated, disclosure, owner, expires_at, source, url)"
    " SELECT j->>'title', coalesce(j->>'description', ''), j->>'kind', "
    "j->>'intent', " PERSONAS_OF("coalesce(j->'personas', '[]')") ", " STAGES_OF(
	"coalesce(j->'stages', '[]')") ", " TAGS_OF("coalesce(j->'tags', '[]')") ","
										 " coalesce(j->"
										 ">'status', "
										 "'draft'),"
										 " coalesce((j-"
										 ">>'public')::"
										 "boolean, "
										 "false),"
										 " coalesce((j-"
										 ">>'gated')::"
										 "boolean, "
										 "false), "
										 "j->>'"
										 "disclosure',"
										 " coalesce((j-"
										 ">>'owner')::"
										 "uuid, "
										 "$2::uuid),"
										 " (j->>'"
										 "expires_at'):"
										 ":timestamptz,"
										 " j->>'source'"
										 ", j->>'url'"
										 " FROM "
										 "(SELECT "
										 "$1::jsonb AS "
										 "j) q "
										 "RETURNING "
										 "id");

static struct db_stmt q_lock =
    DB_STMT("SELECT status, url IS NOT NULL FROM assets WHERE id = $1 FOR UPDATE");
static struct db_stmt q_version =
    DB_STMT("INSERT INTO asset_versions (asset_id, number, blob_id, mime, filename, created_by)"
	    " SELECT $1, coalesce(max(number), 0) + 1, $2, $3, $4, $5 FROM asset_versions"
	    " WHERE asset_id = $1 RETURNING number");
static struct db_stmt q_current =
    DB_STMT("UPDATE assets SET current_version = $2, updated_at = now() WHERE id = $1"
	    " RETURNING (SELECT version_json(v) FROM asset_versions v"
	    "            WHERE v.asset_id = $1 AND v.number = $2)");
static struct db_stmt q_json = DB_STMT("SELECT asset_detail_json(a) FROM assets a WHERE a.id = $1");

/* Records @file as the next version of @id (locked by the caller) and
 * makes it current; the version's JSON in *@json when wanted. */
static enum db_status add_version(struct db *db, const char *actor, const char *id,
				  const struct version_file *file, int64_t blob, char **json)
{
	char blob_id[24];
	snprintf(blob_id, sizeof blob_id, "%lld", (long long)blob);
	const char *p[] = {id, blob_id, file->mime, file->filename, actor};
	enum db_status s;
	PGresult *res = db_exec(db, &q_version, 5, p, &s);
	if (s != DB_OK)
		return s;
	const char *q[] = {id, PQgetvalue(res, 0, 0)};
	PGresult *cur = db_exec(db, &q_current, 2, q, &s);
	PQclear(res);
	if (s == DB_OK && json != NULL)
		return db_text(cur, s, json);
	PQclear(cur);
	return s;
}

struct create {
	const char *actor, *meta;
	const struct version_file *file;
	int64_t blob;
	struct db_fault *fault;
	char *id, **json;
};

static enum db_status create_tx(struct db *db, void *cls)
{
	struct create *c = cls;
	enum db_status s = check_refs(db, c->meta, c->fault);
	if (s != DB_OK)
		return s;
	const char *p[] = {c->meta, c->actor};
	PGresult *res = db_exec(db, &q_insert, 2, p, &s);
	if (s != DB_OK)
		return s;
	db_copy(c->id, UUID_LEN + 1, res, 0, 0);
	PQclear(res);
	if (c->file != NULL &&
	    (s = add_version(db, c->actor, c->id, c->file, c->blob, NULL)) != DB_OK)
		return s;
	const char *q[] = {c->id};
	res = db_exec(db, &q_json, 1, q, &s);
	return db_text(res, s, c->json);
}

enum db_status db_asset_create(const char *actor_id, const char *meta, struct version_file *file,
			       struct db_fault *fault, char id[UUID_LEN + 1], char **json)
{
	struct create c = {actor_id, meta, file, 0, fault, id, json};
	if (file == NULL)
		return db_tx(actor_id, create_tx, &c);
	c.blob = db_upload_blob(file->upload);
	struct db_upload *u = file->upload;
	file->upload = NULL;
	return db_upload_commit(u, create_tx, &c);
}

static struct db_stmt q_update = DB_STMT(
    "UPDATE assets a SET"
    " title = CASE WHEN j ? 'title' THEN j->>'title' ELSE title END,"
    " description = CASE WHEN j ? 'description' THEN j->>'description' ELSE description END,"
    " kind = CASE WHEN j ? 'kind' THEN j->>'kind' ELSE kind END,"
    " intent = CASE WHEN j ? 'intent' THEN j->>'intent' ELSE intent END,"
    " personas = CASE WHEN j ? 'personas' THEN " PERSONAS_OF(
	"j->'personas'") " ELSE personas END,"
			 " stages = CASE WHEN j ? 'stages' THEN " STAGES_OF(
			     "j->'stages'") " ELSE stages END,"
					    " tags = CASE WHEN j ? 'tags' THEN " TAGS_OF(
						"j->'tags'") " ELSE tags END,"
							     " status = CASE WHEN j ? 'status' "
							     "THEN j->>'status' ELSE status END,"
							     " public = CASE WHEN j ? 'public' "
							     "THEN (j->>'public')::boolean ELSE "
							     "public END,"
							     " gated = CASE WHEN j ? 'gated' THEN "
							     "(j->>'gated')::boolean ELSE gated "
							     "END,"
							     " disclosure = CASE WHEN j ? "
							     "'disclosure' THEN j->>'disclosure' "
							     "ELSE disclosure END,"
							     " owner = CASE WHEN j ? 'owner' THEN "
							     "(j->>'owner')::uuid ELSE owner END,"
							     " expires_at = CASE WHEN j ? "
							     "'expires_at' THEN "
							     "(j->>'expires_at')::timestamptz"
							     "              ELSE expires_at END,"
							     " source = CASE WHEN j ? 'source' "
							     "THEN j->>'source' ELSE source END,"
							     " url = CASE WHEN j ? 'url' THEN "
							     "j->>'url' ELSE url END,"
							     " updated_at = now()"
							     " FROM (SELECT $2::jsonb AS j) q "
							     "WHERE a.id = $1 RETURNING "
							     "asset_detail_json(a)");
/* The locked row with what the patch would make of it. */
static struct db_stmt q_lock_patch =
    DB_STMT("SELECT a.status, a.url IS NOT NULL, j->>'status', j ? 'url',"
	    " CASE WHEN j ? 'gated' THEN (j->>'gated')::boolean ELSE a.gated END,"
	    " CASE WHEN j ? 'public' THEN (j->>'public')::boolean ELSE a.public END,"
	    " (CASE WHEN j ? 'disclosure' THEN j->>'disclosure' ELSE a.disclosure END) IS NOT NULL"
	    " FROM assets a, (SELECT $2::jsonb AS j) q WHERE a.id = $1 FOR UPDATE OF a");

struct update {
	const char *id, *patch;
	struct db_fault *fault;
	char **json;
};

/* The status change, url and gating rules, against the locked row. */
static enum db_status check_change(struct update *u, PGresult *row)
{
	const char *from = PQgetvalue(row, 0, 0), *to = PQgetvalue(row, 0, 2);
	if (!PQgetisnull(row, 0, 2) && !asset_transition_ok(from, to))
		return db_refuse(u->fault, DB_CONFLICT, "status",
				 "an asset cannot go from %s to %s", from, to);
	if (db_bool(row, 0, 3) && !db_bool(row, 0, 1))
		return db_refuse(u->fault, DB_CONFLICT, "url",
				 "this asset is a file; upload a new version instead");
	bool gated = db_bool(row, 0, 4), pub = db_bool(row, 0, 5), disclosed = db_bool(row, 0, 6);
	if (gated && !pub)
		return db_refuse(u->fault, DB_INVALID, "gated", "only a public asset can be gated");
	if (gated && !disclosed) {
		db_refuse(u->fault, DB_INVALID, "disclosure",
			  "a gated asset must say what follow-up a downloader agrees to");
		u->fault->missing = true;
		return DB_INVALID;
	}
	return DB_OK;
}

static enum db_status update_tx(struct db *db, void *cls)
{
	struct update *u = cls;
	const char *p[] = {u->id, u->patch};
	enum db_status s;
	PGresult *row = db_exec(db, &q_lock_patch, 2, p, &s);
	if (s == DB_OK && PQntuples(row) == 0)
		s = DB_NOT_FOUND;
	if (s == DB_OK)
		s = check_change(u, row);
	PQclear(row);
	if (s == DB_OK)
		s = check_refs(db, u->patch, u->fault);
	if (s != DB_OK)
		return s;
	PGresult *res = db_exec(db, &q_update, 2, p, &s);
	return db_text(res, s, u->json);
}

enum db_status db_asset_update(const char *actor_id, const char *id, const char *patch,
			       struct db_fault *fault, char **json)
{
	struct update u = {id, patch, fault, json};
	return db_tx(actor_id, update_tx, &u);
}

struct version {
	const char *actor, *id;
	const struct version_file *file;
	int64_t blob;
	char **json;
};

static enum db_status version_tx(struct db *db, void *cls)
{
	struct version *v = cls;
	const char *p[] = {v->id};
	enum db_status s;
	PGresult *row = db_exec(db, &q_lock, 1, p, &s);
	if (s == DB_OK && PQntuples(row) == 0)
		s = DB_NOT_FOUND;
	else if (s == DB_OK && db_bool(row, 0, 1))
		s = DB_CONFLICT; /* a link has no file versions */
	PQclear(row);
	if (s != DB_OK)
		return s;
	return add_version(db, v->actor, v->id, v->file, v->blob, v->json);
}

enum db_status db_asset_add_version(const char *actor_id, const char *id, struct version_file *file,
				    char **json)
{
	struct version v = {actor_id, id, file, db_upload_blob(file->upload), json};
	struct db_upload *u = file->upload;
	file->upload = NULL;
	return db_upload_commit(u, version_tx, &v);
}

static struct db_stmt q_content =
    DB_STMT("SELECT v.blob_id, b.size, v.number, encode(b.sha256, 'hex'), v.mime, v.filename"
	    " FROM assets a"
	    " JOIN asset_versions v ON v.asset_id = a.id"
	    "  AND v.number = coalesce(nullif($2::integer, 0), a.current_version)"
	    " JOIN blobs b ON b.id = v.blob_id"
	    " WHERE a.id = $1 AND (NOT $3::boolean OR " VISIBLE ")");

enum db_status db_asset_content(const char *id, int version, bool visible_only,
				struct asset_content *out)
{
	char num[16];
	snprintf(num, sizeof num, "%d", version);
	const char *p[] = {id, num, visible_only ? "t" : "f"};
	enum db_status s;
	PGresult *res = db_query(false, &q_content, 3, p, &s);
	if (s == DB_OK && PQntuples(res) == 0)
		s = DB_NOT_FOUND;
	if (s == DB_OK) {
		out->blob = db_int(res, 0, 0);
		out->size = (uint64_t)db_int(res, 0, 1);
		out->version = (int)db_int(res, 0, 2);
		db_copy(out->sha256, sizeof out->sha256, res, 0, 3);
		db_copy(out->mime, sizeof out->mime, res, 0, 4);
		db_copy(out->filename, sizeof out->filename, res, 0, 5);
	}
	PQclear(res);
	return s;
}
