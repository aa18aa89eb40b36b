/* Feedback on assets: one current answer per user and asset. */
#include "db_feedback.h"

#include <stdlib.h>
#include "db_internal.h"

static struct db_stmt q_replace =
    DB_STMT("UPDATE feedback SET replaced_at = now()"
	    " WHERE asset_id = $1 AND user_id = $2 AND replaced_at IS NULL");
static struct db_stmt q_insert = DB_STMT(
    "INSERT INTO feedback (asset_id, user_id, useful_to_me, useful_to_prospect, rating, comment,"
    "  made_own, made_own_text)"
    " SELECT a.id, $2, (j->>'useful_to_me')::boolean, (j->>'useful_to_prospect')::boolean,"
    "  (j->>'rating')::smallint, j->>'comment', coalesce((j->>'made_own')::boolean, false),"
    "  j->>'made_own_text'"
    " FROM assets a, (SELECT $4::jsonb AS j) q"
    " WHERE a.id = $1 AND (NOT $3::boolean OR (a.status = 'published'"
    "  AND (a.expires_at IS NULL OR a.expires_at > now())))"
    " RETURNING id");
/* Read after the insert, so that the summary counts the new answer. */
static struct db_stmt q_answer = DB_STMT(
    "SELECT jsonb_build_object('feedback', jsonb_build_object('id', f.id,"
    "  'asset_id', f.asset_id, 'user_id', f.user_id, 'useful_to_me', f.useful_to_me,"
    "  'useful_to_prospect', f.useful_to_prospect, 'rating', f.rating, 'comment', f.comment,"
    "  'made_own', f.made_own, 'made_own_text', f.made_own_text,"
    "  'created_at', rfc3339(f.created_at)), 'summary', feedback_summary_json(f.asset_id))"
    " FROM feedback f WHERE f.id = $1");

struct give {
	const char *p[4];
	char **json;
};

static enum db_status give_tx(struct db *db, void *cls)
{
	struct give *g = cls;
	enum db_status s = db_do(db, &q_replace, 2, g->p);
	PGresult *res = s == DB_OK ? db_exec(db, &q_insert, 4, g->p, &s) : NULL;
	char *id = s == DB_OK && PQntuples(res) == 1 ? db_dup(res, 0, 0) : NULL;
	PQclear(res);
	if (s == DB_OK && id == NULL)
		s = DB_NOT_FOUND;
	free(*g->json);
	*g->json = NULL;
	if (s == DB_OK) {
		const char *p[] = {id};
		res = db_exec(db, &q_answer, 1, p, &s);
		s = db_text(res, s, g->json);
	}
	free(id);
	return s;
}

enum db_status db_feedback_give(const char *asset, const char *user_id, bool visible_only,
				const char *answer, char **json)
{
	*json = NULL;
	struct give g = {{asset, user_id, visible_only ? "t" : "f", answer}, json};
	return db_tx(user_id, give_tx, &g);
}
