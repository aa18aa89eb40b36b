/* Multipart parser: parts and bodies, every split position, byte at a time,
 * near-boundaries inside data, limits, failures that stick, and a fuzz loop
 * checking that mutated bodies never crash and parse the same however
 * they are split. */
#include "harness.h"
#include "multipart.h"

#include <stdlib.h>

#define BOUNDARY "----nsBoundary7MA4YWxkTrZu0gW"
#define CT	 "multipart/form-data; boundary=" BOUNDARY
#define MAXP	 (MP_PARTS_MAX + 4)

/* What the callbacks saw. The log is binary: "<B name|file|type>" per
 * part_begin, the body bytes as they come, "<E>" per part_end, so two
 * runs compare equal however part_data was split. */
struct rec {
	int nbegin, nend, ncalls;
	bool has_filename[MAXP], has_type[MAXP];
	char name[MAXP][MP_NAME_MAX + 1];
	char filename[MAXP][MP_FILENAME_MAX + 1];
	char type[MAXP][MP_TYPE_MAX + 1];
	char *body[MAXP];
	size_t body_len[MAXP], body_cap[MAXP];
	char *log;
	size_t log_len, log_cap;
	size_t data_total;
	int abort_at_call; /* 1-based callback number that returns non-zero; 0 never */
	bool bad_arg;	   /* a callback got an argument breaking the contract */
};

static void append(char **buf, size_t *len, size_t *cap, const char *data, size_t n)
{
	if (*len + n > *cap) {
		*cap = (*len + n) * 2 + 64;
		*buf = realloc(*buf, *cap);
	}
	memcpy(*buf + *len, data, n);
	*len += n;
}

static void rec_log(struct rec *r, const char *data, size_t n)
{
	append(&r->log, &r->log_len, &r->log_cap, data, n);
}

static int next_call(struct rec *r)
{
	return ++r->ncalls == r->abort_at_call;
}

static int on_begin(void *cls, const char *name, const char *filename, const char *type)
{
	struct rec *r = cls;
	if (name == NULL || strlen(name) > MP_NAME_MAX ||
	    (filename != NULL && strlen(filename) > MP_FILENAME_MAX) ||
	    (type != NULL && strlen(type) > MP_TYPE_MAX) || r->nbegin != r->nend) {
		r->bad_arg = true;
		return next_call(r);
	}
	rec_log(r, "<B ", 3);
	rec_log(r, name, strlen(name));
	rec_log(r, "|", 1);
	if (filename)
		rec_log(r, filename, strlen(filename));
	rec_log(r, "|", 1);
	if (type)
		rec_log(r, type, strlen(type));
	rec_log(r, ">", 1);
	if (r->nbegin < MAXP) {
		strcpy(r->name[r->nbegin], name);
		r->has_filename[r->nbegin] = filename != NULL;
		strcpy(r->filename[r->nbegin], filename ? filename : "");
		r->has_type[r->nbegin] = type != NULL;
		strcpy(r->type[r->nbegin], type ? type : "");
	}
	r->nbegin++;
	return next_call(r);
}

static int on_data(void *cls, const char *data, size_t len)
{
	struct rec *r = cls;
	if (len == 0 || data == NULL || r->nbegin != r->nend + 1) {
		r->bad_arg = true;
		return next_call(r);
	}
	rec_log(r, data, len);
	r->data_total += len;
	int i = r->nbegin - 1;
	if (i < MAXP)
		append(&r->body[i], &r->body_len[i], &r->body_cap[i], data, len);
	return next_call(r);
}

static int on_end(void *cls)
{
	struct rec *r = cls;
	if (r->nbegin != r->nend + 1)
		r->bad_arg = true;
	rec_log(r, "<E>", 3);
	r->nend++;
	return next_call(r);
}

static const struct mp_callbacks cbs = {on_begin, on_data, on_end};

static void rec_free(struct rec *r)
{
	for (int i = 0; i < MAXP; i++)
		free(r->body[i]);
	free(r->log);
	memset(r, 0, sizeof *r);
}

/* Parses @body in pieces of @step bytes (0: all at once), splitting first
 * at @split when it is non-zero. Each piece is fed from its own exact-size
 * heap copy. Returns the first non-OK status or what
 * mp_finish says. @r must be zeroed (or rec_free'd) before. */
static enum mp_status parse_ct(const char *ct, const char *body, size_t len, size_t split,
			       size_t step, struct rec *r)
{
	enum mp_status st;
	char *ct_copy = strdup(ct);
	struct mp_parser *p = mp_new(ct_copy, &cbs, r, &st);
	free(ct_copy);
	if (p == NULL)
		return st;
	size_t off = 0;
	while (st == MP_OK && off < len) {
		size_t n = len - off;
		if (split > off)
			n = split - off;
		else if (step > 0 && step < n)
			n = step;
		char *piece = malloc(n); /* exact size: ASan sees any over-read */
		memcpy(piece, body + off, n);
		st = mp_feed(p, piece, n);
		free(piece);
		off += n;
	}
	if (st == MP_OK)
		st = mp_finish(p);
	mp_free(p);
	return st;
}

static enum mp_status parse(const char *body, size_t len, struct rec *r)
{
	return parse_ct(CT, body, len, 0, 0, r);
}

static enum mp_status parse_str(const char *body, struct rec *r)
{
	return parse(body, strlen(body), r);
}

static bool body_is(const struct rec *r, int i, const char *data, size_t len)
{
	return r->body_len[i] == len && (len == 0 || memcmp(r->body[i], data, len) == 0);
}

static bool same_log(const struct rec *a, const struct rec *b)
{
	return a->log_len == b->log_len &&
	       (a->log_len == 0 || memcmp(a->log, b->log, a->log_len) == 0);
}

/* ---- A normal upload ---- */

static const char file_bytes[] = "PK\x03\x04\0\0\r\n--" /* NUL, CRLF, a dash pair */
				 "\r\n--"
				 "----nsBound"	      /* a boundary prefix */
				 "--" BOUNDARY "\r\n" /* boundary without CRLF */
				 "\r\n-"
				 "\r"
				 "\n\r\n--"
				 "----nsBoundary7MA4YWxkTrZu0g"
				 "\0end";
#define FILE_LEN (sizeof file_bytes - 1)

#define META "{\"title\":\"Q3 deck\",\"tags\":[\"a\"]}"

/* A two-part body (metadata JSON + file) in a malloc'd buffer. */
static char *upload(size_t *len)
{
	static const char head[] =
	    "--" BOUNDARY "\r\n"
	    "Content-Disposition: form-data; name=\"metadata\"\r\n"
	    "Content-Type: application/json\r\n"
	    "\r\n" META "\r\n"
	    "--" BOUNDARY "\r\n"
	    "content-disposition: form-data; name=\"file\"; filename=\"deck.pptx\"\r\n"
	    "CONTENT-TYPE: application/vnd.openxmlformats-officedocument.presentationml."
	    "presentation\r\n"
	    "\r\n";
	static const char tail[] = "\r\n--" BOUNDARY "--\r\n";
	size_t hl = sizeof head - 1, tl = sizeof tail - 1;
	char *b = malloc(hl + FILE_LEN + tl);
	memcpy(b, head, hl);
	memcpy(b + hl, file_bytes, FILE_LEN);
	memcpy(b + hl + FILE_LEN, tail, tl);
	*len = hl + FILE_LEN + tl;
	return b;
}

static void check_upload(const struct rec *r)
{
	CHECK(r->nbegin == 2 && r->nend == 2 && !r->bad_arg);
	CHECK_STR(r->name[0], "metadata");
	CHECK(!r->has_filename[0]);
	CHECK_STR(r->type[0], "application/json");
	CHECK(body_is(r, 0, META, strlen(META)));
	CHECK_STR(r->name[1], "file");
	CHECK(r->has_filename[1]);
	CHECK_STR(r->filename[1], "deck.pptx");
	CHECK_STR(r->type[1],
		  "application/vnd.openxmlformats-officedocument.presentationml.presentation");
	CHECK(body_is(r, 1, file_bytes, FILE_LEN));
}

static void two_parts(void)
{
	size_t len;
	char *b = upload(&len);
	struct rec r = {0};
	CHECK(parse(b, len, &r) == MP_OK);
	check_upload(&r);
	rec_free(&r);
	free(b);
}

static void every_split_gives_the_same_parts(void)
{
	size_t len;
	char *b = upload(&len);
	struct rec whole = {0}, r = {0};
	CHECK(parse(b, len, &whole) == MP_OK);
	for (size_t at = 1; at < len; at++) {
		CHECK(parse_ct(CT, b, len, at, 0, &r) == MP_OK);
		CHECK(same_log(&r, &whole));
		check_upload(&r);
		rec_free(&r);
	}
	for (size_t step = 1; step <= 80; step++) {
		CHECK(parse_ct(CT, b, len, 0, step, &r) == MP_OK);
		CHECK(same_log(&r, &whole));
		check_upload(&r);
		rec_free(&r);
	}
	rec_free(&whole);
	free(b);
}

/* A large file part reaches part_data as it arrives: never more than the
 * delimiter's length is held back. */
static void body_is_streamed(void)
{
	static const char head[] =
	    "--" BOUNDARY "\r\n"
	    "Content-Disposition: form-data; name=\"f\"; filename=\"a\"\r\n\r\n";
	char chunk[1000];
	struct rec r = {0};
	enum mp_status st;
	struct mp_parser *p = mp_new(CT, &cbs, &r, &st);
	CHECK(p != NULL && mp_feed(p, head, sizeof head - 1) == MP_OK);
	size_t fed = 0;
	for (int i = 0; i < 1000; i++) {
		memset(chunk, 'a' + i % 26, sizeof chunk);
		/* Each piece ends in the first 10 bytes of the delimiter. */
		memcpy(chunk + sizeof chunk - 10, "\r\n--" BOUNDARY, 10);
		CHECK(mp_feed(p, chunk, sizeof chunk) == MP_OK);
		fed += sizeof chunk;
		CHECK(r.data_total == fed - 10);
	}
	CHECK(mp_feed(p, "\r\n--" BOUNDARY "--", 6 + strlen(BOUNDARY)) == MP_OK);
	CHECK(mp_finish(p) == MP_OK);
	CHECK(r.data_total == fed && r.nend == 1);
	mp_free(p);
	rec_free(&r);
}

/* ---- Framing ---- */

static void binary_content_round_trips(void)
{
	char body[600], data[256 + 12];
	for (int i = 0; i < 256; i++)
		data[i] = (char)i;
	memcpy(data + 256, "\r\n\r\n--\0\r\n-\r\0", 12);
	int n = snprintf(body, sizeof body,
			 "--%s\r\nContent-Disposition: form-data; name=\"bin\"\r\n\r\n", BOUNDARY);
	memcpy(body + n, data, sizeof data);
	n += (int)sizeof data;
	n += snprintf(body + n, sizeof body - (size_t)n, "\r\n--%s--", BOUNDARY);
	struct rec r = {0};
	CHECK(parse(body, (size_t)n, &r) == MP_OK);
	CHECK(r.nbegin == 1 && body_is(&r, 0, data, sizeof data));
	rec_free(&r);
	CHECK(parse_ct(CT, body, (size_t)n, 0, 1, &r) == MP_OK);
	CHECK(r.nbegin == 1 && body_is(&r, 0, data, sizeof data));
	rec_free(&r);
}

static void quoted_boundary(void)
{
	const char *body = "--a'(b)+_,-./:=? c\r\n"
			   "Content-Disposition: form-data; name=x\r\n\r\n"
			   "v\r\n--a'(b)+_,-./:=? c--";
	struct rec r = {0};
	CHECK(parse_ct("Multipart/Form-Data ; charset=utf-8;Boundary=\"a'(b)+_,-./:=? c\"", body,
		       strlen(body), 0, 0, &r) == MP_OK);
	CHECK(r.nbegin == 1 && body_is(&r, 0, "v", 1));
	CHECK_STR(r.name[0], "x");
	rec_free(&r);
}

static void preamble_and_epilogue_are_ignored(void)
{
	const char *body = "This is a preamble.\r\n--not the boundary\r\n"
			   "\r\n--" BOUNDARY "\r\n"
			   "Content-Disposition: form-data; name=\"a\"\r\n\r\n"
			   "1\r\n--" BOUNDARY "--\r\n"
			   "epilogue \r\n--" BOUNDARY "\r\nanything\0";
	struct rec r = {0};
	CHECK(parse_str(body, &r) == MP_OK);
	CHECK(r.nbegin == 1 && r.nend == 1 && body_is(&r, 0, "1", 1));
	rec_free(&r);
}

static void transport_padding(void)
{
	const char *body = "--" BOUNDARY " \t \r\n"
			   "Content-Disposition: form-data; name=\"a\"\r\n\r\n"
			   "1\r\n--" BOUNDARY "\t\r\n"
			   "Content-Disposition: form-data; name=\"b\"\r\n\r\n"
			   "\r\n--" BOUNDARY "--";
	struct rec r = {0};
	CHECK(parse_str(body, &r) == MP_OK);
	CHECK(r.nbegin == 2 && body_is(&r, 0, "1", 1) && body_is(&r, 1, "", 0));
	rec_free(&r);
	/* Padding is whitespace only, and never before the closing "--". */
	CHECK(parse_str("--" BOUNDARY " x\r\n", &r) == MP_MALFORMED);
	rec_free(&r);
	CHECK(parse_str("--" BOUNDARY "\r\nContent-Disposition: form-data; name=a\r\n\r\n"
			"\r\n--" BOUNDARY " --",
			&r) == MP_MALFORMED);
	rec_free(&r);
}

static void delimiter_followed_by_junk_is_malformed(void)
{
	struct rec r = {0};
	CHECK(parse_str("--" BOUNDARY "\r\nContent-Disposition: form-data; name=a\r\n\r\n"
			"x\r\n--" BOUNDARY "X\r\n",
			&r) == MP_MALFORMED);
	CHECK(r.nend == 0);
	rec_free(&r);
	CHECK(parse_str("--" BOUNDARY "\n", &r) == MP_MALFORMED);
	rec_free(&r);
}

/* ---- mp_new ---- */

static void content_types(void)
{
	enum mp_status st = MP_OK;
	struct mp_parser *p;
	const char *bad[] = {
	    "multipart/form-data",
	    "multipart/form-data; charset=utf-8",
	    "multipart/mixed; boundary=" BOUNDARY,
	    "multipart/form-dataX; boundary=" BOUNDARY,
	    "text/plain",
	    "",
	    "multipart/form-data; boundary=",
	    "multipart/form-data; boundary=\"\"",
	    "multipart/form-data; boundary=\"unterminated",
	    "multipart/form-data; boundary=x",
	    "multipart/form-data; boundary=1234567",
	    "multipart/form-data; boundary=\"endswithspace \"",
	    "multipart/form-data; boundary=has\\backslash",
	    "multipart/form-data; boundary=semi;colon",
	    "multipart/form-data; boundary=" BOUNDARY "; boundary=" BOUNDARY,
	    "multipart/form-data; boundary",
	    "multipart/form-data boundary=" BOUNDARY,
	    "multipart/form-data; boundary=\"" BOUNDARY "\"junk",
	    "multipart/form-data; boundary=\"abcdefgh\xc3\xa9\"",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *ct = strdup(bad[i]); /* exact size: ASan sees any over-read */
		st = MP_OK;
		p = mp_new(ct, &cbs, NULL, &st);
		free(ct);
		if (p != NULL || st != MP_BAD_CONTENT_TYPE)
			printf("  # accepted: %s\n", bad[i]);
		CHECK(p == NULL && st == MP_BAD_CONTENT_TYPE);
		mp_free(p);
	}
	CHECK(mp_new(NULL, &cbs, NULL, &st) == NULL && st == MP_BAD_CONTENT_TYPE);
	const char *good[] = {
	    "multipart/form-data; boundary=12345678",
	    "  MULTIPART/FORM-DATA;boundary=12345678  ",
	    "multipart/form-data; charset=\"x;y\"; boundary = \"12345678\" ;",
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		p = mp_new(good[i], &cbs, NULL, &st);
		CHECK(p != NULL && st == MP_OK);
		mp_free(p);
	}
}

static void boundary_lengths(void)
{
	char ct[200], body[400];
	enum mp_status st;
	struct rec r = {0};
	CHECK(mp_new("multipart/form-data; boundary=a", &cbs, NULL, &st) == NULL);
	CHECK(st == MP_BAD_CONTENT_TYPE);
	char b[MP_BOUNDARY_MAX + 2];
	memset(b, 'b', sizeof b - 1);
	b[MP_BOUNDARY_MAX + 1] = '\0'; /* 71 characters */
	snprintf(ct, sizeof ct, "multipart/form-data; boundary=%s", b);
	CHECK(mp_new(ct, &cbs, NULL, &st) == NULL && st == MP_BAD_CONTENT_TYPE);
	b[MP_BOUNDARY_MAX] = '\0'; /* 70: the longest allowed */
	snprintf(ct, sizeof ct, "multipart/form-data; boundary=\"%s\"", b);
	snprintf(body, sizeof body,
		 "--%s\r\nContent-Disposition: form-data; name=n\r\n\r\n"
		 "\r\n--%.69s\r\n--%s--",
		 b, b, b);
	char want[4 + MP_BOUNDARY_MAX];
	snprintf(want, sizeof want, "\r\n--%.69s", b); /* the delimiter but one byte */
	CHECK(parse_ct(ct, body, strlen(body), 0, 1, &r) == MP_OK);
	CHECK(r.nbegin == 1 && body_is(&r, 0, want, 4 + MP_BOUNDARY_MAX - 1));
	rec_free(&r);
	CHECK(parse_ct(ct, body, strlen(body), 0, 0, &r) == MP_OK);
	CHECK(r.nbegin == 1 && body_is(&r, 0, want, 4 + MP_BOUNDARY_MAX - 1));
	rec_free(&r);
}

/* ---- Headers ---- */

#define END "x\r\n--" BOUNDARY "--"

static enum mp_status parse_one(const char *disp, const char *rest, struct rec *r)
{
	char body[12000];
	int n = snprintf(body, sizeof body, "--%s\r\nContent-Disposition: %s\r\n%s\r\nx\r\n--%s--",
			 BOUNDARY, disp, rest, BOUNDARY);
	return parse(body, (size_t)n, r);
}

static void disposition_parameters(void)
{
	struct rec r = {0};
	CHECK(parse_one("FORM-DATA; NAME=\"a b\"; FileName=\"x \\\"y\\\" \\\\z.txt\"", "", &r) ==
	      MP_OK);
	CHECK_STR(r.name[0], "a b");
	CHECK_STR(r.filename[0], "x \"y\" \\z.txt");
	CHECK(!r.has_type[0]);
	rec_free(&r);
	/* Paths pass through raw; a lone backslash is kept as sent. */
	CHECK(parse_one("form-data; name=f; filename=\"../../etc/passwd\"", "", &r) == MP_OK);
	CHECK_STR(r.filename[0], "../../etc/passwd");
	rec_free(&r);
	CHECK(parse_one("form-data; name=f; filename=\"C:\\dir\\a.pdf\"", "", &r) == MP_OK);
	CHECK_STR(r.filename[0], "C:\\dir\\a.pdf");
	rec_free(&r);
	/* Empty name is allowed; filename* is ignored; unknown params too. */
	CHECK(parse_one("form-data; name=\"\"; filename*=UTF-8''a%20b; size=3", "", &r) == MP_OK);
	CHECK_STR(r.name[0], "");
	CHECK(!r.has_filename[0]);
	rec_free(&r);
	CHECK(parse_one("form-data;name=tok;filename=\"\"  ;", "X-Other: 1\r\n", &r) == MP_OK);
	CHECK_STR(r.name[0], "tok");
	CHECK(r.has_filename[0]);
	CHECK_STR(r.filename[0], "");
	rec_free(&r);
}

static void bad_dispositions(void)
{
	struct rec r = {0};
	const char *bad[] = {
	    "form-data",
	    "form-data; filename=\"a\"",
	    "attachment; name=\"a\"",
	    "form-data; name=\"a",
	    "form-data; name=\"a\" junk",
	    "form-data; name=\"a\"; name=\"b\"",
	    "form-data; name=a; filename=b; filename=c",
	    "form-data; name=",
	    "form-data; =a",
	    "form-data; name",
	    "form-data name=a",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK(parse_one(bad[i], "", &r) == MP_MALFORMED);
		CHECK(r.nbegin == 0);
		rec_free(&r);
	}
	/* No Content-Disposition at all. */
	CHECK(parse_str("--" BOUNDARY "\r\nContent-Type: text/plain\r\n\r\n" END, &r) ==
	      MP_MALFORMED);
	rec_free(&r);
	CHECK(parse_str("--" BOUNDARY "\r\n\r\n" END, &r) == MP_MALFORMED);
	rec_free(&r);
	CHECK(parse_one("form-data; name=a", "Content-Disposition: form-data; name=b\r\n", &r) ==
	      MP_MALFORMED);
	rec_free(&r);
}

static void bad_header_lines(void)
{
	struct rec r = {0};
	const char *bad[] = {
	    "No colon here\r\n",
	    ": empty name\r\n",
	    "Bad Name: x\r\n",
	    " folded: x\r\n",
	    "X-A: tab ok\t but bell \a\r\n",
	    "X-A: bare\nlf\r\n",
	    "X-A: bare\rcr\r\n",
	    "X-A: del \x7f\r\n",
	    "Content-Type: a\r\nContent-Type: b\r\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK(parse_one("form-data; name=a", bad[i], &r) == MP_MALFORMED);
		CHECK(r.nbegin == 0);
		rec_free(&r);
	}
	/* NUL bytes (not through snprintf, which would stop at them). */
	static const char nul_line[] = "--" BOUNDARY "\r\nContent-Disposition: form-data; name=a"
				       "\r\nX-A: n\0l\r\n\r\n" END;
	static const char nul_name[] = "--" BOUNDARY "\r\nContent-Disposition: form-data; "
				       "name=\"a\0b\"\r\n\r\n" END;
	CHECK(parse(nul_line, sizeof nul_line - 1, &r) == MP_MALFORMED && r.nbegin == 0);
	rec_free(&r);
	CHECK(parse(nul_name, sizeof nul_name - 1, &r) == MP_MALFORMED && r.nbegin == 0);
	rec_free(&r);
	/* Control bytes in the Content-Disposition line itself. */
	CHECK(parse_one("form-data; name=\"a\x01\"", "", &r) == MP_MALFORMED);
	rec_free(&r);
	CHECK(parse_one("form-data; name=a", "X-Tab:\tok\t\r\nX-Utf8: caf\xc3\xa9\r\n", &r) ==
	      MP_OK);
	rec_free(&r);
}

static void limits(void)
{
	static char big[MP_HEADERS_MAX + 100], val[MP_HEADERS_MAX];
	struct rec r = {0};
	/* The block, CRLFs and blank line included, may be MP_HEADERS_MAX bytes. */
	const char *cd = "Content-Disposition: form-data; name=a\r\n";
	memset(val, 'p', sizeof val);
	for (size_t extra = 0; extra <= 1; extra++) {
		size_t pad = MP_HEADERS_MAX - strlen(cd) - strlen("X-Pad: \r\n\r\n") + extra;
		snprintf(big, sizeof big, "X-Pad: %.*s\r\n", (int)pad, val);
		CHECK(parse_one("form-data; name=a", big, &r) == (extra ? MP_TOO_LARGE : MP_OK));
		CHECK(r.nbegin == (extra ? 0 : 1));
		rec_free(&r);
	}

	memset(val, 'n', MP_NAME_MAX);
	snprintf(big, sizeof big, "form-data; name=\"%.*s\"", MP_NAME_MAX, val);
	CHECK(parse_one(big, "", &r) == MP_OK && strlen(r.name[0]) == MP_NAME_MAX);
	rec_free(&r);
	snprintf(big, sizeof big, "form-data; name=\"%.*sn\"", MP_NAME_MAX, val);
	CHECK(parse_one(big, "", &r) == MP_TOO_LARGE);
	rec_free(&r);

	memset(val, 'f', MP_FILENAME_MAX + 1);
	snprintf(big, sizeof big, "form-data; name=a; filename=%.*s", MP_FILENAME_MAX, val);
	CHECK(parse_one(big, "", &r) == MP_OK && strlen(r.filename[0]) == MP_FILENAME_MAX);
	rec_free(&r);
	snprintf(big, sizeof big, "form-data; name=a; filename=%.*s", MP_FILENAME_MAX + 1, val);
	CHECK(parse_one(big, "", &r) == MP_TOO_LARGE);
	rec_free(&r);

	memset(val, 't', MP_TYPE_MAX + 1);
	snprintf(big, sizeof big, "Content-Type: %.*s\r\n", MP_TYPE_MAX, val);
	CHECK(parse_one("form-data; name=a", big, &r) == MP_OK);
	CHECK(strlen(r.type[0]) == MP_TYPE_MAX);
	rec_free(&r);
	snprintf(big, sizeof big, "Content-Type: %.*s\r\n", MP_TYPE_MAX + 1, val);
	CHECK(parse_one("form-data; name=a", big, &r) == MP_TOO_LARGE);
	rec_free(&r);
}

static void too_many_parts(void)
{
	static char body[8000];
	struct rec r = {0};
	for (int parts = MP_PARTS_MAX; parts <= MP_PARTS_MAX + 1; parts++) {
		size_t n = 0;
		for (int i = 0; i < parts; i++)
			n += (size_t)snprintf(body + n, sizeof body - n,
					      "--%s\r\nContent-Disposition: form-data; name=p%d"
					      "\r\n\r\n%d\r\n",
					      BOUNDARY, i, i);
		n += (size_t)snprintf(body + n, sizeof body - n, "--%s--", BOUNDARY);
		enum mp_status st = parse(body, n, &r);
		CHECK(st == (parts > MP_PARTS_MAX ? MP_TOO_LARGE : MP_OK));
		CHECK(r.nbegin == MP_PARTS_MAX && r.nend == MP_PARTS_MAX);
		rec_free(&r);
	}
}

/* ---- Ends and failures ---- */

static void incomplete_bodies(void)
{
	struct rec r = {0};
	const char *bad[] = {
	    "",
	    "just a preamble",
	    "--" BOUNDARY,
	    "--" BOUNDARY "-",
	    "--" BOUNDARY "--", /* closed with no part */
	    "--" BOUNDARY "\r\nContent-Disposition: form-data; name=a",
	    "--" BOUNDARY "\r\nContent-Disposition: form-data; name=a\r\n\r\nbody",
	    "--" BOUNDARY "\r\nContent-Disposition: form-data; name=a\r\n\r\nbody\r\n--" BOUNDARY,
	    "--" BOUNDARY "\r\nContent-Disposition: form-data; name=a\r\n\r\nbody\r\n--" BOUNDARY
	    "\r\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK(parse_str(bad[i], &r) == MP_MALFORMED);
		rec_free(&r);
	}
	/* Unterminated: the body so far was delivered, but no part_end. */
	CHECK(parse_str(bad[6], &r) == MP_MALFORMED);
	CHECK(r.nbegin == 1 && r.nend == 0 && body_is(&r, 0, "body", 4));
	rec_free(&r);
}

static void failure_sticks(void)
{
	size_t len;
	char *b = upload(&len);
	struct rec r = {0};
	enum mp_status st;
	struct mp_parser *p = mp_new(CT, &cbs, &r, &st);
	static const char bad[] = "--" BOUNDARY "\r\nNo colon\r\n";
	CHECK(mp_feed(p, bad, sizeof bad - 1) == MP_MALFORMED);
	CHECK(mp_feed(p, b, len) == MP_MALFORMED);
	CHECK(mp_feed(p, "", 0) == MP_MALFORMED);
	CHECK(mp_finish(p) == MP_MALFORMED);
	CHECK(r.ncalls == 0);
	mp_free(p);
	/* mp_finish failing sticks too. */
	p = mp_new(CT, &cbs, &r, &st);
	CHECK(mp_finish(p) == MP_MALFORMED);
	CHECK(mp_feed(p, b, len) == MP_MALFORMED && r.ncalls == 0);
	mp_free(p);
	rec_free(&r);
	free(b);
}

static void callback_aborts(void)
{
	size_t len;
	char *b = upload(&len);
	struct rec r = {0};
	/* begin, data, end, begin, data, end: stop at each one in turn. */
	for (int at = 1; at <= 6; at++) {
		for (size_t step = 0; step <= 1; step++) {
			enum mp_status st;
			r.abort_at_call = at;
			struct mp_parser *p = mp_new(CT, &cbs, &r, &st);
			for (size_t off = 0; off < len; off += step ? step : len)
				st = mp_feed(p, b + off, step ? step : len);
			CHECK(st == MP_ABORTED);
			CHECK(r.ncalls == at);
			CHECK(mp_feed(p, b, len) == MP_ABORTED);
			CHECK(mp_finish(p) == MP_ABORTED);
			CHECK(r.ncalls == at);
			mp_free(p);
			rec_free(&r);
		}
	}
	free(b);
}

static void null_callbacks_are_skipped(void)
{
	static const struct mp_callbacks none = {NULL, NULL, NULL};
	size_t len;
	char *b = upload(&len);
	enum mp_status st;
	struct mp_parser *p = mp_new(CT, &none, NULL, &st);
	CHECK(mp_feed(p, b, len) == MP_OK && mp_finish(p) == MP_OK);
	mp_free(p);
	mp_free(NULL);
	free(b);
	CHECK(strlen(mp_status_text(MP_TOO_LARGE)) > 0);
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

/* Flips, inserts or deletes a few bytes, favouring framing characters. */
static size_t mutate(char *buf, size_t len, size_t cap)
{
	static const char interesting[] = "\r\n-\"\\;=: \t\0" BOUNDARY;
	int edits = 1 + (int)rnd(6);
	for (int e = 0; e < edits; e++) {
		char c = rnd(2) ? interesting[rnd(sizeof interesting - 1)] : (char)rnd(256);
		size_t at = len ? rnd((unsigned)len) : 0;
		switch (rnd(3)) {
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
		default:
			if (len > 0) {
				memmove(buf + at, buf + at + 1, len - at - 1);
				len--;
			}
		}
	}
	return len;
}

/* Random piece sizes must not change the outcome nor what callbacks see. */
static void fuzz(void)
{
	size_t len;
	char *orig = upload(&len);
	size_t cap = len + 64;
	char *buf = malloc(cap);
	struct rec whole = {0}, pieces = {0};
	int ok = 0;
	for (int iter = 0; iter < 4000; iter++) {
		memcpy(buf, orig, len);
		size_t n = mutate(buf, len, cap);
		enum mp_status a = parse(buf, n, &whole);
		enum mp_status b = parse_ct(CT, buf, n, rnd((unsigned)n + 1), 1 + rnd(40), &pieces);
		CHECK(a >= MP_OK && a <= MP_NOMEM && a != MP_BAD_CONTENT_TYPE && a != MP_ABORTED);
		CHECK(a == b);
		CHECK(same_log(&whole, &pieces));
		CHECK(!whole.bad_arg && whole.nend <= whole.nbegin && whole.data_total <= n);
		ok += a == MP_OK;
		rec_free(&whole);
		rec_free(&pieces);
	}
	CHECK(ok > 0 && ok < 4000);
	free(buf);
	free(orig);
}

int main(void)
{
	TEST(two_parts);
	TEST(every_split_gives_the_same_parts);
	TEST(body_is_streamed);
	TEST(binary_content_round_trips);
	TEST(quoted_boundary);
	TEST(preamble_and_epilogue_are_ignored);
	TEST(transport_padding);
	TEST(delimiter_followed_by_junk_is_malformed);
	TEST(content_types);
	TEST(boundary_lengths);
	TEST(disposition_parameters);
	TEST(bad_dispositions);
	TEST(bad_header_lines);
	TEST(limits);
	TEST(too_many_parts);
	TEST(incomplete_bodies);
	TEST(failure_sticks);
	TEST(callback_aborts);
	TEST(null_callbacks_are_skipped);
	TEST(fuzz);
	return HARNESS_EXIT();
}
