/* Word (.docx): word/document.xml's runs of text (w:t), split into pages
 * where the file says a page ends: an explicit break (w:br w:type="page",
 * w:pageBreakBefore) or where Word last rendered one
 * (w:lastRenderedPageBreak). Word does not store its layout, so a page
 * without such a mark runs on: the pages are the author's, not a printer's. */
#include "extract_internal.h"

#include <stdlib.h>
#include <string.h>

static bool is_off(const char *v)
{
	return v != NULL &&
	       (strcmp(v, "0") == 0 || strcmp(v, "false") == 0 || strcmp(v, "off") == 0);
}

/* Elements whose text is not the document's: deleted revisions' twins,
 * field codes, and the old-style copies of text boxes (mc:Fallback). */
static bool skipped(const char *name)
{
	return strcmp(name, "Fallback") == 0 || strcmp(name, "instrText") == 0 ||
	       strcmp(name, "delText") == 0;
}

static int start(struct ex_xml *x, struct ex_out *o, bool *in_t)
{
	const char *name = ex_xml_name(x);
	if (strcmp(name, "t") == 0) {
		*in_t = !ex_xml_empty(x);
	} else if (strcmp(name, "tab") == 0) {
		ex_ws(o, EX_WS_TAB);
	} else if (strcmp(name, "br") == 0 || strcmp(name, "cr") == 0) {
		char *type = ex_xml_attr(x, "type", NULL);
		bool page = type != NULL && strcmp(type, "page") == 0;
		free(type);
		if (page)
			return ex_page_end(o);
		ex_ws(o, EX_WS_NEWLINE);
	} else if (strcmp(name, "lastRenderedPageBreak") == 0) {
		/* Word marks the start of every rendered page, those after an
		 * explicit break too: only a page with text ends here. */
		if (!ex_page_blank(o))
			return ex_page_end(o);
	} else if (strcmp(name, "pageBreakBefore") == 0) {
		char *val = ex_xml_attr(x, "val", NULL);
		bool on = !is_off(val);
		free(val);
		if (on && !ex_page_blank(o))
			return ex_page_end(o);
	} else if (skipped(name)) {
		return ex_xml_skip(x) == 1 ? 0 : -1;
	}
	return 0;
}

static int body(struct ex_zip *z)
{
	struct ex_out *o = z->o;
	struct ex_xml x;
	int rc = ex_xml_needed(&x, z, "word/document.xml",
			       "It is not a valid Word file (it has no document).");
	if (rc != 0)
		return -1;
	bool in_t = false;
	while ((rc = ex_xml_next(&x)) == 1) {
		switch (ex_xml_node(&x)) {
		case EX_START:
			if (start(&x, o, &in_t) != 0)
				rc = -1;
			break;
		case EX_END:
			if (strcmp(ex_xml_name(&x), "t") == 0)
				in_t = false;
			else if (strcmp(ex_xml_name(&x), "p") == 0)
				ex_ws(o, EX_WS_NEWLINE);
			break;
		case EX_TEXT:
			if (in_t)
				ex_adds(o, ex_xml_value(&x));
			break;
		case EX_OTHER:
			break;
		}
		if (rc < 0 || o->stopped)
			break;
	}
	ex_xml_close(&x);
	if (rc < 0 || o->stopped)
		return -1;
	return ex_page_end(o);
}

int ex_docx(struct ex_out *o, const void *data, size_t len)
{
	struct ex_zip z;
	if (ex_zip_open(&z, o, data, len) != 0)
		return -1;
	int rc = body(&z);
	if (rc == 0)
		ex_zip_thumb(&z);
	ex_zip_close(&z);
	return rc;
}
