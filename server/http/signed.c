/* Routes signed instead of authenticated: the caller holds a webhook
 * secret and proves it with an HMAC (signature.c). The secrets are read
 * from the database on each call, so one made, rotated or revoked through
 * the API holds at once. */
#include "auth.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "config.h"
#include "crypto.h"
#include "db_webhook_secrets.h"
#include "http_internal.h"
#include "log.h"

static bool verifies(enum route_auth kind, const char *secret, const struct auth_signed_request *sr)
{
	return kind == AUTH_SIGNED_HUBSPOT
		   ? auth_hubspot_ok(secret, config.public_url, sr)
		   : auth_signature_ok(secret, sr->signature, sr->body, sr->len);
}

/* Whether stored secret @k verifies @sr: opened first when sealed. */
static bool key_verifies(enum route_auth kind, const struct webhook_key *k,
			 const struct auth_signed_request *sr)
{
	char *plain = malloc(k->len + 1);
	if (plain == NULL)
		return false;
	bool ok;
	if (!k->sealed) {
		memcpy(plain, k->bytes, k->len);
		plain[k->len] = '\0';
		ok = strlen(plain) == k->len;
	} else if (!config.has_secret_key) {
		log_msg("warn",
			"a stored webhook secret is sealed, and NEXTSTAGE_SECRET_KEY is not "
			"set: it cannot be used");
		ok = false;
	} else {
		ok = crypto_open(config.secret_key, k->bytes, k->len, plain);
		if (!ok)
			log_msg("warn", "a stored webhook secret does not open under "
					"NEXTSTAGE_SECRET_KEY (sealed under another key?): it "
					"cannot be used");
	}
	ok = ok && verifies(kind, plain, sr);
	sodium_memzero(plain, k->len + 1);
	free(plain);
	return ok;
}

enum auth_signature auth_check_signed(enum route_auth kind, const struct auth_signed_request *sr)
{
	bool hubspot = kind == AUTH_SIGNED_HUBSPOT;
	const char *env = hubspot ? config.hubspot_client_secret : config.webhook_secret;
	bool fresh = !hubspot || auth_hubspot_fresh(sr->timestamp, sr->now_ms);
	if (env != NULL && !fresh)
		return AUTH_SIG_STALE;
	if (env != NULL && verifies(kind, env, sr))
		return AUTH_SIG_OK;
	struct webhook_key *keys;
	size_t n;
	enum db_status s = db_webhook_keys(hubspot ? "hubspot" : "crm", &keys, &n);
	if (s != DB_OK)
		return s == DB_UNAVAILABLE ? AUTH_SIG_UNAVAILABLE : AUTH_SIG_ERROR;
	enum auth_signature v = env == NULL && n == 0 ? AUTH_SIG_UNCONFIGURED
				: !fresh	      ? AUTH_SIG_STALE
						      : AUTH_SIG_BAD;
	for (size_t i = 0; v == AUTH_SIG_BAD && i < n; i++)
		if (key_verifies(kind, &keys[i], sr))
			v = AUTH_SIG_OK;
	db_webhook_keys_free(keys, n);
	return v;
}

bool signed_request_ok(struct req_private *p)
{
	enum route_auth kind = p->req.route->auth;
	bool hubspot = kind == AUTH_SIGNED_HUBSPOT;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	struct auth_signed_request sr = {
	    .method = p->method_name,
	    .uri = p->uri,
	    .body = p->body ? p->body : "",
	    .len = p->body_len,
	    .signature = MHD_lookup_connection_value(p->conn, MHD_HEADER_KIND,
						     hubspot ? AUTH_HUBSPOT_SIGNATURE_HEADER
							     : AUTH_SIGNATURE_HEADER),
	    .timestamp = MHD_lookup_connection_value(p->conn, MHD_HEADER_KIND,
						     AUTH_HUBSPOT_TIMESTAMP_HEADER),
	    .now_ms = (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000,
	};
	switch (auth_check_signed(kind, &sr)) {
	case AUTH_SIG_OK:
		return true;
	case AUTH_SIG_BAD:
		reply_problem(p, ERR_BAD_SIGNATURE, NULL,
			      hubspot ? AUTH_HUBSPOT_SIGNATURE_HEADER
				  " does not verify under a current HubSpot client secret"
				      : AUTH_SIGNATURE_HEADER
				  " must be sha256=<hex HMAC-SHA256 of the body> under a current "
				  "webhook secret");
		break;
	case AUTH_SIG_STALE:
		reply_problem(p, ERR_BAD_SIGNATURE, NULL,
			      AUTH_HUBSPOT_TIMESTAMP_HEADER
			      " is missing or more than 5 minutes from the server's clock");
		break;
	case AUTH_SIG_UNCONFIGURED:
		reply_problem(p, ERR_WEBHOOK_NOT_CONFIGURED, NULL,
			      hubspot ? "this server has no HubSpot client secret: an admin adds "
					"one (POST /api/v1/webhook-secrets, kind hubspot)"
				      : "this server has no CRM webhook secret: an admin adds one "
					"(POST /api/v1/webhook-secrets, kind crm)");
		break;
	case AUTH_SIG_UNAVAILABLE:
		reply_header(&p->req, "Retry-After", "5");
		reply_problem(p, ERR_DB_UNAVAILABLE, NULL, NULL);
		break;
	case AUTH_SIG_ERROR:
		reply_problem(p, ERR_INTERNAL, NULL, NULL);
		break;
	}
	return false;
}
