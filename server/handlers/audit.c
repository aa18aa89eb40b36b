/* /api/v1/audit: every change to users, taxonomy, assets, deals, shares,
 * stage and owner aliases and webhook secrets, with who made it, before and after,
 * the locks of sign-in throttling and erasures (without what was erased).
 * Marketers and admins read it all; a board member who is neither reads
 * the trail of one asset the board may decide on (not a draft). */
#include <stdlib.h>
#include <string.h>
#include "db_audit.h"
#include "handlers.h"

/* The audited tables (schema/: the tables with an audit_row trigger),
 * sign_in_lock (sign-in throttling's locks, sign_in_failed.sql), sign_in
 * (single sign-on's sign-ins, db/sso.c), erasure (erase_person.sql) and
 * retention (retention_rows.sql). */
static const char *const entities[] = {"api_tokens",
				       "asset_versions",
				       "assets",
				       "content_requests",
				       "deals",
				       "erasure",
				       "owner_aliases",
				       "personas",
				       "review_decisions",
				       "shares",
				       "sign_in",
				       "sign_in_lock",
				       "stage_aliases",
				       "stages",
				       "users",
				       "webhook_secrets",
				       "retention", /* retention_rows.sql */
				       NULL};

void h_audit_list(struct req *r)
{
	int limit;
	char cursor[32];
	if (!req_id_page(r, &limit, cursor, sizeof cursor))
		return;
	const char *entity = req_query(r, "entity"), *id = req_query(r, "id");
	if (entity != NULL && !one_of(entity, entities)) {
		reply_error(
		    r, ERR_INVALID_PARAMETER, "entity",
		    "entity is one of users, api_tokens, personas, stages, assets,"
		    " asset_versions, deals, shares, stage_aliases, owner_aliases,"
		    " content_requests, review_decisions, webhook_secrets, sign_in, sign_in_lock,"
		    " erasure, retention");
		return;
	}
	if (id != NULL && (*id == '\0' || strlen(id) > 300)) {
		reply_error(r, ERR_INVALID_PARAMETER, "id", "id is 1 to 300 characters");
		return;
	}
	bool board_only = r->user->role < ROLE_MARKETER;
	if (board_only && (entity == NULL || strcmp(entity, "assets") != 0 || id == NULL)) {
		reply_error(r, ERR_FORBIDDEN, "entity",
			    "board members read the trail of one asset: entity=assets&id=");
		return;
	}
	char *json = NULL, *next = NULL;
	enum db_status s =
	    db_audit_list(entity, id, board_only, *cursor ? cursor : NULL, limit, &json, &next);
	reply_db_page(r, s, json, next);
}
