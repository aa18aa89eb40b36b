/* The route table: every URL the server answers, who may call it, and
 * what body it takes. Read top to bottom; nothing registers elsewhere. */
#include "handlers.h"

#define V1 "/api/v1"

const struct route routes[] = {
    /* operations */
    {M_GET, "/healthz", h_healthz, AUTH_PUBLIC, BODY_NONE, 0, NULL, NULL, true},
    /* the web app (static/) */
    {M_GET, "/", h_app_index, AUTH_PUBLIC, BODY_NONE, 0, NULL, NULL, true},
    {M_GET, "/app", h_app_index, AUTH_PUBLIC, BODY_NONE, 0, NULL, NULL, true},
    {M_GET, "/app/{path*}", h_app_file, AUTH_PUBLIC, BODY_NONE, 0, NULL, NULL, true},
    {M_GET, "/readyz", h_readyz, AUTH_PUBLIC, BODY_NONE, 0, NULL, NULL, false},
    {M_GET, "/metrics", h_metrics, AUTH_PUBLIC, BODY_NONE, 0, NULL, NULL, true},
    /* the API's contract (api/openapi.json) */
    {M_GET, V1 "/openapi.json", h_openapi, AUTH_PUBLIC, BODY_NONE, 0, NULL, NULL, true},

    /* session and identity */
    {M_POST, V1 "/session", h_session_create, AUTH_PUBLIC, BODY_JSON, 0, NULL, NULL, false},
    {M_DELETE, V1 "/session", h_session_delete, AUTH_USER, BODY_NONE, 0, NULL, NULL, false},
    {M_GET, V1 "/me", h_me, AUTH_USER, BODY_NONE, 0, NULL, NULL, true},
    {M_PATCH, V1 "/me", h_me_update, AUTH_USER, BODY_JSON, 0, NULL, NULL, false},
    {M_POST, V1 "/tokens", h_token_create, AUTH_USER, BODY_JSON, 0, NULL, NULL, false},
    {M_GET, V1 "/tokens", h_tokens_list, AUTH_USER, BODY_NONE, 0, NULL, NULL, false},
    {M_DELETE, V1 "/tokens/{id}", h_tokens_revoke, AUTH_USER, BODY_NONE, 0, NULL, NULL, false},
    /* single sign-on (OpenID Connect): what the sign-in page offers, and the flow */
    {M_GET, V1 "/sso", h_sso_info, AUTH_PUBLIC, BODY_NONE, 0, NULL, NULL, true},
    {M_GET, V1 "/sso/start", h_sso_start, AUTH_PUBLIC, BODY_NONE, 0, NULL, NULL, false},
    {M_GET, V1 "/sso/callback", h_sso_callback, AUTH_PUBLIC, BODY_NONE, 0, NULL, NULL, false},

    /* users */
    {M_GET, V1 "/users", h_users_list, AUTH_ADMIN, BODY_NONE, 0, NULL, NULL, false},
    {M_POST, V1 "/users", h_users_create, AUTH_ADMIN, BODY_JSON, 0, NULL, NULL, false},
    {M_PATCH, V1 "/users/{id}", h_users_update, AUTH_ADMIN, BODY_JSON, 0, NULL, NULL, false},
    {M_POST, V1 "/erasures", h_erasures_create, AUTH_ADMIN, BODY_JSON, 0, NULL, NULL, false},
    {M_GET, V1 "/retention", h_retention_get, AUTH_ADMIN, BODY_NONE, 0, NULL, NULL, false},
    {M_POST, V1 "/retention/run", h_retention_run, AUTH_ADMIN, BODY_NONE, 0, NULL, NULL, false},

    /* taxonomy */
    {M_GET, V1 "/personas", h_personas_list, AUTH_USER, BODY_NONE, 0, NULL, NULL, false},
    {M_POST, V1 "/personas", h_personas_create, AUTH_MARKETER, BODY_JSON, 0, NULL, NULL, false},
    {M_PATCH, V1 "/personas/{slug}", h_personas_update, AUTH_MARKETER, BODY_JSON, 0, NULL, NULL,
     false},
    {M_DELETE, V1 "/personas/{slug}", h_personas_delete, AUTH_MARKETER, BODY_NONE, 0, NULL, NULL,
     false},
    {M_GET, V1 "/stages", h_stages_list, AUTH_USER, BODY_NONE, 0, NULL, NULL, false},
    {M_POST, V1 "/stages", h_stages_create, AUTH_MARKETER, BODY_JSON, 0, NULL, NULL, false},
    {M_PATCH, V1 "/stages/{slug}", h_stages_update, AUTH_MARKETER, BODY_JSON, 0, NULL, NULL, false},

    /* the content library */
    {M_GET, V1 "/assets", h_assets_search, AUTH_USER, BODY_NONE, 0, NULL, NULL, false},
    {M_POST, V1 "/assets", h_assets_create, AUTH_MARKETER, BODY_UPLOAD, 0, NULL, NULL, false},
    {M_GET, V1 "/assets/{id}", h_assets_get, AUTH_USER, BODY_NONE, 0, NULL, NULL, false},
    {M_PATCH, V1 "/assets/{id}", h_assets_update, AUTH_MARKETER, BODY_JSON, 0, NULL, NULL, false},
    {M_POST, V1 "/assets/{id}/versions", h_assets_add_version, AUTH_MARKETER, BODY_UPLOAD, 0, NULL,
     NULL, false},
    {M_GET, V1 "/assets/{id}/content", h_assets_content, AUTH_USER, BODY_NONE, 0, NULL, NULL,
     false},
    {M_GET, V1 "/assets/{id}/versions/{n}/thumbnail", h_assets_thumbnail, AUTH_USER, BODY_NONE, 0,
     NULL, NULL, false},
    {M_POST, V1 "/assets/{id}/versions/{n}/extract", h_assets_extract, AUTH_MARKETER, BODY_NONE, 0,
     NULL, NULL, false},
    {M_POST, V1 "/assets/{id}/feedback", h_feedback_give, AUTH_USER, BODY_JSON, 0, NULL, NULL,
     false},

    /* deals (reps: their own) */
    {M_GET, V1 "/deals", h_deals_list, AUTH_USER, BODY_NONE, 0, NULL, NULL, false},
    {M_POST, V1 "/deals", h_deals_create, AUTH_USER, BODY_JSON, 0, NULL, NULL, false},
    {M_GET, V1 "/deals/{id}", h_deals_get, AUTH_USER, BODY_NONE, 0, NULL, NULL, false},
    {M_PATCH, V1 "/deals/{id}", h_deals_update, AUTH_USER, BODY_JSON, 0, NULL, NULL, false},
    {M_POST, V1 "/deals/{id}/stage", h_deals_stage, AUTH_USER, BODY_JSON, 0, NULL, NULL, false},
    {M_GET, V1 "/deals/{id}/recommendations", h_deal_recommendations, AUTH_USER, BODY_NONE, 0, NULL,
     NULL, false},
    {M_POST, V1 "/events", h_events_ingest, AUTH_MARKETER, BODY_RAW, 16u << 20, NULL, NULL, false},
    {M_POST, V1 "/import/deals", h_import_deals, AUTH_MARKETER, BODY_STREAM, 0, NULL,
     &import_stream, false},
    {M_GET, V1 "/import/jobs/{id}", h_import_job, AUTH_MARKETER, BODY_NONE, 0, NULL, NULL, false},
    {M_POST, V1 "/hooks/crm", h_crm_hook, AUTH_SIGNED, BODY_RAW, 0, NULL, NULL, false},
    {M_POST, V1 "/hooks/hubspot", h_hubspot_hook, AUTH_SIGNED_HUBSPOT, BODY_RAW, 0, NULL, NULL,
     false},
    {M_GET, V1 "/webhook-secrets", h_webhook_secrets_list, AUTH_ADMIN, BODY_NONE, 0, NULL, NULL,
     false},
    {M_POST, V1 "/webhook-secrets", h_webhook_secrets_create, AUTH_ADMIN, BODY_JSON, 0, NULL, NULL,
     false},
    {M_POST, V1 "/webhook-secrets/{id}/rotate", h_webhook_secrets_rotate, AUTH_ADMIN, BODY_JSON, 0,
     NULL, NULL, false},
    {M_DELETE, V1 "/webhook-secrets/{id}", h_webhook_secrets_revoke, AUTH_ADMIN, BODY_NONE, 0, NULL,
     NULL, false},
    /* outgoing webhooks and the outbox */
    {M_GET, V1 "/webhooks", h_webhooks_list, AUTH_ADMIN, BODY_NONE, 0, NULL, NULL, false},
    {M_POST, V1 "/webhooks", h_webhooks_create, AUTH_ADMIN, BODY_JSON, 0, NULL, NULL, false},
    {M_PATCH, V1 "/webhooks/{id}", h_webhooks_update, AUTH_ADMIN, BODY_JSON, 0, NULL, NULL, false},
    {M_DELETE, V1 "/webhooks/{id}", h_webhooks_delete, AUTH_ADMIN, BODY_NONE, 0, NULL, NULL, false},
    {M_POST, V1 "/webhooks/{id}/ping", h_webhooks_ping, AUTH_ADMIN, BODY_NONE, 0, NULL, NULL,
     false},
    {M_GET, V1 "/deliveries", h_deliveries_list, AUTH_ADMIN, BODY_NONE, 0, NULL, NULL, false},
    {M_POST, V1 "/deliveries/{id}/redeliver", h_deliveries_redeliver, AUTH_ADMIN, BODY_NONE, 0,
     NULL, NULL, false},
    {M_GET, V1 "/stage-aliases", h_aliases_list, AUTH_MARKETER, BODY_NONE, 0, NULL, NULL, false},
    {M_POST, V1 "/stage-aliases", h_aliases_set, AUTH_MARKETER, BODY_JSON, 0, NULL, NULL, false},
    {M_DELETE, V1 "/stage-aliases", h_aliases_delete, AUTH_MARKETER, BODY_NONE, 0, NULL, NULL,
     false},
    {M_GET, V1 "/people", h_people_list, AUTH_MARKETER, BODY_NONE, 0, NULL, NULL, false},
    {M_GET, V1 "/owner-aliases", h_owner_aliases_list, AUTH_MARKETER, BODY_NONE, 0, NULL, NULL,
     false},
    {M_POST, V1 "/owner-aliases", h_owner_aliases_set, AUTH_MARKETER, BODY_JSON, 0, NULL, NULL,
     false},
    {M_DELETE, V1 "/owner-aliases", h_owner_aliases_delete, AUTH_MARKETER, BODY_NONE, 0, NULL, NULL,
     false},

    /* shares and the tracked links behind them */
    {M_POST, V1 "/shares", h_shares_create, AUTH_USER, BODY_JSON, 0, NULL, NULL, false},
    {M_GET, V1 "/shares", h_shares_list, AUTH_USER, BODY_NONE, 0, NULL, NULL, false},
    {M_DELETE, V1 "/shares/{id}", h_shares_revoke, AUTH_USER, BODY_NONE, 0, NULL, NULL, false},
    {M_GET, "/s/{token}", h_tracked_open, AUTH_PUBLIC, BODY_NONE, 0, NULL, NULL, false},
    {M_GET, "/s/{token}/file", h_tracked_file, AUTH_PUBLIC, BODY_NONE, 0, NULL, NULL, false},
    {M_POST, "/s/{token}/engagement", h_tracked_engagement, AUTH_PUBLIC, BODY_RAW, 16u << 10, NULL,
     NULL, false},
    /* public asset pages and the leads of gated ones */
    {M_GET, "/p/{id}", h_public_page, AUTH_PUBLIC, BODY_NONE, 0, NULL, NULL, false},
    {M_GET, "/p/{id}/file", h_public_file, AUTH_PUBLIC, BODY_NONE, 0, NULL, NULL, false},
    {M_POST, "/p/{id}/access", h_public_access, AUTH_PUBLIC, BODY_RAW, 16u << 10, NULL, NULL,
     false},
    {M_GET, V1 "/leads", h_leads_list, AUTH_USER, BODY_NONE, 0, NULL, NULL, false},
    /* analytics */
    {M_GET, V1 "/analytics/stage-test", h_analytics_stage_test, AUTH_MARKETER, BODY_NONE, 0, NULL,
     NULL, false},
    {M_GET, V1 "/analytics/unused", h_analytics_unused, AUTH_MARKETER, BODY_NONE, 0, NULL, NULL,
     false},
    {M_GET, V1 "/analytics/unused/trend", h_analytics_unused_trend, AUTH_MARKETER, BODY_NONE, 0,
     NULL, NULL, false},
    {M_GET, V1 "/analytics/coverage", h_analytics_coverage, AUTH_MARKETER, BODY_NONE, 0, NULL, NULL,
     false},
    {M_GET, V1 "/analytics/usage", h_analytics_usage, AUTH_MARKETER, BODY_NONE, 0, NULL, NULL,
     false},
    /* content requests */
    {M_GET, V1 "/requests", h_requests_list, AUTH_USER, BODY_NONE, 0, NULL, NULL, false},
    {M_POST, V1 "/requests", h_requests_create, AUTH_USER, BODY_JSON, 0, NULL, NULL, false},
    {M_PATCH, V1 "/requests/{id}", h_requests_update, AUTH_MARKETER, BODY_JSON, 0, NULL, NULL,
     false},
    /* the editorial board */
    {M_GET, V1 "/reviews", h_reviews_queue, AUTH_BOARD, BODY_NONE, 0, NULL, NULL, false},
    {M_POST, V1 "/reviews/{id}/decision", h_reviews_decide, AUTH_BOARD, BODY_JSON, 0, NULL, NULL,
     false},
    {M_GET, V1 "/reviews/decisions", h_reviews_decisions, AUTH_BOARD_READ, BODY_NONE, 0, NULL, NULL,
     false},
    /* the audit trail (board members who are not marketers: one asset's) */
    {M_GET, V1 "/audit", h_audit_list, AUTH_BOARD_READ, BODY_NONE, 0, NULL, NULL, false},
    {M_GET, V1 "/notifications", h_notifications_list, AUTH_USER, BODY_NONE, 0, NULL, NULL, false},
    {M_POST, V1 "/notifications/{id}/read", h_notifications_read, AUTH_USER, BODY_NONE, 0, NULL,
     NULL, false},
};

const size_t routes_count = sizeof routes / sizeof routes[0];
