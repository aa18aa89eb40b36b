"""The API's contract, api/openapi.json: served as it is checked in, and
never out of step with the route table.

The route table is read from server/http/routes.c (the one place routes
are declared) and compared with the document the server serves: every
route has an operation with the same method, pattern and caller, and
every operation is a route. The other half of the contract, that real
answers match the response schemas, is nsapi/contract.py's: every answer
of every suite is checked there.
"""
import gzip
import json
import re

from nsapi import contract
from nsapi.client import Response, expect_json, expect_status
from nsapi.context import ctx
from nsapi.harness import check, test

# routes.c's callers as the document's x-auth says them
AUTH = {"AUTH_PUBLIC": "public", "AUTH_USER": "user", "AUTH_MARKETER": "marketer",
        "AUTH_BOARD": "board", "AUTH_BOARD_READ": "board_read", "AUTH_ADMIN": "admin",
        "AUTH_SIGNED": "signed", "AUTH_SIGNED_HUBSPOT": "signed_hubspot"}
SIGNED_IN = [{"bearerToken": []}, {"sessionCookie": []}]
SECURITY = {"public": [], "signed": [{"crmSignature": []}],
            "signed_hubspot": [{"hubspotSignature": [], "hubspotTimestamp": []}]}
ROUTE = re.compile(r'\{M_(\w+),\s*(V1\s*)?"([^"]*)",\s*(h_\w+),\s*(AUTH_\w+),\s*(BODY_\w+)')


def route_table():
    """{(METHOD, pattern): (handler, auth, body)} of server/http/routes.c."""
    source = (ctx.repo / "server" / "http" / "routes.c").read_text()
    table = {}
    for method, v1, path, handler, auth, body in ROUTE.findall(source):
        table[(method, ("/api/v1" if v1 else "") + path)] = (handler, auth, body)
    return table


def served():
    r = ctx.api.get("/api/v1/openapi.json")
    return r, expect_json(r, 200)


def operations(doc):
    """{(METHOD, pattern): operation} of the document."""
    ops = {}
    for path, item in doc["paths"].items():
        for method in contract.METHODS:
            if method in item:
                ops[(method.upper(), item.get("x-route", path))] = item[method]
    return ops


@test(required=True)
def the_contract_is_served_as_checked_in_to_anyone():
    r, doc = served()
    want = (ctx.repo / "api" / "openapi.json").read_bytes()
    check(r.body == want, "GET /api/v1/openapi.json is not api/openapi.json byte for byte "
          "(rebuild the binary after editing it)")
    check(doc.get("openapi", "").startswith("3.1"), f"openapi {doc.get('openapi')!r}, want 3.1.x")
    tag = r.header("ETag")
    check(tag and re.fullmatch(r'"[0-9a-f]{32}"', tag), f"ETag {tag!r}", r.describe())
    again = expect_status(ctx.api.get("/api/v1/openapi.json", headers={"If-None-Match": tag}), 304)
    check(again.body == b"" and again.header("ETag") == tag, "a 304 with a body or another ETag",
          again.describe())
    packed = expect_status(ctx.api.get("/api/v1/openapi.json", headers={"Accept-Encoding": "gzip"}), 200)
    check(packed.header("Content-Encoding") == "gzip" and gzip.decompress(packed.body) == want
          and len(packed.body) < len(want) // 4 and packed.header("ETag") == tag,
          f"with Accept-Encoding: gzip: {packed.header('Content-Encoding')!r}, "
          f"{len(packed.body)} bytes for {len(want)}", packed.describe(200))
    head = expect_status(ctx.api.head("/api/v1/openapi.json"), 200)
    check(head.body == b"" and head.header("ETag") == tag, "HEAD: a body or another ETag",
          head.describe())


@test
def every_route_has_an_operation_and_every_operation_a_route():
    routes = route_table()
    check(len(routes) > 50, f"only {len(routes)} routes read from routes.c: is the pattern stale?")
    ops = operations(served()[1])
    no_op = sorted(set(routes) - set(ops))
    no_route = sorted(set(ops) - set(routes))
    check(not no_op and not no_route,
          f"routes of server/http/routes.c without an operation in api/openapi.json: {no_op}; "
          f"operations that are no route: {no_route}")


@test
def each_operation_names_who_may_call_it_as_the_route_table_does():
    routes, ops = route_table(), operations(served()[1])
    wrong = []
    for key, (_handler, auth, _body) in sorted(routes.items()):
        o = ops.get(key)
        if o is None:
            continue  # every_route_has_an_operation_... says so
        want = AUTH[auth]
        if o.get("x-auth") != want:
            wrong.append(f"{key}: x-auth {o.get('x-auth')!r}, routes.c says {want}")
        if o.get("security") != SECURITY.get(want, SIGNED_IN):
            wrong.append(f"{key}: security {o.get('security')}, want {SECURITY.get(want, SIGNED_IN)}")
        codes = {c for r in o["responses"].values()
                 for c in contract._resolve(r).get("content", {}).get("application/problem+json", {})
                 .get("schema", {}).get("properties", {}).get("code", {}).get("enum", [])}
        if want not in ("public", "signed", "signed_hubspot") and "unauthorized" not in codes:
            wrong.append(f"{key}: no 401 unauthorized for a route that needs a user")
        if want in ("marketer", "board", "board_read", "admin") and "forbidden" not in codes:
            wrong.append(f"{key}: no 403 forbidden for a route of some roles only")
    check(not wrong, "operations that say otherwise than routes.c:\n" + "\n".join(wrong))


# The media types of the request body each kind of route takes (routes.c's
# BODY_*): BODY_UPLOAD takes a form, and JSON where its handler does (a new
# version does not); BODY_RAW routes say theirs in the contract.
BODIES = {"BODY_NONE": [set()], "BODY_JSON": [{"application/json"}],
          "BODY_UPLOAD": [{"multipart/form-data", "application/json"}, {"multipart/form-data"}],
          "BODY_STREAM": [{"text/csv"}]}


@test
def each_operation_takes_the_body_the_route_table_says():
    routes, ops = route_table(), operations(served()[1])
    wrong = []
    for key, (_handler, _auth, body) in sorted(routes.items()):
        o = ops.get(key)
        if o is None:
            continue
        media = set(o.get("requestBody", {}).get("content", {}))
        if body == "BODY_RAW":
            if not media:
                wrong.append(f"{key}: takes a body (BODY_RAW) the contract does not describe")
        elif media not in BODIES[body]:
            wrong.append(f"{key}: {body}, the contract's body is {sorted(media) or 'none'}")
    check(not wrong, "request bodies unlike the route table's:\n" + "\n".join(wrong))


# How a handler reads a query parameter: the accessors of include/http.h
# and the handlers' own helpers that take the name (day_param, filter);
# the page readers take limit and cursor.
QUERY_READ = re.compile(r'(?:req_query(?:_int|_filter|_list)?|day_param|filter)\(r, "(\w+)"')
PAGE_READ = re.compile(r'req_(?:keyset_|id_)?page(?:_opaque)?\(r')


@test
def the_query_parameters_each_handler_file_reads_are_the_contracts():
    """Per file of server/handlers/: the query parameters its code reads are
    those the contract gives the operations of its handlers."""
    handlers = ctx.repo / "server" / "handlers"
    file_of, read = {}, {}
    for f in sorted(handlers.glob("*.c")):
        src = f.read_text()
        for h in re.findall(r"^void (h_\w+)\(struct req \*r\)", src, re.M):
            file_of[h] = f.name
        read[f.name] = set(QUERY_READ.findall(src)) | ({"limit", "cursor"} if PAGE_READ.search(src) else set())
    said = {name: set() for name in read}
    ops = operations(served()[1])
    for key, (handler, _auth, _body) in route_table().items():
        o = ops.get(key)
        check(handler in file_of, f"{handler} of routes.c is in no file of server/handlers/")
        if o is not None:
            said[file_of[handler]] |= {p["name"] for p in o.get("parameters", []) if p["in"] == "query"}
    wrong = [f"server/handlers/{name}: read but not in the contract {sorted(read[name] - said[name])}, "
             f"in the contract but not read {sorted(said[name] - read[name])}"
             for name in sorted(read) if read[name] != said[name]]
    check(read["deals.c"] and not wrong, "query parameters unlike the handlers':\n" + "\n".join(wrong))


@test
def operations_have_unique_ids_summaries_and_a_success_answer():
    ops = operations(served()[1])
    ids = [o.get("operationId") for o in ops.values()]
    dup = sorted({i for i in ids if ids.count(i) > 1 or not i})
    check(not dup, f"operationIds missing or not unique: {dup}")
    lacking = sorted(str(k) for k, o in ops.items()
                     if not o.get("summary") or not o.get("tags")
                     # a redirect is the success of the single sign-on steps
                     or not any(s.startswith("2") or s in ("302", "303") for s in o["responses"]))
    check(not lacking, f"operations without summary, tag or a 2xx (or redirect) answer: {lacking}")


@test
def every_code_of_the_error_registry_is_known_to_the_contract():
    registry = re.findall(r'^X\(\w+, (\d+), "(\w+)"',
                          (ctx.repo / "include" / "errors.def").read_text(), re.M)
    check(len(registry) > 20, "include/errors.def: no codes read")
    doc = served()[1]
    text = json.dumps(doc)
    # request_timeout: libmicrohttpd closes a connection that idles, no answer is sent;
    # method_not_allowed: the answer to a method a path has no operation for (the
    # info's description says so; contract.py holds it to the Problem schema)
    unsaid = {"request_timeout", "method_not_allowed"}
    unknown = sorted(c for _s, c in registry if f'"{c}"' not in text and c not in unsaid)
    check(not unknown, f"codes of include/errors.def no operation lists: {unknown}")


@test
def the_validator_fails_an_answer_the_contract_does_not_allow():
    # The hook of every suite (nsapi/contract.py) must catch what it is for:
    # a wrong field type, a missing field, an unlisted status and code.
    me = contract.violations_of("GET", "/api/v1/me", 200, "application/json",
                                b'{"id": 7, "email": "a@b.example", "name": "A", "role": "rep",'
                                b' "board": false, "active": true}')
    check(any("$.id" in line for line in me) and any("created_at" in line for line in me),
          f"a user answer with a numeric id and no created_at passed: {me}")
    teapot = contract.violations_of("GET", "/api/v1/personas", 418, "application/json", b"{}")
    check(teapot and "418" in teapot[0], f"an unlisted status passed: {teapot}")
    code = contract.violations_of("GET", "/api/v1/personas", 404, "application/problem+json",
                                  json.dumps({"type": "about:blank", "title": "x", "status": 404,
                                              "detail": "x", "code": "no_such_code"}).encode())
    check(code, "a problem with a code the operation does not list passed")
    media = contract.violations_of("GET", "/api/v1/me", 200, "text/html", b"<p>")
    check(media, "an answer of a media type the operation does not list passed")
    moved = contract.violations_of("POST", "/api/v1/assets", 201, "application/json", b"{}", [])
    check(moved and "Location" in moved[0], f"a 201 without its Location passed: {moved}")
    fine = Response("GET", "/api/v1/openapi.json", 304, [("ETag", '"x"')], b"")
    check(not contract.violations_of(fine.method, fine.target, 304, "", b"", fine.headers),
          "a 304 the contract lists was refused")
