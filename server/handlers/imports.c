/* POST /api/v1/import/deals: a CSV of deals and their stage history, as
 * ours or as Salesforce and HubSpot export it. The body is stored as a
 * blob while it is scanned (header, records, dates, charset); then it
 * becomes a job, run at once for a file of up to IMPORT_INLINE_ROWS
 * records (200 with the finished job) or by the import worker (202 with
 * the job's URL; also for any file with "Prefer: respond-async"). GET /api/v1/import/jobs/{id}
 * follows a job. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "handlers.h"
#include "import.h"
#include "store.h"

#define IMPORT_MAX_BYTES (512ull << 20)

struct upload {
	struct blob_writer *blob;
	struct import_scan *scan;
	struct import_params params;
	enum err fatal; /* ERR_NONE while all is well */
	const char *fatal_field;
	char fatal_detail[240];
};

static void fail(struct upload *u, enum err e, const char *field, const char *detail)
{
	if (u->fatal != ERR_NONE)
		return;
	u->fatal = e;
	u->fatal_field = field;
	snprintf(u->fatal_detail, sizeof u->fatal_detail, "%s", detail);
}

static bool is_csv(const char *type)
{
	if (type == NULL)
		return false;
	size_t n = strcspn(type, "; \t");
	return (n == 8 && strncasecmp(type, "text/csv", 8) == 0) ||
	       (n == 15 && strncasecmp(type, "application/csv", 15) == 0);
}

/* The query's parameters into @p; false (with the refusal in @u) when
 * one is not understood. */
static bool read_params(const struct req *r, struct upload *u, struct import_params *p)
{
	const char *dry = req_query(r, "dry_run"), *order = req_query(r, "date_format"),
		   *dec = req_query(r, "decimal"), *cs = req_query(r, "charset"),
		   *tz = req_query(r, "tz");
	*p = (struct import_params){.dry_run =
					dry && (strcmp(dry, "1") == 0 || strcmp(dry, "true") == 0)};
	snprintf(p->tz, sizeof p->tz, "%s", tz && tz[0] ? tz : "UTC");
	if (dry && strcmp(dry, "0") && strcmp(dry, "1") && strcmp(dry, "true") &&
	    strcmp(dry, "false"))
		fail(u, ERR_INVALID_PARAMETER, "dry_run", "dry_run is 1 or 0");
	else if (order && strcmp(order, "auto") && strcmp(order, "mdy") && strcmp(order, "dmy"))
		fail(u, ERR_INVALID_PARAMETER, "date_format",
		     "date_format is mdy (M/D/YYYY), dmy (D/M/YYYY) or auto");
	else if (dec && strcmp(dec, "point") && strcmp(dec, "comma"))
		fail(u, ERR_INVALID_PARAMETER, "decimal", "decimal is point or comma");
	else if (cs && !imp_charset_of(cs, &p->charset))
		fail(u, ERR_INVALID_PARAMETER, "charset",
		     "charset is utf-8, windows-1252 or iso-8859-1");
	else if (tz && strlen(tz) >= sizeof p->tz)
		fail(u, ERR_INVALID_PARAMETER, "tz", "tz is a time zone name such as Europe/Paris");
	p->order = order == NULL || strcmp(order, "auto") == 0 ? IMP_ORDER_AUTO
		   : strcmp(order, "mdy") == 0		       ? IMP_ORDER_MDY
							       : IMP_ORDER_DMY;
	p->decimal = dec && strcmp(dec, "comma") == 0 ? IMP_DECIMAL_COMMA : IMP_DECIMAL_POINT;
	return u->fatal == ERR_NONE;
}

static void upload_free(void *state)
{
	struct upload *u = state;
	blob_writer_free(u->blob);
	if (u->scan != NULL) {
		long rows;
		const char *field;
		char detail[8];
		import_scan_finish(u->scan, &rows, &u->params, &field, detail, sizeof detail);
	}
}

static int import_begin(struct req *r)
{
	if (!is_csv(req_header(r, "Content-Type")))
		return ERR_UNSUPPORTED_MEDIA_TYPE;
	struct upload *u = req_state_new(r, sizeof *u, upload_free);
	if (u == NULL)
		return ERR_INTERNAL;
	u->fatal = ERR_NONE;
	if (!read_params(r, u, &u->params))
		return ERR_NONE; /* answered once the body has ended */
	enum err e = blob_writer_new(r->user->id, "import.csv", IMPORT_MAX_BYTES, &u->blob);
	if (e != ERR_NONE)
		return e;
	u->scan = import_scan_new(&u->params);
	return u->scan ? ERR_NONE : ERR_INTERNAL;
}

static int import_data(struct req *r, const char *buf, size_t len)
{
	struct upload *u = r->state;
	if (u->fatal != ERR_NONE)
		return ERR_NONE; /* the rest is read away */
	enum err e = blob_write(u->blob, buf, len);
	if (e != ERR_NONE)
		fail(u, e, NULL,
		     e == ERR_PAYLOAD_TOO_LARGE	       ? "an import is at most 512 MiB"
		     : e == ERR_UNSUPPORTED_MEDIA_TYPE ? "the file is not text"
						       : "the file could not be stored");
	else
		import_scan_feed(u->scan, buf, len);
	return ERR_NONE;
}

static void import_release(struct req *r)
{
	(void)r; /* upload_free, when the request ends */
}

const struct route_stream import_stream = {import_begin, import_data, import_release};

/* The job @id as JSON, with the rows read so far when it runs here. */
static void reply_job(struct req *r, unsigned status, const char *id)
{
	char *text = NULL;
	enum db_status s = db_import_job_json(id, &text);
	json_t *job = s == DB_OK ? json_loads(text, 0, NULL) : NULL;
	free(text);
	if (job == NULL) {
		reply_db(r, s == DB_OK ? DB_ERROR : s);
		return;
	}
	long rows = import_progress(id);
	if (rows >= 0)
		json_object_set_new(job, "rows_read", json_integer(rows));
	if (status == 202) {
		char url[96];
		snprintf(url, sizeof url, "/api/v1/import/jobs/%s", id);
		reply_header(r, "Location", url);
	}
	reply_json(r, status, job);
}

void h_import_deals(struct req *r)
{
	struct upload *u = r->state;
	long rows = 0;
	if (u->scan != NULL) {
		const char *field;
		char detail[240];
		enum err e =
		    import_scan_finish(u->scan, &rows, &u->params, &field, detail, sizeof detail);
		u->scan = NULL;
		if (e != ERR_NONE)
			fail(u, e, field, detail);
	}
	bool known = true;
	if (u->fatal == ERR_NONE && db_import_zone_known(u->params.tz, &known) != DB_OK)
		fail(u, ERR_DB_UNAVAILABLE, NULL, "the database is unavailable");
	if (!known)
		fail(u, ERR_INVALID_PARAMETER, "tz",
		     "tz names no time zone (try Europe/Paris, UTC)");
	enum err e = u->fatal == ERR_NONE ? blob_close(u->blob) : ERR_NONE;
	if (e != ERR_NONE)
		fail(u, e, NULL, "the file could not be stored");
	if (u->fatal != ERR_NONE) {
		reply_error(r, u->fatal, u->fatal_field, "%s", u->fatal_detail);
		return;
	}
	json_t *params = import_params_json(&u->params);
	char *text = params ? json_dumps(params, JSON_COMPACT) : NULL;
	json_decref(params);
	const char *prefer = req_header(r, "Prefer");
	bool inline_run =
	    rows <= IMPORT_INLINE_ROWS && !(prefer && strcasestr(prefer, "respond-async") != NULL);
	char id[UUID_LEN + 1];
	enum db_status s = text ? db_import_job_create(blob_writer_take(u->blob), r->user->id, text,
						       rows, inline_run, id)
				: DB_ERROR;
	free(text);
	if (s != DB_OK) {
		reply_db(r, s);
		return;
	}
	if (!inline_run) {
		import_worker_wake();
		reply_job(r, 202, id);
		return;
	}
	struct db_import_job job;
	s = db_import_job_load(id, &job);
	if (s == DB_OK)
		import_run(&job);
	db_import_job_free(&job);
	reply_job(r, 200, id);
}

void h_import_job(struct req *r)
{
	const char *id = req_param(r, 0);
	if (!uuid_valid(id)) {
		reply_error(r, ERR_NOT_FOUND, NULL, "no such import job");
		return;
	}
	reply_job(r, 200, id);
}
