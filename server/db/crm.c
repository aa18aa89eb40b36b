/* CRM webhook events: one transaction each, the event id recorded in it,
 * so a retried delivery is recognised even after a crash. */
#include "db_crm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db_internal.h"

static struct db_stmt q_claim = DB_STMT(
    "INSERT INTO crm_events (event_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING event_id");
static struct db_stmt q_earlier =
    DB_STMT("SELECT deal_json(d) FROM crm_events e JOIN deals d ON d.id = e.deal_id"
	    " WHERE e.event_id = $1");
static struct db_stmt q_stage = DB_STMT("SELECT resolve_stage($1)");
/* $1 external_id, $2 name, $3 account, $4 amount, $5 owner_email, $6 the
 * resolved stage. */
static struct db_stmt q_deal =
    DB_STMT("WITH found AS (SELECT id FROM deals WHERE external_id = $1 FOR UPDATE),"
	    " made AS (INSERT INTO deals (external_id, name, account, amount, owner, stage)"
	    "  SELECT $1, coalesce($2, $1), $3, $4::numeric,"
	    "   (SELECT id FROM users WHERE email = lower($5) AND active), $6"
	    "  WHERE NOT EXISTS (SELECT 1 FROM found)"
	    "  ON CONFLICT (external_id) DO NOTHING RETURNING id)"
	    " SELECT id FROM found UNION ALL SELECT id FROM made");
static struct db_stmt q_enter =
    DB_STMT("SELECT deal_enter_stage($1, $2, coalesce($3::timestamptz, now()), 'webhook')");
static struct db_stmt q_done =
    DB_STMT("UPDATE crm_events SET deal_id = $2 WHERE event_id = $1"
	    " RETURNING (SELECT deal_json(d) FROM deals d WHERE d.id = $2)");

struct event {
	const struct crm_event *ev;
	bool *duplicate;
	struct db_fault *fault;
	char **out;
};

static enum db_status event_tx(struct db *db, void *cls)
{
	struct event *e = cls;
	const struct crm_event *ev = e->ev;
	const char *p[] = {ev->event_id};
	enum db_status s;
	PGresult *res = db_exec(db, &q_claim, 1, p, &s);
	*e->duplicate = s == DB_OK && PQntuples(res) == 0;
	PQclear(res);
	if (s != DB_OK)
		return s;
	if (*e->duplicate) {
		res = db_exec(db, &q_earlier, 1, p, &s);
		s = db_text(res, s, e->out);
		return s == DB_NOT_FOUND ? DB_OK : s;
	}
	char *stage = NULL, *deal = NULL, amount[32];
	const char *k[] = {ev->stage};
	res = db_exec(db, &q_stage, 1, k, &s);
	s = db_text(res, s, &stage);
	if (s == DB_NOT_FOUND)
		return db_refuse(e->fault, DB_INVALID, "stage",
				 "not a stage or a known CRM stage name (see stage aliases)");
	const char *q[] = {ev->external_id, ev->name, ev->account, db_number(ev->amount, amount),
			   ev->owner_email, stage};
	if (s == DB_OK) {
		res = db_exec(db, &q_deal, 6, q, &s);
		s = db_text(res, s, &deal);
	}
	if (s == DB_NOT_FOUND)
		s = DB_RETRY; /* created concurrently by another event: run again */
	const char *r[] = {deal, stage, ev->at};
	if (s == DB_OK)
		s = db_do(db, &q_enter, 3, r);
	const char *d[] = {ev->event_id, deal};
	if (s == DB_OK) {
		res = db_exec(db, &q_done, 2, d, &s);
		s = db_text(res, s, e->out);
	}
	free(stage);
	free(deal);
	return s;
}

enum db_status db_crm_event(const struct crm_event *event, bool *duplicate, struct db_fault *fault,
			    char **json)
{
	struct event e = {event, duplicate, fault, json};
	*json = NULL;
	return db_tx(NULL, event_tx, &e);
}

static struct db_stmt q_aliases =
    DB_STMT("SELECT jsonb_build_object('items', coalesce(jsonb_agg(jsonb_build_object("
	    " 'alias', alias, 'stage', stage) ORDER BY alias), '[]')) FROM stage_aliases");

enum db_status db_aliases_list(char **json)
{
	enum db_status s;
	PGresult *res = db_query(false, &q_aliases, 0, NULL, &s);
	return db_text(res, s, json);
}

static struct db_stmt q_alias_set =
    DB_STMT("INSERT INTO stage_aliases (alias, stage) SELECT lower(btrim($1)), slug FROM stages"
	    " WHERE slug = $2 ON CONFLICT (alias) DO UPDATE SET stage = excluded.stage");

enum db_status db_alias_set(const char *actor_id, const char *alias, const char *stage,
			    struct db_fault *fault)
{
	const char *p[] = {alias, stage};
	enum db_status s;
	PGresult *res = db_write(actor_id, &q_alias_set, 2, p, &s);
	if (s == DB_OK && atoi(PQcmdTuples(res)) == 0)
		s = db_refuse(fault, DB_INVALID, "stage", "no such stage");
	PQclear(res);
	return s;
}

static struct db_stmt q_alias_delete =
    DB_STMT("DELETE FROM stage_aliases WHERE alias = lower(btrim($1))");

enum db_status db_alias_delete(const char *actor_id, const char *alias)
{
	const char *p[] = {alias};
	enum db_status s;
	PGresult *res = db_write(actor_id, &q_alias_delete, 1, p, &s);
	if (s == DB_OK && atoi(PQcmdTuples(res)) == 0)
		s = DB_NOT_FOUND;
	PQclear(res);
	return s;
}
