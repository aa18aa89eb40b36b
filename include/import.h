/* Deal imports as jobs (service layer, between the handler and the
 * database): the scan of an upload as it arrives (its header, its
 * records, the order of its dates, its charset), the run of a job (the
 * file read back, each record staged, the whole merged in one
 * transaction, the report stored with it), and the worker thread that
 * runs the jobs too long for a request. */
#ifndef NS_IMPORT_H
#define NS_IMPORT_H
#include <jansson.h>
#include <stdbool.h>
#include "db_imports.h"
#include "error.h"
#include "import_values.h"

/* Files of up to this many records run within their request (200); the
 * longer ones in the worker (202 and a job to follow). */
#define IMPORT_INLINE_ROWS 20000
#define IMPORT_ERRORS_MAX  1000 /* errors listed in a report; all are counted */

struct import_params {
	bool dry_run;
	enum imp_date_order order; /* IMP_ORDER_AUTO: no slash date, or detect */
	enum imp_decimal decimal;
	enum imp_charset charset;
	char tz[64];
};

/* The parameters as the job stores them (a new object), and back (false
 * when @json is not what import_params_json made). */
json_t *import_params_json(const struct import_params *p);
bool import_params_of(const char *json, struct import_params *p);

/* ---- the scan of an upload ---- */

struct import_scan;

/* A scan under @p (copied). NULL when out of memory. */
struct import_scan *import_scan_new(const struct import_params *p);
/* Feeds @len more bytes of the file. */
void import_scan_feed(struct import_scan *s, const char *data, size_t len);
/* The file has ended. ERR_NONE with the number of records in *@rows and
 * @p completed (the order of its dates, when detected); or why the file
 * cannot be imported at all, with the field at fault in *@field (or NULL)
 * and a sentence in @detail (@len bytes). Then frees @s. */
enum err import_scan_finish(struct import_scan *s, long *rows, struct import_params *p,
			    const char **field, char *detail, size_t len);

/* ---- jobs ---- */

/* Runs @job (claimed: status running) to its end: done with its report,
 * or failed (nothing imported); or not at all when another run has taken
 * it up meanwhile (db_import_open). */
void import_run(const struct db_import_job *job);

/* Rows of job @id read so far, when this process runs it now; else -1. */
long import_progress(const char *id);

/* Starts the worker (every few seconds it puts back in the queue the jobs
 * whose runs are gone, this server's or another's, and runs the queue),
 * wakes it for a new job, stops it. */
int import_worker_start(void);
void import_worker_wake(void);
void import_worker_stop(void);

#endif
