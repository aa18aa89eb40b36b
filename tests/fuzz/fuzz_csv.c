/* Deal import files (include/csv.h, include/import_format.h,
 * include/import_values.h): bytes in each charset the importer takes,
 * decoded, checked as UTF-8 and split into records, the header read into a
 * layout and every other record into a deal, with each date order and
 * decimal mark; or the bare CSV reader on raw bytes.
 *
 * The input: one byte of options (the reader: UTF-8, windows-1252, latin1
 * or bare CSV; the date order: auto, M/D/Y or D/M/Y; the decimal mark;
 * per-record problems fatal, skipped or stopping), one byte that seeds
 * how the file is cut, then the file. It is read twice, once in one piece
 * and once in pieces of 1 to 4096 bytes: both must hand out the same
 * records and problems and end with the same status (a byte that is not
 * UTF-8 fails the file before its piece is read, see below). The callbacks check what the headers
 * promise: field counts and lengths, lines that only go forward, and a deal's values in their
 * canonical forms. */
#include <stdbool.h>
#include <string.h>
#include "fuzz.h"
#include "import_format.h"
#include "model.h"

enum reader { R_UTF8, R_WINDOWS_1252, R_LATIN1, R_CSV };

struct run {
	struct fuzz_digest d;
	enum reader reader;
	int on_problem; /* 0: no error callback, 1: skip the record, 2: stop */
	struct imp_options opt;
	bool have_layout, layout_bad;
	struct imp_layout layout;
	unsigned long last_line;
	unsigned long records;
};

/* "d+" or "d+.d" or "d+.dd", no leading zero but for "0". */
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

/* "YYYY-MM-DD HH:MM:SS" or "YYYY-MM-DD HH:MM:SS+HH:MM", a real time. */
static bool canonical_time(const char *s)
{
	size_t n = strlen(s);
	if (n != 19 && n != 25)
		return false;
	char t[32];
	memcpy(t, s, n + 1);
	if (t[10] != ' ')
		return false;
	t[10] = 'T';
	if (n == 19)
		memcpy(t + 19, "Z", 2);
	else if (t[19] != '+' && t[19] != '-')
		return false;
	return rfc3339_valid(t);
}

static void check_record(const struct imp_record *r)
{
	FUZZ_CHECK(strlen(r->key) < sizeof r->key);
	FUZZ_CHECK(r->ext && r->name && r->account && r->owner);
	FUZZ_CHECK(*r->ext || *r->name);
	FUZZ_CHECK(!*r->amount || canonical_amount(r->amount));
	FUZZ_CHECK(!*r->created || canonical_time(r->created));
	FUZZ_CHECK(!*r->close || canonical_time(r->close));
	FUZZ_CHECK(!*r->modified || canonical_time(r->modified));
	FUZZ_CHECK(r->nmoves >= 1 && r->nmoves <= 1 + IMP_ENTERED_MAX);
	for (int i = 0; i < r->nmoves; i++) {
		FUZZ_CHECK(r->moves[i].stage != NULL && r->moves[i].column != NULL);
		FUZZ_CHECK(!*r->moves[i].at || canonical_time(r->moves[i].at));
	}
}

static int on_record(void *cls, unsigned long line, int n, char **fields)
{
	struct run *run = cls;
	FUZZ_CHECK(n >= 1 && n <= CSV_FIELDS_MAX && fields[n] == NULL);
	FUZZ_CHECK(line >= 1 && line > run->last_line);
	run->last_line = line;
	fuzz_digest_tag(&run->d, 'R', line);
	fuzz_digest_tag(&run->d, 'N', (uint64_t)n);
	for (int i = 0; i < n; i++) {
		size_t len = strlen(fields[i]);
		FUZZ_CHECK(len <= CSV_FIELD_MAX);
		fuzz_digest_tag(&run->d, 'F', len);
		fuzz_digest_add(&run->d, fields[i], len);
	}
	run->records++;
	if (run->reader == R_CSV || run->layout_bad)
		return 0;
	if (!run->have_layout) {
		const char *field = NULL, *why = NULL;
		run->have_layout = true;
		if (!imp_layout_read(&run->layout, n, fields, &field, &why)) {
			FUZZ_CHECK(field != NULL && why != NULL);
			run->layout_bad = true;
			return 0;
		}
		FUZZ_CHECK(run->layout.nentered <= IMP_ENTERED_MAX);
		return 0;
	}
	for (int c = 0; c < n; c++)
		if (imp_layout_is_date(&run->layout, c))
			FUZZ_CHECK(
			    (imp_date_orders(fields[c]) & ~(IMP_ORDERS_MDY | IMP_ORDERS_DMY)) == 0);
	static struct imp_record rec; /* large: not on the stack */
	struct imp_refusal why;
	if (imp_record_read(&run->layout, &run->opt, n, fields, &rec, &why))
		check_record(&rec);
	else
		FUZZ_CHECK(why.message != NULL && why.field != NULL);
	return 0;
}

static int on_error(void *cls, unsigned long line, enum csv_status st)
{
	struct run *run = cls;
	FUZZ_CHECK(st == CSV_FIELD_TOO_LONG || st == CSV_TOO_MANY_FIELDS || st == CSV_BAD_QUOTE ||
		   st == CSV_NUL_BYTE);
	FUZZ_CHECK(line >= 1);
	fuzz_digest_tag(&run->d, 'X', line);
	fuzz_digest_tag(&run->d, 'S', st);
	return run->on_problem == 2;
}

struct outcome {
	enum csv_status st;
	bool bad_utf8;
	unsigned long bad_line, line;
};

static void parse(struct run *run, const char *file, size_t len, uint32_t seed, struct outcome *out)
{
	csv_error_fn err = run->on_problem ? on_error : NULL;
	struct csv_reader *csv = NULL;
	struct imp_reader *imp = NULL;
	if (run->reader == R_CSV)
		csv = csv_new(on_record, err, run);
	else
		imp = imp_reader_new(run->reader == R_UTF8	     ? IMP_UTF8
				     : run->reader == R_WINDOWS_1252 ? IMP_WINDOWS_1252
								     : IMP_LATIN1,
				     on_record, err, run);
	FUZZ_CHECK(csv != NULL || imp != NULL);
	enum csv_status st = CSV_OK;
	for (size_t at = 0; at < len && st == CSV_OK;) {
		size_t n = seed ? fuzz_piece(&seed) : len;
		n = n < len - at ? n : len - at;
		st = csv ? csv_feed(csv, file + at, n) : imp_reader_feed(imp, file + at, n);
		at += n;
	}
	if (st == CSV_OK)
		st = csv ? csv_finish(csv) : imp_reader_finish(imp);
	FUZZ_CHECK(csv_status_text(st) != NULL);
	out->st = st;
	out->bad_utf8 = imp && imp_reader_bad_utf8(imp, &out->bad_line);
	out->line = csv ? csv_line(csv) : imp_reader_line(imp);
	FUZZ_CHECK(out->line >= 1);
	csv_free(csv);
	imp_reader_free(imp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	unsigned o = data[0];
	struct run proto = {
	    .reader = (enum reader)(o % 4),
	    .opt.order = (enum imp_date_order)(o / 4 % 3),
	    .opt.decimal = o / 12 % 2 ? IMP_DECIMAL_COMMA : IMP_DECIMAL_POINT,
	    .on_problem = (int)(o / 24 % 3),
	};
	uint32_t seed = data[1] | 0x100u;
	size_t len = size - 2;
	char *file = malloc(len ? len : 1);
	if (file == NULL)
		return 0;
	memcpy(file, data + 2, len);

	static struct run whole, cut;
	struct outcome ow, oc;
	whole = proto;
	cut = proto;
	fuzz_digest_init(&whole.d);
	fuzz_digest_init(&cut.d);
	parse(&whole, file, len, 0, &ow);
	parse(&cut, file, len, seed, &oc);
	if (ow.bad_utf8 || oc.bad_utf8) {
		/* The reader checks each piece of up to 64 KiB as UTF-8 before
		 * the CSV reader sees any of it: read whole, the file fails on
		 * its bad byte; read in small pieces, a fatal problem before
		 * that byte may fail it first. Either way it fails, and the bad
		 * byte is found on the same line. */
		FUZZ_CHECK(ow.bad_utf8 && oc.st != CSV_OK);
		FUZZ_CHECK(!oc.bad_utf8 || ow.bad_line == oc.bad_line);
	} else {
		FUZZ_CHECK(ow.st == oc.st);
		FUZZ_CHECK(whole.records == cut.records);
		FUZZ_CHECK(whole.d.h == cut.d.h);
		FUZZ_CHECK(ow.line == oc.line);
	}
	free(file);
	return 0;
}
