/* The bot rules (include/bots.h): a request's method and User-Agent, as
 * the tracked links and the viewer's beacons classify them. The input:
 * the method up to the first LF, then the User-Agent (up to a NUL, as
 * the server hands it over).
 *
 * bot_reason and ua_class lower a User-Agent of under 1 KiB into a buffer
 * of their own and a longer one into memory they take (it was searched in
 * place, case-insensitively, at 8 ms for 30 KB): both ways must give the
 * same answer, so the User-Agent is classified again made longer than
 * 1 KiB by bytes that no rule holds (one input in four). A reason is a
 * non-empty sentence; ua_class is one of its five classes, "bot" exactly
 * for a bot. */
#include <stdbool.h>
#include <string.h>
#include "bots.h"
#include "fuzz.h"

#define LOWERED_MAX 1024 /* bots.c lowers shorter User-Agents on the stack */

static void check_class(const char *ua, const char *reason)
{
	static const char *const classes[] = {"bot", "mobile", "browser", "email_client", "other"};
	const char *c = ua_class(ua, reason);
	bool known = false;
	for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
		known = known || (c != NULL && strcmp(c, classes[i]) == 0);
	FUZZ_CHECK(known);
	FUZZ_CHECK((strcmp(c, "bot") == 0) == (reason != NULL));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *lf = memchr(data, '\n', size);
	if (lf == NULL)
		return 0;
	size_t mlen = (size_t)(lf - (const char *)data), ulen = size - mlen - 1;
	char *method = malloc(mlen + 1), *ua = malloc(ulen + 1);
	char *longer = malloc(ulen + LOWERED_MAX + 1);
	if (method == NULL || ua == NULL || longer == NULL)
		goto out;
	memcpy(method, data, mlen);
	method[mlen] = '\0';
	memcpy(ua, lf + 1, ulen);
	ua[ulen] = '\0';

	const char *reason = bot_reason(method, ua);
	FUZZ_CHECK(reason == NULL || *reason != '\0');
	if (strcmp(method, "HEAD") == 0 || *ua == '\0')
		FUZZ_CHECK(reason != NULL);
	FUZZ_CHECK(bot_reason(method, NULL) != NULL);
	check_class(ua, reason);
	check_class(NULL, NULL);

	/* Made longer, "" would be a User-Agent. The rules' 49 searches of
	 * over 1 KiB (and the fuzzer's hook on each) cost three times the
	 * rest: one input in four. */
	struct fuzz_digest d;
	fuzz_digest_init(&d);
	fuzz_digest_add(&d, data, size);
	size_t n = strlen(ua);
	if (n == 0 || (d.h & 3) != 0)
		goto out;
	memcpy(longer, ua, n);
	memset(longer + n, '\x01', LOWERED_MAX);
	longer[n + LOWERED_MAX] = '\0';
	const char *again = bot_reason(method, longer);
	FUZZ_CHECK(reason == NULL ? again == NULL : again != NULL && strcmp(reason, again) == 0);
	FUZZ_CHECK(strcmp(ua_class(ua, reason), ua_class(longer, again)) == 0);
out:
	free(method);
	free(ua);
	free(longer);
	return 0;
}
