/* A minimal unit-test harness: CHECK records a failure and goes on;
 * each TEST prints "ok - name" or "not ok - name" (counted by make test). */
#ifndef NS_HARNESS_H
#define NS_HARNESS_H
#include <stdio.h>
#include <string.h>

static int harness_failures, harness_case_failed;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			printf("  # %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);        \
			harness_case_failed = 1;                                                   \
		}                                                                                  \
	} while (0)

#define CHECK_STR(a, b)                                                                            \
	do {                                                                                       \
		const char *a_ = (a), *b_ = (b);                                                   \
		if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0) {                             \
			printf("  # %s:%d: \"%s\" != \"%s\"\n", __FILE__, __LINE__,                \
			       a_ ? a_ : "(null)", b_ ? b_ : "(null)");                            \
			harness_case_failed = 1;                                                   \
		}                                                                                  \
	} while (0)

#define TEST(fn)                                                                                   \
	do {                                                                                       \
		harness_case_failed = 0;                                                           \
		fn();                                                                              \
		printf("%s - %s\n", harness_case_failed ? "not ok" : "ok", #fn);                   \
		harness_failures += harness_case_failed;                                           \
	} while (0)

#define HARNESS_EXIT() (harness_failures ? 1 : 0)

#endif
