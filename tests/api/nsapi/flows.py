"""Small multi-step actions the suites share: logging in, making users,
personas and stages to act on."""
from .client import expect_json
from .context import ctx
from .harness import check


def session_cookie(resp):
    """(value, attributes) of the ns_session Set-Cookie, or (None, {})."""
    for header in resp.header_all("Set-Cookie"):
        parts = [p.strip() for p in header.split(";")]
        name, _, value = parts[0].partition("=")
        if name.strip() == "ns_session":
            attrs = {}
            for p in parts[1:]:
                k, _, v = p.partition("=")
                attrs[k.strip().lower()] = v.strip()
            return value, attrs
    return None, {}


def login(email, password):
    """Signs in; returns the session cookie value."""
    r = ctx.api.post("/api/v1/session", {"email": email, "password": password})
    expect_json(r, 200)
    value, _ = session_cookie(r)
    check(value, "sign-in answered 200 without an ns_session cookie", r.describe())
    return value


def new_token(cookie, name="suite token"):
    """An API token made over HTTP with a session cookie."""
    r = ctx.api.post("/api/v1/tokens", {"name": name}, cookie=cookie, csrf=True)
    body = expect_json(r, 201)
    return body["token"]


def account_id(who):
    acct = ctx.accounts[who]
    if acct.id is None:
        acct.id = expect_json(ctx.api.get("/api/v1/me", as_=who), 200)["id"]
    return acct.id


def create_user(role="rep", board=False):
    """An admin-made user; returns (user object, password)."""
    password = f"pw {ctx.run_id} {ctx.uniq('p')}"
    body = {"email": ctx.uniq_email(role), "name": f"Made {role}", "role": role,
            "board": board, "password": password}
    user = expect_json(ctx.api.post("/api/v1/users", body, as_="admin"), 201)
    return user, password


def user_with_token(role="rep"):
    """A fresh user and a bearer token of theirs; returns (user, password, token)."""
    user, password = create_user(role)
    return user, password, new_token(login(user["email"], password))


def create_persona(**fields):
    slug = ctx.uniq("persona")
    body = {"slug": slug, "name": f"Persona {slug}", **fields}
    expect_json(ctx.api.post("/api/v1/personas", body, as_="marketer"), 201)
    return slug


def list_personas(who="rep"):
    return expect_json(ctx.api.get("/api/v1/personas", as_=who), 200)["items"]


def create_stage(**fields):
    slug = ctx.uniq("stage")
    body = {"slug": slug, "name": f"Stage {slug}", **fields}
    expect_json(ctx.api.post("/api/v1/stages", body, as_="marketer"), 201)
    return slug


def list_stages(who="rep"):
    return expect_json(ctx.api.get("/api/v1/stages", as_=who), 200)["items"]


def audit_entries(entity, entity_id=None, who="admin"):
    """Every audit entry about @entity (a table name), or about its record
    @entity_id, oldest first (GET /api/v1/audit, every page)."""
    items, cursor = [], None
    base = f"entity={entity}&limit=200" + (f"&id={entity_id}" if entity_id else "")
    while True:
        query = base + (f"&cursor={cursor}" if cursor else "")
        page = expect_json(ctx.api.get(f"/api/v1/audit?{query}", as_=who), 200)
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items[::-1]


def deals_with_external_id(external_id, q=None):
    """The deals whose external_id is @external_id, as the admin lists them
    (GET /api/v1/deals?q=, every page; @q instead of the id narrows the
    listing by name)."""
    import urllib.parse
    found, cursor = [], None
    while True:
        params = {"limit": 200, "q": q or external_id, **({"cursor": cursor} if cursor else {})}
        query = urllib.parse.urlencode(params, quote_via=urllib.parse.quote)
        page = expect_json(ctx.api.get(f"/api/v1/deals?{query}", as_="admin"), 200)
        found += [d for d in page["items"] if d["external_id"] == external_id]
        cursor = page["next_cursor"]
        if cursor is None:
            return found
