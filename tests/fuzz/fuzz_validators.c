/* The validators of outside text (include/model.h: RFC 3339 times, ids,
 * e-mails, slugs, URLs, listing cursors, UTF-8) and the value parsers of
 * import files (include/import_values.h: amounts, dates in each order,
 * charsets, names), each on the input as one NUL-terminated string (the
 * decoders on its raw bytes).
 *
 * Checked: the two UTF-8 checks agree (utf8_valid and imp_utf8_scan, also
 * when the scan is fed in two pieces); a date is output as a real RFC
 * 3339 time, in the order imp_date_orders says it reads in, and AUTO reads
 * it only when the orders agree; an amount is canonical; a decoded charset
 * is well-formed UTF-8 whose prefix a short buffer gets; a folded name is
 * no longer than the name and folds to itself; too small an output buffer
 * is refused, never overrun (each buffer is exactly its size, for ASan). */
#include <string.h>
#include "fuzz.h"
#include "import_values.h"
#include "model.h"

/* "YYYY-MM-DD HH:MM:SS" or "YYYY-MM-DD HH:MM:SS+HH:MM", a real time. */
static bool canonical_time(const char *s, bool offset)
{
	size_t n = strlen(s);
	if (n != (offset ? 25u : 19u) || s[10] != ' ')
		return false;
	char t[32];
	memcpy(t, s, n + 1);
	t[10] = 'T';
	if (!offset)
		memcpy(t + 19, "Z", 2);
	return rfc3339_valid(t);
}

static bool canonical_amount(const char *s)
{
	size_t n = strspn(s, "0123456789");
	if (n == 0 || n > 14 || (n > 1 && s[0] == '0'))
		return false;
	if (s[n] == '\0')
		return true;
	size_t k = strspn(s + n + 1, "0123456789");
	return s[n] == '.' && (k == 1 || k == 2) && s[n + 1 + k] == '\0';
}

static void model_validators(const char *s, size_t len)
{
	bool t = rfc3339_valid(s);
	FUZZ_CHECK(!t || (len >= 20 && s[4] == '-' && s[10] == 'T'));
	if (len < 40) {
		char cursor[80];
		snprintf(cursor, sizeof cursor, "%s 1f1007df-4f66-4f84-9ab8-af53edde0bf6", s);
		FUZZ_CHECK(keyset_valid(cursor) == (t && strchr(s, ' ') == NULL));
	}
	keyset_valid(s);
	FUZZ_CHECK(!uuid_valid(s) || len == UUID_LEN);
	FUZZ_CHECK(!slug_valid(s) || (len >= 1 && len <= SLUG_MAX));
	FUZZ_CHECK(!email_valid(s) || (len <= EMAIL_MAX && strchr(s, '@') != NULL));
	FUZZ_CHECK(!http_url_valid(s) || strncmp(s, "http", 4) == 0);
	one_of(s, asset_kinds);
	role_from_name(s);
}

static void utf8_checks(const char *s, size_t len, unsigned cut)
{
	bool valid = utf8_valid(s);
	size_t tail = 9;
	FUZZ_CHECK((imp_utf8_scan(s, len, true, &tail) == len) == valid);
	FUZZ_CHECK(tail == 0);
	/* in two pieces, what the first holds back put before the second */
	size_t k = len ? cut % (len + 1) : 0;
	size_t first = imp_utf8_scan(s, k, false, &tail);
	if (first < k) {
		FUZZ_CHECK(!valid);
		return;
	}
	FUZZ_CHECK(tail <= 3 && tail <= k);
	size_t rest = tail + len - k;
	size_t second = imp_utf8_scan(s + k - tail, rest, true, NULL);
	FUZZ_CHECK((second == rest) == valid);
}

static void dates(const char *s)
{
	char out[IMP_OUT_MIN], mdy[IMP_OUT_MIN], dmy[IMP_OUT_MIN];
	bool offset = false;
	const char *why = NULL;
	unsigned orders = imp_date_orders(s);
	FUZZ_CHECK((orders & ~(unsigned)(IMP_ORDERS_MDY | IMP_ORDERS_DMY)) == 0);
	bool ok_mdy = imp_date(s, IMP_ORDER_MDY, mdy, sizeof mdy, &offset, &why);
	FUZZ_CHECK(ok_mdy ? canonical_time(mdy, offset) : (why != NULL && *mdy == '\0'));
	bool ok_dmy = imp_date(s, IMP_ORDER_DMY, dmy, sizeof dmy, &offset, &why);
	FUZZ_CHECK(ok_dmy ? canonical_time(dmy, offset) : (why != NULL && *dmy == '\0'));
	bool ok_auto = imp_date(s, IMP_ORDER_AUTO, out, sizeof out, &offset, &why);
	FUZZ_CHECK(ok_auto ? canonical_time(out, offset) : (why != NULL && *out == '\0'));
	FUZZ_CHECK(!(orders & IMP_ORDERS_MDY) || ok_mdy);
	FUZZ_CHECK(!(orders & IMP_ORDERS_DMY) || ok_dmy);
	if (orders == IMP_ORDERS_MDY)
		FUZZ_CHECK(ok_auto && strcmp(out, mdy) == 0);
	if (orders == IMP_ORDERS_DMY)
		FUZZ_CHECK(ok_auto && strcmp(out, dmy) == 0);
	if (orders == (IMP_ORDERS_MDY | IMP_ORDERS_DMY))
		FUZZ_CHECK(strcmp(mdy, dmy) == 0 ? ok_auto && strcmp(out, mdy) == 0 : !ok_auto);
	if (orders == 0 && ok_auto) /* not a slash date: the order does not matter */
		FUZZ_CHECK(ok_mdy && ok_dmy && strcmp(out, mdy) == 0 && strcmp(out, dmy) == 0);
	/* too small a buffer: refused or the same text */
	char *small = malloc(20);
	if (small != NULL && imp_date(s, IMP_ORDER_MDY, small, 20, &offset, NULL))
		FUZZ_CHECK(ok_mdy && strcmp(small, mdy) == 0);
	free(small);
}

static void amounts(const char *s)
{
	for (int m = 0; m < 2; m++) {
		enum imp_decimal mark = m ? IMP_DECIMAL_COMMA : IMP_DECIMAL_POINT;
		char out[IMP_OUT_MIN];
		const char *why = NULL;
		bool ok = imp_amount(s, mark, out, sizeof out, &why);
		FUZZ_CHECK(ok ? canonical_amount(out) : (why != NULL && *out == '\0'));
		char *small = malloc(6);
		if (small != NULL && imp_amount(s, mark, small, 6, NULL))
			FUZZ_CHECK(ok && strcmp(small, out) == 0);
		free(small);
	}
}

static void charsets(const char *raw, size_t len, unsigned cut)
{
	static const enum imp_charset all[] = {IMP_UTF8, IMP_WINDOWS_1252, IMP_LATIN1};
	for (size_t c = 0; c < sizeof all / sizeof all[0]; c++) {
		size_t cap = 3 * len + 1;
		char *out = malloc(cap);
		if (out == NULL)
			return;
		size_t n = imp_decode(raw, len, all[c], out, cap);
		FUZZ_CHECK(n < cap && out[n] == '\0');
		if (all[c] == IMP_UTF8)
			FUZZ_CHECK(n == len && memcmp(out, raw, len) == 0);
		else
			FUZZ_CHECK(n >= len && imp_utf8_scan(out, n, true, NULL) == n);
		size_t scap = cut % cap;
		char *part = malloc(scap ? scap : 1);
		if (part != NULL) {
			size_t k = imp_decode(raw, len, all[c], part, scap);
			FUZZ_CHECK(scap == 0 ? k == 0 : k < scap && part[k] == '\0');
			FUZZ_CHECK(k <= n && memcmp(part, out, k) == 0);
			FUZZ_CHECK(k == n || scap == 0 ||
				   k + 4 > scap); /* the next one did not fit */
		}
		free(part);
		free(out);
	}
}

static void names(const char *s, size_t len, unsigned cut)
{
	char *out = malloc(len + 1), *again = malloc(len + 1);
	if (out != NULL && again != NULL) {
		imp_fold_name(s, out, len + 1);
		size_t n = strlen(out);
		FUZZ_CHECK(n <= len);
		imp_fold_name(out, again, n + 1);
		FUZZ_CHECK(strcmp(out, again) == 0);
		size_t small = cut % (len + 1);
		char *part = malloc(small ? small : 1);
		if (part != NULL) {
			imp_fold_name(s, part, small);
			FUZZ_CHECK(small == 0 ||
				   (strlen(part) < small && strncmp(part, out, strlen(part)) == 0));
		}
		free(part);
	}
	free(out);
	free(again);
	enum imp_charset cs;
	imp_charset_of(s, &cs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned cut = data[0];
	const char *raw = (const char *)data + 1;
	size_t len = size - 1;
	char *s = malloc(len + 1);
	if (s == NULL)
		return 0;
	memcpy(s, raw, len);
	s[len] = '\0';
	size_t slen = strlen(s);
	model_validators(s, slen);
	utf8_checks(s, slen, cut);
	dates(s);
	amounts(s);
	charsets(raw, len, cut);
	names(s, slen, cut);
	free(s);
	return 0;
}
