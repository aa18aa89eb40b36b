/* The run of an import job (import.h): the file read back from its blob,
 * each record read by its layout and staged move by move, owners matched,
 * then one merge and one commit with the report; and the worker thread. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "import.h"
#include "import_format.h"
#include "log.h"
#include "periodic.h"

/* ---- parameters ---- */

static const char *const orders[] = {"auto", "mdy", "dmy"};
static const char *const charsets[] = {"utf-8", "windows-1252", "iso-8859-1"};

json_t *import_params_json(const struct import_params *p)
{
	return json_pack("{s:b, s:s, s:s, s:s, s:s}", "dry_run", p->dry_run, "date_format",
			 orders[p->order], "decimal",
			 p->decimal == IMP_DECIMAL_COMMA ? "comma" : "point", "charset",
			 charsets[p->charset], "tz", p->tz);
}

static int index_of(const char *v, const char *const *names, int n)
{
	for (int i = 0; v && i < n; i++)
		if (strcmp(v, names[i]) == 0)
			return i;
	return -1;
}

bool import_params_of(const char *json, struct import_params *p)
{
	json_t *j = json_loads(json, 0, NULL);
	int dry = 0;
	const char *order = NULL, *decimal = NULL, *charset = NULL, *tz = NULL;
	bool ok =
	    j && json_unpack(j, "{s:b, s:s, s:s, s:s, s:s}", "dry_run", &dry, "date_format", &order,
			     "decimal", &decimal, "charset", &charset, "tz", &tz) == 0;
	int o = ok ? index_of(order, orders, 3) : -1, c = ok ? index_of(charset, charsets, 3) : -1;
	ok = ok && o >= 0 && c >= 0 && strlen(tz) < sizeof p->tz;
	if (ok) {
		*p = (struct import_params){.dry_run = dry,
					    .order = (enum imp_date_order)o,
					    .decimal = strcmp(decimal, "comma") == 0
							   ? IMP_DECIMAL_COMMA
							   : IMP_DECIMAL_POINT,
					    .charset = (enum imp_charset)c};
		snprintf(p->tz, sizeof p->tz, "%s", tz);
	}
	json_decref(j);
	return ok;
}

/* ---- progress ---- */

#define RUNNING_MAX 16

static struct {
	char id[UUID_LEN + 1];
	atomic_long rows;
} running[RUNNING_MAX];
static pthread_mutex_t running_lock = PTHREAD_MUTEX_INITIALIZER;

static atomic_long *progress_slot(const char *id)
{
	pthread_mutex_lock(&running_lock);
	atomic_long *slot = NULL;
	for (int i = 0; slot == NULL && i < RUNNING_MAX; i++)
		if (running[i].id[0] == '\0') {
			snprintf(running[i].id, sizeof running[i].id, "%s", id);
			atomic_store(&running[i].rows, 0);
			slot = &running[i].rows;
		}
	pthread_mutex_unlock(&running_lock);
	return slot;
}

static void progress_done(atomic_long *slot)
{
	pthread_mutex_lock(&running_lock);
	for (int i = 0; i < RUNNING_MAX; i++)
		if (&running[i].rows == slot)
			running[i].id[0] = '\0';
	pthread_mutex_unlock(&running_lock);
}

long import_progress(const char *id)
{
	long rows = -1;
	pthread_mutex_lock(&running_lock);
	for (int i = 0; i < RUNNING_MAX; i++)
		if (strcmp(running[i].id, id) == 0)
			rows = atomic_load(&running[i].rows);
	pthread_mutex_unlock(&running_lock);
	return rows;
}

/* ---- a run ---- */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A person as owners are matched: the e-mail and the folded full name. */
struct owner {
	const char *id, *email;
	char name[256];
};

struct run {
	struct import_params p;
	struct imp_options opt;
	struct imp_layout layout;
	bool header_seen;
	struct db_import *db;
	enum db_status failed; /* DB_OK while all is well */
	struct owner *owners;
	size_t nowners;
	atomic_long *progress;
	long rows, refused, skipped;
	json_t *errors, *warnings, *unmatched; /* unmatched: {owner: count} */
	long nwarnings;
};

static void add_problem(json_t *list, unsigned long line, const char *field, const char *column,
			const char *message)
{
	if (json_array_size(list) < IMPORT_ERRORS_MAX)
		json_array_append_new(list, json_pack("{s:I, s:s?, s:s?, s:s}", "line",
						      (json_int_t)line, "field", field, "column",
						      column, "message", message));
}

/* The id of the user @who names (an e-mail, or a full name: case and
 * accents aside), or NULL. */
static const char *owner_of(const struct run *run, const char *who)
{
	bool email = strchr(who, '@') != NULL;
	char folded[256];
	if (!email)
		imp_fold_name(who, folded, sizeof folded);
	for (size_t i = 0; i < run->nowners; i++) {
		const struct owner *o = &run->owners[i];
		if (email ? strcasecmp(o->email, who) == 0 : strcmp(o->name, folded) == 0)
			return o->id;
	}
	return NULL;
}

static void stage_record(struct run *run, unsigned long line, const struct imp_record *rec)
{
	const char *owner = NULL;
	if (rec->owner[0] && (owner = owner_of(run, rec->owner)) == NULL) {
		run->nwarnings++;
		add_problem(run->warnings, line, "owner",
			    run->layout.names[run->layout.col[IMP_OWNER]],
			    "matches no active user by e-mail or name: the deal keeps its owner"
			    " (a new one has none)");
		json_t *n = json_object_get(run->unmatched, rec->owner);
		json_object_set_new(run->unmatched, rec->owner,
				    json_integer(n ? json_integer_value(n) + 1 : 1));
	}
	for (int i = 0; run->failed == DB_OK && i < rec->nmoves; i++) {
		const struct imp_move *m = &rec->moves[i];
		struct db_import_move dm = {(long)line,	   rec->key,  rec->ext,	    rec->name,
					    rec->account,  owner,     rec->amount,  rec->created,
					    m->stage,	   m->column, m->at,	    rec->close,
					    rec->modified, m->main,   rec->explicit};
		if (!m->main) /* a "Date entered" column: a move, not the deal's fields */
			dm.ext = dm.name = dm.account = dm.owner = dm.amount = dm.created = NULL;
		run->failed = db_import_put(run->db, &dm);
	}
}

/* Whether a record holds data: not blank, and not one of the lines a
 * Salesforce report adds under its rows (one field: the report's name,
 * "Copyright (c) 2000-2026 salesforce.com, inc.", "Generated By: ..."). */
static bool is_data(const struct imp_layout *l, int n, char **fields)
{
	if (n == 1 && l->ncols > 1)
		return false;
	for (int i = 0; i < n; i++)
		if (fields[i][strspn(fields[i], " \t")] != '\0')
			return true;
	return false;
}

static int on_record(void *cls, unsigned long line, int n, char **fields)
{
	struct run *run = cls;
	if (!run->header_seen) {
		const char *field, *why;
		run->header_seen = true;
		return !imp_layout_read(&run->layout, n, fields, &field,
					&why); /* scanned: can't fail */
	}
	run->rows++;
	atomic_store(run->progress, run->rows);
	if (!is_data(&run->layout, n, fields)) {
		run->skipped++;
		return 0;
	}
	struct imp_record *rec = malloc(sizeof *rec);
	struct imp_refusal why;
	if (rec == NULL) {
		run->failed = DB_ERROR;
	} else if (!imp_record_read(&run->layout, &run->opt, n, fields, rec, &why)) {
		run->refused++;
		add_problem(run->errors, line, why.field, why.column, why.message);
	} else {
		stage_record(run, line, rec);
	}
	free(rec);
	return run->failed != DB_OK;
}

static int on_bad_record(void *cls, unsigned long line, enum csv_status st)
{
	struct run *run = cls;
	run->rows++;
	run->refused++;
	add_problem(run->errors, line, NULL, NULL, csv_status_text(st));
	return 0;
}

static bool load_owners(struct run *run, struct db_person **people, size_t *n)
{
	if (db_import_people(people, n) != DB_OK)
		return false;
	run->owners = calloc(*n + 1, sizeof *run->owners);
	for (size_t i = 0; run->owners && i < *n; i++) {
		run->owners[i].id = (*people)[i].id;
		run->owners[i].email = (*people)[i].email;
		imp_fold_name((*people)[i].name, run->owners[i].name, sizeof run->owners[i].name);
	}
	run->nowners = *n;
	return run->owners != NULL;
}

/* Reads the job's file into the staging table. */
static bool read_file(struct run *run, int64_t blob, char *why, size_t len)
{
	struct imp_reader *r = imp_reader_new(run->p.charset, on_record, on_bad_record, run);
	char *buf = malloc(BLOB_CHUNK);
	enum csv_status st = r && buf ? CSV_OK : CSV_NOMEM;
	for (unsigned n = 0; st == CSV_OK; n++) {
		size_t got = 0;
		if (db_blob_chunk(blob, n, buf, &got) != DB_OK) {
			run->failed = DB_UNAVAILABLE;
			break;
		}
		if (got == 0)
			break;
		st = imp_reader_feed(r, buf, got);
	}
	if (st == CSV_OK && run->failed == DB_OK)
		st = imp_reader_finish(r);
	if (st != CSV_OK && run->failed == DB_OK)
		snprintf(why, len, "the file could not be read again: %s", csv_status_text(st));
	imp_reader_free(r);
	free(buf);
	return st == CSV_OK && run->failed == DB_OK;
}

static int by_line(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "line"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "line"));
	return (x > y) - (x < y);
}

/* The report: the merge's counts, and the errors found here and there in
 * line order. */
static char *make_report(struct run *run, const char *merged)
{
	json_t *m = json_loads(merged, 0, NULL);
	if (m == NULL)
		return NULL;
	json_t *all = json_array(), *sql = json_object_get(m, "errors");
	json_array_extend(all, run->errors);
	json_array_extend(all, sql);
	size_t n = json_array_size(all);
	json_t **v = malloc((n + 1) * sizeof *v);
	for (size_t i = 0; v && i < n; i++)
		v[i] = json_array_get(all, i);
	if (v)
		qsort(v, n, sizeof *v, by_line);
	json_t *errors = json_array();
	for (size_t i = 0; v && i < n && i < IMPORT_ERRORS_MAX; i++)
		json_array_append(errors, v[i]);
	free(v);
	json_t *unmatched = json_array();
	const char *who;
	json_t *count;
	json_object_foreach(run->unmatched, who, count)
	    json_array_append_new(unmatched, json_pack("{s:s, s:O}", "owner", who, "count", count));
	json_int_t changed = json_integer_value(json_object_get(m, "changed_lines"));
	json_int_t refused = json_integer_value(json_object_get(m, "refused_lines"));
	json_t *r = json_pack(
	    "{s:b, s:I, s:I, s:O, s:O, s:O, s:I, s:I, s:o, s:I, s:o, s:o, s:O}", "dry_run",
	    run->p.dry_run, "rows", (json_int_t)run->rows, "skipped", (json_int_t)run->skipped,
	    "created", json_object_get(m, "created"), "updated", json_object_get(m, "updated"),
	    "transitions", json_object_get(m, "transitions"), "unchanged",
	    (json_int_t)(run->rows - run->skipped - run->refused - refused - changed),
	    "error_count",
	    (json_int_t)run->refused + json_integer_value(json_object_get(m, "error_count")),
	    "errors", errors, "warning_count", (json_int_t)run->nwarnings, "warnings",
	    json_incref(run->warnings), "owners_unmatched", unmatched, "stages_unknown",
	    json_object_get(m, "stages_unknown"));
	char *text = r ? json_dumps(r, JSON_COMPACT) : NULL;
	json_decref(r);
	json_decref(all);
	json_decref(m);
	return text;
}

void import_run(const struct db_import_job *job)
{
	struct run run = {.failed = DB_OK};
	struct db_person *people = NULL;
	size_t npeople = 0;
	char why[200] = "";
	char *merged = NULL, *report = NULL;
	run.errors = json_array();
	run.warnings = json_array();
	run.unmatched = json_object();
	run.progress = progress_slot(job->id);
	static atomic_long spare; /* when more than RUNNING_MAX run at once */
	if (run.progress == NULL)
		run.progress = &spare;
	bool ok = import_params_of(job->params, &run.p) && load_owners(&run, &people, &npeople);
	run.opt = (struct imp_options){run.p.order, run.p.decimal};
	bool lost = false; /* the job is another run's now */
	if (ok && (run.failed = db_import_open(job, &run.db)) != DB_OK) {
		ok = false;
		lost = run.failed == DB_NOT_FOUND;
	}
	double t0 = now_s();
	ok = ok && read_file(&run, job->blob, why, sizeof why);
	double t1 = now_s();
	if (ok &&
	    (run.failed = db_import_merge(run.db, run.p.tz, IMPORT_ERRORS_MAX, &merged)) != DB_OK)
		ok = false;
	double t2 = now_s();
	ok = ok && (report = make_report(&run, merged)) != NULL;
	if (ok) {
		enum db_status s = db_import_finish(run.db, job->id, report, !run.p.dry_run);
		run.db = NULL;
		ok = s == DB_OK;
		if (!ok)
			run.failed = s;
	}
	if (ok)
		log_msg("info",
			"import job %s: %ld rows read and staged in %.2f s, merged in %.2f s,"
			" committed in %.2f s",
			job->id, run.rows, t1 - t0, t2 - t1, now_s() - t2);
	if (lost) {
		log_msg("info", "import job %s: taken up by another run; not run here", job->id);
	} else if (!ok) {
		db_import_abort(run.db);
		if (why[0] == '\0')
			snprintf(why, sizeof why, "%s; nothing was imported",
				 run.failed == DB_UNAVAILABLE ? "the database went away"
				 : run.failed == DB_FULL      ? "the database's disk is full"
							      : "the import failed");
		log_msg("error", "import job %s failed: %s", job->id, why);
		db_import_job_fail(job, why);
	}
	if (run.progress != &spare)
		progress_done(run.progress);
	free(merged);
	free(report);
	free(run.owners);
	db_import_people_free(people, npeople);
	json_decref(run.errors);
	json_decref(run.warnings);
	json_decref(run.unmatched);
}

/* ---- the worker ---- */

/* Puts back the jobs whose runs are gone (this server's before a restart,
 * or another's), runs every queued job, then looks again in a few seconds
 * (another server may queue one, or die) or when woken. */
static unsigned work(void)
{
	db_import_jobs_requeue();
	struct db_import_job job;
	while (db_import_job_next(&job) == DB_OK) {
		import_run(&job);
		db_import_job_free(&job);
	}
	return 5;
}

static struct periodic worker = {.task = work, .done = db_thread_done};

int import_worker_start(void)
{
	return periodic_start(&worker);
}

void import_worker_wake(void)
{
	periodic_wake(&worker);
}

void import_worker_stop(void)
{
	periodic_stop(&worker);
}
