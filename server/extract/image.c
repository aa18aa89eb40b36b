/* Images (PNG, JPEG, GIF, WebP when its gdk-pixbuf loader is installed):
 * no text, a preview scaled to thumb_width_px while it is decoded. */
#include "extract_internal.h"

#include <gdk-pixbuf/gdk-pixbuf.h>

/* Past this many pixels an image is not decoded (a 16-bit 20000 x 20000
 * PNG is a few kilobytes and gigabytes of pixels). */
#define MAX_PIXELS (100u * 1000 * 1000)

struct size {
	unsigned width;
	int w, h; /* as declared */
};

static void on_size(GdkPixbufLoader *ld, int w, int h, gpointer arg)
{
	struct size *s = arg;
	s->w = w;
	s->h = h;
	if (w <= 0 || h <= 0 || (double)w * h > MAX_PIXELS) {
		gdk_pixbuf_loader_set_size(ld, 1, 1); /* stop spending on it */
		return;
	}
	if ((unsigned)w > s->width) {
		int th = (int)((double)h * s->width / w + 0.5);
		gdk_pixbuf_loader_set_size(ld, (int)s->width, th > 0 ? th : 1);
	}
}

int ex_image(struct ex_out *o, const char *mime, const void *data, size_t len)
{
	GError *err = NULL;
	GdkPixbufLoader *ld = gdk_pixbuf_loader_new_with_mime_type(mime, &err);
	if (ld == NULL) { /* no loader for it here: a valid image all the same */
		g_clear_error(&err);
		return 0;
	}
	struct size s = {.width = o->l->thumb_width_px};
	g_signal_connect(ld, "size-prepared", G_CALLBACK(on_size), &s);
	bool ok = gdk_pixbuf_loader_write(ld, data, len, &err);
	ok = gdk_pixbuf_loader_close(ld, ok ? &err : NULL) && ok;
	g_clear_error(&err);
	GdkPixbuf *pb = gdk_pixbuf_loader_get_pixbuf(ld);
	int rc = 0;
	if ((double)s.w * s.h > MAX_PIXELS)
		rc = ex_stop(o, EXTRACT_TOO_LARGE,
			     "It is an image of %d x %d pixels: too many to read.", s.w, s.h);
	else if (!ok || pb == NULL)
		rc = ex_stop(o, EXTRACT_FAILED, "It is not a valid image (damaged or cut short).");
	gchar *png = NULL;
	gsize n = 0;
	if (rc == 0 && gdk_pixbuf_save_to_buffer(pb, &png, &n, "png", &err, NULL))
		ex_thumb(o, "image/png", png, n);
	g_clear_error(&err);
	g_free(png);
	g_object_unref(ld);
	return rc;
}
