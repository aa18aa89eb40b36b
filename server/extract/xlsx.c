/* Excel (.xlsx): one page per sheet, in the workbook's order, each
 * starting with the sheet's name; cells in a row are separated by tabs,
 * rows by lines. A cell is a shared string (t="s", an index into
 * xl/sharedStrings.xml), an inline string (t="inlineStr"), a boolean, or
 * its value as written (numbers, formulas' results). */
#include "extract_internal.h"

#include <stdlib.h>
#include <string.h>

#define WORKBOOK "xl/workbook.xml"
#define STRINGS	 "xl/sharedStrings.xml"

/* Shared strings, raw, one after another: string i is bytes off[i] to
 * off[i + 1] (off has n + 1 entries). */
struct strings {
	char *p;
	size_t len, cap;
	size_t *off;
	unsigned n, ncap;
};

static void append(struct strings *s, const char *v, size_t n)
{
	if (s->len + n > s->cap) {
		s->cap = s->cap ? s->cap : 4096;
		while (s->cap < s->len + n)
			s->cap *= 2;
		s->p = realloc(s->p, s->cap);
		if (s->p == NULL)
			ex_oom();
	}
	memcpy(s->p + s->len, v, n);
	s->len += n;
}

/* Starts string number n (and closes the one before). */
static void next_string(struct strings *s)
{
	if (s->n + 2 > s->ncap) {
		s->ncap = s->ncap ? s->ncap * 2 : 256;
		s->off = realloc(s->off, s->ncap * sizeof *s->off);
		if (s->off == NULL)
			ex_oom();
	}
	if (s->n == 0)
		s->off[0] = 0;
	s->off[++s->n] = s->len;
}

/* The text of each <si>, phonetic guides (rPh) left out. Their bytes are
 * bounded by the part's, itself bounded by unzip_bytes. */
static int load_strings(struct ex_zip *z, struct strings *s)
{
	struct ex_xml x;
	int rc = ex_xml_part(&x, z, STRINGS);
	if (rc != 0) {
		ex_xml_close(&x);
		return rc < 0 ? -1 : 0;
	}
	bool in_si = false, in_t = false;
	while ((rc = ex_xml_next(&x)) == 1) {
		enum ex_node node = ex_xml_node(&x);
		const char *name = node == EX_TEXT ? "" : ex_xml_name(&x);
		if (node == EX_START && strcmp(name, "rPh") == 0) {
			if ((rc = ex_xml_skip(&x)) != 1)
				break;
		} else if (node == EX_START && strcmp(name, "si") == 0) {
			next_string(s);
			in_si = !ex_xml_empty(&x);
		} else if (node == EX_END && strcmp(name, "si") == 0) {
			in_si = false;
		} else if (node == EX_START && strcmp(name, "t") == 0) {
			in_t = !ex_xml_empty(&x);
		} else if (node == EX_END && strcmp(name, "t") == 0) {
			in_t = false;
		} else if (node == EX_TEXT && in_t && in_si) {
			const char *v = ex_xml_value(&x);
			append(s, v, strlen(v));
			s->off[s->n] = s->len;
		}
	}
	ex_xml_close(&x);
	return rc < 0 ? -1 : 0;
}

static void add_string(struct ex_out *o, const struct strings *s, const char *v)
{
	char *end;
	unsigned long i = strtoul(v, &end, 10);
	if (*v < '0' || *v > '9' || *end != '\0' || i >= s->n)
		return;
	ex_add(o, s->p + s->off[i], s->off[i + 1] - s->off[i]);
}

/* One sheet's cells, after its name. */
static int sheet(struct ex_zip *z, const char *part, const char *name, const struct strings *s)
{
	struct ex_out *o = z->o;
	ex_adds(o, name);
	ex_ws(o, EX_WS_NEWLINE);
	struct ex_xml x;
	int rc = ex_xml_part(&x, z, part);
	if (rc != 0) {
		ex_xml_close(&x);
		return rc < 0 ? -1 : ex_page_end(o);
	}
	char *type = NULL;
	bool in_v = false, in_t = false;
	while ((rc = ex_xml_next(&x)) == 1) {
		enum ex_node node = ex_xml_node(&x);
		const char *el = node == EX_TEXT ? "" : ex_xml_name(&x);
		if (node == EX_START && strcmp(el, "c") == 0) {
			free(type);
			type = ex_xml_attr(&x, "t", NULL);
		} else if (node == EX_END && strcmp(el, "c") == 0) {
			ex_ws(o, EX_WS_TAB);
		} else if (node == EX_END && strcmp(el, "row") == 0) {
			ex_ws(o, EX_WS_NEWLINE);
		} else if (strcmp(el, "v") == 0 || strcmp(el, "t") == 0) {
			bool on = node == EX_START && !ex_xml_empty(&x);
			*(el[0] == 'v' ? &in_v : &in_t) = on;
		} else if (node == EX_TEXT && in_t) {
			ex_adds(o, ex_xml_value(&x)); /* an inline string */
		} else if (node == EX_TEXT && in_v) {
			const char *v = ex_xml_value(&x);
			if (type != NULL && strcmp(type, "s") == 0)
				add_string(o, s, v);
			else if (type != NULL && strcmp(type, "b") == 0)
				ex_adds(o, strcmp(v, "1") == 0 ? "TRUE" : "FALSE");
			else
				ex_adds(o, v);
		}
	}
	free(type);
	ex_xml_close(&x);
	return rc < 0 ? -1 : ex_page_end(o);
}

struct sheets {
	char **names, **ids, **parts;
	unsigned n, cap;
};

static void sheets_free(struct sheets *sh)
{
	for (unsigned i = 0; i < sh->n; i++) {
		free(sh->names[i]);
		free(sh->ids[i]);
		if (sh->parts)
			free(sh->parts[i]);
	}
	free(sh->names);
	free(sh->ids);
	free(sh->parts);
}

/* The workbook's sheets: names and relationship Ids, in order. */
static int list_sheets(struct ex_zip *z, struct sheets *sh)
{
	struct ex_xml x;
	int rc =
	    ex_xml_needed(&x, z, WORKBOOK, "It is not a valid Excel file (it has no workbook).");
	if (rc != 0)
		return -1;
	while ((rc = ex_xml_next(&x)) == 1) {
		if (ex_xml_node(&x) != EX_START || strcmp(ex_xml_name(&x), "sheet") != 0)
			continue;
		if (sh->n >= z->o->l->pages) {
			rc = ex_stop(z->o, EXTRACT_TOO_LARGE, "It has more than %u sheets.",
				     z->o->l->pages);
			break;
		}
		if (sh->n == sh->cap) {
			sh->cap = sh->cap ? sh->cap * 2 : 8;
			sh->names = realloc(sh->names, sh->cap * sizeof *sh->names);
			sh->ids = realloc(sh->ids, sh->cap * sizeof *sh->ids);
			if (sh->names == NULL || sh->ids == NULL)
				ex_oom();
		}
		sh->names[sh->n] = ex_xml_attr(&x, "name", NULL);
		sh->ids[sh->n++] = ex_xml_attr(&x, "id", "relationships");
	}
	ex_xml_close(&x);
	if (rc < 0)
		return -1;
	sh->parts = calloc(sh->n ? sh->n : 1, sizeof *sh->parts);
	if (sh->parts == NULL)
		ex_oom();
	return ex_opc_targets(z, WORKBOOK, sh->ids, sh->parts, sh->n);
}

int ex_xlsx(struct ex_out *o, const void *data, size_t len)
{
	struct ex_zip z;
	if (ex_zip_open(&z, o, data, len) != 0)
		return -1;
	struct sheets sh = {0};
	struct strings s = {0};
	int rc = list_sheets(&z, &sh);
	if (rc == 0)
		rc = load_strings(&z, &s);
	for (unsigned i = 0; rc == 0 && i < sh.n; i++)
		rc = sh.parts[i] ? sheet(&z, sh.parts[i], sh.names[i], &s) : ex_page_end(o);
	sheets_free(&sh);
	free(s.p);
	free(s.off);
	if (rc == 0)
		ex_zip_thumb(&z);
	ex_zip_close(&z);
	return rc;
}
