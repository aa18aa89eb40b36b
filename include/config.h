/* Configuration from the environment (README, "Configuration"); flags may
 * override. */
#ifndef NS_CONFIG_H
#define NS_CONFIG_H
#include <stdbool.h>
#include <stddef.h>
#include "model.h"
#include "netaddr.h"

struct config {
	const char *database_url;      /* NEXTSTAGE_DATABASE_URL (required) */
	const char *read_database_url; /* NEXTSTAGE_READ_DATABASE_URL, default database_url */
	char listen_host[64];	       /* NEXTSTAGE_LISTEN, default 127.0.0.1:8080 */
	unsigned short listen_port;
	const char *public_url;	    /* NEXTSTAGE_PUBLIC_URL, no trailing slash */
	unsigned max_upload_mb;	    /* NEXTSTAGE_MAX_UPLOAD_MB, default 200 */
	const char *webhook_secret; /* NEXTSTAGE_WEBHOOK_SECRET, may be NULL */
	/* NEXTSTAGE_HUBSPOT_CLIENT_SECRET: a HubSpot app's client secret, may
	 * be NULL. Both this and webhook_secret are one more valid secret
	 * beside those managed through the API (webhook_secrets). */
	const char *hubspot_client_secret;
	/* NEXTSTAGE_SECRET_KEY (64 hex digits): seals the webhook secrets
	 * stored in the database; has_secret_key false when unset */
	bool has_secret_key;
	unsigned char secret_key[32];
	unsigned threads; /* NEXTSTAGE_THREADS, default the CPU count */
	/* NEXTSTAGE_DB_POOL: the threads (each with its own database
	 * connection) that run the handlers; default twice the CPU count */
	unsigned db_pool;
	/* NEXTSTAGE_PUBLIC_RATE: requests a minute (and burst) per client
	 * address on the public pages /p/; default 60, 0 = no limit */
	unsigned public_rate;
	/* NEXTSTAGE_TRUSTED_PROXIES: the proxies whose X-Forwarded-For names
	 * the client (netaddr.h); default none */
	struct netaddr_set trusted_proxies;
	/* NEXTSTAGE_BEACON_RATE: the viewer's beacons a minute (and burst)
	 * per client address; a share takes 4 times as many; default 30, 0 =
	 * no limit */
	unsigned beacon_rate;
	/* NEXTSTAGE_VIEWER_FLUSH_S: seconds between the viewer's beacons,
	 * 1..300, default 10 */
	unsigned viewer_flush_s;
	/* NEXTSTAGE_HEADER_TIMEOUT_S: seconds a client has to send a request's
	 * line and header block, whatever its pace, 1..300, default 10 */
	unsigned header_timeout_s;
	/* NEXTSTAGE_MAX_CONNECTIONS: open client connections at most, shared
	 * by the HTTP threads, 8..100000 (at least the threads), default 2000 */
	unsigned max_connections;
	/* NEXTSTAGE_SMTP_URL: the relay e-mails go through (smtp://host:port,
	 * smtps://..., credentials in the URL); NULL: no e-mail */
	const char *smtp_url;
	/* NEXTSTAGE_SMTP_FROM: the sender's address, default nextstage@ and the
	 * public URL's host */
	char smtp_from[256];
	/* NEXTSTAGE_WEBHOOK_TIMEOUT_S: seconds a receiver (or the SMTP relay)
	 * has to answer a delivery, 1..120, default 10 */
	unsigned webhook_timeout_s;
	/* NEXTSTAGE_DELIVERY_RETRY_S: seconds a delivery is retried before it is
	 * parked as failed, 10..2592000, default 86400 */
	unsigned delivery_retry_s;
	/* NEXTSTAGE_DIGEST_EVERY_S: seconds between a user's e-mail digests,
	 * 1..2592000, default 86400 (daily) */
	unsigned digest_every_s;
	/* NEXTSTAGE_RETAIN_EVENTS_DAYS: opens, public page views and downloads
	 * older than this are removed (README, "Retention"); 0 (the default)
	 * keeps them forever, else RETAIN_MIN_DAYS..RETAIN_MAX_DAYS */
	unsigned retain_events_days;
	/* NEXTSTAGE_RETAIN_LEADS_DAYS: the same for leads; default the events'
	 * setting, 0 keeps them forever */
	unsigned retain_leads_days;
	/* NEXTSTAGE_RETENTION_EVERY_S: seconds between the server's retention
	 * passes, 0 (only when an admin runs one) or 1..604800, default 3600 */
	unsigned retention_every_s;
	const char *static_dir; /* NEXTSTAGE_STATIC_DIR: the web app's files, default "static" */
	/* NEXTSTAGE_PDFJS_DIR: pdf.js as Debian's libjs-pdf installs it, served
	 * at /app/vendor/pdf/ (vendor.h); default /usr/share/javascript/pdf */
	const char *pdfjs_dir;
	/* NEXTSTAGE_CHARTJS_DIR: Chart.js as Debian's libjs-chart.js installs
	 * it, served at /app/vendor/chart/; default /usr/share/javascript/chart.js */
	const char *chartjs_dir;
	/* Single sign-on (README, "Single sign-on"): NEXTSTAGE_OIDC_ISSUER,
	 * NEXTSTAGE_OIDC_CLIENT_ID and NEXTSTAGE_OIDC_CLIENT_SECRET (or
	 * NEXTSTAGE_OIDC_CLIENT_SECRET_FILE, its first line); all NULL when
	 * SSO is off, all set when on. */
	const char *oidc_issuer;
	const char *oidc_client_id;
	const char *oidc_client_secret;
	char oidc_secret_from_file[1024];
	/* NEXTSTAGE_OIDC_DEFAULT_ROLE: the role of users SSO creates, default
	 * rep (an enum role of model.h) */
	enum role oidc_default_role;
	/* NEXTSTAGE_LOCAL_PASSWORDS=on|off, default on; off needs SSO */
	bool local_passwords;
};

#define RETAIN_MIN_DAYS 30
#define RETAIN_MAX_DAYS 36500

/* Looks a variable up; getenv() in production, a table in tests. */
typedef const char *(*config_getter)(const char *name);

/* Fills @c from @get. Strings point into what @get returns (not copied).
 * Returns 0, or -1 with a one-line reason naming the variable in @err. */
int config_load(struct config *c, config_getter get, char *err, size_t errlen);

/* Parses "host:port", "[v6]:port" or ":port" (host 127.0.0.1). Port 1..65535.
 * Returns 0 or -1. */
int config_parse_listen(const char *s, char *host, size_t hostlen, unsigned short *port);

/* Parses a decimal in [min, max] with nothing trailing. Returns 0 or -1. */
int config_parse_uint(const char *s, unsigned min, unsigned max, unsigned *out);

/* The configuration in force for this process (set once at start-up). */
extern struct config config;

#endif
