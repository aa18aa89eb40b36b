/* PDF: poppler's text page by page (poppler-glib, the library behind
 * pdftotext), and page 1 rendered with cairo as the preview. */
#include "extract_internal.h"

#include <cairo.h>
#include <poppler.h>
#include <stdlib.h>
#include <string.h>

struct png {
	unsigned char *p;
	size_t len, cap, max;
};

static cairo_status_t png_write(void *arg, const unsigned char *data, unsigned int n)
{
	struct png *b = arg;
	if (b->len + n > b->max)
		return CAIRO_STATUS_WRITE_ERROR; /* past thumb_bytes: no preview */
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64 * 1024;
		while (cap < b->len + n)
			cap *= 2;
		unsigned char *p = realloc(b->p, cap);
		if (p == NULL)
			return CAIRO_STATUS_NO_MEMORY;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	return CAIRO_STATUS_SUCCESS;
}

/* The page scaled to thumb_width_px, on white, as PNG. */
static void thumbnail(struct ex_out *o, PopplerPage *page)
{
	double w, h;
	poppler_page_get_size(page, &w, &h);
	if (w < 1 || h < 1)
		return;
	double scale = o->l->thumb_width_px / w;
	int tw = (int)o->l->thumb_width_px, th = (int)(h * scale + 0.5);
	if (th < 1 || th > 4 * tw) /* a strip of a page: no preview worth showing */
		return;
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, tw, th);
	cairo_t *cr = cairo_create(s);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_scale(cr, scale, scale);
	poppler_page_render(page, cr);
	cairo_destroy(cr);
	struct png b = {.max = o->l->thumb_bytes};
	if (cairo_surface_write_to_png_stream(s, png_write, &b) == CAIRO_STATUS_SUCCESS)
		ex_thumb(o, "image/png", b.p, b.len);
	free(b.p);
	cairo_surface_destroy(s);
}

int ex_pdf(struct ex_out *o, const void *data, size_t len)
{
	GBytes *bytes = g_bytes_new_static(data, len);
	GError *err = NULL;
	PopplerDocument *doc = poppler_document_new_from_bytes(bytes, NULL, &err);
	g_bytes_unref(bytes);
	if (doc == NULL) {
		bool locked =
		    err && err->domain == POPPLER_ERROR && err->code == POPPLER_ERROR_ENCRYPTED;
		g_clear_error(&err);
		if (locked)
			return ex_stop(o, EXTRACT_ENCRYPTED,
				       "It is password-protected: nothing in it can be read.");
		return ex_stop(o, EXTRACT_FAILED, "It is not a valid PDF (damaged or cut short).");
	}
	int n = poppler_document_get_n_pages(doc);
	int rc = 0;
	if (n <= 0)
		rc = ex_stop(o, EXTRACT_FAILED, "It is not a valid PDF (it has no pages).");
	else if ((unsigned)n > o->l->pages)
		rc = ex_stop(o, EXTRACT_TOO_LARGE, "It has %d pages; at most %u are read.", n,
			     o->l->pages);
	for (int i = 0; rc == 0 && i < n; i++) {
		PopplerPage *page = poppler_document_get_page(doc, i);
		if (page == NULL) {
			rc = ex_page_end(o); /* a page poppler cannot read: blank */
			continue;
		}
		char *text = poppler_page_get_text(page);
		ex_adds(o, text);
		g_free(text);
		if (i == 0)
			thumbnail(o, page);
		g_object_unref(page);
		rc = ex_page_end(o);
	}
	g_object_unref(doc);
	return rc;
}
