/* Personas and stages. */
#include "db_taxonomy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db_internal.h"

static void read_persona(const PGresult *res, int row, struct persona *p)
{
	db_copy(p->slug, sizeof p->slug, res, row, 0);
	db_copy(p->name, sizeof p->name, res, row, 1);
	p->description = db_dup(res, row, 2);
}

static enum db_status one_persona(PGresult *res, enum db_status s, struct persona *p)
{
	if (s == DB_OK && PQntuples(res) == 0)
		s = DB_NOT_FOUND;
	if (s == DB_OK)
		read_persona(res, 0, p);
	PQclear(res);
	return s;
}

static struct db_stmt q_persona_list =
    DB_STMT("SELECT slug, name, description FROM personas ORDER BY slug");

enum db_status db_persona_list(struct persona **out, int *n)
{
	enum db_status s;
	PGresult *res = db_query(false, &q_persona_list, 0, NULL, &s);
	*out = NULL;
	*n = 0;
	if (s != DB_OK)
		return s;
	int rows = PQntuples(res);
	*out = calloc((size_t)rows + 1, sizeof **out);
	for (int i = 0; *out != NULL && i < rows; i++)
		read_persona(res, i, &(*out)[i]);
	*n = *out ? rows : 0;
	PQclear(res);
	return *out ? DB_OK : DB_ERROR;
}

static struct db_stmt q_persona_get =
    DB_STMT("SELECT slug, name, description FROM personas WHERE slug = $1");

enum db_status db_persona_get(const char *slug, struct persona *out)
{
	enum db_status s;
	const char *p[] = {slug};
	PGresult *res = db_query(false, &q_persona_get, 1, p, &s);
	return one_persona(res, s, out);
}

static struct db_stmt q_persona_create =
    DB_STMT("INSERT INTO personas (slug, name, description) VALUES ($1, $2, $3)"
	    " RETURNING slug, name, description");

enum db_status db_persona_create(const char *actor_id, const char *slug, const char *name,
				 const char *description, struct persona *out)
{
	enum db_status s;
	const char *p[] = {slug, name, description};
	PGresult *res = db_write(actor_id, &q_persona_create, 3, p, &s);
	return one_persona(res, s, out);
}

static struct db_stmt q_persona_update =
    DB_STMT("UPDATE personas SET name = coalesce($2, name),"
	    " description = CASE WHEN $4::boolean THEN NULL ELSE coalesce($3, description) END"
	    " WHERE slug = $1 RETURNING slug, name, description");

enum db_status db_persona_update(const char *actor_id, const char *slug, const char *name,
				 const char *description, bool clear_description,
				 struct persona *out)
{
	enum db_status s;
	const char *p[] = {slug, name, description, clear_description ? "t" : "f"};
	PGresult *res = db_write(actor_id, &q_persona_update, 4, p, &s);
	return one_persona(res, s, out);
}

/* asset_personas references personas ON DELETE RESTRICT: a persona in use
 * fails with a foreign-key violation, which maps to DB_CONFLICT. */
static struct db_stmt q_persona_delete =
    DB_STMT("DELETE FROM personas WHERE slug = $1 RETURNING slug, name, description");

enum db_status db_persona_delete(const char *actor_id, const char *slug)
{
	enum db_status s;
	const char *p[] = {slug};
	struct persona gone = {0};
	PGresult *res = db_write(actor_id, &q_persona_delete, 1, p, &s);
	s = one_persona(res, s, &gone);
	persona_clear(&gone);
	return s;
}

#define STAGE_COLS "slug, name, position, coalesce(outcome, '')"

static void read_stage(const PGresult *res, int row, struct stage *st)
{
	db_copy(st->slug, sizeof st->slug, res, row, 0);
	db_copy(st->name, sizeof st->name, res, row, 1);
	st->position = (int)db_int(res, row, 2);
	db_copy(st->outcome, sizeof st->outcome, res, row, 3);
}

static enum db_status one_stage(PGresult *res, enum db_status s, struct stage *st)
{
	if (s == DB_OK && PQntuples(res) == 0)
		s = DB_NOT_FOUND;
	if (s == DB_OK)
		read_stage(res, 0, st);
	PQclear(res);
	return s;
}

static struct db_stmt q_stage_list = DB_STMT("SELECT " STAGE_COLS " FROM stages ORDER BY position");

enum db_status db_stage_list(struct stage **out, int *n)
{
	enum db_status s;
	PGresult *res = db_query(false, &q_stage_list, 0, NULL, &s);
	*out = NULL;
	*n = 0;
	if (s != DB_OK)
		return s;
	int rows = PQntuples(res);
	*out = calloc((size_t)rows + 1, sizeof **out);
	for (int i = 0; *out != NULL && i < rows; i++)
		read_stage(res, i, &(*out)[i]);
	*n = *out ? rows : 0;
	PQclear(res);
	return *out ? DB_OK : DB_ERROR;
}

/* Positions stay 1..n without gaps; the unique constraint on position is
 * deferred to commit so the shifts below may pass through duplicates.
 * The table lock serialises concurrent reorderings. */
static struct db_stmt q_stage_lock = DB_STMT("LOCK TABLE stages IN SHARE ROW EXCLUSIVE MODE");
static struct db_stmt q_stage_count = DB_STMT("SELECT count(*) FROM stages");
static struct db_stmt q_stage_shift =
    DB_STMT("UPDATE stages SET position = position + $3 WHERE position >= $1 AND position <= $2");
static struct db_stmt q_stage_insert =
    DB_STMT("INSERT INTO stages (slug, name, position, outcome)"
	    " VALUES ($1, $2, $3, nullif($4, '')) RETURNING " STAGE_COLS);
static struct db_stmt q_stage_position = DB_STMT("SELECT position FROM stages WHERE slug = $1");
static struct db_stmt q_stage_update = DB_STMT(
    "UPDATE stages SET name = coalesce($2, name), position = coalesce($3::integer, position),"
    " outcome = CASE WHEN $4::boolean THEN nullif($5, '') ELSE outcome END"
    " WHERE slug = $1 RETURNING " STAGE_COLS);

struct stage_change {
	const char *slug, *name, *outcome;
	int position;
	bool set_outcome;
	struct stage *out;
};

static enum db_status int_of(struct db *db, struct db_stmt *q, int n, const char *const *p,
			     long long *v)
{
	enum db_status s;
	PGresult *res = db_exec(db, q, n, p, &s);
	if (s == DB_OK && PQntuples(res) == 0)
		s = DB_NOT_FOUND;
	if (s == DB_OK)
		*v = db_int(res, 0, 0);
	PQclear(res);
	return s;
}

static enum db_status shift(struct db *db, long long from, long long to, int by)
{
	char f[24], t[24], b[8];
	snprintf(f, sizeof f, "%lld", from);
	snprintf(t, sizeof t, "%lld", to);
	snprintf(b, sizeof b, "%d", by);
	const char *p[] = {f, t, b};
	return db_do(db, &q_stage_shift, 3, p);
}

static enum db_status stage_create_tx(struct db *db, void *cls)
{
	struct stage_change *c = cls;
	long long count;
	enum db_status s = db_do(db, &q_stage_lock, 0, NULL);
	if (s == DB_OK)
		s = int_of(db, &q_stage_count, 0, NULL, &count);
	if (s != DB_OK)
		return s;
	long long pos = (c->position <= 0 || c->position > count + 1) ? count + 1 : c->position;
	if (pos <= count && (s = shift(db, pos, count, 1)) != DB_OK)
		return s;
	char ps[24];
	snprintf(ps, sizeof ps, "%lld", pos);
	const char *p[] = {c->slug, c->name, ps, c->outcome ? c->outcome : ""};
	PGresult *res = db_exec(db, &q_stage_insert, 4, p, &s);
	return one_stage(res, s, c->out);
}

enum db_status db_stage_create(const char *actor_id, const char *slug, const char *name,
			       int position, const char *outcome, struct stage *out)
{
	struct stage_change c = {slug, name, outcome, position, true, out};
	return db_tx(actor_id, stage_create_tx, &c);
}

static enum db_status stage_update_tx(struct db *db, void *cls)
{
	struct stage_change *c = cls;
	long long count, from;
	const char *slug[] = {c->slug};
	enum db_status s = db_do(db, &q_stage_lock, 0, NULL);
	if (s == DB_OK)
		s = int_of(db, &q_stage_count, 0, NULL, &count);
	if (s == DB_OK)
		s = int_of(db, &q_stage_position, 1, slug, &from);
	if (s != DB_OK)
		return s;
	long long to = c->position <= 0 ? from : c->position > count ? count : c->position;
	if (to < from)
		s = shift(db, to, from - 1, 1);
	else if (to > from)
		s = shift(db, from + 1, to, -1);
	if (s != DB_OK)
		return s;
	char ps[24];
	snprintf(ps, sizeof ps, "%lld", to);
	const char *p[] = {c->slug, c->name, ps, c->set_outcome ? "t" : "f",
			   c->outcome ? c->outcome : ""};
	PGresult *res = db_exec(db, &q_stage_update, 5, p, &s);
	return one_stage(res, s, c->out);
}

enum db_status db_stage_update(const char *actor_id, const char *slug, const char *name,
			       int position, bool set_outcome, const char *outcome,
			       struct stage *out)
{
	struct stage_change c = {slug, name, outcome, position, set_outcome, out};
	return db_tx(actor_id, stage_update_tx, &c);
}
