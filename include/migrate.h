/* The schema, compiled in (build/gen/migrations.c): numbered migrations
 * (schema/NNNN_name.sql: tables, indexes, types, data) and the SQL objects
 * (schema/functions/NAME.sql: every function, procedure, trigger function,
 * trigger and view, one file each, named after what it defines). */
#ifndef NS_MIGRATE_H
#define NS_MIGRATE_H
#include <stddef.h>

struct migration {
	int version;
	const char *name; /* "0001_init" */
	const char *sql;
};

struct sql_object {
	const char *name; /* "open_links" */
	const char *sql;  /* CREATE OR REPLACE ... */
};

extern const struct migration migrations[];
extern const unsigned migration_count;
extern const struct sql_object sql_objects[];
extern const unsigned sql_object_count;

/* Applies pending migrations on a fresh connection to @url, each in its own
 * transaction, then every SQL object in one more transaction, all under a
 * session advisory lock so concurrent servers are safe. Refuses to run if an
 * applied migration's checksum changed (a landed migration was edited).
 * Functions, triggers and views that an earlier run's files created and no
 * file defines any more are dropped (schema_functions lists what the files
 * created; nothing else is touched). Prints what it applies and drops on
 * stderr. Returns the number of migrations applied (>= 0) or -1 with the
 * reason in @err; on failure the objects' transaction is rolled back whole. */
int migrate_run(const char *url, char *err, size_t errlen);

#endif
