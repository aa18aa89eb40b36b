/* Office files' packaging (OPC): which part a relationship points to. A
 * presentation lists its slides, a workbook its sheets, by relationship
 * Id; the part's _rels/NAME.rels maps each Id to a path. */
#include "extract_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ex_opc_resolve(const char *from, const char *target, char *out, size_t outlen)
{
	char path[512];
	if (strchr(target, ':') != NULL) /* an external link (http://...) */
		return -1;
	int n;
	if (target[0] == '/') {
		n = snprintf(path, sizeof path, "%s", target + 1);
	} else {
		const char *slash = strrchr(from, '/');
		int dir = slash ? (int)(slash - from) + 1 : 0;
		n = snprintf(path, sizeof path, "%.*s%s", dir, from, target);
	}
	if (n < 0 || (size_t)n >= sizeof path)
		return -1;
	/* walk the segments, "." and ".." included, into @out */
	size_t len = 0;
	char *save = NULL;
	for (char *seg = strtok_r(path, "/", &save); seg; seg = strtok_r(NULL, "/", &save)) {
		if (strcmp(seg, ".") == 0)
			continue;
		if (strcmp(seg, "..") == 0) {
			if (len == 0)
				return -1;
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--; /* the slash before the segment */
			continue;
		}
		size_t sl = strlen(seg);
		if (len + (len ? 1 : 0) + sl + 1 > outlen)
			return -1;
		if (len)
			out[len++] = '/';
		memcpy(out + len, seg, sl);
		len += sl;
	}
	if (len == 0)
		return -1;
	out[len] = '\0';
	return 0;
}

int ex_opc_targets(struct ex_zip *z, const char *part, char *const *ids, char **targets, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		targets[i] = NULL;
	const char *slash = strrchr(part, '/');
	int dir = slash ? (int)(slash - part) + 1 : 0;
	char rels[512];
	if (snprintf(rels, sizeof rels, "%.*s_rels/%s.rels", dir, part, part + dir) >=
	    (int)sizeof rels)
		return 0;
	struct ex_xml x;
	int rc = ex_xml_part(&x, z, rels);
	if (rc != 0) {
		ex_xml_close(&x);
		return rc < 0 ? -1 : 0;
	}
	while ((rc = ex_xml_next(&x)) == 1) {
		if (ex_xml_node(&x) != EX_START || strcmp(ex_xml_name(&x), "Relationship") != 0)
			continue;
		char *id = ex_xml_attr(&x, "Id", NULL), *target = ex_xml_attr(&x, "Target", NULL);
		char path[512];
		for (unsigned i = 0; id && target && i < n; i++)
			if (targets[i] == NULL && ids[i] != NULL && strcmp(ids[i], id) == 0 &&
			    ex_opc_resolve(part, target, path, sizeof path) == 0)
				targets[i] = strdup(path);
		free(id);
		free(target);
	}
	ex_xml_close(&x);
	return rc < 0 ? -1 : 0;
}
