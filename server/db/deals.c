/* Deals: rows, their stage timelines (deal_enter_stage() in SQL keeps the
 * timeline ordered and the current stage right), and listings. */
#include "db_deals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db_internal.h"

#define OWNED "($2::uuid IS NULL OR d.owner = $2::uuid)"

/* Unknown stage ($1), active owner ($2) or personas ($3) of a write. */
static struct db_stmt q_check = DB_STMT(
    "SELECT $1::text IS NOT NULL AND NOT EXISTS (SELECT 1 FROM stages WHERE slug = $1),"
    " $2::uuid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users WHERE id = $2 AND active),"
    " EXISTS (SELECT 1 FROM unnest($3::text[]) x WHERE x NOT IN (SELECT slug FROM personas))");

/* The text parameters of @d's columns, in the order the statements below
 * take them: external_id, name, account, owner, amount, personas. */
struct params {
	const char *v[6];
	char amount[32];
	char *personas; /* v[5], malloc'd */
};

static bool params_of(const struct deal_fields *d, struct params *p)
{
	p->v[0] = d->external_id;
	p->v[1] = d->name;
	p->v[2] = d->account;
	p->v[3] = d->owner;
	p->v[4] = db_number(d->amount, p->amount);
	p->v[5] = p->personas = db_array(d->personas);
	return p->personas != NULL;
}

static enum db_status check_refs(struct db *db, const struct deal_fields *d,
				 const struct params *dp, struct db_fault *f)
{
	const char *p[] = {d->stage, d->owner, dp->v[5]};
	enum db_status s;
	PGresult *res = db_exec(db, &q_check, 3, p, &s);
	if (s == DB_OK) {
		if (db_bool(res, 0, 0))
			s = db_refuse(f, DB_INVALID, "stage", "no such stage");
		else if (db_bool(res, 0, 1))
			s = db_refuse(f, DB_INVALID, "owner", "no such active user");
		else if (db_bool(res, 0, 2))
			s = db_refuse(f, DB_INVALID, "personas", "no such persona");
	}
	PQclear(res);
	return s;
}

#define PERSONAS_OF(p) "ARRAY(SELECT DISTINCT x FROM unnest(" p "::text[]) x ORDER BY 1)"

/* $1..$6 the columns (see struct params), $7 the creator, $8 the stage
 * and $9 since when. */
static struct db_stmt q_insert = DB_STMT(
    "WITH d AS (INSERT INTO deals (external_id, name, account, owner, amount, personas, stage)"
    " VALUES ($1, $2, $3, coalesce($4::uuid, $7::uuid), $5::numeric, " PERSONAS_OF(
	"$6") ", $8)"
	      " RETURNING id)"
	      " SELECT id, deal_enter_stage(id, $8, coalesce($9::timestamptz, now()), 'api') FROM "
	      "d");
static struct db_stmt q_json = DB_STMT("SELECT deal_json(d) FROM deals d WHERE d.id = $1");

struct create {
	const char *actor;
	const struct deal_fields *deal;
	struct db_fault *fault;
	char **json;
};

static enum db_status create_tx(struct db *db, void *cls)
{
	struct create *c = cls;
	struct params dp;
	if (!params_of(c->deal, &dp))
		return DB_ERROR;
	enum db_status s = check_refs(db, c->deal, &dp, c->fault);
	const char *p[] = {dp.v[0], dp.v[1],  dp.v[2],	      dp.v[3],	  dp.v[4],
			   dp.v[5], c->actor, c->deal->stage, c->deal->at};
	PGresult *res = s == DB_OK ? db_exec(db, &q_insert, 9, p, &s) : NULL;
	free(dp.personas);
	if (s == DB_CONFLICT)
		db_refuse(c->fault, s, "external_id", "a deal has this external_id");
	if (s != DB_OK)
		return s;
	const char *q[] = {PQgetvalue(res, 0, 0)};
	PGresult *out = db_exec(db, &q_json, 1, q, &s);
	PQclear(res);
	return db_text(out, s, c->json);
}

enum db_status db_deal_create(const char *actor_id, const struct deal_fields *deal,
			      struct db_fault *fault, char **json)
{
	struct create c = {actor_id, deal, fault, json};
	return db_tx(actor_id, create_tx, &c);
}

static struct db_stmt q_get =
    DB_STMT("SELECT deal_json(d) FROM deals d WHERE d.id = $1 AND " OWNED);

enum db_status db_deal_get(const char *id, const char *owner_only, char **json)
{
	const char *p[] = {id, owner_only};
	enum db_status s;
	PGresult *res = db_query(false, &q_get, 2, p, &s);
	return db_text(res, s, json);
}

static struct db_stmt q_lock =
    DB_STMT("SELECT 1 FROM deals d WHERE d.id = $1 AND " OWNED " FOR UPDATE");
/* $1 the deal, $2 the names of the fields given, $3..$8 the columns
 * (see struct params). */
static struct db_stmt q_update =
    DB_STMT("UPDATE deals d SET" DB_SET("external_id", "$3", "$2") DB_SET("name", "$4", "$2")
		DB_SET("account", "$5", "$2") DB_SET("owner", "$6::uuid", "$2")
		    DB_SET("amount", "$7::numeric", "$2")
			DB_SET("personas", PERSONAS_OF("$8"),
			       "$2") " updated_at = now() WHERE d.id = $1 RETURNING deal_json(d)");

struct change {
	const char *id, *owner_only;
	const struct deal_fields *patch;
	const char *stage, *at, *source;
	struct db_fault *fault;
	char **json;
};

static enum db_status lock(struct db *db, const struct change *c)
{
	const char *p[] = {c->id, c->owner_only};
	enum db_status s;
	PGresult *res = db_exec(db, &q_lock, 2, p, &s);
	if (s == DB_OK && PQntuples(res) == 0)
		s = DB_NOT_FOUND;
	PQclear(res);
	return s;
}

static enum db_status update_tx(struct db *db, void *cls)
{
	struct change *c = cls;
	struct params dp;
	char *given = db_array(c->patch->given);
	if (given == NULL || !params_of(c->patch, &dp)) {
		free(given);
		return DB_ERROR;
	}
	enum db_status s = lock(db, c);
	if (s == DB_OK)
		s = check_refs(db, c->patch, &dp, c->fault);
	const char *p[] = {c->id, given, dp.v[0], dp.v[1], dp.v[2], dp.v[3], dp.v[4], dp.v[5]};
	PGresult *res = s == DB_OK ? db_exec(db, &q_update, 8, p, &s) : NULL;
	free(given);
	free(dp.personas);
	if (s == DB_CONFLICT)
		db_refuse(c->fault, s, "external_id", "a deal has this external_id");
	return db_text(res, s, c->json);
}

enum db_status db_deal_update(const char *actor_id, const char *id, const char *owner_only,
			      const struct deal_fields *patch, struct db_fault *fault, char **json)
{
	struct change c = {id, owner_only, patch, NULL, NULL, NULL, fault, json};
	return db_tx(actor_id, update_tx, &c);
}

static struct db_stmt q_stage_known = DB_STMT("SELECT 1 FROM stages WHERE slug = $1");
static struct db_stmt q_enter =
    DB_STMT("SELECT deal_enter_stage($1, $2, coalesce($3::timestamptz, now()), $4)");

static enum db_status stage_tx(struct db *db, void *cls)
{
	struct change *c = cls;
	enum db_status s = lock(db, c);
	if (s != DB_OK)
		return s;
	const char *k[] = {c->stage};
	PGresult *res = db_exec(db, &q_stage_known, 1, k, &s);
	bool known = s == DB_OK && PQntuples(res) == 1;
	PQclear(res);
	if (s != DB_OK)
		return s;
	if (!known)
		return db_refuse(c->fault, DB_INVALID, "stage", "no such stage");
	const char *p[] = {c->id, c->stage, c->at, c->source};
	if ((s = db_do(db, &q_enter, 4, p)) != DB_OK)
		return s;
	const char *q[] = {c->id};
	res = db_exec(db, &q_json, 1, q, &s);
	return db_text(res, s, c->json);
}

enum db_status db_deal_stage(const char *actor_id, const char *id, const char *owner_only,
			     const char *stage, const char *at, const char *source,
			     struct db_fault *fault, char **json)
{
	struct change c = {id, owner_only, NULL, stage, at, source, fault, json};
	return db_tx(actor_id, stage_tx, &c);
}

static struct db_stmt q_list = DB_STMT(
    "WITH page AS (SELECT d.* FROM deals d"
    "  WHERE ($1::uuid IS NULL OR d.owner = $1::uuid) AND ($2::text IS NULL OR d.stage = $2)"
    "   AND ($3 = '' OR d.external_id = $3 OR (d.name || ' ' || coalesce(d.account, '')) ILIKE"
    "        '%' || replace(replace(replace($3, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%')"
    "   AND " KEYSET_AFTER("d", "$4") "  ORDER BY d.created_at DESC, d.id DESC LIMIT $5::integer + "
				      "1)," KEYSET_TAIL("deal_json", "$5"));

enum db_status db_deal_list(const char *owner, const char *stage, const char *q, const char *after,
			    int limit, char **json, char **next)
{
	const char *p[] = {owner, stage, q, after, NULL};
	return db_list(false, &q_list, 5, p, limit, json, next);
}
