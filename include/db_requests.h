/* Content requests (schema/0014): inputs are JSON objects already checked
 * by the handler, outputs the API's JSON (schema/functions/request_json.sql). */
#ifndef NS_DB_REQUESTS_H
#define NS_DB_REQUESTS_H
#include "db.h"

/* Records @actor_id's request @req ({title, persona?, stage?, deal_id?,
 * detail?}). DB_INVALID with @fault for an unknown persona or stage, or a
 * deal the requester may not see (@owner_only: a rep's own deals only). */
enum db_status db_request_create(const char *actor_id, const char *owner_only, const char *req,
				 struct db_fault *fault, char **json);

/* A page of requests, newest first, as db_deal_list: @requester and
 * @status filter when not NULL. */
enum db_status db_request_list(const char *requester, const char *status, const char *after,
			       int limit, char **json, char **next);

/* Moves request @id as @change says ({status?, asset_id?, decline_reason?,
 * assignee?}: a status, an assignee (a user id, or null for nobody) or
 * both). DB_CONFLICT with @fault for a move the state machine refuses
 * (from a final state, backwards, or to where it is) or an assignee for
 * a closed request; DB_INVALID with @fault for fulfilled without an
 * existing asset, declined without a reason, or an assignee who is not
 * an active marketer or admin. The requester is told of a new status and
 * a new assignee of their assignment (request_notify()). */
enum db_status db_request_update(const char *actor_id, const char *id, const char *change,
				 struct db_fault *fault, char **json);

#endif
