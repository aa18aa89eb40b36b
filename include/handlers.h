/* Every handler in server/handlers/, one file per resource, under the
 * name of its file. The route table (server/http/routes.c) is the only
 * caller. */
#ifndef NS_HANDLERS_H
#define NS_HANDLERS_H
#include "http.h"

/* app.c */
void h_app_index(struct req *r);
void h_app_file(struct req *r);
/* ops.c */
void h_healthz(struct req *r);
void h_readyz(struct req *r);
void h_metrics(struct req *r);
/* openapi.c */
void h_openapi(struct req *r);
/* session.c */
void h_session_create(struct req *r);
void h_session_delete(struct req *r);
void h_me(struct req *r);
void h_me_update(struct req *r);
void h_erasures_create(struct req *r);
/* retention.c */
void h_retention_get(struct req *r);
void h_retention_run(struct req *r);
/* tokens.c */
void h_token_create(struct req *r);
void h_tokens_list(struct req *r);
void h_tokens_revoke(struct req *r);
/* users.c */
void h_users_list(struct req *r);
void h_users_create(struct req *r);
void h_users_update(struct req *r);
/* personas.c */
void h_personas_list(struct req *r);
void h_personas_create(struct req *r);
void h_personas_update(struct req *r);
void h_personas_delete(struct req *r);
/* stages.c */
void h_stages_list(struct req *r);
void h_stages_create(struct req *r);
void h_stages_update(struct req *r);

/* assets.c */
void h_assets_create(struct req *r);
void h_assets_get(struct req *r);
void h_assets_update(struct req *r);
void h_assets_add_version(struct req *r);
/* asset_content.c */
void h_assets_content(struct req *r);
void h_assets_thumbnail(struct req *r);
void h_assets_extract(struct req *r);
/* asset_search.c */
void h_assets_search(struct req *r);
/* feedback.c */
void h_feedback_give(struct req *r);

/* deals.c */
void h_deals_list(struct req *r);
void h_deals_create(struct req *r);
void h_deals_get(struct req *r);
void h_deals_update(struct req *r);
void h_deals_stage(struct req *r);
/* events.c */
void h_events_ingest(struct req *r);
/* imports.c */
void h_import_deals(struct req *r);
void h_import_job(struct req *r);
extern const struct route_stream import_stream;
/* crm.c */
void h_crm_hook(struct req *r);
void h_aliases_list(struct req *r);
void h_aliases_set(struct req *r);
void h_aliases_delete(struct req *r);
/* owners.c */
void h_people_list(struct req *r);
void h_owner_aliases_list(struct req *r);
void h_owner_aliases_set(struct req *r);
void h_owner_aliases_delete(struct req *r);
/* hubspot.c */
void h_hubspot_hook(struct req *r);
/* webhook_secrets.c */
void h_webhook_secrets_list(struct req *r);
void h_webhook_secrets_create(struct req *r);
void h_webhook_secrets_rotate(struct req *r);
void h_webhook_secrets_revoke(struct req *r);
void h_webhooks_list(struct req *r);
void h_webhooks_create(struct req *r);
void h_webhooks_update(struct req *r);
void h_webhooks_delete(struct req *r);
void h_webhooks_ping(struct req *r);
void h_deliveries_list(struct req *r);
void h_deliveries_redeliver(struct req *r);

/* shares.c */
void h_shares_create(struct req *r);
void h_shares_list(struct req *r);
void h_shares_revoke(struct req *r);
/* tracked.c */
void h_tracked_open(struct req *r);
void h_tracked_file(struct req *r);
/* engagement.c: the viewer's beacons */
void h_tracked_engagement(struct req *r);
/* public.c, public_access.c: the public asset pages (/p/) */
void h_public_page(struct req *r);
void h_public_file(struct req *r);
void h_public_access(struct req *r);
/* leads.c */
void h_leads_list(struct req *r);

/* analytics.c: the dashboards and a deal's recommendations */
void h_analytics_stage_test(struct req *r);
void h_analytics_unused(struct req *r);
void h_analytics_unused_trend(struct req *r);
void h_analytics_coverage(struct req *r);
void h_analytics_usage(struct req *r);
void h_deal_recommendations(struct req *r);
/* requests.c */
void h_requests_create(struct req *r);
void h_requests_list(struct req *r);
void h_requests_update(struct req *r);
/* reviews.c */
void h_reviews_queue(struct req *r);
void h_reviews_decide(struct req *r);
void h_reviews_decisions(struct req *r);
/* audit.c */
void h_audit_list(struct req *r);
/* notifications.c */
void h_notifications_list(struct req *r);
void h_notifications_read(struct req *r);

/* session.c, for users.c too: a user as the API shows one (a new object). */
json_t *user_json(const struct user *u);
/* Hashes a new @password into @hash; answers 400/500 and returns false on
 * failure (too short, out of memory). */
bool hash_password(struct req *r, const char *password, char *hash); /* PWHASH_MAX bytes */
/* session.c, for sso.c too: starts a session of @u (the ns_session cookie
 * set on the reply to come); false when answered with the failure. */
bool session_start(struct req *r, const struct user *u);
/* sso.c: single sign-on */
void h_sso_info(struct req *r);
void h_sso_start(struct req *r);
void h_sso_callback(struct req *r);

#endif
