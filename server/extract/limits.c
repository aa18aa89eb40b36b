/* The extractor's limits (README, "Text and previews"), the statuses'
 * names, and freeing a result. */
#include "extract.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "extract_internal.h"
#include "log.h"

const char *extract_status_name(enum extract_status s)
{
	switch (s) {
	case EXTRACT_DONE:
		return "done";
	case EXTRACT_EMPTY:
		return "empty";
	case EXTRACT_ENCRYPTED:
		return "encrypted";
	case EXTRACT_TOO_LARGE:
		return "too_large";
	case EXTRACT_FAILED:
		return "failed";
	}
	return "failed";
}

/* An override: NEXTSTAGE_EXTRACT_<name> in [1, max] times @unit. */
static void env_size(const char *name, size_t unit, size_t max, size_t *out)
{
	char var[64];
	snprintf(var, sizeof var, "NEXTSTAGE_EXTRACT_%s", name);
	const char *s = getenv(var);
	if (s == NULL || *s == '\0')
		return;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || v < 1 || v > max) {
		log_msg("warn", "%s=%s is not a whole number from 1 to %zu: the default stays", var,
			s, max);
		return;
	}
	*out = (size_t)v * unit;
}

static void env_uint(const char *name, unsigned unit, unsigned max, unsigned *out)
{
	size_t v = *out / unit;
	env_size(name, 1, max, &v);
	*out = (unsigned)v * unit;
}

void extract_limits_default(struct extract_limits *l)
{
	const size_t mib = 1024 * 1024;
	*l = (struct extract_limits){
	    .cpu_s = 20,
	    .wall_ms = 30000,
	    .mem_bytes = 512 * mib,
	    .input_bytes = 200 * mib,
	    .text_bytes = 16 * mib,
	    .pages = 1000,
	    .unzip_bytes = 64 * mib,
	    .unzip_ratio = 100,
	    .thumb_bytes = 512 * 1024,
	    .thumb_width_px = 320,
	};
	env_uint("CPU_SECONDS", 1, 3600, &l->cpu_s);
	env_uint("SECONDS", 1000, 3600, &l->wall_ms);
	env_size("MEMORY_MB", mib, 65536, &l->mem_bytes);
	env_size("INPUT_MB", mib, 65536, &l->input_bytes);
	env_size("TEXT_MB", mib, 4096, &l->text_bytes);
	env_uint("PAGES", 1, 1000000, &l->pages);
	env_size("UNZIP_MB", mib, 65536, &l->unzip_bytes);
	env_uint("UNZIP_RATIO", 1, 1000000, &l->unzip_ratio);
	env_size("THUMB_KB", 1024, 65536, &l->thumb_bytes);
	env_uint("THUMB_WIDTH", 1, 4096, &l->thumb_width_px);
}

void ex_limits_encode(const struct extract_limits *l, char *out, size_t outlen)
{
	snprintf(out, outlen, "%u,%u,%zu,%zu,%zu,%u,%zu,%u,%zu,%u", l->cpu_s, l->wall_ms,
		 l->mem_bytes, l->input_bytes, l->text_bytes, l->pages, l->unzip_bytes,
		 l->unzip_ratio, l->thumb_bytes, l->thumb_width_px);
}

int ex_limits_decode(const char *s, struct extract_limits *l)
{
	if (s == NULL)
		return -1;
	return sscanf(s, "%u,%u,%zu,%zu,%zu,%u,%zu,%u,%zu,%u", &l->cpu_s, &l->wall_ms,
		      &l->mem_bytes, &l->input_bytes, &l->text_bytes, &l->pages, &l->unzip_bytes,
		      &l->unzip_ratio, &l->thumb_bytes, &l->thumb_width_px) == 10
		   ? 0
		   : -1;
}

void extract_result_clear(struct extract_result *r)
{
	for (unsigned i = 0; i < r->npages; i++)
		free(r->pages[i].text);
	free(r->pages);
	free(r->thumb);
	memset(r, 0, sizeof *r);
}
