/* PowerPoint (.pptx): one page per slide, in the order the presentation
 * lists them (ppt/presentation.xml's p:sldIdLst, through its
 * relationships), not the order of the slide files' names. */
#include "extract_internal.h"

#include <stdlib.h>
#include <string.h>

#define PRESENTATION "ppt/presentation.xml"

/* The relationship Ids of the slides, in order (the caller frees them). */
static int slide_ids(struct ex_zip *z, char ***ids, unsigned *n)
{
	*ids = NULL;
	*n = 0;
	struct ex_xml x;
	int rc = ex_xml_needed(&x, z, PRESENTATION,
			       "It is not a valid PowerPoint file (it has no presentation).");
	if (rc != 0)
		return -1;
	unsigned cap = 0;
	while ((rc = ex_xml_next(&x)) == 1) {
		if (ex_xml_node(&x) != EX_START || strcmp(ex_xml_name(&x), "sldId") != 0)
			continue;
		if (*n >= z->o->l->pages) {
			rc = ex_stop(z->o, EXTRACT_TOO_LARGE, "It has more than %u slides.",
				     z->o->l->pages);
			break;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*ids = realloc(*ids, cap * sizeof **ids);
			if (*ids == NULL)
				ex_oom();
		}
		(*ids)[(*n)++] = ex_xml_attr(&x, "id", "relationships");
	}
	ex_xml_close(&x);
	return rc < 0 ? -1 : 0;
}

/* A slide's text (a:t), a line per paragraph. */
static int slide(struct ex_zip *z, const char *part)
{
	struct ex_xml x;
	int rc = ex_xml_part(&x, z, part);
	if (rc != 0) {
		ex_xml_close(&x);
		return rc < 0 ? -1 : ex_page_end(z->o); /* a slide missing: a blank page */
	}
	bool in_t = false;
	while ((rc = ex_xml_next(&x)) == 1) {
		enum ex_node node = ex_xml_node(&x);
		const char *name = node == EX_TEXT ? "" : ex_xml_name(&x);
		if (node == EX_START && strcmp(name, "t") == 0)
			in_t = !ex_xml_empty(&x);
		else if (node == EX_START && strcmp(name, "br") == 0)
			ex_ws(z->o, EX_WS_NEWLINE);
		else if (node == EX_END && strcmp(name, "t") == 0)
			in_t = false;
		else if (node == EX_END && strcmp(name, "p") == 0)
			ex_ws(z->o, EX_WS_NEWLINE);
		else if (node == EX_TEXT && in_t)
			ex_adds(z->o, ex_xml_value(&x));
	}
	ex_xml_close(&x);
	return rc < 0 ? -1 : ex_page_end(z->o);
}

int ex_pptx(struct ex_out *o, const void *data, size_t len)
{
	struct ex_zip z;
	if (ex_zip_open(&z, o, data, len) != 0)
		return -1;
	char **ids, **parts = NULL;
	unsigned n;
	int rc = slide_ids(&z, &ids, &n);
	if (rc == 0 && n > 0) {
		parts = calloc(n, sizeof *parts);
		if (parts == NULL)
			ex_oom();
		rc = ex_opc_targets(&z, PRESENTATION, ids, parts, n);
	}
	for (unsigned i = 0; rc == 0 && i < n; i++)
		rc = parts[i] ? slide(&z, parts[i]) : ex_page_end(o);
	for (unsigned i = 0; i < n; i++) {
		free(ids[i]);
		if (parts)
			free(parts[i]);
	}
	free(ids);
	free(parts);
	if (rc == 0)
		ex_zip_thumb(&z);
	ex_zip_close(&z);
	return rc;
}
