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
/* Whether the caller may see asset a, with the view's name in parameter p. */
#define VIEWABLE(p) "(" p " = 'all' OR (" p " = 'decided' AND a.status <> 'draft') OR " VISIBLE ")"

static const char *view_name(enum asset_view v)
{
	return v == ASSET_VIEW_ALL ? "all" : v == ASSET_VIEW_DECIDED ? "decided" : "share";
}

static struct db_stmt q_get = DB_STMT("SELECT asset_detail_json(a) FROM assets a"
				      " WHERE a.id = $1 AND " VIEWABLE("$2::text"));

enum db_status db_asset_get(const char *id, enum asset_view view, char **json)
{
	const char *p[] = {id, view_name(view)};
	enum db_status s;
	PGresult *res = db_query(false, &q_get, 2, p, &s);
	return db_text(res, s, json);
}

/* The text parameters of @a's columns, in the order the statements
 * below take them ($1..$16). */
struct params {
	const char *v[16];
	char *lists[3]; /* v[4..6], malloc'd */
};

static bool params_of(const struct asset_fields *a, struct params *p)
{
	p->lists[0] = db_array(a->personas);
	p->lists[1] = db_array(a->stages);
	p->lists[2] = db_array(a->tags);
	const char *v[] = {a->title,
			   a->description,
			   a->kind,
			   a->intent,
			   p->lists[0],
			   p->lists[1],
			   p->lists[2],
			   a->status,
			   a->public ? "t" : "f",
			   a->gated ? "t" : "f",
			   a->disclosure,
			   a->owner,
			   a->expires_at,
			   a->source,
			   a->url,
			   a->audience};
	memcpy(p->v, v, sizeof v);
	return p->lists[0] && p->lists[1] && p->lists[2];
}

static void params_free(struct params *p)
{
	for (int i = 0; i < 3; i++)
		free(p->lists[i]);
}

/* Slugs ($5 personas, $6 stages) and owner ($12) that do not exist, for
 * the fault report. */
static struct db_stmt q_check = DB_STMT(
    "SELECT (SELECT string_agg(x, ', ') FROM unnest($1::text[]) x"
    "         WHERE x NOT IN (SELECT slug FROM personas)),"
    "       (SELECT string_agg(x, ', ') FROM unnest($2::text[]) x"
    "         WHERE x NOT IN (SELECT slug FROM stages)),"
    "       $3::uuid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = $3::uuid)");

static enum db_status check_refs(struct db *db, const struct params *ap, struct db_fault *f)
{
	const char *p[] = {ap->v[4], ap->v[5], ap->v[11]};
	enum db_status s;
	PGresult *res = db_exec(db, &q_check, 3, p, &s);
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

/* The list columns: personas sorted by slug, stages by position, tags
 * deduplicated in the order given. */
#define PERSONAS_OF(p) "ARRAY(SELECT DISTINCT x FROM unnest(" p "::text[]) x ORDER BY 1)"
#define STAGES_OF(p)                                                                               \
	"ARRAY(SELECT s.slug FROM stages s WHERE s.slug = ANY (" p "::text[]) ORDER BY "           \
	"s.position)"
#define TAGS_OF(p)                                                                                 \
	"ARRAY(SELECT x FROM unnest(" p "::text[]) WITH ORDINALITY t(x, i) GROUP BY x"             \
	" ORDER BY min(i))"

/* $1..$16 the columns (the audience as audience_of() decided), $17 the
 * creator. */
static struct db_stmt q_insert = DB_STMT(
    "INSERT INTO assets (title, description, kind, intent, personas, stages, tags, status,"
    " public, gated, disclosure, owner, expires_at, source, url, audience)"
    " VALUES ($1, coalesce($2, ''), $3, $4, " PERSONAS_OF("$5") ", " STAGES_OF("$6") ", " TAGS_OF(
	"$7") ", coalesce($8, 'draft'), $9::boolean, $10::boolean, $11,"
	      " coalesce($12::uuid, $17::uuid), $13::timestamptz, $14, $15, $16) RETURNING id");

static struct db_stmt q_lock =
    DB_STMT("SELECT status, url IS NOT NULL, gated, public, disclosure IS NOT NULL,"
	    " audience = 'internal' FROM assets WHERE id = $1 FOR UPDATE");

/* Internal content is never public: @f's refusal when it would be. */
static enum db_status refuse_public_internal(struct db_fault *f, bool internal, bool pub)
{
	if (!internal || !pub)
		return DB_OK;
	db_refuse(f, DB_CONFLICT, "public",
		  "this asset is internal (for the team only): it cannot be made public");
	f->code = "internal_only";
	return DB_CONFLICT;
}
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
	const char *actor;
	const struct asset_fields *meta;
	const struct version_file *file;
	int64_t blob;
	struct db_fault *fault;
	char *id, **json;
};

static enum db_status create_tx(struct db *db, void *cls)
{
	struct create *c = cls;
	struct params ap;
	const struct asset_fields *m = c->meta;
	/* battlecards are for the team unless said otherwise (or public) */
	const char *audience = m->audience					  ? m->audience
			       : strcmp(m->kind, "battlecard") == 0 && !m->public ? "internal"
										  : "external";
	enum db_status s =
	    refuse_public_internal(c->fault, strcmp(audience, "internal") == 0, m->public);
	if (s != DB_OK)
		return s;
	s = params_of(m, &ap) ? check_refs(db, &ap, c->fault) : DB_ERROR;
	const char *p[17];
	memcpy(p, ap.v, sizeof ap.v);
	p[15] = audience;
	p[16] = c->actor;
	PGresult *res = s == DB_OK ? db_exec(db, &q_insert, 17, p, &s) : NULL;
	params_free(&ap);
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

enum db_status db_asset_create(const char *actor_id, const struct asset_fields *meta,
			       struct version_file *file, struct db_fault *fault,
			       char id[UUID_LEN + 1], char **json)
{
	struct create c = {actor_id, meta, file, 0, fault, id, json};
	if (file == NULL)
		return db_tx(actor_id, create_tx, &c);
	c.blob = db_upload_blob(file->upload);
	struct db_upload *u = file->upload;
	file->upload = NULL;
	return db_upload_commit(u, create_tx, &c);
}

/* $1..$16 the columns, $17 the asset, $18 the names of the fields given. */
#define SET(c, v) DB_SET(c, v, "$18")
static struct db_stmt q_update = DB_STMT(
    "UPDATE assets a SET" SET("title", "$1") SET("description", "$2") SET("kind", "$3")
	SET("intent", "$4") SET("personas", PERSONAS_OF("$5")) SET("stages", STAGES_OF("$6"))
	    SET("tags", TAGS_OF("$7")) SET("status", "$8") SET("public", "$9::boolean")
		SET("gated", "$10::boolean") SET("disclosure", "$11") SET("owner", "$12::uuid")
		    SET("expires_at", "$13::timestamptz") SET("source", "$14") SET("url", "$15")
			SET("audience", "$16") " updated_at = now() WHERE a.id = $17"
					       " RETURNING asset_detail_json(a)");

struct update {
	const char *id;
	const struct asset_fields *patch;
	struct db_fault *fault;
	char **json;
};

/* The status change, url and gating rules: @row (q_lock's) as @u's patch
 * would leave it. */
static enum db_status check_change(struct update *u, PGresult *row)
{
	const struct asset_fields *p = u->patch;
	const char *from = PQgetvalue(row, 0, 0);
	if (db_given(p->given, "status") && !asset_transition_ok(from, p->status))
		return db_refuse(u->fault, DB_CONFLICT, "status",
				 "an asset cannot go from %s to %s", from, p->status);
	if (db_given(p->given, "url") && !db_bool(row, 0, 1))
		return db_refuse(u->fault, DB_CONFLICT, "url",
				 "this asset is a file; upload a new version instead");
	bool gated = db_given(p->given, "gated") ? p->gated : db_bool(row, 0, 2),
	     pub = db_given(p->given, "public") ? p->public : db_bool(row, 0, 3),
	     disclosed =
		 db_given(p->given, "disclosure") ? p->disclosure != NULL : db_bool(row, 0, 4);
	bool internal = db_given(p->given, "audience") ? strcmp(p->audience, "internal") == 0
						       : db_bool(row, 0, 5);
	if (refuse_public_internal(u->fault, internal, pub) != DB_OK)
		return DB_CONFLICT;
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
	const char *id[] = {u->id};
	enum db_status s;
	PGresult *row = db_exec(db, &q_lock, 1, id, &s);
	if (s == DB_OK && PQntuples(row) == 0)
		s = DB_NOT_FOUND;
	if (s == DB_OK)
		s = check_change(u, row);
	PQclear(row);
	struct params ap;
	char *given = db_array(u->patch->given);
	if (!params_of(u->patch, &ap) || given == NULL)
		s = s == DB_OK ? DB_ERROR : s;
	if (s == DB_OK)
		s = check_refs(db, &ap, u->fault);
	const char *p[18];
	memcpy(p, ap.v, sizeof ap.v);
	p[16] = u->id;
	p[17] = given;
	PGresult *res = s == DB_OK ? db_exec(db, &q_update, 18, p, &s) : NULL;
	params_free(&ap);
	free(given);
	return db_text(res, s, u->json);
}

enum db_status db_asset_update(const char *actor_id, const char *id,
			       const struct asset_fields *patch, struct db_fault *fault,
			       char **json)
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
	    " WHERE a.id = $1 AND " VIEWABLE("$3::text"));

enum db_status db_asset_content(const char *id, int version, enum asset_view view,
				struct asset_content *out)
{
	char num[16];
	snprintf(num, sizeof num, "%d", version);
	const char *p[] = {id, num, view_name(view)};
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
