/* What a deal import file says, whatever exported it: its columns found by
 * header name (ours, Salesforce's opportunity and Opportunity History
 * reports, HubSpot's deal export with its "Date entered" columns), and
 * each record turned into a deal's fields and the stage moves it states.
 * Also the file reader that the scan before a job and the job itself
 * share: bytes in any charset, decoded, checked as UTF-8, split by the CSV
 * reader. Pure C over the value parsers of import_values.h; no I/O. */
#ifndef NS_IMPORT_FORMAT_H
#define NS_IMPORT_FORMAT_H
#include <stdbool.h>
#include "csv.h"
#include "import_values.h"

/* The columns an import reads. */
enum imp_field {
	IMP_EXT,  /* the CRM's id of the deal */
	IMP_NAME, /* with IMP_ACCOUNT, names a deal that has no id */
	IMP_ACCOUNT,
	IMP_OWNER,	/* an e-mail or a full name */
	IMP_STAGE,	/* the stage the record puts the deal in */
	IMP_FROM_STAGE, /* a history's previous stage */
	IMP_AMOUNT,
	IMP_CHANGED,  /* when the deal entered IMP_STAGE */
	IMP_MODIFIED, /* last modified: a fallback for IMP_CHANGED */
	IMP_CLOSE,    /* close date: when a closed deal entered its outcome */
	IMP_CREATED,  /* when the deal was created */
	IMP_FIELDS
};

#define IMP_ENTERED_MAX 64 /* "Date entered" columns read */

/* The header: which column holds each field (-1: none), and HubSpot's
 * "Date entered "<stage> (<pipeline>)"" columns with their stages. */
struct imp_layout {
	int col[IMP_FIELDS];
	struct {
		int col;
		char stage[201]; /* the label, without " (<pipeline>)" */
	} entered[IMP_ENTERED_MAX];
	int nentered;
	char names[CSV_FIELDS_MAX][64]; /* the header's names, for messages */
	int ncols;
};

/* Reads the header record @fields[0..@n). False, with the API's name of
 * the missing field in *@field and a sentence in *@why, when it lacks an
 * id (or a name) or a stage column. */
bool imp_layout_read(struct imp_layout *l, int n, char **fields, const char **field,
		     const char **why);

/* Whether column @col of @l holds dates (for detecting their order). */
bool imp_layout_is_date(const struct imp_layout *l, int col);

/* How values are read: the order of slash dates (IMP_ORDER_AUTO only when
 * the file has none ambiguous) and the decimal mark. */
struct imp_options {
	enum imp_date_order order;
	enum imp_decimal decimal;
};

/* A move the record states: the deal entered @stage (the file's text,
 * from column @column) at @at ("" when the record does not say). */
struct imp_move {
	const char *stage, *column;
	char at[IMP_OUT_MIN];
	bool main; /* the record's own stage (else a "Date entered" column) */
};

/* A record as the import stages it. Strings point into the record's
 * fields or into this struct; "" means not given. */
struct imp_record {
	char key[512]; /* the id, or "n:" name "\x1f" account, lower-cased */
	const char *ext, *name, *account, *owner;
	char amount[IMP_OUT_MIN], created[IMP_OUT_MIN], close[IMP_OUT_MIN], modified[IMP_OUT_MIN];
	bool explicit; /* it names the stage the deal came from */
	struct imp_move moves[1 + IMP_ENTERED_MAX];
	int nmoves;
};

/* Why a record is refused: the API's field name, the file's column, and
 * a reason (static, or in @buf). */
struct imp_refusal {
	const char *field, *column, *message;
	char buf[160];
};

/* Reads record @fields[0..@n) by @l and @o into @r. False with @why when
 * it is refused: no id nor name, no stage, or a value that does not read
 * (an amount, a date). Fields are trimmed in place. */
bool imp_record_read(const struct imp_layout *l, const struct imp_options *o, int n, char **fields,
		     struct imp_record *r, struct imp_refusal *why);

/* The file reader: raw bytes in the file's charset to CSV records. */
struct imp_reader;

/* A reader handing records to @on_record and per-record CSV problems to
 * @on_error (see csv.h), with @cls. NULL when out of memory. */
struct imp_reader *imp_reader_new(enum imp_charset cs, csv_record_fn on_record,
				  csv_error_fn on_error, void *cls);
/* Feeds @len more bytes. CSV_OK, or a fatal status of csv.h; a byte that
 * is not UTF-8 (in a file read as UTF-8) is fatal too: imp_reader_bad_utf8
 * then says where. */
enum csv_status imp_reader_feed(struct imp_reader *r, const char *data, size_t len);
/* The input has ended (see csv_finish). */
enum csv_status imp_reader_finish(struct imp_reader *r);
/* After a failure: true when it was a byte that is not UTF-8, with the
 * 1-based line it is on in *@line. */
bool imp_reader_bad_utf8(const struct imp_reader *r, unsigned long *line);
/* The line the CSV reader is at (see csv_line). */
unsigned long imp_reader_line(const struct imp_reader *r);
void imp_reader_free(struct imp_reader *r);

#endif
