/* The next-stage test's input, read in one snapshot: assets and stages as
 * small results, spells and exposures (hundreds of thousands of rows) as
 * binary COPY streams decoded straight into arrays, the two at once on two
 * connections that share the snapshot. */
#include "db_stagedata.h"

#include <arpa/inet.h>
#include <endian.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "db_internal.h"
#include "log.h"

/* The filters, as session settings the COPY statements read (COPY takes
 * no parameters); and now, in the binary COPY's unit. */
static struct db_stmt q_filters =
    DB_STMT("SELECT set_config('nextstage.f_asset', $1, false),"
	    " set_config('nextstage.f_stage', $2, false),"
	    " set_config('nextstage.f_persona', $3, false),"
	    " ((extract(epoch FROM now()) - 946684800) * 1000000)::bigint,"
	    " $1 = '' OR EXISTS (SELECT 1 FROM assets WHERE id::text = $1),"
	    " $2 = '' OR EXISTS (SELECT 1 FROM stages WHERE slug = $2),"
	    " $3 = '' OR EXISTS (SELECT 1 FROM personas WHERE slug = $3)");

#define F_ASSET	  "nullif(current_setting('nextstage.f_asset'), '')::uuid"
#define F_STAGE	  "nullif(current_setting('nextstage.f_stage'), '')"
#define F_PERSONA "nullif(current_setting('nextstage.f_persona'), '')"

/* Assets ordered by id (the order of their bytes: exposures find their
 * asset by binary search). */
static struct db_stmt q_assets =
    DB_STMT("SELECT a.id, a.title, EXISTS (SELECT 1 FROM shares s WHERE s.asset_id = a.id),"
	    "  ARRAY(SELECT st.position FROM stages st"
	    "        WHERE st.slug = ANY (a.stages) AND st.outcome IS NULL ORDER BY 1)"
	    " FROM assets a WHERE " F_ASSET " IS NULL OR a.id = " F_ASSET " ORDER BY a.id");
static struct db_stmt q_stages =
    DB_STMT("SELECT slug, position, outcome IS NOT NULL, outcome = 'lost' FROM stages"
	    " ORDER BY position");

/* Plain scans, no joins (stages are mapped in C): the filters on stage
 * and persona cost nothing when unset. */
#define IN_SCOPE(deal)                                                                             \
	" (" F_STAGE " IS NULL OR stage = " F_STAGE ")"                                            \
	" AND (" F_PERSONA " IS NULL OR " deal " IN"                                               \
	"      (SELECT id FROM deals WHERE " F_PERSONA " = ANY (personas)))"

static const char copy_spells[] = "COPY (SELECT stage, at, left_at, next_stage FROM deal_stages"
				  " WHERE " IN_SCOPE("deal_id") ") TO STDOUT (FORMAT binary)";
static const char copy_exposures[] =
    "COPY (SELECT asset_id, stage, entered_at, left_at, next_stage, shared_at FROM exposures"
    " WHERE (" F_ASSET " IS NULL OR asset_id = " F_ASSET
    ") AND " IN_SCOPE("deal_id") ")"
				 " TO STDOUT (FORMAT binary)";

/* A field of a binary COPY row: NULL when the value is SQL NULL. */
struct field {
	const char *p;
	int len;
};

/* Splits one binary COPY row @buf (@len) into @f (@n fields); the file
 * header, on the first row, is skipped. -1 for the trailer, 0 for a bad
 * row, else 1. */
static int split_row(const char *buf, int len, bool first, struct field *f, int n)
{
	const char *p = buf, *end = buf + len;
	if (first) {
		if (len < 19 || memcmp(p, "PGCOPY\n\377\r\n\0", 11) != 0)
			return 0;
		uint32_t ext;
		memcpy(&ext, p + 15, 4);
		p += 19 + ntohl(ext);
	}
	if (end - p < 2)
		return 0;
	int16_t count;
	memcpy(&count, p, 2);
	count = (int16_t)ntohs((uint16_t)count);
	p += 2;
	if (count == -1)
		return -1;
	if (count != n)
		return 0;
	for (int i = 0; i < n; i++) {
		int32_t flen;
		if (end - p < 4)
			return 0;
		memcpy(&flen, p, 4);
		flen = (int32_t)ntohl((uint32_t)flen);
		p += 4;
		if (flen > end - p)
			return 0;
		f[i].p = flen < 0 ? NULL : p;
		f[i].len = flen;
		if (flen > 0)
			p += flen;
	}
	return 1;
}

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

static int64_t i64(struct field f, int64_t null)
{
	if (f.p == NULL || f.len != 8)
		return null;
	uint64_t v;
	memcpy(&v, f.p, 8);
	return (int64_t)be64toh(v);
}

/* The stage named by a text field, or NULL. */
static const struct st_stage *stage_of(const struct st_data *d, struct field f)
{
	for (size_t i = 0; f.p != NULL && i < d->nstages; i++)
		if (strlen(d->stages[i].slug) == (size_t)f.len &&
		    memcmp(d->stages[i].slug, f.p, (size_t)f.len) == 0)
			return &d->stages[i];
	return NULL;
}

/* A spell from (stage, entered, left, next stage); false for one of a stage
 * that is never tested (an outcome). */
static bool make_spell(const struct st_data *d, const struct field *f, struct st_spell *sp)
{
	const struct st_stage *st = stage_of(d, f[0]), *next = stage_of(d, f[3]);
	if (st == NULL || st->outcome || f[1].p == NULL)
		return false;
	*sp = (struct st_spell){st->position, i64(f[1], 0), i64(f[2], ST_OPEN),
				next != NULL && next->position > st->position && !next->lost};
	return true;
}

/* Decodes a row into the next element of the array being filled; false
 * to skip the row. */
typedef bool (*row_fn)(const struct st_data *d, const struct field *f, void *into);

static bool spell_row(const struct st_data *d, const struct field *f, void *into)
{
	return make_spell(d, f, into);
}

static int by_key(const void *key, const void *asset)
{
	return memcmp(key, ((const struct st_asset *)asset)->key, 16);
}

static bool exposure_row(const struct st_data *d, const struct field *f, void *into)
{
	struct st_exposure *x = into;
	const struct st_asset *a =
	    f[0].len == 16 ? bsearch(f[0].p, d->assets, d->nassets, sizeof *a, by_key) : NULL;
	if (a == NULL || f[5].p == NULL || !make_spell(d, f + 1, &x->spell))
		return false;
	x->asset = (int)(a - d->assets);
	x->t = i64(f[5], 0);
	return true;
}

/* Runs the COPY @sql, decoding rows of @nfields with @fn into a growing
 * array *@out of @size-byte elements (*@n of them). */
static enum db_status copy_rows(struct db *db, const struct st_data *d, const char *sql,
				int nfields, row_fn fn, size_t size, void **out, size_t *n)
{
	PGresult *res = PQexec(db->pg, sql);
	if (PQresultStatus(res) != PGRES_COPY_OUT) {
		enum db_status s = db_error_of(db, res);
		PQclear(res);
		return s;
	}
	PQclear(res);
	size_t cap = 0;
	bool first = true, bad = false;
	char *buf;
	int len;
	while ((len = PQgetCopyData(db->pg, &buf, 0)) > 0) {
		struct field f[8];
		int r = bad ? -1 : split_row(buf, len, first, f, nfields);
		first = false;
		if (r == 1 && *n == cap) {
			cap = cap ? 2 * cap : 4096;
			void *more = realloc(*out, cap * size);
			if (more == NULL)
				r = 0;
			else
				*out = more;
		}
		if (r == 1 && fn(d, f, (char *)*out + *n * size))
			(*n)++;
		bad = bad || r == 0;
		PQfreemem(buf);
	}
	enum db_status s = DB_OK;
	for (res = PQgetResult(db->pg); res != NULL; res = PQgetResult(db->pg)) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			s = db_error_of(db, res);
		PQclear(res);
	}
	if (len == -2 && s == DB_OK)
		s = db_error_of(db, NULL);
	if (bad && s == DB_OK) {
		log_msg("error", "stage test: undecodable COPY row");
		s = DB_ERROR;
	}
	return s;
}

/* Parses "{1,2,3}" into @v (at most @max). */
static int int_array(const char *text, int *v, int max)
{
	int n = 0;
	for (const char *p = text; *p && n < max; p++) {
		if (*p >= '0' && *p <= '9') {
			char *end;
			v[n++] = (int)strtol(p, &end, 10);
			p = end - 1;
		}
	}
	return n;
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
	int n = PQntuples(res) < ST_MAX_STAGES ? PQntuples(res) : ST_MAX_STAGES;
	d->stages = calloc((size_t)n + 1, sizeof *d->stages);
	for (int i = 0; d->stages && i < n; i++) {
		db_copy(d->stages[i].slug, sizeof d->stages[i].slug, res, i, 0);
		d->stages[i].position = (int)db_int(res, i, 1);
		d->stages[i].outcome = db_bool(res, i, 2);
		d->stages[i].lost = db_bool(res, i, 3);
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
		a->ntagged = int_array(PQgetvalue(res, i, 3), a->tagged, ST_MAX_STAGES);
		d->nassets++;
	}
	PQclear(res);
	return d->stages && d->assets ? DB_OK : DB_ERROR;
}

/* One COPY stream into its array (run_stream is a thread's body). */
struct stream {
	struct db *db;
	const struct st_data *d;
	const char *sql;
	int nfields;
	row_fn fn;
	size_t size;
	void **out;
	size_t *n;
	enum db_status s;
};

static void *run_stream(void *p)
{
	struct stream *st = p;
	st->s = copy_rows(st->db, st->d, st->sql, st->nfields, st->fn, st->size, st->out, st->n);
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
		d->now = db_int(res, 0, 3);
	for (int i = 0; s == DB_OK && i < 3; i++)
		if (!db_bool(res, 0, 4 + i))
			s = db_refuse(l->fault, DB_INVALID, names[i], "no such %s", names[i]);
	PQclear(res);
	if (s == DB_OK)
		s = load_small(db, d);
	struct db side = {.url = db->url};
	struct stream spells = {
	    &side,	 d,    copy_spells, 4, spell_row, sizeof *d->spells, (void **)&d->spells,
	    &d->nspells, DB_OK};
	struct stream exps = {
	    db,	       d,    copy_exposures, 6, exposure_row, sizeof *d->exps, (void **)&d->exps,
	    &d->nexps, DB_OK};
	pthread_t thread;
	bool parallel = s == DB_OK && share_snapshot(db, &side, l->filters) &&
			pthread_create(&thread, NULL, run_stream, &spells) == 0;
	if (parallel) {
		run_stream(&exps);
		pthread_join(thread, NULL);
		s = spells.s != DB_OK ? spells.s : exps.s;
	} else if (s == DB_OK) {
		spells.db = db;
		run_stream(&spells);
		s = spells.s == DB_OK ? (run_stream(&exps), exps.s) : spells.s;
	}
	db_close(&side);
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
	for (size_t i = 0; i < d->nassets; i++)
		free(d->assets[i].title);
	free(d->assets);
	free(d->stages);
	free(d->spells);
	free(d->exps);
	memset(d, 0, sizeof *d);
}

static struct db_stmt q_save = DB_STMT(
    "WITH n AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x (asset_id uuid, stage text,"
    "   exposures integer, advanced integer, lift float8, ci_low float8, ci_high float8,"
    "   verdict text)"
    "  WHERE EXISTS (SELECT 1 FROM assets a WHERE a.id = x.asset_id)),"
    " up AS (INSERT INTO stage_verdicts AS v (asset_id, stage, exposures, advanced, lift,"
    "   ci_low, ci_high, verdict)"
    "  SELECT asset_id, stage, exposures, advanced, lift, ci_low, ci_high, verdict FROM n"
    "  ON CONFLICT (asset_id, stage) DO UPDATE SET exposures = excluded.exposures,"
    "   advanced = excluded.advanced, lift = excluded.lift, ci_low = excluded.ci_low,"
    "   ci_high = excluded.ci_high, verdict = excluded.verdict, computed_at = now(),"
    "   verdict_since = CASE WHEN v.verdict = excluded.verdict THEN v.verdict_since"
    "    ELSE now() END"
    "  WHERE (v.exposures, v.advanced, v.lift, v.ci_low, v.ci_high, v.verdict) IS DISTINCT FROM"
    "   (excluded.exposures, excluded.advanced, excluded.lift, excluded.ci_low,"
    "    excluded.ci_high, excluded.verdict))"
    " DELETE FROM stage_verdicts v WHERE NOT EXISTS"
    "  (SELECT 1 FROM n WHERE n.asset_id = v.asset_id AND n.stage = v.stage)");

enum db_status db_stage_verdicts_save(const char *rows)
{
	const char *p[] = {rows};
	enum db_status s;
	PQclear(db_write(NULL, &q_save, 1, p, &s));
	return s;
}
