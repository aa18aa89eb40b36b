/* POST /api/v1/import/deals: a CSV of deals and stage changes, read as it
 * arrives and imported 1,000 rows per transaction, so a file of any length
 * runs in constant memory and a bad row only costs its own line. Columns
 * are found by header name: ours, Salesforce's Opportunity History export
 * or HubSpot's deal export. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "csv.h"
#include "db_imports.h"
#include "handlers.h"

#define BATCH	   1000
#define ERRORS_MAX 1000 /* reported; more are counted */

enum col { C_EXTERNAL_ID, C_NAME, C_ACCOUNT, C_OWNER, C_STAGE, C_AMOUNT, C_CHANGED_AT, C__N };

static const char *const col_keys[C__N] = {"external_id", "name",   "account",	 "owner_email",
					   "stage",	  "amount", "changed_at"};

/* Header names (lower-case) per column: ours first, then the CRMs'. */
static const char *const headers[C__N][6] = {
    [C_EXTERNAL_ID] = {"external_id", "opportunityid", "opportunity id", "record id", "deal id"},
    [C_NAME] = {"name", "opportunity name", "deal name"},
    [C_ACCOUNT] = {"account", "account name", "associated company", "company name"},
    [C_OWNER] = {"owner_email", "owner email", "deal owner email"},
    [C_STAGE] = {"stage", "stagename", "stage name", "deal stage"},
    [C_AMOUNT] = {"amount"},
    [C_CHANGED_AT] = {"changed_at", "createddate", "created date", "create date"},
};

struct import {
	struct csv_reader *csv;
	const char *actor;
	int col[C__N];
	bool header_seen;
	int fatal; /* enum err; ERR_NONE while all is well */
	char fatal_field[32], fatal_detail[200];
	json_t *batch;
	unsigned long lines[BATCH];
	long created, updated, transitions, unchanged, rows, nerrors;
	json_t *errors;
};

static void add_error(struct import *im, unsigned long line, const char *field, const char *msg)
{
	if (im->nerrors++ < ERRORS_MAX)
		json_array_append_new(im->errors,
				      json_pack("{s:I, s:s?, s:s}", "line", (json_int_t)line,
						"field", field, "message", msg));
}

static void fail(struct import *im, enum err e, const char *field, const char *detail)
{
	if (im->fatal != ERR_NONE)
		return;
	im->fatal = e;
	snprintf(im->fatal_field, sizeof im->fatal_field, "%s", field ? field : "");
	snprintf(im->fatal_detail, sizeof im->fatal_detail, "%s", detail);
}

static void outcome(void *cls, int i, const char *o)
{
	struct import *im = cls;
	if (strcmp(o, "created") == 0)
		im->created++;
	else if (strcmp(o, "updated") == 0)
		im->updated++;
	else if (strcmp(o, "transition") == 0)
		im->transitions++;
	else if (strcmp(o, "unchanged") == 0)
		im->unchanged++;
	else if (strncmp(o, "error:", 6) == 0) {
		const char *field = o + 6, *msg = strchr(field, ':');
		char f[32] = "";
		if (msg != NULL && (size_t)(msg - field) < sizeof f)
			memcpy(f, field, (size_t)(msg - field));
		add_error(im, im->lines[i], *f ? f : NULL, msg ? msg + 1 : o);
	}
}

/* Imports the rows gathered so far. */
static void flush(struct import *im)
{
	if (json_array_size(im->batch) == 0 || im->fatal != ERR_NONE)
		return;
	char *rows = json_dumps(im->batch, JSON_COMPACT);
	enum db_status s = rows ? db_import_batch(im->actor, rows, outcome, im) : DB_ERROR;
	free(rows);
	json_array_clear(im->batch);
	if (s == DB_UNAVAILABLE)
		fail(im, ERR_DB_UNAVAILABLE, NULL,
		     "the database went away; rows up to here were imported");
	else if (s != DB_OK)
		fail(im, ERR_INTERNAL, NULL, "the import failed; rows up to here were imported");
}

static void read_header(struct import *im, int n, char **fields)
{
	im->header_seen = true;
	for (int c = 0; c < C__N; c++)
		im->col[c] = -1;
	for (int i = 0; i < n; i++)
		for (int c = 0; c < C__N; c++)
			for (int k = 0; k < 6 && headers[c][k]; k++)
				if (im->col[c] < 0 && strcasecmp(fields[i], headers[c][k]) == 0)
					im->col[c] = i;
	if (im->col[C_EXTERNAL_ID] < 0)
		fail(im, ERR_MISSING_FIELD, "external_id",
		     "the header has no external_id column (or OpportunityId / Record ID)");
	else if (im->col[C_STAGE] < 0)
		fail(im, ERR_MISSING_FIELD, "stage",
		     "the header has no stage column (or StageName / Deal Stage)");
}

static int on_record(void *cls, unsigned long line, int n, char **fields)
{
	struct import *im = cls;
	if (im->fatal != ERR_NONE)
		return 1;
	if (!im->header_seen) {
		read_header(im, n, fields);
		return im->fatal != ERR_NONE;
	}
	json_t *row = json_object();
	for (int c = 0; c < C__N; c++) {
		int i = im->col[c];
		if (i >= 0 && i < n && fields[i][0] != '\0') {
			json_t *v = json_string(fields[i]);
			if (v == NULL) {
				json_decref(row);
				add_error(im, line, col_keys[c], "not valid UTF-8");
				return 0;
			}
			json_object_set_new(row, col_keys[c], v);
		}
	}
	im->lines[json_array_size(im->batch)] = line;
	json_array_append_new(im->batch, row);
	im->rows++;
	if (json_array_size(im->batch) == BATCH)
		flush(im);
	return im->fatal != ERR_NONE;
}

static int on_bad_record(void *cls, unsigned long line, enum csv_status st)
{
	add_error(cls, line, NULL, csv_status_text(st));
	return 0; /* skip the record, go on */
}

static bool is_csv(const char *type)
{
	if (type == NULL)
		return false;
	size_t n = strcspn(type, "; \t");
	return (n == 8 && strncasecmp(type, "text/csv", 8) == 0) ||
	       (n == 15 && strncasecmp(type, "application/csv", 15) == 0);
}

static int import_begin(struct req *r)
{
	if (!is_csv(req_header(r, "Content-Type")))
		return ERR_UNSUPPORTED_MEDIA_TYPE;
	struct import *im = calloc(1, sizeof *im);
	if (im == NULL)
		return ERR_INTERNAL;
	r->state = im;
	im->actor = r->user->id;
	im->fatal = ERR_NONE;
	im->batch = json_array();
	im->errors = json_array();
	im->csv = csv_new(on_record, on_bad_record, im);
	return im->csv && im->batch && im->errors ? ERR_NONE : ERR_INTERNAL;
}

static int import_data(struct req *r, const char *buf, size_t len)
{
	struct import *im = r->state;
	enum csv_status st = csv_feed(im->csv, buf, len);
	if (st != CSV_OK && im->fatal == ERR_NONE)
		fail(im, ERR_BAD_REQUEST, NULL, csv_status_text(st));
	return ERR_NONE; /* a fatal problem is answered once the body has ended */
}

static void import_release(struct req *r)
{
	struct import *im = r->state;
	if (im == NULL)
		return;
	csv_free(im->csv);
	json_decref(im->batch);
	json_decref(im->errors);
	free(im);
}

const struct route_stream import_stream = {import_begin, import_data, import_release};

void h_import_deals(struct req *r)
{
	struct import *im = r->state;
	enum csv_status st = csv_finish(im->csv);
	if (st != CSV_OK)
		fail(im, ERR_BAD_REQUEST, NULL, csv_status_text(st));
	if (!im->header_seen)
		fail(im, ERR_BAD_REQUEST, NULL, "the file has no header row");
	flush(im);
	if (im->fatal != ERR_NONE) {
		reply_error(r, (enum err)im->fatal, im->fatal_field[0] ? im->fatal_field : NULL,
			    "%s", im->fatal_detail);
		return;
	}
	reply_json(r, 200,
		   json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:O}", "rows", (json_int_t)im->rows,
			     "created", (json_int_t)im->created, "updated", (json_int_t)im->updated,
			     "transitions", (json_int_t)im->transitions, "unchanged",
			     (json_int_t)im->unchanged, "error_count", (json_int_t)im->nerrors,
			     "errors", im->errors));
}
