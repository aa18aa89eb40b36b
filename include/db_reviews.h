/* The editorial board's review queue and decisions (the tables of
 * schema/0016; the rules in schema/functions/review_*.sql). */
#ifndef NS_DB_REVIEWS_H
#define NS_DB_REVIEWS_H
#include <stdbool.h>
#include "db.h"

/* Which part of the queue to list: the unused reasons' @days and
 * @grace_days; @reason, @persona, @stage (tagged with it, or judged in
 * it) and @owner filter when not NULL;
 * @snoozed also lists the assets a decision hides for now. */
struct review_filter {
	int days, grace_days;
	const char *reason, *persona, *stage, *owner;
	bool snoozed;
};

/* A page of the queue, oldest problem first, as db_deal_list: the
 * published assets asset_problems() finds something wrong with, each with
 * its reasons, problem_since, evidence (review_evidence()) and its last
 * decision. An asset kept or refreshed is left out until its snooze ends,
 * unless its evidence changed since (new_evidence). */
enum db_status db_review_queue(const struct review_filter *f, const char *after, int limit,
			       char **json, char **next);

/* Records @actor_id's @decision on asset @asset with @note, and applies
 * it: keep and refresh hide the asset from the queue for @snooze_days,
 * refresh also asks the owner for a new edition (a content request
 * assigned to them), archive and retire change its status, restore
 * publishes it again. The evidence is stored with the decision and the
 * owner is told. DB_NOT_FOUND for no such asset; DB_CONFLICT with @fault
 * for a decision its status does not allow (review_outcome()). The
 * decision as review_decision_json() in *@json. */
enum db_status db_review_decide(const char *actor_id, const char *asset, const char *decision,
				const char *note, int snooze_days, struct db_fault *fault,
				char **json);

/* A page of the board's decisions, newest first, as db_audit_list (the
 * cursor is the last decision's id): each as review_decision_json() with
 * the asset's title and status now. @asset filters when not NULL. */
enum db_status db_review_decisions(const char *asset, const char *after, int limit, char **json,
				   char **next);

#endif
