/* Router: literal and parameter segments, 404 vs 405, Allow, limits. */
#include <stdbool.h>

#include "harness.h"
#include "auth.h"
#include "router.h"

#include <sodium.h>

static void h(struct req *r)
{
	(void)r;
}

static const struct route table[] = {
    {M_GET, "/api/v1/personas", h, AUTH_USER, BODY_NONE, 0, NULL, NULL, false},
    {M_POST, "/api/v1/personas", h, AUTH_MARKETER, BODY_JSON, 0, NULL, NULL, false},
    {M_PATCH, "/api/v1/personas/{slug}", h, AUTH_MARKETER, BODY_JSON, 0, NULL, NULL, false},
    {M_DELETE, "/api/v1/personas/{slug}", h, AUTH_MARKETER, BODY_NONE, 0, NULL, NULL, false},
    {M_GET, "/api/v1/deals/{id}/shares/{share}", h, AUTH_USER, BODY_NONE, 0, NULL, NULL, false},
    {M_GET, "/api/v1/deals/{id}/recommendations", h, AUTH_USER, BODY_NONE, 0, NULL, NULL, false},
};
#define N (sizeof table / sizeof table[0])

static void literal_match(void)
{
	struct route_match m;
	CHECK(route_match(table, N, M_GET, "/api/v1/personas", &m) == ROUTE_FOUND);
	CHECK(m.route == &table[0]);
	CHECK(m.nparams == 0);
	CHECK(route_match(table, N, M_POST, "/api/v1/personas", &m) == ROUTE_FOUND);
	CHECK(m.route == &table[1] && m.index == 1);
}

static void params_are_captured(void)
{
	struct route_match m;
	CHECK(route_match(table, N, M_PATCH, "/api/v1/personas/cfo", &m) == ROUTE_FOUND);
	CHECK(m.nparams == 1);
	CHECK_STR(m.params[0], "cfo");
	CHECK(route_match(table, N, M_GET, "/api/v1/deals/42/shares/abc", &m) == ROUTE_FOUND);
	CHECK(m.nparams == 2);
	CHECK_STR(m.params[0], "42");
	CHECK_STR(m.params[1], "abc");
	CHECK(route_match(table, N, M_GET, "/api/v1/deals/7/recommendations", &m) == ROUTE_FOUND);
	CHECK(m.route == &table[5]);
	CHECK_STR(m.params[0], "7");
}

static void unknown_paths_are_404(void)
{
	struct route_match m;
	CHECK(route_match(table, N, M_GET, "/api/v1/nothing", &m) == ROUTE_NOT_FOUND);
	CHECK(route_match(table, N, M_GET, "/api/v1/personas/", &m) == ROUTE_NOT_FOUND);
	CHECK(route_match(table, N, M_GET, "/api/v1//personas", &m) == ROUTE_NOT_FOUND);
	CHECK(route_match(table, N, M_GET, "/api/v1/personas/a/b", &m) == ROUTE_NOT_FOUND);
	CHECK(route_match(table, N, M_GET, "/api/v1/personasx", &m) == ROUTE_NOT_FOUND);
	CHECK(route_match(table, N, M_GET, "api/v1/personas", &m) == ROUTE_NOT_FOUND);
	CHECK(route_match(table, N, M_GET, "", &m) == ROUTE_NOT_FOUND);
	CHECK(m.route == NULL);
}

static void wrong_method_is_405_with_allow(void)
{
	struct route_match m;
	char allow[64];
	CHECK(route_match(table, N, M_PUT, "/api/v1/personas", &m) == ROUTE_BAD_METHOD);
	CHECK_STR(route_allow_header(m.allowed, allow, sizeof allow), "GET, HEAD, POST");
	CHECK(route_match(table, N, M_GET, "/api/v1/personas/cfo", &m) == ROUTE_BAD_METHOD);
	CHECK_STR(route_allow_header(m.allowed, allow, sizeof allow), "PATCH, DELETE");
	CHECK(route_match(table, N, 0, "/api/v1/personas", &m) == ROUTE_BAD_METHOD);
}

static void head_answers_as_get(void)
{
	struct route_match m;
	CHECK(route_match(table, N, M_HEAD, "/api/v1/personas", &m) == ROUTE_FOUND);
	CHECK(m.route == &table[0]);
}

static void overlong_path_is_404(void)
{
	static char path[ROUTE_MAX_PATH + 16];
	memset(path, 'a', sizeof path - 1);
	path[0] = '/';
	path[sizeof path - 1] = '\0';
	struct route_match m;
	CHECK(route_match(table, N, M_GET, path, &m) == ROUTE_NOT_FOUND);
}

static void method_names(void)
{
	CHECK(route_method("GET") == M_GET);
	CHECK(route_method("DELETE") == M_DELETE);
	CHECK(route_method("get") == 0);
	CHECK(route_method("BREW") == 0);
}

/* True if patterns @a and @b match the same paths: equal once every
 * parameter segment is read as "{}", whatever its name ("/x/{id}" and
 * "/x/{slug}" are the same route to the router). */
static bool same_shape(const char *a, const char *b)
{
	while (*a && *b) {
		if (*a == '{' && *b == '{') {
			a = strchr(a, '}');
			b = strchr(b, '}');
			if (a == NULL || b == NULL)
				return false;
		} else if (*a != *b) {
			return false;
		}
		a++;
		b++;
	}
	return *a == *b;
}

/* Every segment is a literal or a whole "{name}" parameter. */
static bool well_formed(const char *p)
{
	if (p[0] != '/')
		return false;
	for (const char *seg = p + 1;; seg++) {
		const char *end = strchr(seg, '/');
		size_t len = end ? (size_t)(end - seg) : strlen(seg);
		if (len == 0 && !(end == NULL && seg == p + 1))
			return false;
		if (memchr(seg, '{', len) || memchr(seg, '}', len)) {
			if (len < 3 || seg[0] != '{' || seg[len - 1] != '}' ||
			    memchr(seg + 1, '{', len - 2) || memchr(seg + 1, '}', len - 2))
				return false;
		}
		if (end == NULL)
			return true;
		seg = end;
	}
}

static void same_shape_ignores_parameter_names(void)
{
	CHECK(same_shape("/a/{id}", "/a/{slug}"));
	CHECK(same_shape("/a/{id}/b/{x}", "/a/{deal}/b/{share}"));
	CHECK(!same_shape("/a/{id}", "/a/b"));
	CHECK(!same_shape("/a/{id}", "/a/{id}/b"));
	CHECK(!same_shape("/a/b", "/a/c"));
	CHECK(well_formed("/api/v1/personas/{slug}"));
	CHECK(well_formed("/"));
	CHECK(!well_formed("api/v1"));
	CHECK(!well_formed("/api//v1"));
	CHECK(!well_formed("/api/v1/"));
	CHECK(!well_formed("/api/x{id}"));
	CHECK(!well_formed("/api/{}"));
	CHECK(!well_formed("/api/{id"));
}

/* The application's own table: no two routes share method and pattern
 * (parameter names aside), and every pattern is absolute and well formed. */
static void application_table_is_consistent(void)
{
	CHECK(routes_count > 0);
	for (size_t i = 0; i < routes_count; i++) {
		if (!well_formed(routes[i].pattern))
			printf("  # malformed pattern %s\n", routes[i].pattern);
		CHECK(well_formed(routes[i].pattern));
		CHECK(routes[i].handler != NULL);
		CHECK(__builtin_popcount(routes[i].method) == 1);
		for (size_t j = i + 1; j < routes_count; j++) {
			bool dup = routes[i].method == routes[j].method &&
				   same_shape(routes[i].pattern, routes[j].pattern);
			if (dup)
				printf("  # %s and %s are one route\n", routes[i].pattern,
				       routes[j].pattern);
			CHECK(!dup);
		}
	}
}

/* The signed route kinds: the CRM webhook and HubSpot's are signed, not
 * public; a signed route buffers its body (the HTTP layer verifies it
 * before the handler), and only the HMAC of the exact bytes under the
 * secret passes. */
static void signed_routes_verify_their_body(void)
{
	size_t found = 0;
	for (size_t i = 0; i < routes_count; i++) {
		if (routes[i].auth != AUTH_SIGNED && routes[i].auth != AUTH_SIGNED_HUBSPOT)
			continue;
		found++;
		CHECK(routes[i].body == BODY_RAW);
		CHECK(strcmp(routes[i].pattern, routes[i].auth == AUTH_SIGNED
						    ? "/api/v1/hooks/crm"
						    : "/api/v1/hooks/hubspot") == 0);
	}
	CHECK(found == 2);
	CHECK(!auth_allows(NULL, AUTH_SIGNED));
	CHECK(!auth_allows(NULL, AUTH_SIGNED_HUBSPOT));

	const char *secret = "s3cret", *body = "{\"event_id\":\"e1\"}";
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, strlen(body));
	crypto_auth_hmacsha256_final(&st, mac);
	char header[7 + 2 * sizeof mac + 1] = "sha256=";
	sodium_bin2hex(header + 7, sizeof header - 7, mac, sizeof mac);
	CHECK(auth_signature_ok(secret, header, body, strlen(body)));
	CHECK(!auth_signature_ok(secret, header, body, strlen(body) - 1));
	CHECK(!auth_signature_ok("other", header, body, strlen(body)));
	CHECK(!auth_signature_ok("", header, body, strlen(body)));
	CHECK(!auth_signature_ok(NULL, header, body, strlen(body)));
	CHECK(!auth_signature_ok(secret, NULL, body, strlen(body)));
	CHECK(!auth_signature_ok(secret, header + 7, body, strlen(body)));
	header[7] = header[7] == '0' ? '1' : '0';
	CHECK(!auth_signature_ok(secret, header, body, strlen(body)));
	CHECK(!auth_signature_ok(secret, "sha1=abcdef", body, strlen(body)));
}

static const struct route app_table[] = {
    {M_GET, "/", h, AUTH_PUBLIC, BODY_NONE, 0, NULL, NULL, false},
    {M_GET, "/app/{path*}", h, AUTH_PUBLIC, BODY_NONE, 0, NULL, NULL, false},
};

static void the_root_and_a_rest_of_path_parameter(void)
{
	struct route_match m;
	CHECK(route_match(app_table, 2, M_GET, "/", &m) == ROUTE_FOUND && m.route == &app_table[0]);
	CHECK(m.nparams == 0);
	CHECK(route_match(app_table, 2, M_GET, "/app/views/home.js", &m) == ROUTE_FOUND);
	CHECK(m.route == &app_table[1] && m.nparams == 1);
	CHECK_STR(m.params[0], "views/home.js");
	CHECK(route_match(app_table, 2, M_GET, "/app/", &m) == ROUTE_FOUND);
	CHECK_STR(m.params[0], "");
	CHECK(route_match(app_table, 2, M_GET, "/app/a//b", &m) == ROUTE_FOUND);
	CHECK_STR(m.params[0], "a//b"); /* as sent: the handler judges it */
	CHECK(route_match(app_table, 2, M_GET, "/ap", &m) == ROUTE_NOT_FOUND);
	CHECK(route_match(app_table, 2, M_GET, "/application", &m) == ROUTE_NOT_FOUND);
	CHECK(route_match(app_table, 2, M_POST, "/app/x", &m) == ROUTE_BAD_METHOD);
}

int main(void)
{
	TEST(literal_match);
	TEST(params_are_captured);
	TEST(unknown_paths_are_404);
	TEST(wrong_method_is_405_with_allow);
	TEST(head_answers_as_get);
	TEST(overlong_path_is_404);
	TEST(method_names);
	TEST(same_shape_ignores_parameter_names);
	TEST(application_table_is_consistent);
	TEST(signed_routes_verify_their_body);
	TEST(the_root_and_a_rest_of_path_parameter);
	return HARNESS_EXIT();
}
