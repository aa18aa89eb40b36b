/* CRM webhook events (ours and HubSpot's): one transaction each, the
 * event id recorded in it, so a retried delivery is recognised even after
 * a crash. */
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
static struct db_stmt q_first_stage = DB_STMT("SELECT slug FROM stages ORDER BY position LIMIT 1");
static struct db_stmt q_owner = DB_STMT("SELECT id FROM users WHERE email = lower($1) AND active");
/* $1 external_id, $2 name, $3 account, $4 amount, $5 owner, $6 the
 * stage of a new deal. The deal's id and whether this made it. */
static struct db_stmt q_deal =
    DB_STMT("WITH found AS (SELECT id FROM deals WHERE external_id = $1 FOR UPDATE),"
	    " made AS (INSERT INTO deals (external_id, name, account, amount, owner, stage)"
	    "  SELECT $1, coalesce($2, $1), $3, $4::numeric, $5::uuid, $6"
	    "  WHERE NOT EXISTS (SELECT 1 FROM found)"
	    "  ON CONFLICT (external_id) DO NOTHING RETURNING id)"
	    " SELECT id, false FROM found UNION ALL SELECT id, true FROM made");
/* $1 the deal, $2 the fields given, $3 name, $4 account, $5 amount, $6
 * owner. Writes (and so audits) only a real change. */
#define GIVEN_OR(f, v) "CASE WHEN '" f "' = ANY ($2::text[]) THEN " v " ELSE d." f " END"
#define NEW_NAME       GIVEN_OR("name", "$3")
#define NEW_ACCOUNT    GIVEN_OR("account", "$4")
#define NEW_AMOUNT     GIVEN_OR("amount", "$5::numeric")
#define NEW_OWNER      GIVEN_OR("owner", "$6::uuid")
static struct db_stmt q_update =
    DB_STMT("WITH v AS (SELECT " NEW_NAME " AS name, " NEW_ACCOUNT " AS account, " NEW_AMOUNT
	    " AS amount, " NEW_OWNER " AS owner FROM deals d WHERE d.id = $1)"
	    " UPDATE deals d SET name = v.name, account = v.account, amount = v.amount,"
	    "  owner = v.owner, updated_at = now() FROM v WHERE d.id = $1"
	    "  AND (d.name, d.account, d.amount, d.owner)"
	    "   IS DISTINCT FROM (v.name, v.account, v.amount, v.owner)");
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

/* The stage @ev names (or, for a creation event, the first stage) into
 * *@stage; DB_INVALID with @fault when it names none. */
static enum db_status stage_of(struct db *db, const struct crm_event *ev, struct db_fault *fault,
			       char **stage)
{
	const char *k[] = {ev->stage};
	enum db_status s;
	PGresult *res =
	    ev->stage ? db_exec(db, &q_stage, 1, k, &s) : db_exec(db, &q_first_stage, 0, NULL, &s);
	s = db_text(res, s, stage);
	if (s == DB_NOT_FOUND)
		return db_refuse(fault, DB_INVALID, ev->stage_field,
				 "%s is not a stage or a known CRM stage name (see stage aliases)",
				 ev->stage ? ev->stage : "(none)");
	return s;
}

/* The active user @ev's owner_email names into *@owner (NULL when the
 * event gives none, or null); DB_INVALID with @fault when nobody has it. */
static enum db_status owner_of(struct db *db, const struct crm_event *ev, struct db_fault *fault,
			       char **owner)
{
	*owner = NULL;
	if (ev->owner_email == NULL)
		return DB_OK;
	const char *p[] = {ev->owner_email};
	enum db_status s;
	PGresult *res = db_exec(db, &q_owner, 1, p, &s);
	s = db_text(res, s, owner);
	if (s == DB_NOT_FOUND)
		return db_refuse(fault, DB_INVALID, "owner_email",
				 "no active user has the e-mail %s", ev->owner_email);
	return s;
}

/* Finds or makes the deal of @ev (*@deal, *@made), then applies the
 * fields the event gives to a deal that was there. */
static enum db_status deal_of(struct db *db, const struct crm_event *ev, const char *stage,
			      const char *owner, char **deal, bool *made)
{
	char amount[32];
	const char *q[] = {ev->external_id, ev->name, ev->account, db_number(ev->amount, amount),
			   owner,	    stage};
	enum db_status s;
	PGresult *res = db_exec(db, &q_deal, 6, q, &s);
	if (s == DB_OK && PQntuples(res) == 0)
		s = DB_RETRY; /* created concurrently by another event: run again */
	if (s == DB_OK) {
		*deal = db_dup(res, 0, 0);
		*made = db_bool(res, 0, 1);
		s = *deal ? DB_OK : DB_ERROR;
	}
	PQclear(res);
	if (s != DB_OK || *made || ev->given[0] == NULL)
		return s;
	char *given = db_array(ev->given);
	if (given == NULL)
		return DB_ERROR;
	const char *u[] = {*deal, given, ev->name, ev->account, q[3], owner};
	s = db_do(db, &q_update, 6, u);
	free(given);
	return s;
}

static enum db_status event_tx(struct db *db, void *cls)
{
	struct event *e = cls;
	const struct crm_event *ev = e->ev;
	free(*e->out);
	*e->out = NULL;
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
	char *stage = NULL, *owner = NULL, *deal = NULL;
	bool made = false;
	s = stage_of(db, ev, e->fault, &stage);
	if (s == DB_OK)
		s = owner_of(db, ev, e->fault, &owner);
	if (s == DB_OK)
		s = deal_of(db, ev, stage, owner, &deal, &made);
	/* A creation event moves no deal that was there already. */
	const char *r[] = {deal, stage, ev->at};
	if (s == DB_OK && (ev->stage != NULL || made))
		s = db_do(db, &q_enter, 3, r);
	const char *d[] = {ev->event_id, deal};
	if (s == DB_OK) {
		res = db_exec(db, &q_done, 2, d, &s);
		s = db_text(res, s, e->out);
	}
	free(stage);
	free(owner);
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
	return db_write_found(actor_id, &q_alias_delete, 1, p);
}
