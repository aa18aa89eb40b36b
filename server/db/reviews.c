/* The review queue (asset_problems() with each asset's evidence and last
 * decision) and the board's decisions. */
#include "db_reviews.h"

#include <stdio.h>
#include <stdlib.h>
#include "db_internal.h"

/* news: NULL when no decision hides the asset, else whether its evidence
 * changed since the decision (it is then shown again). Ordered by
 * (since, asset id); the cursor is the last one shown. */
static struct db_stmt q_queue =
    DB_STMT("WITH q AS (SELECT p.asset_id, p.reasons || p.judged AS reasons, p.since, a AS asset,"
	    "   d AS last, CASE WHEN d.snoozed_until > now() THEN review_evidence_key(d.evidence)"
	    "    IS DISTINCT FROM review_evidence_key(review_evidence(a)) END AS news"
	    "  FROM asset_problems($1::integer, $2::integer) p JOIN assets a ON a.id = p.asset_id"
	    "  LEFT JOIN review_decisions d ON d.id = (SELECT max(x.id) FROM review_decisions x"
	    "   WHERE x.asset_id = p.asset_id)"
	    "  WHERE cardinality(p.reasons || p.judged) > 0"
	    "   AND ($3::text IS NULL OR $3 = ANY (p.reasons || p.judged))"
	    "   AND ($4::text IS NULL OR $4 = ANY (a.personas))"
	    "   AND ($5::text IS NULL OR $5 = ANY (a.stages) OR EXISTS (SELECT 1"
	    "    FROM stage_verdicts v WHERE v.asset_id = a.id AND v.stage = $5))"
	    "   AND ($6::uuid IS NULL OR a.owner = $6::uuid)"
	    "   AND ($8::text IS NULL OR (p.since, p.asset_id) >"
	    "    (split_part($8, ' ', 1)::timestamptz, split_part($8, ' ', 2)::uuid))),"
	    " page AS (SELECT * FROM q WHERE news IS NOT false OR $7::boolean"
	    "  ORDER BY since, asset_id LIMIT $9::integer + 1),"
	    " shown AS (SELECT * FROM page ORDER BY since, asset_id LIMIT $9::integer)"
	    " SELECT jsonb_build_object('items', coalesce((SELECT jsonb_agg(jsonb_build_object("
	    "   'asset_id', s.asset_id, 'title', (s.asset).title, 'kind', (s.asset).kind,"
	    "   'status', (s.asset).status, 'personas', to_jsonb((s.asset).personas),"
	    "   'stages', to_jsonb((s.asset).stages), 'owner', (s.asset).owner,"
	    "   'reasons', to_jsonb(s.reasons), 'problem_since', rfc3339(s.since),"
	    "   'evidence', review_evidence(s.asset),"
	    "   'last_decision', CASE WHEN (s.last).id IS NOT NULL"
	    "    THEN review_decision_json(s.last) - 'evidence' END,"
	    "   'snoozed', coalesce(NOT s.news, false), 'new_evidence', coalesce(s.news, false))"
	    "   ORDER BY s.since, s.asset_id) FROM shown s), '[]')),"
	    " CASE WHEN (SELECT count(*) FROM page) > $9::integer THEN"
	    "  (SELECT to_char(since AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
	    "   || ' ' || asset_id FROM shown ORDER BY since DESC, asset_id DESC LIMIT 1) END");

enum db_status db_review_queue(const struct review_filter *f, const char *after, int limit,
			       char **json, char **next)
{
	char days[16], grace[16];
	snprintf(days, sizeof days, "%d", f->days);
	snprintf(grace, sizeof grace, "%d", f->grace_days);
	const char *p[] = {
	    days,  grace, f->reason, f->persona, f->stage, f->owner, f->snoozed ? "t" : "f",
	    after, NULL};
	return db_list(true, &q_queue, 9, p, limit, json, next);
}

/* The asset as it is, locked; the status the decision leaves it in (NULL
 * when not allowed) and the evidence it is made on. */
static struct db_stmt q_lock =
    DB_STMT("SELECT a.status, review_outcome(a.status, $2), review_evidence(a)"
	    " FROM assets a WHERE a.id = $1 FOR UPDATE");

/* $1 asset, $2 decision, $3 note, $4 snooze days, $5 actor, $6 the new
 * status, $7 the evidence. The owner is told unless they decided. The
 * request is answered from the insert, which the statement cannot read. */
static struct db_stmt q_decide = DB_STMT(
    "WITH a AS (SELECT * FROM assets WHERE id = $1),"
    " st AS (UPDATE assets SET status = $6, updated_at = now()"
    "  WHERE id = $1 AND status <> $6 RETURNING id),"
    " rq AS (INSERT INTO content_requests (title, detail, requester, assignee, refreshes)"
    "  SELECT left('Refresh: ' || a.title, 300), $3, $5::uuid, a.owner, a.id FROM a"
    "  WHERE $2 = 'refresh' RETURNING id, request_json(content_requests) AS j),"
    " d AS (INSERT INTO review_decisions (asset_id, decision, note, actor, status_before,"
    "   status_after, snoozed_until, request_id, evidence)"
    "  SELECT a.id, $2, $3, $5::uuid, a.status, $6, CASE WHEN $2 IN ('keep', 'refresh')"
    "   THEN now() + make_interval(days => $4::integer) END, (SELECT id FROM rq), $7::jsonb"
    "  FROM a RETURNING *),"
    " n AS (INSERT INTO notifications (user_id, kind, message)"
    "  SELECT a.owner, 'review_' || $2, format('The editorial board decided to %s \"%s\": %s',"
    "   $2, a.title, $3) FROM a WHERE a.owner IS DISTINCT FROM $5::uuid AND a.owner IS NOT NULL)"
    " SELECT review_decision_json(d) || jsonb_build_object('request', (SELECT j FROM rq))"
    " FROM d");

struct decide {
	const char *asset, *decision, *note, *actor;
	int snooze_days;
	struct db_fault *fault;
	char **json;
};

static enum db_status decide_tx(struct db *db, void *cls)
{
	struct decide *c = cls;
	const char *lp[] = {c->asset, c->decision};
	enum db_status s;
	PGresult *lock = db_exec(db, &q_lock, 2, lp, &s);
	if (s == DB_OK && PQntuples(lock) == 0)
		s = DB_NOT_FOUND;
	else if (s == DB_OK && PQgetisnull(lock, 0, 1))
		s = db_refuse(c->fault, DB_CONFLICT, "decision", "an asset that is %s cannot be %s",
			      PQgetvalue(lock, 0, 0), c->decision);
	if (s != DB_OK) {
		PQclear(lock);
		return s;
	}
	char days[16];
	snprintf(days, sizeof days, "%d", c->snooze_days);
	const char *p[] = {c->asset,
			   c->decision,
			   c->note,
			   days,
			   c->actor,
			   PQgetvalue(lock, 0, 1),
			   PQgetvalue(lock, 0, 2)};
	free(*c->json);
	*c->json = NULL;
	PGresult *res = db_exec(db, &q_decide, 7, p, &s);
	PQclear(lock);
	return db_text(res, s, c->json);
}

enum db_status db_review_decide(const char *actor_id, const char *asset, const char *decision,
				const char *note, int snooze_days, struct db_fault *fault,
				char **json)
{
	*json = NULL;
	struct decide c = {asset, decision, note, actor_id, snooze_days, fault, json};
	return db_tx(actor_id, decide_tx, &c);
}

/* Newest first, paged by id; each with the asset's title and status now
 * and the actor's name. */
static struct db_stmt q_decisions =
    DB_STMT("WITH page AS (SELECT * FROM review_decisions d WHERE ($1::uuid IS NULL OR"
	    "  d.asset_id = $1::uuid) AND ($2::bigint IS NULL OR d.id < $2::bigint)"
	    "  ORDER BY d.id DESC LIMIT $3::integer + 1),"
	    " shown AS (SELECT * FROM page ORDER BY id DESC LIMIT $3::integer)"
	    " SELECT jsonb_build_object('items', coalesce((SELECT jsonb_agg(review_decision_json(s)"
	    "   || jsonb_build_object('asset_title', a.title, 'asset_status', a.status)"
	    "   ORDER BY s.id DESC) FROM shown s JOIN assets a ON a.id = s.asset_id), '[]')),"
	    " CASE WHEN (SELECT count(*) FROM page) > $3::integer THEN"
	    "  (SELECT min(id)::text FROM shown) END");

enum db_status db_review_decisions(const char *asset, const char *after, int limit, char **json,
				   char **next)
{
	const char *p[] = {asset, after, NULL};
	return db_list(true, &q_decisions, 3, p, limit, json, next);
}
