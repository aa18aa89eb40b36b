"""Content requests: reps ask, marketers move them through the states (the
state machine refuses illegal moves with 409), the requester is told at
each step, reps see only their own."""
from nsapi.client import expect_json, expect_problem
from nsapi.context import ctx
from nsapi.flows import account_id, create_persona, user_with_token
from nsapi.harness import check, test

REQ = "/api/v1/requests"


def new_request(**fields):
    body = {"title": ctx.uniq("Need a battlecard"), **fields}
    return expect_json(ctx.api.post(REQ, body, as_="rep"), 201)


def move(req_id, body, as_="marketer"):
    return ctx.api.patch(f"{REQ}/{req_id}", body, as_=as_)


def notes_about(title):
    items = expect_json(ctx.api.get("/api/v1/notifications?limit=200", as_="rep"), 200)["items"]
    return [n for n in items if title in n["message"]]


@test
def a_request_moves_through_its_states_and_the_requester_hears_each_step():
    p = create_persona()
    r = new_request(persona=p, stage="evaluation", detail="Against the new competitor")
    check((r["status"], r["persona"], r["stage"]) == ("open", p, "evaluation"), f"created {r}")
    cov = expect_json(ctx.api.get("/api/v1/analytics/coverage", as_="marketer"), 200)["cells"]
    cell = [c for c in cov if c["persona"] == p and c["stage"] == "evaluation"]
    check(cell and cell[0]["open_requests"] == 1, f"coverage counts the open request: {cell}")
    asset = expect_json(ctx.api.post("/api/v1/assets", {
        "title": ctx.uniq("Battlecard"), "kind": "battlecard", "intent": "sales",
        "url": "https://example.com/" + ctx.uniq("b")}, as_="marketer"), 201)
    for status in ("planned", "in_progress"):
        check(expect_json(move(r["id"], {"status": status}), 200)["status"] == status, status)
    done = expect_json(move(r["id"], {"status": "fulfilled", "asset_id": asset["id"]}), 200)
    check(done["status"] == "fulfilled" and done["asset_id"] == asset["id"], f"fulfilled {done}")
    cov = expect_json(ctx.api.get("/api/v1/analytics/coverage", as_="marketer"), 200)["cells"]
    cell = [c for c in cov if c["persona"] == p and c["stage"] == "evaluation"]
    check(cell and cell[0]["open_requests"] == 0, f"a fulfilled request is not open: {cell}")
    kinds = sorted(n["kind"] for n in notes_about(r["title"]))
    check(kinds == ["request_fulfilled", "request_in_progress", "request_planned"],
          f"notifications {kinds}")


@test
def illegal_moves_are_409_and_change_nothing():
    r = new_request()
    expect_problem(move(r["id"], {"status": "open"}), 409, "conflict", "status")
    expect_json(move(r["id"], {"status": "declined", "decline_reason": "We have one"}), 200)
    for body in ({"status": "planned"}, {"status": "in_progress"},
                 {"status": "declined", "decline_reason": "again"}):
        expect_problem(move(r["id"], body), 409, "conflict", "status")
    mine = expect_json(ctx.api.get(f"{REQ}?status=declined", as_="rep"), 200)["items"]
    got = [x for x in mine if x["id"] == r["id"]]
    check(len(got) == 1 and got[0]["decline_reason"] == "We have one", f"after refusals {got}")
    check([n["kind"] for n in notes_about(r["title"])] == ["request_declined"], "one notification")


@test
def requests_are_checked():
    expect_problem(ctx.api.post(REQ, {}, as_="rep"), 400, "missing_field", "title")
    expect_problem(ctx.api.post(REQ, {"title": "x", "persona": "nobody-such"}, as_="rep"), 400,
                   "invalid_field", "persona")
    expect_problem(ctx.api.post(REQ, {"title": "x", "stage": "nowhere"}, as_="rep"), 400,
                   "invalid_field", "stage")
    r = new_request()
    expect_problem(move(r["id"], {"status": "fulfilled"}), 400, "missing_field", "asset_id")
    expect_problem(move(r["id"], {"status": "declined"}), 400, "missing_field", "decline_reason")
    expect_problem(move(r["id"], {"status": "fulfilled",
                                  "asset_id": "00000000-0000-4000-8000-000000000000"}),
                   400, "invalid_field", "asset_id")
    expect_problem(move(r["id"], {"status": "planned"}, as_="rep"), 403, "forbidden")
    expect_problem(move("00000000-0000-4000-8000-000000000000", {"status": "planned"}), 404,
                   "not_found")


@test
def reps_see_only_their_own_requests():
    mine = new_request()
    theirs = expect_json(ctx.api.post(REQ, {"title": ctx.uniq("Board wants")}, as_="board"), 201)
    seen = {x["id"] for x in expect_json(ctx.api.get(f"{REQ}?limit=200", as_="rep"), 200)["items"]}
    check(mine["id"] in seen and theirs["id"] not in seen, "a rep saw another rep's request")
    all_ = {x["id"] for x in expect_json(ctx.api.get(f"{REQ}?limit=200", as_="marketer"),
                                         200)["items"]}
    check({mine["id"], theirs["id"]} <= all_, "a marketer does not see every request")


@test
def a_request_answers_its_requesters_name():
    r = new_request()
    check(r["requester_name"] == ctx.accounts["rep"].name and r["assignee_name"] is None,
          f"names {r.get('requester_name')!r}, {r.get('assignee_name')!r}")


@test
def a_marketer_assigns_a_request_and_the_assignee_is_told():
    colleague, _, token = user_with_token("marketer")
    r = new_request()
    got = expect_json(move(r["id"], {"assignee": colleague["id"]}), 200)
    check((got["status"], got["assignee"], got["assignee_name"])
          == ("open", colleague["id"], colleague["name"]), f"assigned {got}")
    told = expect_json(ctx.api.get("/api/v1/notifications", token=token), 200)["items"]
    check([(n["kind"], r["title"] in n["message"]) for n in told] == [("request_assigned", True)],
          f"the assignee's notifications {told}")
    check(notes_about(r["title"]) == [], "the requester is told of an assignment")
    # Taking it oneself with a move: no notification to oneself.
    got = expect_json(move(r["id"], {"status": "planned", "assignee": account_id("marketer")}), 200)
    check((got["status"], got["assignee"]) == ("planned", account_id("marketer")), f"taken {got}")
    mine = expect_json(ctx.api.get("/api/v1/notifications", as_="marketer"), 200)["items"]
    check(not [n for n in mine if r["title"] in n["message"]], f"told of one's own move {mine}")
    check([n["kind"] for n in notes_about(r["title"])] == ["request_planned"], "the requester")
    got = expect_json(move(r["id"], {"assignee": None}), 200)
    check(got["assignee"] is None and got["status"] == "planned", f"unassigned {got}")
    expect_problem(move(r["id"], {"assignee": account_id("rep")}), 400, "invalid_field",
                   "assignee")
    expect_problem(move(r["id"], {"assignee": "00000000-0000-4000-8000-000000000000"}), 400,
                   "invalid_field", "assignee")
    expect_problem(move(r["id"], {"assignee": "someone"}), 400, "invalid_field", "assignee")
    expect_problem(move(r["id"], {}), 400, "missing_field", "status")
    expect_json(move(r["id"], {"status": "declined", "decline_reason": "We have one"}), 200)
    expect_problem(move(r["id"], {"assignee": colleague["id"]}), 409, "conflict", "assignee")


@test
def a_fulfilled_request_names_its_assets_title():
    asset = expect_json(ctx.api.post("/api/v1/assets", {
        "title": ctx.uniq("Answer"), "kind": "guide", "intent": "sales",
        "url": "https://example.com/" + ctx.uniq("a"), "status": "published"}, as_="marketer"), 201)
    r = new_request()
    check(r["asset_title"] is None, f"an open request's asset title {r}")
    expect_json(move(r["id"], {"status": "fulfilled", "asset_id": asset["id"]}), 200)
    mine = expect_json(ctx.api.get(f"{REQ}?status=fulfilled", as_="rep"), 200)["items"]
    got = [x for x in mine if x["id"] == r["id"]]
    check(got and got[0]["asset_title"] == asset["title"], f"the rep reads {got}")


@test
def a_marketer_moving_their_own_request_is_not_told_of_it():
    # As "plan content for this" on the coverage dashboard does: the
    # marketer asks, then plans what they asked for.
    title = ctx.uniq("Plan a pricing one-pager")
    r = expect_json(ctx.api.post(REQ, {"title": title}, as_="marketer"), 201)
    expect_json(move(r["id"], {"status": "planned"}), 200)
    mine = expect_json(ctx.api.get("/api/v1/notifications?limit=200", as_="marketer"), 200)["items"]
    check(not [n for n in mine if title in n["message"]], f"told of one's own move: {mine}")
    # Moved by someone else, the requester hears of it.
    expect_json(move(r["id"], {"status": "in_progress"}, as_="admin"), 200)
    mine = expect_json(ctx.api.get("/api/v1/notifications?limit=200", as_="marketer"), 200)["items"]
    check([n["kind"] for n in mine if title in n["message"]] == ["request_in_progress"],
          f"the requester's notifications: {mine}")
