/* What deliveries send (server/deliver/message.c): the webhook signature a
 * receiver checks, and e-mails that a mail reader decodes as written. */
#include <sodium.h>
#include <stdlib.h>
#include "deliver.h"
#include "harness.h"

static void the_signature_is_hmac_of_timestamp_dot_body(void)
{
	/* RFC 4231 test case 2's key and data: "what do ya want for nothing?"
	 * is "<timestamp>.<body>" with timestamp "what do ya want for
	 * nothing" ... so build the same bytes from a timestamp and a body. */
	char sig[DELIVER_SIGNATURE_LEN + 1];
	deliver_signature((const unsigned char *)"Jefe", 4, 1796360892, "{\"id\":1}", sig);
	unsigned char mac[32];
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)"Jefe", 4);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)"1796360892.{\"id\":1}", 19);
	crypto_auth_hmacsha256_final(&st, mac);
	char hex[65];
	sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
	CHECK(strncmp(sig, "sha256=", 7) == 0);
	CHECK_STR(sig + 7, hex);
	CHECK(strlen(sig) == DELIVER_SIGNATURE_LEN);
	/* another body, another signature */
	char other[DELIVER_SIGNATURE_LEN + 1];
	deliver_signature((const unsigned char *)"Jefe", 4, 1796360892, "{\"id\":2}", other);
	CHECK(strcmp(sig, other) != 0);
}

/* The text between "@name: " and the line's end in @mail, malloc'd. */
static char *header(const char *mail, const char *name)
{
	const char *at = strstr(mail, name);
	if (at == NULL)
		return NULL;
	at += strlen(name);
	size_t n = strcspn(at, "\r");
	char *out = malloc(n + 1);
	memcpy(out, at, n);
	out[n] = '\0';
	return out;
}

/* Decodes the base64 body after the blank line. */
static char *body_of(const char *mail)
{
	const char *at = strstr(mail, "\r\n\r\n");
	CHECK(at != NULL);
	size_t len = strlen(at + 4);
	char *b64 = malloc(len + 1), *o = b64;
	for (const char *p = at + 4; *p; p++)
		if (*p != '\r' && *p != '\n')
			*o++ = *p;
	*o = '\0';
	unsigned char *out = malloc(len + 1);
	size_t n = 0;
	CHECK(sodium_base642bin(out, len, b64, strlen(b64), NULL, &n, NULL,
				sodium_base64_VARIANT_ORIGINAL) == 0);
	out[n] = '\0';
	free(b64);
	return (char *)out;
}

static void a_plain_mail_has_its_headers_and_its_text(void)
{
	char *m = deliver_mail("nextstage@example.test", "rita@example.test", "Rita Rep",
			       "Dana opened Guide", "Dana opened Guide: read 6 of 12 pages",
			       "6c56f98c-7375-4de9-870b-b2b24ba1fd97", 1796360892);
	CHECK(m != NULL);
	char *to = header(m, "\r\nTo: "), *subject = header(m, "\r\nSubject: ");
	CHECK_STR(subject, "Dana opened Guide");
	CHECK(strstr(to, "<rita@example.test>") != NULL);
	CHECK(strstr(m, "Message-ID: <6c56f98c-7375-4de9-870b-b2b24ba1fd97@nextstage>\r\n") !=
	      NULL);
	CHECK(strstr(m, "Date: Fri, 04 Dec 2026 ") == m);
	char *text = body_of(m);
	CHECK_STR(text, "Dana opened Guide: read 6 of 12 pages");
	free(to);
	free(subject);
	free(text);
	free(m);
}

static void a_subject_can_not_add_headers_and_utf8_is_encoded_whole(void)
{
	/* A title with a line break (a header injection) and 40 "é" (80 bytes:
	 * more than one encoded word, split between characters). */
	char subject[200] = "Guide\r\nBcc: everyone@example.test ";
	for (int i = 0; i < 40; i++)
		strcat(subject, "\xc3\xa9");
	char *m = deliver_mail("n@example.test", "r@example.test", "Jürgen", subject, "x", "id", 0);
	CHECK(m != NULL);
	CHECK(strstr(m, "\r\nBcc:") == NULL);
	char *s = strstr(m, "\r\nSubject: ") + 11;
	CHECK(strncmp(s, "=?UTF-8?B?", 10) == 0);
	/* every encoded word decodes to whole characters */
	int words = 0;
	for (const char *w = strstr(s, "=?UTF-8?B?"); w != NULL && w < strstr(s, "\r\nMessage-ID");
	     w = strstr(w + 1, "=?UTF-8?B?")) {
		const char *end = strstr(w + 10, "?=");
		unsigned char out[64];
		size_t n = 0;
		CHECK(sodium_base642bin(out, sizeof out, w + 10, (size_t)(end - w - 10), NULL, &n,
					NULL, sodium_base64_VARIANT_ORIGINAL) == 0);
		CHECK((out[0] & 0xc0) != 0x80); /* not a continuation byte first */
		CHECK(end - w + 2 <= 75);	/* RFC 2047: 75 characters at most */
		words++;
	}
	CHECK(words >= 2);
	free(m);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	TEST(the_signature_is_hmac_of_timestamp_dot_body);
	TEST(a_plain_mail_has_its_headers_and_its_text);
	TEST(a_subject_can_not_add_headers_and_utf8_is_encoded_whole);
	return HARNESS_EXIT();
}
