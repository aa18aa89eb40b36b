/* OpenDocument (.odt, .odp, .ods): content.xml. A presentation has a
 * page per draw:page (speaker notes left out), a spreadsheet a page per
 * table:table (its name first, cells separated by tabs, rows by lines),
 * a text document a page per stretch between the page breaks LibreOffice
 * recorded when it last laid it out (text:soft-page-break). The kind
 * comes from the archive's own "mimetype" part. */
#include "extract_internal.h"

#include <stdlib.h>
#include <string.h>

enum kind { TEXT, PRESENTATION, SPREADSHEET };

static int kind_of(struct ex_zip *z, enum kind *k)
{
	char *m;
	size_t len;
	int rc = ex_zip_read(z, "mimetype", &m, &len);
	if (rc < 0)
		return -1;
	*k = TEXT;
	if (rc == 0 && strstr(m, "presentation") != NULL)
		*k = PRESENTATION;
	else if (rc == 0 && strstr(m, "spreadsheet") != NULL)
		*k = SPREADSHEET;
	free(m);
	return 0;
}

/* Annotations, speaker notes and tracked (deleted) changes are not the
 * document's text. */
static bool skipped(const char *name)
{
	return strcmp(name, "annotation") == 0 || strcmp(name, "notes") == 0 ||
	       strcmp(name, "tracked-changes") == 0;
}

/* An element's start: 0, or -1 when stopped. */
static int start(struct ex_xml *x, struct ex_out *o, enum kind k, bool *in_page)
{
	const char *name = ex_xml_name(x);
	bool page = (k == PRESENTATION && strcmp(name, "page") == 0) ||
		    (k == SPREADSHEET && strcmp(name, "table") == 0);
	if (page) {
		*in_page = true;
		if (k == SPREADSHEET) {
			char *n = ex_xml_attr(x, "name", NULL);
			ex_adds(o, n);
			ex_ws(o, EX_WS_NEWLINE);
			free(n);
		}
		if (ex_xml_empty(x))
			return ex_page_end(o);
	} else if (strcmp(name, "s") == 0) {
		ex_ws(o, EX_WS_SPACE);
	} else if (strcmp(name, "tab") == 0) {
		ex_ws(o, EX_WS_TAB);
	} else if (strcmp(name, "line-break") == 0) {
		ex_ws(o, EX_WS_NEWLINE);
	} else if (k == TEXT && strcmp(name, "soft-page-break") == 0) {
		if (!ex_page_blank(o))
			return ex_page_end(o);
	} else if (skipped(name)) {
		return ex_xml_skip(x) == 1 ? 0 : -1;
	}
	return 0;
}

static int end(struct ex_out *o, const char *name, enum kind k, bool *in_page)
{
	if ((k == PRESENTATION && strcmp(name, "page") == 0) ||
	    (k == SPREADSHEET && strcmp(name, "table") == 0)) {
		*in_page = false;
		return ex_page_end(o);
	}
	if (strcmp(name, "p") == 0 || strcmp(name, "h") == 0 || strcmp(name, "table-row") == 0)
		ex_ws(o, EX_WS_NEWLINE);
	else if (strcmp(name, "table-cell") == 0)
		ex_ws(o, EX_WS_TAB);
	return 0;
}

static int content(struct ex_zip *z, enum kind k)
{
	struct ex_out *o = z->o;
	struct ex_xml x;
	int rc = ex_xml_needed(&x, z, "content.xml",
			       "It is not a valid OpenDocument file (it has no content).");
	if (rc != 0)
		return -1;
	/* text outside pages (a presentation's or spreadsheet's settings)
	 * is not shown to anyone */
	bool in_page = k == TEXT;
	while ((rc = ex_xml_next(&x)) == 1) {
		enum ex_node node = ex_xml_node(&x);
		if (node == EX_START)
			rc = start(&x, o, k, &in_page);
		else if (node == EX_END)
			rc = end(o, ex_xml_name(&x), k, &in_page);
		else if (node == EX_TEXT && in_page)
			ex_adds(o, ex_xml_value(&x));
		if (rc < 0 || o->stopped)
			break;
	}
	ex_xml_close(&x);
	if (rc < 0 || o->stopped)
		return -1;
	return k == TEXT ? ex_page_end(o) : 0;
}

int ex_odf(struct ex_out *o, const void *data, size_t len)
{
	struct ex_zip z;
	if (ex_zip_open(&z, o, data, len) != 0)
		return -1;
	enum kind k;
	int rc = kind_of(&z, &k);
	if (rc == 0)
		rc = content(&z, k);
	if (rc == 0)
		ex_zip_thumb(&z);
	ex_zip_close(&z);
	return rc;
}
