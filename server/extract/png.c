/* A preview's PNG, written here rather than by cairo's writer: libpng
 * tries five filters on every row and zlib's default level is for
 * archives. Previews are drawn once and shown small; deflate at level 1
 * without filters makes them a few times faster to write (a page's
 * preview was a quarter of a PDF's whole extraction) and only somewhat
 * larger. */
#include "extract_internal.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

struct buf {
	unsigned char *p;
	size_t len, cap, max;
	bool over;
};

static void put(struct buf *b, const void *data, size_t n)
{
	if (b->over || b->len + n > b->max) {
		b->over = true;
		return;
	}
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 65536;
		while (cap < b->len + n)
			cap *= 2;
		unsigned char *p = realloc(b->p, cap);
		if (p == NULL)
			ex_oom();
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void be32(unsigned char *p, unsigned long v)
{
	p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

/* A chunk whose data is already in @b after its 8 header bytes at @at. */
static void close_chunk(struct buf *b, size_t at)
{
	if (b->over)
		return;
	be32(b->p + at, (unsigned long)(b->len - at - 8));
	unsigned char crc[4];
	be32(crc, crc32(0, b->p + at + 4, (uInt)(b->len - at - 4)));
	put(b, crc, 4);
}

int ex_png_xrgb(const unsigned char *px, int w, int h, int stride, size_t max, unsigned char **out,
		size_t *len)
{
	struct buf b = {.max = max};
	unsigned char ihdr[8 + 13] = {0, 0, 0, 0, 'I', 'H', 'D', 'R'};
	be32(ihdr + 8, (unsigned long)w);
	be32(ihdr + 12, (unsigned long)h);
	ihdr[16] = 8, ihdr[17] = 2; /* 8-bit RGB, deflate, no filter, no interlace */
	put(&b, "\x89PNG\r\n\x1a\n", 8);
	size_t at = b.len;
	put(&b, ihdr, sizeof ihdr);
	close_chunk(&b, at);

	z_stream z;
	memset(&z, 0, sizeof z);
	if (deflateInit(&z, 1) != Z_OK)
		return -1;
	unsigned char *row = malloc((size_t)w * 3 + 1), chunk[65536];
	if (row == NULL)
		ex_oom();
	at = b.len;
	put(&b, "\0\0\0\0IDAT", 8);
	for (int y = 0; y <= h && !b.over; y++) {
		size_t n = 0;
		if (y < h) {
			const uint32_t *src =
			    (const uint32_t *)(const void *)(px + (size_t)y * stride);
			row[n++] = 0;
			for (int x = 0; x < w; x++) {
				row[n++] = (unsigned char)(src[x] >> 16);
				row[n++] = (unsigned char)(src[x] >> 8);
				row[n++] = (unsigned char)src[x];
			}
		}
		z.next_in = row;
		z.avail_in = (uInt)n;
		int flush = y < h ? Z_NO_FLUSH : Z_FINISH, rc;
		do {
			z.next_out = chunk;
			z.avail_out = sizeof chunk;
			rc = deflate(&z, flush);
			put(&b, chunk, sizeof chunk - z.avail_out);
		} while (z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
	}
	deflateEnd(&z);
	free(row);
	close_chunk(&b, at);
	at = b.len;
	put(&b, "\0\0\0\0IEND", 8);
	close_chunk(&b, at);
	if (b.over) {
		free(b.p);
		return -1;
	}
	*out = b.p;
	*len = b.len;
	return 0;
}
