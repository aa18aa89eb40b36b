/* nextstage: start-up, configuration and subcommands. */
#include <curl/curl.h>
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analytics.h"
#include "import.h"
#include "static_files.h"
#include "vendor.h"
#include "config.h"
#include "auth.h"
#include "crypto.h"
#include "db.h"
#include "db_blobs.h"
#include "db_search.h"
#include "db_partitions.h"
#include "db_writer.h"
#include "db_tokens.h"
#include "db_users.h"
#include "deliver.h"
#include "extract.h"
#include "extract_worker.h"
#include "log.h"
#include "migrate.h"
#include "retention.h"
#include "server.h"

static const char usage_main[] =
    "usage: nextstage <command> [options]\n"
    "\n"
    "commands:\n"
    "  serve         apply pending migrations, then serve HTTP until SIGINT/SIGTERM\n"
    "  migrate       apply pending migrations and exit\n"
    "  user add      create a user (password from the first line of stdin)\n"
    "  token create  print a new API token for a user\n"
    "  blobs sweep   delete stored files that no asset version refers to\n"
    "  extract       (run by the server) the sandboxed reader of files' text\n"
    "\n"
    "configuration (environment): NEXTSTAGE_DATABASE_URL, NEXTSTAGE_READ_DATABASE_URL,\n"
    "NEXTSTAGE_LISTEN, NEXTSTAGE_PUBLIC_URL, NEXTSTAGE_MAX_UPLOAD_MB,\n"
    "NEXTSTAGE_WEBHOOK_SECRET, NEXTSTAGE_THREADS, NEXTSTAGE_STATIC_DIR,\n"
    "NEXTSTAGE_RETAIN_EVENTS_DAYS, NEXTSTAGE_RETAIN_LEADS_DAYS, NEXTSTAGE_RETENTION_EVERY_S,\n"
    "NEXTSTAGE_PDFJS_DIR, NEXTSTAGE_CHARTJS_DIR. `nextstage <command> --help` for more.\n";

static const char usage_serve[] =
    "usage: nextstage serve [--listen HOST:PORT] [--threads N] [--no-migrate]\n"
    "  Applies pending migrations (under an advisory lock, so several servers may\n"
    "  start at once) and serves. Flags override NEXTSTAGE_LISTEN and NEXTSTAGE_THREADS.\n"
    "  The web app's files come from NEXTSTAGE_STATIC_DIR (default static); pdf.js,\n"
    "  served at /app/vendor/pdf/, from NEXTSTAGE_PDFJS_DIR (default\n"
    "  /usr/share/javascript/pdf, Debian's libjs-pdf; without it PDFs are downloads);\n"
    "  Chart.js, served at /app/vendor/chart/, from NEXTSTAGE_CHARTJS_DIR (default\n"
    "  /usr/share/javascript/chart.js, Debian's libjs-chart.js; without it the\n"
    "  dashboards show their tables only).\n";
static const char usage_migrate[] =
    "usage: nextstage migrate\n  Applies pending migrations and exits.\n";
static const char usage_user[] =
    "usage: nextstage user add --email E --name N --role rep|marketer|admin [--board]\n"
    "  Reads the password (at least 8 bytes) from the first line of standard input.\n";
static const char usage_token[] =
    "usage: nextstage token create --email E --name LABEL\n"
    "  Prints a new API token for the user; it is shown only this once.\n";

static const char usage_blobs[] =
    "usage: nextstage blobs sweep [--min-age SECONDS]\n"
    "  Deletes stored files (blobs and their chunks) that no asset version refers\n"
    "  to and that are older than SECONDS (default 3600). Uploads are written in\n"
    "  one transaction with their version, so this finds only what was unlinked\n"
    "  by hand; it is safe to run at any time.\n";

static int wants_help(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}

static const char *env(const char *name)
{
	return getenv(name);
}

/* Loads the configuration and connects (waiting up to @wait_s). */
static int setup(unsigned wait_s)
{
	char err[512];
	if (config_load(&config, env, err, sizeof err) != 0) {
		fprintf(stderr, "nextstage: %s\n", err);
		return -1;
	}
	if (crypto_init() != 0) {
		fprintf(stderr, "nextstage: cannot initialise libsodium\n");
		return -1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "nextstage: cannot initialise libcurl\n");
		return -1;
	}
	if (db_init(config.database_url, config.read_database_url, wait_s, err, sizeof err)) {
		fprintf(stderr, "nextstage: cannot connect to the database: %s\n", err);
		return -1;
	}
	return 0;
}

static int migrate(void)
{
	char err[512];
	int n = migrate_run(config.database_url, err, sizeof err);
	if (n < 0) {
		fprintf(stderr, "nextstage: migration failed: %s\n", err);
		return -1;
	}
	fprintf(stderr, "migrate: %d applied, schema at version %d\n", n,
		migration_count ? migrations[migration_count - 1].version : 0);
	return 0;
}

static int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {{"listen", required_argument, NULL, 'l'},
					     {"threads", required_argument, NULL, 't'},
					     {"no-migrate", no_argument, NULL, 'n'},
					     {NULL, 0, NULL, 0}};
	const char *listen = NULL, *threads = NULL;
	int no_migrate = 0, c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'l')
			listen = optarg;
		else if (c == 't')
			threads = optarg;
		else if (c == 'n')
			no_migrate = 1;
		else {
			fputs(usage_serve, stderr);
			return 2;
		}
	}
	if (listen != NULL)
		setenv("NEXTSTAGE_LISTEN", listen, 1);
	if (threads != NULL)
		setenv("NEXTSTAGE_THREADS", threads, 1);
	if (setup(2) != 0 || (!no_migrate && migrate() != 0))
		return 1;
	char err[256];
	if (static_load(config.static_dir, err, sizeof err) != 0) {
		fprintf(stderr, "nextstage: %s\n", err);
		return 1;
	}
	if (static_find("index.html") == NULL)
		log_msg("warn", "no web app: %s/index.html is missing", config.static_dir);
	vendor_load(&config);
	server_block_signals();
	if (db_partitions_ensure() != DB_OK)
		log_msg("warn", "could not create this month's event partitions");
	if (auth_cache_start() != 0)
		log_msg("warn", "no credential cache: the listener thread did not start");
	if (db_writer_start() != 0) {
		log_msg("error", "the event writer thread did not start");
		return 1;
	}
	if (db_searchlog_start() != 0)
		log_msg("warn", "searches will not be recorded: the writer thread did not start");
	if (db_token_uses_start() != 0)
		log_msg("warn", "API tokens' last use will not be recorded: no writer thread");
	/* The next-stage test's arrays (tens of MiB at scale) come from the heap
	 * and stay there between runs, instead of fresh mmaps that cost a page
	 * fault per 4 KiB on every run. */
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 128 << 20);
	if (an_refresh_start() != 0)
		log_msg("warn", "analytics: rollups and verdicts will not refresh (no thread)");
	if (import_worker_start() != 0)
		log_msg("warn", "imports longer than a request will wait: no import worker");
	if (extract_worker_start() != 0)
		log_msg("warn", "text and previews wait for fewer workers: a thread did not start");
	if (deliver_start() != 0)
		log_msg("warn",
			"webhooks and e-mails will wait: the delivery thread did not start");
	if (retention_start() != 0)
		log_msg("warn", "retention: no periodic passes (the thread did not start)");
	if (log_start() != 0)
		log_msg("warn", "access lines are written one by one: no flusher thread");
	int rc = server_run();
	log_stop(); /* every request has completed: its line goes out now */
	deliver_stop();
	retention_stop();
	an_refresh_stop();
	import_worker_stop();
	extract_worker_stop();
	db_writer_stop();
	db_searchlog_stop();
	db_token_uses_stop();
	auth_cache_stop();
	db_thread_done();
	static_free();
	return rc == 0 ? 0 : 1;
}

static int cmd_migrate(void)
{
	return setup(2) == 0 && migrate() == 0 ? 0 : 1;
}

static int read_password(char *buf, size_t len)
{
	if (fgets(buf, (int)len, stdin) == NULL)
		return -1;
	buf[strcspn(buf, "\r\n")] = '\0';
	return strlen(buf) >= PASSWORD_MIN ? 0 : -1;
}

static int cmd_user_add(int argc, char **argv)
{
	static const struct option opts[] = {{"email", required_argument, NULL, 'e'},
					     {"name", required_argument, NULL, 'n'},
					     {"role", required_argument, NULL, 'r'},
					     {"board", no_argument, NULL, 'b'},
					     {NULL, 0, NULL, 0}};
	const char *email = NULL, *name = NULL, *role = NULL;
	int board = 0, c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'e')
			email = optarg;
		else if (c == 'n')
			name = optarg;
		else if (c == 'r')
			role = optarg;
		else if (c == 'b')
			board = 1;
		else
			return fputs(usage_user, stderr), 2;
	}
	if (email == NULL || name == NULL || role_from_name(role) == ROLE_NONE ||
	    !email_valid(email) || strlen(name) == 0 || strlen(name) > NAME_MAX_BYTES) {
		fputs(usage_user, stderr);
		return 2;
	}
	char password[1024], hash[PWHASH_MAX];
	if (read_password(password, sizeof password) != 0) {
		fprintf(stderr,
			"nextstage: the password (first line of stdin) must be at least "
			"%d bytes\n",
			PASSWORD_MIN);
		return 2;
	}
	if (setup(2) != 0 || migrate() != 0)
		return 1;
	if (crypto_password_hash(password, hash, sizeof hash) != 0)
		return fputs("nextstage: cannot hash the password\n", stderr), 1;
	struct user u;
	enum db_status s = db_user_create(NULL, email, name, role_from_name(role), board, hash, &u);
	db_thread_done();
	if (s == DB_CONFLICT) {
		fprintf(stderr, "nextstage: a user with email %s exists\n", email);
		return 1;
	}
	if (s != DB_OK) {
		fprintf(stderr, "nextstage: could not create the user (database error)\n");
		return 1;
	}
	printf("created %s %s (%s%s)\n", u.id, u.email, role_name(u.role),
	       u.board ? ", board" : "");
	return 0;
}

static int cmd_token_create(int argc, char **argv)
{
	static const struct option opts[] = {{"email", required_argument, NULL, 'e'},
					     {"name", required_argument, NULL, 'n'},
					     {NULL, 0, NULL, 0}};
	const char *email = NULL, *name = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'e')
			email = optarg;
		else if (c == 'n')
			name = optarg;
		else
			return fputs(usage_token, stderr), 2;
	}
	if (email == NULL || name == NULL || strlen(name) == 0 || strlen(name) > NAME_MAX_BYTES)
		return fputs(usage_token, stderr), 2;
	if (setup(2) != 0)
		return 1;
	struct user u;
	char hash[PWHASH_MAX], token[sizeof "ns_" + TOKEN_CHARS], id[UUID_LEN + 1];
	unsigned char digest[32];
	enum db_status s = db_user_for_login(email, &u, hash);
	if (s == DB_OK) {
		crypto_token("ns_", token);
		crypto_sha256(token, strlen(token), digest);
		s = db_token_create(u.id, name, digest, id);
	}
	db_thread_done();
	if (s == DB_NOT_FOUND) {
		fprintf(stderr, "nextstage: no active user with email %s\n", email);
		return 1;
	}
	if (s != DB_OK) {
		fprintf(stderr, "nextstage: could not create the token (database error)\n");
		return 1;
	}
	printf("%s\n", token);
	return 0;
}

static int cmd_blobs_sweep(int argc, char **argv)
{
	static const struct option opts[] = {{"min-age", required_argument, NULL, 'a'},
					     {NULL, 0, NULL, 0}};
	unsigned age = 3600;
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'a' || config_parse_uint(optarg, 0, 1u << 30, &age) != 0)
			return fputs(usage_blobs, stderr), 2;
	}
	if (setup(2) != 0)
		return 1;
	long removed = 0;
	enum db_status s = db_blob_sweep((int)age, &removed);
	db_thread_done();
	if (s != DB_OK) {
		fprintf(stderr, "nextstage: the sweep failed (database error)\n");
		return 1;
	}
	printf("removed %ld unreferenced blobs\n", removed);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(usage_main, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "extract") == 0) /* the sandboxed child of extract_run */
		return extract_child_main(argc, argv, NULL);
	if (strcmp(cmd, "serve") == 0) {
		if (wants_help(argc, argv))
			return fputs(usage_serve, stdout), 0;
		return cmd_serve(argc - 1, argv + 1);
	}
	if (strcmp(cmd, "migrate") == 0) {
		if (wants_help(argc, argv))
			return fputs(usage_migrate, stdout), 0;
		return cmd_migrate();
	}
	if (strcmp(cmd, "user") == 0 || strcmp(cmd, "token") == 0) {
		int user = cmd[0] == 'u';
		const char *sub = user ? "add" : "create";
		if (wants_help(argc, argv))
			return fputs(user ? usage_user : usage_token, stdout), 0;
		if (argc < 3 || strcmp(argv[2], sub) != 0)
			return fputs(user ? usage_user : usage_token, stderr), 2;
		return user ? cmd_user_add(argc - 2, argv + 2)
			    : cmd_token_create(argc - 2, argv + 2);
	}
	if (strcmp(cmd, "blobs") == 0) {
		if (wants_help(argc, argv))
			return fputs(usage_blobs, stdout), 0;
		if (argc < 3 || strcmp(argv[2], "sweep") != 0)
			return fputs(usage_blobs, stderr), 2;
		return cmd_blobs_sweep(argc - 2, argv + 2);
	}
	fprintf(stderr, "nextstage: unknown command '%s'\n\n%s", cmd, usage_main);
	return 2;
}
