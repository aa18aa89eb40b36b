/* The values of CRM exports: amounts, dates, character sets, names (the
 * contracts are in import_values.h).
 *
 * Every parser works on a span [p, end) of the trimmed input and reads it
 * left to right by hand: no strtod, no sscanf, no ctype (all of them
 * follow the locale). Amounts are split into tokens (number, currency,
 * sign, parenthesis) whose order is then checked; dates are read into a
 * shape (which numbers stand where) that is then checked against the
 * calendar in the order asked for, so a slash date can be tried both ways. */
#include "import_values.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- Shared ------------------------------------------------------------ */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool is_letter(char c)
{
	return is_upper(c) || (c >= 'a' && c <= 'z');
}

static char lower(char c)
{
	return is_upper(c) ? (char)(c - 'A' + 'a') : c;
}

/* Whether [p, end) starts with @lit. */
static bool starts(const char *p, const char *end, const char *lit)
{
	size_t n = strlen(lit);
	return (size_t)(end - p) >= n && memcmp(p, lit, n) == 0;
}

/* The length of the space at @p (ASCII space or tab, U+00A0, U+202F), or 0. */
static size_t space_at(const char *p, const char *end)
{
	if (p < end && (*p == ' ' || *p == '\t'))
		return 1;
	if (starts(p, end, "\xC2\xA0"))
		return 2;
	if (starts(p, end, "\xE2\x80\xAF"))
		return 3;
	return 0;
}

/* Narrows [*p, *end) to drop the spaces at either end. */
static void trim(const char **p, const char **end)
{
	size_t n;
	while ((n = space_at(*p, *end)) > 0)
		*p += n;
	/* Spaces are 1 to 3 bytes long, and no space is the tail of another. */
	for (bool more = true; more && *end > *p;) {
		more = false;
		for (size_t k = 1; k <= 3 && (size_t)(*end - *p) >= k; k++) {
			if (space_at(*end - k, *end) == k) {
				*end -= k;
				more = true;
				break;
			}
		}
	}
}

static bool refuse(char *out, size_t outlen, const char **why, const char *reason)
{
	if (outlen > 0)
		out[0] = '\0';
	if (why != NULL)
		*why = reason;
	return false;
}

/* ---- Amounts ----------------------------------------------------------- */

enum tok_kind { T_NUMBER, T_CURRENCY, T_MINUS, T_OPEN, T_CLOSE };

struct tok {
	enum tok_kind kind;
	const char *p; /* T_NUMBER: its bytes */
	size_t n;
};

#define TOKS_MAX 8 /* more is never an amount */

/* The length of the currency at @p, or 0: a symbol, or exactly three
 * upper-case letters with no letter right after them. */
static size_t currency_at(const char *p, const char *end)
{
	static const char *const symbols[] = {
	    "US$", "CA$", "A$", "$", "\xE2\x82\xAC" /* € */, "\xC2\xA3" /* £ */, "\xC2\xA5" /* ¥ */,
	};
	for (size_t i = 0; i < sizeof symbols / sizeof *symbols; i++)
		if (starts(p, end, symbols[i]))
			return strlen(symbols[i]);
	if (end - p >= 3 && is_upper(p[0]) && is_upper(p[1]) && is_upper(p[2]) &&
	    (end - p == 3 || !is_letter(p[3])))
		return 3;
	return 0;
}

/* The length of the number starting at the digit @p: digits, ',', '.' and
 * '\'', and spaces followed by a digit. Which of them are allowed where is
 * number_check's business. */
static size_t number_len(const char *p, const char *end)
{
	const char *q = p;
	while (q < end) {
		size_t sp;
		if (is_digit(*q) || *q == ',' || *q == '.' || *q == '\'')
			q++;
		else if ((sp = space_at(q, end)) > 0 && q + sp < end && is_digit(q[sp]))
			q += sp;
		else
			break;
	}
	return (size_t)(q - p);
}

/* Splits [p, end) into @t (room for TOKS_MAX); returns how many, or -1
 * when something in it is no token or there are too many. */
static int tokenize(const char *p, const char *end, struct tok *t)
{
	int n = 0;
	while (p < end) {
		size_t len = space_at(p, end);
		if (len > 0) {
			p += len;
			continue;
		}
		if (n == TOKS_MAX)
			return -1;
		struct tok k = {T_NUMBER, p, 0};
		if (is_digit(*p))
			len = number_len(p, end);
		else if ((len = currency_at(p, end)) > 0)
			k.kind = T_CURRENCY;
		else if (*p == '-' || starts(p, end, "\xE2\x88\x92" /* U+2212 minus */))
			k.kind = T_MINUS, len = *p == '-' ? 1 : 3;
		else if (*p == '(' || *p == ')')
			k.kind = *p == '(' ? T_OPEN : T_CLOSE, len = 1;
		else
			return -1;
		k.n = len;
		t[n++] = k;
		p += len;
	}
	return n;
}

/* Which group separator the byte(s) at @p are under @mark: a code ('s'
 * for any space) and their length in *@len, or 0 when they are none. */
static char group_sep(const char *p, const char *end, enum imp_decimal mark, size_t *len)
{
	*len = space_at(p, end);
	if (*len > 0)
		return 's';
	*len = 1;
	if (mark == IMP_DECIMAL_POINT && (*p == ',' || *p == '\''))
		return *p;
	if (mark == IMP_DECIMAL_COMMA && *p == '.')
		return *p;
	return 0;
}

/* Checks the number [p, p + n) under @mark and writes its canonical text
 * to @out; NULL on success, or the reason. */
static const char *number_check(const char *p, size_t n, enum imp_decimal mark, char *out,
				size_t outlen)
{
	const char dec = mark == IMP_DECIMAL_COMMA ? ',' : '.';
	const char *q = p, *end = p + n;
	char sig[15]; /* the significant integer digits, as many as fit */
	size_t nsig = 0, glen = 0, ngroups = 1;
	char sep = 0;
	while (q < end && *q != dec) {
		if (is_digit(*q)) {
			if (nsig > 0 || *q != '0') {
				if (nsig < sizeof sig)
					sig[nsig] = *q;
				nsig++;
			}
			glen++;
			q++;
			continue;
		}
		size_t len;
		char s = group_sep(q, end, mark, &len);
		if (s == 0)
			return "is not an amount";
		/* "0,500" is no way to write 500: more likely a decimal comma. */
		if (glen == 0 || (sep != 0 && s != sep) || glen > 3 || (ngroups > 1 && glen != 3) ||
		    *p == '0')
			return "has malformed digit groups";
		sep = s;
		ngroups++;
		glen = 0;
		q += len;
	}
	if (glen == 0 || (ngroups > 1 && glen != 3))
		return "has malformed digit groups";
	if (nsig > 14)
		return "has more than 14 integer digits";
	const char *decimals = q < end ? q + 1 : end;
	for (const char *d = decimals; d < end; d++)
		if (!is_digit(*d))
			return "has malformed digit groups";
	size_t ndec = (size_t)(end - decimals);
	if (q < end && ndec == 0)
		return "is not an amount";
	if (ndec > 2)
		return "has more than 2 decimals";
	size_t need = (nsig > 0 ? nsig : 1) + (ndec > 0 ? 1 + ndec : 0) + 1;
	if (outlen < need)
		return "has no room for the output";
	if (nsig == 0)
		sig[nsig++] = '0';
	memcpy(out, sig, nsig);
	if (ndec > 0) {
		out[nsig] = '.';
		memcpy(out + nsig + 1, decimals, ndec);
	}
	out[need - 1] = '\0';
	return NULL;
}

bool imp_amount(const char *in, enum imp_decimal mark, char *out, size_t outlen, const char **why)
{
	const char *p = in, *end = in + strlen(in);
	trim(&p, &end);
	if (p == end)
		return refuse(out, outlen, why, "is empty");
	struct tok t[TOKS_MAX];
	int n = tokenize(p, end, t);
	if (n < 0)
		return refuse(out, outlen, why, "is not an amount");
	int number = -1, currencies = 0, minus = 0, open = -1, close = -1;
	for (int i = 0; i < n; i++) {
		switch (t[i].kind) {
		case T_NUMBER:
			if (number >= 0)
				return refuse(out, outlen, why, "is not an amount");
			number = i;
			break;
		case T_CURRENCY:
			currencies++;
			break;
		case T_MINUS:
			minus++;
			break;
		case T_OPEN:
		case T_CLOSE:
			if ((t[i].kind == T_OPEN ? open : close) >= 0)
				return refuse(out, outlen, why, "is not an amount");
			*(t[i].kind == T_OPEN ? &open : &close) = i;
			break;
		}
	}
	if (number < 0)
		return refuse(out, outlen, why,
			      currencies > 0 ? "has no number" : "is not an amount");
	if (minus > 1 || (open < 0) != (close < 0) ||
	    (open >= 0 && (open > number || close < number)))
		return refuse(out, outlen, why, "is not an amount");
	if (currencies > 1)
		return refuse(out, outlen, why, "has two currencies");
	const char *reason = number_check(t[number].p, t[number].n, mark, out, outlen);
	if (reason == NULL && (minus > 0 || open >= 0))
		reason = "is negative";
	if (reason != NULL)
		return refuse(out, outlen, why, reason);
	return true;
}

/* ---- Dates and times --------------------------------------------------- */

enum date_kind { D_ISO, D_YMD_SLASH, D_SLASH };

/* Which numbers a date and time holds where, before any check of their
 * values: a/b are month/day (D_ISO, D_YMD_SLASH) or the two first numbers
 * of a slash date, whose meaning depends on the order. */
struct shape {
	enum date_kind kind;
	int year, year_digits, a, b;
	bool has_time;
	int hour, min, sec;
	char ampm; /* 0, 'a' or 'p' */
	bool has_offset;
	char off_sign; /* '+' or '-' */
	int off_hour, off_min;
};

/* Reads the digits at *@p (at most 9 of them, so they fit an int) into
 * *@v; returns how many there were (0 when none; 10 when too many). */
static int digits(const char **p, const char *end, int *v)
{
	int n = 0;
	*v = 0;
	while (*p < end && is_digit(**p)) {
		if (n == 9)
			return 10;
		*v = *v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n;
}

static bool eat(const char **p, const char *end, char c)
{
	if (*p < end && **p == c) {
		(*p)++;
		return true;
	}
	return false;
}

static void skip_spaces(const char **p, const char *end)
{
	size_t n;
	while ((n = space_at(*p, end)) > 0)
		*p += n;
}

/* The date at *@p into @s; false when it has no date's shape. */
static bool date_shape(const char **p, const char *end, struct shape *s)
{
	int v, n = digits(p, end, &v);
	if (n == 4 && eat(p, end, '-')) {
		s->kind = D_ISO;
		s->year = v, s->year_digits = 4;
		return digits(p, end, &s->a) == 2 && eat(p, end, '-') && digits(p, end, &s->b) == 2;
	}
	if (!eat(p, end, '/'))
		return false;
	if (n == 4) {
		s->kind = D_YMD_SLASH;
		s->year = v, s->year_digits = 4;
		n = digits(p, end, &s->a);
		if (n < 1 || n > 2 || !eat(p, end, '/'))
			return false;
		n = digits(p, end, &s->b);
		return n >= 1 && n <= 2;
	}
	s->kind = D_SLASH;
	s->a = v;
	if (n < 1 || n > 2)
		return false;
	n = digits(p, end, &s->b);
	if (n < 1 || n > 2 || !eat(p, end, '/'))
		return false;
	s->year_digits = digits(p, end, &s->year);
	return s->year_digits == 2 || s->year_digits == 4;
}

/* The time at *@p (with its AM/PM and offset) into @s. */
static bool time_shape(const char **p, const char *end, struct shape *s)
{
	int v, n = digits(p, end, &s->hour);
	if (n < 1 || n > 2 || !eat(p, end, ':') || digits(p, end, &s->min) != 2)
		return false;
	if (eat(p, end, ':')) {
		if (digits(p, end, &s->sec) != 2)
			return false;
		if (eat(p, end, '.') && (n = digits(p, end, &v)) < 1)
			return false; /* 1 to 9 digits, dropped */
		if (n > 9)
			return false;
	}
	s->has_time = true;
	skip_spaces(p, end);
	if (end - *p >= 2 && (lower(**p) == 'a' || lower(**p) == 'p') && lower((*p)[1]) == 'm' &&
	    (end - *p == 2 || !is_letter((*p)[2]))) {
		s->ampm = lower(**p);
		*p += 2;
		skip_spaces(p, end);
	}
	if (eat(p, end, 'Z') || eat(p, end, 'z')) {
		s->has_offset = true, s->off_sign = '+';
		return true;
	}
	if (*p < end && (**p == '+' || **p == '-')) {
		s->has_offset = true, s->off_sign = *(*p)++;
		n = digits(p, end, &v);
		if (n == 4) /* ±HHMM */
			s->off_hour = v / 100, s->off_min = v % 100;
		else if (n == 2 && eat(p, end, ':')) /* ±HH:MM */
			s->off_hour = v, n = digits(p, end, &s->off_min);
		else if (n == 2) /* ±HH */
			s->off_hour = v;
		return n == 2 || n == 4;
	}
	return true;
}

/* The whole of [p, end) (trimmed, not empty) into @s. */
static bool parse_shape(const char *p, const char *end, struct shape *s)
{
	memset(s, 0, sizeof *s);
	if (!date_shape(&p, end, s))
		return false;
	if (p == end)
		return true;
	if (s->kind == D_ISO && (*p == 'T' || *p == 't')) {
		p++;
	} else {
		eat(&p, end, ',');
		if (space_at(p, end) == 0)
			return false;
		skip_spaces(&p, end);
	}
	return time_shape(&p, end, s) && p == end;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && leap(y) ? 29 : days[m - 1];
}

static char *put_char(char *p, char c)
{
	*p = c;
	return p + 1;
}

/* @v (0-99) as two digits. */
static char *two_digits(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

/* Checks @s read in @order (for D_SLASH) and writes it to @out; NULL on
 * success, or the reason. */
static const char *date_build(const struct shape *s, enum imp_date_order order, char *out,
			      size_t outlen)
{
	int month = s->a, day = s->b, hour = s->hour;
	if (s->kind == D_SLASH && order == IMP_ORDER_DMY)
		month = s->b, day = s->a;
	if (s->year_digits != 4)
		return "has a two-digit year";
	if (s->year < 1900)
		return "has a year outside 1900-9999";
	if (month < 1 || month > 12)
		return "has a month outside 1-12";
	if (day < 1 || day > days_in(s->year, month))
		return "has a day outside its month";
	if (s->ampm != 0) {
		if (hour < 1 || hour > 12)
			return "has an hour outside 1-12 before AM/PM";
		hour = hour % 12 + (s->ampm == 'p' ? 12 : 0);
	} else if (hour > 23) {
		return "has an hour outside 0-23";
	}
	if (s->min > 59)
		return "has minutes outside 0-59";
	if (s->sec > 59)
		return "has seconds outside 0-59";
	if (s->has_offset && (s->off_hour > 23 || s->off_min > 59))
		return "has an offset out of range";
	if (outlen < (s->has_offset ? 26u : 20u))
		return "has no room for the output";
	/* "YYYY-MM-DD HH:MM:SS" then "+HH:MM": written digit by digit (every
	 * row of a file has a date; snprintf showed in profiles), each value
	 * checked in range above. */
	char *p = out;
	p = two_digits(two_digits(p, s->year / 100), s->year % 100);
	p = two_digits(put_char(p, '-'), month);
	p = two_digits(put_char(p, '-'), day);
	p = two_digits(put_char(p, ' '), hour);
	p = two_digits(put_char(p, ':'), s->min);
	p = two_digits(put_char(p, ':'), s->sec);
	if (s->has_offset) {
		p = put_char(p, s->off_hour == 0 && s->off_min == 0 ? '+' : s->off_sign);
		p = two_digits(p, s->off_hour);
		p = two_digits(put_char(p, ':'), s->off_min);
	}
	*p = '\0';
	return NULL;
}

/* Trims @in and reads its shape; NULL on success, or the reason. */
static const char *date_read(const char *in, struct shape *s)
{
	const char *p = in, *end = in + strlen(in);
	trim(&p, &end);
	if (p == end)
		return "is empty";
	return parse_shape(p, end, s) ? NULL : "is not a date";
}

unsigned imp_date_orders(const char *in)
{
	struct shape s;
	char buf[IMP_OUT_MIN];
	if (date_read(in, &s) != NULL || s.kind != D_SLASH)
		return 0;
	unsigned mask = 0;
	if (date_build(&s, IMP_ORDER_MDY, buf, sizeof buf) == NULL)
		mask |= IMP_ORDERS_MDY;
	if (date_build(&s, IMP_ORDER_DMY, buf, sizeof buf) == NULL)
		mask |= IMP_ORDERS_DMY;
	return mask;
}

bool imp_date(const char *in, enum imp_date_order order, char *out, size_t outlen, bool *offset,
	      const char **why)
{
	struct shape s;
	const char *reason = date_read(in, &s);
	if (offset != NULL)
		*offset = false;
	if (reason == NULL && (s.kind != D_SLASH || order != IMP_ORDER_AUTO)) {
		reason = date_build(&s, order, out, outlen);
	} else if (reason == NULL) {
		char mdy[IMP_OUT_MIN], dmy[IMP_OUT_MIN];
		const char *r_mdy = date_build(&s, IMP_ORDER_MDY, mdy, sizeof mdy);
		const char *r_dmy = date_build(&s, IMP_ORDER_DMY, dmy, sizeof dmy);
		const char *one = r_mdy == NULL ? mdy : r_dmy == NULL ? dmy : NULL;
		if (r_mdy == NULL && r_dmy == NULL && strcmp(mdy, dmy) != 0)
			reason = "is ambiguous (day/month or month/day): give date_format";
		else if (one == NULL) /* the reason of the order whose month exists */
			reason = s.a > 12 && s.b <= 12 ? r_dmy : r_mdy;
		else if (outlen <= strlen(one))
			reason = "has no room for the output";
		else
			memcpy(out, one, strlen(one) + 1);
	}
	if (reason != NULL)
		return refuse(out, outlen, why, reason);
	if (offset != NULL)
		*offset = s.has_offset;
	return true;
}

/* ---- Character sets ---------------------------------------------------- */

bool imp_charset_of(const char *name, enum imp_charset *out)
{
	static const struct {
		const char *name;
		enum imp_charset cs;
	} names[] = {
	    {"utf-8", IMP_UTF8},
	    {"utf8", IMP_UTF8},
	    {"windows-1252", IMP_WINDOWS_1252},
	    {"cp1252", IMP_WINDOWS_1252},
	    {"latin1", IMP_LATIN1},
	    {"latin-1", IMP_LATIN1},
	    {"iso-8859-1", IMP_LATIN1},
	    {"iso8859-1", IMP_LATIN1},
	    {"iso_8859-1", IMP_LATIN1},
	};
	if (name == NULL)
		return false;
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		const char *a = name, *b = names[i].name;
		while (*a != '\0' && lower(*a) == *b)
			a++, b++;
		if (*a == '\0' && *b == '\0') {
			*out = names[i].cs;
			return true;
		}
	}
	return false;
}

/* Windows-1252's 0x80-0x9F; the five bytes it leaves undefined stand for
 * themselves, as Windows decodes them. */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

/* @cp (below U+10000) as UTF-8 into @u; returns its length. */
static size_t utf8_put(unsigned cp, char *u)
{
	if (cp < 0x80) {
		u[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		u[0] = (char)(0xC0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	u[0] = (char)(0xE0 | cp >> 12);
	u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
	u[2] = (char)(0x80 | (cp & 0x3F));
	return 3;
}

size_t imp_decode(const char *in, size_t len, enum imp_charset cs, char *out, size_t cap)
{
	if (cap == 0)
		return 0;
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char b = (unsigned char)in[i];
		char u[3];
		size_t n;
		if (cs == IMP_UTF8)
			u[0] = (char)b, n = 1;
		else if (cs == IMP_WINDOWS_1252 && b >= 0x80 && b <= 0x9F)
			n = utf8_put(cp1252_high[b - 0x80], u);
		else
			n = utf8_put(b, u);
		if (o + n + 1 > cap)
			break;
		memcpy(out + o, u, n);
		o += n;
	}
	out[o] = '\0';
	return o;
}

size_t imp_utf8_scan(const char *in, size_t len, bool final, size_t *tail)
{
	const unsigned char *s = (const unsigned char *)in;
	if (tail != NULL)
		*tail = 0;
	for (size_t i = 0; i < len;) {
		unsigned char b = s[i];
		size_t n;
		unsigned char lo = 0x80, hi = 0xBF; /* the second byte's range */
		if (b < 0x80)
			n = 1;
		else if (b >= 0xC2 && b <= 0xDF)
			n = 2;
		else if (b >= 0xE0 && b <= 0xEF)
			n = 3, lo = b == 0xE0 ? 0xA0 : 0x80, hi = b == 0xED ? 0x9F : 0xBF;
		else if (b >= 0xF0 && b <= 0xF4)
			n = 4, lo = b == 0xF0 ? 0x90 : 0x80, hi = b == 0xF4 ? 0x8F : 0xBF;
		else
			return i;
		for (size_t k = 1; k < n; k++) {
			if (i + k == len) {
				if (final)
					return i;
				if (tail != NULL)
					*tail = k;
				return len;
			}
			if (s[i + k] < (k == 1 ? lo : 0x80) || s[i + k] > (k == 1 ? hi : 0xBF))
				return i;
		}
		i += n;
	}
	return len;
}

/* ---- People's names ---------------------------------------------------- */

/* The base letters of U+00C0-U+00FF and U+0100-U+017F; '*' keeps the
 * character (× ÷), a digit stands for two letters (see two_letters). */
static const char fold_latin1[64 + 1] = "aaaaaa1ceeeeiiiidnooooo*ouuuuy23"
					"aaaaaa1ceeeeiiiidnooooo*ouuuuy2y";
static const char fold_ext_a[128 + 1] = "aaaaaa"
					"cccccccc"
					"dddd"
					"eeeeeeeeee"
					"gggggggg"
					"hhhh"
					"iiiiiiiiii"
					"44"
					"jj"
					"kkk"
					"llllllllll"
					"nnnnnnnnn"
					"oooooo"
					"55"
					"rrrrrr"
					"ssssssss"
					"tttttt"
					"uuuuuuuuuuuu"
					"ww"
					"yyy"
					"zzzzzz"
					"s";
static const char *const two_letters[] = {"", "ae", "th", "ss", "ij", "oe"};

/* The length of the (possibly ill-formed) character at @p: a lead byte
 * with its continuation bytes, at most 4; a stray byte alone. */
static size_t char_len(const char *p)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t n = 1;
	if (s[0] >= 0xC0)
		while (n < 4 && (s[n] & 0xC0) == 0x80)
			n++;
	return n;
}

void imp_fold_name(const char *in, char *out, size_t outlen)
{
	if (outlen == 0)
		return;
	const char *p = in, *end = in + strlen(in);
	size_t o = 0;
	bool pending_space = false;
	while (p < end) {
		size_t n = space_at(p, end);
		if (n > 0) {
			pending_space = o > 0;
			p += n;
			continue;
		}
		const unsigned char *s = (const unsigned char *)p;
		char one[1];
		const char *piece = p; /* what to write for this character */
		size_t plen = n = char_len(p);
		unsigned cp = n == 2 ? (unsigned)(s[0] & 0x1F) << 6 | (s[1] & 0x3F) : 0;
		char base = 0;
		if (n == 1)
			base = lower(*p);
		else if (cp >= 0xC0 && cp <= 0xFF)
			base = fold_latin1[cp - 0xC0];
		else if (cp >= 0x100 && cp <= 0x17F)
			base = fold_ext_a[cp - 0x100];
		if (n > 1 && base >= '1' && base <= '5')
			piece = two_letters[base - '0'], plen = 2;
		else if (base != 0 && base != '*')
			one[0] = base, piece = one, plen = 1;
		if (o + pending_space + plen + 1 > outlen)
			break;
		if (pending_space)
			out[o++] = ' ';
		pending_space = false;
		memcpy(out + o, piece, plen);
		o += plen;
		p += n;
	}
	out[o] = '\0';
}
