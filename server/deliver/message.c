/* What deliveries send: the webhook's signature and the e-mail's message
 * (deliver.h). No network, no database. */
#include "deliver.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* A growing string; @failed once memory ran out. */
struct buf {
	char *s;
	size_t len, cap;
	bool failed;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *p = realloc(b->s, cap);
		if (p == NULL) {
			b->failed = true;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* @s without CR or LF (a header's value can't be made to end early). */
static void put_line(struct buf *b, const char *s)
{
	for (size_t n; *s != '\0'; s += n) {
		n = strcspn(s, "\r\n");
		put(b, s, n);
		if (s[n] != '\0') {
			put(b, " ", 1);
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
static void put_encoded(struct buf *b, const char *s)
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
			puts_(b, "\r\n ");
		puts_(b, "=?UTF-8?B?");
		puts_(b, b64);
		puts_(b, "?=");
		at += n;
	}
}

/* A header's text: as is when plain ASCII, else encoded; never a CR/LF. */
static void put_text(struct buf *b, const char *s)
{
	struct buf line = {0};
	put_line(&line, s);
	if (line.failed)
		b->failed = true;
	else if (line.s == NULL)
		;
	else if (is_ascii_word(line.s) && strlen(line.s) < 900)
		puts_(b, line.s);
	else
		put_encoded(b, line.s);
	free(line.s);
}

char *deliver_mail(const char *from, const char *to, const char *name, const char *subject,
		   const char *text, const char *event_id, long long when)
{
	struct buf b = {0};
	char date[64];
	time_t t = (time_t)when;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	puts_(&b, "Date: ");
	puts_(&b, date);
	puts_(&b, "\r\nFrom: nextstage <");
	put_line(&b, from);
	puts_(&b, ">\r\nTo: ");
	if (name != NULL && *name != '\0') {
		put_encoded(&b, name);
		puts_(&b, " ");
	}
	puts_(&b, "<");
	put_line(&b, to);
	puts_(&b, ">\r\nSubject: ");
	put_text(&b, subject && *subject ? subject : "nextstage");
	puts_(&b, "\r\nMessage-ID: <");
	put_line(&b, event_id);
	puts_(&b, "@nextstage>\r\nMIME-Version: 1.0\r\n"
		  "Content-Type: text/plain; charset=utf-8\r\n"
		  "Content-Transfer-Encoding: base64\r\n"
		  "Auto-Submitted: auto-generated\r\n\r\n");
	size_t len = strlen(text);
	char line[80];
	for (size_t at = 0; at < len; at += 57) { /* 57 bytes: 76 characters */
		size_t n = len - at < 57 ? len - at : 57;
		sodium_bin2base64(line, sizeof line, (const unsigned char *)text + at, n,
				  sodium_base64_VARIANT_ORIGINAL);
		puts_(&b, line);
		puts_(&b, "\r\n");
	}
	if (b.failed) {
		free(b.s);
		return NULL;
	}
	return b.s;
}
