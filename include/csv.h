/* A streaming CSV reader (RFC 4180 with the usual real-world tolerance):
 * bytes go in as they arrive, in pieces of any size; records come out
 * through a callback, one at a time, so at most one record is ever held
 * in memory. Pure C, no I/O: the caller feeds it.
 *
 * The dialect:
 *  - Records end with CRLF, LF or a lone CR (old Mac exports); each of
 *    the three counts as one physical line. A record may end at the end
 *    of the input without a line end.
 *  - Empty lines (nothing between two line ends) are skipped, they are
 *    not records. A line holding only `""` or spaces is a record.
 *  - A UTF-8 byte order mark at the very start of the input is skipped.
 *  - A field is quoted when its first byte is '"': inside, `""` is one
 *    quote and ',', CR and LF are data (kept as they are, CRLF stays
 *    CRLF). After the closing quote only ',' or a line end may follow;
 *    anything else is CSV_BAD_QUOTE (`"a" ,b` too: no trimming).
 *  - In an unquoted field '"' is data (`ab"c` is the 4 bytes `ab"c`,
 *    ` "a"` keeps its space and quotes).
 *  - Trailing empty fields are kept: "a,b," is 3 fields, "," is 2.
 *  - Fields are bytes: no character set is checked, except that a NUL
 *    byte is refused (CSV_NUL_BYTE) since fields are handed out as C
 *    strings and a NUL would silently cut one short.
 *
 * Problems confined to one record (CSV_FIELD_TOO_LONG,
 * CSV_TOO_MANY_FIELDS, CSV_BAD_QUOTE after a closing quote, CSV_NUL_BYTE)
 * go to the optional error callback; when it returns 0 the reader skips
 * the rest of that record, following quotes as usual, so the record ends
 * at the next line end outside quotes, and goes on with the next one:
 * bad rows never stop good ones. Without an error callback, or when it
 * returns non-zero, the problem is fatal. Fatal problems make the reader
 * dead: every later csv_feed/csv_finish returns the same status. */
#ifndef NS_CSV_H
#define NS_CSV_H
#include <jansson.h>
#include <stddef.h>

#define CSV_FIELD_MAX  (64 * 1024) /* bytes of one field (its NUL aside) */
#define CSV_FIELDS_MAX 256	   /* fields of one record */

enum csv_status {
	CSV_OK = 0,
	CSV_FIELD_TOO_LONG,  /* a field past CSV_FIELD_MAX bytes (per record) */
	CSV_TOO_MANY_FIELDS, /* a record past CSV_FIELDS_MAX fields (per record) */
	CSV_BAD_QUOTE,	     /* text after a closing quote (per record), or a
				quote still open at the end of the input (fatal) */
	CSV_NUL_BYTE,	     /* a NUL byte in a field (per record) */
	CSV_ABORTED,	     /* a callback returned non-zero */
	CSV_NOMEM,
};

/* Called once per record. @fields[0..@nfields) are NUL-terminated, with
 * @fields[@nfields] == NULL; 1 <= @nfields <= CSV_FIELDS_MAX and each
 * field is at most CSV_FIELD_MAX bytes. They belong to the reader and are
 * valid only during the call; the callback may change their bytes in
 * place (e.g. to trim them). @line is the 1-based physical line where the
 * record starts (a line end inside quotes counts, so a record spanning
 * lines 3 to 5 is followed by one on line 6). Returns 0 to go on,
 * non-zero to stop: the reader is then dead with CSV_ABORTED. */
typedef int (*csv_record_fn)(void *cls, unsigned long line, int nfields, char **fields);

/* Called when the record starting on @line has problem @st (one of the
 * per-record statuses above). Returns 0 to skip that record and go on,
 * non-zero to stop: the reader is then dead with @st. Called at most once
 * per record, as soon as the problem is seen (before the record's end). */
typedef int (*csv_error_fn)(void *cls, unsigned long line, enum csv_status st);

struct csv_reader;

/* A reader handing records to @on_record (required) and per-record
 * problems to @on_error (NULL: they are fatal), both with @cls. Returns
 * NULL when out of memory. The reader holds one record at a time: its
 * buffer grows to the largest record seen, at most about
 * CSV_FIELDS_MAX * (CSV_FIELD_MAX + 1) bytes (16 MiB), and is freed by
 * csv_free. */
struct csv_reader *csv_new(csv_record_fn on_record, csv_error_fn on_error, void *cls);

/* Parses the next @len bytes of the input; records completed by them are
 * handed over before it returns. Returns CSV_OK (per-record problems
 * skipped by the error callback included), or the fatal status once the
 * reader is dead, in which case the rest of @data was not read. */
enum csv_status csv_feed(struct csv_reader *r, const char *data, size_t len);

/* The input has ended: hands over a last record without a line end.
 * Returns CSV_BAD_QUOTE (fatal, not sent to the error callback: there is
 * nothing left to resync with) when a quoted field is still open, which
 * means it swallowed the rest of the input. Call it once, then csv_free. */
enum csv_status csv_finish(struct csv_reader *r);

/* A 1-based line for messages: after a fatal status, where the record
 * that caused it starts; otherwise where the record being read starts or,
 * between records, the line the next one will start on at the earliest. */
unsigned long csv_line(const struct csv_reader *r);

/* A short English description of @st, for error details. */
const char *csv_status_text(enum csv_status st);

/* Frees the reader; NULL is fine. */
void csv_free(struct csv_reader *r);

/* Writing. @rows (a JSON array of objects) as RFC 4180 text: a header row
 * of @columns (NULL-terminated), then one record per object with its
 * values under those keys; CRLF line ends. Strings are quoted when they
 * hold a comma, quote, CR or LF; null is empty; numbers as JSON writes
 * them; arrays of strings joined with ";"; other values as compact JSON.
 * Returns a malloc'd string (its length in *@len), or NULL when out of
 * memory. */
char *csv_write_rows(const json_t *rows, const char *const *columns, size_t *len);

#endif
