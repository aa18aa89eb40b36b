/* Client addresses behind proxies: a set of trusted proxy networks
 * (NEXTSTAGE_TRUSTED_PROXIES) and the client an X-Forwarded-For header
 * names when, and only when, the peer is one of them. Pure functions. */
#ifndef NS_NETADDR_H
#define NS_NETADDR_H
#include <stdbool.h>
#include <stddef.h>

#define NETADDR_SET_MAX 32

/* An IPv4 or IPv6 network: @bits leading bits of @addr (IPv4 as
 * IPv4-mapped IPv6, so both families compare alike). */
struct netaddr_net {
	unsigned char addr[16];
	unsigned bits; /* 0..128 */
};

struct netaddr_set {
	struct netaddr_net nets[NETADDR_SET_MAX];
	unsigned n;
};

/* Parses @text, addresses or networks separated by commas or spaces
 * ("10.0.0.0/8, 192.168.1.7, ::1, fd00::/8"), into *@out; false (with
 * *@out empty) when an item is not one or there are more than
 * NETADDR_SET_MAX. "" is the empty set. */
bool netaddr_set_parse(const char *text, struct netaddr_set *out);

/* Whether the address @addr (text) is in @set. */
bool netaddr_in(const struct netaddr_set *set, const char *addr);

/* The client's address into @out (@len bytes): @peer unless @peer is in
 * @set and @xff (the X-Forwarded-For header, NULL when absent) names
 * addresses; then the rightmost of them not in @set (each proxy appends
 * the address it saw: only the part our proxies wrote can be believed),
 * or the leftmost when all are; a malformed entry ends the walk at the
 * address after it. */
void netaddr_client(const struct netaddr_set *set, const char *peer, const char *xff, char *out,
		    size_t len);

#endif
