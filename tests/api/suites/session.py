"""Signing in and out (throttled per account and per client address),
who am I, API tokens."""
import http.client
import itertools
import json
import re
import time

from nsapi.client import Response, checked, expect_json, expect_problem, find_secrets
from nsapi.context import ctx
from nsapi.flows import create_user, login, new_token, session_cookie, user_with_token
from nsapi.harness import Failure, check, test
from nsapi.proc import arrange, sql_literal
from suites.ops import scrape, total

RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
USER_KEYS = {"id", "email", "name", "role", "board", "active", "created_at"}


def check_user_object(user, acct=None):
    check(isinstance(user, dict) and USER_KEYS <= set(user),
          f"user object lacks {sorted(USER_KEYS - set(user or {}))}: {user}")
    check(not find_secrets(user), f"user object exposes {find_secrets(user)}")
    check(re.fullmatch(r"[0-9a-f-]{36}", str(user["id"])), f"id {user['id']!r} is not a uuid")
    check(isinstance(user["board"], bool) and isinstance(user["active"], bool),
          f"board/active must be booleans: {user}")
    check(RFC3339_UTC.match(str(user["created_at"])),
          f"created_at {user['created_at']!r} is not RFC 3339 UTC")
    if acct is not None:
        want = {"email": acct.email, "name": acct.name, "role": acct.role, "board": acct.board,
                "active": True}
        got = {k: user[k] for k in want}
        check(got == want, f"user {got}, want {want}")


@test
def sign_in_sets_an_httponly_samesite_session_cookie():
    acct = ctx.accounts["admin"]
    r = ctx.api.post("/api/v1/session", {"email": acct.email, "password": acct.password})
    check_user_object(expect_json(r, 200), acct)
    value, attrs = session_cookie(r)
    check(value and len(value) >= 16, f"no usable ns_session cookie: {r.header_all('Set-Cookie')}",
          r.describe())
    check(attrs.get("path") == "/", f"cookie Path is {attrs.get('path')!r}, want /")
    check("httponly" in attrs, "cookie is not HttpOnly")
    check(attrs.get("samesite", "").lower() == "lax", f"cookie SameSite={attrs.get('samesite')!r}")
    check(attrs.get("max-age", "").isdigit() and int(attrs["max-age"]) > 0,
          f"cookie Max-Age={attrs.get('max-age')!r}, want a positive number of seconds")


@test
def session_cookie_authenticates_me():
    acct = ctx.accounts["marketer"]
    cookie = login(acct.email, acct.password)
    check_user_object(expect_json(ctx.api.get("/api/v1/me", cookie=cookie), 200), acct)


@test
def sign_in_uses_only_the_first_line_given_to_user_add():
    acct = ctx.accounts["rep"]
    r = ctx.api.post("/api/v1/session", {"email": acct.email,
                                         "password": acct.password + "\nnot part of the password"})
    expect_problem(r, 401, "invalid_credentials")
    login(acct.email, acct.password)


@test
def sign_in_email_is_case_insensitive():
    acct = ctx.accounts["board"]
    cookie = login(acct.email.upper(), acct.password)
    me = expect_json(ctx.api.get("/api/v1/me", cookie=cookie), 200)
    check(me["email"] == acct.email, f"signed in as {me['email']}, want {acct.email}")


@test
def sign_in_with_a_wrong_password_is_invalid_credentials():
    acct = ctx.accounts["rep"]
    r = ctx.api.post("/api/v1/session", {"email": acct.email, "password": "wrong password"})
    expect_problem(r, 401, "invalid_credentials")
    check(session_cookie(r)[0] is None, "a failed sign-in set a session cookie", r.describe())


@test
def sign_in_with_an_unknown_email_is_invalid_credentials():
    r = ctx.api.post("/api/v1/session", {"email": "nobody@example.test", "password": "whatever"})
    expect_problem(r, 401, "invalid_credentials")
    check(session_cookie(r)[0] is None, "a failed sign-in set a session cookie", r.describe())


@test
def sign_in_failures_for_unknown_emails_and_wrong_passwords_look_the_same():
    # Nothing in the answer may tell an attacker which emails have
    # accounts: the same status, headers and body for both. (That an
    # unknown email costs a password hash too is server/util/crypto.c's
    # dummy hash; its timing is not asserted here.)
    known = ctx.accounts["timing"].email
    answers = []
    for email in (known, f"nobody-{ctx.uniq('n')}@example.test"):
        r = ctx.api.post("/api/v1/session", {"email": email, "password": "not the password"})
        expect_problem(r, 401, "invalid_credentials")
        check(session_cookie(r)[0] is None, "a failed sign-in set a session cookie", r.describe())
        answers.append(r)
    wrong, unknown = answers
    check(wrong.body == unknown.body, "the bodies differ", wrong.describe(), unknown.describe())
    names = [sorted(k.lower() for k, _ in r.headers if k.lower() != "date") for r in answers]
    check(names[0] == names[1], f"the headers differ: {names[0]} vs {names[1]}")
    same = [(k.lower(), v) for k, v in wrong.headers if k.lower() not in ("date", "content-length")]
    check(same == [(k.lower(), v) for k, v in unknown.headers
                   if k.lower() not in ("date", "content-length")],
          "header values differ", wrong.describe(), unknown.describe())


@test
def sign_out_ends_the_session():
    acct = ctx.accounts["rep"]
    cookie = login(acct.email, acct.password)
    for _ in range(2):  # the second is answered from the credential cache
        expect_json(ctx.api.get("/api/v1/me", cookie=cookie), 200)
    r = ctx.api.delete("/api/v1/session", cookie=cookie, csrf=True)
    check(r.status == 204, f"DELETE /api/v1/session: {r.status}, want 204", r.describe())
    expect_problem(ctx.api.get("/api/v1/me", cookie=cookie), 401, "unauthorized")


@test
def me_without_credentials_is_unauthorized():
    expect_problem(ctx.api.get("/api/v1/me"), 401, "unauthorized")


@test
def me_with_a_bad_bearer_token_or_cookie_is_unauthorized():
    for header in ("Bearer ns_notarealtoken000000000000", "Bearer ", "Bearer",
                   f"Basic {ctx.token('rep')}", ctx.token("rep")[:-2]):
        r = ctx.api.get("/api/v1/me", headers={"Authorization": header})
        expect_problem(r, 401, "unauthorized")
    expect_problem(ctx.api.get("/api/v1/me", cookie="not-a-session"), 401, "unauthorized")
    r = ctx.api.get("/api/v1/me", token=ctx.token("rep")[:-1] + "x")
    expect_problem(r, 401, "unauthorized")


@test
def me_shows_each_callers_own_account():
    for who in ("admin", "marketer", "rep", "board"):
        me = expect_json(ctx.api.get("/api/v1/me", as_=who), 200)
        check_user_object(me, ctx.accounts[who])
        ctx.accounts[who].id = me["id"]


@test
def token_made_over_http_works_as_bearer():
    acct = ctx.accounts["board"]
    cookie = login(acct.email, acct.password)
    r = ctx.api.post("/api/v1/tokens", {"name": "laptop"}, cookie=cookie, csrf=True)
    body = expect_json(r, 201)
    check({"id", "name", "token"} <= set(body), f"token answer lacks keys: {body}")
    check(body["name"] == "laptop", f"token name {body['name']!r}")
    check(str(body["token"]).startswith("ns_"), f"token {body['token']!r} does not start with ns_")
    me = expect_json(ctx.api.get("/api/v1/me", token=body["token"]), 200)
    check(me["email"] == acct.email, f"the new token is {me['email']}'s")
    second = new_token(cookie, "second")
    check(second != body["token"], "two tokens are the same")


@test
def token_needs_a_name():
    expect_problem(ctx.api.post("/api/v1/tokens", {}, as_="rep"), 400, "missing_field", "name")
    expect_problem(ctx.api.post("/api/v1/tokens", {"name": 7}, as_="rep"),
                   400, "invalid_field", "name")


def cache_lookups():
    return total(scrape(), "nextstage_auth_lookups_total", source="cache")


@test
def repeated_requests_with_one_token_are_answered_from_the_credential_cache():
    _, _, token = user_with_token()
    expect_json(ctx.api.get("/api/v1/me", token=token), 200)
    before = cache_lookups()
    for _ in range(3):
        expect_json(ctx.api.get("/api/v1/me", token=token), 200)
    check(cache_lookups() >= before + 3,
          f"nextstage_auth_lookups_total{{source=\"cache\"}} went from {before} to "
          f"{cache_lookups()} over 3 requests with a token already seen")


@test
def a_token_revoked_in_the_database_by_another_process_stops_working_within_a_second():
    user, _, token = user_with_token()
    for _ in range(2):
        expect_json(ctx.api.get("/api/v1/me", token=token), 200)
    arrange(f"UPDATE api_tokens SET revoked_at = now() WHERE user_id = {sql_literal(user['id'])}")
    deadline = time.monotonic() + 1
    while True:
        r = ctx.api.get("/api/v1/me", token=token)
        if r.status == 401 or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    expect_problem(r, 401, "unauthorized")


@test
def a_user_deactivated_by_an_admin_is_refused_on_the_very_next_request():
    user, _, token = user_with_token("marketer")
    for _ in range(2):
        expect_json(ctx.api.get("/api/v1/me", token=token), 200)
    expect_json(ctx.api.patch(f"/api/v1/users/{user['id']}", {"active": False}, as_="admin"), 200)
    expect_problem(ctx.api.get("/api/v1/me", token=token), 401, "unauthorized")


@test
def a_role_change_takes_effect_on_the_very_next_request():
    user, _, token = user_with_token("marketer")
    for _ in range(2):
        expect_json(ctx.api.get("/api/v1/me", token=token), 200)
    expect_json(ctx.api.patch(f"/api/v1/users/{user['id']}", {"role": "rep"}, as_="admin"), 200)
    me = expect_json(ctx.api.get("/api/v1/me", token=token), 200)
    check(me["role"] == "rep", f"role {me['role']!r} right after the change to rep")
    expect_problem(ctx.api.post("/api/v1/personas", {"slug": ctx.uniq("p"), "name": "P"},
                                token=token), 403, "forbidden")


# ---------------------------------------------------------------- throttling

_addresses = itertools.count(1)


def fresh_addr():
    """A loopback address no other sign-in of this suite came from."""
    n = next(_addresses)
    return f"127.78.{n // 250}.{n % 250 + 1}"


def sign_in_from(addr, email, password, headers=None):
    """POST /session from source address @addr (with @headers)."""
    conn = http.client.HTTPConnection(ctx.api.host, ctx.api.port, timeout=20,
                                      source_address=(addr, 0))
    try:
        conn.request("POST", "/api/v1/session", json.dumps({"email": email, "password": password}),
                     {"Content-Type": "application/json", **(headers or {})})
        resp = conn.getresponse()
        return checked(Response("POST", "/api/v1/session", resp.status, resp.getheaders(),
                                    resp.read()))
    except (OSError, http.client.HTTPException) as e:
        raise Failure(f"sign-in from {addr}: no answer ({type(e).__name__}: {e})")
    finally:
        conn.close()


def throttled(r):
    """The seconds a 429 says to wait (checked: the problem and the header)."""
    expect_problem(r, 429, "rate_limited")
    wait = r.header("Retry-After")
    check(wait is not None and wait.isdigit() and int(wait) >= 1, f"Retry-After {wait!r}")
    detail = r.json["detail"]
    check("try again in" in detail, f"detail {detail!r}")
    return int(wait)


@test
def five_wrong_passwords_make_an_account_wait_and_the_same_for_an_unknown_one():
    """After 5 failures the next try waits 2 s, then 4 s...: refused with
    429 and Retry-After without looking at the password (the right one
    too), the same for an e-mail no user has; once waited, the right
    password works and the account's count is forgotten."""
    user, password = create_user()
    ghost = f"ghost-{ctx.uniq('g')}@example.test"
    answers = {}
    for email in (user["email"], ghost):
        addr = fresh_addr()
        for i in range(5):
            expect_problem(sign_in_from(addr, email, f"wrong {i}"), 401, "invalid_credentials")
        first = sign_in_from(addr, email, password)
        answers[email] = (first.status, first.header("Retry-After"), first.json["code"])
        check(throttled(first) <= 2, "the first wait is 2 seconds")
    check(answers[user["email"]] == answers[ghost],
          f"an account that exists and one that doesn't are told apart: {answers}")
    # From another address too: it is the account that waits.
    time.sleep(throttled(sign_in_from(fresh_addr(), user["email"], password)) + 0.1)
    expect_json(sign_in_from(fresh_addr(), user["email"], password), 200)
    # Forgotten: five more failures before the next wait.
    addr = fresh_addr()
    for i in range(5):
        expect_problem(sign_in_from(addr, user["email"], f"again {i}"), 401, "invalid_credentials")
    throttled(sign_in_from(addr, user["email"], password))


@test
def the_tenth_failure_locks_the_account_for_15_minutes_and_is_audited():
    user, password = create_user()
    addr = fresh_addr()
    expect_problem(sign_in_from(addr, user["email"], "wrong"), 401, "invalid_credentials")
    # Eight more failures, the waits between them already over.
    # (The account's row is the one failed last: the suite's tests run one by one.)
    arrange("UPDATE sign_in_failures SET failures = 9, last_failed_at = now() - interval '2 minutes'"
            " WHERE key = (SELECT key FROM sign_in_failures WHERE kind = 'account'"
            "              ORDER BY last_failed_at DESC LIMIT 1)")
    expect_problem(sign_in_from(addr, user["email"], "wrong again"), 401, "invalid_credentials")
    wait = throttled(sign_in_from(fresh_addr(), user["email"], password))
    check(890 <= wait <= 900, f"locked for {wait} s, want 15 minutes")
    locks = expect_json(ctx.api.get(f"/api/v1/audit?entity=sign_in_lock&id={user['id']}",
                                    as_="admin"), 200)["items"]
    check(len(locks) == 1 and locks[0]["after"]["failures"] == 10
          and locks[0]["after"]["kind"] == "account", f"the lock's audit rows {locks}")


@test
def many_failures_from_one_address_make_it_wait_whatever_the_account():
    """20 failures from one address, each for another e-mail (no account
    reaches its own limit): the 21st try from there waits, even with the
    right password of a fresh account; another address is not held up."""
    addr = fresh_addr()
    for i in range(20):
        r = sign_in_from(addr, f"spray-{i}-{ctx.uniq('s')}@example.test", "Winter2026!")
        expect_problem(r, 401, "invalid_credentials")
    user, password = create_user()
    throttled(sign_in_from(addr, user["email"], password))
    expect_json(sign_in_from(fresh_addr(), user["email"], password), 200)


# ---------------------------------------------------------------- one's own account

def patch_me(body, cookie):
    return ctx.api.patch("/api/v1/me", body, cookie=cookie, csrf=True)


@test
def changing_ones_password_needs_the_current_one_and_ends_every_other_session():
    user, old = create_user()
    here, elsewhere = login(user["email"], old), login(user["email"], old)
    token = new_token(here)
    new = f"new {ctx.uniq('pw')} password"
    expect_problem(patch_me({"password": new}, here), 400, "missing_field", "current_password")
    expect_problem(patch_me({"password": new, "current_password": "not it"}, here), 400,
                   "invalid_field", "current_password")
    expect_problem(patch_me({"password": "short", "current_password": old}, here), 400,
                   "invalid_field", "password")
    login(user["email"], old)  # none of those changed it
    me = expect_json(patch_me({"password": new, "current_password": old}, here), 200)
    check(me["id"] == user["id"] and not find_secrets(me), f"answer {me}")
    expect_json(ctx.api.get("/api/v1/me", cookie=here), 200)  # the session it was changed with
    expect_problem(ctx.api.get("/api/v1/me", cookie=elsewhere), 401, "unauthorized")
    expect_json(ctx.api.get("/api/v1/me", token=token), 200)  # tokens are listed and revoked apart
    expect_problem(ctx.api.post("/api/v1/session", {"email": user["email"], "password": old}),
                   401, "invalid_credentials")
    login(user["email"], new)
    # The change is audited, without the hash.
    trail = expect_json(ctx.api.get(f"/api/v1/audit?entity=users&id={user['id']}", as_="admin"),
                        200)["items"]
    check(trail and trail[0]["action"] == "update" and not find_secrets(trail[0]),
          f"the trail {trail[:1]}")


@test
def one_can_rename_oneself_but_not_change_role_and_wrong_current_passwords_are_throttled():
    user, password = create_user()
    cookie = login(user["email"], password)
    me = expect_json(patch_me({"name": "Renamed Rep"}, cookie), 200)
    check(me["name"] == "Renamed Rep" and me["role"] == "rep", f"answer {me}")
    expect_problem(patch_me({"role": "admin"}, cookie), 400, "unknown_field", "role")
    for i in range(5):
        expect_problem(patch_me({"password": "a new password", "current_password": f"guess {i}"},
                                cookie), 400, "invalid_field", "current_password")
    throttled(patch_me({"password": "a new password", "current_password": password}, cookie))
