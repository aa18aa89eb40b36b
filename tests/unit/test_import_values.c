/* Values of CRM exports: amounts (every accepted and refused shape, then
 * random amounts written the ways exports write them), dates and times
 * (ISO, slash dates in each order, AM/PM, offsets, the calendar), the
 * orders of slash dates, charsets (every windows-1252 and latin1 byte),
 * UTF-8 scanning (against a reference decoder, and in chunks), name
 * folding (every letter of U+00C0-U+017F), and a fuzz loop: random bytes
 * into every parser, with a guard byte after each output. */
#include "harness.h"
#include "import_values.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#define NBSP  "\xC2\xA0"
#define NNBSP "\xE2\x80\xAF"
#define GUARD 0x5A

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* ---- Amounts ----------------------------------------------------------- */

#define P IMP_DECIMAL_POINT
#define C IMP_DECIMAL_COMMA

struct amount_case {
	const char *in;
	enum imp_decimal mark;
	const char *out; /* NULL: refused with why */
	const char *why;
};

static const struct amount_case amount_cases[] = {
    /* Accepted, decimal point. */
    {"36000", P, "36000", NULL},
    {"36,000.00", P, "36000.00", NULL},
    {"USD 36,000.00", P, "36000.00", NULL},
    {"$15,000", P, "15000", NULL},
    {"36000.5 USD", P, "36000.5", NULL},
    {"1,234.5", P, "1234.5", NULL},
    {"15,000", P, "15000", NULL},
    {"  42  ", P, "42", NULL},
    {"\t123\t", P, "123", NULL},
    {"0", P, "0", NULL},
    {"0.00", P, "0.00", NULL},
    {"0.5", P, "0.5", NULL},
    {"007.50", P, "7.50", NULL},
    {"00000000000000000001", P, "1", NULL},
    {"1,000,000", P, "1000000", NULL},
    {"US$1,000", P, "1000", NULL},
    {"CA$ 2,500.75", P, "2500.75", NULL},
    {"A$99", P, "99", NULL},
    {"\xC2\xA3"
     "1,234,567.89",
     P, "1234567.89", NULL},
    {"\xC2\xA5 1,000,000", P, "1000000", NULL},
    {"\xE2\x82\xAC"
     "100",
     P, "100", NULL},
    {"100 \xE2\x82\xAC", P, "100", NULL},
    {"USD36000", P, "36000", NULL},
    {"36000USD", P, "36000", NULL},
    {"1'234.50", P, "1234.50", NULL},
    {"CHF 1'234'567.05", P, "1234567.05", NULL},
    {"15 000.50", P, "15000.50", NULL},
    {"15" NBSP "000.50 EUR", P, "15000.50", NULL},
    {NBSP "$15,000" NBSP, P, "15000", NULL},
    {"15" NNBSP "000", P, "15000", NULL},
    {"99999999999999.99", P, "99999999999999.99", NULL},
    {"99,999,999,999,999.99", P, "99999999999999.99", NULL},
    /* Accepted, decimal comma. */
    {"\xE2\x82\xAC 1.234,50", C, "1234.50", NULL},
    {"15 000,50 EUR", C, "15000.50", NULL},
    {"1.234.567,8", C, "1234567.8", NULL},
    {"36000,5", C, "36000.5", NULL},
    {"0,99 \xE2\x82\xAC", C, "0.99", NULL},
    {"1.000", C, "1000", NULL},
    {"15" NNBSP "000,50" NBSP "\xE2\x82\xAC", C, "15000.50", NULL},
    {"EUR 5", C, "5", NULL},
    {"36000", C, "36000", NULL},
    /* Refused: the shape. */
    {"", P, NULL, "is empty"},
    {"   ", P, NULL, "is empty"},
    {NBSP NNBSP "\t", P, NULL, "is empty"},
    {"USD", P, NULL, "has no number"},
    {"$", P, NULL, "has no number"},
    {"\xE2\x82\xAC ", C, NULL, "has no number"},
    {"abc", P, NULL, "is not an amount"},
    {"5k", P, NULL, "is not an amount"},
    {"USDX 5", P, NULL, "is not an amount"},
    {"usd 5", P, NULL, "is not an amount"},
    {"about 5 USD", P, NULL, "is not an amount"},
    {"1-2", P, NULL, "is not an amount"},
    {"5 USD 6", P, NULL, "is not an amount"},
    {"+5", P, NULL, "is not an amount"},
    {".5", P, NULL, "is not an amount"},
    {"36000.", P, NULL, "is not an amount"},
    {"36000,", C, NULL, "is not an amount"},
    {"1'234,50", C, NULL, "is not an amount"},
    {"5\xE2\x80\x89"
     "000",
     P, NULL, "is not an amount"}, /* U+2009 thin space */
    {"5\xC2", P, NULL, "is not an amount"},
    {"(5", P, NULL, "is not an amount"},
    {"5)", P, NULL, "is not an amount"},
    {")5(", P, NULL, "is not an amount"},
    {"--5", P, NULL, "is not an amount"},
    {"-", P, NULL, "is not an amount"},
    {"-abc", P, NULL, "is not an amount"},
    {"$ $ $ $ $ $ $ $ $ 5", P, NULL, "is not an amount"},
    {"USD 5 EUR", P, NULL, "has two currencies"},
    {"$5 USD", P, NULL, "has two currencies"},
    {"CAD$5", P, NULL, "has two currencies"},
    {"\xE2\x82\xAC 5 \xE2\x82\xAC", C, NULL, "has two currencies"},
    /* Refused: the number. */
    {"1,00,000", P, NULL, "has malformed digit groups"},
    {"12,34", P, NULL, "has malformed digit groups"},
    {"1,000 000", P, NULL, "has malformed digit groups"},
    {"0,500", P, NULL, "has malformed digit groups"},
    {"1,000,", P, NULL, "has malformed digit groups"},
    {"1,,000", P, NULL, "has malformed digit groups"},
    {"1234,567", P, NULL, "has malformed digit groups"},
    {"1 2", P, NULL, "has malformed digit groups"},
    {"1.234,50", P, NULL, "has malformed digit groups"},
    {"1.23", C, NULL, "has malformed digit groups"},
    {"1,234.5", C, NULL, "has malformed digit groups"},
    {"1.2.3", P, NULL, "has malformed digit groups"},
    {"-1,00,000", P, NULL, "has malformed digit groups"},
    {"1.2345", P, NULL, "has more than 2 decimals"},
    {"36000.000", P, NULL, "has more than 2 decimals"},
    {"1,234", C, NULL, "has more than 2 decimals"},
    {"123456789012345", P, NULL, "has more than 14 integer digits"},
    {"123,456,789,012,345.00", P, NULL, "has more than 14 integer digits"},
    /* Refused: the sign. */
    {"-5", P, NULL, "is negative"},
    {"-$15,000", P, NULL, "is negative"},
    {"$-15,000", P, NULL, "is negative"},
    {"USD -36,000.00", P, NULL, "is negative"},
    {"(1,200.00)", P, NULL, "is negative"},
    {"($1,200.00)", P, NULL, "is negative"},
    {"$(1,200.00)", P, NULL, "is negative"},
    {"(1.200,00 EUR)", C, NULL, "is negative"},
    {"5-", P, NULL, "is negative"},
    {"\xE2\x88\x92"
     "5",
     P, NULL, "is negative"},
    {"-0", P, NULL, "is negative"},
};

static void amounts(void)
{
	size_t accepted = 0, refused = 0;
	for (size_t i = 0; i < sizeof amount_cases / sizeof *amount_cases; i++) {
		const struct amount_case *c = &amount_cases[i];
		char out[IMP_OUT_MIN + 1];
		memset(out, GUARD, sizeof out);
		const char *why = "untouched";
		bool ok = imp_amount(c->in, c->mark, out, IMP_OUT_MIN, &why);
		if (ok != (c->out != NULL) || (ok && strcmp(out, c->out) != 0) ||
		    (!ok && (strcmp(why, c->why) != 0 || out[0] != '\0')) ||
		    out[IMP_OUT_MIN] != GUARD) {
			printf("  # case %zu \"%s\": %s \"%s\" (%s)\n", i, c->in,
			       ok ? "accepted" : "refused", ok ? out : "", ok ? "" : why);
			harness_case_failed = 1;
		}
		c->out != NULL ? accepted++ : refused++;
	}
	CHECK(accepted >= 40 && refused >= 40);
}

static void amount_output_room(void)
{
	char out[32];
	const char *why = NULL;
	memset(out, GUARD, sizeof out);
	CHECK(!imp_amount("36,000.00", P, out, 8, &why)); /* needs 9 */
	CHECK_STR(why, "has no room for the output");
	CHECK(out[0] == '\0' && out[8] == GUARD);
	CHECK(imp_amount("36,000.00", P, out, 9, NULL));
	CHECK_STR(out, "36000.00");
	CHECK(out[9] == GUARD);
	memset(out, GUARD, sizeof out);
	CHECK(!imp_amount("5", P, out, 0, NULL));
	CHECK(out[0] == GUARD);
	CHECK(!imp_amount("-5", P, out, 1, NULL)); /* why may be NULL */
	CHECK(out[0] == '\0' && out[1] == GUARD);
}

/* Writes the digits @intpart and @decs into @buf as an export might under
 * @mark: grouped by a random separator (or none), with a random currency
 * before or after, spaced or not. */
static void write_amount(char *buf, const char *intpart, const char *decs, enum imp_decimal mark)
{
	static const char *const point_seps[] = {",", "'", " ", NBSP, NNBSP, ""};
	static const char *const comma_seps[] = {".", " ", NBSP, NNBSP, ""};
	static const char *const currencies[] = {"",	"",    "USD", "EUR",	      "$",
						 "US$", "CA$", "A$",  "\xE2\x82\xAC", "\xC2\xA3"};
	const char *sep = mark == P ? point_seps[rnd(6)] : comma_seps[rnd(5)];
	const char *cur = currencies[rnd(10)];
	bool before = rnd(2), spaced = rnd(2);
	size_t n = strlen(intpart), o = 0;
	buf[0] = '\0';
	if (before)
		o += (size_t)sprintf(buf + o, "%s%s", cur, spaced && *cur ? " " : "");
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			o += (size_t)sprintf(buf + o, "%s", sep);
		buf[o++] = intpart[i];
	}
	if (*decs)
		o += (size_t)sprintf(buf + o, "%c%s", mark == P ? '.' : ',', decs);
	if (!before)
		o += (size_t)sprintf(buf + o, "%s%s", spaced && *cur ? NBSP : "", cur);
	buf[o] = '\0';
}

static void amounts_written_every_way(void)
{
	for (int iter = 0; iter < 20000; iter++) {
		char intpart[16], decs[3], want[24], in[128], out[IMP_OUT_MIN];
		size_t nint = 1 + rnd(14), ndec = rnd(3);
		for (size_t i = 0; i < nint; i++)
			intpart[i] = (char)('0' + (i == 0 && nint > 1 ? 1 + rnd(9) : rnd(10)));
		intpart[nint] = '\0';
		for (size_t i = 0; i < ndec; i++)
			decs[i] = (char)('0' + rnd(10));
		decs[ndec] = '\0';
		snprintf(want, sizeof want, "%s%s%s", intpart, ndec ? "." : "", decs);
		enum imp_decimal mark = rnd(2) ? P : C;
		write_amount(in, intpart, decs, mark);
		const char *why = NULL;
		bool ok = imp_amount(in, mark, out, sizeof out, &why);
		if (!ok || strcmp(out, want) != 0) {
			printf("  # \"%s\" (%s): %s, wanted %s\n", in,
			       mark == P ? "point" : "comma", ok ? out : why, want);
			harness_case_failed = 1;
			return;
		}
		/* The canonical text reads back as itself. */
		CHECK(imp_amount(out, P, in, sizeof in, NULL) && strcmp(in, want) == 0);
	}
}

/* ---- Dates ------------------------------------------------------------- */

#define AUTO	  IMP_ORDER_AUTO
#define MDY	  IMP_ORDER_MDY
#define DMY	  IMP_ORDER_DMY
#define AMBIGUOUS "is ambiguous (day/month or month/day): give date_format"

struct date_case {
	const char *in;
	enum imp_date_order order;
	const char *out; /* NULL: refused with why */
	const char *why;
};

static const struct date_case date_cases[] = {
    /* ISO 8601 / RFC 3339. */
    {"2026-03-14", AUTO, "2026-03-14 00:00:00", NULL},
    {"2026-03-14T09:30", AUTO, "2026-03-14 09:30:00", NULL},
    {"2026-03-14T09:30:00", AUTO, "2026-03-14 09:30:00", NULL},
    {"2026-03-14T09:30:00Z", AUTO, "2026-03-14 09:30:00+00:00", NULL},
    {"2026-03-14T09:30:00.000Z", AUTO, "2026-03-14 09:30:00+00:00", NULL},
    {"2026-03-14T09:30:59.999999999Z", AUTO, "2026-03-14 09:30:59+00:00", NULL},
    {"2026-03-14t09:30:00z", AUTO, "2026-03-14 09:30:00+00:00", NULL},
    {"2026-03-14T09:30:00+01:00", AUTO, "2026-03-14 09:30:00+01:00", NULL},
    {"2026-03-14T09:30:00-05:00", AUTO, "2026-03-14 09:30:00-05:00", NULL},
    {"2026-03-14T09:30:00+0530", AUTO, "2026-03-14 09:30:00+05:30", NULL},
    {"2026-03-14T09:30:00-08", AUTO, "2026-03-14 09:30:00-08:00", NULL},
    {"2026-03-14T09:30:00-00:00", AUTO, "2026-03-14 09:30:00+00:00", NULL},
    {"2026-03-14T09:30+01:00", AUTO, "2026-03-14 09:30:00+01:00", NULL},
    {"2026-03-14T09:30:00.5+01:00", AUTO, "2026-03-14 09:30:00+01:00", NULL},
    {"2026-03-14T23:59:59+23:59", AUTO, "2026-03-14 23:59:59+23:59", NULL},
    {"2026-03-14T9:30", AUTO, "2026-03-14 09:30:00", NULL},
    /* Date and time with a space. */
    {"2026-03-14 09:30", AUTO, "2026-03-14 09:30:00", NULL},
    {"2026-03-14 09:30:15", AUTO, "2026-03-14 09:30:15", NULL},
    {"2026-03-14 09:30:15+02:00", AUTO, "2026-03-14 09:30:15+02:00", NULL},
    {"2026-03-14 09:30:15 +02:00", AUTO, "2026-03-14 09:30:15+02:00", NULL},
    {"2026-03-14 00:00", AUTO, "2026-03-14 00:00:00", NULL},
    {"  2026-03-14  ", AUTO, "2026-03-14 00:00:00", NULL},
    {NBSP "2026-03-14" NNBSP "09:30" NBSP, AUTO, "2026-03-14 09:30:00", NULL},
    /* 12-hour times. */
    {"2026-03-14 9:30 AM", AUTO, "2026-03-14 09:30:00", NULL},
    {"2026-03-14 9:30 PM", AUTO, "2026-03-14 21:30:00", NULL},
    {"2026-03-14 12:00 AM", AUTO, "2026-03-14 00:00:00", NULL},
    {"2026-03-14 12:00 PM", AUTO, "2026-03-14 12:00:00", NULL},
    {"2026-03-14 12:59:59 am", AUTO, "2026-03-14 00:59:59", NULL},
    {"2026-03-14 11:59:59 PM", AUTO, "2026-03-14 23:59:59", NULL},
    {"2026-03-14 1:00PM", AUTO, "2026-03-14 13:00:00", NULL},
    {"2026-03-14 01:00 pM", AUTO, "2026-03-14 13:00:00", NULL},
    {"2026-03-14 0:30 AM", AUTO, NULL, "has an hour outside 1-12 before AM/PM"},
    {"2026-03-14 13:00 PM", AUTO, NULL, "has an hour outside 1-12 before AM/PM"},
    {"2026-03-14 9:30 a.m.", AUTO, NULL, "is not a date"},
    {"2026-03-14 9:30 AMX", AUTO, NULL, "is not a date"},
    {"2026-03-14 9:30 A", AUTO, NULL, "is not a date"},
    /* Year-first slash dates. */
    {"2026/03/14", AUTO, "2026-03-14 00:00:00", NULL},
    {"2026/3/4 10:00", AUTO, "2026-03-04 10:00:00", NULL},
    {"2026/13/4", AUTO, NULL, "has a month outside 1-12"},
    {"2026/003/4", AUTO, NULL, "is not a date"},
    /* Slash dates in each order. */
    {"3/14/2026", AUTO, "2026-03-14 00:00:00", NULL},
    {"14/3/2026", AUTO, "2026-03-14 00:00:00", NULL},
    {"3/4/2026", AUTO, NULL, AMBIGUOUS},
    {"3/4/2026 9:30 AM", AUTO, NULL, AMBIGUOUS},
    {"3/3/2026", AUTO, "2026-03-03 00:00:00", NULL},
    {"3/4/2026", MDY, "2026-03-04 00:00:00", NULL},
    {"3/4/2026", DMY, "2026-04-03 00:00:00", NULL},
    {"03/04/2026", DMY, "2026-04-03 00:00:00", NULL},
    {"12/31/2026", MDY, "2026-12-31 00:00:00", NULL},
    {"14/3/2026", MDY, NULL, "has a month outside 1-12"},
    {"3/14/2026", DMY, NULL, "has a month outside 1-12"},
    {"3/14/2026 9:30 AM", AUTO, "2026-03-14 09:30:00", NULL},
    {"3/14/2026, 9:30 AM", AUTO, "2026-03-14 09:30:00", NULL},
    {"3/14/2026, 12:00 PM", MDY, "2026-03-14 12:00:00", NULL},
    {"3/14/2026 12:00 AM", MDY, "2026-03-14 00:00:00", NULL},
    {"14/03/2026 18:45", DMY, "2026-03-14 18:45:00", NULL},
    {"14/03/2026 18:45:07", AUTO, "2026-03-14 18:45:07", NULL},
    {"3/14/2026 9:30 AM Z", AUTO, "2026-03-14 09:30:00+00:00", NULL},
    {"2/29/2024", AUTO, "2024-02-29 00:00:00", NULL},
    {"2/29/2026", AUTO, NULL, "has a day outside its month"},
    {"29/2/2026", AUTO, NULL, "has a day outside its month"},
    {"31/4/2026", AUTO, NULL, "has a day outside its month"},
    {"13/13/2026", AUTO, NULL, "has a month outside 1-12"},
    {"3/14/2026 25:00", AUTO, NULL, "has an hour outside 0-23"},
    {"3/14/26", MDY, NULL, "has a two-digit year"},
    {"14/3/26", AUTO, NULL, "has a two-digit year"},
    {"3/14/026", MDY, NULL, "is not a date"},
    {"3/14/2026T09:30", MDY, NULL, "is not a date"},
    {"3//2026", MDY, NULL, "is not a date"},
    {"123/4/2026", MDY, NULL, "is not a date"},
    {"3/14/2026,", MDY, NULL, "is not a date"},
    {"3/14/2026,9:30", MDY, NULL, "is not a date"},
    {"1/1/1899", MDY, NULL, "has a year outside 1900-9999"},
    /* The calendar. */
    {"2026-01-31", AUTO, "2026-01-31 00:00:00", NULL},
    {"2026-04-30", AUTO, "2026-04-30 00:00:00", NULL},
    {"2026-04-31", AUTO, NULL, "has a day outside its month"},
    {"2026-01-00", AUTO, NULL, "has a day outside its month"},
    {"2026-01-32", AUTO, NULL, "has a day outside its month"},
    {"2026-13-01", AUTO, NULL, "has a month outside 1-12"},
    {"2026-00-10", AUTO, NULL, "has a month outside 1-12"},
    {"2026-02-28", AUTO, "2026-02-28 00:00:00", NULL},
    {"2026-02-29", AUTO, NULL, "has a day outside its month"},
    {"2024-02-29", AUTO, "2024-02-29 00:00:00", NULL},
    {"2024-02-30", AUTO, NULL, "has a day outside its month"},
    {"2000-02-29", AUTO, "2000-02-29 00:00:00", NULL},
    {"1900-02-29", AUTO, NULL, "has a day outside its month"},
    {"2100-02-29", AUTO, NULL, "has a day outside its month"},
    {"2400-02-29", AUTO, "2400-02-29 00:00:00", NULL},
    {"1899-12-31", AUTO, NULL, "has a year outside 1900-9999"},
    {"0000-01-01", AUTO, NULL, "has a year outside 1900-9999"},
    {"1900-01-01", AUTO, "1900-01-01 00:00:00", NULL},
    {"9999-12-31 23:59:59", AUTO, "9999-12-31 23:59:59", NULL},
    /* Times out of range. */
    {"2026-03-14 24:00", AUTO, NULL, "has an hour outside 0-23"},
    {"2026-03-14 23:60", AUTO, NULL, "has minutes outside 0-59"},
    {"2026-03-14 23:59:60", AUTO, NULL, "has seconds outside 0-59"},
    {"2026-03-14T09:30:00+24:00", AUTO, NULL, "has an offset out of range"},
    {"2026-03-14T09:30:00+01:60", AUTO, NULL, "has an offset out of range"},
    /* Not dates. */
    {"", AUTO, NULL, "is empty"},
    {"   ", AUTO, NULL, "is empty"},
    {"tomorrow", AUTO, NULL, "is not a date"},
    {"10000-01-01", AUTO, NULL, "is not a date"},
    {"2026-3-14", AUTO, NULL, "is not a date"},
    {"26-03-14", AUTO, NULL, "is not a date"},
    {"2026-03-14Z", AUTO, NULL, "is not a date"},
    {"2026-03-14X", AUTO, NULL, "is not a date"},
    {"2026-03-14T", AUTO, NULL, "is not a date"},
    {"2026-03-14 09", AUTO, NULL, "is not a date"},
    {"2026-03-14 9:5", AUTO, NULL, "is not a date"},
    {"2026-03-14 09:30:1", AUTO, NULL, "is not a date"},
    {"2026-03-14T09:30:00.Z", AUTO, NULL, "is not a date"},
    {"2026-03-14T09:30:00.1234567890Z", AUTO, NULL, "is not a date"},
    {"2026-03-14T09:30:00+1:00", AUTO, NULL, "is not a date"},
    {"2026-03-14T09:30:00+01:0", AUTO, NULL, "is not a date"},
    {"2026-03-14T09:30:00+013", AUTO, NULL, "is not a date"},
    {"2026-03-14T09:30:00Z+01:00", AUTO, NULL, "is not a date"},
    {"2026-03-14 09:30 UTC", AUTO, NULL, "is not a date"},
    {"2026-03-14T09:30:00 junk", AUTO, NULL, "is not a date"},
    {"2026.03.14", AUTO, NULL, "is not a date"},
    {"14.03.2026", AUTO, NULL, "is not a date"},
    {"2026-03-14\xC2", AUTO, NULL, "is not a date"},
};

static void dates(void)
{
	size_t accepted = 0, refused = 0;
	for (size_t i = 0; i < sizeof date_cases / sizeof *date_cases; i++) {
		const struct date_case *c = &date_cases[i];
		char out[IMP_OUT_MIN + 1];
		memset(out, GUARD, sizeof out);
		const char *why = "untouched";
		bool offset = true;
		bool ok = imp_date(c->in, c->order, out, IMP_OUT_MIN, &offset, &why);
		bool want_offset = c->out != NULL && strlen(c->out) == 25;
		if (ok != (c->out != NULL) || (ok && strcmp(out, c->out) != 0) ||
		    (ok && offset != want_offset) || (!ok && offset) ||
		    (!ok && (strcmp(why, c->why) != 0 || out[0] != '\0')) ||
		    out[IMP_OUT_MIN] != GUARD) {
			printf("  # case %zu \"%s\": %s \"%s\" (%s)\n", i, c->in,
			       ok ? "accepted" : "refused", ok ? out : "", ok ? "" : why);
			harness_case_failed = 1;
		}
		c->out != NULL ? accepted++ : refused++;
	}
	CHECK(accepted >= 40 && refused >= 40);
}

static void date_output_room(void)
{
	char out[32];
	const char *why = NULL;
	memset(out, GUARD, sizeof out);
	CHECK(imp_date("2026-03-14", AUTO, out, 20, NULL, NULL));
	CHECK_STR(out, "2026-03-14 00:00:00");
	CHECK(out[20] == GUARD);
	memset(out, GUARD, sizeof out);
	CHECK(!imp_date("2026-03-14", AUTO, out, 19, NULL, &why));
	CHECK_STR(why, "has no room for the output");
	CHECK(out[0] == '\0' && out[19] == GUARD);
	CHECK(!imp_date("2026-03-14T09:30Z", AUTO, out, 25, NULL, &why));
	CHECK_STR(why, "has no room for the output");
	CHECK(imp_date("2026-03-14T09:30Z", AUTO, out, 26, NULL, NULL));
	CHECK(out[26] == GUARD);
	memset(out, GUARD, sizeof out);
	CHECK(!imp_date("14/3/2026", AUTO, out, 19, NULL, &why)); /* the AUTO path */
	CHECK_STR(why, "has no room for the output");
	CHECK(out[19] == GUARD);
	memset(out, GUARD, sizeof out);
	CHECK(!imp_date("2026-03-14", AUTO, out, 0, NULL, NULL));
	CHECK(out[0] == GUARD);
}

static void date_orders(void)
{
	static const struct {
		const char *in;
		unsigned mask;
	} cases[] = {
	    {"3/4/2026", IMP_ORDERS_MDY | IMP_ORDERS_DMY},
	    {"3/3/2026", IMP_ORDERS_MDY | IMP_ORDERS_DMY},
	    {"3/4/2026, 9:30 PM", IMP_ORDERS_MDY | IMP_ORDERS_DMY},
	    {"12/12/2026", IMP_ORDERS_MDY | IMP_ORDERS_DMY},
	    {"3/14/2026", IMP_ORDERS_MDY},
	    {"12/13/2026 23:00", IMP_ORDERS_MDY},
	    {"14/3/2026", IMP_ORDERS_DMY},
	    {" 31/12/2026 ", IMP_ORDERS_DMY},
	    {"29/2/2024", IMP_ORDERS_DMY},
	    {"2/29/2024", IMP_ORDERS_MDY},
	    {"29/2/2026", 0},
	    {"31/31/2026", 0},
	    {"3/14/2026 25:00", 0},
	    {"3/14/26", 0},
	    {"2026-03-14", 0},
	    {"2026/03/14", 0},
	    {"hello", 0},
	    {"", 0},
	    {"3/4", 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		unsigned got = imp_date_orders(cases[i].in);
		if (got != cases[i].mask) {
			printf("  # \"%s\": %u, wanted %u\n", cases[i].in, got, cases[i].mask);
			harness_case_failed = 1;
		}
	}
	CHECK(IMP_ORDERS_MDY != IMP_ORDERS_DMY && (IMP_ORDERS_MDY & IMP_ORDERS_DMY) == 0);
}

static int days_in_month(int y, int m)
{
	if (m == 2)
		return y % 400 == 0 ? 29 : y % 100 == 0 ? 28 : y % 4 == 0 ? 29 : 28;
	return m == 4 || m == 6 || m == 9 || m == 11 ? 30 : 31;
}

/* Random dates and times, written in every accepted way, read back. */
static void dates_written_every_way(void)
{
	for (int iter = 0; iter < 20000; iter++) {
		int y = 1900 + (int)rnd(8100), m = 1 + (int)rnd(12);
		int d = 1 + (int)rnd((unsigned)days_in_month(y, m));
		int h = (int)rnd(24), mi = (int)rnd(60), s = (int)rnd(60);
		bool has_time = rnd(4) != 0, has_sec = rnd(2), twelve = rnd(2);
		char date[32], time[32] = "", in[80], want[40], out[IMP_OUT_MIN];
		enum imp_date_order order = AUTO;
		switch (rnd(4)) {
		case 0:
			snprintf(date, sizeof date, "%04d-%02d-%02d", y, m, d);
			break;
		case 1:
			snprintf(date, sizeof date, "%d/%d/%04d", m, d, y);
			order = MDY;
			break;
		case 2:
			snprintf(date, sizeof date, "%02d/%02d/%04d", d, m, y);
			order = DMY;
			break;
		default:
			snprintf(date, sizeof date, "%04d/%d/%02d", y, m, d);
			break;
		}
		if (has_time) {
			int hh = twelve ? (h % 12 == 0 ? 12 : h % 12) : h;
			int n =
			    snprintf(time, sizeof time, rnd(2) ? " %d:%02d" : " %02d:%02d", hh, mi);
			if (has_sec)
				n += snprintf(time + n, sizeof time - (size_t)n, ":%02d", s);
			if (twelve)
				snprintf(time + n, sizeof time - (size_t)n, "%s",
					 h < 12 ? (rnd(2) ? " AM" : "am")
						: (rnd(2) ? " PM" : "pm"));
		}
		snprintf(in, sizeof in, "%s%s", date, time);
		snprintf(want, sizeof want, "%04d-%02d-%02d %02d:%02d:%02d", y, m, d,
			 has_time ? h : 0, has_time ? mi : 0, has_time && has_sec ? s : 0);
		const char *why = NULL;
		bool ok = imp_date(in, order, out, sizeof out, NULL, &why);
		if (!ok || strcmp(out, want) != 0) {
			printf("  # \"%s\": %s, wanted %s\n", in, ok ? out : why, want);
			harness_case_failed = 1;
			return;
		}
		/* The canonical text reads back as itself. */
		CHECK(imp_date(out, AUTO, in, sizeof in, NULL, NULL) && strcmp(in, want) == 0);
	}
}

/* ---- Character sets ---------------------------------------------------- */

static void charset_names(void)
{
	static const struct {
		const char *name;
		int cs; /* -1: unknown */
	} cases[] = {
	    {"utf-8", IMP_UTF8},
	    {"UTF-8", IMP_UTF8},
	    {"utf8", IMP_UTF8},
	    {"Utf8", IMP_UTF8},
	    {"windows-1252", IMP_WINDOWS_1252},
	    {"Windows-1252", IMP_WINDOWS_1252},
	    {"cp1252", IMP_WINDOWS_1252},
	    {"CP1252", IMP_WINDOWS_1252},
	    {"latin1", IMP_LATIN1},
	    {"LATIN1", IMP_LATIN1},
	    {"latin-1", IMP_LATIN1},
	    {"iso-8859-1", IMP_LATIN1},
	    {"ISO-8859-1", IMP_LATIN1},
	    {"iso8859-1", IMP_LATIN1},
	    {"iso_8859-1", IMP_LATIN1},
	    {"utf-16", -1},
	    {"", -1},
	    {"utf-8 ", -1},
	    {"utf", -1},
	    {"latin", -1},
	    {"windows-1251", -1},
	    {"iso-8859-15", -1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		enum imp_charset cs = (enum imp_charset)99;
		bool ok = imp_charset_of(cases[i].name, &cs);
		if (ok != (cases[i].cs >= 0) || (ok && (int)cs != cases[i].cs) ||
		    (!ok && cs != (enum imp_charset)99)) {
			printf("  # \"%s\"\n", cases[i].name);
			harness_case_failed = 1;
		}
	}
	enum imp_charset cs;
	CHECK(!imp_charset_of(NULL, &cs));
}

/* The code point of the UTF-8 character at @s (assumed well-formed), its
 * length in *@n. */
static unsigned decode_one(const char *s, size_t *n)
{
	const unsigned char *u = (const unsigned char *)s;
	if (u[0] < 0x80)
		return *n = 1, u[0];
	if (u[0] < 0xE0)
		return *n = 2, (unsigned)(u[0] & 0x1F) << 6 | (u[1] & 0x3F);
	if (u[0] < 0xF0)
		return *n = 3,
		       (unsigned)(u[0] & 0x0F) << 12 | (unsigned)(u[1] & 0x3F) << 6 | (u[2] & 0x3F);
	return *n = 4, (unsigned)(u[0] & 0x07) << 18 | (unsigned)(u[1] & 0x3F) << 12 |
			   (unsigned)(u[2] & 0x3F) << 6 | (u[3] & 0x3F);
}

/* Windows-1252's 0x80-0x9F, from the code page's published table. */
static const unsigned cp1252[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, /* € _ ‚ ƒ „ … † ‡ */
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F, /* ˆ ‰ Š ‹ Œ _ Ž _ */
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, /* _ ‘ ’ “ ” • – — */
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178, /* ˜ ™ š › œ _ ž Ÿ */
};

static void every_single_byte_charset_byte(void)
{
	for (unsigned b = 0; b < 256; b++) {
		for (int cs = IMP_WINDOWS_1252; cs <= IMP_LATIN1; cs++) {
			char in[1] = {(char)b}, out[8];
			memset(out, GUARD, sizeof out);
			size_t n = imp_decode(in, 1, (enum imp_charset)cs, out, 4), len;
			unsigned want =
			    cs == IMP_WINDOWS_1252 && b >= 0x80 && b <= 0x9F ? cp1252[b - 0x80] : b;
			unsigned got = decode_one(out, &len);
			size_t want_len = want < 0x80 ? 1 : want < 0x800 ? 2 : 3;
			if (n != len || n != want_len || got != want || out[n] != '\0' ||
			    out[4] != GUARD || imp_utf8_scan(out, n, true, NULL) != n) {
				printf("  # byte 0x%02X in %s: U+%04X, wanted U+%04X\n", b,
				       cs == IMP_LATIN1 ? "latin1" : "windows-1252", got, want);
				harness_case_failed = 1;
			}
		}
	}
	/* A few, as the characters themselves. */
	char out[64];
	imp_decode("\x80\x92\x93\x94\x96\x97\x99\x9F", 8, IMP_WINDOWS_1252, out, sizeof out);
	CHECK_STR(out, "€’“”–—™Ÿ");
	imp_decode("Caf\xE9 \xA3"
		   "5 \x80",
		   9, IMP_WINDOWS_1252, out, sizeof out);
	CHECK_STR(out, "Café £5 €");
	imp_decode("Caf\xE9 \x80", 6, IMP_LATIN1, out, sizeof out);
	CHECK_STR(out, "Café \xC2\x80");
}

static void decode_whole_range_and_room(void)
{
	char in[256], out[3 * 256 + 1 + 1];
	for (int i = 0; i < 256; i++)
		in[i] = (char)i;
	for (int cs = IMP_UTF8; cs <= IMP_LATIN1; cs++) {
		memset(out, GUARD, sizeof out);
		size_t n = imp_decode(in, 256, (enum imp_charset)cs, out, 3 * 256 + 1);
		CHECK(out[n] == '\0' && out[3 * 256 + 1] == GUARD);
		if (cs == IMP_UTF8) {
			CHECK(n == 256 && memcmp(out, in, 256) == 0);
			continue;
		}
		CHECK(imp_utf8_scan(out, n, true, NULL) == n);
		/* One character per byte, in order. */
		size_t o = 0;
		for (int b = 0; b < 256 && o < n; b++) {
			size_t len;
			unsigned cp = decode_one(out + o, &len);
			CHECK(cp == (cs == IMP_WINDOWS_1252 && b >= 0x80 && b <= 0x9F
					 ? cp1252[b - 0x80]
					 : (unsigned)b));
			o += len;
		}
		CHECK(o == n);
	}
	/* Too little room: whole characters only, always NUL-terminated. */
	memset(out, GUARD, sizeof out);
	CHECK(imp_decode("\x80\x80", 2, IMP_WINDOWS_1252, out, 4) == 3);
	CHECK_STR(out, "€");
	CHECK(out[4] == GUARD);
	memset(out, GUARD, sizeof out);
	CHECK(imp_decode("\x80", 1, IMP_WINDOWS_1252, out, 3) == 0);
	CHECK(out[0] == '\0' && out[3] == GUARD);
	CHECK(imp_decode("abc", 3, IMP_UTF8, out, 3) == 2);
	CHECK_STR(out, "ab");
	memset(out, GUARD, sizeof out);
	CHECK(imp_decode("abc", 3, IMP_LATIN1, out, 0) == 0);
	CHECK(out[0] == GUARD);
	CHECK(imp_decode("", 0, IMP_LATIN1, out, 1) == 0 && out[0] == '\0');
}

/* ---- UTF-8 ------------------------------------------------------------- */

struct scan_case {
	const char *bytes;
	size_t len;
	bool final;
	size_t want, tail;
};

#define S(lit) lit, sizeof lit - 1

static const struct scan_case scan_cases[] = {
    {S(""), true, 0, 0},
    {S("abc"), true, 3, 0},
    {S("\0"), true, 1, 0},
    {S("\xC3\xA9"), true, 2, 0},	 /* é */
    {S("\xE2\x82\xAC"), true, 3, 0},	 /* € */
    {S("\xF0\x9F\x98\x80"), true, 4, 0}, /* U+1F600 */
    {S("\xF4\x8F\xBF\xBF"), true, 4, 0}, /* U+10FFFF */
    {S("\xF4\x90\x80\x80"), true, 0, 0}, /* U+110000 */
    {S("\xF5\x80\x80\x80"), true, 0, 0},
    {S("\xC0\x80"), true, 0, 0},	 /* overlong NUL */
    {S("\xC1\xBF"), true, 0, 0},	 /* overlong U+007F */
    {S("\xC2\x80"), true, 2, 0},	 /* U+0080 */
    {S("\xE0\x80\x80"), true, 0, 0},	 /* overlong */
    {S("\xE0\x9F\xBF"), true, 0, 0},	 /* overlong U+07FF */
    {S("\xE0\xA0\x80"), true, 3, 0},	 /* U+0800 */
    {S("\xF0\x80\x80\x80"), true, 0, 0}, /* overlong */
    {S("\xF0\x8F\xBF\xBF"), true, 0, 0}, /* overlong U+FFFF */
    {S("\xF0\x90\x80\x80"), true, 4, 0}, /* U+10000 */
    {S("\xED\xA0\x80"), true, 0, 0},	 /* U+D800 */
    {S("\xED\xBF\xBF"), true, 0, 0},	 /* U+DFFF */
    {S("\xED\x9F\xBF"), true, 3, 0},	 /* U+D7FF */
    {S("\xEE\x80\x80"), true, 3, 0},	 /* U+E000 */
    {S("\xEF\xBF\xBF"), true, 3, 0},	 /* U+FFFF */
    {S("\x80"), true, 0, 0},		 /* stray continuation */
    {S("a\x80"), true, 1, 0},
    {S("\xC3\x41"), true, 0, 0},
    {S("\xE2\x82\x41"), true, 0, 0},
    {S("\xF0\x9F\x98\x41"), true, 0, 0},
    {S("\xFE"), true, 0, 0},
    {S("\xFF"), true, 0, 0},
    {S("ok\xC3\xA9\xFF"), true, 4, 0},
    /* Cut at the end. */
    {S("ab\xC3"), true, 2, 0},
    {S("ab\xC3"), false, 3, 1},
    {S("\xE2\x82"), true, 0, 0},
    {S("\xE2\x82"), false, 2, 2},
    {S("x\xE2"), false, 2, 1},
    {S("\xF0\x9F\x98"), true, 0, 0},
    {S("\xF0\x9F\x98"), false, 3, 3},
    {S("\xE0\x80"), false, 0, 0}, /* already overlong */
    {S("\xED\xA0"), false, 0, 0}, /* already a surrogate */
    {S("\xF4\x90"), false, 0, 0}, /* already above U+10FFFF */
    {S("\xC0"), false, 0, 0},	  /* never a lead */
    {S("\xFF\xC3"), false, 0, 0}, /* an error before the tail */
    {S("\xC3\xA9"), false, 2, 0}, /* complete: no tail */
};

static void utf8_scan_cases(void)
{
	for (size_t i = 0; i < sizeof scan_cases / sizeof *scan_cases; i++) {
		const struct scan_case *c = &scan_cases[i];
		size_t tail = 99;
		size_t got = imp_utf8_scan(c->bytes, c->len, c->final, &tail);
		if (got != c->want || tail != c->tail) {
			printf("  # case %zu: %zu tail %zu, wanted %zu tail %zu\n", i, got, tail,
			       c->want, c->tail);
			harness_case_failed = 1;
		}
	}
	CHECK(imp_utf8_scan("\xC3", 1, false, NULL) == 1); /* tail may be NULL */
}

/* A reference: decodes by the definition (the code point, then its
 * shortest length and range), not by Unicode's byte table. */
static size_t ref_scan(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		unsigned b = s[i], cp, n;
		if (b < 0x80)
			n = 1, cp = b;
		else if ((b & 0xE0) == 0xC0)
			n = 2, cp = b & 0x1F;
		else if ((b & 0xF0) == 0xE0)
			n = 3, cp = b & 0x0F;
		else if ((b & 0xF8) == 0xF0)
			n = 4, cp = b & 0x07;
		else
			return i;
		if (i + n > len)
			return i;
		for (unsigned k = 1; k < n; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return i;
			cp = cp << 6 | (s[i + k] & 0x3F);
		}
		unsigned shortest = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
		if (n != shortest || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return i;
		i += n;
	}
	return len;
}

static void utf8_scan_matches_reference_and_streams(void)
{
	static const unsigned char leads[] = {0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xC0, 0xF5};
	unsigned char buf[64];
	for (int iter = 0; iter < 100000; iter++) {
		size_t len = rnd(sizeof buf + 1);
		for (size_t i = 0; i < len; i++) {
			unsigned r = rnd(4);
			buf[i] = (unsigned char)(r == 0	  ? rnd(0x80)
						 : r == 1 ? leads[rnd(sizeof leads)]
						 : r == 2 ? 0x80 + rnd(0x40)
							  : rnd(256));
		}
		size_t want = ref_scan(buf, len);
		size_t got = imp_utf8_scan((const char *)buf, len, true, NULL);
		if (got != want) {
			printf("  # scan %zu, reference %zu\n", got, want);
			harness_case_failed = 1;
			return;
		}
		/* In chunks, holding back each tail: the same verdict. */
		unsigned char held[4 + sizeof buf];
		size_t nheld = 0, pos = 0, seen = 0;
		bool bad = false;
		while (pos < len && !bad) {
			size_t step = 1 + rnd(8);
			if (step > len - pos)
				step = len - pos;
			memcpy(held + nheld, buf + pos, step);
			size_t n = nheld + step, tail;
			pos += step;
			size_t r = imp_utf8_scan((const char *)held, n, pos == len, &tail);
			CHECK(tail <= 3 && (tail == 0 || r == n));
			if (r < n) {
				bad = true;
				seen += r;
			} else {
				seen += n - tail;
				memmove(held, held + n - tail, tail);
				nheld = tail;
			}
		}
		CHECK(bad ? seen == want : want == len);
	}
}

/* ---- Names ------------------------------------------------------------- */

static void fold_names(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"  Jos\xC3\xA9  \xC3\x81LVAREZ ", "jose alvarez"},
	    {"José Álvarez", "jose alvarez"},
	    {"JOSÉ ÁLVAREZ", "jose alvarez"},
	    {"Straße", "strasse"},
	    {"Æsa Ørsted", "aesa orsted"},
	    {"Łukasz Wałęsa", "lukasz walesa"},
	    {"Œuvre Cœur", "oeuvre coeur"},
	    {"François" NBSP "Müller", "francois muller"},
	    {"Þór Þorsteinsdóttir", "thor thorsteinsdottir"},
	    {"İsmail Ağaoğlu", "ismail agaoglu"},
	    {"ĲSSEL ĳs", "ijssel ijs"},
	    {"Antonín Dvořák", "antonin dvorak"},
	    {"Ñúñez", "nunez"},
	    {"Zoë\tKowalczyk", "zoe kowalczyk"},
	    {"Đorđe Ħabib Ŋ", "dorde habib n"},
	    {"ÿ Ÿ ſ ĸ", "y y s k"},
	    {"Ångström Çelik", "angstrom celik"},
	    {"O'Brien-Smith Jr.", "o'brien-smith jr."},
	    {"Σοφία Παπαδοπούλου", "Σοφία Παπαδοπούλου"},
	    {"李 小龙", "李 小龙"},
	    {"A × B ÷ C", "a × b ÷ c"},
	    {NNBSP "Ann" NNBSP NNBSP "Lee" NNBSP, "ann lee"},
	    {" \t " NBSP, ""},
	    {"", ""},
	    {"\xFF"
	     "Bob\xC3",
	     "\xFF"
	     "bob\xC3"},
	    {"R2-D2", "r2-d2"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char out[256];
		memset(out, GUARD, sizeof out);
		size_t outlen = 4 * strlen(cases[i].in) + 1;
		imp_fold_name(cases[i].in, out, outlen);
		CHECK_STR(out, cases[i].out);
		CHECK((unsigned char)out[outlen] == GUARD);
	}
}

/* Every letter of U+00C0-U+017F folds to one or two ASCII lower-case
 * letters, upper and lower case alike; × and ÷ stay. */
static void fold_every_latin_letter(void)
{
	for (unsigned cp = 0xC0; cp <= 0x17F; cp++) {
		char in[3] = {(char)(0xC0 | cp >> 6), (char)(0x80 | (cp & 0x3F)), 0}, out[8];
		imp_fold_name(in, out, sizeof out);
		if (cp == 0xD7 || cp == 0xF7) {
			CHECK_STR(out, in);
			continue;
		}
		size_t n = strlen(out);
		bool letters = n >= 1 && n <= 2;
		for (size_t i = 0; i < n; i++)
			letters = letters && out[i] >= 'a' && out[i] <= 'z';
		if (!letters) {
			printf("  # U+%04X folds to \"%s\"\n", cp, out);
			harness_case_failed = 1;
		}
	}
	/* Upper and lower case of Latin-1 fold alike (they are 0x20 apart). */
	for (unsigned cp = 0xC0; cp <= 0xDE; cp++) {
		if (cp == 0xD7)
			continue;
		char up[3] = {(char)0xC3, (char)(0x80 | (cp & 0x3F)), 0};
		char low[3] = {(char)0xC3, (char)(0x80 | ((cp + 0x20) & 0x3F)), 0}, a[8], b[8];
		imp_fold_name(up, a, sizeof a);
		imp_fold_name(low, b, sizeof b);
		CHECK_STR(a, b);
	}
}

static void fold_name_room(void)
{
	char out[16];
	memset(out, GUARD, sizeof out);
	imp_fold_name("José Álvarez", out, 4);
	CHECK_STR(out, "jos");
	CHECK(out[4] == GUARD);
	imp_fold_name("José Álvarez", out, 6); /* " a" and its NUL do not fit */
	CHECK_STR(out, "jose");
	imp_fold_name("李", out, 3); /* 3 bytes and a NUL do not fit */
	CHECK_STR(out, "");
	memset(out, GUARD, sizeof out);
	imp_fold_name("Bob", out, 0);
	CHECK(out[0] == GUARD);
	imp_fold_name("Bob", out, 1);
	CHECK(out[0] == '\0' && out[1] == GUARD);
}

/* ---- Fuzz -------------------------------------------------------------- */

static const char *const known_reasons[] = {
    "is empty",
    "has no number",
    "is not an amount",
    "has two currencies",
    "has malformed digit groups",
    "has more than 2 decimals",
    "has more than 14 integer digits",
    "is negative",
    "has no room for the output",
    "is not a date",
    "has a two-digit year",
    "has a year outside 1900-9999",
    "has a month outside 1-12",
    "has a day outside its month",
    "has an hour outside 0-23",
    "has an hour outside 1-12 before AM/PM",
    "has minutes outside 0-59",
    "has seconds outside 0-59",
    "has an offset out of range",
    AMBIGUOUS,
};

static bool known(const char *why)
{
	for (size_t i = 0; i < sizeof known_reasons / sizeof *known_reasons; i++)
		if (why == known_reasons[i] || (why != NULL && strcmp(why, known_reasons[i]) == 0))
			return true;
	return false;
}

static bool canonical_amount(const char *s)
{
	size_t i = 0;
	while (s[i] >= '0' && s[i] <= '9')
		i++;
	if (i == 0 || i > 14 || (i > 1 && s[0] == '0'))
		return false;
	if (s[i] == '\0')
		return true;
	size_t d = 0;
	if (s[i++] != '.')
		return false;
	while (s[i] >= '0' && s[i] <= '9')
		i++, d++;
	return s[i] == '\0' && d >= 1 && d <= 2;
}

static bool canonical_date(const char *s, bool offset)
{
	const char *pat = offset ? "dddd-dd-dd dd:dd:dd+dd:dd" : "dddd-dd-dd dd:dd:dd";
	if (strlen(s) != strlen(pat))
		return false;
	for (size_t i = 0; pat[i]; i++) {
		bool ok = pat[i] == 'd'	  ? s[i] >= '0' && s[i] <= '9'
			  : pat[i] == '+' ? s[i] == '+' || s[i] == '-'
					  : s[i] == pat[i];
		if (!ok)
			return false;
	}
	return true;
}

/* One of the cases above with a few bytes replaced, inserted or deleted. */
static size_t mutated_case(char *buf, size_t cap)
{
	size_t na = sizeof amount_cases / sizeof *amount_cases;
	size_t nd = sizeof date_cases / sizeof *date_cases;
	size_t k = rnd((unsigned)(na + nd));
	const char *seed = k < na ? amount_cases[k].in : date_cases[k - na].in;
	size_t n = strlen(seed);
	memcpy(buf, seed, n + 1);
	for (unsigned edits = rnd(3); edits > 0; edits--) {
		size_t at = rnd((unsigned)n + 1);
		char c = rnd(2) ? "0123456789/:-+., TZAPM"[rnd(22)] : (char)(1 + rnd(255));
		unsigned how = rnd(3);
		if (how == 0 && at < n) {
			buf[at] = c;
		} else if (how == 1 && n + 2 < cap) {
			memmove(buf + at + 1, buf + at, n - at + 1);
			buf[at] = c;
			n++;
		} else if (at < n) {
			memmove(buf + at, buf + at + 1, n - at);
			n--;
		}
	}
	return n;
}

/* Random text favouring the bytes the parsers care about, or a case
 * slightly changed. */
static size_t fuzz_input(char *buf, size_t cap)
{
	if (rnd(2))
		return mutated_case(buf, cap);
	static const char *const bits[] = {
	    "0",	"1",
	    "9",	"12",
	    "2026",	",",
	    ".",	"'",
	    "-",	"+",
	    ":",	"/",
	    "T",	"Z",
	    " ",	"\t",
	    NBSP,	NNBSP,
	    "(",	")",
	    "$",	"USD",
	    "US$",	"AM",
	    "pm",	"\xE2\x82\xAC",
	    "\xC3\xA9", "\xC3",
	    "\xFF",	"\xE2\x88\x92",
	    "é",	"Ł",
	    "ß",	"A",
	    "z",	"\x80",
	};
	size_t n = 0, parts = rnd(12);
	for (size_t i = 0; i < parts; i++) {
		const char *b = rnd(5) == 0 ? NULL : bits[rnd(sizeof bits / sizeof *bits)];
		char one[2] = {(char)(1 + rnd(255)), 0};
		if (b == NULL)
			b = one;
		size_t len = strlen(b);
		if (n + len + 1 > cap)
			break;
		memcpy(buf + n, b, len);
		n += len;
	}
	buf[n] = '\0';
	return n;
}

static void fuzz(void)
{
	int amounts_ok = 0, dates_ok = 0;
	for (int iter = 0; iter < 200000; iter++) {
		char in[128], out[4 * 128 + 2], again[IMP_OUT_MIN];
		size_t len = fuzz_input(in, sizeof in);
		size_t outlen = rnd(3) ? IMP_OUT_MIN : rnd(IMP_OUT_MIN + 1);
		const char *why = NULL;
		bool offset;

		memset(out, GUARD, sizeof out);
		bool ok = imp_amount(in, rnd(2) ? P : C, out, outlen, &why);
		CHECK(out[outlen] == GUARD);
		if (ok) {
			amounts_ok++;
			CHECK(canonical_amount(out));
			CHECK(imp_amount(out, P, again, sizeof again, NULL) &&
			      strcmp(again, out) == 0);
		} else {
			CHECK(known(why) && (outlen == 0 || out[0] == '\0'));
		}

		memset(out, GUARD, sizeof out);
		why = NULL;
		ok = imp_date(in, (enum imp_date_order)rnd(3), out, outlen, &offset, &why);
		CHECK(out[outlen] == GUARD);
		if (ok) {
			dates_ok++;
			CHECK(canonical_date(out, offset));
			CHECK(imp_date(out, AUTO, again, sizeof again, NULL, NULL) &&
			      strcmp(again, out) == 0);
		} else {
			CHECK(known(why) && (outlen == 0 || out[0] == '\0'));
		}
		unsigned mask = imp_date_orders(in);
		CHECK((mask & ~(IMP_ORDERS_MDY | IMP_ORDERS_DMY)) == 0);
		if (mask & IMP_ORDERS_MDY)
			CHECK(imp_date(in, MDY, again, sizeof again, NULL, NULL));
		if (mask & IMP_ORDERS_DMY)
			CHECK(imp_date(in, DMY, again, sizeof again, NULL, NULL));

		size_t foldlen = rnd(3) ? 4 * len + 1 : rnd((unsigned)(4 * len + 2));
		memset(out, GUARD, sizeof out);
		imp_fold_name(in, out, foldlen);
		CHECK((unsigned char)out[foldlen] == GUARD);
		if (foldlen > 0) {
			CHECK(strlen(out) <= len && strlen(out) < foldlen);
			char twice[4 * 128 + 2];
			imp_fold_name(out, twice, sizeof twice);
			CHECK_STR(twice, out); /* folding is idempotent */
		}

		enum imp_charset cs = (enum imp_charset)rnd(3);
		size_t cap = rnd(3) ? 3 * len + 1 : rnd((unsigned)(3 * len + 2));
		memset(out, GUARD, sizeof out);
		size_t n = imp_decode(in, len, cs, out, cap);
		CHECK((unsigned char)out[cap] == GUARD);
		if (cap > 0) {
			CHECK(n < cap && out[n] == '\0');
			if (cs != IMP_UTF8)
				CHECK(imp_utf8_scan(out, n, true, NULL) == n);
			if (cap >= 3 * len + 1)
				CHECK(n >= len && (cs != IMP_UTF8 || memcmp(out, in, len) == 0));
		}

		size_t tail = 9, r = imp_utf8_scan(in, len, rnd(2), &tail);
		CHECK(r <= len && tail <= 3);
		if (harness_case_failed) {
			printf("  # fuzz input \"%s\"\n", in);
			return;
		}
	}
	/* The fuzzer reaches past the refusals. */
	CHECK(amounts_ok > 5000 && dates_ok > 5000);
}

int main(void)
{
	TEST(amounts);
	TEST(amount_output_room);
	TEST(amounts_written_every_way);
	TEST(dates);
	TEST(date_output_room);
	TEST(date_orders);
	TEST(dates_written_every_way);
	TEST(charset_names);
	TEST(every_single_byte_charset_byte);
	TEST(decode_whole_range_and_room);
	TEST(utf8_scan_cases);
	TEST(utf8_scan_matches_reference_and_streams);
	TEST(fold_names);
	TEST(fold_every_latin_letter);
	TEST(fold_name_room);
	TEST(fuzz);
	return HARNESS_EXIT();
}
