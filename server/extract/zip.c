/* Parts of Office and OpenDocument files (ZIP archives), out of memory
 * with libzip. A ZIP bomb is stopped while it inflates: the archive's
 * declared sizes are never believed, only the bytes inflated so far are
 * counted, against unzip_bytes for the whole file and unzip_ratio times
 * its compressed size for one part. */
#include "extract_internal.h"

#include <stdlib.h>
#include <string.h>
#include <zip.h>

/* Small parts of real files compress far better than 100 times (the
 * ratio Apache POI checks too): the ratio is checked once a part has
 * inflated past this. */
#define RATIO_GRACE (4 * 1024 * 1024)

int ex_zip_open(struct ex_zip *z, struct ex_out *o, const void *data, size_t len)
{
	memset(z, 0, sizeof *z);
	z->o = o;
	z->len = len;
	zip_error_t err;
	zip_error_init(&err);
	zip_source_t *src = zip_source_buffer_create(data, len, 0, &err);
	zip_t *zip = src ? zip_open_from_source(src, ZIP_RDONLY, &err) : NULL;
	zip_error_fini(&err);
	if (zip == NULL) {
		if (src != NULL)
			zip_source_free(src);
		return ex_stop(o, EXTRACT_FAILED, "It is not a valid Office file (a damaged ZIP).");
	}
	z->z = zip;
	return 0;
}

bool ex_zip_has(struct ex_zip *z, const char *name)
{
	return zip_name_locate(z->z, name, 0) >= 0;
}

static int too_large(struct ex_zip *z, const char *name, size_t inflated)
{
	char size[32];
	if (z->total + inflated > z->o->l->unzip_bytes) {
		ex_size_str(z->o->l->unzip_bytes, size, sizeof size);
		return ex_stop(z->o, EXTRACT_TOO_LARGE, "It unzips to more than %s.", size);
	}
	return ex_stop(z->o, EXTRACT_TOO_LARGE,
		       "Its part %s inflates to more than %u times its size (a ZIP bomb?).", name,
		       z->o->l->unzip_ratio);
}

int ex_zip_read(struct ex_zip *z, const char *name, char **buf, size_t *len)
{
	*buf = NULL;
	*len = 0;
	if (z->o->stopped)
		return -1;
	zip_int64_t idx = zip_name_locate(z->z, name, 0);
	if (idx < 0)
		return 1;
	zip_stat_t st;
	if (zip_stat_index(z->z, (zip_uint64_t)idx, 0, &st) != 0)
		return ex_stop(z->o, EXTRACT_FAILED, "Its part %s cannot be read.", name);
	size_t comp =
	    (st.valid & ZIP_STAT_COMP_SIZE) && st.comp_size < z->len ? st.comp_size : z->len;
	if (comp == 0)
		comp = 1;
	zip_file_t *f = zip_fopen_index(z->z, (zip_uint64_t)idx, 0);
	if (f == NULL) {
		int ze = zip_error_code_zip(zip_get_error(z->z));
		if (ze == ZIP_ER_NOPASSWD || ze == ZIP_ER_WRONGPASSWD)
			return ex_stop(z->o, EXTRACT_ENCRYPTED, "It is password-protected.");
		return ex_stop(z->o, EXTRACT_FAILED, "Its part %s cannot be unzipped.", name);
	}
	size_t cap = 64 * 1024, n = 0;
	char *p = malloc(cap + 1);
	if (p == NULL)
		ex_oom();
	for (;;) {
		if (n == cap) {
			cap *= 2;
			p = realloc(p, cap + 1);
			if (p == NULL)
				ex_oom();
		}
		zip_int64_t r = zip_fread(f, p + n, cap - n);
		if (r < 0) {
			zip_fclose(f);
			free(p);
			return ex_stop(z->o, EXTRACT_FAILED, "Its part %s is damaged.", name);
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (z->total + n > z->o->l->unzip_bytes ||
		    (n > RATIO_GRACE && n / comp >= z->o->l->unzip_ratio)) {
			zip_fclose(f);
			free(p);
			return too_large(z, name, n);
		}
	}
	zip_fclose(f);
	z->total += n;
	p[n] = '\0';
	*buf = p;
	*len = n;
	return 0;
}

/* Office writes docProps/thumbnail.jpeg (when asked to save a preview),
 * OpenDocument Thumbnails/thumbnail.png; the bytes say which it is. */
void ex_zip_thumb(struct ex_zip *z)
{
	static const char *const parts[] = {"Thumbnails/thumbnail.png", "docProps/thumbnail.jpeg",
					    "docProps/thumbnail.png"};
	for (size_t i = 0; i < sizeof parts / sizeof parts[0] && !z->o->thumb; i++) {
		char *buf;
		size_t len;
		if (ex_zip_read(z, parts[i], &buf, &len) != 0)
			continue;
		static const unsigned char png[] = {0x89, 'P', 'N', 'G'}, jpeg[] = {0xff, 0xd8};
		const unsigned char *u = (const unsigned char *)buf;
		bool is_png = len > 4 && memcmp(u, png, 4) == 0;
		bool is_jpeg = len > 2 && memcmp(u, jpeg, 2) == 0;
		if (is_png || is_jpeg)
			ex_thumb(z->o, is_png ? "image/png" : "image/jpeg", buf, len);
		free(buf);
	}
}

void ex_zip_close(struct ex_zip *z)
{
	if (z->z != NULL)
		zip_discard(z->z);
	z->z = NULL;
}
