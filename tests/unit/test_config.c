/* Configuration: the environment variables, their defaults and refusals,
 * and the listen address forms. */
#include "config.h"
#include <stdlib.h>
#include <unistd.h>
#include "harness.h"

/* A fake environment: NAME=VALUE pairs. */
static const char *const *fake;
static const char *lookup(const char *name)
{
	for (const char *const *e = fake; *e != NULL; e += 2)
		if (strcmp(e[0], name) == 0)
			return e[1];
	return NULL;
}

static int load(const char *const *env, struct config *c, char *err)
{
	fake = env;
	return config_load(c, lookup, err, 256);
}

static void defaults(void)
{
	static const char *const env[] = {"NEXTSTAGE_DATABASE_URL", "dbname=x", NULL};
	struct config c;
	char err[256];
	CHECK(load(env, &c, err) == 0);
	CHECK_STR(c.database_url, "dbname=x");
	CHECK_STR(c.read_database_url, "dbname=x");
	CHECK_STR(c.listen_host, "127.0.0.1");
	CHECK(c.listen_port == 8080);
	CHECK_STR(c.public_url, "http://127.0.0.1:8080");
	CHECK(c.max_upload_mb == 200);
	CHECK(c.webhook_secret == NULL);
	CHECK(c.hubspot_client_secret == NULL);
	CHECK(!c.has_secret_key);
	CHECK(c.threads >= 1);
	CHECK(c.db_pool == 2 * c.threads);
	CHECK(c.public_rate == 60);
	CHECK(c.header_timeout_s == 10);
	CHECK(c.max_connections == 2000);
	CHECK_STR(c.static_dir, "static");
	CHECK_STR(c.pdfjs_dir, "/usr/share/javascript/pdf");
	CHECK_STR(c.chartjs_dir, "/usr/share/javascript/chart.js");
}

static void overrides(void)
{
	static const char *const env[] = {
	    "NEXTSTAGE_DATABASE_URL",
	    "dbname=x",
	    "NEXTSTAGE_READ_DATABASE_URL",
	    "dbname=r",
	    "NEXTSTAGE_LISTEN",
	    "[::1]:9000",
	    "NEXTSTAGE_PUBLIC_URL",
	    "https://ns.example.com",
	    "NEXTSTAGE_MAX_UPLOAD_MB",
	    "5",
	    "NEXTSTAGE_THREADS",
	    "3",
	    "NEXTSTAGE_DB_POOL",
	    "7",
	    "NEXTSTAGE_WEBHOOK_SECRET",
	    "s3cret",
	    "NEXTSTAGE_PUBLIC_RATE",
	    "0",
	    "NEXTSTAGE_HUBSPOT_CLIENT_SECRET",
	    "hs-secret",
	    "NEXTSTAGE_SECRET_KEY",
	    "000102030405060708090a0b0c0d0e0f101112131415161718191A1B1C1D1E1F",
	    "NEXTSTAGE_PDFJS_DIR",
	    "/opt/pdfjs",
	    "NEXTSTAGE_CHARTJS_DIR",
	    "/opt/chartjs",
	    "NEXTSTAGE_TRUSTED_PROXIES",
	    "10.0.0.0/8, ::1",
	    "NEXTSTAGE_HEADER_TIMEOUT_S",
	    "2",
	    "NEXTSTAGE_MAX_CONNECTIONS",
	    "20",
	    NULL};
	struct config c;
	char err[256];
	CHECK(load(env, &c, err) == 0);
	CHECK_STR(c.read_database_url, "dbname=r");
	CHECK_STR(c.listen_host, "::1");
	CHECK(c.listen_port == 9000);
	CHECK_STR(c.public_url, "https://ns.example.com");
	CHECK(c.max_upload_mb == 5);
	CHECK(c.threads == 3);
	CHECK(c.db_pool == 7);
	CHECK_STR(c.webhook_secret, "s3cret");
	CHECK(c.public_rate == 0);
	CHECK_STR(c.hubspot_client_secret, "hs-secret");
	CHECK(c.has_secret_key);
	CHECK(c.secret_key[0] == 0 && c.secret_key[10] == 10 && c.secret_key[31] == 31);
	CHECK_STR(c.pdfjs_dir, "/opt/pdfjs");
	CHECK_STR(c.chartjs_dir, "/opt/chartjs");
	CHECK(c.trusted_proxies.n == 2 && netaddr_in(&c.trusted_proxies, "10.9.8.7"));
	CHECK(c.header_timeout_s == 2);
	CHECK(c.max_connections == 20);
}

/* Each bad value is refused with a message naming its variable. */
static void bad_values_name_the_variable(void)
{
	static const struct {
		const char *var, *value;
	} cases[] = {
	    {"NEXTSTAGE_LISTEN", "bogus"},
	    {"NEXTSTAGE_LISTEN", "127.0.0.1:0"},
	    {"NEXTSTAGE_LISTEN", "1.2.3.4:99999"},
	    {"NEXTSTAGE_LISTEN", "host:8x"},
	    {"NEXTSTAGE_PUBLIC_URL", "ftp://x"},
	    {"NEXTSTAGE_PUBLIC_URL", "http://x/"},
	    {"NEXTSTAGE_MAX_UPLOAD_MB", "0"},
	    {"NEXTSTAGE_MAX_UPLOAD_MB", "-1"},
	    {"NEXTSTAGE_MAX_UPLOAD_MB", "12abc"},
	    {"NEXTSTAGE_THREADS", "0"},
	    {"NEXTSTAGE_THREADS", "999"},
	    {"NEXTSTAGE_DB_POOL", "0"},
	    {"NEXTSTAGE_DB_POOL", "many"},
	    {"NEXTSTAGE_PUBLIC_RATE", "-5"},
	    {"NEXTSTAGE_PUBLIC_RATE", "ten"},
	    {"NEXTSTAGE_PUBLIC_RATE", "2000000"},
	    {"NEXTSTAGE_TRUSTED_PROXIES", "10.0.0.0/40"},
	    {"NEXTSTAGE_TRUSTED_PROXIES", "proxy.internal"},
	    {"NEXTSTAGE_HEADER_TIMEOUT_S", "0"},
	    {"NEXTSTAGE_HEADER_TIMEOUT_S", "301"},
	    {"NEXTSTAGE_HEADER_TIMEOUT_S", "5s"},
	    {"NEXTSTAGE_MAX_CONNECTIONS", "7"},
	    {"NEXTSTAGE_MAX_CONNECTIONS", "100001"},
	    {"NEXTSTAGE_MAX_CONNECTIONS", "lots"},
	    {"NEXTSTAGE_RETAIN_EVENTS_DAYS", "7"},
	    {"NEXTSTAGE_RETAIN_EVENTS_DAYS", "29"},
	    {"NEXTSTAGE_RETAIN_EVENTS_DAYS", "90d"},
	    {"NEXTSTAGE_RETAIN_EVENTS_DAYS", "36501"},
	    {"NEXTSTAGE_RETAIN_LEADS_DAYS", "1"},
	    {"NEXTSTAGE_RETAIN_LEADS_DAYS", "-30"},
	    {"NEXTSTAGE_RETENTION_EVERY_S", "604801"},
	    {"NEXTSTAGE_RETENTION_EVERY_S", "hourly"},
	    {"NEXTSTAGE_SECRET_KEY", "abc"},
	    {"NEXTSTAGE_SECRET_KEY",
	     "zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *env[] = {"NEXTSTAGE_DATABASE_URL", "dbname=x", cases[i].var,
				     cases[i].value, NULL};
		struct config c;
		char err[256] = "";
		CHECK(load(env, &c, err) == -1);
		CHECK(strstr(err, cases[i].var) != NULL);
	}
	static const char *const none[] = {NULL};
	struct config c;
	char err[256] = "";
	CHECK(load(none, &c, err) == -1);
	CHECK(strstr(err, "NEXTSTAGE_DATABASE_URL") != NULL);
}

/* libmicrohttpd shares the connection limit among the HTTP threads: each
 * needs at least one. */
static void max_connections_at_least_the_threads(void)
{
	static const char *const few[] = {"NEXTSTAGE_DATABASE_URL",
					  "dbname=x",
					  "NEXTSTAGE_THREADS",
					  "16",
					  "NEXTSTAGE_MAX_CONNECTIONS",
					  "12",
					  NULL};
	struct config c;
	char err[256] = "";
	CHECK(load(few, &c, err) == -1);
	CHECK(strstr(err, "NEXTSTAGE_MAX_CONNECTIONS") != NULL);
	static const char *const enough[] = {"NEXTSTAGE_DATABASE_URL",
					     "dbname=x",
					     "NEXTSTAGE_THREADS",
					     "16",
					     "NEXTSTAGE_MAX_CONNECTIONS",
					     "16",
					     NULL};
	CHECK(load(enough, &c, err) == 0);
	CHECK(c.max_connections == 16);
}

/* Retention is off unless asked for; the leads follow the events unless
 * told otherwise, and either may keep forever (0). */
static void retention_periods(void)
{
	struct config c;
	char err[256];
	static const char *const none[] = {"NEXTSTAGE_DATABASE_URL", "dbname=x", NULL};
	CHECK(load(none, &c, err) == 0);
	CHECK(c.retain_events_days == 0 && c.retain_leads_days == 0);
	CHECK(c.retention_every_s == 3600);
	static const char *const events[] = {"NEXTSTAGE_DATABASE_URL", "dbname=x",
					     "NEXTSTAGE_RETAIN_EVENTS_DAYS", "30", NULL};
	CHECK(load(events, &c, err) == 0);
	CHECK(c.retain_events_days == 30 && c.retain_leads_days == 30);
	static const char *const both[] = {"NEXTSTAGE_DATABASE_URL",
					   "dbname=x",
					   "NEXTSTAGE_RETAIN_EVENTS_DAYS",
					   "400",
					   "NEXTSTAGE_RETAIN_LEADS_DAYS",
					   "0",
					   "NEXTSTAGE_RETENTION_EVERY_S",
					   "0",
					   NULL};
	CHECK(load(both, &c, err) == 0);
	CHECK(c.retain_events_days == 400 && c.retain_leads_days == 0);
	CHECK(c.retention_every_s == 0);
	static const char *const leads[] = {"NEXTSTAGE_DATABASE_URL", "dbname=x",
					    "NEXTSTAGE_RETAIN_LEADS_DAYS", "90", NULL};
	CHECK(load(leads, &c, err) == 0);
	CHECK(c.retain_events_days == 0 && c.retain_leads_days == 90);
}

static void listen_forms(void)
{
	char host[64];
	unsigned short port;
	CHECK(config_parse_listen(":8081", host, sizeof host, &port) == 0);
	CHECK_STR(host, "127.0.0.1");
	CHECK(port == 8081);
	CHECK(config_parse_listen("0.0.0.0:80", host, sizeof host, &port) == 0);
	CHECK_STR(host, "0.0.0.0");
	CHECK(config_parse_listen("::1:80", host, sizeof host, &port) == -1);
	CHECK(config_parse_listen("[::1]80", host, sizeof host, &port) == -1);
}

/* Single sign-on: all three settings or none; its secret from a file;
 * passwords off only with SSO. */
static void single_sign_on(void)
{
	struct config c;
	char err[256];
	static const char *const none[] = {"NEXTSTAGE_DATABASE_URL", "dbname=x", NULL};
	CHECK(load(none, &c, err) == 0);
	CHECK(c.oidc_issuer == NULL && c.local_passwords && c.oidc_default_role == ROLE_REP);
	static const char *const on[] = {"NEXTSTAGE_DATABASE_URL",
					 "dbname=x",
					 "NEXTSTAGE_OIDC_ISSUER",
					 "https://idp.example",
					 "NEXTSTAGE_OIDC_CLIENT_ID",
					 "ns",
					 "NEXTSTAGE_OIDC_CLIENT_SECRET",
					 "s3cret",
					 "NEXTSTAGE_OIDC_DEFAULT_ROLE",
					 "marketer",
					 "NEXTSTAGE_LOCAL_PASSWORDS",
					 "off",
					 NULL};
	CHECK(load(on, &c, err) == 0);
	CHECK_STR(c.oidc_client_secret, "s3cret");
	CHECK(c.oidc_default_role == ROLE_MARKETER && !c.local_passwords);
	static const char *const half[] = {"NEXTSTAGE_DATABASE_URL", "dbname=x",
					   "NEXTSTAGE_OIDC_ISSUER", "https://idp.example", NULL};
	CHECK(load(half, &c, err) == -1 && strstr(err, "NEXTSTAGE_OIDC_CLIENT_ID"));
	static const char *const off[] = {"NEXTSTAGE_DATABASE_URL", "dbname=x",
					  "NEXTSTAGE_LOCAL_PASSWORDS", "off", NULL};
	CHECK(load(off, &c, err) == -1 && strstr(err, "NEXTSTAGE_LOCAL_PASSWORDS"));
	static const char *const role[] = {"NEXTSTAGE_DATABASE_URL", "dbname=x",
					   "NEXTSTAGE_OIDC_DEFAULT_ROLE", "root", NULL};
	CHECK(load(role, &c, err) == -1 && strstr(err, "NEXTSTAGE_OIDC_DEFAULT_ROLE"));
	char path[] = "/tmp/ns-oidc-secret-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0 && write(fd, "from a file\nsecond line\n", 24) == 24);
	close(fd);
	const char *const file[] = {"NEXTSTAGE_DATABASE_URL",
				    "dbname=x",
				    "NEXTSTAGE_OIDC_ISSUER",
				    "https://idp.example",
				    "NEXTSTAGE_OIDC_CLIENT_ID",
				    "ns",
				    "NEXTSTAGE_OIDC_CLIENT_SECRET_FILE",
				    path,
				    NULL};
	CHECK(load(file, &c, err) == 0);
	CHECK_STR(c.oidc_client_secret, "from a file");
	unlink(path);
	CHECK(load(file, &c, err) == -1 && strstr(err, "NEXTSTAGE_OIDC_CLIENT_SECRET_FILE"));
}

int main(void)
{
	TEST(defaults);
	TEST(overrides);
	TEST(bad_values_name_the_variable);
	TEST(max_connections_at_least_the_threads);
	TEST(retention_periods);
	TEST(listen_forms);
	TEST(single_sign_on);
	return HARNESS_EXIT();
}
