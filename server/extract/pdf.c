/* PDF: poppler's text page by page (poppler-glib, the library behind
 * pdftotext), and page 1 rendered with cairo as the preview. */
#include "extract_internal.h"

#include <cairo.h>
#include <poppler.h>
#include <stdlib.h>
#include <string.h>

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
	cairo_surface_flush(s);
	unsigned char *png;
	size_t len;
	if (ex_png_xrgb(cairo_image_surface_get_data(s), tw, th, cairo_image_surface_get_stride(s),
			o->l->thumb_bytes, &png, &len) == 0) {
		ex_thumb(o, "image/png", png, len);
		free(png);
	}
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
