/* Client addresses behind trusted proxies (netaddr.h). */
#include "netaddr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* @text (an IPv4 or IPv6 address, no more) as 16 bytes; false if not one. */
static bool parse_addr(const char *text, unsigned char out[16])
{
	struct in_addr v4;
	if (inet_pton(AF_INET, text, &v4) == 1) {
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &v4, 4);
		return true;
	}
	return inet_pton(AF_INET6, text, out) == 1;
}

/* One item, "ADDR" or "ADDR/BITS", of @len bytes at @text. */
static bool parse_net(const char *text, size_t len, struct netaddr_net *net)
{
	char buf[64];
	if (len == 0 || len >= sizeof buf)
		return false;
	memcpy(buf, text, len);
	buf[len] = '\0';
	char *slash = strchr(buf, '/');
	if (slash != NULL)
		*slash = '\0';
	if (!parse_addr(buf, net->addr))
		return false;
	bool v4 = strchr(buf, ':') == NULL;
	unsigned max = v4 ? 32 : 128, bits = max;
	if (slash != NULL) {
		char *end;
		long b = strtol(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || b < 0 || b > (long)max)
			return false;
		bits = (unsigned)b;
	}
	net->bits = v4 ? bits + 96 : bits;
	return true;
}

bool netaddr_set_parse(const char *text, struct netaddr_set *out)
{
	out->n = 0;
	for (const char *p = text; *p != '\0';) {
		p += strspn(p, ", \t");
		size_t len = strcspn(p, ", \t");
		if (len == 0)
			break;
		if (out->n == NETADDR_SET_MAX || !parse_net(p, len, &out->nets[out->n])) {
			out->n = 0;
			return false;
		}
		out->n++;
		p += len;
	}
	return true;
}

static bool net_has(const struct netaddr_net *net, const unsigned char a[16])
{
	unsigned whole = net->bits / 8, rest = net->bits % 8;
	if (memcmp(net->addr, a, whole) != 0)
		return false;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));
	return rest == 0 || ((net->addr[whole] ^ a[whole]) & mask) == 0;
}

static bool in_set(const struct netaddr_set *set, const unsigned char a[16])
{
	for (unsigned i = 0; i < set->n; i++)
		if (net_has(&set->nets[i], a))
			return true;
	return false;
}

bool netaddr_in(const struct netaddr_set *set, const char *addr)
{
	unsigned char a[16];
	return parse_addr(addr, a) && in_set(set, a);
}

void netaddr_client(const struct netaddr_set *set, const char *peer, const char *xff, char *out,
		    size_t len)
{
	snprintf(out, len, "%s", peer);
	if (xff == NULL || set->n == 0 || !netaddr_in(set, peer))
		return;
	/* from the right: each entry the proxies appended, trimmed */
	for (size_t end = strlen(xff); end > 0;) {
		size_t start = end;
		while (start > 0 && xff[start - 1] != ',')
			start--;
		size_t a = start, b = end;
		while (a < b && (xff[a] == ' ' || xff[a] == '\t'))
			a++;
		while (b > a && (xff[b - 1] == ' ' || xff[b - 1] == '\t'))
			b--;
		char item[64];
		unsigned char bytes[16];
		if (b - a == 0 || b - a >= sizeof item)
			return;
		memcpy(item, xff + a, b - a);
		item[b - a] = '\0';
		if (!parse_addr(item, bytes))
			return;
		snprintf(out, len, "%s", item);
		if (!in_set(set, bytes))
			return;
		end = start > 0 ? start - 1 : 0;
	}
}
