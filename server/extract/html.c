/* HTML: the text a reader sees, through libxml2's HTML parser (it
 * recovers from broken markup as browsers do), with no network and
 * nothing from <script>, <style>, <noscript> or <template>. The tree is
 * walked without recursion, so deep nesting costs no stack. */
#include "extract_internal.h"

#include <libxml/HTMLparser.h>
#include <string.h>
#include <strings.h>

static bool hidden(const char *name)
{
	static const char *const names[] = {"script", "style",	"noscript", "template",
					    "head",   "object", "iframe",   "svg"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcasecmp(name, names[i]) == 0)
			return true;
	return false;
}

/* The blank an element leaves after itself. */
static enum ex_ws blank_after(const char *name)
{
	static const char *const blocks[] = {
	    "p",      "div",	"br",  "li",	"ul",	      "ol",	    "h1",      "h2",
	    "h3",     "h4",	"h5",  "h6",	"tr",	      "table",	    "section", "article",
	    "header", "footer", "nav", "aside", "main",	      "blockquote", "pre",     "dd",
	    "dt",     "dl",	"hr",  "title", "figcaption", "address"};
	if (strcasecmp(name, "td") == 0 || strcasecmp(name, "th") == 0)
		return EX_WS_TAB;
	for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
		if (strcasecmp(name, blocks[i]) == 0)
			return EX_WS_NEWLINE;
	return EX_WS_NONE;
}

/* The text under @top, in document order. */
static void walk(struct ex_out *o, xmlNodePtr top)
{
	xmlNodePtr n = top->children;
	while (n != NULL && !o->stopped) {
		if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) && n->content)
			ex_adds(o, (const char *)n->content);
		if (n->type == XML_ELEMENT_NODE && n->children != NULL &&
		    !hidden((const char *)n->name)) {
			n = n->children;
			continue;
		}
		/* n is done: leave it, and each parent it was the last child of */
		for (;;) {
			if (n->type == XML_ELEMENT_NODE)
				ex_ws(o, blank_after((const char *)n->name));
			if (n->next != NULL) {
				n = n->next;
				break;
			}
			n = n->parent;
			if (n == NULL || n == top)
				return;
		}
	}
}

static xmlNodePtr find(xmlNodePtr n, const char *name)
{
	for (; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE && strcasecmp((const char *)n->name, name) == 0)
			return n;
	return NULL;
}

int ex_html(struct ex_out *o, const void *data, size_t len)
{
	if (len > INT32_MAX)
		return ex_stop(o, EXTRACT_TOO_LARGE, "It is too large a page to read.");
	htmlDocPtr doc = htmlReadMemory(data, (int)len, NULL, NULL,
					HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
					    HTML_PARSE_NOWARNING | HTML_PARSE_COMPACT);
	if (doc == NULL)
		return ex_stop(o, EXTRACT_FAILED, "It is not a readable HTML page.");
	xmlNodePtr html = xmlDocGetRootElement(doc);
	xmlNodePtr head = html ? find(html->children, "head") : NULL;
	xmlNodePtr title = head ? find(head->children, "title") : NULL;
	xmlNodePtr body = html ? find(html->children, "body") : NULL;
	if (title != NULL) {
		walk(o, title);
		ex_ws(o, EX_WS_NEWLINE);
	}
	if (body != NULL || html != NULL)
		walk(o, body ? body : html); /* without a body, all but the head */
	xmlFreeDoc(doc);
	return ex_page_end(o);
}
