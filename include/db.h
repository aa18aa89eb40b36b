/* The database layer's public face: connections, the transaction runner,
 * status codes. Handlers see this and db_*.h only, never libpq. */
#ifndef NS_DB_H
#define NS_DB_H
#include <stdbool.h>
#include <stddef.h>

enum db_status {
	DB_OK = 0,
	DB_NOT_FOUND,	/* no row */
	DB_CONFLICT,	/* unique or foreign-key violation, or a state conflict */
	DB_INVALID,	/* a value refused (NS002/NS003, or by the caller's checks) */
	DB_RETRY,	/* serialization failure or deadlock (the runner retries) */
	DB_UNAVAILABLE, /* no connection; the caller answers 503 */
	DB_FULL,	/* the database's disk is full (SQLSTATE 53100): 503 storage_full */
	DB_ERROR,	/* anything else: a server bug, logged */
};

/* Stores the connection strings and checks the primary answers within
 * @timeout_s. Returns 0, or -1 with libpq's reason in @err. Call once. */
int db_init(const char *url, const char *read_url, unsigned timeout_s, char *err, size_t errlen);

/* Closes the calling thread's connections. Threads that exit close theirs
 * automatically; the main thread calls this before exit. */
void db_thread_done(void);

/* Open connections across all threads (for /metrics). */
unsigned db_pool_size(void);
/* Database errors seen since start (for /metrics). */
unsigned long db_error_count(void);
/* Statements refused because the database's disk is full (SQLSTATE 53100),
 * since start (for /metrics); they count among db_error_count() too. */
unsigned long db_disk_full_count(void);

/* True if the primary answers a trivial query now (for /readyz). */
bool db_ping(void);

/* Why the database refused an input: the field at fault and a sentence. */
struct db_fault {
	const char *field;
	bool missing;	  /* the field is absent (else: its value is wrong) */
	const char *code; /* a stable code of errors.def more precise than the status's, or NULL */
	char detail[200];
};

struct db; /* one thread's connection, opaque outside server/db/ */

/* A transaction body. It runs inside BEGIN ... COMMIT on the calling
 * thread's connection; returning anything but DB_OK rolls back. It may run
 * more than once (after a serialization failure, a deadlock, or a
 * connection found dead before its first statement), so it must not have
 * effects outside the database except through @cls, reset on each run. */
typedef enum db_status (*db_tx_fn)(struct db *db, void *cls);

/* Runs @fn in a transaction recorded (by the audit triggers) as done by
 * @actor_id (a user uuid, or NULL for the system). Retries DB_RETRY up to
 * 5 times with backoff; reconnects once if the connection was dead.
 * Returns what @fn returned, or the commit's failure. */
enum db_status db_tx(const char *actor_id, db_tx_fn fn, void *cls);

/* Runs @fn outside an explicit transaction (single read statements), with
 * the same reconnect rule. @read_only routes it to the read replica when
 * one is configured. */
enum db_status db_run(bool read_only, db_tx_fn fn, void *cls);

#endif
