/* Deal imports: rows of deals and stage changes, each applied by
 * schema/functions/import_deal_row.sql. */
#ifndef NS_DB_IMPORTS_H
#define NS_DB_IMPORTS_H
#include "db.h"

enum import_field {
	IMPORT_EXTERNAL_ID,
	IMPORT_NAME,
	IMPORT_ACCOUNT,
	IMPORT_OWNER_EMAIL,
	IMPORT_STAGE,
	IMPORT_AMOUNT,
	IMPORT_CHANGED_AT,
	IMPORT_FIELDS
};

/* A row as the file has it: each field's text, NULL or "" when not given
 * (external_id and stage are required; changed_at: when the deal entered
 * the stage, default now). */
struct import_row {
	char *field[IMPORT_FIELDS];
};

enum import_outcome {
	IMPORT_CREATED,	   /* a new deal */
	IMPORT_UPDATED,	   /* its name, account, owner or amount changed */
	IMPORT_TRANSITION, /* only its stage timeline changed */
	IMPORT_UNCHANGED,
	IMPORT_REFUSED /* nothing written: @field and @message say why */
};

struct import_result {
	enum import_outcome outcome;
	const char *field;   /* the field's name ("stage"...), or NULL */
	const char *message; /* valid during the callback only */
};

/* Imports @rows[0..@n) in one transaction as @actor_id, each row in a
 * subtransaction; then calls @each(@cls, i, result) for every row in order.
 * A failure (anything but a refused row) imports none of the batch. */
enum db_status db_import_batch(const char *actor_id, const struct import_row *rows, int n,
			       void (*each)(void *cls, int i, const struct import_result *r),
			       void *cls);

#endif
