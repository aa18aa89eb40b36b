/* GET /api/v1/leads: the leads that gated public assets collected.
 * Marketers and admins see every current lead; anyone else (reps) only
 * the consented, sales-ready leads of assets they may share, never a
 * nurture or unconsented one. */
#include <string.h>
#include "db_leads.h"
#include "handlers.h"

static const char *const readiness_values[] = {"sales_ready", "nurture", NULL};
static const char *const yes_values[] = {"yes", "true", NULL};
static const char *const no_values[] = {"no", "false", NULL};

void h_leads_list(struct req *r)
{
	int limit;
	char cursor[128];
	if (!req_keyset_page(r, &limit, cursor, sizeof cursor))
		return;
	const char *asset = req_query(r, "asset"), *readiness = req_query(r, "readiness");
	const char *consent = req_query(r, "consent");
	if (asset != NULL && !uuid_valid(asset)) {
		reply_error(r, ERR_INVALID_PARAMETER, "asset", "asset must be an asset id");
		return;
	}
	if (readiness != NULL && !one_of(readiness, readiness_values)) {
		reply_error(r, ERR_INVALID_PARAMETER, "readiness",
			    "readiness is sales_ready or nurture");
		return;
	}
	if (consent != NULL && !one_of(consent, yes_values) && !one_of(consent, no_values)) {
		reply_error(r, ERR_INVALID_PARAMETER, "consent", "consent is yes or no");
		return;
	}
	bool sales_view = r->user->role != ROLE_MARKETER && r->user->role != ROLE_ADMIN;
	char *json = NULL, *next = NULL;
	enum db_status s = db_lead_list(asset, readiness,
					consent == NULL		      ? NULL
					: one_of(consent, yes_values) ? "t"
								      : "f",
					sales_view, *cursor ? cursor : NULL, limit, &json, &next);
	reply_db_page(r, s, json, next);
}
