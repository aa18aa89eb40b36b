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

/* Header names (lower-case) per field: ours first, then the CRMs'. */
static const char *const headers[IMPORT_FIELDS][6] = {
    [IMPORT_EXTERNAL_ID] = {"external_id", "opportunityid", "opportunity id", "record id",
			    "deal id"},
    [IMPORT_NAME] = {"name", "opportunity name", "deal name"},
    [IMPORT_ACCOUNT] = {"account", "account name", "associated company", "company name"},
    [IMPORT_OWNER_EMAIL] = {"owner_email", "owner email", "deal owner email"},
    [IMPORT_STAGE] = {"stage", "stagename", "stage name", "deal stage"},
    [IMPORT_AMOUNT] = {"amount"},
    [IMPORT_CHANGED_AT] = {"changed_at", "createddate", "created date", "create date"},
};

struct import {
	struct csv_reader *csv;
	const char *actor;
	int col[IMPORT_FIELDS];
	bool header_seen;
	int fatal; /* enum err; ERR_NONE while all is well */
	char fatal_field[32], fatal_detail[200];
	struct import_row batch[BATCH];
	int n; /* rows in batch */
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

static void outcome(void *cls, int i, const struct import_result *r)
{
	struct import *im = cls;
	switch (r->outcome) {
	case IMPORT_CREATED:
		im->created++;
		break;
	case IMPORT_UPDATED:
		im->updated++;
		break;
	case IMPORT_TRANSITION:
		im->transitions++;
		break;
	case IMPORT_UNCHANGED:
		im->unchanged++;
		break;
	case IMPORT_REFUSED:
		add_error(im, im->lines[i], r->field, r->message);
		break;
	}
}

static void clear_batch(struct import *im)
{
	for (int i = 0; i < im->n; i++)
		for (int f = 0; f < IMPORT_FIELDS; f++)
			free(im->batch[i].field[f]);
	im->n = 0;
}

/* Imports the rows gathered so far. */
static void flush(struct import *im)
{
	if (im->n == 0 || im->fatal != ERR_NONE)
		return;
	enum db_status s = db_import_batch(im->actor, im->batch, im->n, outcome, im);
	clear_batch(im);
	if (s == DB_UNAVAILABLE)
		fail(im, ERR_DB_UNAVAILABLE, NULL,
		     "the database went away; rows up to here were imported");
	else if (s != DB_OK)
		fail(im, ERR_INTERNAL, NULL, "the import failed; rows up to here were imported");
}

static void read_header(struct import *im, int n, char **fields)
{
	im->header_seen = true;
	for (int c = 0; c < IMPORT_FIELDS; c++)
		im->col[c] = -1;
	for (int i = 0; i < n; i++)
		for (int c = 0; c < IMPORT_FIELDS; c++)
			for (int k = 0; k < 6 && headers[c][k]; k++)
				if (im->col[c] < 0 && strcasecmp(fields[i], headers[c][k]) == 0)
					im->col[c] = i;
	if (im->col[IMPORT_EXTERNAL_ID] < 0)
		fail(im, ERR_MISSING_FIELD, "external_id",
		     "the header has no external_id column (or OpportunityId / Record ID)");
	else if (im->col[IMPORT_STAGE] < 0)
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
	struct import_row row = {{0}};
	for (int c = 0; c < IMPORT_FIELDS; c++) {
		int i = im->col[c];
		if (i < 0 || i >= n || fields[i][0] == '\0')
			continue;
		if (!utf8_valid(fields[i])) {
			add_error(im, line, headers[c][0], "not valid UTF-8");
			return 0;
		}
		row.field[c] = fields[i];
	}
	for (int c = 0; c < IMPORT_FIELDS; c++)
		if (row.field[c] != NULL && (row.field[c] = strdup(row.field[c])) == NULL)
			fail(im, ERR_INTERNAL, NULL, "out of memory");
	im->batch[im->n] = row;
	im->lines[im->n++] = line;
	im->rows++;
	if (im->n == BATCH)
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
	im->errors = json_array();
	im->csv = csv_new(on_record, on_bad_record, im);
	return im->csv && im->errors ? ERR_NONE : ERR_INTERNAL;
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
	clear_batch(im);
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
