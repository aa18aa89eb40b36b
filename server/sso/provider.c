/* The identity provider's documents, fetched with libcurl and cached. */
#include "sso.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "config.h"
#include "log.h"
#include "oidc.h"

#define WHY(...) snprintf(why, whylen, __VA_ARGS__)
#define BODY_MAX (1u << 20) /* a discovery document or a JWKS is a few kB */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct sso_endpoints cached;
static time_t cached_at; /* 0: nothing cached */
static char *jwks;	 /* guarded by lock */
static time_t jwks_at;

bool sso_enabled(void)
{
	return config.oidc_issuer != NULL;
}

struct body {
	char *data;
	size_t len;
};

static size_t collect(char *p, size_t size, size_t n, void *cls)
{
	struct body *b = cls;
	size_t add = size * n;
	if (b->len + add > BODY_MAX)
		return 0; /* aborts the transfer */
	char *d = realloc(b->data, b->len + add + 1);
	if (d == NULL)
		return 0;
	memcpy(d + b->len, p, add);
	b->len += add;
	d[b->len] = '\0';
	b->data = d;
	return add;
}

/* Performs @e; its body (malloc'd) and HTTP status in *@status, or NULL
 * with the reason. Cleans @e up. */
static char *perform(CURL *e, const char *url, long *status, char *why, size_t whylen)
{
	struct body b = {NULL, 0};
	char err[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, (long)SSO_HTTP_TIMEOUT_S);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "nextstage-sso/1");
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, err);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &b);
	CURLcode rc = curl_easy_perform(e);
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(e);
	if (rc != CURLE_OK) {
		WHY("%s: %s", url, err[0] ? err : curl_easy_strerror(rc));
		free(b.data);
		return NULL;
	}
	return b.data ? b.data : strdup("");
}

/* GET @url: its JSON body (malloc'd) when it answered 200, else NULL. */
static char *get_json(const char *url, char *why, size_t whylen)
{
	CURL *e = curl_easy_init();
	if (e == NULL) {
		WHY("out of memory");
		return NULL;
	}
	struct curl_slist *h = curl_slist_append(NULL, "Accept: application/json");
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	long status = 0;
	char *body = perform(e, url, &status, why, whylen);
	curl_slist_free_all(h);
	if (body != NULL && status != 200) {
		WHY("%s answered HTTP %ld", url, status);
		free(body);
		return NULL;
	}
	return body;
}

static bool copy_url(json_t *doc, const char *key, char *out, char *why, size_t whylen)
{
	const char *v = json_string_value(json_object_get(doc, key));
	if (v == NULL || strlen(v) >= SSO_URL_MAX ||
	    (strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0)) {
		WHY("the provider's discovery document has no usable %s", key);
		return false;
	}
	memcpy(out, v, strlen(v) + 1);
	return true;
}

static bool methods_has(json_t *methods, const char *m)
{
	size_t i;
	json_t *v;
	json_array_foreach(methods, i, v) if (json_is_string(v) &&
					      strcmp(json_string_value(v), m) == 0) return true;
	return false;
}

/* Fetches and reads the discovery document into @out (and the JWKS's
 * URL into @jwks_uri). */
static bool discover(struct sso_endpoints *out, char jwks_uri[SSO_URL_MAX], char *why,
		     size_t whylen)
{
	char url[SSO_URL_MAX + 64];
	size_t n = strlen(config.oidc_issuer);
	snprintf(url, sizeof url, "%.*s/.well-known/openid-configuration",
		 (int)(n > 0 && config.oidc_issuer[n - 1] == '/' ? n - 1 : n), config.oidc_issuer);
	char *body = get_json(url, why, whylen);
	if (body == NULL)
		return false;
	json_t *doc = json_loads(body, 0, NULL);
	free(body);
	bool ok = false;
	const char *iss = json_string_value(json_object_get(doc, "issuer"));
	if (!json_is_object(doc))
		WHY("%s is not JSON", url);
	else if (iss == NULL || strcmp(iss, config.oidc_issuer) != 0)
		WHY("the provider's issuer is %s, not NEXTSTAGE_OIDC_ISSUER (%s)",
		    iss ? iss : "missing", config.oidc_issuer);
	else if (copy_url(doc, "authorization_endpoint", out->authorization, why, whylen) &&
		 copy_url(doc, "token_endpoint", out->token, why, whylen) &&
		 copy_url(doc, "jwks_uri", jwks_uri, why, whylen)) {
		if (!copy_url(doc, "userinfo_endpoint", out->userinfo, why, whylen))
			out->userinfo[0] = '\0'; /* optional */
		json_t *m = json_object_get(doc, "token_endpoint_auth_methods_supported");
		/* absent means client_secret_basic (Discovery 1.0, section 3) */
		out->secret_post = m != NULL && !methods_has(m, "client_secret_basic") &&
				   methods_has(m, "client_secret_post");
		ok = true;
	}
	json_decref(doc);
	return ok;
}

/* After a failed fetch, the provider is not asked again for this long:
 * sign-ins meanwhile fail at once instead of each holding a thread. */
#define SSO_RETRY_S 5

/* All guarded by lock; a fetch runs with it released, one at a time per
 * document (the flags), so a slow provider holds one thread, not all. */
static char jwks_uri[SSO_URL_MAX];
static bool discovering, jwks_fetching;
static time_t discovery_failed_at, jwks_failed_at;
static char discovery_error[256], jwks_error[256];

/* Refreshes the discovery document when it is missing or old; called and
 * returns with lock held. An old one is used while a new one can't be
 * had. */
static bool fresh_provider(time_t now, char *why, size_t whylen)
{
	bool have = cached_at != 0;
	if (have && now - cached_at < SSO_CACHE_S)
		return true;
	if (discovering || now - discovery_failed_at < SSO_RETRY_S) {
		if (!have)
			WHY("%s", discovering
				      ? "the provider's discovery document is being fetched: "
					"retry in a moment"
				      : discovery_error);
		return have;
	}
	discovering = true;
	pthread_mutex_unlock(&lock);
	struct sso_endpoints e;
	char uri[SSO_URL_MAX];
	bool ok = discover(&e, uri, why, whylen);
	if (!ok)
		log_msg("warn", "sso: discovery failed: %s", why);
	pthread_mutex_lock(&lock);
	discovering = false;
	if (ok) {
		cached = e;
		memcpy(jwks_uri, uri, sizeof uri);
		cached_at = now;
	} else {
		discovery_failed_at = time(NULL); /* from the failure on, not the start */
		snprintf(discovery_error, sizeof discovery_error, "%s", why);
	}
	return ok || have;
}

bool sso_provider(struct sso_endpoints *out, char *why, size_t whylen)
{
	pthread_mutex_lock(&lock);
	bool ok = fresh_provider(time(NULL), why, whylen);
	if (ok)
		*out = cached;
	pthread_mutex_unlock(&lock);
	return ok;
}

/* Fetches the JWKS again; called and returns with lock held. */
static void refetch_jwks(time_t now)
{
	char uri[SSO_URL_MAX], why[256];
	memcpy(uri, jwks_uri, sizeof uri);
	jwks_fetching = true;
	pthread_mutex_unlock(&lock);
	char *fetched = get_json(uri, why, sizeof why);
	if (fetched == NULL)
		log_msg("warn", "sso: the JWKS can't be fetched: %s", why);
	pthread_mutex_lock(&lock);
	jwks_fetching = false;
	if (fetched != NULL) {
		free(jwks);
		jwks = fetched;
		jwks_at = now;
	} else {
		jwks_failed_at = time(NULL);
		snprintf(jwks_error, sizeof jwks_error, "%s", why);
	}
}

char *sso_jwks(bool stale, char *why, size_t whylen)
{
	time_t now = time(NULL);
	pthread_mutex_lock(&lock);
	char *copy = NULL;
	if (!fresh_provider(now, why, whylen))
		goto out;
	bool old = jwks == NULL || now - jwks_at >= SSO_CACHE_S ||
		   (stale && now - jwks_at >= SSO_JWKS_MIN_S);
	if (old && !jwks_fetching && now - jwks_failed_at >= SSO_RETRY_S)
		refetch_jwks(now);
	if (jwks != NULL && (copy = strdup(jwks)) == NULL)
		WHY("out of memory");
	else if (jwks == NULL)
		WHY("%s", jwks_fetching ? "the provider's JWKS is being fetched: retry in a moment"
					: jwks_error);
out:
	pthread_mutex_unlock(&lock);
	return copy;
}

/* "Basic " and the base64 of form-encoded @id ":" form-encoded @secret
 * (RFC 6749, section 2.3.1), into @out. */
static bool basic_auth(const char *id, const char *secret, char *out, size_t outlen)
{
	char a[768], b[2048], pair[2816];
	if (!oidc_urlencode(id, a, sizeof a) || !oidc_urlencode(secret, b, sizeof b))
		return false;
	int n = snprintf(pair, sizeof pair, "%s:%s", a, b);
	size_t need = sodium_base64_ENCODED_LEN((size_t)n, sodium_base64_VARIANT_ORIGINAL);
	if (need + 21 > outlen)
		return false;
	memcpy(out, "Authorization: Basic ", 21);
	sodium_bin2base64(out + 21, outlen - 21, (const unsigned char *)pair, (size_t)n,
			  sodium_base64_VARIANT_ORIGINAL);
	return true;
}

char *sso_redeem(const struct sso_endpoints *e, const char *code, const char *verifier,
		 const char *redirect_uri, char *why, size_t whylen)
{
	char c[2048], v[256], uri[1536], id[768], secret[2048], form[8192], auth[4096];
	if (!oidc_urlencode(code, c, sizeof c) || !oidc_urlencode(verifier, v, sizeof v) ||
	    !oidc_urlencode(redirect_uri, uri, sizeof uri) ||
	    !oidc_urlencode(config.oidc_client_id, id, sizeof id) ||
	    !oidc_urlencode(config.oidc_client_secret, secret, sizeof secret)) {
		WHY("the code is too long");
		return NULL;
	}
	int n = snprintf(form, sizeof form,
			 "grant_type=authorization_code&code=%s&redirect_uri=%s&code_verifier=%s",
			 c, uri, v);
	if (e->secret_post)
		n += snprintf(form + n, sizeof form - (size_t)n, "&client_id=%s&client_secret=%s",
			      id, secret);
	else if (!basic_auth(config.oidc_client_id, config.oidc_client_secret, auth, sizeof auth)) {
		WHY("the client's credentials are too long");
		return NULL;
	}
	sodium_memzero(secret, sizeof secret);
	CURL *h = curl_easy_init();
	if (h == NULL) {
		WHY("out of memory");
		return NULL;
	}
	struct curl_slist *hs = curl_slist_append(NULL, "Accept: application/json");
	if (!e->secret_post)
		hs = curl_slist_append(hs, auth);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hs);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, form);
	long status = 0;
	char *body = perform(h, e->token, &status, why, whylen);
	curl_slist_free_all(hs);
	sodium_memzero(auth, sizeof auth);
	sodium_memzero(form, sizeof form);
	return body;
}

char *sso_userinfo(const struct sso_endpoints *e, const char *access_token, char *why,
		   size_t whylen)
{
	char auth[4096];
	if (snprintf(auth, sizeof auth, "Authorization: Bearer %s", access_token) >=
		(int)sizeof auth ||
	    strpbrk(access_token, "\r\n") != NULL) {
		WHY("the provider's access token is unusable");
		return NULL;
	}
	CURL *h = curl_easy_init();
	if (h == NULL) {
		WHY("out of memory");
		return NULL;
	}
	struct curl_slist *hs = curl_slist_append(NULL, "Accept: application/json");
	hs = curl_slist_append(hs, auth);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hs);
	long status = 0;
	char *body = perform(h, e->userinfo, &status, why, whylen);
	curl_slist_free_all(hs);
	sodium_memzero(auth, sizeof auth);
	if (body != NULL && status != 200) {
		WHY("the userinfo endpoint answered HTTP %ld", status);
		free(body);
		return NULL;
	}
	return body;
}
