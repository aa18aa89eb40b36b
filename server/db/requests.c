/* Content requests and their state machine (request_may_move() in SQL). */
#include "db_requests.h"

#include <stdlib.h>
#include "db_internal.h"

/* Unknown persona, stage, or a deal the requester may not see. */
static struct db_stmt q_check =
    DB_STMT("SELECT j ? 'persona' AND j->>'persona' IS NOT NULL"
	    "  AND NOT EXISTS (SELECT 1 FROM personas WHERE slug = j->>'persona'),"
	    " j ? 'stage' AND j->>'stage' IS NOT NULL"
	    "  AND NOT EXISTS (SELECT 1 FROM stages WHERE slug = j->>'stage'),"
	    " j ? 'deal_id' AND j->>'deal_id' IS NOT NULL AND NOT EXISTS (SELECT 1 FROM deals d"
	    "  WHERE d.id = (j->>'deal_id')::uuid AND ($2::uuid IS NULL OR d.owner = $2::uuid))"
	    " FROM (SELECT $1::jsonb AS j) q");
static struct db_stmt q_insert = DB_STMT(
    "INSERT INTO content_requests (title, persona, stage, deal_id, detail, requester)"
    " SELECT j->>'title', j->>'persona', j->>'stage', (j->>'deal_id')::uuid, j->>'detail', $2"
    " FROM (SELECT $1::jsonb AS j) q RETURNING request_json(content_requests)");

struct create {
	const char *p[2], *owner_only;
	struct db_fault *fault;
	char **json;
};

static enum db_status create_tx(struct db *db, void *cls)
{
	struct create *c = cls;
	const char *cp[] = {c->p[0], c->owner_only};
	enum db_status s;
	PGresult *res = db_exec(db, &q_check, 2, cp, &s);
	if (s == DB_OK && db_bool(res, 0, 0))
		s = db_refuse(c->fault, DB_INVALID, "persona", "no such persona");
	else if (s == DB_OK && db_bool(res, 0, 1))
		s = db_refuse(c->fault, DB_INVALID, "stage", "no such stage");
	else if (s == DB_OK && db_bool(res, 0, 2))
		s = db_refuse(c->fault, DB_INVALID, "deal_id", "no such deal of yours");
	PQclear(res);
	if (s != DB_OK)
		return s;
	free(*c->json);
	*c->json = NULL;
	res = db_exec(db, &q_insert, 2, c->p, &s);
	return db_text(res, s, c->json);
}

enum db_status db_request_create(const char *actor_id, const char *owner_only, const char *req,
				 struct db_fault *fault, char **json)
{
	*json = NULL;
	struct create c = {{req, actor_id}, owner_only, fault, json};
	return db_tx(actor_id, create_tx, &c);
}

static struct db_stmt q_list = DB_STMT(
    "WITH page AS (SELECT q.* FROM content_requests q"
    "  WHERE ($1::uuid IS NULL OR q.requester = $1::uuid) AND ($2::text IS NULL OR q.status = $2)"
    "   AND " KEYSET_AFTER("q", "$3") "  ORDER BY q.created_at DESC, q.id DESC"
				      "  LIMIT $4::integer + 1)," KEYSET_TAIL("request_json",
									      "$4"));

enum db_status db_request_list(const char *requester, const char *status, const char *after,
			       int limit, char **json, char **next)
{
	const char *p[] = {requester, status, after, NULL};
	return db_list(true, &q_list, 4, p, limit, json, next);
}

/* Whether the change may be made: the move (when a status is given), the
 * asset, the request still open to an assignee (when one is given), and
 * the assignee a marketer or admin who is active. */
static struct db_stmt q_lock = DB_STMT(
    "SELECT q.status, NOT (j ? 'status') OR request_may_move(q.status, j->>'status'),"
    " NOT (j ? 'asset_id') OR EXISTS (SELECT 1 FROM assets WHERE id::text = j->>'asset_id'),"
    " NOT (j ? 'assignee') OR q.status NOT IN ('fulfilled', 'declined'),"
    " j->>'assignee' IS NULL OR EXISTS (SELECT 1 FROM users u WHERE u.id::text = j->>'assignee'"
    "  AND u.active AND u.role IN ('marketer', 'admin'))"
    " FROM content_requests q, (SELECT $2::jsonb AS j) c WHERE q.id = $1 FOR UPDATE OF q");
static struct db_stmt q_move = DB_STMT(
    "UPDATE content_requests SET status = coalesce(j->>'status', status),"
    " asset_id = CASE WHEN j ? 'asset_id' THEN (j->>'asset_id')::uuid ELSE asset_id END,"
    " assignee = CASE WHEN j ? 'assignee' THEN (j->>'assignee')::uuid ELSE assignee END,"
    " decline_reason = CASE WHEN j ? 'decline_reason' THEN j->>'decline_reason'"
    "  ELSE decline_reason END, updated_at = now()"
    " FROM (SELECT $2::jsonb AS j) q WHERE id = $1 RETURNING request_json(content_requests)");

struct update {
	const char *p[2];
	struct db_fault *fault;
	char **json;
};

static enum db_status update_tx(struct db *db, void *cls)
{
	struct update *u = cls;
	enum db_status s;
	PGresult *res = db_exec(db, &q_lock, 2, u->p, &s);
	if (s == DB_OK && PQntuples(res) == 0)
		s = DB_NOT_FOUND;
	else if (s == DB_OK && !db_bool(res, 0, 1))
		s = db_refuse(u->fault, DB_CONFLICT, "status",
			      "a request that is %s cannot move there", PQgetvalue(res, 0, 0));
	else if (s == DB_OK && !db_bool(res, 0, 2))
		s = db_refuse(u->fault, DB_INVALID, "asset_id", "no such asset");
	else if (s == DB_OK && !db_bool(res, 0, 3))
		s = db_refuse(u->fault, DB_CONFLICT, "assignee",
			      "a request that is %s is closed: nobody works on it",
			      PQgetvalue(res, 0, 0));
	else if (s == DB_OK && !db_bool(res, 0, 4))
		s = db_refuse(u->fault, DB_INVALID, "assignee",
			      "the assignee is an active marketer or admin");
	PQclear(res);
	if (s != DB_OK)
		return s;
	free(*u->json);
	*u->json = NULL;
	res = db_exec(db, &q_move, 2, u->p, &s);
	if (s == DB_INVALID)
		return db_refuse(u->fault, DB_INVALID, "status",
				 "fulfilled needs asset_id, declined needs decline_reason");
	return db_text(res, s, u->json);
}

enum db_status db_request_update(const char *actor_id, const char *id, const char *change,
				 struct db_fault *fault, char **json)
{
	*json = NULL;
	struct update u = {{id, change}, fault, json};
	return db_tx(actor_id, update_tx, &u);
}
