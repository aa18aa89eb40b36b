"""API tokens: listed by label and last use, never by value; revoked at
once; a user's own, an admin's anyone's; the last use recorded in the
background without auditing it or emptying the credential cache."""
import re
import time
from datetime import datetime, timezone

from nsapi.client import expect_json, expect_problem, find_secrets
from nsapi.context import ctx
from nsapi.flows import account_id, audit_entries, login, user_with_token
from nsapi.harness import check, test
from suites.ops import scrape, total

TOKEN_KEYS = {"id", "name", "user_id", "user_name", "user_email", "created_at", "last_used_at"}
RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def make(cookie, name):
    """A token made with a session cookie: (id, token)."""
    body = expect_json(ctx.api.post("/api/v1/tokens", {"name": name}, cookie=cookie,
                                    csrf=True), 201)
    return body["id"], body["token"]


def listed(query="", **who):
    """Every token GET /api/v1/tokens lists for @who, every page."""
    items, cursor = [], None
    while True:
        sep = "&" if query else ""
        page = expect_json(ctx.api.get(
            f"/api/v1/tokens?{query}{sep}limit=200" + (f"&cursor={cursor}" if cursor else ""),
            **who), 200)
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def by_id(items):
    return {t["id"]: t for t in items}


def parse(t):
    return datetime.strptime(t.split(".")[0].rstrip("Z"), "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=timezone.utc)


def db_lookups():
    return total(scrape(), "nextstage_auth_lookups_total", source="database")


@test
def a_user_lists_their_own_live_tokens_by_label_and_never_their_value():
    user, password, _ = user_with_token()
    cookie = login(user["email"], password)
    laptop, secret = make(cookie, "laptop")
    items = listed(cookie=cookie)
    check(len(items) == 2, f"{len(items)} tokens listed, want the suite token and laptop: {items}")
    t = by_id(items).get(laptop)
    check(t is not None, f"laptop is not listed: {items}")
    check(set(t) == TOKEN_KEYS, f"token keys {sorted(t)}, want {sorted(TOKEN_KEYS)}")
    check((t["name"], t["user_id"], t["user_name"], t["user_email"])
          == ("laptop", user["id"], user["name"], user["email"]), f"token {t}")
    check(RFC3339_UTC.match(t["created_at"]) and t["last_used_at"] is None,
          f"created_at {t['created_at']!r}, last_used_at {t['last_used_at']!r} (never used)")
    check(not find_secrets(items) and secret not in str(items) and "token" not in t,
          f"the list shows a token's value or digest: {items}")
    check(items[0]["id"] == laptop, "the list is not newest first")


@test
def a_revoked_token_is_refused_on_the_very_next_request():
    user, password, token = user_with_token()
    cookie = login(user["email"], password)
    for _ in range(2):  # the second is answered from the credential cache
        expect_json(ctx.api.get("/api/v1/me", token=token), 200)
    (t,) = listed(cookie=cookie)
    r = ctx.api.delete(f"/api/v1/tokens/{t['id']}", cookie=cookie, csrf=True)
    check(r.status == 204, f"DELETE /api/v1/tokens/{{id}}: {r.status}, want 204", r.describe())
    expect_problem(ctx.api.get("/api/v1/me", token=token), 401, "unauthorized")
    check(listed(cookie=cookie) == [], "a revoked token is still listed")
    expect_problem(ctx.api.delete(f"/api/v1/tokens/{t['id']}", cookie=cookie, csrf=True),
                   404, "not_found")
    actions = [e["action"] for e in audit_entries("api_tokens", t["id"])]
    check(actions == ["create", "update"], f"the token's audit: {actions}")


@test
def a_token_can_revoke_itself():
    _, _, token = user_with_token("marketer")
    (t,) = listed(token=token)
    check(ctx.api.delete(f"/api/v1/tokens/{t['id']}", token=token).status == 204,
          "a token could not revoke itself")
    expect_problem(ctx.api.get("/api/v1/me", token=token), 401, "unauthorized")


@test
def a_rep_sees_and_revokes_only_their_own_tokens():
    rep, _, rep_token = user_with_token()
    other, _, other_token = user_with_token()
    expect_problem(ctx.api.get("/api/v1/tokens?all=1", token=rep_token), 403, "forbidden")
    expect_problem(ctx.api.get(f"/api/v1/tokens?user={other['id']}", token=rep_token),
                   403, "forbidden")
    mine = listed(f"user={rep['id']}", token=rep_token)
    check([t["user_id"] for t in mine] == [rep["id"]], f"the rep's own by ?user=: {mine}")
    (theirs,) = listed(token=other_token)
    expect_problem(ctx.api.delete(f"/api/v1/tokens/{theirs['id']}", token=rep_token),
                   404, "not_found")
    expect_json(ctx.api.get("/api/v1/me", token=other_token), 200)
    for who in ("marketer", "board"):
        expect_problem(ctx.api.get("/api/v1/tokens?all=1", as_=who), 403, "forbidden")


@test
def an_admin_lists_everyones_tokens_or_one_users_and_revokes_any():
    rep, _, rep_token = user_with_token()
    marketer, _, _ = user_with_token("marketer")
    everyone = by_id(listed("all=1", as_="admin"))
    owners = {t["user_id"] for t in everyone.values()}
    check({rep["id"], marketer["id"], account_id("admin"), account_id("rep")} <= owners,
          f"?all=1 lists the tokens of {owners}")
    of_rep = listed(f"user={rep['id']}", as_="admin")
    check(len(of_rep) == 1 and of_rep[0]["user_id"] == rep["id"]
          and of_rep[0]["user_name"] == rep["name"], f"?user= lists {of_rep}")
    own = listed(as_="admin")
    check({t["user_id"] for t in own} == {account_id("admin")}, f"an admin's own: {own}")
    r = ctx.api.delete(f"/api/v1/tokens/{of_rep[0]['id']}", as_="admin")
    check(r.status == 204, f"an admin revoking a rep's token: {r.status}", r.describe())
    expect_problem(ctx.api.get("/api/v1/me", token=rep_token), 401, "unauthorized")
    entries = audit_entries("api_tokens", of_rep[0]["id"])
    check(entries[-1]["action"] == "update" and entries[-1]["actor"] == account_id("admin"),
          f"the revocation's audit: {entries[-1]}")


@test
def token_list_parameters_are_checked_and_pages_visit_each_token_once():
    for q, field in (("all=2", "all"), ("user=nobody", "user"), ("limit=0", "limit"),
                     ("cursor=garbage", "cursor"), (f"all=1&user={account_id('rep')}", "all")):
        expect_problem(ctx.api.get(f"/api/v1/tokens?{q}", as_="admin"), 400,
                       "invalid_parameter", field)
    user, password, _ = user_with_token()
    cookie = login(user["email"], password)
    made = {make(cookie, f"t{i}")[0] for i in range(3)}
    seen, cursor = [], None
    for _ in range(10):
        page = expect_json(ctx.api.get("/api/v1/tokens?limit=1" + (
            f"&cursor={cursor}" if cursor else ""), cookie=cookie), 200)
        seen += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    check(len(seen) == 4 and len(set(seen)) == 4 and made <= set(seen),
          f"pages of one visited {seen}")
    expect_problem(ctx.api.delete("/api/v1/tokens/not-an-id", as_="admin"), 404, "not_found")


@test
def a_tokens_last_use_is_recorded_within_seconds_and_at_most_once_a_minute():
    user, password, token = user_with_token()
    cookie = login(user["email"], password)
    (t,) = listed(cookie=cookie)
    check(t["last_used_at"] is None, f"a token never used has last_used_at {t['last_used_at']}")
    before = datetime.now(timezone.utc).replace(microsecond=0)
    expect_json(ctx.api.get("/api/v1/me", token=token), 200)
    deadline = time.monotonic() + 5
    while True:
        (t,) = listed(cookie=cookie)
        if t["last_used_at"] is not None or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    check(t["last_used_at"] is not None, "the token's use was not recorded within 5 s")
    first = parse(t["last_used_at"])
    check(before <= first <= datetime.now(timezone.utc), f"last_used_at {t['last_used_at']}, "
          f"the use was after {before.isoformat()}")
    for _ in range(3):
        expect_json(ctx.api.get("/api/v1/me", token=token), 200)
    time.sleep(2.5)  # more than the writer's second
    (again,) = listed(cookie=cookie)
    check(again["last_used_at"] == t["last_used_at"],
          f"uses within the minute moved last_used_at from {t['last_used_at']} to "
          f"{again['last_used_at']}")


@test
def recording_a_use_neither_audits_it_nor_empties_the_credential_cache():
    _, _, warm = user_with_token()
    user, password, fresh = user_with_token()
    cookie = login(user["email"], password)
    for _ in range(2):
        expect_json(ctx.api.get("/api/v1/me", token=warm), 200)
    expect_json(ctx.api.get("/api/v1/me", token=fresh), 200)  # its first use: written now
    deadline = time.monotonic() + 5
    while listed(cookie=cookie)[0]["last_used_at"] is None and time.monotonic() < deadline:
        time.sleep(0.1)
    (t,) = listed(cookie=cookie)
    check(t["last_used_at"] is not None, "the use was not recorded")
    time.sleep(0.3)  # a notification, had there been one, has arrived
    before = db_lookups()
    expect_json(ctx.api.get("/api/v1/me", token=warm), 200)
    check(db_lookups() == before, "after a token's use was recorded, a cached token was looked "
          "up in the database again: the write emptied the credential cache")
    actions = [e["action"] for e in audit_entries("api_tokens", t["id"])]
    check(actions == ["create"], f"the token's audit after its use: {actions}")
