/* What deliveries send: the webhook's signature and the e-mail's message
 * (deliver.h). No network, no database. */
#include "deliver.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "strbuf.h"

void deliver_signature(const unsigned char *secret, size_t secret_len, long long timestamp,
		       const char *body, char out[DELIVER_SIGNATURE_LEN + 1])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	char ts[24];
	int n = snprintf(ts, sizeof ts, "%lld.", timestamp);
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, secret, secret_len);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, (size_t)n);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, strlen(body));
	crypto_auth_hmacsha256_final(&st, mac);
	memcpy(out, "sha256=", 7);
	sodium_bin2hex(out + 7, 65, mac, sizeof mac);
}

/* @s without CR or LF (a header's value can't be made to end early). */
static void put_line(struct strbuf *b, const char *s)
{
	for (size_t n; *s != '\0'; s += n) {
		n = strcspn(s, "\r\n");
		sb_put(b, s, n);
		if (s[n] != '\0') {
			sb_puts(b, " ");
			n++;
		}
	}
}

static bool is_ascii_word(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

/* @s as RFC 2047 encoded words (UTF-8, base64), each under 76 characters,
 * split between characters, folded onto continuation lines. */
static void put_encoded(struct strbuf *b, const char *s)
{
	size_t len = strlen(s), at = 0;
	while (at < len) {
		size_t n = len - at < 45 ? len - at : 45;
		while (at + n < len && ((unsigned char)s[at + n] & 0xc0) == 0x80)
			n--; /* not inside a UTF-8 sequence */
		char b64[64];
		sodium_bin2base64(b64, sizeof b64, (const unsigned char *)s + at, n,
				  sodium_base64_VARIANT_ORIGINAL);
		if (at > 0)
			sb_puts(b, "\r\n ");
		sb_puts(b, "=?UTF-8?B?");
		sb_puts(b, b64);
		sb_puts(b, "?=");
		at += n;
	}
}

/* A header's text: as is when plain ASCII, else encoded; never a CR/LF. */
static void put_text(struct strbuf *b, const char *s)
{
	struct strbuf line = {0};
	put_line(&line, s);
	if (line.failed)
		b->failed = true;
	else if (line.s == NULL)
		;
	else if (is_ascii_word(line.s) && strlen(line.s) < 900)
		sb_puts(b, line.s);
	else
		put_encoded(b, line.s);
	free(line.s);
}

char *deliver_mail(const char *from, const char *to, const char *name, const char *subject,
		   const char *text, const char *event_id, long long when)
{
	struct strbuf b = {0};
	char date[64];
	time_t t = (time_t)when;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	sb_puts(&b, "Date: ");
	sb_puts(&b, date);
	sb_puts(&b, "\r\nFrom: nextstage <");
	put_line(&b, from);
	sb_puts(&b, ">\r\nTo: ");
	if (name != NULL && *name != '\0') {
		put_encoded(&b, name);
		sb_puts(&b, " ");
	}
	sb_puts(&b, "<");
	put_line(&b, to);
	sb_puts(&b, ">\r\nSubject: ");
	put_text(&b, subject && *subject ? subject : "nextstage");
	sb_puts(&b, "\r\nMessage-ID: <");
	put_line(&b, event_id);
	sb_puts(&b, "@nextstage>\r\nMIME-Version: 1.0\r\n"
		    "Content-Type: text/plain; charset=utf-8\r\n"
		    "Content-Transfer-Encoding: base64\r\n"
		    "Auto-Submitted: auto-generated\r\n\r\n");
	size_t len = strlen(text);
	char line[80];
	for (size_t at = 0; at < len; at += 57) { /* 57 bytes: 76 characters */
		size_t n = len - at < 57 ? len - at : 57;
		sodium_bin2base64(line, sizeof line, (const unsigned char *)text + at, n,
				  sodium_base64_VARIANT_ORIGINAL);
		sb_puts(&b, line);
		sb_puts(&b, "\r\n");
	}
	return sb_take(&b, NULL);
}
