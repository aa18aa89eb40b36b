/* Shares: the tracked links reps make, listed and revoked. */
#include "db_shares.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db_internal.h"

static struct db_stmt q_create = DB_STMT(
    "WITH a AS (SELECT id, current_version, audience FROM assets"
    "  WHERE id = $1 AND status = 'published' AND (expires_at IS NULL OR expires_at > now())),"
    " d AS (SELECT id FROM deals WHERE id = $2::uuid AND ($3::uuid IS NULL OR owner = $3::uuid)),"
    " ins AS (INSERT INTO shares (token, asset_id, version, deal_id, rep_id, channel,"
    "  recipient_email, expires_at)"
    "  SELECT $4, a.id, a.current_version, (SELECT id FROM d), $5, $6, $7, $8::timestamptz"
    "  FROM a WHERE a.audience = 'external' AND ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM d))"
    "  RETURNING *)"
    " SELECT (SELECT count(*) FROM a), $2::uuid IS NULL OR EXISTS (SELECT 1 FROM d),"
    "  (SELECT share_json(ins) FROM ins), (SELECT audience = 'internal' FROM a)");

enum db_status db_share_create(const char *rep_id, const char *owner_only, const char *asset_id,
			       const char *deal_id, const char *channel, const char *recipient,
			       const char *expires_at, const char *token, struct db_fault *fault,
			       char **json)
{
	const char *p[] = {asset_id, deal_id, owner_only, token,
			   rep_id,   channel, recipient,  expires_at};
	enum db_status s;
	PGresult *res = db_write(rep_id, &q_create, 8, p, &s);
	if (s == DB_OK && db_int(res, 0, 0) == 0)
		s = db_refuse(fault, DB_INVALID, "asset_id", "no published asset with this id");
	else if (s == DB_OK && db_bool(res, 0, 3)) {
		s = db_refuse(fault, DB_CONFLICT, "asset_id",
			      "this asset is internal (for the team only): it cannot be shared");
		fault->code = "internal_only";
	} else if (s == DB_OK && !db_bool(res, 0, 1))
		s = db_refuse(fault, DB_INVALID, "deal_id", "no deal of yours with this id");
	if (s != DB_OK) {
		PQclear(res);
		return s;
	}
	*json = strdup(PQgetvalue(res, 0, 2));
	PQclear(res);
	return *json ? DB_OK : DB_ERROR;
}

static struct db_stmt q_list =
    DB_STMT("WITH page AS (SELECT s.* FROM shares s"
	    "  WHERE ($1::uuid IS NULL OR s.rep_id = $1::uuid) AND ($2::uuid IS NULL OR s.asset_id "
	    "= $2::uuid)"
	    "   AND ($3::uuid IS NULL OR s.deal_id = $3::uuid)"
	    "   AND " KEYSET_AFTER("s", "$4") "  ORDER BY s.created_at DESC, s.id DESC LIMIT "
					      "$5::integer + 1)," KEYSET_TAIL("share_json", "$5"));

enum db_status db_share_list(const char *rep_id, const char *asset_id, const char *deal_id,
			     const char *after, int limit, char **json, char **next)
{
	const char *p[] = {rep_id, asset_id, deal_id, after, NULL};
	return db_list(false, &q_list, 5, p, limit, json, next);
}

static struct db_stmt q_revoke =
    DB_STMT("UPDATE shares SET revoked_at = coalesce(revoked_at, now())"
	    " WHERE id = $1 AND ($2::uuid IS NULL OR rep_id = $2::uuid)");

enum db_status db_share_revoke(const char *actor_id, const char *id, const char *rep_id)
{
	const char *p[] = {id, rep_id};
	return db_write_found(actor_id, &q_revoke, 2, p);
}
