"""User administration (admin only)."""
import urllib.parse
import uuid

from nsapi.client import expect_json, expect_problem, find_secrets
from nsapi.context import ctx
from nsapi.flows import account_id, audit_entries, create_user, login, user_with_token
from nsapi.harness import check, test
from suites.session import check_user_object


def all_users():
    body = expect_json(ctx.api.get("/api/v1/users?limit=200", as_="admin"), 200)
    check(body.get("next_cursor") is None,
          f"next_cursor {body.get('next_cursor')!r} although every user fits in one page")
    return body["items"]


def find_user(user_id):
    matches = [u for u in all_users() if u["id"] == user_id]
    check(len(matches) == 1, f"user {user_id} appears {len(matches)} times in GET /api/v1/users")
    return matches[0]


@test
def admin_lists_users_without_secrets():
    body = expect_json(ctx.api.get("/api/v1/users", as_="admin"), 200)
    check(set(body) >= {"items", "next_cursor"}, f"list answer keys {sorted(body)}")
    check(not find_secrets(body), f"GET /api/v1/users exposes {find_secrets(body)}")
    by_email = {u["email"]: u for u in body["items"]}
    for acct in ctx.accounts.values():
        check(acct.email in by_email, f"{acct.email} is not listed")
        check_user_object(by_email[acct.email], acct)


@test
def users_limit_must_be_between_1_and_200():
    for bad in ("0", "201", "x", "-1", "1.5"):
        r = ctx.api.get(f"/api/v1/users?limit={bad}", as_="admin")
        expect_problem(r, 400, "invalid_parameter")
    for good in ("1", "200"):
        expect_json(ctx.api.get(f"/api/v1/users?limit={good}", as_="admin"), 200)


@test
def users_paging_with_limit_1_visits_each_user_once():
    expected = sorted(u["id"] for u in all_users())
    seen, cursor, pages = [], None, 0
    while True:
        path = "/api/v1/users?limit=1"
        if cursor is not None:
            path += "&cursor=" + urllib.parse.quote(cursor, safe="")
        body = expect_json(ctx.api.get(path, as_="admin"), 200)
        check(len(body["items"]) <= 1, f"limit=1 answered {len(body['items'])} items")
        seen += [u["id"] for u in body["items"]]
        cursor = body["next_cursor"]
        pages += 1
        if cursor is None:
            break
        check(body["items"], "an empty page with a next_cursor")
        check(pages <= len(expected) + 2, f"still paging after {pages} pages")
    check(len(seen) == len(set(seen)), f"users seen twice: {len(seen) - len(set(seen))}")
    check(sorted(seen) == expected,
          f"paging saw {len(seen)} users, the full list has {len(expected)}")


@test
def admin_creates_a_user_who_can_sign_in():
    email = ctx.uniq_email("new")
    body = {"email": email.upper(), "name": "New Person", "role": "marketer", "board": True,
            "password": "a fresh password"}
    user = expect_json(ctx.api.post("/api/v1/users", body, as_="admin"), 201)
    check_user_object(user)
    want = {"email": email, "name": "New Person", "role": "marketer", "board": True,
            "active": True}
    check({k: user[k] for k in want} == want, f"created {user}, want {want}")
    cookie = login(email, "a fresh password")
    me = expect_json(ctx.api.get("/api/v1/me", cookie=cookie), 200)
    check(me["id"] == user["id"], "signed in as someone else")
    check(find_user(user["id"])["email"] == email, "the new user is not listed")


@test
def user_board_defaults_to_false():
    body = {"email": ctx.uniq_email("noboard"), "name": "No Board", "role": "rep",
            "password": "pw pw pw pw"}
    user = expect_json(ctx.api.post("/api/v1/users", body, as_="admin"), 201)
    check(user["board"] is False, f"board {user['board']!r} when not given")


@test
def creating_a_user_with_a_taken_email_is_conflict():
    for email in (ctx.accounts["rep"].email, ctx.accounts["rep"].email.upper()):
        body = {"email": email, "name": "Dup", "role": "rep", "password": "pw pw pw pw"}
        expect_problem(ctx.api.post("/api/v1/users", body, as_="admin"), 409, "conflict")


@test
def creating_a_user_validates_role_and_required_fields():
    base = {"email": ctx.uniq_email("val"), "name": "V", "role": "rep", "password": "pw pw pw pw"}
    expect_problem(ctx.api.post("/api/v1/users", {**base, "role": "king"}, as_="admin"),
                   400, "invalid_field", "role")
    for field in ("email", "name", "role", "password"):
        partial = {k: v for k, v in base.items() if k != field}
        expect_problem(ctx.api.post("/api/v1/users", partial, as_="admin"),
                       400, "missing_field", field)
    expect_problem(ctx.api.post("/api/v1/users", {**base, "board": "yes"}, as_="admin"),
                   400, "invalid_field", "board")
    check(all(u["email"] != base["email"] for u in all_users()), "a refused user was created")


@test
def patching_an_unknown_user_is_not_found():
    r = ctx.api.patch(f"/api/v1/users/{uuid.uuid4()}", {"name": "Ghost"}, as_="admin")
    expect_problem(r, 404, "not_found")


@test
def patching_a_user_changes_name_role_and_board():
    user, _ = create_user("rep")
    r = ctx.api.patch(f"/api/v1/users/{user['id']}",
                      {"name": "Renamed", "role": "marketer", "board": True}, as_="admin")
    patched = expect_json(r, 200)
    check_user_object(patched)
    want = {"id": user["id"], "email": user["email"], "name": "Renamed", "role": "marketer",
            "board": True, "active": True}
    check({k: patched[k] for k in want} == want, f"patched {patched}, want {want}")
    listed = find_user(user["id"])
    check({k: listed[k] for k in want} == want, f"listed after patch {listed}, want {want}")
    r = ctx.api.patch(f"/api/v1/users/{user['id']}", {"role": "emperor"}, as_="admin")
    expect_problem(r, 400, "invalid_field", "role")


@test
def role_change_applies_to_existing_tokens():
    user, _, token = user_with_token("rep")
    body = {"slug": ctx.uniq("promo"), "name": "Promoted"}
    expect_problem(ctx.api.post("/api/v1/personas", body, token=token), 403, "forbidden")
    expect_json(ctx.api.patch(f"/api/v1/users/{user['id']}", {"role": "marketer"},
                              as_="admin"), 200)
    expect_json(ctx.api.post("/api/v1/personas", body, token=token), 201)


@test
def password_change_replaces_the_old_password():
    user, old = create_user("rep")
    expect_json(ctx.api.patch(f"/api/v1/users/{user['id']}", {"password": "the new one 42"},
                              as_="admin"), 200)
    r = ctx.api.post("/api/v1/session", {"email": user["email"], "password": old})
    expect_problem(r, 401, "invalid_credentials")
    login(user["email"], "the new one 42")


@test
def deactivating_a_user_ends_their_sessions_and_tokens():
    user, password, token = user_with_token("marketer")
    cookie = login(user["email"], password)
    expect_json(ctx.api.get("/api/v1/me", token=token), 200)
    expect_json(ctx.api.get("/api/v1/me", cookie=cookie), 200)
    patched = expect_json(ctx.api.patch(f"/api/v1/users/{user['id']}", {"active": False},
                                        as_="admin"), 200)
    check(patched["active"] is False, f"active is {patched['active']!r} after deactivating")
    expect_problem(ctx.api.get("/api/v1/me", token=token), 401, "unauthorized")
    expect_problem(ctx.api.get("/api/v1/me", cookie=cookie), 401, "unauthorized")
    expect_problem(ctx.api.post("/api/v1/personas", {"slug": ctx.uniq("gone"), "name": "G"},
                                token=token), 401, "unauthorized")
    r = ctx.api.post("/api/v1/session", {"email": user["email"], "password": password})
    check(r.status == 401, f"a deactivated user signed in ({r.status})", r.describe())


@test
def user_changes_are_audited_with_the_admin_as_actor():
    user, _ = create_user("rep")
    expect_json(ctx.api.patch(f"/api/v1/users/{user['id']}", {"name": "Audited"},
                              as_="admin"), 200)
    rows = [[e["action"], e["actor"]] for e in audit_entries("users", user["id"])]
    admin = account_id("admin")
    check(["create", admin] in rows, f"no 'create' row by the admin ({admin}): {rows}")
    check(["update", admin] in rows, f"no 'update' row by the admin ({admin}): {rows}")
