/* The delivery worker (deliver.h): one thread running many transfers at
 * once with libcurl's multi interface. It claims due deliveries (leased,
 * so another server, or this one after a crash, sends them again only
 * once the lease is over), starts a transfer for each, and settles each
 * as it ends: a 2xx (or the relay's acceptance) delivers it; anything
 * else (refused, timed out, an error status, a redirect, which is never
 * followed) holds its target for a growing backoff. Every few seconds it
 * sweeps: deliveries past the retry window are parked as failed, old
 * delivered ones deleted, digests queued. */
#include "deliver.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "db_outbox.h"
#include "log.h"

#define IN_FLIGHT_MAX	 64   /* transfers at once */
#define PER_TARGET_MAX	 16   /* of them to one receiver */
#define IDLE_POLL_MS	 1000 /* a look for new deliveries when idle */
#define SWEEP_EVERY_S	 5
#define BACKOFF_BASE_S	 1.0
#define BACKOFF_MAX_S	 900.0
#define KEEP_DELIVERED_S (7 * 86400.0)
#define ERROR_MAX	 300

struct flight {
	struct outbox_claim c;
	CURL *easy;
	struct curl_slist *headers, *rcpt;
	char *mail;	/* the e-mail being uploaded */
	size_t mail_at; /* bytes of it sent */
	char *unsealed; /* the webhook's secret, opened */
	char err[CURL_ERROR_SIZE];
	bool ok; /* how the try went, once it ended */
	long status;
	char why[ERROR_MAX];
};

static pthread_t thread;
static CURLM *multi;
static struct flight *flights[IN_FLIGHT_MAX]; /* the worker thread's */
static atomic_bool stopping;
static bool running;
static atomic_ulong delivered, failed_tries, parked;
static atomic_uint in_flight;

void deliver_stats(struct deliver_stats *out)
{
	out->delivered = atomic_load(&delivered);
	out->failed_tries = atomic_load(&failed_tries);
	out->parked = atomic_load(&parked);
	out->in_flight = atomic_load(&in_flight);
}

static size_t discard(char *p, size_t size, size_t n, void *cls)
{
	(void)p;
	(void)cls;
	return size * n;
}

static size_t read_mail(char *p, size_t size, size_t n, void *cls)
{
	struct flight *f = cls;
	size_t left = strlen(f->mail + f->mail_at), room = size * n;
	size_t k = left < room ? left : room;
	memcpy(p, f->mail + f->mail_at, k);
	f->mail_at += k;
	return k;
}

static void flight_free(struct flight *f)
{
	if (f->easy != NULL) {
		curl_multi_remove_handle(multi, f->easy);
		curl_easy_cleanup(f->easy);
	}
	curl_slist_free_all(f->headers);
	curl_slist_free_all(f->rcpt);
	free(f->mail);
	if (f->unsealed != NULL) {
		crypto_wipe(f->unsealed, strlen(f->unsealed));
		free(f->unsealed);
	}
	db_outbox_claim_clear(&f->c);
	free(f);
}

/* Keeps @f among the flights (there is room: claims are bounded). */
static void track(struct flight *f, bool on)
{
	for (size_t i = 0; i < IN_FLIGHT_MAX; i++)
		if (flights[i] == (on ? NULL : f)) {
			flights[i] = on ? f : NULL;
			atomic_fetch_add(&in_flight, on ? 1 : -1);
			return;
		}
}

/* The secret a webhook signs with: as stored, or opened. */
static bool secret_of(struct flight *f, const unsigned char **key, size_t *len)
{
	if (!f->c.sealed) {
		*key = f->c.secret;
		*len = f->c.secret_len;
		return f->c.secret != NULL;
	}
	if (!config.has_secret_key || f->c.secret_len < CRYPTO_SEAL_OVERHEAD)
		return false;
	f->unsealed = malloc(f->c.secret_len - CRYPTO_SEAL_OVERHEAD + 1);
	if (f->unsealed == NULL ||
	    !crypto_open(config.secret_key, f->c.secret, f->c.secret_len, f->unsealed))
		return false;
	*key = (const unsigned char *)f->unsealed;
	*len = strlen(f->unsealed);
	return true;
}

static bool add_header(struct flight *f, const char *name, const char *value)
{
	char line[512];
	snprintf(line, sizeof line, "%s: %s", name, value);
	struct curl_slist *l = curl_slist_append(f->headers, line);
	if (l != NULL)
		f->headers = l;
	return l != NULL;
}

/* Sets up @f's webhook post; false (with @why) when it can't be sent. */
static bool setup_post(struct flight *f, const char **why)
{
	const unsigned char *key;
	size_t keylen;
	if (!secret_of(f, &key, &keylen)) {
		*why = "the webhook's secret can't be opened (was NEXTSTAGE_SECRET_KEY changed?)";
		return false;
	}
	long long now = (long long)time(NULL);
	char ts[24], sig[DELIVER_SIGNATURE_LEN + 1];
	snprintf(ts, sizeof ts, "%lld", now);
	deliver_signature(key, keylen, now, f->c.body, sig);
	*why = "out of memory";
	if (!add_header(f, "Content-Type", "application/json") || !add_header(f, "Expect", "") ||
	    !add_header(f, "X-Nextstage-Event", f->c.kind) ||
	    !add_header(f, "X-Nextstage-Event-Id", f->c.event_id) ||
	    !add_header(f, "X-Nextstage-Timestamp", ts) ||
	    !add_header(f, "X-Nextstage-Signature", sig))
		return false;
	CURL *e = f->easy;
	curl_easy_setopt(e, CURLOPT_URL, f->c.url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, f->headers);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, f->c.body);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "nextstage-webhooks/1");
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
	return true;
}

/* Sets up @f's e-mail; false (with @why) when it can't be sent. */
static bool setup_mail(struct flight *f, const char **why)
{
	*why = "the user has no e-mail address";
	if (f->c.email_to == NULL)
		return false;
	char *text = NULL;
	*why = "out of memory";
	if (asprintf(&text,
		     "%s\n\nOpen nextstage: %s/app/\n\n-- \nYou get these e-mails because of your "
		     "notification settings in nextstage (your account: %s/app/account).\n",
		     f->c.text ? f->c.text : "", config.public_url, config.public_url) < 0)
		return false;
	f->mail = deliver_mail(config.smtp_from, f->c.email_to, f->c.email_name, f->c.subject, text,
			       f->c.event_id, f->c.created);
	free(text);
	char to[300], from[300];
	snprintf(to, sizeof to, "<%s>", f->c.email_to);
	snprintf(from, sizeof from, "<%s>", config.smtp_from);
	if (f->mail == NULL || (f->rcpt = curl_slist_append(NULL, to)) == NULL)
		return false;
	CURL *e = f->easy;
	curl_easy_setopt(e, CURLOPT_URL, config.smtp_url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(e, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
	curl_easy_setopt(e, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(e, CURLOPT_MAIL_RCPT, f->rcpt);
	curl_easy_setopt(e, CURLOPT_READFUNCTION, read_mail);
	curl_easy_setopt(e, CURLOPT_READDATA, f);
	curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
	return true;
}

/* Records how the tries of the @n flights @fs went (their outcome set),
 * all in one commit, then lets them go. */
static void settle(struct flight **fs, size_t n)
{
	struct outbox_outcome o[IN_FLIGHT_MAX] = {0};
	for (size_t i = 0; i < n; i++) {
		struct flight *f = fs[i];
		o[i] = (struct outbox_outcome){f->c.id, f->c.target, f->why, (int)f->status, f->ok};
		if (f->ok)
			atomic_fetch_add(&delivered, 1);
		else {
			atomic_fetch_add(&failed_tries, 1);
			log_msg("warn", "delivery %lld (%s) to %s failed: %s", f->c.id, f->c.kind,
				f->c.url ? f->c.url : "the SMTP relay", f->why);
		}
	}
	if (db_outbox_settle(o, n, BACKOFF_BASE_S, BACKOFF_MAX_S) != DB_OK)
		log_msg("warn",
			"%zu deliveries: their outcome was not recorded (sent again after their"
			" lease)",
			n);
	for (size_t i = 0; i < n; i++) {
		track(fs[i], false);
		flight_free(fs[i]);
	}
}

/* Starts claimed delivery @c (what it holds is taken); settles it at once
 * when it can't. */
static void start(struct outbox_claim *c)
{
	struct flight *f = calloc(1, sizeof *f);
	if (f == NULL) {
		db_outbox_claim_clear(c);
		return; /* the lease runs out: sent later */
	}
	f->c = *c;
	const char *why = "out of memory";
	bool ok = (f->easy = curl_easy_init()) != NULL;
	if (ok) {
		CURL *e = f->easy;
		curl_easy_setopt(e, CURLOPT_PRIVATE, f);
		curl_easy_setopt(e, CURLOPT_ERRORBUFFER, f->err);
		curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)config.webhook_timeout_s * 1000);
		curl_easy_setopt(
		    e, CURLOPT_CONNECTTIMEOUT_MS,
		    (long)(config.webhook_timeout_s < 5 ? config.webhook_timeout_s : 5) * 1000);
		ok = f->c.url != NULL ? setup_post(f, &why) : setup_mail(f, &why);
	}
	if (ok && curl_multi_add_handle(multi, f->easy) == CURLM_OK) {
		track(f, true);
		return;
	}
	snprintf(f->why, sizeof f->why, "%s", why);
	settle(&f, 1);
}

/* Sets @f's outcome from its transfer's result @rc. */
static void outcome(struct flight *f, CURLcode rc)
{
	curl_easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &f->status);
	f->ok = false;
	if (rc != CURLE_OK) {
		snprintf(f->why, ERROR_MAX, "%s", *f->err ? f->err : curl_easy_strerror(rc));
		return;
	}
	if (f->c.url == NULL || (f->status >= 200 && f->status < 300)) {
		f->ok = true; /* a 2xx, or the relay took it */
		return;
	}
	char *location = NULL;
	curl_easy_getinfo(f->easy, CURLINFO_REDIRECT_URL, &location);
	if (f->status >= 300 && f->status < 400)
		snprintf(f->why, ERROR_MAX, "answered %ld, a redirect to %s (not followed)",
			 f->status, location ? location : "nowhere");
	else
		snprintf(f->why, ERROR_MAX, "answered %ld", f->status);
}

/* Settles the transfers that ended, together; returns how many. */
static size_t finish_done(void)
{
	struct flight *ended[IN_FLIGHT_MAX];
	size_t n = 0;
	CURLMsg *m;
	int left;
	while (n < IN_FLIGHT_MAX && (m = curl_multi_info_read(multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		struct flight *f = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&f);
		outcome(f, m->data.result);
		ended[n++] = f;
	}
	settle(ended, n);
	return n;
}

static void sweep(void)
{
	long long n = 0;
	if (db_outbox_sweep(config.delivery_retry_s, KEEP_DELIVERED_S, config.digest_every_s, &n) !=
	    DB_OK)
		log_msg("warn", "the outbox was not swept (the database is away?)");
	if (n > 0) {
		atomic_fetch_add(&parked, (unsigned long)n);
		log_msg("warn", "%lld deliveries were parked as failed after %u s of tries", n,
			config.delivery_retry_s);
	}
}

static void claim(void)
{
	unsigned busy = atomic_load(&in_flight);
	if (busy >= IN_FLIGHT_MAX)
		return;
	struct outbox_claim *c;
	size_t n;
	double lease = config.webhook_timeout_s + 5.0; /* the transfer, then its outcome */
	if (db_outbox_claim((int)(IN_FLIGHT_MAX - busy), PER_TARGET_MAX, config.smtp_url != NULL,
			    lease, &c, &n) != DB_OK)
		return;
	for (size_t i = 0; i < n; i++)
		start(&c[i]);
	free(c);
}

/* Gives back what is in flight at a stop, due again at once. */
static void abandon(void)
{
	for (size_t i = 0; i < IN_FLIGHT_MAX; i++) {
		struct flight *f = flights[i];
		if (f == NULL)
			continue;
		if (db_outbox_release(f->c.id) != DB_OK)
			log_msg("warn",
				"delivery %lld: not given back (sent again after its lease)",
				f->c.id);
		track(f, false);
		flight_free(f);
	}
}

/* The loop: claims when a transfer has ended (a target may take more)
 * or, when nothing ended, once every IDLE_POLL_MS (new events). */
static void *run(void *unused)
{
	(void)unused;
	time_t next_sweep = 0;
	struct timespec last = {0};
	bool ended = true;
	while (!atomic_load(&stopping)) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long idle_ms =
		    (now.tv_sec - last.tv_sec) * 1000 + (now.tv_nsec - last.tv_nsec) / 1000000;
		if (ended || idle_ms >= IDLE_POLL_MS) {
			claim();
			last = now;
		}
		int still;
		curl_multi_perform(multi, &still);
		ended = finish_done() > 0;
		if (time(NULL) >= next_sweep) {
			sweep();
			next_sweep = time(NULL) + SWEEP_EVERY_S;
		}
		if (!ended)
			curl_multi_poll(multi, NULL, 0, IDLE_POLL_MS, NULL);
	}
	abandon();
	db_thread_done();
	return NULL;
}

int deliver_start(void)
{
	if ((multi = curl_multi_init()) == NULL)
		return -1;
	atomic_store(&stopping, false);
	if (pthread_create(&thread, NULL, run, NULL) != 0) {
		curl_multi_cleanup(multi);
		return -1;
	}
	running = true;
	return 0;
}

void deliver_stop(void)
{
	if (!running)
		return;
	atomic_store(&stopping, true);
	curl_multi_wakeup(multi);
	pthread_join(thread, NULL);
	curl_multi_cleanup(multi);
	running = false;
}
