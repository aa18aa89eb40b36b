"""The editorial board (GET /api/v1/reviews, POST .../decision): the queue
of a prepared dataset (each dataset has an owner of its own, and the queue
is read filtered by that owner) in order with its evidence, and what each
decision does to search, recommendations, tracked links, the queue and the
owner's notifications."""
from nsapi.client import expect_json, expect_problem
from nsapi.context import ctx
from nsapi.flows import account_id, audit_entries, create_persona, create_stage, user_with_token
from nsapi.harness import check, test
from nsapi.proc import arrange, sql_literal
from suites.analytics import ago, day, run_default_test, two_to_one

Q = "/api/v1/reviews"


def owner():
    """A marketer owning a dataset; returns (id, token)."""
    user, _, token = user_with_token("marketer")
    return user["id"], token


def asset(owner_id, **fields):
    body = {"title": ctx.uniq("Review asset"), "kind": "guide", "intent": "sales",
            "url": "https://example.com/" + ctx.uniq("r"), "status": "published",
            "owner": owner_id, **fields}
    return expect_json(ctx.api.post("/api/v1/assets", body, as_="marketer"), 201)


def decisions_of(asset_id):
    """The asset's review decisions as the audit trail recorded them."""
    return [e["after"] for e in audit_entries("review_decisions")
            if e["action"] == "create" and e["after"]["asset_id"] == asset_id]


def published_days_ago(asset_id, days):
    arrange(f"UPDATE assets SET published_at = now() - interval '{days} days'"
         f" WHERE id = {sql_literal(asset_id)}")


def queue(owner_id, as_="board", **q):
    query = "&".join(f"{k}={v}" for k, v in {"owner": owner_id, **q}.items())
    return expect_json(ctx.api.get(f"{Q}?{query}", as_=as_), 200)


def listed(owner_id, **q):
    return [i["asset_id"] for i in queue(owner_id, **q)["items"]]


def decide(asset_id, decision, note="board says so", as_="board", **more):
    return ctx.api.post(f"{Q}/{asset_id}/decision", {"decision": decision, "note": note, **more},
                        as_=as_)


def notifications(token):
    return expect_json(ctx.api.get("/api/v1/notifications?limit=200", token=token),
                       200)["items"]


@test
def the_queue_lists_each_problem_oldest_first_with_its_evidence():
    o, _ = owner()
    p = create_persona()
    never = asset(o, personas=[p])
    published_days_ago(never["id"], 100)            # problem since: 70 days ago
    expired = asset(o, expires_at=ago(200))          # since: 200 days ago
    hurts, s = two_to_one(4, owner=o)                # since: its first share, day(0, 1)
    healthy = asset(o)
    share = expect_json(ctx.api.post("/api/v1/shares", {"asset_id": healthy["id"],
                                                       "channel": "email"}, as_="rep"), 201)
    ctx.api.get(f"/s/{share['token']}", headers={"User-Agent": "Mozilla/5.0 Firefox/120.0"})
    expect_json(ctx.api.post(f"/api/v1/assets/{never['id']}/feedback",
                             {"rating": 2, "comment": "too long"}, as_="rep"), 201)
    req = expect_json(ctx.api.post("/api/v1/requests", {"title": "A guide"}, as_="rep"), 201)
    expect_json(ctx.api.patch(f"/api/v1/requests/{req['id']}",
                              {"status": "fulfilled", "asset_id": never["id"]},
                              as_="marketer"), 200)
    run_default_test()

    body = queue(o)
    items = {i["asset_id"]: i for i in body["items"]}
    check(listed(o) == [hurts["id"], expired["id"], never["id"]],
          f"queue order {listed(o)}, want hurts, expired, never shared", body)
    check(healthy["id"] not in items, "a shared and opened asset is in the queue")
    check(items[hurts["id"]]["reasons"] == ["stale", "never_opened", "fails_stage_test", "hurts"],
          f"reasons {items[hurts['id']]['reasons']}")
    check(items[hurts["id"]]["problem_since"] == day(0, 1), f"since {items[hurts['id']]}")
    check(items[expired["id"]]["reasons"] == ["expired"], f"{items[expired['id']]['reasons']}")
    check(items[never["id"]]["reasons"] == ["never_shared"], f"{items[never['id']]['reasons']}")

    ev = items[hurts["id"]]["evidence"]
    check((ev["shares"], ev["opens"], ev["human_opens"], ev["last_shared_at"])
          == (40, 0, 0, day(0, 1)), f"usage evidence {ev}")
    v = ev["verdicts"]
    check([(x["stage"], x["verdict"], x["n"], x["observed"]) for x in v] == [(s, "hurts", 40, 4)]
          and v[0]["lift"] < 1, f"verdicts {v}")
    # In words: what the verdict means, then the summary sentence.
    check(v[0]["summary"].startswith(f"Of 40 deals that got this in Stage {s}, 4 (10%) moved on"
                                     " within 30 days; comparable deals at the same point moved"
                                     " on 40% of the time: about 0.2\u00d7 (plausibly ")
          and v[0]["explanation"] == "Deals that got it moved on less often. " + v[0]["summary"],
          f"words {v[0]}")
    check(ev["owner"]["id"] == o, f"owner {ev['owner']}")
    ev = items[never["id"]]["evidence"]
    check(ev["feedback"]["answers"] == 1 and ev["feedback"]["rating_avg"] == 2,
          f"feedback evidence {ev['feedback']}")
    check([r["id"] for r in ev["fulfilled_requests"]] == [req["id"]],
          f"fulfilled requests {ev['fulfilled_requests']}")

    check(listed(o, reason="expired") == [expired["id"]], "reason=expired")
    check(listed(o, reason="hurts") == [hurts["id"]], "reason=hurts")
    check(listed(o, stage=s) == [hurts["id"]], "stage filter")
    check(listed(o, persona=p) == [never["id"]], "persona filter")
    pages, cursor = [], None
    while True:
        page = queue(o, limit=1, **({"cursor": cursor} if cursor else {}))
        pages += [i["asset_id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None or len(pages) > 3:
            break
    check(pages == listed(o), f"one by one {pages}")
    expect_problem(ctx.api.get(f"{Q}?reason=bored", as_="board"), 400, "invalid_parameter")


def search_ids(word):
    body = expect_json(ctx.api.get(f"/api/v1/assets?q={word}", as_="rep"), 200)
    return [a["id"] for a in body["items"]]


def recommended(deal_id):
    body = expect_json(ctx.api.get(f"/api/v1/deals/{deal_id}/recommendations", as_="rep"), 200)
    return [a["id"] for a in body["items"]]


@test
def archive_hides_from_search_and_recommendations_retire_ends_links_restore_undoes():
    o, token = owner()
    s = create_stage()
    word = "zr" + ctx.uniq("w").replace("-", "")
    a = asset(o, title=f"Guide {word}", stages=[s])
    published_days_ago(a["id"], 100)
    share = expect_json(ctx.api.post("/api/v1/shares", {"asset_id": a["id"], "channel": "email"},
                                     as_="rep"), 201)
    deal = expect_json(ctx.api.post("/api/v1/deals", {"name": "Review deal", "stage": s},
                                    as_="rep"), 201)
    check(search_ids(word) == [a["id"]] and a["id"] in recommended(deal["id"]),
          "the published asset is found and recommended")
    check(listed(o) == [a["id"]], "never opened: in the queue")

    d = expect_json(decide(a["id"], "archive", note="outdated pricing"), 201)
    check((d["decision"], d["status_before"], d["status_after"], d["note"])
          == ("archive", "published", "archived", "outdated pricing"), f"decision {d}")
    check(d["evidence"]["shares"] == 1 and d["actor"] == account_id("board"), f"evidence {d}")
    check(search_ids(word) == [] and a["id"] not in recommended(deal["id"]),
          "an archived asset is still found or recommended")
    check(ctx.api.get(f"/s/{share['token']}").status == 302, "a shared link stops working")
    check(listed(o) == [], "an archived asset stays in the queue")
    kept = [[str(d["evidence"]["shares"]), d["note"]] for d in decisions_of(a["id"])]
    check(kept == [["1", "outdated pricing"]], f"stored decision {kept}")

    expect_json(decide(a["id"], "retire"), 201)
    gone = ctx.api.get(f"/s/{share['token']}")
    expect_problem(gone, 410, "gone")
    page = ctx.api.get(f"/s/{share['token']}", headers={"Accept": "text/html"})
    check(page.status == 410 and page.header("Content-Type").startswith("text/html")
          and b"retired" in page.body, "a retired link's page", page.describe())
    shares = expect_json(ctx.api.get(f"/api/v1/shares?asset={a['id']}", as_="admin"), 200)["items"]
    opens = [s["opens"] for s in shares]
    check(opens == [1], f"opens of a retired link recorded: {opens}")

    r = expect_json(decide(a["id"], "restore", note="back by demand"), 201)
    check(r["status_after"] == "published", f"restore {r}")
    check(ctx.api.get(f"/s/{share['token']}").status == 302, "restored link")
    check(search_ids(word) == [a["id"]] and a["id"] in recommended(deal["id"]),
          "a restored asset is found and recommended again")
    kinds = [n["kind"] for n in notifications(token)]
    check(kinds.count("review_archive") == 1 and kinds.count("review_retire") == 1
          and kinds.count("review_restore") == 1, f"owner's notifications {kinds}")
    history = [[d["decision"], d["status_after"]] for d in decisions_of(a["id"])]
    check(history == [["archive", "archived"], ["retire", "retired"],
                      ["restore", "published"]], f"history {history}")
    audit = expect_json(ctx.api.get(f"/api/v1/audit?entity=review_decisions&limit=200",
                                     as_="admin"), 200)["items"]
    check(sum(1 for e in audit if e["after"]["asset_id"] == a["id"]) == 3,
          "every decision is in the audit trail")


@test
def decisions_the_status_does_not_allow_are_refused():
    o, _ = owner()
    a = asset(o)
    expect_problem(decide(a["id"], "restore"), 409, "conflict")
    expect_json(decide(a["id"], "archive"), 201)
    for again in ("archive", "keep", "refresh"):
        expect_problem(decide(a["id"], again), 409, "conflict")
    draft = asset(o, status="draft")
    expect_problem(decide(draft["id"], "retire"), 409, "conflict")
    expect_problem(decide("6f1c1c1e-0000-4000-8000-000000000000", "keep"), 404, "not_found")
    expect_problem(decide(a["id"], "delete"), 400, "invalid_field")
    expect_problem(ctx.api.post(f"{Q}/{a['id']}/decision", {"decision": "retire"}, as_="board"),
                   400, "missing_field")
    expect_problem(decide(a["id"], "retire", snooze_days=5), 400, "invalid_field")
    expect_problem(decide(a["id"], "retire", as_="marketer"), 403, "forbidden")
    count = len(decisions_of(a["id"]))
    check(count == 1, f"refused decisions stored: {count}")
    expect_problem(ctx.api.get(f"{Q}?owner={o}", as_="rep"), 403, "forbidden")


def snooze_ends(asset_id):
    """Time passes: the asset's last decision's snooze is over (decisions
    cannot be changed, so the test does it with triggers off)."""
    arrange("SET session_replication_role = replica; UPDATE review_decisions"
         " SET snoozed_until = now() - interval '1 second' WHERE id = (SELECT max(id)"
         f" FROM review_decisions WHERE asset_id = {sql_literal(asset_id)})")


@test
def keep_hides_until_the_snooze_ends_or_new_evidence_appears():
    o, token = owner()
    quiet, talked = asset(o, expires_at=ago(10)), asset(o, expires_at=ago(20))
    check(listed(o) == [talked["id"], quiet["id"]], f"queue {listed(o)}")
    for a in (quiet, talked):
        d = expect_json(decide(a["id"], "keep", note="still the best we have", snooze_days=30),
                        201)
        check(d["status_after"] == "published" and d["snoozed_until"] is not None, f"{d}")
    check(listed(o) == [], f"kept assets still listed: {listed(o)}")
    snoozed = {i["asset_id"]: i for i in queue(o, snoozed=1)["items"]}
    check(set(snoozed) == {quiet["id"], talked["id"]}
          and all(i["snoozed"] and i["last_decision"]["decision"] == "keep"
                  for i in snoozed.values()), f"snoozed=1 {snoozed}")
    expect_json(ctx.api.post(f"/api/v1/assets/{talked['id']}/feedback",
                             {"useful_to_prospect": False}, as_="marketer"), 201)
    items = queue(o)["items"]
    check([(i["asset_id"], i["new_evidence"]) for i in items] == [(talked["id"], True)],
          f"new feedback brings the asset back: {items}")
    snooze_ends(quiet["id"])
    check(listed(o) == [talked["id"], quiet["id"]], f"after the snooze {listed(o)}")
    kinds = [n["kind"] for n in notifications(token)]
    check(kinds.count("review_keep") == 2, f"owner's notifications {kinds}")
    expect_problem(decide(quiet["id"], "keep", snooze_days=0), 400, "invalid_field")


@test
def refresh_asks_the_owner_for_a_new_edition_and_keeps_the_asset_published():
    o, token = owner()
    a = asset(o, expires_at=ago(5))
    d = expect_json(decide(a["id"], "refresh", note="update the 2025 figures"), 201)
    rq = d["request"]
    want = [ago(-90)[:10], ago(-90.01)[:10]]  # the default snooze, around midnight too
    check(d["snoozed_until"][:10] in want, f"snoozed until {d['snoozed_until']}, want {want}")
    check((rq["assignee"], rq["refreshes"], rq["status"], rq["detail"])
          == (o, a["id"], "open", "update the 2025 figures"), f"request {rq}")
    check(a["title"] in rq["title"], f"request title {rq['title']}")
    listed_requests = expect_json(ctx.api.get("/api/v1/requests?limit=200", as_="marketer"),
                                  200)["items"]
    check(rq["id"] in [r["id"] for r in listed_requests], "the request is listed")
    got = expect_json(ctx.api.get(f"/api/v1/assets/{a['id']}", as_="marketer"), 200)
    check(got["status"] == "published", f"status after refresh {got['status']}")
    check(listed(o) == [], "a refreshed asset stays in the queue while its request is worked on")
    check([n["kind"] for n in notifications(token)] == ["review_refresh"],
          "owner told of the refresh")
    # That the database refuses to delete or change a decision is the db
    # tier's check (tests/db/sql_checks.py).


@test
def the_decisions_are_listed_newest_first_with_names_for_the_board_and_marketers():
    o, _ = owner()
    a, b = asset(o, title=ctx.uniq("Decided A")), asset(o)
    expect_json(decide(a["id"], "archive", note="first"), 201)
    expect_json(decide(b["id"], "keep", note="elsewhere", snooze_days=7), 201)
    made = expect_json(decide(a["id"], "restore", note="second", as_="admin"), 201)
    check(made["actor_name"] == ctx.accounts["admin"].name, f"the decision's answer {made}")
    for who in ("board", "marketer", "admin"):
        items = expect_json(ctx.api.get(f"{Q}/decisions?asset={a['id']}", as_=who),
                            200)["items"]
        check([(d["decision"], d["note"], d["actor_name"], d["status_before"], d["status_after"])
               for d in items] == [("restore", "second", ctx.accounts["admin"].name, "archived",
                                    "published"),
                                   ("archive", "first", ctx.accounts["board"].name, "published",
                                    "archived")], f"{who} reads {items}")
        check(all(d["asset_title"] == a["title"] and d["asset_status"] == "published"
                  and d["evidence"]["shares"] == 0 for d in items), f"asset and evidence {items}")
    every = [d["asset_id"] for d in expect_json(ctx.api.get(f"{Q}/decisions?limit=200",
                                                            as_="board"), 200)["items"]]
    check(every[:3] == [a["id"], b["id"], a["id"]], f"all decisions, newest first: {every[:3]}")
    seen, cursor = [], None
    for _ in range(4):
        page = expect_json(ctx.api.get(f"{Q}/decisions?asset={a['id']}&limit=1"
                                       + (f"&cursor={cursor}" if cursor else ""), as_="board"), 200)
        seen += [d["note"] for d in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    check(seen == ["second", "first"], f"one by one {seen}")
    expect_problem(ctx.api.get(f"{Q}/decisions", as_="rep"), 403, "forbidden")
    expect_problem(ctx.api.get(f"{Q}/decisions?asset=nope", as_="board"), 400,
                   "invalid_parameter", "asset")


@test
def a_board_member_who_is_a_rep_reads_archived_and_retired_assets_but_not_drafts():
    o, _ = owner()
    a = asset(o)
    expect_json(decide(a["id"], "retire", note="gone"), 201)
    got = expect_json(ctx.api.get(f"/api/v1/assets/{a['id']}", as_="board"), 200)
    check(got["status"] == "retired", f"the board member reads {got['status']}")
    expect_problem(ctx.api.get(f"/api/v1/assets/{a['id']}", as_="rep"), 404, "not_found")
    draft = asset(o, status="draft")
    expect_problem(ctx.api.get(f"/api/v1/assets/{draft['id']}", as_="board"), 404, "not_found")
    found = expect_json(ctx.api.get("/api/v1/assets?status=retired", as_="board"), 200)["items"]
    check(a["id"] not in [x["id"] for x in found], "search shows a board rep a retired asset")
