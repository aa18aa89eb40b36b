/* Configuration from the environment. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct config config;

int config_parse_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

int config_parse_listen(const char *s, char *host, size_t hostlen, unsigned short *port)
{
	const char *colon;
	size_t hl;
	if (s == NULL)
		return -1;
	if (s[0] == '[') { /* [v6]:port */
		const char *close = strchr(s, ']');
		if (close == NULL || close[1] != ':')
			return -1;
		s++;
		hl = (size_t)(close - s);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL || memchr(s, ':', (size_t)(colon - s)) != NULL)
			return -1;
		hl = (size_t)(colon - s);
	}
	unsigned p;
	if (config_parse_uint(colon + 1, 1, 65535, &p) != 0)
		return -1;
	if (hl == 0) {
		s = "127.0.0.1";
		hl = strlen(s);
	}
	if (hl >= hostlen)
		return -1;
	memcpy(host, s, hl);
	host[hl] = '\0';
	*port = (unsigned short)p;
	return 0;
}

/* 64 hex digits into 32 bytes; 0 or -1. */
static int parse_key(const char *hex, unsigned char out[32])
{
	if (strlen(hex) != 64)
		return -1;
	for (int i = 0; i < 32; i++) {
		unsigned v = 0;
		for (int k = 0; k < 2; k++) {
			char ch = hex[2 * i + k];
			int d = ch >= '0' && ch <= '9'	 ? ch - '0'
				: ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
				: ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
							 : -1;
			if (d < 0)
				return -1;
			v = v * 16 + (unsigned)d;
		}
		out[i] = (unsigned char)v;
	}
	return 0;
}

static const char *or_default(const char *v, const char *def)
{
	return (v != NULL && *v != '\0') ? v : def;
}

/* The outbox's settings: e-mail and the delivery of webhooks. */
static int load_deliveries(struct config *c, config_getter get, char *err, size_t errlen)
{
	c->smtp_url = or_default(get("NEXTSTAGE_SMTP_URL"), NULL);
	if (c->smtp_url != NULL && strncmp(c->smtp_url, "smtp://", 7) != 0 &&
	    strncmp(c->smtp_url, "smtps://", 8) != 0) {
		snprintf(err, errlen,
			 "NEXTSTAGE_SMTP_URL=%s: expected smtp://host[:port] or smtps://",
			 c->smtp_url);
		return -1;
	}
	const char *from = get("NEXTSTAGE_SMTP_FROM");
	if (from != NULL && *from != '\0') {
		if (strlen(from) >= sizeof c->smtp_from || strpbrk(from, "\r\n<>\" ") != NULL ||
		    strchr(from, '@') == NULL) {
			snprintf(err, errlen, "NEXTSTAGE_SMTP_FROM=%s: expected an e-mail address",
				 from);
			return -1;
		}
		snprintf(c->smtp_from, sizeof c->smtp_from, "%s", from);
	} else {
		const char *host = strstr(c->public_url, "://") + 3;
		int len = (int)strcspn(host, ":/");
		snprintf(c->smtp_from, sizeof c->smtp_from, "nextstage@%.*s", len, host);
	}
	const char *t = or_default(get("NEXTSTAGE_WEBHOOK_TIMEOUT_S"), "10");
	if (config_parse_uint(t, 1, 120, &c->webhook_timeout_s)) {
		snprintf(err, errlen, "NEXTSTAGE_WEBHOOK_TIMEOUT_S=%s: expected seconds, 1..120",
			 t);
		return -1;
	}
	const char *r = or_default(get("NEXTSTAGE_DELIVERY_RETRY_S"), "86400");
	if (config_parse_uint(r, 10, 2592000, &c->delivery_retry_s)) {
		snprintf(err, errlen,
			 "NEXTSTAGE_DELIVERY_RETRY_S=%s: expected seconds, 10..2592000", r);
		return -1;
	}
	const char *d = or_default(get("NEXTSTAGE_DIGEST_EVERY_S"), "86400");
	if (config_parse_uint(d, 1, 2592000, &c->digest_every_s)) {
		snprintf(err, errlen, "NEXTSTAGE_DIGEST_EVERY_S=%s: expected seconds, 1..2592000",
			 d);
		return -1;
	}
	return 0;
}

/* Retention (README, "Retention"): a period in days, 0 for none, never
 * below RETAIN_MIN_DAYS (a typo must not empty the tables). */
static int retain_days(const char *name, const char *v, unsigned *out, char *err, size_t errlen)
{
	if (config_parse_uint(v, 0, RETAIN_MAX_DAYS, out) != 0 ||
	    (*out != 0 && *out < RETAIN_MIN_DAYS)) {
		snprintf(err, errlen, "%s=%s: expected days, %d..%d (0: keep forever)", name, v,
			 RETAIN_MIN_DAYS, RETAIN_MAX_DAYS);
		return -1;
	}
	return 0;
}

static int load_retention(struct config *c, config_getter get, char *err, size_t errlen)
{
	const char *ev = or_default(get("NEXTSTAGE_RETAIN_EVENTS_DAYS"), "0");
	if (retain_days("NEXTSTAGE_RETAIN_EVENTS_DAYS", ev, &c->retain_events_days, err, errlen))
		return -1;
	const char *ld = or_default(get("NEXTSTAGE_RETAIN_LEADS_DAYS"), ev);
	if (retain_days("NEXTSTAGE_RETAIN_LEADS_DAYS", ld, &c->retain_leads_days, err, errlen))
		return -1;
	const char *every = or_default(get("NEXTSTAGE_RETENTION_EVERY_S"), "3600");
	if (config_parse_uint(every, 0, 604800, &c->retention_every_s)) {
		snprintf(err, errlen,
			 "NEXTSTAGE_RETENTION_EVERY_S=%s: expected seconds, 0..604800 (0: only "
			 "when an admin runs it)",
			 every);
		return -1;
	}
	return 0;
}

/* The first line of file @path into @out; 0, or -1 with the reason. */
static int read_secret_file(const char *path, char *out, size_t outlen, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		snprintf(err, errlen, "NEXTSTAGE_OIDC_CLIENT_SECRET_FILE=%s: %s", path,
			 strerror(errno));
		return -1;
	}
	bool ok = fgets(out, (int)outlen, f) != NULL;
	fclose(f);
	out[ok ? strcspn(out, "\r\n") : 0] = '\0';
	if (out[0] == '\0') {
		snprintf(err, errlen,
			 "NEXTSTAGE_OIDC_CLIENT_SECRET_FILE=%s: no secret on its first line", path);
		return -1;
	}
	return 0;
}

/* Single sign-on's settings, and whether local passwords stay on. */
static int load_sso(struct config *c, config_getter get, char *err, size_t errlen)
{
	c->oidc_issuer = or_default(get("NEXTSTAGE_OIDC_ISSUER"), NULL);
	c->oidc_client_id = or_default(get("NEXTSTAGE_OIDC_CLIENT_ID"), NULL);
	c->oidc_client_secret = or_default(get("NEXTSTAGE_OIDC_CLIENT_SECRET"), NULL);
	const char *file = or_default(get("NEXTSTAGE_OIDC_CLIENT_SECRET_FILE"), NULL);
	if (file != NULL && c->oidc_client_secret == NULL) {
		if (read_secret_file(file, c->oidc_secret_from_file,
				     sizeof c->oidc_secret_from_file, err, errlen) != 0)
			return -1;
		c->oidc_client_secret = c->oidc_secret_from_file;
	}
	bool any = c->oidc_issuer || c->oidc_client_id || c->oidc_client_secret;
	if (any && !(c->oidc_issuer && c->oidc_client_id && c->oidc_client_secret)) {
		snprintf(err, errlen,
			 "single sign-on needs NEXTSTAGE_OIDC_ISSUER, NEXTSTAGE_OIDC_CLIENT_ID and "
			 "NEXTSTAGE_OIDC_CLIENT_SECRET (or _FILE) together");
		return -1;
	}
	if (c->oidc_issuer != NULL && !http_url_valid(c->oidc_issuer)) {
		snprintf(err, errlen, "NEXTSTAGE_OIDC_ISSUER=%s: expected an http(s):// URL",
			 c->oidc_issuer);
		return -1;
	}
	const char *role = or_default(get("NEXTSTAGE_OIDC_DEFAULT_ROLE"), "rep");
	c->oidc_default_role = role_from_name(role);
	if (c->oidc_default_role == ROLE_NONE) {
		snprintf(err, errlen,
			 "NEXTSTAGE_OIDC_DEFAULT_ROLE=%s: expected rep, marketer or admin", role);
		return -1;
	}
	const char *local = or_default(get("NEXTSTAGE_LOCAL_PASSWORDS"), "on");
	if (strcmp(local, "on") != 0 && strcmp(local, "off") != 0) {
		snprintf(err, errlen, "NEXTSTAGE_LOCAL_PASSWORDS=%s: expected on or off", local);
		return -1;
	}
	c->local_passwords = strcmp(local, "on") == 0;
	if (!c->local_passwords && c->oidc_issuer == NULL) {
		snprintf(err, errlen,
			 "NEXTSTAGE_LOCAL_PASSWORDS=off needs single sign-on "
			 "(NEXTSTAGE_OIDC_ISSUER...)");
		return -1;
	}
	return 0;
}

int config_load(struct config *c, config_getter get, char *err, size_t errlen)
{
	memset(c, 0, sizeof *c);
	c->database_url = or_default(get("NEXTSTAGE_DATABASE_URL"), NULL);
	if (c->database_url == NULL) {
		snprintf(err, errlen, "NEXTSTAGE_DATABASE_URL is not set (make run sets it up)");
		return -1;
	}
	c->read_database_url = or_default(get("NEXTSTAGE_READ_DATABASE_URL"), c->database_url);

	const char *listen = or_default(get("NEXTSTAGE_LISTEN"), "127.0.0.1:8080");
	if (config_parse_listen(listen, c->listen_host, sizeof c->listen_host, &c->listen_port)) {
		snprintf(err, errlen,
			 "NEXTSTAGE_LISTEN=%s: expected host:port, e.g. 127.0.0.1:8080", listen);
		return -1;
	}

	c->public_url = or_default(get("NEXTSTAGE_PUBLIC_URL"), "http://127.0.0.1:8080");
	size_t ul = strlen(c->public_url);
	if ((strncmp(c->public_url, "http://", 7) != 0 &&
	     strncmp(c->public_url, "https://", 8) != 0) ||
	    c->public_url[ul - 1] == '/') {
		snprintf(err, errlen,
			 "NEXTSTAGE_PUBLIC_URL=%s: expected http(s)://host[:port][/path] without a "
			 "trailing slash",
			 c->public_url);
		return -1;
	}

	const char *mb = or_default(get("NEXTSTAGE_MAX_UPLOAD_MB"), "200");
	if (config_parse_uint(mb, 1, 1u << 20, &c->max_upload_mb)) {
		snprintf(err, errlen, "NEXTSTAGE_MAX_UPLOAD_MB=%s: expected 1..1048576", mb);
		return -1;
	}

	c->static_dir = or_default(get("NEXTSTAGE_STATIC_DIR"), "static");
	c->pdfjs_dir = or_default(get("NEXTSTAGE_PDFJS_DIR"), "/usr/share/javascript/pdf");
	c->chartjs_dir = or_default(get("NEXTSTAGE_CHARTJS_DIR"), "/usr/share/javascript/chart.js");
	c->webhook_secret = or_default(get("NEXTSTAGE_WEBHOOK_SECRET"), NULL);
	c->hubspot_client_secret = or_default(get("NEXTSTAGE_HUBSPOT_CLIENT_SECRET"), NULL);
	const char *key = or_default(get("NEXTSTAGE_SECRET_KEY"), NULL);
	if (key != NULL && parse_key(key, c->secret_key) != 0) {
		snprintf(err, errlen,
			 "NEXTSTAGE_SECRET_KEY: expected 64 hex digits (32 random bytes, e.g. from "
			 "openssl rand -hex 32)");
		return -1;
	}
	c->has_secret_key = key != NULL;

	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	char defthreads[24];
	snprintf(defthreads, sizeof defthreads, "%ld", cpus > 0 ? cpus : 1);
	const char *th = get("NEXTSTAGE_THREADS");
	if (config_parse_uint(or_default(th, defthreads), 1, 256, &c->threads)) {
		snprintf(err, errlen, "NEXTSTAGE_THREADS=%s: expected 1..256", th);
		return -1;
	}

	snprintf(defthreads, sizeof defthreads, "%ld", cpus > 0 ? 2 * cpus : 2);
	const char *pool = get("NEXTSTAGE_DB_POOL");
	if (config_parse_uint(or_default(pool, defthreads), 1, 256, &c->db_pool)) {
		snprintf(err, errlen, "NEXTSTAGE_DB_POOL=%s: expected 1..256", pool);
		return -1;
	}

	const char *rate = or_default(get("NEXTSTAGE_PUBLIC_RATE"), "60");
	if (config_parse_uint(rate, 0, 1000000, &c->public_rate)) {
		snprintf(err, errlen,
			 "NEXTSTAGE_PUBLIC_RATE=%s: expected requests a minute, 0..1000000 (0: no "
			 "limit)",
			 rate);
		return -1;
	}

	const char *proxies = or_default(get("NEXTSTAGE_TRUSTED_PROXIES"), "");
	if (!netaddr_set_parse(proxies, &c->trusted_proxies)) {
		snprintf(err, errlen,
			 "NEXTSTAGE_TRUSTED_PROXIES=%s: expected up to %d addresses or networks"
			 " (10.0.0.0/8, ::1) separated by commas",
			 proxies, NETADDR_SET_MAX);
		return -1;
	}
	const char *beacons = or_default(get("NEXTSTAGE_BEACON_RATE"), "30");
	if (config_parse_uint(beacons, 0, 1000000, &c->beacon_rate)) {
		snprintf(err, errlen,
			 "NEXTSTAGE_BEACON_RATE=%s: expected beacons a minute, 0..1000000 (0: no "
			 "limit)",
			 beacons);
		return -1;
	}
	const char *flush = or_default(get("NEXTSTAGE_VIEWER_FLUSH_S"), "10");
	if (config_parse_uint(flush, 1, 300, &c->viewer_flush_s)) {
		snprintf(err, errlen, "NEXTSTAGE_VIEWER_FLUSH_S=%s: expected seconds, 1..300",
			 flush);
		return -1;
	}
	const char *header_s = or_default(get("NEXTSTAGE_HEADER_TIMEOUT_S"), "10");
	if (config_parse_uint(header_s, 1, 300, &c->header_timeout_s)) {
		snprintf(err, errlen, "NEXTSTAGE_HEADER_TIMEOUT_S=%s: expected seconds, 1..300",
			 header_s);
		return -1;
	}
	const char *conns = or_default(get("NEXTSTAGE_MAX_CONNECTIONS"), "2000");
	if (config_parse_uint(conns, 8, 100000, &c->max_connections) ||
	    c->max_connections < c->threads) {
		snprintf(err, errlen,
			 "NEXTSTAGE_MAX_CONNECTIONS=%s: expected 8..100000, and at least "
			 "NEXTSTAGE_THREADS (%u)",
			 conns, c->threads);
		return -1;
	}
	if (load_retention(c, get, err, errlen) != 0)
		return -1;
	if (load_sso(c, get, err, errlen) != 0)
		return -1;
	return load_deliveries(c, get, err, errlen);
}
