"""The audit trail (GET /api/v1/audit): every change with its actor, before
and after, newest first, filtered by entity and id, paginated."""
from nsapi.client import expect_json, expect_problem
from nsapi.context import ctx
from nsapi.flows import account_id, create_user
from nsapi.harness import check, test

AUDIT = "/api/v1/audit"


def audit(**q):
    query = "&".join(f"{k}={v}" for k, v in q.items())
    return expect_json(ctx.api.get(f"{AUDIT}?{query}", as_="marketer"), 200)


@test
def an_assets_changes_are_listed_newest_first_with_actor_before_and_after():
    body = {"title": ctx.uniq("Audited"), "kind": "guide", "intent": "sales",
            "url": "https://example.com/" + ctx.uniq("a")}
    a = expect_json(ctx.api.post("/api/v1/assets", body, as_="marketer"), 201)
    expect_json(ctx.api.patch(f"/api/v1/assets/{a['id']}", {"title": "Audited, renamed"},
                              as_="admin"), 200)
    items = audit(entity="assets", id=a["id"])["items"]
    check([i["action"] for i in items] == ["update", "create"], f"actions {items}")
    upd, new = items
    check(upd["before"]["title"] == body["title"] and upd["after"]["title"] == "Audited, renamed",
          f"before/after {upd['before'].get('title')} -> {upd['after'].get('title')}")
    check(upd["actor"] == account_id("admin") and new["actor"] == account_id("marketer")
          and new["actor_name"] == ctx.accounts["marketer"].name, f"actors {upd['actor']} {new}")
    check(new["before"] is None and new["entity"] == "assets" and new["entity_id"] == a["id"],
          f"create entry {new}")


@test
def pages_follow_the_cursor_to_the_end():
    body = {"title": ctx.uniq("Paged"), "kind": "guide", "intent": "sales",
            "url": "https://example.com/" + ctx.uniq("p")}
    a = expect_json(ctx.api.post("/api/v1/assets", body, as_="marketer"), 201)
    for n in range(2):
        expect_json(ctx.api.patch(f"/api/v1/assets/{a['id']}", {"title": f"Paged {n}"},
                                  as_="marketer"), 200)
    seen, cursor = [], None
    for _ in range(5):
        page = audit(entity="assets", id=a["id"], limit=1, **({"cursor": cursor} if cursor else {}))
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    check(len(seen) == 3 and seen == sorted(seen, reverse=True), f"entries {seen}")


@test
def user_entries_never_carry_password_hashes():
    user, _ = create_user()
    items = audit(entity="users", id=user["id"])["items"]
    check(len(items) == 1 and items[0]["action"] == "create", f"entries {items}")
    check("password_hash" not in items[0]["after"], "a password hash in the audit trail")


@test
def bad_filters_are_400():
    expect_problem(ctx.api.get(f"{AUDIT}?entity=sessions", as_="marketer"), 400,
                   "invalid_parameter", "entity")
    expect_problem(ctx.api.get(f"{AUDIT}?cursor=xyz", as_="marketer"), 400,
                   "invalid_parameter", "cursor")


@test
def a_board_member_reads_the_trail_of_one_asset_the_board_decides_on_and_nothing_else():
    body = {"title": ctx.uniq("Board trail"), "kind": "guide", "intent": "sales",
            "url": "https://example.com/" + ctx.uniq("t"), "status": "published"}
    a = expect_json(ctx.api.post("/api/v1/assets", body, as_="marketer"), 201)
    expect_json(ctx.api.post(f"/api/v1/reviews/{a['id']}/decision",
                             {"decision": "archive", "note": "old"}, as_="board"), 201)
    items = expect_json(ctx.api.get(f"{AUDIT}?entity=assets&id={a['id']}", as_="board"),
                        200)["items"]
    check([(i["action"], (i["before"] or {}).get("status"), i["after"]["status"])
           for i in items] == [("update", "published", "archived"), ("create", None, "published")]
          and items[0]["actor_name"] == ctx.accounts["board"].name, f"the board's view {items}")
    draft = expect_json(ctx.api.post("/api/v1/assets", {**body, "status": "draft",
                                                        "url": "https://example.com/d"},
                                     as_="marketer"), 201)
    hidden = expect_json(ctx.api.get(f"{AUDIT}?entity=assets&id={draft['id']}", as_="board"),
                         200)["items"]
    check(hidden == [], f"a draft's trail shown to a board member: {hidden}")
    check(len(audit(entity="assets", id=draft["id"])["items"]) == 1, "the marketer's view")
    for q in ("", "?entity=assets", f"?entity=users&id={account_id('board')}",
              f"?entity=review_decisions&id={a['id']}"):
        expect_problem(ctx.api.get(f"{AUDIT}{q}", as_="board"), 403, "forbidden", "entity")
    expect_problem(ctx.api.get(f"{AUDIT}?entity=assets&id={a['id']}", as_="rep"), 403,
                   "forbidden")
