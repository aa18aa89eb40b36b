"""Who may call what: every route × every kind of caller, as one table.

Each row is one request; the five numbers are the status expected for an
anonymous caller, a rep, a rep on the editorial board, a marketer and an
admin, in that order. {placeholders} are filled per cell with fresh
resources (made by an admin or marketer beforehand), so every cell is
independent and a wrongly allowed request shows up as a 2xx, not as a 404.
"""
import re
import time
import urllib.parse

from nsapi.client import expect_json, expect_problem, expect_status
from nsapi.context import ctx
from nsapi.flows import create_persona, create_stage, create_user, login
from nsapi.harness import Failure, check, register, test
from nsapi.multipart import asset_form, minimal_pdf, version_form
from nsapi.proc import arrange
from suites.shares import age, open_link

CALLERS = ("anonymous", "rep", "board", "marketer", "admin")

# Signing out without a session: "anyone" may call DELETE /session, so
# both "nothing to do" (204) and "who are you?" (401) are acceptable.
ANON_SIGN_OUT = (204, 401)

SIGN_IN = {"email": "{email}", "password": "{password}"}
NEW_LINK = {"title": "Table link by {who}", "kind": "guide", "intent": "educational",
            "url": "https://example.com/{new_slug}"}
# A multipart body: the row's body is a (content type, bytes) pair.
VERSION = "multipart"
# The form of a gated asset's public page (application/x-www-form-urlencoded).
LEAD_FORM = {"name": "Table Lead", "email": "{new_email}", "consent": "yes"}

# A viewer's beacon of a view no open carries.
BEACON = {"view": "00000000-0000-4000-8000-000000000000", "pages": 1, "seen": [[1, 1]]}
# A CSV body (text/csv): one new deal.
DEALS_CSV = "csv"

# A paused webhook: nothing is posted to it.
NEW_WEBHOOK = {"url": "http://127.0.0.1:9/table", "events": ["request.created"],
               "label": "{new_slug}", "active": False}

NEW_USER = {"email": "{new_email}", "name": "Table User", "role": "rep",
            "password": "table password 1"}

ROLE_TABLE = [
    # method   path                           body                                      anon  rep  board  mkt  admin
    ("GET",    "/healthz",                    None,                                      200,  200, 200,  200, 200),
    # the web app's files: public (sign-in is one of its pages)
    ("GET",    "/",                           None,                                      200,  200, 200,  200, 200),
    ("GET",    "/app",                        None,                                      200,  200, 200,  200, 200),
    ("GET",    "/app/{static}",               None,                                      200,  200, 200,  200, 200),
    ("GET",    "/readyz",                     None,                                      200,  200, 200,  200, 200),
    ("GET",    "/metrics",                    None,                                      200,  200, 200,  200, 200),
    # the API's contract: public
    ("GET",    "/api/v1/openapi.json",        None,                                      200,  200, 200,  200, 200),
    ("POST",   "/api/v1/session",             SIGN_IN,                                   200,  200, 200,  200, 200),
    ("DELETE", "/api/v1/session",             None,                            ANON_SIGN_OUT, 204, 204,  204, 204),
    ("GET",    "/api/v1/me",                  None,                                      401,  200, 200,  200, 200),
    # single sign-on: anyone may ask; this suite's server has none configured
    ("GET",    "/api/v1/sso",                 None,                                      200,  200, 200,  200, 200),
    ("GET",    "/api/v1/sso/start",           None,                                      503,  503, 503,  503, 503),
    ("GET",    "/api/v1/sso/callback?code=c&state=s", None,                              503,  503, 503,  503, 503),
    ("PATCH",  "/api/v1/me",                  {"name": "Table {who}"},                   401,  200, 200,  200, 200),
    ("POST",   "/api/v1/tokens",              {"name": "table {who}"},                   401,  201, 201,  201, 201),
    # everyone lists their own tokens; only admins everyone's, or revoke
    # someone else's ({api_token} is a fresh rep's)
    ("GET",    "/api/v1/tokens",              None,                                      401,  200, 200,  200, 200),
    ("GET",    "/api/v1/tokens?all=1",        None,                                      401,  403, 403,  403, 200),
    ("DELETE", "/api/v1/tokens/{api_token}",  None,                                      401,  404, 404,  404, 204),
    ("GET",    "/api/v1/users",               None,                                      401,  403, 403,  403, 200),
    ("POST",   "/api/v1/users",               NEW_USER,                                  401,  403, 403,  403, 201),
    ("PATCH",  "/api/v1/users/{user}",        {"name": "Renamed by {who}"},              401,  403, 403,  403, 200),
    ("POST",   "/api/v1/erasures",            {"email": "{new_email}"},                  401,  403, 403,  403, 200),
    ("GET",    "/api/v1/retention",           None,                                      401,  403, 403,  403, 200),
    ("POST",   "/api/v1/retention/run",       None,                                      401,  403, 403,  403, 200),
    ("GET",    "/api/v1/personas",            None,                                      401,  200, 200,  200, 200),
    ("POST",   "/api/v1/personas",            {"slug": "{new_slug}", "name": "Table"},   401,  403, 403,  201, 201),
    ("PATCH",  "/api/v1/personas/{persona}",  {"name": "Renamed by {who}"},              401,  403, 403,  200, 200),
    ("DELETE", "/api/v1/personas/{persona}",  None,                                      401,  403, 403,  204, 204),
    ("GET",    "/api/v1/stages",              None,                                      401,  200, 200,  200, 200),
    ("POST",   "/api/v1/stages",              {"slug": "{new_slug}", "name": "Table"},   401,  403, 403,  201, 201),
    ("PATCH",  "/api/v1/stages/{stage}",      {"name": "Renamed by {who}"},              401,  403, 403,  200, 200),
    ("GET",    "/api/v1/assets",              None,                                      401,  200, 200,  200, 200),
    ("POST",   "/api/v1/assets",              NEW_LINK,                                  401,  403, 403,  201, 201),
    ("GET",    "/api/v1/assets/{published}",  None,                                      401,  200, 200,  200, 200),
    ("GET",    "/api/v1/assets/{draft}",      None,                                      401,  404, 404,  200, 200),
    ("PATCH",  "/api/v1/assets/{published}",  {"title": "Renamed by {who}"},            401,  403, 403,  200, 200),
    ("POST",   "/api/v1/assets/{published}/versions", VERSION,                          401,  403, 403,  201, 201),
    ("GET",    "/api/v1/assets/{published}/content", None,                              401,  200, 200,  200, 200),
    ("POST",   "/api/v1/assets/{published}/feedback", {"rating": 4},                    401,  201, 201,  201, 201),
    ("POST",   "/api/v1/assets/{draft}/feedback", {"rating": 4},                        401,  404, 404,  201, 201),
    ("GET",    "/api/v1/assets/{draft}/content", None,                                  401,  404, 404,  200, 200),
    # {extracted}: a published PDF whose text and preview are made
    ("GET",    "/api/v1/assets/{extracted}/versions/{first}/thumbnail", None,             401,  200, 200,  200, 200),
    ("POST",   "/api/v1/assets/{extracted}/versions/{first}/extract", None,               401,  403, 403,  202, 202),
    # a {retired} asset: the board decides on it, so board members read it
    ("GET",    "/api/v1/assets/{retired}",    None,                                      401,  404, 200,  200, 200),
    ("GET",    "/api/v1/assets/{retired}/content", None,                                401,  404, 200,  200, 200),
    # a {deal} belongs to the marketer: other reps may not know it exists
    ("GET",    "/api/v1/deals",               None,                                      401,  200, 200,  200, 200),
    ("POST",   "/api/v1/deals",               {"name": "Deal of {who}", "stage": "discovery"}, 401, 201, 201, 201, 201),
    ("GET",    "/api/v1/deals/{deal}",        None,                                      401,  404, 404,  200, 200),
    ("PATCH",  "/api/v1/deals/{deal}",        {"name": "Renamed by {who}"},              401,  404, 404,  200, 200),
    ("POST",   "/api/v1/deals/{deal}/stage",  {"stage": "proposal"},                     401,  404, 404,  200, 200),
    # a {share} is the marketer's; {token} is a fresh share's tracked link
    ("POST",   "/api/v1/shares",              {"asset_id": "{published}", "channel": "email"}, 401, 201, 201, 201, 201),
    ("GET",    "/api/v1/shares",              None,                                      401,  200, 200,  200, 200),
    ("DELETE", "/api/v1/shares/{share}",      None,                                      401,  404, 404,  204, 204),
    ("GET",    "/s/{token}",                  None,                                      200,  200, 200,  200, 200),
    # the viewer's file names a view id of the link's opens (none here); a
    # beacon from a script (this table's client) is answered 204 and ignored
    ("GET",    "/s/{token}/file",             None,                                      404,  404, 404,  404, 404),
    ("POST",   "/s/{token}/engagement",       BEACON,                                    204,  204, 204,  204, 204),
    # public asset pages: anyone (the {public} asset is public, {gated} gated)
    ("GET",    "/p/{public}",                 None,                                      200,  200, 200,  200, 200),
    ("GET",    "/p/{public}/file",            None,                                      200,  200, 200,  200, 200),
    ("POST",   "/p/{gated}/access",           LEAD_FORM,                                 200,  200, 200,  200, 200),
    ("GET",    "/api/v1/leads",               None,                                      401,  200, 200,  200, 200),
    ("GET",    "/api/v1/notifications",       None,                                      401,  200, 200,  200, 200),
    # {note}: a notification of the caller's own (a person opened their share)
    ("POST",   "/api/v1/notifications/{note}/read", None,                                401,  204, 204,  204, 204),
    # the webhooks take a signature, not a user: unsigned is 401 for all
    ("POST",   "/api/v1/hooks/crm",           {"event_id": "e-{who}", "external_id": "x", "stage": "discovery"}, 401, 401, 401, 401, 401),
    ("POST",   "/api/v1/hooks/hubspot",       [],                                        401,  401, 401,  401, 401),
    # {secret}: a crm webhook secret made by the admin
    ("GET",    "/api/v1/webhooks",            None,                                      401,  403, 403,  403, 200),
    ("POST",   "/api/v1/webhooks",            NEW_WEBHOOK,                               401,  403, 403,  403, 201),
    ("PATCH",  "/api/v1/webhooks/{webhook}",  {"label": "table {who}"},                  401,  403, 403,  403, 200),
    ("DELETE", "/api/v1/webhooks/{webhook}",  None,                                      401,  403, 403,  403, 204),
    ("POST",   "/api/v1/webhooks/{webhook}/ping", None,                                  401,  403, 403,  403, 202),
    ("GET",    "/api/v1/deliveries",          None,                                      401,  403, 403,  403, 200),
    ("POST",   "/api/v1/deliveries/{delivery}/redeliver", None,                          401,  403, 403,  403, 202),
    ("GET",    "/api/v1/webhook-secrets",     None,                                      401,  403, 403,  403, 200),
    ("POST",   "/api/v1/webhook-secrets",     {"kind": "crm", "label": "{new_slug}"},    401,  403, 403,  403, 201),
    ("POST",   "/api/v1/webhook-secrets/{secret}/rotate", {"overlap_seconds": 0},        401,  403, 403,  403, 201),
    ("DELETE", "/api/v1/webhook-secrets/{secret}", None,                                 401,  403, 403,  403, 204),
    ("POST",   "/api/v1/events",              [],                                        401,  403, 403,  202, 202),
    ("POST",   "/api/v1/import/deals",        DEALS_CSV,                                 401,  403, 403,  200, 200),
    ("GET",    "/api/v1/import/jobs/{import_job}", None,                                 401,  403, 403,  200, 200),
    ("GET",    "/api/v1/stage-aliases",       None,                                      401,  403, 403,  200, 200),
    ("POST",   "/api/v1/stage-aliases",       {"alias": "Stage of {who}", "stage": "discovery"}, 401, 403, 403, 200, 200),
    ("DELETE", "/api/v1/stage-aliases?alias={alias}", None,                              401,  403, 403,  204, 204),
    ("GET",    "/api/v1/people",              None,                                      401,  403, 403,  200, 200),
    ("GET",    "/api/v1/owner-aliases",       None,                                      401,  403, 403,  200, 200),
    ("POST",   "/api/v1/owner-aliases",       {"alias": "Owner of {who}", "user_id": "{user}"}, 401, 403, 403, 200, 200),
    ("DELETE", "/api/v1/owner-aliases?alias={owner_alias}", None,                        401,  403, 403,  204, 204),
    ("GET",    "/api/v1/deals/{deal}/recommendations", None,                             401,  404, 404,  200, 200),
    ("GET",    "/api/v1/analytics/stage-test", None,                                 401,  403, 403,  200, 200),
    ("GET",    "/api/v1/analytics/unused",    None,                                      401,  403, 403,  200, 200),
    ("GET",    "/api/v1/analytics/unused/trend", None,                                   401,  403, 403,  200, 200),
    ("GET",    "/api/v1/analytics/coverage",  None,                                      401,  403, 403,  200, 200),
    ("GET",    "/api/v1/analytics/usage",     None,                                      401,  403, 403,  200, 200),
    ("GET",    "/api/v1/requests",            None,                                      401,  200, 200,  200, 200),
    ("POST",   "/api/v1/requests",            {"title": "Wanted by {who}"},              401,  201, 201,  201, 201),
    ("PATCH",  "/api/v1/requests/{request}",  {"status": "planned"},                     401,  403, 403,  200, 200),
    ("GET",    "/api/v1/reviews",             None,                                      401,  403, 200,  403, 200),
    ("POST",   "/api/v1/reviews/{published}/decision", {"decision": "keep", "note": "by {who}"}, 401, 403, 201, 403, 201),
    ("GET",    "/api/v1/reviews/decisions",   None,                                      401,  403, 200,  200, 200),
    ("GET",    "/api/v1/audit",               None,                                      401,  403, 403,  200, 200),
    ("GET",    "/api/v1/audit?entity=assets&id={published}", None,                       401,  403, 200,  200, 200),
    ("GET",    "/api/v1/no-such-route",       None,                                      404,  404, 404,  404, 404),
    ("PUT",    "/api/v1/personas",            None,                                      405,  405, 405,  405, 405),
]

# Rows whose callers authenticate with a session cookie (and the CSRF
# header) instead of their bearer token: signing out ends a session.
COOKIE_ROWS = {("DELETE", "/api/v1/session")}

CODES = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}
# Signed routes answer an unsigned request with their own 401.
SIGNED_CODES = {401: "bad_signature"}


class CellVars(dict):
    """Placeholder values for one cell, made on first use."""

    def __init__(self, who):
        super().__init__(who=who)
        # Anonymous callers sign in with the rep's credentials.
        self.acct = ctx.accounts["rep" if who == "anonymous" else who]

    def __missing__(self, key):
        makers = {
            "email": lambda: self.acct.email,
            "password": lambda: self.acct.password,
            "new_email": lambda: ctx.uniq_email("table"),
            "new_slug": lambda: ctx.uniq("table"),
            "user": lambda: create_user("rep")[0]["id"],
            "persona": create_persona,
            "stage": create_stage,
            "published": lambda: new_file_asset("published"),
            "draft": lambda: new_file_asset("draft"),
            "extracted": lambda: extracted(new_file_asset("published")),
            "first": lambda: 1,  # a version's number
            "retired": lambda: new_retired_asset(),
            "deal": new_deal,
            "note": lambda: own_notification(self.acct),
            "alias": new_alias,
            "owner_alias": new_owner_alias,
            "api_token": new_api_token,
            "import_job": new_import_job,
            "static": lambda: "main.js",
            "share": lambda: new_share(self["published"])["id"],
            "token": lambda: new_share(self["published"])["token"],
            "request": new_request,
            "secret": new_webhook_secret,
            "webhook": new_webhook,
            "delivery": new_parked_delivery,
            "public": lambda: new_file_asset("published", public=True),
            "gated": lambda: new_file_asset("published", public=True, gated=True,
                                            disclosure="We will call you."),
        }
        self[key] = makers[key]()
        return self[key]


def new_file_asset(status, **fields):
    """A PDF asset made by a marketer, in @status (and @fields); its id."""
    meta = {"title": f"Table {status} asset", "kind": "guide", "intent": "sales",
            "status": status, **fields}
    body, ctype = asset_form(meta, minimal_pdf(f"table {ctx.uniq('pdf')}"))
    r = ctx.api.post("/api/v1/assets", raw=body, content_type=ctype, as_="marketer")
    return expect_json(r, 201)["id"]


def extracted(asset_id, timeout=60):
    """@asset_id once its version 1 is no longer pending extraction."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        a = expect_json(ctx.api.get(f"/api/v1/assets/{asset_id}", as_="marketer"), 200)
        if a["text_status"] != "pending":
            return asset_id
        time.sleep(0.1)
    raise Failure(f"asset {asset_id} still pending extraction after {timeout}s")


def new_retired_asset():
    """A published PDF asset the admin retired on the board's behalf; its id."""
    asset = new_file_asset("published")
    r = ctx.api.post(f"/api/v1/reviews/{asset}/decision", {"decision": "retire", "note": "table"},
                     as_="admin")
    expect_json(r, 201)
    return asset


def new_deal():
    """A deal owned by the marketer; its id."""
    r = ctx.api.post("/api/v1/deals", {"name": "Table deal", "stage": "discovery"},
                     as_="marketer")
    return expect_json(r, 201)["id"]


def new_alias():
    """A stage alias made by the marketer; its name."""
    alias = ctx.uniq("alias")
    r = ctx.api.post("/api/v1/stage-aliases", {"alias": alias, "stage": "discovery"},
                     as_="marketer")
    expect_json(r, 200)
    return alias


def new_owner_alias():
    """An owner alias made by the marketer (for a fresh rep); its name."""
    alias = ctx.uniq("owner")
    r = ctx.api.post("/api/v1/owner-aliases", {"alias": alias, "user_id": create_user("rep")[0]["id"]},
                     as_="marketer")
    expect_json(r, 200)
    return alias


def new_api_token():
    """The id of an API token of a fresh rep's."""
    user, password = create_user("rep")
    r = ctx.api.post("/api/v1/tokens", {"name": "table token"},
                     cookie=login(user["email"], password), csrf=True)
    return expect_json(r, 201)["id"]


def new_import_job():
    """A deal import made by the marketer; its job's id."""
    r = ctx.api.post("/api/v1/import/deals", raw=b"external_id,stage\ntable-deal,discovery\n",
                     content_type="text/csv", as_="marketer")
    return expect_json(r, 200)["id"]


def own_notification(acct):
    """The id of a notification of @acct's: a person opens a link @acct
    shared (made a minute ago, out of the sharer's own burst window)."""
    who = next(k for k, a in ctx.accounts.items() if a is acct)
    asset = new_file_asset("published")
    s = expect_json(ctx.api.post("/api/v1/shares", {"asset_id": asset, "channel": "link"},
                                 as_=who), 201)
    age(s)
    expect_status(open_link(s["token"]), 200)
    notes = expect_json(ctx.api.get("/api/v1/notifications", as_=who), 200)["items"]
    ids = [n["id"] for n in notes if n.get("share_id") == s["id"]]
    check(len(ids) == 1, f"{who}'s notifications for their opened share: {notes}")
    return str(ids[0])


def new_request():
    """A content request made by the rep; its id."""
    r = ctx.api.post("/api/v1/requests", {"title": "Table request"}, as_="rep")
    return expect_json(r, 201)["id"]


def new_webhook_secret():
    """A crm webhook secret made by the admin; its id."""
    r = ctx.api.post("/api/v1/webhook-secrets", {"kind": "crm", "label": ctx.uniq("table")},
                     as_="admin")
    return expect_json(r, 201)["id"]


def new_webhook():
    """A paused webhook made by the admin; its id."""
    body = {**NEW_WEBHOOK, "label": ctx.uniq("table")}
    return expect_json(ctx.api.post("/api/v1/webhooks", body, as_="admin"), 201)["id"]


def new_parked_delivery():
    """A delivery an admin may send again: a ping to a paused webhook,
    parked as failed by the retry window (moved into the past); its id."""
    hook = new_webhook()
    ping = expect_json(ctx.api.post(f"/api/v1/webhooks/{hook}/ping", as_="admin"), 202)
    arrange(f"UPDATE outbox SET since = now() - interval '400 days' WHERE id = {int(ping['id'])}")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        items = expect_json(ctx.api.get(f"/api/v1/deliveries?webhook={hook}&state=failed",
                                        as_="admin"), 200)["items"]
        if items:
            return items[0]["id"]
        time.sleep(0.2)
    raise Failure("the ping to a paused webhook was not parked within 20 s")


def new_share(asset_id):
    """A share by the marketer of @asset_id."""
    r = ctx.api.post("/api/v1/shares", {"asset_id": asset_id, "channel": "link"},
                     as_="marketer")
    return expect_json(r, 201)


def fill(value, variables):
    if isinstance(value, str):
        return value.format_map(variables)
    if isinstance(value, dict):
        return {k: fill(v, variables) for k, v in value.items()}
    return value


def run_cell(method, path, body, who, expected):
    variables = CellVars(who)
    target = fill(path, variables)
    kwargs = {}
    if body == VERSION:
        kwargs["raw"], kwargs["content_type"] = version_form(minimal_pdf(ctx.uniq("v")))
    elif body == DEALS_CSV:
        kwargs["raw"] = f"external_id,name,stage\n{variables['new_slug']},Table deal,discovery\n".encode()
        kwargs["content_type"] = "text/csv"
    elif body is LEAD_FORM:
        kwargs["raw"] = urllib.parse.urlencode(fill(body, variables)).encode()
        kwargs["content_type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        kwargs["body"] = fill(body, variables)
    if who != "anonymous":
        if (method, path) in COOKIE_ROWS:
            kwargs["cookie"] = login(variables.acct.email, variables.acct.password)
            kwargs["csrf"] = True
        else:
            kwargs["as_"] = who
    r = ctx.api.request(method, target, **kwargs)
    allowed = expected if isinstance(expected, tuple) else (expected,)
    if r.status not in allowed:
        return f"{who}: got {r.status}, want {' or '.join(map(str, allowed))}\n{r.describe(300)}"
    codes = SIGNED_CODES if path.startswith("/api/v1/hooks/") else CODES
    if r.status in codes:
        try:
            expect_problem(r, r.status, codes[r.status])
        except Failure as e:
            return f"{who}: {e}\n{r.describe(300)}"
    return None


def make_row_test(method, path, body, expected):
    def row_test():
        problems = [p for who, want in zip(CALLERS, expected)
                    if (p := run_cell(method, path, body, who, want))]
        if problems:
            raise Failure(f"{len(problems)} of {len(CALLERS)} callers got the wrong answer",
                          *problems)
    return row_test


for method, path, body, *expected in ROLE_TABLE:
    register(f"role_table {method} {path}", make_row_test(method, path, body, expected))


@test
def role_table_covers_every_route_of_the_route_table():
    """A route added to server/http/routes.c without a row here fails."""
    source = (ctx.repo / "server" / "http" / "routes.c").read_text()
    routes = set()
    for method, prefix, rest in re.findall(r'\{M_(\w+), (V1 )?"([^"]+)"', source):
        routes.add((method, ("/api/v1" if prefix else "") + re.sub(r"\{\w+\*?\}", "{}", rest)))
    rows = {(m, re.sub(r"\{\w+\}", "{}", p.split("?")[0])) for m, p, *_ in ROLE_TABLE}
    missing = sorted(routes - rows)
    check(routes and not missing, f"routes without a row in ROLE_TABLE: {missing}")
