/* XML parts read as a stream (libxml2's xmlTextReader), never as a tree.
 * No network (XML_PARSE_NONET), no external DTD, no entity substitution
 * (neither XML_PARSE_DTDLOAD nor XML_PARSE_NOENT), no XML_PARSE_HUGE; and
 * since Office and OpenDocument parts never carry a DOCTYPE, one is a
 * hostile file and stops the reading before any entity is expanded. */
#include "extract_internal.h"

#include <libxml/xmlreader.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Real documents nest a few dozen levels deep. */
#define MAX_DEPTH 200

static void on_error(void *arg, xmlErrorPtr e)
{
	struct ex_xml *x = arg;
	if (x->err[0] != '\0' || e == NULL || e->level < XML_ERR_ERROR || e->message == NULL)
		return;
	snprintf(x->err, sizeof x->err, "%s", e->message);
	size_t n = strlen(x->err);
	while (n > 0 && (x->err[n - 1] == '\n' || x->err[n - 1] == ' '))
		x->err[--n] = '\0';
}

int ex_xml_part(struct ex_xml *x, struct ex_zip *z, const char *part)
{
	memset(x, 0, sizeof *x);
	x->o = z->o;
	x->part = part;
	size_t len;
	int rc = ex_zip_read(z, part, &x->buf, &len);
	if (rc != 0)
		return rc;
	if (len > INT32_MAX)
		return ex_stop(x->o, EXTRACT_TOO_LARGE, "Its part %s is too large.", part);
	xmlTextReaderPtr r =
	    xmlReaderForMemory(x->buf, (int)len, part, NULL, XML_PARSE_NONET | XML_PARSE_COMPACT);
	if (r == NULL)
		return ex_stop(x->o, EXTRACT_FAILED, "Its part %s cannot be read.", part);
	xmlTextReaderSetStructuredErrorHandler(r, on_error, x);
	x->r = r;
	return 0;
}

int ex_xml_next(struct ex_xml *x)
{
	if (x->o->stopped)
		return -1;
	int rc = xmlTextReaderRead(x->r);
	if (rc < 0 || (rc == 0 && x->err[0] != '\0')) {
		if (strstr(x->err, "epth") != NULL)
			return ex_stop(x->o, EXTRACT_FAILED,
				       "Its part %s is nested too deeply to be read.", x->part);
		if (strstr(x->err, "ntit") != NULL)
			return ex_stop(x->o, EXTRACT_FAILED,
				       "Its part %s expands XML entities too far.", x->part);
		return ex_stop(x->o, EXTRACT_FAILED, "Its part %s is not valid XML (%s).", x->part,
			       x->err[0] ? x->err : "cut short");
	}
	if (rc == 0)
		return 0;
	int type = xmlTextReaderNodeType(x->r);
	if (type == XML_READER_TYPE_DOCUMENT_TYPE || type == XML_READER_TYPE_ENTITY_REFERENCE ||
	    type == XML_READER_TYPE_ENTITY)
		return ex_stop(x->o, EXTRACT_FAILED,
			       "Its part %s declares XML entities, which Office files never do "
			       "(an entity expansion attack?).",
			       x->part);
	if (xmlTextReaderDepth(x->r) > MAX_DEPTH)
		return ex_stop(x->o, EXTRACT_FAILED,
			       "Its part %s is nested more than %d levels deep.", x->part,
			       MAX_DEPTH);
	return 1;
}

int ex_xml_needed(struct ex_xml *x, struct ex_zip *z, const char *part, const char *missing)
{
	int rc = ex_xml_part(x, z, part);
	if (rc == 0)
		return 0;
	ex_xml_close(x);
	return rc < 0 ? -1 : ex_stop(z->o, EXTRACT_FAILED, "%s", missing);
}

enum ex_node ex_xml_node(const struct ex_xml *x)
{
	switch (xmlTextReaderNodeType(x->r)) {
	case XML_READER_TYPE_ELEMENT:
		return EX_START;
	case XML_READER_TYPE_END_ELEMENT:
		return EX_END;
	case XML_READER_TYPE_TEXT:
	case XML_READER_TYPE_CDATA:
	case XML_READER_TYPE_WHITESPACE:
	case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
		return EX_TEXT;
	default:
		return EX_OTHER;
	}
}

const char *ex_xml_name(const struct ex_xml *x)
{
	const xmlChar *n = xmlTextReaderConstLocalName(x->r);
	return n ? (const char *)n : "";
}

const char *ex_xml_value(const struct ex_xml *x)
{
	return (const char *)xmlTextReaderConstValue(x->r);
}

char *ex_xml_attr(const struct ex_xml *x, const char *local, const char *ns)
{
	if (xmlTextReaderMoveToFirstAttribute(x->r) != 1)
		return NULL;
	char *v = NULL;
	do {
		const xmlChar *n = xmlTextReaderConstLocalName(x->r);
		const xmlChar *uri = xmlTextReaderConstNamespaceUri(x->r);
		if (n != NULL && strcmp((const char *)n, local) == 0 &&
		    (ns == NULL || (uri != NULL && strstr((const char *)uri, ns) != NULL))) {
			xmlChar *val = xmlTextReaderValue(x->r);
			v = val ? strdup((const char *)val) : NULL;
			xmlFree(val);
			break;
		}
	} while (xmlTextReaderMoveToNextAttribute(x->r) == 1);
	xmlTextReaderMoveToElement(x->r);
	return v;
}

bool ex_xml_empty(const struct ex_xml *x)
{
	return xmlTextReaderIsEmptyElement(x->r) == 1;
}

int ex_xml_skip(struct ex_xml *x)
{
	if (ex_xml_node(x) != EX_START || ex_xml_empty(x))
		return 1;
	int depth = xmlTextReaderDepth(x->r), rc;
	while ((rc = ex_xml_next(x)) == 1)
		if (ex_xml_node(x) == EX_END && xmlTextReaderDepth(x->r) == depth)
			return 1;
	return rc;
}

void ex_xml_close(struct ex_xml *x)
{
	if (x->r != NULL)
		xmlFreeTextReader(x->r);
	free(x->buf);
	x->r = NULL;
	x->buf = NULL;
}
