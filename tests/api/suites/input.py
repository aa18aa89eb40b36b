"""What the server accepts as a request: media types, JSON bodies, the CSRF
header on cookie requests, body and URL size limits."""
import json
import socket

from nsapi.client import MIB, expect_json, expect_problem, read_response
from nsapi.context import ctx
from nsapi.flows import create_persona, list_personas, login
from nsapi.harness import check, test


def persona_exists(slug):
    return any(p["slug"] == slug for p in list_personas())


def post_persona_raw(raw, content_type="application/json"):
    return ctx.api.post("/api/v1/personas", raw=raw, content_type=content_type, as_="marketer")


# ---------------------------------------------------------------- media type

@test
def json_routes_refuse_other_media_types():
    slug = ctx.uniq("mt")
    raw = json.dumps({"slug": slug, "name": "Media"}).encode()
    for ctype in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
                  "application/jsonx", None):
        expect_problem(post_persona_raw(raw, ctype), 415, "unsupported_media_type")
    check(not persona_exists(slug), "a refused body created the persona")


@test
def json_media_type_may_carry_a_charset():
    slug = ctx.uniq("charset")
    raw = json.dumps({"slug": slug, "name": "Charset"}).encode()
    expect_json(post_persona_raw(raw, "application/json; charset=utf-8"), 201)
    check(persona_exists(slug), "not created")


# ---------------------------------------------------------------- JSON shape

@test
def malformed_json_is_invalid_json():
    for raw in (b"{not json", b'{"slug": "x", "name": "unterminated', b"", b"{}}",
                b'{"slug": "x",}'):
        expect_problem(post_persona_raw(raw), 400, "invalid_json")


@test
def a_body_that_is_not_an_object_is_invalid_json():
    for raw in (b"[]", b'[{"slug": "x", "name": "y"}]', b'"text"', b"42", b"null", b"true"):
        expect_problem(post_persona_raw(raw), 400, "invalid_json")


@test
def a_missing_required_field_is_named():
    slug = ctx.uniq("missing")
    r = ctx.api.post("/api/v1/personas", {"slug": slug}, as_="marketer")
    expect_problem(r, 400, "missing_field", "name")
    r = ctx.api.post("/api/v1/personas", {"name": "No slug"}, as_="marketer")
    expect_problem(r, 400, "missing_field", "slug")
    r = ctx.api.post("/api/v1/session", {"email": "rep@example.test"})
    expect_problem(r, 400, "missing_field", "password")
    check(not persona_exists(slug), "created without a name")


@test
def a_field_of_the_wrong_type_is_named():
    slug = ctx.uniq("type")
    cases = [
        ("/api/v1/personas", {"slug": slug, "name": 5}, "name"),
        ("/api/v1/personas", {"slug": 5, "name": "Five"}, "slug"),
        ("/api/v1/personas", {"slug": slug, "name": "X", "description": ["list"]}, "description"),
        ("/api/v1/stages", {"slug": slug, "name": {"a": 1}}, "name"),
        ("/api/v1/session", {"email": ["x"], "password": "y"}, "email"),
    ]
    for path, body, field in cases:
        expect_problem(ctx.api.post(path, body, as_="marketer"), 400, "invalid_field", field)
    check(not persona_exists(slug), "a body with a wrong type created the persona")


@test
def an_unknown_field_is_named():
    slug = ctx.uniq("extra")
    r = ctx.api.post("/api/v1/personas", {"slug": slug, "name": "Extra", "colour": "red"},
                     as_="marketer")
    expect_problem(r, 400, "unknown_field", "colour")
    r = ctx.api.patch(f"/api/v1/personas/{create_persona()}", {"slug": "renamed"},
                      as_="marketer")
    expect_problem(r, 400, "unknown_field", "slug")
    check(not persona_exists(slug), "a body with an unknown field created the persona")


# ---------------------------------------------------------------- CSRF

@test
def cookie_writes_without_x_requested_with_are_refused():
    acct = ctx.accounts["marketer"]
    cookie = login(acct.email, acct.password)
    slug = create_persona()
    attempts = [
        ("POST", "/api/v1/personas", {"slug": ctx.uniq("csrf"), "name": "Forged"}),
        ("PATCH", f"/api/v1/personas/{slug}", {"name": "Forged"}),
        ("DELETE", f"/api/v1/personas/{slug}", None),
        ("POST", "/api/v1/tokens", {"name": "forged"}),
        ("DELETE", "/api/v1/session", None),
    ]
    for method, path, body in attempts:
        kwargs = {} if body is None else {"body": body}
        r = ctx.api.request(method, path, cookie=cookie, **kwargs)
        expect_problem(r, 403, "csrf_header_missing")
    listed = [p for p in list_personas() if p["slug"] == slug]
    check(listed and listed[0]["name"] != "Forged", f"a refused request changed {listed}")
    check(not persona_exists(attempts[0][2]["slug"]), "a refused POST created a persona")
    expect_json(ctx.api.get("/api/v1/me", cookie=cookie), 200)  # still signed in


@test
def cookie_writes_with_x_requested_with_work():
    acct = ctx.accounts["marketer"]
    cookie = login(acct.email, acct.password)
    slug = ctx.uniq("xhr")
    expect_json(ctx.api.post("/api/v1/personas", {"slug": slug, "name": "Via cookie"},
                             cookie=cookie, csrf=True), 201)
    expect_json(ctx.api.patch(f"/api/v1/personas/{slug}", {"name": "Renamed"},
                              cookie=cookie, csrf="1"), 200)
    expect_json(ctx.api.post("/api/v1/tokens", {"name": "xhr"}, cookie=cookie,
                             csrf="anything"), 201)
    r = ctx.api.delete(f"/api/v1/personas/{slug}", cookie=cookie, csrf=True)
    check(r.status == 204, f"DELETE with the header: {r.status}", r.describe())


@test
def bearer_writes_and_cookie_reads_need_no_csrf_header():
    expect_json(ctx.api.post("/api/v1/personas", {"slug": ctx.uniq("bearer"), "name": "B"},
                             as_="marketer"), 201)
    expect_json(ctx.api.post("/api/v1/tokens", {"name": "bearer"}, as_="rep"), 201)
    acct = ctx.accounts["rep"]
    cookie = login(acct.email, acct.password)
    expect_json(ctx.api.get("/api/v1/me", cookie=cookie), 200)
    expect_json(ctx.api.get("/api/v1/personas", cookie=cookie), 200)


# ---------------------------------------------------------------- sizes

def head_only(path, extra_headers, token=None):
    """Request bytes up to and including the blank line after the headers."""
    lines = [f"POST {path} HTTP/1.1", f"Host: {ctx.api.authority}",
             "Content-Type: application/json", "Connection: close"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    return ("\r\n".join(lines + extra_headers) + "\r\n\r\n").encode()


@test
def a_body_of_exactly_1_mib_is_accepted():
    slug = ctx.uniq("mib")
    base = json.dumps({"slug": slug, "name": "One MiB"}).encode()
    raw = base[:-1] + b" " * (MIB - len(base)) + b"}"
    check(len(raw) == MIB, "test bug: body size")
    expect_json(post_persona_raw(raw), 201)


@test
def an_oversized_content_length_is_refused_before_the_body_is_sent():
    for path, token, length in (("/api/v1/personas", ctx.token("marketer"), MIB + 1),
                                ("/api/v1/personas", ctx.token("marketer"), 64 * MIB),
                                ("/api/v1/session", None, 2 * MIB)):
        with socket.create_connection(("127.0.0.1", ctx.server.port), timeout=15) as s:
            s.sendall(head_only(path, [f"Content-Length: {length}"], token))
            r = read_response(s, "POST", f"{path} (Content-Length: {length}, no body sent)",
                              timeout=10)
        expect_problem(r, 413, "payload_too_large")


def send_chunks(s, total, chunk_size=64 * 1024):
    """Sends up to @total bytes of chunks; returns how many went out before
    the server stopped reading (reset or closed)."""
    chunk = b"%x\r\n" % chunk_size + b" " * chunk_size + b"\r\n"
    sent = 0
    try:
        while sent < total:
            s.sendall(chunk)
            sent += chunk_size
    except OSError:
        pass
    return sent


# libmicrohttpd 0.9.75 can only answer before a body or after its end, so a
# chunked body past the limit is read away (not stored) and answered 413
# when it ends; one that goes on is cut off rather than read forever.
@test
def an_oversized_chunked_body_gets_413_when_it_ends():
    with socket.create_connection(("127.0.0.1", ctx.server.port), timeout=15) as s:
        s.sendall(head_only("/api/v1/personas", ["Transfer-Encoding: chunked"],
                            ctx.token("marketer")))
        sent = send_chunks(s, 2 * MIB)
        check(sent == 2 * MIB, f"the server stopped reading after {sent} bytes")
        s.sendall(b"0\r\n\r\n")
        r = read_response(s, "POST", "/api/v1/personas (chunked, 2 MiB)", timeout=10)
    expect_problem(r, 413, "payload_too_large")


@test
def a_chunked_body_that_goes_on_is_cut_off():
    limit = 64 * MIB
    with socket.create_connection(("127.0.0.1", ctx.server.port), timeout=15) as s:
        s.sendall(head_only("/api/v1/personas", ["Transfer-Encoding: chunked"],
                            ctx.token("marketer")))
        sent = send_chunks(s, limit)
    check(sent < limit, f"the server read all of {limit} bytes of an oversized body")


@test
def a_url_over_2048_bytes_is_414():
    expect_problem(ctx.api.get("/api/v1/" + "a" * 8192, as_="rep"), 414, "uri_too_long")
    expect_problem(ctx.api.get("/api/v1/personas?q=" + "a" * 8192, as_="rep"),
                   414, "uri_too_long")
    # Just under the limit is an ordinary unknown path.
    expect_problem(ctx.api.get("/api/v1/" + "a" * 1900, as_="rep"), 404, "not_found")
