/* The leads that gated assets' forms left (schema/0015), as reps and
 * marketers list them. A form's lead is recorded by db_lead_record
 * (db_public.h). */
#ifndef NS_DB_LEADS_H
#define NS_DB_LEADS_H
#include <stdbool.h>
#include "db.h"

/* A page of current leads, newest first, as db_deal_list. @asset,
 * @readiness ('sales_ready' | 'nurture') and @consent ("t" | "f") filter
 * when not NULL. @sales_view: only what a rep may see, consented
 * sales-ready leads of published, unexpired assets. */
enum db_status db_lead_list(const char *asset, const char *readiness, const char *consent,
			    bool sales_view, const char *after, int limit, char **json,
			    char **next);

#endif
