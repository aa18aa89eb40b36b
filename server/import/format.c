/* Deal import files: columns by header name, records to deals and moves,
 * and the charset-aware reader (contracts in import_format.h). */
#include "import_format.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Header names (lower case, single spaces) per field, the preferred
 * first: a file with both "To Stage" and "Stage" (a Salesforce history
 * report) reads the stage a record moved to from "To Stage". */
static const char *const aliases[IMP_FIELDS][10] = {
    [IMP_EXT] = {"external_id", "opportunity id", "opportunityid", "record id", "deal id",
		 "hs_object_id", "id"},
    [IMP_NAME] = {"name", "opportunity name", "deal name"},
    [IMP_ACCOUNT] = {"account", "account name", "associated company", "company name", "company"},
    [IMP_OWNER] = {"owner_email", "owner email", "deal owner email", "opportunity owner",
		   "deal owner", "owner", "owner name", "owner full name"},
    [IMP_STAGE] = {"stage", "to stage", "stagename", "stage name", "deal stage"},
    [IMP_FROM_STAGE] = {"from stage"},
    [IMP_AMOUNT] = {"amount", "deal amount"},
    [IMP_CHANGED] = {"changed_at", "edit date", "last stage change date", "stage change date",
		     "laststagechangedate"},
    [IMP_MODIFIED] = {"last modified date", "lastmodifieddate", "last modified"},
    [IMP_CLOSE] = {"close date", "closedate"},
    [IMP_CREATED] = {"created date", "createddate", "create date", "created"},
};

/* The API's names of the fields, for refusals. */
static const char *const field_names[IMP_FIELDS] = {
    [IMP_EXT] = "external_id",	[IMP_NAME] = "name",	      [IMP_ACCOUNT] = "account",
    [IMP_OWNER] = "owner",	[IMP_STAGE] = "stage",	      [IMP_FROM_STAGE] = "from_stage",
    [IMP_AMOUNT] = "amount",	[IMP_CHANGED] = "changed_at", [IMP_MODIFIED] = "modified_at",
    [IMP_CLOSE] = "close_date", [IMP_CREATED] = "created_at",
};

/* Trims ASCII spaces of @s in place; returns its new start. */
static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

/* @in lower-cased (ASCII), trimmed, runs of spaces as one, into @out. */
static void header_key(const char *in, char *out, size_t outlen)
{
	size_t o = 0;
	bool space = false;
	for (; *in && o + 1 < outlen; in++) {
		if (*in == ' ' || *in == '\t') {
			space = o > 0;
			continue;
		}
		if (space && o + 2 < outlen)
			out[o++] = ' ';
		space = false;
		out[o++] = (char)tolower((unsigned char)*in);
	}
	out[o] = '\0';
}

/* "date entered "<stage> (<pipeline>)"" (the quotes straight, curly, or
 * none): the stage into @stage. */
static bool entered_stage(const char *key, const char *raw, char *stage, size_t len)
{
	static const char prefix[] = "date entered ";
	if (strncmp(key, prefix, sizeof prefix - 1) != 0)
		return false;
	const char *s = raw;
	while (*s == ' ')
		s++;
	s += sizeof prefix - 1; /* the raw header, in its own case */
	while (*s == ' ' || *s == '"')
		s++;
	if (strncmp(s, "\xe2\x80\x9c", 3) == 0) /* “ */
		s += 3;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '"'))
		n--;
	if (n >= 3 && strncmp(s + n - 3, "\xe2\x80\x9d", 3) == 0) /* ” */
		n -= 3;
	if (n > 0 && s[n - 1] == ')') { /* " (<pipeline>)" */
		for (size_t k = n; k-- > 1;)
			if (s[k] == '(' && s[k - 1] == ' ') {
				n = k - 1;
				break;
			}
	}
	if (n == 0 || n >= len)
		return false;
	memcpy(stage, s, n);
	stage[n] = '\0';
	return true;
}

bool imp_layout_read(struct imp_layout *l, int n, char **fields, const char **field,
		     const char **why)
{
	int rank[IMP_FIELDS];
	memset(l, 0, sizeof *l);
	for (int f = 0; f < IMP_FIELDS; f++)
		l->col[f] = -1, rank[f] = 99;
	l->ncols = n;
	for (int i = 0; i < n; i++) {
		char key[256];
		header_key(fields[i], key, sizeof key);
		snprintf(l->names[i], sizeof l->names[i], "%s", trim(fields[i]));
		for (int f = 0; f < IMP_FIELDS; f++)
			for (int k = 0; k < 10 && aliases[f][k]; k++)
				if (k < rank[f] && strcmp(key, aliases[f][k]) == 0)
					l->col[f] = i, rank[f] = k;
		if (l->nentered < IMP_ENTERED_MAX &&
		    entered_stage(key, fields[i], l->entered[l->nentered].stage,
				  sizeof l->entered[0].stage))
			l->entered[l->nentered++].col = i;
	}
	*field = NULL;
	*why = NULL;
	if (l->col[IMP_EXT] < 0 && l->col[IMP_NAME] < 0) {
		*field = "external_id";
		*why = "the header has no external_id column (or Opportunity ID, Record ID,"
		       " or Opportunity Name with Account Name)";
	} else if (l->col[IMP_STAGE] < 0) {
		*field = "stage";
		*why = "the header has no stage column (or To Stage, Stage, StageName, Deal Stage)";
	}
	return *why == NULL;
}

bool imp_layout_is_date(const struct imp_layout *l, int col)
{
	static const enum imp_field dates[] = {IMP_CHANGED, IMP_MODIFIED, IMP_CLOSE, IMP_CREATED};
	for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++)
		if (l->col[dates[i]] == col)
			return true;
	for (int i = 0; i < l->nentered; i++)
		if (l->entered[i].col == col)
			return true;
	return false;
}

static bool refuse(struct imp_refusal *why, const struct imp_layout *l, enum imp_field f,
		   const char *value, const char *reason)
{
	why->field = field_names[f];
	why->column = l->col[f] >= 0 ? l->names[l->col[f]] : NULL;
	if (value) {
		snprintf(why->buf, sizeof why->buf, "%.60s %s", value, reason);
		why->message = why->buf;
	} else {
		why->message = reason;
	}
	return false;
}

/* Reads date column @col (field @f for messages) into @out ("" when empty). */
static bool read_date(const struct imp_layout *l, const struct imp_options *o, enum imp_field f,
		      int col, const char *value, char *out, struct imp_refusal *why)
{
	const char *reason;
	out[0] = '\0';
	if (value[0] == '\0' || imp_date(value, o->order, out, IMP_OUT_MIN, NULL, &reason))
		return true;
	refuse(why, l, f, value, reason);
	why->column = l->names[col];
	return false;
}

/* @in's ASCII letters lower-cased, appended to @out (of @len) at *@o. */
static void append_lower(char *out, size_t len, size_t *o, const char *in)
{
	for (; *in && *o + 1 < len; in++)
		out[(*o)++] = (char)tolower((unsigned char)*in);
	out[*o] = '\0';
}

bool imp_record_read(const struct imp_layout *l, const struct imp_options *o, int n, char **fields,
		     struct imp_record *r, struct imp_refusal *why)
{
	const char *v[IMP_FIELDS];
	for (int f = 0; f < IMP_FIELDS; f++)
		v[f] = l->col[f] >= 0 && l->col[f] < n ? trim(fields[l->col[f]]) : "";
	memset(r, 0, offsetof(struct imp_record, moves));
	r->nmoves = 0;
	r->ext = v[IMP_EXT];
	r->name = v[IMP_NAME];
	r->account = v[IMP_ACCOUNT];
	r->owner = v[IMP_OWNER];
	r->explicit = v[IMP_FROM_STAGE][0] != '\0';
	if (r->ext[0]) {
		if (strlen(r->ext) > 200)
			return refuse(why, l, IMP_EXT, NULL, "is longer than 200 characters");
		snprintf(r->key, sizeof r->key, "%s", r->ext); /* ids keep their case */
	} else if (r->name[0]) {
		size_t k = 0;
		append_lower(r->key, sizeof r->key, &k, "n:");
		append_lower(r->key, sizeof r->key, &k, r->name);
		append_lower(r->key, sizeof r->key, &k, "\x1f");
		append_lower(r->key, sizeof r->key, &k, r->account);
	} else {
		return refuse(why, l, l->col[IMP_EXT] >= 0 ? IMP_EXT : IMP_NAME, NULL,
			      "is required");
	}
	if (v[IMP_STAGE][0] == '\0')
		return refuse(why, l, IMP_STAGE, NULL, "is required");
	const char *reason;
	if (v[IMP_AMOUNT][0] &&
	    !imp_amount(v[IMP_AMOUNT], o->decimal, r->amount, sizeof r->amount, &reason))
		return refuse(why, l, IMP_AMOUNT, v[IMP_AMOUNT], reason);
	struct imp_move *main = &r->moves[r->nmoves++];
	main->stage = v[IMP_STAGE];
	main->column = l->names[l->col[IMP_STAGE]];
	main->main = true;
	if (!read_date(l, o, IMP_CHANGED, l->col[IMP_CHANGED], v[IMP_CHANGED], main->at, why) ||
	    !read_date(l, o, IMP_MODIFIED, l->col[IMP_MODIFIED], v[IMP_MODIFIED], r->modified,
		       why) ||
	    !read_date(l, o, IMP_CLOSE, l->col[IMP_CLOSE], v[IMP_CLOSE], r->close, why) ||
	    !read_date(l, o, IMP_CREATED, l->col[IMP_CREATED], v[IMP_CREATED], r->created, why))
		return false;
	for (int i = 0; i < l->nentered; i++) {
		int c = l->entered[i].col;
		const char *at = c < n ? trim(fields[c]) : "";
		if (at[0] == '\0')
			continue;
		struct imp_move *m = &r->moves[r->nmoves];
		if (!read_date(l, o, IMP_CHANGED, c, at, m->at, why))
			return false;
		m->stage = l->entered[i].stage;
		m->column = l->names[c];
		m->main = false;
		r->nmoves++;
	}
	return true;
}

/* ---- the reader ---- */

#define PIECE (64 * 1024)

struct imp_reader {
	enum imp_charset cs;
	struct csv_reader *csv;
	char *buf;    /* a decoded piece (3 bytes a byte), or tail + a piece */
	char tail[4]; /* an unfinished UTF-8 sequence */
	size_t ntail;
	unsigned long lines; /* line ends seen */
	bool bad;
	unsigned long bad_line;
};

struct imp_reader *imp_reader_new(enum imp_charset cs, csv_record_fn on_record,
				  csv_error_fn on_error, void *cls)
{
	struct imp_reader *r = calloc(1, sizeof *r);
	if (r == NULL)
		return NULL;
	r->cs = cs;
	r->buf = malloc(3 * PIECE + 8);
	r->csv = csv_new(on_record, on_error, cls);
	if (r->buf == NULL || r->csv == NULL) {
		imp_reader_free(r);
		return NULL;
	}
	return r;
}

static unsigned long count_lines(const char *p, size_t n)
{
	unsigned long k = 0;
	for (const char *e = p + n; (p = memchr(p, '\n', (size_t)(e - p))) != NULL; p++)
		k++;
	return k;
}

/* Checks @len bytes of @data as UTF-8 (with the held tail) and feeds them. */
static enum csv_status feed_utf8(struct imp_reader *r, const char *data, size_t len, bool final)
{
	memcpy(r->buf, r->tail, r->ntail);
	memcpy(r->buf + r->ntail, data, len);
	size_t n = r->ntail + len, tail;
	size_t ok = imp_utf8_scan(r->buf, n, final, &tail);
	if (ok < n) {
		r->bad = true;
		r->bad_line = r->lines + count_lines(r->buf, ok) + 1;
		return CSV_ABORTED;
	}
	r->ntail = tail;
	memcpy(r->tail, r->buf + n - tail, tail);
	r->lines += count_lines(r->buf, n - tail);
	return csv_feed(r->csv, r->buf, n - tail);
}

enum csv_status imp_reader_feed(struct imp_reader *r, const char *data, size_t len)
{
	if (r->bad)
		return CSV_ABORTED;
	for (size_t off = 0; off < len;) {
		size_t piece = len - off < PIECE ? len - off : PIECE;
		enum csv_status st;
		if (r->cs == IMP_UTF8) {
			st = feed_utf8(r, data + off, piece, false);
		} else {
			size_t n = imp_decode(data + off, piece, r->cs, r->buf, 3 * PIECE + 8);
			r->lines += count_lines(r->buf, n);
			st = csv_feed(r->csv, r->buf, n);
		}
		if (st != CSV_OK)
			return st;
		off += piece;
	}
	return CSV_OK;
}

enum csv_status imp_reader_finish(struct imp_reader *r)
{
	if (r->bad)
		return CSV_ABORTED;
	if (r->cs == IMP_UTF8 && r->ntail > 0) {
		enum csv_status st = feed_utf8(r, "", 0, true);
		if (st != CSV_OK)
			return st;
	}
	return csv_finish(r->csv);
}

bool imp_reader_bad_utf8(const struct imp_reader *r, unsigned long *line)
{
	*line = r->bad_line;
	return r->bad;
}

unsigned long imp_reader_line(const struct imp_reader *r)
{
	return csv_line(r->csv);
}

void imp_reader_free(struct imp_reader *r)
{
	if (r == NULL)
		return;
	csv_free(r->csv);
	free(r->buf);
	free(r);
}
