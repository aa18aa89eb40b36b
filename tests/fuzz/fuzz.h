/* What the fuzz targets share (tests/fuzz/, README "Testing"): a check that
 * stops the run with a message when a property fails (libFuzzer keeps the
 * input that made it fail), a digest of what a parser handed out, and the
 * sizes to cut an input into when a streaming parser is fed piece by
 * piece. */
#ifndef NS_FUZZ_H
#define NS_FUZZ_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* libFuzzer's entry point, called once per input. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property that must hold for every input. */
#define FUZZ_CHECK(cond)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__,        \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* FNV-1a over what a parser handed out: the same events give the same
 * digest however the input was cut. */
struct fuzz_digest {
	uint64_t h;
};

static inline void fuzz_digest_init(struct fuzz_digest *d)
{
	d->h = 0xcbf29ce484222325u;
}

static inline void fuzz_digest_add(struct fuzz_digest *d, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++) {
		d->h ^= p[i];
		d->h *= 0x100000001b3u;
	}
}

/* A separator that no run of data bytes can imitate: a tag and a count. */
static inline void fuzz_digest_tag(struct fuzz_digest *d, char tag, uint64_t n)
{
	fuzz_digest_add(d, &tag, 1);
	fuzz_digest_add(d, &n, sizeof n);
}

/* The next piece size (1 to 64 bytes, a few of 1 to 4096) from @seed,
 * which it moves on: the same seed cuts an input the same way. */
static inline size_t fuzz_piece(uint32_t *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	uint32_t r = *seed >> 8;
	return (r & 0xf00) == 0xf00 ? 1 + (r & 0xfff) : 1 + (r & 0x3f);
}

#endif
