/* The viewer's engagement beacons (POST /s/{token}/engagement, see
 * server/handlers/engagement.c): what a beacon's body says, checked before
 * anything is recorded. Pure C over jansson; no I/O. */
#ifndef NS_BEACON_H
#define NS_BEACON_H
#include <stddef.h>
#include "db_engagement.h"
#include "json_spec.h"

/* A beacon as read from its body. */
struct beacon {
	char view[37];			      /* the page's view id (a UUID) */
	int pages;			      /* of the document: 1..DB_READ_PAGES_MAX */
	size_t n;			      /* 1..DB_READ_BEACON_PAGES pairs of: */
	int page[DB_READ_BEACON_PAGES];	      /* 1..pages */
	double seconds[DB_READ_BEACON_PAGES]; /* > 0, at most DB_READ_CAP_S */
};

/* Reads the beacon @o (the body as loaded, JSON_REJECT_DUPLICATES), an
 * object {"view": "<uuid>", "pages": N, "seen": [[page, seconds], ...]}
 * and nothing else, into @b. True, or false with @e filled as the answer
 * says it: ERR_INVALID_JSON (not an object; field NULL), ERR_MISSING_FIELD,
 * ERR_INVALID_FIELD or ERR_UNKNOWN_FIELD naming the field (which points
 * into @o or is static), and a sentence in e->detail; ERR_INTERNAL when
 * out of memory. @b is not touched unless it returns true. */
bool beacon_read(const json_t *o, struct beacon *b, struct js_error *e);

#endif
