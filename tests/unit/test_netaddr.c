/* Trusted proxies and X-Forwarded-For (server/util/netaddr.c). */
#include <string.h>
#include "harness.h"
#include "netaddr.h"

static const char *client(const char *proxies, const char *peer, const char *xff)
{
	static char out[64];
	struct netaddr_set set;
	CHECK(netaddr_set_parse(proxies, &set));
	netaddr_client(&set, peer, xff, out, sizeof out);
	return out;
}

static void sets_parse_addresses_and_networks_of_both_families(void)
{
	struct netaddr_set s;
	CHECK(netaddr_set_parse("10.0.0.0/8, 192.168.1.7 ::1,fd00::/8", &s) && s.n == 4);
	CHECK(netaddr_in(&s, "10.200.3.4") && !netaddr_in(&s, "11.0.0.1"));
	CHECK(netaddr_in(&s, "192.168.1.7") && !netaddr_in(&s, "192.168.1.8"));
	CHECK(netaddr_in(&s, "::1") && netaddr_in(&s, "fd12:3456::1") &&
	      !netaddr_in(&s, "fe80::1"));
	CHECK(netaddr_set_parse("", &s) && s.n == 0 && !netaddr_in(&s, "127.0.0.1"));
	CHECK(netaddr_set_parse("172.16.0.0/12", &s) && netaddr_in(&s, "172.31.255.255") &&
	      !netaddr_in(&s, "172.32.0.0"));
	CHECK(netaddr_set_parse("0.0.0.0/0", &s) && netaddr_in(&s, "203.0.113.9") &&
	      !netaddr_in(&s, "2001:db8::1"));
	const char *bad[] = {"10.0.0.0/33", "10.0.0/8",	   "::1/129",	"10.0.0.1/",
			     "10.0.0.1/x",  "example.com", "1.2.3.4.5", "10.0.0.0/8,,nope"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK(!netaddr_set_parse(bad[i], &s) && s.n == 0);
}

static void the_header_counts_only_from_a_trusted_peer(void)
{
	CHECK(strcmp(client("", "198.51.100.2", "203.0.113.5"), "198.51.100.2") == 0);
	CHECK(strcmp(client("10.0.0.0/8", "198.51.100.2", "203.0.113.5"), "198.51.100.2") == 0);
	CHECK(strcmp(client("10.0.0.0/8", "10.1.2.3", "203.0.113.5"), "203.0.113.5") == 0);
	CHECK(strcmp(client("10.0.0.0/8", "10.1.2.3", NULL), "10.1.2.3") == 0);
}

static void the_rightmost_untrusted_address_is_the_client(void)
{
	/* the client made up the first entry; our proxies appended the rest */
	CHECK(strcmp(client("10.0.0.0/8", "10.0.0.9", "1.1.1.1, 203.0.113.5, 10.0.0.4"),
		     "203.0.113.5") == 0);
	CHECK(strcmp(client("10.0.0.0/8", "10.0.0.9", "10.0.0.7,10.0.0.4"), "10.0.0.7") == 0);
	CHECK(strcmp(client("::1", "::1", " 2001:db8::7 "), "2001:db8::7") == 0);
	/* a malformed entry ends the walk at the address after it */
	CHECK(strcmp(client("10.0.0.0/8", "10.0.0.9", "203.0.113.5, junk, 10.0.0.4"), "10.0.0.4") ==
	      0);
	CHECK(strcmp(client("10.0.0.0/8", "10.0.0.9", "junk"), "10.0.0.9") == 0);
	CHECK(strcmp(client("10.0.0.0/8", "10.0.0.9", ", ,"), "10.0.0.9") == 0);
	CHECK(strcmp(client("10.0.0.0/8", "10.0.0.9", ""), "10.0.0.9") == 0);
}

int main(void)
{
	TEST(sets_parse_addresses_and_networks_of_both_families);
	TEST(the_header_counts_only_from_a_trusted_peer);
	TEST(the_rightmost_untrusted_address_is_the_client);
	return HARNESS_EXIT();
}
