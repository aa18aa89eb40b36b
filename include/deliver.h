/* The delivery worker: posts the outbox's webhook deliveries and mails
 * its e-mails (db_outbox.h), many at once, off the request threads, so a
 * receiver that is down, slow or failing holds back only itself. */
#ifndef NS_DELIVER_H
#define NS_DELIVER_H
#include <stddef.h>
#include <stdint.h>

/* Starts the worker thread. Returns 0, or -1 if it can't start. Call
 * after curl_global_init. */
int deliver_start(void);
/* Stops it: transfers in flight are abandoned and left due at once (a
 * receiver may so get an event twice, with the same id). */
void deliver_stop(void);

/* Counters for /metrics. */
struct deliver_stats {
	unsigned long delivered, failed_tries, parked;
	unsigned in_flight;
};
void deliver_stats(struct deliver_stats *out);

/* The signature header's value for a body sent at @timestamp (Unix
 * seconds) under @secret: "sha256=" and the lowercase hex HMAC-SHA256 of
 * "<timestamp>.<body>" (DELIVER_SIGNATURE_LEN characters and a NUL). */
#define DELIVER_SIGNATURE_LEN (7 + 64)
void deliver_signature(const unsigned char *secret, size_t secret_len, long long timestamp,
		       const char *body, char out[DELIVER_SIGNATURE_LEN + 1]);

/* An e-mail as sent (RFC 5322, UTF-8 text in base64) from @from to @to
 * (@name, may be NULL), with @subject and @text, Message-ID from
 * @event_id, dated @when; malloc'd, NULL when out of memory. */
char *deliver_mail(const char *from, const char *to, const char *name, const char *subject,
		   const char *text, const char *event_id, long long when);

#endif
