/* Numbered migrations from schema/, compiled in (build/gen/migrations.c). */
#ifndef NS_MIGRATE_H
#define NS_MIGRATE_H
#include <stddef.h>

struct migration {
	int version;
	const char *name; /* "0001_init" */
	const char *sql;
};

extern const struct migration migrations[];
extern const unsigned migration_count;

/* Applies pending migrations on a fresh connection to @url, each in its own
 * transaction, under a session advisory lock so concurrent servers are
 * safe. Refuses to run if an applied migration's checksum changed (a landed
 * migration was edited). Prints what it applies on stderr.
 * Returns the number applied (>= 0) or -1 with the reason in @err. */
int migrate_run(const char *url, char *err, size_t errlen);

#endif
