/* The scan of an import upload as it arrives (import.h): its header, its
 * records counted, the orders its slash dates can be read in, its
 * charset. What it refuses is refused before any job exists. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "import.h"
#include "import_format.h"

struct import_scan {
	struct import_params p;
	struct imp_reader *reader;
	struct imp_layout layout;
	bool header_seen;
	long rows;
	unsigned orders; /* AND of the orders of every slash date */
	bool slash_dates;
	/* where each order was first ruled out, or seen ambiguous */
	unsigned long both_line, mdy_line, dmy_line;
	int both_col, mdy_col, dmy_col;
	enum err fatal;
	const char *fatal_field;
	char detail[240];
};

static void fail(struct import_scan *s, enum err e, const char *field, const char *detail)
{
	if (s->fatal != ERR_NONE)
		return;
	s->fatal = e;
	s->fatal_field = field;
	snprintf(s->detail, sizeof s->detail, "%s", detail);
}

static void scan_dates(struct import_scan *s, unsigned long line, int n, char **fields)
{
	for (int c = 0; c < n; c++) {
		if (!imp_layout_is_date(&s->layout, c))
			continue;
		unsigned m = imp_date_orders(fields[c]);
		if (m == 0)
			continue;
		s->slash_dates = true;
		s->orders &= m;
		if (m == (IMP_ORDERS_MDY | IMP_ORDERS_DMY) && s->both_line == 0)
			s->both_line = line, s->both_col = c;
		if (m == IMP_ORDERS_MDY && s->mdy_line == 0)
			s->mdy_line = line, s->mdy_col = c;
		if (m == IMP_ORDERS_DMY && s->dmy_line == 0)
			s->dmy_line = line, s->dmy_col = c;
	}
}

static int on_record(void *cls, unsigned long line, int n, char **fields)
{
	struct import_scan *s = cls;
	if (!s->header_seen) {
		s->header_seen = true;
		const char *field, *why;
		if (!imp_layout_read(&s->layout, n, fields, &field, &why))
			fail(s, ERR_MISSING_FIELD, field, why);
		return s->fatal != ERR_NONE;
	}
	s->rows++;
	if (s->p.order == IMP_ORDER_AUTO)
		scan_dates(s, line, n, fields);
	return 0;
}

static int on_bad_record(void *cls, unsigned long line, enum csv_status st)
{
	(void)cls, (void)line, (void)st;
	return 0; /* counted as refused by the job, with its line */
}

struct import_scan *import_scan_new(const struct import_params *p)
{
	struct import_scan *s = calloc(1, sizeof *s);
	if (s == NULL)
		return NULL;
	s->p = *p;
	s->orders = IMP_ORDERS_MDY | IMP_ORDERS_DMY;
	s->fatal = ERR_NONE;
	s->reader = imp_reader_new(p->charset, on_record, on_bad_record, s);
	if (s->reader == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

/* A CSV failure of the whole file, or a byte that is not UTF-8. */
static void reader_failed(struct import_scan *s, enum csv_status st)
{
	unsigned long line;
	char d[200];
	if (imp_reader_bad_utf8(s->reader, &line)) {
		snprintf(d, sizeof d,
			 "line %lu is not UTF-8: if the file comes from Excel, give"
			 " charset=windows-1252",
			 line);
		fail(s, ERR_INVALID_ENCODING, "charset", d);
	} else if (st != CSV_ABORTED) {
		snprintf(d, sizeof d, "%s (the record starting on line %lu)", csv_status_text(st),
			 imp_reader_line(s->reader));
		fail(s, ERR_BAD_REQUEST, NULL, d);
	}
}

void import_scan_feed(struct import_scan *s, const char *data, size_t len)
{
	if (s->fatal != ERR_NONE)
		return;
	enum csv_status st = imp_reader_feed(s->reader, data, len);
	if (st != CSV_OK)
		reader_failed(s, st);
}

/* The order of the file's slash dates, or a refusal saying where. */
static void decide_order(struct import_scan *s)
{
	if (s->p.order != IMP_ORDER_AUTO || !s->slash_dates)
		return;
	if (s->orders == IMP_ORDERS_MDY) {
		s->p.order = IMP_ORDER_MDY;
	} else if (s->orders == IMP_ORDERS_DMY) {
		s->p.order = IMP_ORDER_DMY;
	}
	char d[240];
	if (s->orders != 0)
		snprintf(d, sizeof d,
			 "every date of the file reads as day/month and as month/day (the first:"
			 " line %lu, column %s): give date_format=mdy or date_format=dmy",
			 s->both_line, s->layout.names[s->both_col]);
	else
		snprintf(d, sizeof d,
			 "the dates of the file disagree: line %lu (column %s) is day/month,"
			 " line %lu (column %s) is month/day: give date_format=mdy or dmy",
			 s->dmy_line, s->layout.names[s->dmy_col], s->mdy_line,
			 s->layout.names[s->mdy_col]);
	if (s->p.order == IMP_ORDER_AUTO)
		fail(s, ERR_INVALID_PARAMETER, "date_format", d);
}

enum err import_scan_finish(struct import_scan *s, long *rows, struct import_params *p,
			    const char **field, char *detail, size_t len)
{
	if (s->fatal == ERR_NONE) {
		enum csv_status st = imp_reader_finish(s->reader);
		if (st != CSV_OK)
			reader_failed(s, st);
	}
	if (s->fatal == ERR_NONE && !s->header_seen)
		fail(s, ERR_BAD_REQUEST, NULL, "the file has no header row");
	decide_order(s);
	enum err e = s->fatal;
	*rows = s->rows;
	*p = s->p;
	*field = s->fatal_field;
	snprintf(detail, len, "%s", s->detail);
	imp_reader_free(s->reader);
	free(s);
	return e;
}
