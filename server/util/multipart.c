/* Streaming multipart/form-data parser (RFC 7578, RFC 2046).
 *
 * How it works: a small state machine driven byte by byte, except where a
 * whole run can be handled at once.
 *
 *   PREAMBLE --delimiter--> DELIM_TAIL --"--"--> CLOSE_DASH --> EPILOGUE
 *                            |  SP/HT -> PADDING
 *                            |  CR -> DELIM_LF --LF--> HEADERS --empty line--> BODY
 *   BODY --delimiter--> DELIM_TAIL ...
 *
 * The delimiter is "\r\n--" boundary. Its only CR is its first byte (CR is
 * not a boundary character), so after a mismatch no suffix of what matched
 * can start a new match: the matcher just falls back to zero and looks at
 * the same byte again (no KMP table needed). What a partial match has seen
 * is exactly a prefix of the delimiter, so it is held back as a count, not
 * a copy, and handed to part_data from the delimiter itself if it turns
 * out to be data. The preamble starts with the matcher two bytes in, as if
 * the body were preceded by CRLF, so a body starting "--boundary" works.
 *
 * Header lines are collected one at a time (the whole block bounded by
 * MP_HEADERS_MAX) and parsed as each one ends. Choices beyond the RFCs:
 * obsolete line folding, duplicate Content-Disposition / Content-Type
 * headers and duplicate name / filename parameters are refused (different
 * parsers would pick different copies); `filename*=` (RFC 5987, forbidden
 * for form-data by RFC 7578 4.2) is ignored; inside quotes a backslash
 * escapes only '"' and '\', any other backslash is kept (old browsers send
 * raw Windows paths); a full delimiter followed by anything but "--" or
 * whitespace + CRLF is malformed (RFC 2046 forbids it inside a part).
 * Callback members may be NULL. */
#include "multipart.h"

#include <stdlib.h>
#include <string.h>

#define DELIM_PREFIX	 "\r\n--"
#define DELIM_PREFIX_LEN 4

enum state {
	S_PREAMBLE,   /* looking for the first delimiter, discarding bytes */
	S_DELIM_TAIL, /* just after a delimiter: "--", padding or CRLF */
	S_CLOSE_DASH, /* one '-' of the closing "--" seen */
	S_PADDING,    /* transport padding (SP/HT) before CRLF */
	S_DELIM_LF,   /* CR after a delimiter seen, LF expected */
	S_HEADERS,    /* in a part's header block */
	S_BODY,	      /* in a part's body, looking for the delimiter */
	S_EPILOGUE,   /* after the closing delimiter, discarding bytes */
};

struct mp_parser {
	const struct mp_callbacks *cb;
	void *cls;
	enum mp_status status; /* sticky once not MP_OK */
	enum state state;
	char delim[DELIM_PREFIX_LEN + MP_BOUNDARY_MAX]; /* not NUL-terminated */
	size_t dlen;
	size_t match; /* bytes of delim matched so far (held back) */
	bool in_part; /* part_begin called, part_end not yet */
	unsigned nparts;

	/* The header block of the current part. */
	size_t hdr_total; /* bytes of the block so far, CRLFs included */
	size_t line_len;
	bool line_cr; /* the last byte was CR */
	bool has_disposition, has_name, has_filename, has_type;
	char line[MP_HEADERS_MAX];
	char name[MP_NAME_MAX + 1];
	char filename[MP_FILENAME_MAX + 1];
	char type[MP_TYPE_MAX + 1];
};

/* ---- Small lexing helpers over spans (not NUL-terminated) ---- */

struct cursor {
	const char *s;
	size_t n, i;
};

/* A "name=value" parameter; @val is the raw span (inside quotes if quoted). */
struct param {
	const char *name, *val;
	size_t name_len, val_len;
	bool quoted;
};

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Whether @s[0..@n) equals the lowercase literal @lit, ignoring ASCII case. */
static bool ieq(const char *s, size_t n, const char *lit)
{
	if (strlen(lit) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower(s[i]) != lit[i])
			return false;
	return true;
}

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* RFC 7230 tchar. */
static bool is_tchar(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* RFC 2046 bchars. */
static bool is_bchar(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c != '\0' && strchr("'()+_,-./:=? ", c) != NULL);
}

static void skip_ows(struct cursor *c)
{
	while (c->i < c->n && is_ows(c->s[c->i]))
		c->i++;
}

/* Takes the run of bytes up to ';', whitespace, '"' or the end; sets
 * *@len to its length and returns its start. */
static const char *take_word(struct cursor *c, size_t *len)
{
	size_t start = c->i;
	while (c->i < c->n && c->s[c->i] != ';' && c->s[c->i] != '"' && !is_ows(c->s[c->i]))
		c->i++;
	*len = c->i - start;
	return c->s + start;
}

/* An escape inside quotes: a backslash before '"' or '\'. */
static bool is_escape(const char *s, size_t i, size_t n)
{
	return s[i] == '\\' && i + 1 < n && (s[i + 1] == '"' || s[i + 1] == '\\');
}

/* Reads a quoted string whose opening quote is at c->i into @pm's value.
 * Returns false when it is not closed. */
static bool take_quoted(struct cursor *c, struct param *pm)
{
	size_t start = ++c->i;
	while (c->i < c->n && c->s[c->i] != '"')
		c->i += is_escape(c->s, c->i, c->n) ? 2 : 1;
	if (c->i >= c->n)
		return false;
	pm->val = c->s + start;
	pm->val_len = c->i - start;
	pm->quoted = true;
	c->i++;
	return true;
}

/* Reads the next "; name=value" parameter (whitespace allowed around each
 * piece, a trailing ';' tolerated). Returns 1 with *@pm filled, 0 at the
 * end of the span, -1 on a syntax error. */
static int next_param(struct cursor *c, struct param *pm)
{
	skip_ows(c);
	if (c->i >= c->n)
		return 0;
	if (c->s[c->i] != ';')
		return -1;
	c->i++;
	skip_ows(c);
	if (c->i >= c->n)
		return 0;
	size_t start = c->i;
	while (c->i < c->n && is_tchar(c->s[c->i]))
		c->i++;
	pm->name = c->s + start;
	pm->name_len = c->i - start;
	skip_ows(c);
	if (pm->name_len == 0 || c->i >= c->n || c->s[c->i] != '=')
		return -1;
	c->i++;
	skip_ows(c);
	if (c->i < c->n && c->s[c->i] == '"')
		return take_quoted(c, pm) ? 1 : -1;
	pm->quoted = false;
	pm->val = take_word(c, &pm->val_len);
	return pm->val_len > 0 ? 1 : -1;
}

/* Copies @pm's value, unescaped, NUL-terminated, into @out (room for
 * @max bytes plus the NUL). Returns false when it is longer than @max. */
static bool copy_value(const struct param *pm, char *out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < pm->val_len; i++) {
		if (pm->quoted && is_escape(pm->val, i, pm->val_len))
			i++;
		if (n == max)
			return false;
		out[n++] = pm->val[i];
	}
	out[n] = '\0';
	return true;
}

/* ---- mp_new: the Content-Type header ---- */

/* Finds the boundary parameter in the parameters at @c and copies it into
 * @out (MP_BOUNDARY_MAX + 1 bytes). Returns false when it is missing,
 * repeated, malformed or not a valid RFC 2046 boundary. */
static bool find_boundary(struct cursor *c, char *out, size_t *len)
{
	struct param pm;
	bool found = false;
	int r;
	while ((r = next_param(c, &pm)) == 1) {
		if (!ieq(pm.name, pm.name_len, "boundary"))
			continue;
		if (found || !copy_value(&pm, out, MP_BOUNDARY_MAX))
			return false;
		found = true;
	}
	if (r < 0 || !found)
		return false;
	*len = strlen(out);
	if (*len < MP_BOUNDARY_MIN || out[*len - 1] == ' ')
		return false;
	for (size_t i = 0; i < *len; i++)
		if (!is_bchar(out[i]))
			return false;
	return true;
}

/* Fills @p's delimiter from @content_type; false when it is unusable. */
static bool parse_content_type(struct mp_parser *p, const char *content_type)
{
	struct cursor c = {content_type, strlen(content_type), 0};
	char boundary[MP_BOUNDARY_MAX + 1];
	size_t blen, tlen;
	skip_ows(&c);
	const char *type = take_word(&c, &tlen);
	if (!ieq(type, tlen, "multipart/form-data") || !find_boundary(&c, boundary, &blen))
		return false;
	memcpy(p->delim, DELIM_PREFIX, DELIM_PREFIX_LEN);
	memcpy(p->delim + DELIM_PREFIX_LEN, boundary, blen);
	p->dlen = DELIM_PREFIX_LEN + blen;
	return true;
}

struct mp_parser *mp_new(const char *content_type, const struct mp_callbacks *cb, void *cls,
			 enum mp_status *st)
{
	enum mp_status dummy;
	if (st == NULL)
		st = &dummy;
	struct mp_parser *p = calloc(1, sizeof *p);
	if (p == NULL) {
		*st = MP_NOMEM;
		return NULL;
	}
	if (content_type == NULL || !parse_content_type(p, content_type)) {
		free(p);
		*st = MP_BAD_CONTENT_TYPE;
		return NULL;
	}
	p->cb = cb;
	p->cls = cls;
	p->state = S_PREAMBLE;
	p->match = 2; /* as if the body were preceded by CRLF */
	*st = MP_OK;
	return p;
}

/* ---- Callbacks ---- */

static void fail(struct mp_parser *p, enum mp_status st)
{
	if (p->status == MP_OK)
		p->status = st;
}

/* Hands @len body bytes to part_data (nothing in the preamble). Returns
 * false when the callback stopped the parser. */
static bool emit(struct mp_parser *p, const char *data, size_t len)
{
	if (len == 0 || p->state != S_BODY || p->cb->part_data == NULL)
		return true;
	if (p->cb->part_data(p->cls, data, len) != 0) {
		fail(p, MP_ABORTED);
		return false;
	}
	return true;
}

static void end_part(struct mp_parser *p)
{
	if (!p->in_part)
		return;
	p->in_part = false;
	if (p->cb->part_end != NULL && p->cb->part_end(p->cls) != 0)
		fail(p, MP_ABORTED);
}

static void begin_part(struct mp_parser *p)
{
	if (!p->has_disposition || !p->has_name) {
		fail(p, MP_MALFORMED);
		return;
	}
	p->nparts++;
	p->in_part = true;
	p->state = S_BODY;
	p->match = 0;
	if (p->cb->part_begin != NULL &&
	    p->cb->part_begin(p->cls, p->name, p->has_filename ? p->filename : NULL,
			      p->has_type ? p->type : NULL) != 0)
		fail(p, MP_ABORTED);
}

/* ---- Preamble and body: looking for the delimiter ---- */

/* Scans @d[0..@n) for the delimiter, carrying a partial match over in
 * p->match. In a body, the bytes before it go to part_data. Returns the
 * bytes consumed: up to the end of the delimiter if it was completed
 * (the state is then S_DELIM_TAIL), else all of them. */
static size_t scan_delim(struct mp_parser *p, const char *d, size_t n)
{
	size_t held = p->match; /* delimiter prefix from earlier pieces */
	size_t start = 0;	/* first byte of d not yet handed over */
	size_t mbeg = 0;	/* where the current match starts in d */
	size_t i = 0;
	while (i < n) {
		if (p->match == 0) {
			const char *cr = memchr(d + i, '\r', n - i);
			if (cr == NULL)
				break;
			mbeg = (size_t)(cr - d);
			i = mbeg + 1;
			p->match = 1;
		} else if (d[i] == p->delim[p->match]) {
			i++;
			if (++p->match < p->dlen)
				continue;
			if (emit(p, d + start, mbeg - start)) {
				p->match = 0;
				p->state = S_DELIM_TAIL;
			}
			return i;
		} else {
			/* What matched was data after all; look at d[i] again. */
			if (held > 0 && !emit(p, p->delim, held))
				return n;
			held = 0;
			p->match = 0;
		}
	}
	emit(p, d + start, (p->match > 0 ? mbeg : n) - start);
	return n;
}

/* ---- After a delimiter ---- */

static void start_headers(struct mp_parser *p)
{
	if (p->nparts >= MP_PARTS_MAX) {
		fail(p, MP_TOO_LARGE);
		return;
	}
	p->state = S_HEADERS;
	p->hdr_total = 0;
	p->line_len = 0;
	p->line_cr = false;
	p->has_disposition = p->has_name = p->has_filename = p->has_type = false;
}

/* One byte of what follows a delimiter: "--" (closing), or optional
 * transport padding then CRLF (a part follows). */
static void delim_tail(struct mp_parser *p, char c)
{
	switch (p->state) {
	case S_DELIM_TAIL:
	case S_PADDING:
		if (c == '-' && p->state == S_DELIM_TAIL)
			p->state = S_CLOSE_DASH;
		else if (is_ows(c))
			p->state = S_PADDING;
		else if (c == '\r')
			p->state = S_DELIM_LF;
		else
			break;
		return;
	case S_CLOSE_DASH:
		if (c == '-') {
			p->state = S_EPILOGUE;
			end_part(p);
			return;
		}
		break;
	case S_DELIM_LF:
		if (c == '\n') {
			end_part(p);
			if (p->status == MP_OK)
				start_headers(p);
			return;
		}
		break;
	default:
		break;
	}
	fail(p, MP_MALFORMED);
}

/* ---- Headers ---- */

/* Content-Disposition: form-data; name="..."; filename="..." */
static enum mp_status parse_disposition(struct mp_parser *p, struct cursor *c)
{
	struct param pm;
	size_t tlen;
	int r;
	if (p->has_disposition)
		return MP_MALFORMED;
	p->has_disposition = true;
	const char *type = take_word(c, &tlen);
	if (!ieq(type, tlen, "form-data"))
		return MP_MALFORMED;
	while ((r = next_param(c, &pm)) == 1) {
		if (ieq(pm.name, pm.name_len, "name")) {
			if (p->has_name)
				return MP_MALFORMED;
			if (!copy_value(&pm, p->name, MP_NAME_MAX))
				return MP_TOO_LARGE;
			p->has_name = true;
		} else if (ieq(pm.name, pm.name_len, "filename")) {
			if (p->has_filename)
				return MP_MALFORMED;
			if (!copy_value(&pm, p->filename, MP_FILENAME_MAX))
				return MP_TOO_LARGE;
			p->has_filename = true;
		}
	}
	return r < 0 ? MP_MALFORMED : MP_OK;
}

/* Content-Type: kept as sent (parameters included); empty means absent. */
static enum mp_status parse_type(struct mp_parser *p, const struct cursor *c)
{
	size_t n = c->n - c->i;
	if (p->has_type)
		return MP_MALFORMED;
	if (n > MP_TYPE_MAX)
		return MP_TOO_LARGE;
	memcpy(p->type, c->s + c->i, n);
	p->type[n] = '\0';
	p->has_type = n > 0;
	return MP_OK;
}

/* One header line "Name: value" (without its CRLF, CTLs already refused). */
static enum mp_status parse_header(struct mp_parser *p, const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	if (colon == NULL)
		return MP_MALFORMED;
	size_t nlen = (size_t)(colon - s);
	if (nlen == 0)
		return MP_MALFORMED;
	for (size_t i = 0; i < nlen; i++)
		if (!is_tchar(s[i]))
			return MP_MALFORMED; /* also folded lines and "Name :" */
	struct cursor c = {colon + 1, n - nlen - 1, 0};
	skip_ows(&c);
	while (c.n > c.i && is_ows(c.s[c.n - 1]))
		c.n--;
	if (ieq(s, nlen, "content-disposition"))
		return parse_disposition(p, &c);
	if (ieq(s, nlen, "content-type"))
		return parse_type(p, &c);
	return MP_OK;
}

/* A header line ended: parse it, or begin the part after the empty line. */
static void end_line(struct mp_parser *p)
{
	if (p->line_len == 0) {
		begin_part(p);
		return;
	}
	enum mp_status st = parse_header(p, p->line, p->line_len);
	if (st != MP_OK)
		fail(p, st);
	p->line_len = 0;
}

/* One byte of the header block. Lines end in CRLF; a bare CR or LF, NUL
 * and other control bytes (HT aside) are malformed. */
static void header_byte(struct mp_parser *p, unsigned char c)
{
	if (++p->hdr_total > MP_HEADERS_MAX) {
		fail(p, MP_TOO_LARGE);
	} else if (p->line_cr) {
		p->line_cr = false;
		if (c == '\n')
			end_line(p);
		else
			fail(p, MP_MALFORMED);
	} else if (c == '\r') {
		p->line_cr = true;
	} else if ((c < 0x20 && c != '\t') || c == 0x7f) {
		fail(p, MP_MALFORMED);
	} else {
		p->line[p->line_len++] = (char)c; /* line_len < hdr_total */
	}
}

/* Feeds header bytes until the block ends; returns the bytes consumed. */
static size_t scan_headers(struct mp_parser *p, const char *d, size_t n)
{
	size_t i = 0;
	while (i < n && p->state == S_HEADERS && p->status == MP_OK)
		header_byte(p, (unsigned char)d[i++]);
	return i;
}

/* ---- The API ---- */

enum mp_status mp_feed(struct mp_parser *p, const char *data, size_t len)
{
	size_t i = 0;
	while (i < len && p->status == MP_OK) {
		switch (p->state) {
		case S_PREAMBLE:
		case S_BODY:
			i += scan_delim(p, data + i, len - i);
			break;
		case S_HEADERS:
			i += scan_headers(p, data + i, len - i);
			break;
		case S_EPILOGUE:
			i = len;
			break;
		default:
			delim_tail(p, data[i++]);
			break;
		}
	}
	return p->status;
}

enum mp_status mp_finish(struct mp_parser *p)
{
	if (p->state != S_EPILOGUE || p->nparts == 0)
		fail(p, MP_MALFORMED);
	return p->status;
}

const char *mp_status_text(enum mp_status st)
{
	switch (st) {
	case MP_OK:
		return "ok";
	case MP_BAD_CONTENT_TYPE:
		return "not multipart/form-data with a usable boundary";
	case MP_MALFORMED:
		return "malformed multipart body";
	case MP_TOO_LARGE:
		return "multipart header, name or part count too large";
	case MP_ABORTED:
		return "multipart parsing stopped";
	case MP_NOMEM:
		return "out of memory";
	}
	return "unknown multipart status";
}

void mp_free(struct mp_parser *p)
{
	free(p);
}
