/* The next-stage test's input, read in one snapshot: assets and stages as
 * small results, spells and exposures (hundreds of thousands of rows) as
 * binary COPY streams decoded straight into arrays, the two at once on two
 * connections that share the snapshot; then the deals' uuids numbered. */
#include "db_stagedata.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "db_internal.h"
#include "log.h"

/* Whether the filters name something; the persona as a session setting
 * the COPY statements read (COPY takes no parameters); and now, in the
 * binary COPY's unit. */
static struct db_stmt q_filters =
    DB_STMT("SELECT set_config('nextstage.f_persona', $3, false),"
	    " $1 = '' OR EXISTS (SELECT 1 FROM assets WHERE id::text = $1),"
	    " $2 = '' OR EXISTS (SELECT 1 FROM stages WHERE slug = $2),"
	    " $3 = '' OR EXISTS (SELECT 1 FROM personas WHERE slug = $3),"
	    " ((extract(epoch FROM now()) - 946684800) * 1000000)::bigint");

#define F_PERSONA "nullif(current_setting('nextstage.f_persona'), '')"

/* Every asset, ordered by id (the order of their bytes: exposures find
 * their asset by binary search). The asset filter does not narrow what is
 * loaded: the q-values are over every asset's rows. */
static struct db_stmt q_assets =
    DB_STMT("SELECT a.id, a.title, EXISTS (SELECT 1 FROM shares s WHERE s.asset_id = a.id),"
	    "  ARRAY(SELECT st.position FROM stages st"
	    "        WHERE st.slug = ANY (a.stages) AND st.outcome IS NULL ORDER BY 1)"
	    " FROM assets a ORDER BY a.id");
static struct db_stmt q_stages =
    DB_STMT("SELECT slug, name, position, outcome IS NOT NULL, outcome = 'lost' FROM stages"
	    " ORDER BY position");

/* Plain scans, no joins (stages are mapped in C): the persona filter costs
 * nothing when unset. Every stage: the stage filter too only picks the
 * rows shown. */
#define IN_SCOPE(deal)                                                                             \
	" (" F_PERSONA " IS NULL OR " deal " IN"                                                   \
	"  (SELECT id FROM deals WHERE " F_PERSONA " = ANY (personas)))"

static const char copy_spells[] =
    "COPY (SELECT deal_id, stage, at, left_at, next_stage FROM deal_stages WHERE " IN_SCOPE(
	"deal_id") ") TO STDOUT (FORMAT binary)";
/* Every exposure, of any stage or none (a share before the deal's first
 * stage): each is also a time its deal was given the asset. */
static const char copy_exposures[] =
    "COPY (SELECT asset_id, deal_id, stage, entered_at, left_at, next_stage, shared_at"
    " FROM exposures WHERE " IN_SCOPE("deal_id") ") TO STDOUT (FORMAT binary)";

/* The 16 bytes of a uuid in its text form (validated by the database). */
static void uuid_bytes(const char *text, unsigned char key[16])
{
	int n = 0;
	for (const char *p = text; *p && n < 32; p++) {
		if (*p == '-')
			continue;
		int v = *p <= '9' ? *p - '0' : (*p | 0x20) - 'a' + 10;
		if (n % 2 == 0)
			key[n / 2] = (unsigned char)(v << 4);
		else
			key[n / 2] |= (unsigned char)v;
		n++;
	}
}

/* The stage named by a text field, or NULL. */
static const struct st_stage *stage_of(const struct st_data *d, struct db_field f)
{
	for (size_t i = 0; f.p != NULL && i < d->nstages; i++)
		if (strlen(d->stages[i].slug) == (size_t)f.len &&
		    memcmp(d->stages[i].slug, f.p, (size_t)f.len) == 0)
			return &d->stages[i];
	return NULL;
}

/* A spell from (stage, entered, left, next stage); false for one of a stage
 * that is never tested (an outcome) or of none. Its deal is numbered later. */
static bool make_spell(const struct st_data *d, const struct db_field *f, struct st_spell *sp)
{
	const struct st_stage *st = stage_of(d, f[0]), *next = stage_of(d, f[3]);
	if (st == NULL || st->outcome || f[1].p == NULL)
		return false;
	*sp =
	    (struct st_spell){st->position, -1, db_field_i64(f[1], 0), db_field_i64(f[2], ST_OPEN),
			      next != NULL && next->position > st->position && !next->lost};
	return true;
}

/* Rows as decoded, their deal still a uuid. */
struct raw_spell {
	struct st_spell sp;
	unsigned char deal[16];
};

struct raw_share {
	struct st_exposure x;
	bool tested; /* of a spell of a tested stage: an exposure */
	unsigned char deal[16];
};

static bool spell_row(void *ctx, const struct db_field *f, void *into)
{
	struct raw_spell *r = into;
	if (f[0].len != 16 || !make_spell(ctx, f + 1, &r->sp))
		return false;
	memcpy(r->deal, f[0].p, 16);
	return true;
}

static int by_key(const void *key, const void *asset)
{
	return memcmp(key, ((const struct st_asset *)asset)->key, 16);
}

static bool share_row(void *ctx, const struct db_field *f, void *into)
{
	const struct st_data *d = ctx;
	struct raw_share *r = into;
	const struct st_asset *a =
	    f[0].len == 16 ? bsearch(f[0].p, d->assets, d->nassets, sizeof *a, by_key) : NULL;
	if (a == NULL || f[1].len != 16 || f[6].p == NULL)
		return false;
	r->x.asset = (int)(a - d->assets);
	r->x.t = db_field_i64(f[6], 0);
	r->tested = make_spell(d, f + 2, &r->x.spell);
	memcpy(r->deal, f[1].p, 16);
	return true;
}

/* Deals numbered from 0 in the order their first spell came: an open
 * addressing table of numbers, a number's key being that of its first
 * spell. */
struct deal_numbers {
	int *slot; /* -1: empty */
	size_t mask;
	const struct raw_spell *spells;
	size_t *first; /* per number, its first spell */
	int n;
};

static size_t slot_of(const struct deal_numbers *m, const unsigned char *key)
{
	uint64_t a, b;
	memcpy(&a, key, 8);
	memcpy(&b, key + 8, 8);
	size_t i = (size_t)(((a ^ b) * 0x9e3779b97f4a7c15ull) >> 20) & m->mask;
	while (m->slot[i] >= 0 && memcmp(m->spells[m->first[m->slot[i]]].deal, key, 16) != 0)
		i = (i + 1) & m->mask;
	return i;
}

/* The spells (deals numbered), exposures and given times of @d from its
 * raw rows. */
static bool number_deals(struct st_data *d, const struct raw_spell *rs, size_t ns,
			 const struct raw_share *rx, size_t nx)
{
	struct deal_numbers m = {.spells = rs};
	size_t size = 1024;
	while (size < 2 * ns)
		size *= 2;
	m.mask = size - 1;
	m.slot = malloc(size * sizeof *m.slot);
	m.first = malloc((ns + 1) * sizeof *m.first);
	d->spells = malloc((ns + 1) * sizeof *d->spells);
	d->exps = malloc((nx + 1) * sizeof *d->exps);
	d->given = malloc((nx + 1) * sizeof *d->given);
	bool ok = m.slot && m.first && d->spells && d->exps && d->given;
	for (size_t i = 0; ok && i < size; i++)
		m.slot[i] = -1;
	for (size_t i = 0; ok && i < ns; i++) {
		size_t at = slot_of(&m, rs[i].deal);
		if (m.slot[at] < 0) {
			m.first[m.n] = i;
			m.slot[at] = m.n++;
		}
		d->spells[d->nspells] = rs[i].sp;
		d->spells[d->nspells++].deal = m.slot[at];
	}
	for (size_t i = 0; ok && i < nx; i++) {
		int deal = m.slot[slot_of(&m, rx[i].deal)]; /* -1: no spell in scope */
		if (rx[i].tested) {
			d->exps[d->nexps] = rx[i].x;
			d->exps[d->nexps++].spell.deal = deal;
		}
		if (deal >= 0)
			d->given[d->ngiven++] = (struct st_given){rx[i].x.asset, deal, rx[i].x.t};
	}
	free(m.slot);
	free(m.first);
	return ok;
}

/* Parses "{1,2,3}" into a new array *@v; its length, -1 when out of
 * memory. */
static int int_array(const char *text, int **v)
{
	int n = 0, cap = 1;
	for (const char *p = text; *p; p++)
		cap += *p == ',';
	*v = malloc((size_t)cap * sizeof **v);
	for (const char *p = text; *v && *p && n < cap; p++) {
		if (*p >= '0' && *p <= '9') {
			char *end;
			(*v)[n++] = (int)strtol(p, &end, 10);
			p = end - 1;
		}
	}
	return *v ? n : -1;
}

struct load {
	const char *filters[3];
	struct db_fault *fault;
	struct st_data *d;
};

static enum db_status load_small(struct db *db, struct st_data *d)
{
	enum db_status s;
	PGresult *res = db_exec(db, &q_stages, 0, NULL, &s);
	if (s != DB_OK)
		return s;
	int n = PQntuples(res);
	d->stages = calloc((size_t)n + 1, sizeof *d->stages);
	for (int i = 0; d->stages && i < n; i++) {
		struct st_stage *st = &d->stages[i];
		db_copy(st->slug, sizeof st->slug, res, i, 0);
		st->name = db_dup(res, i, 1);
		st->position = (int)db_int(res, i, 2);
		st->outcome = db_bool(res, i, 3);
		st->lost = db_bool(res, i, 4);
		d->nstages++;
	}
	PQclear(res);
	res = db_exec(db, &q_assets, 0, NULL, &s);
	if (s != DB_OK)
		return s;
	n = PQntuples(res);
	d->assets = calloc((size_t)n + 1, sizeof *d->assets);
	for (int i = 0; d->assets && i < n; i++) {
		struct st_asset *a = &d->assets[i];
		db_copy(a->id, sizeof a->id, res, i, 0);
		uuid_bytes(a->id, a->key);
		a->title = db_dup(res, i, 1);
		a->shared = db_bool(res, i, 2);
		a->ntagged = int_array(PQgetvalue(res, i, 3), &a->tagged);
		d->nassets++;
		if (a->ntagged < 0)
			break;
	}
	PQclear(res);
	bool ok = d->stages && d->assets && (n == 0 || d->assets[d->nassets - 1].ntagged >= 0);
	return ok ? DB_OK : DB_ERROR;
}

/* One COPY stream into its array (run_stream is a thread's body). */
struct stream {
	struct db *db;
	struct st_data *d;
	const char *sql;
	int nfields;
	db_copy_row_fn fn;
	size_t size;
	void *out;
	size_t n;
	enum db_status s;
};

static void *run_stream(void *p)
{
	struct stream *st = p;
	st->s =
	    db_copy_binary(st->db, st->sql, st->nfields, st->fn, st->d, st->size, &st->out, &st->n);
	return NULL;
}

/* Connects @side and puts it in @db's transaction snapshot with the same
 * filters, so that the two COPY streams can run at once on a consistent
 * view; false (nothing to undo but db_close) when that cannot be done,
 * e.g. on a standby that refuses to export snapshots. */
static bool share_snapshot(struct db *db, struct db *side, const char *const *filters)
{
	PGresult *res = PQexec(db->pg, "SELECT pg_export_snapshot()");
	char set[96] = "";
	if (PQresultStatus(res) == PGRES_TUPLES_OK &&
	    strspn(PQgetvalue(res, 0, 0), "0123456789ABCDEF-") == strlen(PQgetvalue(res, 0, 0)))
		snprintf(set, sizeof set, "SET TRANSACTION SNAPSHOT '%s'", PQgetvalue(res, 0, 0));
	PQclear(res);
	if (!*set || !db_ensure(side))
		return false;
	/* The snapshot's name comes from the server and was checked above. */
	const char *steps[] = {"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", set};
	for (int i = 0; i < 2; i++) {
		res = PQexec(side->pg, steps[i]);
		bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
		PQclear(res);
		if (!ok)
			return false;
	}
	enum db_status s;
	PQclear(db_exec(side, &q_filters, 3, filters, &s));
	return s == DB_OK;
}

/* Runs the two streams, at once when a second connection can share the
 * snapshot, else one after the other. */
static enum db_status load_streams(struct db *db, const char *const *filters, struct stream *spells,
				   struct stream *shares)
{
	struct db side = {.url = db->url};
	pthread_t thread;
	spells->db = &side;
	shares->db = db;
	bool parallel = share_snapshot(db, &side, filters) &&
			pthread_create(&thread, NULL, run_stream, spells) == 0;
	enum db_status s;
	if (parallel) {
		run_stream(shares);
		pthread_join(thread, NULL);
		s = spells->s != DB_OK ? spells->s : shares->s;
	} else {
		spells->db = db;
		run_stream(spells);
		s = spells->s == DB_OK ? (run_stream(shares), shares->s) : spells->s;
	}
	db_close(&side);
	return s;
}

static enum db_status load_tx(struct db *db, void *cls)
{
	struct load *l = cls;
	struct st_data *d = l->d;
	db_stage_data_free(d);
	PGresult *res = PQexec(db->pg, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
	enum db_status s = PQresultStatus(res) == PGRES_COMMAND_OK ? DB_OK : db_error_of(db, res);
	PQclear(res);
	if (s != DB_OK)
		return s;
	static const char *const names[] = {"asset", "stage", "persona"};
	res = db_exec(db, &q_filters, 3, l->filters, &s);
	if (s == DB_OK)
		d->now = db_int(res, 0, 4);
	for (int i = 0; s == DB_OK && i < 3; i++)
		if (!db_bool(res, 0, 1 + i))
			s = db_refuse(l->fault, DB_INVALID, names[i], "no such %s", names[i]);
	PQclear(res);
	if (s == DB_OK)
		s = load_small(db, d);
	struct stream spells = {.d = d,
				.sql = copy_spells,
				.nfields = 5,
				.fn = spell_row,
				.size = sizeof(struct raw_spell)};
	struct stream shares = {.d = d,
				.sql = copy_exposures,
				.nfields = 7,
				.fn = share_row,
				.size = sizeof(struct raw_share)};
	if (s == DB_OK)
		s = load_streams(db, l->filters, &spells, &shares);
	if (s == DB_OK && !number_deals(d, spells.out, spells.n, shares.out, shares.n))
		s = DB_ERROR;
	free(spells.out);
	free(shares.out);
	res = PQexec(db->pg, s == DB_OK ? "COMMIT" : "ROLLBACK");
	PQclear(res);
	return s;
}

enum db_status db_stage_data(const char *asset, const char *stage, const char *persona,
			     struct db_fault *fault, struct st_data *out)
{
	memset(out, 0, sizeof *out);
	struct load l = {
	    {asset ? asset : "", stage ? stage : "", persona ? persona : ""}, fault, out};
	return db_run(true, load_tx, &l);
}

void db_stage_data_free(struct st_data *d)
{
	for (size_t i = 0; i < d->nassets; i++) {
		free(d->assets[i].title);
		free(d->assets[i].tagged);
	}
	for (size_t i = 0; i < d->nstages; i++)
		free(d->stages[i].name);
	free(d->assets);
	free(d->stages);
	free(d->spells);
	free(d->exps);
	free(d->given);
	memset(d, 0, sizeof *d);
}

/* Writes only the rows that changed: a verdict keeps its verdict_since
 * while it stays the same. */
static struct db_stmt q_save = DB_STMT(
    "WITH n AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x (asset_id uuid, stage text,"
    "   n integer, observed integer, expected float8, lift float8, ci_low float8,"
    "   ci_high float8, p_value float8, q_value float8, verdict text, banded boolean,"
    "   pending integer, summary text, explanation text)"
    "  WHERE EXISTS (SELECT 1 FROM assets a WHERE a.id = x.asset_id)),"
    " up AS (INSERT INTO stage_verdicts AS v (asset_id, stage, n, observed, expected, lift,"
    "   ci_low, ci_high, p_value, q_value, verdict, banded, pending, summary, explanation)"
    "  SELECT asset_id, stage, n, observed, expected, lift, ci_low, ci_high, p_value, q_value,"
    "   verdict, banded, pending, summary, explanation FROM n"
    "  ON CONFLICT (asset_id, stage) DO UPDATE SET n = excluded.n,"
    "   observed = excluded.observed, expected = excluded.expected, lift = excluded.lift,"
    "   ci_low = excluded.ci_low, ci_high = excluded.ci_high, p_value = excluded.p_value,"
    "   q_value = excluded.q_value, verdict = excluded.verdict, banded = excluded.banded,"
    "   pending = excluded.pending, summary = excluded.summary,"
    "   explanation = excluded.explanation, computed_at = now(),"
    "   verdict_since = CASE WHEN v.verdict = excluded.verdict THEN v.verdict_since"
    "    ELSE now() END"
    "  WHERE (v.n, v.observed, v.expected, v.lift, v.ci_low, v.ci_high, v.p_value, v.q_value,"
    "    v.verdict, v.banded, v.pending, v.summary, v.explanation) IS DISTINCT FROM"
    "   (excluded.n, excluded.observed, excluded.expected, excluded.lift, excluded.ci_low,"
    "    excluded.ci_high, excluded.p_value, excluded.q_value, excluded.verdict,"
    "    excluded.banded, excluded.pending, excluded.summary, excluded.explanation))"
    " DELETE FROM stage_verdicts v WHERE NOT EXISTS"
    "  (SELECT 1 FROM n WHERE n.asset_id = v.asset_id AND n.stage = v.stage)");

enum db_status db_stage_verdicts_save(const char *rows)
{
	const char *p[] = {rows};
	enum db_status s;
	PQclear(db_write(NULL, &q_save, 1, p, &s));
	return s;
}
