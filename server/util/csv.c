/* Streaming CSV reader (RFC 4180, tolerant; the dialect is in csv.h).
 *
 * How it works: a state machine driven byte by byte.
 *
 *   LINE_START --CR/LF--> LINE_START (an empty line, skipped)
 *   LINE_START --other--> FIELD_START (a record begins; same byte again)
 *   FIELD_START --'"'--> QUOTED --'"'--> CLOSED --'"'--> QUOTED (a literal '"')
 *   FIELD_START --other--> UNQUOTED
 *   FIELD_START, UNQUOTED, CLOSED --','--> FIELD_START
 *   FIELD_START, UNQUOTED, CLOSED --CR/LF--> LINE_START (the record ends)
 *   CLOSED --other--> UNQUOTED, the record being bad (CSV_BAD_QUOTE)
 *
 * A CR sets prev_cr; an LF right after it is the rest of a CRLF: swallowed
 * in LINE_START (the CR already ended the record), kept as data in QUOTED,
 * and in neither case counted as another line. Those are the only two
 * states a CR can leave the machine in, so no other state sees such an LF.
 *
 * The record is built in one buffer: each field's bytes then its NUL,
 * field i starting at off[i]; the pointers handed out are made from the
 * offsets when the record ends, since the buffer may move while it grows.
 *
 * A bad record (too long, too many fields, bad quote, NUL byte) sets
 * skipping when the error callback lets it: the machine runs on as usual,
 * so quotes still decide where the record ends, but keeps no bytes and
 * checks no limits, and the record is dropped at its end. After a bad
 * quote the field goes on as if unquoted, the same tolerance as a quote
 * in the middle of an unquoted field.
 *
 * A BOM is matched at the very start as a count of bytes, not a copy: if
 * the input turns out not to start with one, the matched bytes are
 * replayed from the constant. */
#include "csv.h"

#include <stdbool.h>
#include <stdlib.h>

#define BOM	    "\xEF\xBB\xBF"
#define BOM_LEN	    3
#define BUF_INITIAL 4096
#define BUF_MAX	    ((size_t)CSV_FIELDS_MAX * (CSV_FIELD_MAX + 1))

enum state {
	S_LINE_START,  /* between records */
	S_FIELD_START, /* a record has begun; the next byte starts a field */
	S_UNQUOTED,    /* in an unquoted field */
	S_QUOTED,      /* inside quotes */
	S_CLOSED,      /* a '"' inside quotes: a closing quote or half of "" */
};

struct csv_reader {
	csv_record_fn on_record;
	csv_error_fn on_error;
	void *cls;
	enum csv_status status; /* sticky once not CSV_OK */
	enum state state;
	bool bom_done;		/* past the point where a BOM may be */
	unsigned bom_len;	/* BOM bytes matched so far (held back) */
	bool prev_cr;		/* the last byte was CR */
	bool skipping;		/* the current record is bad: drop it */
	unsigned long line;	/* the physical line being read */
	unsigned long rec_line; /* where the current record started */

	char *buf; /* the current record: fields, each NUL-terminated */
	size_t len, cap;
	int nfields;			  /* fields ended so far */
	size_t off[CSV_FIELDS_MAX];	  /* where each field starts in buf */
	char *fields[CSV_FIELDS_MAX + 1]; /* handed to on_record */
};

struct csv_reader *csv_new(csv_record_fn on_record, csv_error_fn on_error, void *cls)
{
	struct csv_reader *r = calloc(1, sizeof *r);
	if (r == NULL)
		return NULL;
	r->buf = malloc(BUF_INITIAL);
	if (r->buf == NULL) {
		free(r);
		return NULL;
	}
	r->cap = BUF_INITIAL;
	r->on_record = on_record;
	r->on_error = on_error;
	r->cls = cls;
	r->state = S_LINE_START;
	r->line = 1;
	r->rec_line = 1;
	return r;
}

/* ---- Failures ---- */

static void fail(struct csv_reader *r, enum csv_status st)
{
	if (r->status == CSV_OK)
		r->status = st;
}

/* The current record has problem @st: skip it if the error callback says
 * so, else stop. Later problems of a record being skipped are not news. */
static void bad_record(struct csv_reader *r, enum csv_status st)
{
	if (r->skipping)
		return;
	if (r->on_error != NULL && r->on_error(r->cls, r->rec_line, st) == 0)
		r->skipping = true;
	else
		fail(r, st);
}

/* ---- The record buffer ---- */

/* Makes room for one more byte. The limits checked by the callers keep
 * len below BUF_MAX, so growth stops there. */
static bool reserve(struct csv_reader *r)
{
	if (r->len < r->cap)
		return true;
	size_t cap = r->cap * 2 < BUF_MAX ? r->cap * 2 : BUF_MAX;
	char *buf = realloc(r->buf, cap);
	if (buf == NULL) {
		fail(r, CSV_NOMEM);
		return false;
	}
	r->buf = buf;
	r->cap = cap;
	return true;
}

static void put(struct csv_reader *r, char c)
{
	if (r->skipping)
		return;
	if (c == '\0')
		bad_record(r, CSV_NUL_BYTE);
	else if (r->len - r->off[r->nfields] >= CSV_FIELD_MAX)
		bad_record(r, CSV_FIELD_TOO_LONG);
	else if (reserve(r))
		r->buf[r->len++] = c;
}

static void begin_record(struct csv_reader *r)
{
	r->rec_line = r->line;
	r->skipping = false;
	r->len = 0;
	r->nfields = 0;
	r->off[0] = 0;
	r->state = S_FIELD_START;
}

static void end_field(struct csv_reader *r)
{
	if (r->skipping || !reserve(r))
		return;
	r->buf[r->len++] = '\0';
	r->nfields++;
}

/* A ',' ended a field: another one begins. */
static void next_field(struct csv_reader *r)
{
	end_field(r);
	r->state = S_FIELD_START;
	if (r->skipping)
		return;
	if (r->nfields == CSV_FIELDS_MAX)
		bad_record(r, CSV_TOO_MANY_FIELDS);
	else
		r->off[r->nfields] = r->len;
}

/* A line end or the end of the input ended the record: hand it over. */
static void end_record(struct csv_reader *r)
{
	end_field(r);
	r->state = S_LINE_START;
	if (r->skipping || r->status != CSV_OK) {
		r->skipping = false;
		return;
	}
	for (int i = 0; i < r->nfields; i++)
		r->fields[i] = r->buf + r->off[i];
	r->fields[r->nfields] = NULL;
	if (r->on_record(r->cls, r->rec_line, r->nfields, r->fields) != 0)
		fail(r, CSV_ABORTED);
}

/* ---- The state machine ---- */

static void step(struct csv_reader *r, char c)
{
	bool crlf = c == '\n' && r->prev_cr; /* the LF of a CRLF */
	bool eol = c == '\r' || c == '\n';
	r->prev_cr = c == '\r';
	switch (r->state) {
	case S_LINE_START:
		if (eol)
			break; /* an empty line, or the LF of a CRLF ending a record */
		begin_record(r);
		/* fall through */
	case S_FIELD_START:
		if (c == '"') {
			r->state = S_QUOTED;
			break;
		}
		r->state = S_UNQUOTED;
		/* fall through */
	case S_UNQUOTED:
		if (c == ',')
			next_field(r);
		else if (eol)
			end_record(r);
		else
			put(r, c);
		break;
	case S_QUOTED:
		if (c == '"')
			r->state = S_CLOSED;
		else
			put(r, c);
		break;
	case S_CLOSED:
		if (c == '"') {
			put(r, c);
			r->state = S_QUOTED;
		} else if (c == ',') {
			next_field(r);
		} else if (eol) {
			end_record(r);
		} else {
			bad_record(r, CSV_BAD_QUOTE);
			r->state = S_UNQUOTED;
		}
		break;
	}
	if (c == '\r' || (c == '\n' && !crlf))
		r->line++;
}

/* The input does not start with a BOM: the bytes of one matched so far
 * were data after all. */
static void no_bom(struct csv_reader *r)
{
	r->bom_done = true;
	for (unsigned k = 0; k < r->bom_len && r->status == CSV_OK; k++)
		step(r, BOM[k]);
}

/* Matches a BOM at the very start of the input, carrying a partial match
 * over in bom_len. Returns the bytes of @data consumed. */
static size_t skip_bom(struct csv_reader *r, const char *data, size_t len)
{
	size_t i = 0;
	for (; i < len && r->bom_len < BOM_LEN; i++) {
		if (data[i] != BOM[r->bom_len]) {
			no_bom(r);
			return i;
		}
		r->bom_len++;
	}
	r->bom_done = r->bom_len == BOM_LEN;
	return i;
}

/* ---- The API ---- */

enum csv_status csv_feed(struct csv_reader *r, const char *data, size_t len)
{
	size_t i = 0;
	if (r->status == CSV_OK && !r->bom_done)
		i = skip_bom(r, data, len);
	while (i < len && r->status == CSV_OK)
		step(r, data[i++]);
	return r->status;
}

enum csv_status csv_finish(struct csv_reader *r)
{
	if (r->status == CSV_OK && !r->bom_done)
		no_bom(r); /* the input was a part of a BOM, or empty */
	if (r->status != CSV_OK)
		return r->status;
	switch (r->state) {
	case S_LINE_START:
		break;
	case S_QUOTED:
		fail(r, CSV_BAD_QUOTE);
		break;
	default:
		end_record(r);
		break;
	}
	return r->status;
}

unsigned long csv_line(const struct csv_reader *r)
{
	if (r->status == CSV_OK && r->state == S_LINE_START)
		return r->line;
	return r->rec_line;
}

const char *csv_status_text(enum csv_status st)
{
	switch (st) {
	case CSV_OK:
		return "ok";
	case CSV_FIELD_TOO_LONG:
		return "CSV field too long";
	case CSV_TOO_MANY_FIELDS:
		return "too many CSV fields in one record";
	case CSV_BAD_QUOTE:
		return "bad quoting in CSV (text after a closing quote, or a quote never closed)";
	case CSV_NUL_BYTE:
		return "NUL byte in a CSV field";
	case CSV_ABORTED:
		return "CSV parsing stopped";
	case CSV_NOMEM:
		return "out of memory";
	}
	return "unknown CSV status";
}

void csv_free(struct csv_reader *r)
{
	if (r == NULL)
		return;
	free(r->buf);
	free(r);
}
