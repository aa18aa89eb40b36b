/* CSV reader: records, quoting, line ends, BOM, empty lines, limits, bad
 * records skipped or fatal, every split position and byte at a time,
 * line numbers, aborts, a 100,000-row input in constant memory, and a fuzz
 * loop checking that mutated input never crashes and reads the same
 * however it is split. */
#include "harness.h"
#include "csv.h"

#include <stdbool.h>
#include <stdlib.h>

#if defined(__SANITIZE_ADDRESS__)
#define HAVE_ASAN
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_ASAN
#endif
#endif
#ifdef HAVE_ASAN
/* From the ASan runtime (GCC ships no header declaring it). */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif

/* What the callbacks saw. recs[i] is record i as "line:f1|f2|..." for
 * readable checks; errors is "line:what;" per bad record; log is exact
 * (lengths, binary bytes, errors in order) for comparing two runs. */
struct rec {
	char **recs;
	int nrecs, cap_recs;
	int last_nfields;
	char *errors;
	size_t errors_len, errors_cap;
	char *log;
	size_t log_len, log_cap;
	unsigned long last_line; /* of the last record or error */
	int abort_at;		 /* 1-based record whose callback returns non-zero; 0 never */
	bool error_stops;	 /* on_error returns non-zero */
	bool bad_arg;		 /* a callback got arguments breaking the contract */
};

static void append(char **buf, size_t *len, size_t *cap, const char *data, size_t n)
{
	if (*len + n + 1 > *cap) {
		*cap = (*len + n + 1) * 2 + 64;
		*buf = realloc(*buf, *cap);
	}
	memcpy(*buf + *len, data, n);
	*len += n;
	(*buf)[*len] = '\0';
}

static void rec_log(struct rec *r, const char *data, size_t n)
{
	append(&r->log, &r->log_len, &r->log_cap, data, n);
}

/* Logs @tag then @n in decimal. */
static void rec_lognum(struct rec *r, char tag, unsigned long n)
{
	char tmp[32];
	int len = snprintf(tmp, sizeof tmp, "%c%lu", tag, n);
	rec_log(r, tmp, (size_t)len);
}

static int on_record(void *cls, unsigned long line, int nfields, char **fields)
{
	struct rec *r = cls;
	if (nfields < 1 || nfields > CSV_FIELDS_MAX || fields[nfields] != NULL ||
	    line <= r->last_line)
		r->bad_arg = true;
	r->last_line = line;
	r->last_nfields = nfields;
	rec_lognum(r, 'R', line);
	rec_lognum(r, ':', (unsigned long)nfields);
	char *s = NULL;
	size_t len = 0, cap = 0;
	char head[32];
	append(&s, &len, &cap, head, (size_t)snprintf(head, sizeof head, "%lu:", line));
	for (int i = 0; i < nfields && i < CSV_FIELDS_MAX; i++) {
		size_t n = strlen(fields[i]);
		if (n > CSV_FIELD_MAX)
			r->bad_arg = true;
		rec_lognum(r, ',', (unsigned long)n);
		rec_log(r, ":", 1);
		rec_log(r, fields[i], n);
		if (i > 0)
			append(&s, &len, &cap, "|", 1);
		append(&s, &len, &cap, fields[i], n);
	}
	if (r->nrecs == r->cap_recs) {
		r->cap_recs = r->cap_recs * 2 + 16;
		r->recs = realloc(r->recs, (size_t)r->cap_recs * sizeof *r->recs);
	}
	r->recs[r->nrecs++] = s;
	return r->nrecs == r->abort_at;
}

static const char *short_name(enum csv_status st)
{
	switch (st) {
	case CSV_FIELD_TOO_LONG:
		return "long";
	case CSV_TOO_MANY_FIELDS:
		return "many";
	case CSV_BAD_QUOTE:
		return "quote";
	case CSV_NUL_BYTE:
		return "nul";
	default:
		return "?";
	}
}

static int on_error(void *cls, unsigned long line, enum csv_status st)
{
	struct rec *r = cls;
	char tmp[64];
	if (line <= r->last_line)
		r->bad_arg = true;
	r->last_line = line;
	rec_lognum(r, 'E', line);
	rec_lognum(r, ':', (unsigned long)st);
	int n = snprintf(tmp, sizeof tmp, "%lu:%s;", line, short_name(st));
	append(&r->errors, &r->errors_len, &r->errors_cap, tmp, (size_t)n);
	return r->error_stops;
}

static void rec_free(struct rec *r)
{
	for (int i = 0; i < r->nrecs; i++)
		free(r->recs[i]);
	free(r->recs);
	free(r->errors);
	free(r->log);
	memset(r, 0, sizeof *r);
}

static const char *rec_at(const struct rec *r, int i)
{
	return i < r->nrecs ? r->recs[i] : NULL;
}

static const char *errors_of(const struct rec *r)
{
	return r->errors ? r->errors : "";
}

static bool same_log(const struct rec *a, const struct rec *b)
{
	return a->log_len == b->log_len &&
	       (a->log_len == 0 || memcmp(a->log, b->log, a->log_len) == 0);
}

/* The line csv_line gave after the last parse. */
static unsigned long end_line;

/* Reads @in in pieces of @step bytes (0: all at once), splitting first at
 * @split when it is non-zero; @skip installs the error callback. Each
 * piece is fed from its own exact-size heap copy. Returns the first non-OK
 * status or what csv_finish says. @r must be zeroed (or rec_free'd). */
static enum csv_status parse_in(const char *in, size_t len, size_t split, size_t step, bool skip,
				struct rec *r)
{
	struct csv_reader *rd = csv_new(on_record, skip ? on_error : NULL, r);
	if (rd == NULL)
		return CSV_NOMEM;
	enum csv_status st = CSV_OK;
	size_t off = 0;
	while (st == CSV_OK && off < len) {
		size_t n = len - off;
		if (split > off)
			n = split - off;
		else if (step > 0 && step < n)
			n = step;
		char *piece = malloc(n); /* exact size: ASan sees any over-read */
		memcpy(piece, in + off, n);
		st = csv_feed(rd, piece, n);
		free(piece);
		off += n;
	}
	if (st == CSV_OK)
		st = csv_finish(rd);
	end_line = csv_line(rd);
	csv_free(rd);
	return st;
}

static enum csv_status parse(const char *in, size_t len, bool skip, struct rec *r)
{
	return parse_in(in, len, 0, 0, skip, r);
}

static enum csv_status parse_str(const char *in, bool skip, struct rec *r)
{
	return parse(in, strlen(in), skip, r);
}

/* Whether @in reads the same (status, records, errors) whole, split at
 * every position, and in pieces of 1 to 64 bytes. */
static bool same_every_way(const char *in, size_t len, bool skip)
{
	struct rec whole = {0}, r = {0};
	enum csv_status st = parse(in, len, skip, &whole);
	bool same = !whole.bad_arg;
	for (size_t at = 1; at < len; at++) {
		same &= parse_in(in, len, at, 0, skip, &r) == st && same_log(&r, &whole);
		rec_free(&r);
	}
	for (size_t step = 1; step <= 64; step++) {
		same &= parse_in(in, len, 0, step, skip, &r) == st && same_log(&r, &whole);
		rec_free(&r);
	}
	rec_free(&whole);
	return same;
}

/* A string of @n copies of @c, malloc'd. */
static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* The concatenation of @a, @b and @c, malloc'd. */
static char *concat3(const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
	char *s = malloc(la + lb + lc + 1);
	memcpy(s, a, la);
	memcpy(s + la, b, lb);
	memcpy(s + la + lb, c, lc + 1);
	return s;
}

/* ---- Records and quoting ---- */

static void simple_records(void)
{
	struct rec r = {0};
	CHECK(parse_str("a,b,c\n1,2,3\n", false, &r) == CSV_OK);
	CHECK(r.nrecs == 2 && !r.bad_arg);
	CHECK_STR(rec_at(&r, 0), "1:a|b|c");
	CHECK_STR(rec_at(&r, 1), "2:1|2|3");
	CHECK(end_line == 3);
	rec_free(&r);
	CHECK(parse_str("", false, &r) == CSV_OK && r.nrecs == 0);
	CHECK(end_line == 1);
	rec_free(&r);
	CHECK(parse_str("only", false, &r) == CSV_OK && r.nrecs == 1);
	CHECK_STR(rec_at(&r, 0), "1:only");
	rec_free(&r);
}

static void quoted_fields(void)
{
	struct rec r = {0};
	CHECK(parse_str("\"a,b\",\"say \"\"hi\"\"\",\"x\r\ny\",\"p\nq\",\"\"\nz\n", false, &r) ==
	      CSV_OK);
	CHECK(r.nrecs == 2);
	CHECK_STR(rec_at(&r, 0), "1:a,b|say \"hi\"|x\r\ny|p\nq|");
	CHECK_STR(rec_at(&r, 1), "4:z");
	rec_free(&r);
	CHECK(parse_str("\"\"\"\",\"\"\"\"\"\",\"a\"\"b\"\r\n\"c\"\r\n", false, &r) == CSV_OK);
	CHECK(r.nrecs == 2);
	CHECK_STR(rec_at(&r, 0), "1:\"|\"\"|a\"b");
	CHECK_STR(rec_at(&r, 1), "2:c");
	rec_free(&r);
	/* A lone CR and a CR-CR inside quotes are data too. */
	CHECK(parse_str("\"a\rb\r\r\",c\n", false, &r) == CSV_OK);
	CHECK_STR(rec_at(&r, 0), "1:a\rb\r\r|c");
	rec_free(&r);
}

/* In an unquoted field a quote is data, and "" stays two quotes. */
static void quote_inside_unquoted_field(void)
{
	struct rec r = {0};
	CHECK(parse_str("ab\"c,d\"\n \"a\" ,b\na\"\"b\n", false, &r) == CSV_OK);
	CHECK(r.nrecs == 3);
	CHECK_STR(rec_at(&r, 0), "1:ab\"c|d\"");
	CHECK_STR(rec_at(&r, 1), "2: \"a\" |b");
	CHECK_STR(rec_at(&r, 2), "3:a\"\"b");
	rec_free(&r);
}

static void line_ends_mixed(void)
{
	struct rec r = {0};
	CHECK(parse_str("a\r\nb\nc\rd\r\n\r\ne", false, &r) == CSV_OK);
	CHECK(r.nrecs == 5);
	CHECK_STR(rec_at(&r, 0), "1:a");
	CHECK_STR(rec_at(&r, 1), "2:b");
	CHECK_STR(rec_at(&r, 2), "3:c");
	CHECK_STR(rec_at(&r, 3), "4:d");
	CHECK_STR(rec_at(&r, 4), "6:e");
	rec_free(&r);
	/* LF then CR is two line ends, not one. */
	CHECK(parse_str("a\n\rb\n", false, &r) == CSV_OK);
	CHECK_STR(rec_at(&r, 1), "3:b");
	rec_free(&r);
	/* A closed quote then CRLF. */
	CHECK(parse_str("\"a\"\r\n\"b\"\r", false, &r) == CSV_OK);
	CHECK(r.nrecs == 2);
	CHECK_STR(rec_at(&r, 1), "2:b");
	CHECK(end_line == 3);
	rec_free(&r);
}

static void bom(void)
{
	static const struct {
		const char *in, *first; /* first record, NULL for none */
		int nrecs;
	} cases[] = {
	    {"\xEF\xBB\xBF"
	     "a,b\n",
	     "1:a|b", 1},
	    {"\xEF\xBB\xBF\"q,\"\n", "1:q,", 1},
	    {"\xEF\xBB\xBF", NULL, 0},
	    {"\xEF\xBB\xBF\n\n", NULL, 0},
	    {"\xEF\xBBx\n", "1:\xEF\xBBx", 1},
	    {"\xEF\xBB", "1:\xEF\xBB", 1},
	    {"\xEF", "1:\xEF", 1},
	    {"\xEF\n", "1:\xEF", 1},
	    {"\xEF,", "1:\xEF|", 1},
	    {"\xEF\"", "1:\xEF\"", 1},
	    {"\xEF\xBB\xBF\xEF\xBB\xBF\n", "1:\xEF\xBB\xBF", 1}, /* only one is skipped */
	    {"\n\xEF\xBB\xBF"
	     "a\n",
	     "2:\xEF\xBB\xBF"
	     "a",
	     1}, /* only at the very start */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct rec r = {0};
		const char *in = cases[i].in;
		CHECK(parse_str(in, false, &r) == CSV_OK);
		CHECK(r.nrecs == cases[i].nrecs);
		if (cases[i].first != NULL)
			CHECK_STR(rec_at(&r, 0), cases[i].first);
		rec_free(&r);
		if (!same_every_way(in, strlen(in), false))
			printf("  # split changes case %zu\n", i);
		CHECK(same_every_way(in, strlen(in), false));
	}
}

static void empty_lines_are_skipped(void)
{
	struct rec r = {0};
	CHECK(parse_str("\n\r\n\ra\n\n\r\nb\r\r\n", false, &r) == CSV_OK);
	CHECK(r.nrecs == 2);
	CHECK_STR(rec_at(&r, 0), "4:a");
	CHECK_STR(rec_at(&r, 1), "7:b");
	CHECK(end_line == 9);
	rec_free(&r);
	/* Spaces or an empty quoted field make a record. */
	CHECK(parse_str(" \n\"\"\n", false, &r) == CSV_OK);
	CHECK(r.nrecs == 2 && r.last_nfields == 1);
	CHECK_STR(rec_at(&r, 0), "1: ");
	CHECK_STR(rec_at(&r, 1), "2:");
	rec_free(&r);
}

static void trailing_empty_fields_are_kept(void)
{
	struct rec r = {0};
	CHECK(parse_str("a,b,\n,\n,,\r\na,\"\"\n", false, &r) == CSV_OK);
	CHECK(r.nrecs == 4);
	CHECK_STR(rec_at(&r, 0), "1:a|b|");
	CHECK_STR(rec_at(&r, 1), "2:|");
	CHECK_STR(rec_at(&r, 2), "3:||");
	CHECK_STR(rec_at(&r, 3), "4:a|");
	rec_free(&r);
	CHECK(parse_str("a,b,", false, &r) == CSV_OK && r.last_nfields == 3);
	CHECK_STR(rec_at(&r, 0), "1:a|b|");
	rec_free(&r);
}

/* @in reads fine and its last record is @want. */
static void check_last(const char *in, const char *want)
{
	struct rec r = {0};
	CHECK(parse_str(in, false, &r) == CSV_OK);
	CHECK(r.nrecs >= 1);
	CHECK_STR(rec_at(&r, r.nrecs - 1), want);
	rec_free(&r);
}

static void last_record_without_line_end(void)
{
	check_last("a,b\nc,d", "2:c|d");
	check_last("\"x\"", "1:x");
	check_last("\"x\"\"\"", "1:x\"");
	check_last("a\r", "1:a");
	check_last("a,\"b\nc\"", "1:a|b\nc");
	check_last(",", "1:|");
}

/* ---- Bad quoting ---- */

static void unterminated_quote_at_the_end(void)
{
	const char *cases[] = {"a\n\"b,c\nd", "a\n\"", "a\nx,\"\"\"", "a\n\"b\"\"\n"};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		for (int skip = 0; skip <= 1; skip++) {
			struct rec r = {0};
			CHECK(parse_str(cases[i], skip, &r) == CSV_BAD_QUOTE);
			CHECK(r.nrecs == 1 && end_line == 2);
			CHECK_STR(rec_at(&r, 0), "1:a");
			CHECK_STR(errors_of(&r), ""); /* fatal, never a skippable record */
			rec_free(&r);
		}
	}
	/* It sticks. */
	struct rec r = {0};
	struct csv_reader *rd = csv_new(on_record, on_error, &r);
	CHECK(csv_feed(rd, "\"abc", 4) == CSV_OK);
	CHECK(csv_finish(rd) == CSV_BAD_QUOTE);
	CHECK(csv_feed(rd, "\"\nx\n", 4) == CSV_BAD_QUOTE);
	CHECK(csv_finish(rd) == CSV_BAD_QUOTE);
	CHECK(r.nrecs == 0 && csv_line(rd) == 1);
	csv_free(rd);
	rec_free(&r);
}

static void text_after_closing_quote(void)
{
	struct rec r = {0};
	/* Fatal without an error callback. */
	CHECK(parse_str("x\n\"a\"b,c\ny\n", false, &r) == CSV_BAD_QUOTE);
	CHECK(r.nrecs == 1 && end_line == 2);
	rec_free(&r);
	CHECK(parse_str("\"a\" ,b\n", false, &r) == CSV_BAD_QUOTE);
	CHECK(r.nrecs == 0 && end_line == 1);
	rec_free(&r);
	/* Skipped with one: the record ends at the next line end outside
	 * quotes, so a later quoted field still spans its lines. */
	const char *in = "1,2\n\"a\" ,b\n\"q\nq\"z,\"m\nn\"\n\"a\"\"b\"c\r\nlast\n";
	CHECK(parse_str(in, true, &r) == CSV_OK);
	CHECK_STR(errors_of(&r), "2:quote;3:quote;6:quote;");
	CHECK(r.nrecs == 2 && !r.bad_arg);
	CHECK_STR(rec_at(&r, 0), "1:1|2");
	CHECK_STR(rec_at(&r, 1), "7:last");
	rec_free(&r);
	CHECK(same_every_way(in, strlen(in), true));
	CHECK(same_every_way(in, strlen(in), false));
	/* The error callback may stop instead: the record's own status. */
	r.error_stops = true;
	struct csv_reader *rd = csv_new(on_record, on_error, &r);
	CHECK(csv_feed(rd, in, strlen(in)) == CSV_BAD_QUOTE);
	CHECK(csv_line(rd) == 2 && csv_finish(rd) == CSV_BAD_QUOTE);
	CHECK_STR(errors_of(&r), "2:quote;");
	CHECK(r.nrecs == 1);
	csv_free(rd);
	rec_free(&r);
}

/* ---- Limits ---- */

static void field_too_long(void)
{
	struct rec r = {0};
	char *x = repeat('x', CSV_FIELD_MAX);
	char *in = concat3(x, "\n", "");
	CHECK(parse_str(in, false, &r) == CSV_OK && r.nrecs == 1);
	CHECK(r.nrecs == 1 && strlen(rec_at(&r, 0)) == 2 + CSV_FIELD_MAX);
	rec_free(&r);
	free(in);

	/* One byte more, unquoted. */
	in = concat3("ok\n", x, "x,y\nlast\n");
	CHECK(parse_str(in, false, &r) == CSV_FIELD_TOO_LONG);
	CHECK(r.nrecs == 1 && end_line == 2);
	rec_free(&r);
	CHECK(parse_str(in, true, &r) == CSV_OK);
	CHECK_STR(errors_of(&r), "2:long;");
	CHECK(r.nrecs == 2);
	CHECK_STR(rec_at(&r, 1), "3:last");
	rec_free(&r);
	free(in);

	/* One byte more, as an escaped quote; the skipped record goes on
	 * through quoted line ends. */
	char *head = concat3("\"", x, "\"\"\n,\"");
	in = concat3(head, ",\"a\nb\"\nlast\n", "");
	CHECK(parse_str(in, true, &r) == CSV_OK);
	CHECK_STR(errors_of(&r), "1:long;");
	CHECK(r.nrecs == 1);
	CHECK_STR(rec_at(&r, 0), "4:last");
	rec_free(&r);
	free(in);
	free(head);
	free(x);
}

static void too_many_fields(void)
{
	struct rec r = {0};
	char *commas = repeat(',', CSV_FIELDS_MAX - 1);
	char *in = concat3(commas, "\n", "");
	CHECK(parse_str(in, false, &r) == CSV_OK);
	CHECK(r.nrecs == 1 && r.last_nfields == CSV_FIELDS_MAX);
	rec_free(&r);
	free(in);

	/* A trailing empty field counts. */
	in = concat3(commas, ",\nok\n", "");
	CHECK(parse_str(in, false, &r) == CSV_TOO_MANY_FIELDS && r.nrecs == 0);
	rec_free(&r);
	CHECK(parse_str(in, true, &r) == CSV_OK);
	CHECK_STR(errors_of(&r), "1:many;");
	CHECK(r.nrecs == 1);
	CHECK_STR(rec_at(&r, 0), "2:ok");
	rec_free(&r);
	free(in);

	/* The extra field is quoted and spans a line end. */
	in = concat3(commas, ",\"\n,\",x\nok\n", "");
	CHECK(parse_str(in, true, &r) == CSV_OK);
	CHECK_STR(errors_of(&r), "1:many;");
	CHECK(r.nrecs == 1);
	CHECK_STR(rec_at(&r, 0), "3:ok");
	rec_free(&r);
	free(in);
	free(commas);
}

static void nul_byte(void)
{
	static const char in[] = "a\0b,c\nd\n\"\0\n\"\nz\n";
	struct rec r = {0};
	CHECK(parse(in, sizeof in - 1, false, &r) == CSV_NUL_BYTE);
	CHECK(r.nrecs == 0 && end_line == 1);
	rec_free(&r);
	CHECK(parse(in, sizeof in - 1, true, &r) == CSV_OK);
	CHECK_STR(errors_of(&r), "1:nul;3:nul;");
	CHECK(r.nrecs == 2);
	CHECK_STR(rec_at(&r, 0), "2:d");
	CHECK_STR(rec_at(&r, 1), "5:z");
	rec_free(&r);
}

/* ---- Streaming ---- */

static const char sample[] = "\xEF\xBB\xBFid,name,note\r\n"
			     "1,\"Smith, J\",\"said \"\"hi\"\"\"\r\n"
			     "\r\n"
			     "2,\"multi\r\nline\nnote\",\n"
			     "3,bad\"quote,\"\"\r"
			     "4,\"closed\"junk,x\n"
			     "\n"
			     "5,,\"\"\r\n"
			     "\"\r\"\n"
			     "\"\r\n\"\r\n"
			     "6,last,\"no newline\"";

static void every_split_gives_the_same_records(void)
{
	struct rec r = {0};
	CHECK(parse(sample, sizeof sample - 1, true, &r) == CSV_OK);
	CHECK_STR(errors_of(&r), "8:quote;");
	CHECK(r.nrecs == 8);
	CHECK_STR(rec_at(&r, 0), "1:id|name|note");
	CHECK_STR(rec_at(&r, 1), "2:1|Smith, J|said \"hi\"");
	CHECK_STR(rec_at(&r, 2), "4:2|multi\r\nline\nnote|");
	CHECK_STR(rec_at(&r, 3), "7:3|bad\"quote|");
	CHECK_STR(rec_at(&r, 4), "10:5||");
	CHECK_STR(rec_at(&r, 5), "11:\r");
	CHECK_STR(rec_at(&r, 6), "13:\r\n");
	CHECK_STR(rec_at(&r, 7), "15:6|last|no newline");
	rec_free(&r);
	CHECK(same_every_way(sample, sizeof sample - 1, true));
	CHECK(same_every_way(sample, sizeof sample - 1, false));
}

static void line_numbers_follow_quoted_line_ends(void)
{
	struct rec r = {0};
	CHECK(parse_str("a,\"x\ny\r\nz\"\nb\n\"\r\"\nc\n\"\n\n\"", false, &r) == CSV_OK);
	CHECK(r.nrecs == 5);
	CHECK_STR(rec_at(&r, 0), "1:a|x\ny\r\nz");
	CHECK_STR(rec_at(&r, 1), "4:b");
	CHECK_STR(rec_at(&r, 2), "5:\r");
	CHECK_STR(rec_at(&r, 3), "7:c");
	CHECK_STR(rec_at(&r, 4), "8:\n\n");
	CHECK(end_line == 10);
	rec_free(&r);
}

static void callback_aborts(void)
{
	struct rec r = {.abort_at = 2};
	struct csv_reader *rd = csv_new(on_record, NULL, &r);
	CHECK(csv_feed(rd, "a\n\nb\nc\n", 7) == CSV_ABORTED);
	CHECK(r.nrecs == 2 && csv_line(rd) == 3);
	CHECK(csv_feed(rd, "d\n", 2) == CSV_ABORTED);
	CHECK(csv_finish(rd) == CSV_ABORTED);
	CHECK(r.nrecs == 2);
	csv_free(rd);
	rec_free(&r);
	/* The last record, handed over by csv_finish. */
	r.abort_at = 2;
	CHECK(parse_str("a\nb", false, &r) == CSV_ABORTED && r.nrecs == 2);
	rec_free(&r);
	CHECK(strlen(csv_status_text(CSV_ABORTED)) > 0);
	for (int st = CSV_OK; st <= CSV_NOMEM; st++)
		CHECK(strlen(csv_status_text((enum csv_status)st)) > 0);
	csv_free(NULL);
}

/* ---- A large input ---- */

#define BIG_ROWS  100000
#define BIG_PIECE (64 * 1024)

struct big {
	long rows;
	bool wrong;
	size_t mem_at_1000, mem_at_end;
};

static size_t allocated_bytes(void)
{
#ifdef HAVE_ASAN
	return __sanitizer_get_current_allocated_bytes();
#else
	return 0;
#endif
}

/* Row i is "i,name i,"a ""quoted"", text i"" and, every 1000th row, a
 * fourth field with a quoted line end: it starts on line
 * 1 + i + ceil(i / 1000). */
static int big_row(char *out, size_t cap, long i)
{
	return snprintf(out, cap, "%ld,name %ld,\"a \"\"quoted\"\", text %ld\"%s\r\n", i, i, i,
			i % 1000 == 0 ? ",\"two\nlines\"" : "");
}

static int on_big(void *cls, unsigned long line, int nfields, char **fields)
{
	struct big *b = cls;
	long i = b->rows++;
	char want[64];
	unsigned long want_line = 1 + (unsigned long)i + (unsigned long)(i + 999) / 1000;
	snprintf(want, sizeof want, "a \"quoted\", text %ld", i);
	if (line != want_line || nfields != (i % 1000 == 0 ? 4 : 3) || atol(fields[0]) != i ||
	    strcmp(fields[2], want) != 0 || (nfields == 4 && strcmp(fields[3], "two\nlines") != 0))
		b->wrong = true;
	if (i == 1000)
		b->mem_at_1000 = allocated_bytes();
	if (i == BIG_ROWS - 1)
		b->mem_at_end = allocated_bytes();
	return 0;
}

static void large_input_in_constant_memory(void)
{
	static char piece[BIG_PIECE];
	char row[128];
	struct big b = {0};
	size_t before = allocated_bytes();
	struct csv_reader *rd = csv_new(on_big, NULL, &b);
	size_t fill = 0, total = 0;
	enum csv_status st = CSV_OK;
	for (long i = 0; i < BIG_ROWS && st == CSV_OK; i++) {
		int n = big_row(row, sizeof row, i);
		for (int k = 0; k < n; k++) {
			piece[fill++] = row[k];
			if (fill == BIG_PIECE) {
				st = csv_feed(rd, piece, fill);
				total += fill;
				fill = 0;
			}
		}
	}
	if (st == CSV_OK)
		st = csv_feed(rd, piece, fill);
	total += fill;
	CHECK(st == CSV_OK && csv_finish(rd) == CSV_OK);
	CHECK(b.rows == BIG_ROWS && !b.wrong);
	CHECK(total > 40 * BIG_PIECE);
#ifdef HAVE_ASAN
	/* The reader allocates nothing per record once its buffer fits. */
	CHECK(b.mem_at_1000 == b.mem_at_end);
	CHECK(b.mem_at_end - before < 32 * 1024);
#else
	(void)before;
#endif
	csv_free(rd);
}

/* ---- Fuzz ---- */

static unsigned long long rng = 0x9e3779b97f4a7c15ull;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* Flips, inserts or deletes a few bytes, favouring the ones that matter;
 * now and then inserts a run long enough to reach a limit. */
static size_t mutate(char *buf, size_t len, size_t cap)
{
	static const char interesting[] = "\"\",\r\n\0\xEF\xBB\xBF a";
	int edits = 1 + (int)rnd(6);
	for (int e = 0; e < edits; e++) {
		char c = rnd(3) ? interesting[rnd(sizeof interesting - 1)] : (char)rnd(256);
		size_t at = len ? rnd((unsigned)len) : 0;
		switch (rnd(40) == 0 ? 3 : rnd(3)) {
		case 0:
			if (len > 0)
				buf[at] = c;
			break;
		case 1:
			if (len < cap) {
				memmove(buf + at + 1, buf + at, len - at);
				buf[at] = c;
				len++;
			}
			break;
		case 2:
			if (len > 0) {
				memmove(buf + at, buf + at + 1, len - at - 1);
				len--;
			}
			break;
		default: {
			size_t run =
			    rnd(2) ? CSV_FIELD_MAX - 2 + rnd(5) : CSV_FIELDS_MAX - 2 + rnd(5);
			char fill = run > CSV_FIELDS_MAX + 2 ? (rnd(2) ? 'x' : '"') : ',';
			if (len + run <= cap) {
				memmove(buf + at + run, buf + at, len - at);
				memset(buf + at, fill, run);
				len += run;
			}
		}
		}
	}
	return len;
}

/* Random piece sizes must change neither the outcome nor what the
 * callbacks see. */
static void fuzz(void)
{
	static const char *seeds[] = {
	    sample,
	    "a,b,c\r\n1,\"2\",3\r\n",
	    "\"x\"\"y\",\"\n\",\r\"q\"\n,,\n",
	    "\xEF\xBB\xBF\"only\"",
	};
	size_t cap = sizeof sample + 4 * (CSV_FIELD_MAX + 8);
	char *buf = malloc(cap);
	struct rec whole = {0}, pieces = {0};
	int ok = 0, iters = 4000;
	for (int iter = 0; iter < iters; iter++) {
		const char *seed = seeds[rnd(sizeof seeds / sizeof seeds[0])];
		size_t n = strlen(seed);
		memcpy(buf, seed, n);
		n = mutate(buf, n, cap);
		bool skip = rnd(2);
		size_t step = 1 + rnd(n < 4096 ? 40 : 8192);
		enum csv_status a = parse(buf, n, skip, &whole);
		enum csv_status b = parse_in(buf, n, rnd((unsigned)n + 1), step, skip, &pieces);
		CHECK(a == b);
		CHECK(same_log(&whole, &pieces));
		CHECK(!whole.bad_arg && !pieces.bad_arg);
		if (skip)
			CHECK(a == CSV_OK || a == CSV_BAD_QUOTE);
		else
			CHECK(a != CSV_ABORTED && a != CSV_NOMEM);
		ok += a == CSV_OK;
		rec_free(&whole);
		rec_free(&pieces);
	}
	CHECK(ok > iters / 10 && ok < iters);
	free(buf);
}

int main(void)
{
	TEST(simple_records);
	TEST(quoted_fields);
	TEST(quote_inside_unquoted_field);
	TEST(line_ends_mixed);
	TEST(bom);
	TEST(empty_lines_are_skipped);
	TEST(trailing_empty_fields_are_kept);
	TEST(last_record_without_line_end);
	TEST(unterminated_quote_at_the_end);
	TEST(text_after_closing_quote);
	TEST(field_too_long);
	TEST(too_many_fields);
	TEST(nul_byte);
	TEST(every_split_gives_the_same_records);
	TEST(line_numbers_follow_quoted_line_ends);
	TEST(callback_aborts);
	TEST(large_input_in_constant_memory);
	TEST(fuzz);
	return HARNESS_EXIT();
}
