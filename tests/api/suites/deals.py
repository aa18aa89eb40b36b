"""Deals: creating, reading, patching and listing them, who may see and
change which deal, validation naming the field, the audit trail, and the
stage history as a timeline ("in stage S from time T on"): back-dated
transitions take their place in time, a transition into the stage in force
at that time changes nothing, a transition at the time of an entry replaces
its stage, consecutive entries of one stage are merged, and the deal's
stage is always the stage of its latest entry."""
import base64
import re
import urllib.parse
import uuid
from datetime import datetime, timezone

from nsapi.client import expect_json, expect_problem
from nsapi.context import ctx
from nsapi.flows import account_id, audit_entries, deals_with_external_id, create_persona, user_with_token
from nsapi.harness import Failure, check, test

DEALS = "/api/v1/deals"
DEAL_KEYS = {"id", "external_id", "name", "account", "owner", "stage", "amount", "personas",
             "created_at", "updated_at", "history"}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SECONDS_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

DEC1 = "2023-12-01T00:00:00Z"
JAN1 = "2024-01-01T00:00:00Z"
JAN15 = "2024-01-15T00:00:00Z"
FEB1 = "2024-02-01T00:00:00Z"
FEB15 = "2024-02-15T00:00:00Z"
MAR1 = "2024-03-01T00:00:00Z"
APR1 = "2024-04-01T00:00:00Z"

# Callers: keyword arguments for ctx.api requests.
REP = {"as_": "rep"}
MARKETER = {"as_": "marketer"}
ADMIN = {"as_": "admin"}

_other = {}


def other_rep():
    """A second rep (made once): (user object, auth kwargs)."""
    if not _other:
        user, _, token = user_with_token("rep")
        _other["user"], _other["auth"] = user, {"token": token}
    return _other["user"], _other["auth"]


# ---------------------------------------------------------------- helpers

def parse_time(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def create(body, auth=REP):
    return ctx.api.post(DEALS, body, **auth)


def new_deal(stage="discovery", at=JAN1, auth=REP, **fields):
    """A deal made by @auth, entering @stage at @at (None: now)."""
    body = {"name": f"Deal {ctx.uniq('deal')}", "stage": stage, **fields}
    if at is not None:
        body["at"] = at
    deal = expect_json(create(body, auth), 201)
    check_deal_shape(deal)
    return deal


def get(deal_id, auth=REP):
    return ctx.api.get(f"{DEALS}/{deal_id}", **auth)


def get_deal(deal_id, auth=MARKETER):
    return expect_json(get(deal_id, auth), 200)


def patch(deal_id, body, auth=REP):
    return ctx.api.patch(f"{DEALS}/{deal_id}", body, **auth)


def stage_call(deal_id, stage, at=None, auth=REP):
    body = {"stage": stage}
    if at is not None:
        body["at"] = at
    return ctx.api.post(f"{DEALS}/{deal_id}/stage", body, **auth)


def move(deal, stage, at=None, auth=REP):
    """POST /stage, expecting 200; returns the deal it answers."""
    d = expect_json(stage_call(deal["id"], stage, at, auth), 200)
    check_deal_shape(d)
    check(d["id"] == deal["id"], f"/stage answered another deal: {d['id']} != {deal['id']}")
    return d


def list_deals(params, auth=REP):
    """GET /deals with @params (a dict, percent-encoded here)."""
    query = urllib.parse.urlencode(params, quote_via=urllib.parse.quote)
    return ctx.api.get(f"{DEALS}?{query}", **auth)


def list_all(params, auth=REP, limit=None):
    """Every item of a listing, following next_cursor; (items, pages)."""
    items, pages, cursor = [], 0, None
    while True:
        q = dict(params)
        if limit:
            q["limit"] = limit
        if cursor:
            q["cursor"] = cursor
        page = expect_json(list_deals(q, auth), 200)
        check(isinstance(page.get("items"), list) and "next_cursor" in page,
              f"not a page: {page}")
        items += page["items"]
        pages += 1
        cursor = page["next_cursor"]
        check(pages <= 50, "more than 50 pages: the cursor does not advance")
        if cursor is None:
            return items, pages


def ids(items):
    return [d["id"] for d in items]


def deal_count():
    """How many deals there are, as the admin lists them."""
    return len(list_all({}, ADMIN, limit=200)[0])


def check_deal_shape(d):
    check(isinstance(d, dict) and set(d) >= DEAL_KEYS,
          f"deal lacks {sorted(DEAL_KEYS - set(d or {}))}: {d}")
    check(UUID.match(str(d["id"])), f"id {d['id']!r} is not a uuid")
    for k in ("created_at", "updated_at"):
        check(isinstance(d[k], str) and SECONDS_Z.match(d[k]), f"{k} {d[k]!r} is not RFC 3339 Z")
    check(d["amount"] is None or (isinstance(d["amount"], (int, float))
                                  and not isinstance(d["amount"], bool)),
          f"amount {d['amount']!r} is not a number or null")
    check(isinstance(d["personas"], list), f"personas {d['personas']!r} is not a list")
    h = d["history"]
    check(isinstance(h, list) and h, f"history {h!r} is not a non-empty list")
    for e in h:
        check(isinstance(e, dict) and set(e) >= {"from", "to", "at", "source"},
              f"history entry {e!r} lacks from/to/at/source")
        check(isinstance(e["at"], str) and SECONDS_Z.match(e["at"]),
              f"history at {e['at']!r} is not RFC 3339 seconds Z")


def check_timeline(deal, want, what):
    """@deal's history is exactly @want ([(stage, at)]), each entry's
    `from` the previous stage, source api, and its stage the last one;
    and GET answers the same history."""
    expected = []
    prev = None
    for stage, at in want:
        expected.append({"from": prev, "to": stage, "at": at, "source": "api"})
        prev = stage
    got = [{k: e.get(k) for k in ("from", "to", "at", "source")} for e in deal["history"]]
    check(got == expected, f"{what}: history is not the expected timeline",
          f"want: {expected}", f"got:  {got}")
    check(deal["stage"] == want[-1][0],
          f"{what}: stage {deal['stage']!r}, want the latest entry's {want[-1][0]!r}")
    stored = get_deal(deal["id"])
    check(stored["history"] == deal["history"] and stored["stage"] == deal["stage"],
          f"{what}: GET answers another history than the change did",
          f"answered: {deal['stage']} {deal['history']}",
          f"GET:      {stored['stage']} {stored['history']}")


def audit_rows(deal_id):
    """[action, actor, name after, stage after] of the deal's audit entries."""
    return [[e["action"], e["actor"] or "", (e["after"] or {}).get("name") or "",
             (e["after"] or {}).get("stage") or ""] for e in audit_entries("deals", deal_id)]


def expect_refusals(attempts):
    """Runs every (label, request thunk, status, code, field) and fails
    once, listing all the answers that were not the expected problem."""
    wrong = []
    for label, send, status, code, field in attempts:
        try:
            expect_problem(send(), status, code, field)
        except Failure as e:
            wrong.append(f"{label}: {e}\n" + "\n".join(e.details))
    check(not wrong, f"{len(wrong)} of {len(attempts)} refusals were not as expected", *wrong)


def check_unchanged(before, deal_id, what):
    after = get_deal(deal_id)
    check(after == before, f"{what} changed the deal", f"before: {before}", f"after:  {after}")


# ---------------------------------------------------------------- creating

@test
def rep_creates_a_deal_with_every_field():
    p1, p2 = create_persona(), create_persona()
    ext = ctx.uniq("ext")
    body = {"name": "Acme renewal", "stage": "discovery", "external_id": ext,
            "account": "Acme Corp", "amount": 12345.5, "personas": [p1, p2], "at": JAN1}
    deal = expect_json(create(body), 201)
    check_deal_shape(deal)
    got = {k: deal[k] for k in ("external_id", "name", "account", "stage", "amount")}
    want = {"external_id": ext, "name": "Acme renewal", "account": "Acme Corp",
            "stage": "discovery", "amount": 12345.5}
    check(got == want, f"created {got}, want {want}")
    check(sorted(deal["personas"]) == sorted([p1, p2]), f"personas {deal['personas']}")
    check(deal["owner"] == account_id("rep"),
          f"owner {deal['owner']!r}, want the caller {account_id('rep')}")
    check_timeline(deal, [("discovery", JAN1)], "a new deal")
    check(get_deal(deal["id"], REP) == deal, "GET by its owner answers another deal",
          f"created: {deal}")


@test
def deal_defaults_to_no_optional_fields_and_entering_its_stage_now():
    before = datetime.now(timezone.utc)
    deal = new_deal("prospecting", at=None)
    check((deal["external_id"], deal["account"], deal["amount"], deal["personas"])
          == (None, None, None, []),
          f"optional fields: external_id {deal['external_id']!r}, account {deal['account']!r}, "
          f"amount {deal['amount']!r}, personas {deal['personas']!r}")
    check(deal["owner"] == account_id("rep"), f"owner {deal['owner']!r}, want the caller")
    h = deal["history"]
    check(len(h) == 1 and h[0]["from"] is None and h[0]["to"] == "prospecting"
          and h[0]["source"] == "api", f"history {h}")
    at = parse_time(h[0]["at"])
    check(abs((at - parse_time(deal["created_at"])).total_seconds()) <= 2,
          f"default at {h[0]['at']} is not the creation time {deal['created_at']}")
    check(abs((at - before).total_seconds()) <= 120,
          f"default at {h[0]['at']} is not now ({before.isoformat()})")


@test
def amount_zero_and_null_external_ids_are_accepted():
    a = new_deal(amount=0, external_id=None)
    b = new_deal(amount=None)
    check(a["amount"] == 0 and a["external_id"] is None, f"amount 0 deal: {a}")
    check(b["amount"] is None and b["external_id"] is None, f"amount null deal: {b}")
    check(a["id"] != b["id"], "two deals got one id")
    long_name = "n" * 300
    c = new_deal(name=long_name, external_id="e" * 190 + ctx.run_id + "0123")
    check(c["name"] == long_name, "a 300-character name was changed")


@test
def marketer_creates_a_deal_owned_by_a_rep():
    rep = account_id("rep")
    deal = new_deal(auth=MARKETER, owner=rep)
    check(deal["owner"] == rep, f"owner {deal['owner']!r}, want the rep {rep}")
    check(get_deal(deal["id"], REP)["id"] == deal["id"], "the owning rep cannot read it")
    _, b = other_rep()
    expect_problem(get(deal["id"], b), 404, "not_found")
    mine = new_deal(auth=MARKETER)
    check(mine["owner"] == account_id("marketer"), f"default owner {mine['owner']!r}")


@test
def at_with_an_offset_is_stored_in_utc():
    deal = new_deal(at="2024-01-01T01:30:00+01:30")
    check_timeline(deal, [("discovery", JAN1)], "created at 01:30+01:30")
    deal = move(deal, "proposal", "2024-01-31T19:00:00-05:00")
    check_timeline(deal, [("discovery", JAN1), ("proposal", FEB1)], "moved at 19:00-05:00")


@test
def deal_create_validation_names_the_field():
    persona = create_persona()
    base = {"name": f"Invalid {ctx.uniq('deal')}", "stage": "discovery"}
    cases = [
        ({"name": None}, 400, "missing_field", "name"),
        ({"stage": None}, 400, "missing_field", "stage"),
        ({"name": ""}, 400, "invalid_field", "name"),
        ({"name": "x" * 301}, 400, "invalid_field", "name"),
        ({"name": 7}, 400, "invalid_field", "name"),
        ({"stage": "no-such-stage"}, 400, "invalid_field", "stage"),
        ({"owner": str(uuid.uuid4())}, 400, "invalid_field", "owner"),
        ({"owner": "not-a-uuid"}, 400, "invalid_field", "owner"),
        ({"personas": ["no-such-persona"]}, 400, "invalid_field", "personas"),
        ({"personas": [persona, "no-such-persona"]}, 400, "invalid_field", "personas"),
        ({"personas": "just-one"}, 400, "invalid_field", "personas"),
        ({"amount": -1}, 400, "invalid_field", "amount"),
        ({"amount": -0.01}, 400, "invalid_field", "amount"),
        ({"amount": "100"}, 400, "invalid_field", "amount"),
        ({"external_id": ""}, 400, "invalid_field", "external_id"),
        ({"external_id": "x" * 201}, 400, "invalid_field", "external_id"),
        ({"account": ""}, 400, "invalid_field", "account"),
        ({"at": "yesterday"}, 400, "invalid_field", "at"),
        ({"at": "2024-01-01 00:00:00Z"}, 400, "invalid_field", "at"),
        ({"at": "2024-01-01T00:00:00"}, 400, "invalid_field", "at"),
        ({"color": "red"}, 400, "unknown_field", "color"),
    ]
    count = deal_count()
    attempts = []
    for change, status, code, field in cases:
        body = {k: v for k, v in {**base, **change}.items() if v is not None}
        attempts.append((f"POST {body}"[:200], lambda b=body: create(b, MARKETER),
                         status, code, field))
    expect_refusals(attempts)
    check(deal_count() == count, f"refused creations stored {deal_count() - count} deal(s)")


OUT_OF_RANGE = ("2024-13-01T00:00:00Z", "2024-02-30T00:00:00Z", "2024-01-01T00:61:00Z")


@test
def deal_at_out_of_range_is_invalid_field_at():
    # Well-formed RFC 3339 shapes with impossible dates or times.
    count = deal_count()
    expect_refusals([(f"POST /deals at={at}",
                      lambda at=at: create({"name": "Bad at", "stage": "discovery", "at": at},
                                           MARKETER), 400, "invalid_field", "at")
                     for at in OUT_OF_RANGE])
    check(deal_count() == count, f"refused creations stored {deal_count() - count} deal(s)")


@test
def stage_change_at_out_of_range_is_invalid_field_at():
    deal = new_deal("discovery", JAN1)
    before = get_deal(deal["id"])
    expect_refusals([(f"POST /stage at={at}", lambda at=at: stage_call(deal["id"], "proposal", at),
                      400, "invalid_field", "at") for at in OUT_OF_RANGE])
    check_unchanged(before, deal["id"], "refused stage changes")


@test
def duplicate_deal_external_id_is_conflict():
    ext = ctx.uniq("ext")
    first = new_deal(external_id=ext)
    r = create({"name": "Second", "stage": "discovery", "external_id": ext}, MARKETER)
    expect_problem(r, 409, "conflict", "external_id")
    n = len(deals_with_external_id(ext))
    check(n == 1, f"{n} deals with external_id {ext}")
    other = new_deal(external_id=ctx.uniq("ext"))
    expect_problem(patch(other["id"], {"external_id": ext}), 409, "conflict", "external_id")
    check_unchanged(other, other["id"], "a conflicting PATCH")
    check(get_deal(first["id"])["external_id"] == ext, "the first deal lost its external_id")


@test
def rep_may_not_name_another_owner():
    b, _ = other_rep()
    count = deal_count()
    r = create({"name": "Not mine", "stage": "discovery", "owner": b["id"]})
    expect_problem(r, 403, "forbidden", "owner")
    check(deal_count() == count, "a refused creation stored a deal")
    own = new_deal(owner=account_id("rep"))
    check(own["owner"] == account_id("rep"), f"owner {own['owner']!r}")


# ---------------------------------------------------------------- timeline

@test
def in_order_transitions_build_the_timeline():
    deal = new_deal("discovery", JAN1)
    deal = move(deal, "proposal", FEB1)
    check_timeline(deal, [("discovery", JAN1), ("proposal", FEB1)], "after proposal@Feb1")
    deal = move(deal, "negotiation", MAR1)
    check_timeline(deal, [("discovery", JAN1), ("proposal", FEB1), ("negotiation", MAR1)],
                   "after negotiation@Mar1")


@test
def transition_without_at_is_recorded_now():
    deal = new_deal("discovery", at=None)
    deal = move(deal, "proposal")
    h = deal["history"]
    check([(e["from"], e["to"]) for e in h] == [(None, "discovery"), ("discovery", "proposal")],
          f"history {h}")
    check(deal["stage"] == "proposal", f"stage {deal['stage']!r}")
    now = datetime.now(timezone.utc)
    check(abs((parse_time(h[1]["at"]) - now).total_seconds()) <= 120,
          f"a transition without at is at {h[1]['at']}, not now ({now.isoformat()})")
    check(parse_time(h[1]["at"]) >= parse_time(h[0]["at"]), f"history out of order: {h}")


@test
def out_of_order_transition_is_inserted_in_its_place():
    deal = new_deal("discovery", JAN1)
    deal = move(deal, "negotiation", MAR1)
    deal = move(deal, "proposal", FEB1)
    check_timeline(deal, [("discovery", JAN1), ("proposal", FEB1), ("negotiation", MAR1)],
                   "proposal@Feb1 posted after negotiation@Mar1")
    deal = move(deal, "evaluation", JAN15)
    check_timeline(deal, [("discovery", JAN1), ("evaluation", JAN15), ("proposal", FEB1),
                          ("negotiation", MAR1)], "evaluation@Jan15 posted last")


@test
def back_dated_transition_before_the_first_entry_becomes_the_first():
    deal = new_deal("discovery", JAN1)
    deal = move(deal, "proposal", FEB1)
    deal = move(deal, "prospecting", DEC1)
    check_timeline(deal, [("prospecting", DEC1), ("discovery", JAN1), ("proposal", FEB1)],
                   "prospecting@Dec1 posted last")


@test
def duplicate_transition_changes_nothing():
    deal = new_deal("discovery", JAN1)
    deal = move(deal, "proposal", FEB1)
    deal = move(deal, "negotiation", MAR1)
    want = [("discovery", JAN1), ("proposal", FEB1), ("negotiation", MAR1)]
    before = get_deal(deal["id"])
    audit = audit_rows(deal["id"])
    for stage, at in [("proposal", FEB1), ("discovery", JAN1), ("negotiation", MAR1),
                      ("proposal", FEB1)]:
        d = move(deal, stage, at)
        check_timeline(d, want, f"repeating {stage}@{at}")
    check_unchanged(before, deal["id"], "repeating existing transitions")
    check(audit_rows(deal["id"]) == audit, "repeating existing transitions wrote audit rows",
          f"before: {audit}", f"after:  {audit_rows(deal['id'])}")


@test
def moving_to_the_current_stage_is_a_no_op():
    deal = new_deal("discovery", at=None)
    before = get_deal(deal["id"])
    d = move(deal, "discovery")
    check(d["history"] == before["history"] and d["stage"] == "discovery",
          f"moving to the current stage (now) changed the history: {d['history']}")
    check_unchanged(before, deal["id"], "moving to the current stage")
    dated = new_deal("discovery", JAN1)
    dated = move(dated, "proposal", FEB1)
    for at in (MAR1, FEB15, None):
        d = move(dated, "proposal", at)
        check_timeline(d, [("discovery", JAN1), ("proposal", FEB1)],
                       f"proposal again at {at or 'now'}")


@test
def transition_into_the_stage_in_force_at_that_time_is_a_no_op():
    deal = new_deal("discovery", JAN1)
    deal = move(deal, "negotiation", MAR1)
    before = get_deal(deal["id"])
    d = move(deal, "discovery", FEB1)
    check_timeline(d, [("discovery", JAN1), ("negotiation", MAR1)],
                   "discovery@Feb1 while in discovery since Jan1")
    check_unchanged(before, deal["id"], "a transition into the stage in force")


@test
def back_dated_transition_into_the_next_stage_moves_its_start_earlier():
    deal = new_deal("discovery", JAN1)
    deal = move(deal, "proposal", MAR1)
    deal = move(deal, "proposal", FEB15)
    check_timeline(deal, [("discovery", JAN1), ("proposal", FEB15)],
                   "proposal@Feb15 with proposal@Mar1 in the history")
    deal = move(deal, "negotiation", APR1)
    deal = move(deal, "discovery", DEC1)
    check_timeline(deal, [("discovery", DEC1), ("proposal", FEB15), ("negotiation", APR1)],
                   "discovery@Dec1 before discovery@Jan1")


@test
def transition_at_the_time_of_an_entry_replaces_its_stage():
    deal = new_deal("discovery", JAN1)
    deal = move(deal, "proposal", FEB1)
    deal = move(deal, "negotiation", MAR1)
    deal = move(deal, "evaluation", FEB1)
    check_timeline(deal, [("discovery", JAN1), ("evaluation", FEB1), ("negotiation", MAR1)],
                   "evaluation@Feb1 over proposal@Feb1")
    deal = move(deal, "closed_lost", MAR1)
    check_timeline(deal, [("discovery", JAN1), ("evaluation", FEB1), ("closed_lost", MAR1)],
                   "closed_lost@Mar1 over the latest entry negotiation@Mar1")
    first = move(deal, "prospecting", JAN1)
    check_timeline(first, [("prospecting", JAN1), ("evaluation", FEB1), ("closed_lost", MAR1)],
                   "prospecting@Jan1 over the first entry")


@test
def replacement_repeating_a_neighbouring_stage_is_merged():
    deal = new_deal("discovery", JAN1)
    deal = move(deal, "proposal", FEB1)
    deal = move(deal, "negotiation", MAR1)
    deal = move(deal, "discovery", FEB1)
    check_timeline(deal, [("discovery", JAN1), ("negotiation", MAR1)],
                   "discovery@Feb1 over proposal@Feb1 (repeats discovery@Jan1)")
    deal = move(deal, "negotiation", JAN1)
    check_timeline(deal, [("negotiation", JAN1)],
                   "negotiation@Jan1 over discovery@Jan1 (negotiation@Mar1 follows)")


@test
def current_stage_is_the_latest_entry_after_a_back_dated_transition():
    acct = f"Latest {ctx.uniq('acct')}"
    deal = new_deal("discovery", JAN1, account=acct)
    deal = move(deal, "proposal")  # now
    deal = move(deal, "closed_won", JAN15)
    h = deal["history"]
    check([(e["from"], e["to"]) for e in h]
          == [(None, "discovery"), ("discovery", "closed_won"), ("closed_won", "proposal")],
          f"history after closed_won@Jan15: {h}")
    check(h[1]["at"] == JAN15, f"closed_won at {h[1]['at']}")
    check(deal["stage"] == "proposal",
          f"stage {deal['stage']!r} after a back-dated closed_won; the latest entry is proposal")
    check(get_deal(deal["id"])["stage"] == "proposal", "GET: stage is not the latest entry's")
    check(ids(list_all({"q": acct, "stage": "proposal"})[0]) == [deal["id"]],
          "stage=proposal does not list a deal whose latest entry is proposal")
    check(ids(list_all({"q": acct, "stage": "closed_won"})[0]) == [],
          "stage=closed_won lists a deal whose back-dated closed_won is not its latest entry")
    deal = move(deal, "closed_won", FEB1)
    check(deal["stage"] == "proposal", f"stage {deal['stage']!r} after closed_won@Feb1")


@test
def stage_change_validation_names_the_field():
    deal = new_deal("discovery", JAN1)
    before = get_deal(deal["id"])
    path = f"{DEALS}/{deal['id']}/stage"
    post = lambda body: (lambda: ctx.api.post(path, body, **REP))  # noqa: E731
    expect_refusals([
        ("unknown stage with at", post({"stage": "no-such-stage", "at": FEB1}),
         400, "invalid_field", "stage"),
        ("unknown stage", post({"stage": "no-such-stage"}), 400, "invalid_field", "stage"),
        ("no stage", post({"at": FEB1}), 400, "missing_field", "stage"),
        ("null stage", post({"stage": None}), 400, "missing_field", "stage"),
        ("at not RFC 3339", post({"stage": "proposal", "at": "Feb 1 2024"}),
         400, "invalid_field", "at"),
        ("unknown field", post({"stage": "proposal", "note": "x"}), 400, "unknown_field", "note"),
    ] + [(f"{bad} as {auth}", lambda bad=bad, auth=auth: stage_call(bad, "proposal", FEB1, auth),
          404, "not_found", None)
         for bad in (str(uuid.uuid4()), "not-a-uuid") for auth in (REP, MARKETER)])
    check_unchanged(before, deal["id"], "refused stage changes")


# ---------------------------------------------------------------- patching

@test
def deal_patch_changes_only_the_given_fields():
    p1, p2 = create_persona(), create_persona()
    deal = new_deal("discovery", JAN1, external_id=ctx.uniq("ext"), account="Old account",
                    amount=100, personas=[p1])
    deal = move(deal, "proposal", FEB1)
    d = expect_json(patch(deal["id"], {"name": "Renamed"}), 200)
    check_deal_shape(d)
    same = lambda x: {k: v for k, v in x.items() if k not in ("name", "updated_at")}  # noqa
    check(d["name"] == "Renamed" and same(d) == same(deal),
          "PATCH of the name changed other fields", f"before: {deal}", f"after:  {d}")
    check(parse_time(d["updated_at"]) >= parse_time(deal["updated_at"]),
          f"updated_at went back: {deal['updated_at']} -> {d['updated_at']}")
    ext = ctx.uniq("ext")
    d = expect_json(patch(deal["id"], {"account": "New account", "amount": 99.25,
                                       "personas": [p2, p1], "external_id": ext}), 200)
    check((d["account"], d["amount"], sorted(d["personas"]), d["external_id"], d["name"])
          == ("New account", 99.25, sorted([p1, p2]), ext, "Renamed"), f"after PATCH: {d}")
    d = expect_json(patch(deal["id"], {"account": None, "amount": None, "personas": [],
                                       "external_id": None}), 200)
    check((d["account"], d["amount"], d["personas"], d["external_id"])
          == (None, None, [], None), f"after clearing: {d}")
    check(d["stage"] == "proposal" and d["history"] == deal["history"],
          f"PATCH changed the timeline: {d['stage']} {d['history']}")
    check(get_deal(deal["id"], REP) == d, "GET answers another deal than the PATCH did")


@test
def deal_patch_validation_names_the_field():
    deal = new_deal("discovery", JAN1)
    before = get_deal(deal["id"])
    both = (REP, MARKETER)
    cases = [
        ({"stage": "proposal"}, both, "unknown_field", "stage"),
        ({"at": FEB1}, both, "unknown_field", "at"),
        ({"name": "Renamed", "stage": "proposal"}, both, "unknown_field", "stage"),
        ({"name": ""}, both, "invalid_field", "name"),
        ({"name": "x" * 301}, both, "invalid_field", "name"),
        ({"amount": -1}, both, "invalid_field", "amount"),
        ({"personas": ["no-such-persona"]}, both, "invalid_field", "personas"),
        ({"external_id": ""}, both, "invalid_field", "external_id"),
        ({"owner": "not-a-uuid"}, both, "invalid_field", "owner"),
        # a rep naming anyone else is refused (403) before the user is looked up
        ({"owner": str(uuid.uuid4())}, (MARKETER,), "invalid_field", "owner"),
        ({"id": str(uuid.uuid4())}, both, "unknown_field", "id"),
    ]
    expect_refusals([(f"PATCH {body} as {auth}",
                      lambda body=body, auth=auth: patch(deal["id"], body, auth), 400, code, field)
                     for body, callers, code, field in cases for auth in callers]
                    + [(f"PATCH {bad}", lambda bad=bad: patch(bad, {"name": "X"}, MARKETER),
                        404, "not_found", None) for bad in (str(uuid.uuid4()), "not-a-uuid")])
    check_unchanged(before, deal["id"], "refused PATCHes")


# ---------------------------------------------------------------- who sees what

@test
def rep_cannot_see_or_change_another_reps_deal():
    _, b = other_rep()
    deal = new_deal("discovery", JAN1, auth=b, account="B's account")
    before = get_deal(deal["id"])
    expect_problem(get(deal["id"], REP), 404, "not_found")
    expect_problem(patch(deal["id"], {"name": "Taken by A"}, REP), 404, "not_found")
    expect_problem(patch(deal["id"], {"owner": account_id("rep")}, REP), 404, "not_found")
    expect_problem(stage_call(deal["id"], "closed_lost", FEB1, REP), 404, "not_found")
    expect_problem(stage_call(deal["id"], "closed_lost", None, REP), 404, "not_found")
    check_unchanged(before, deal["id"], "rep A's refused calls on rep B's deal")
    check(get_deal(deal["id"], b) == before, "rep B cannot read their own deal")


@test
def unknown_malformed_and_foreign_deal_ids_are_not_found():
    _, b = other_rep()
    foreign = new_deal(auth=b)["id"]
    for target in (foreign, str(uuid.uuid4()), "not-a-uuid", "0"):
        expect_problem(get(target, REP), 404, "not_found")
    for target in (str(uuid.uuid4()), "not-a-uuid"):
        expect_problem(get(target, MARKETER), 404, "not_found")


@test
def marketers_and_admins_see_and_change_every_deal():
    b_user, b = other_rep()
    deal = new_deal("discovery", JAN1, auth=b)
    for auth in (MARKETER, ADMIN):
        check(get_deal(deal["id"], auth)["id"] == deal["id"], f"{auth} cannot read it")
    d = expect_json(patch(deal["id"], {"name": "Renamed by marketing"}, MARKETER), 200)
    check(d["name"] == "Renamed by marketing" and d["owner"] == b_user["id"], f"patched {d}")
    d = move(deal, "proposal", FEB1, ADMIN)
    check_timeline(d, [("discovery", JAN1), ("proposal", FEB1)], "moved by an admin")
    seen = get_deal(deal["id"], b)
    check((seen["name"], seen["stage"]) == ("Renamed by marketing", "proposal"),
          f"the owner sees {seen['name']!r} in {seen['stage']!r}")


@test
def rep_may_not_give_their_deal_away():
    b_user, _ = other_rep()
    deal = new_deal()
    before = get_deal(deal["id"])
    expect_problem(patch(deal["id"], {"owner": b_user["id"]}), 403, "forbidden", "owner")
    check_unchanged(before, deal["id"], "a refused owner change")
    d = expect_json(patch(deal["id"], {"owner": account_id("rep"), "name": "Still mine"}), 200)
    check((d["owner"], d["name"]) == (account_id("rep"), "Still mine"), f"patched {d}")


@test
def marketer_reassigns_a_deal():
    b_user, b = other_rep()
    acct = f"Reassigned {ctx.uniq('acct')}"
    deal = new_deal(account=acct)
    d = expect_json(patch(deal["id"], {"owner": b_user["id"]}, MARKETER), 200)
    check(d["owner"] == b_user["id"], f"owner {d['owner']!r}")
    expect_problem(get(deal["id"], REP), 404, "not_found")
    check(get_deal(deal["id"], b)["owner"] == b_user["id"], "the new owner cannot read it")
    check(ids(list_all({"q": acct}, REP)[0]) == [], "the former owner still lists it")
    check(ids(list_all({"q": acct}, b)[0]) == [deal["id"]], "the new owner does not list it")


# ---------------------------------------------------------------- listing

def make_listing_set():
    """Seven deals of the rep under one fresh account name, oldest first,
    and one of the other rep under the same account."""
    tag = ctx.uniq("acct")
    acct = f"Pager {tag} Inc"
    stages = ["discovery", "proposal", "discovery", "negotiation", "proposal", "discovery",
              "closed_won"]
    mine = [new_deal(s, JAN1, account=acct, name=f"Page deal {i}") for i, s in enumerate(stages)]
    _, b = other_rep()
    theirs = new_deal("proposal", JAN1, auth=b, account=acct)
    return tag, acct, mine, theirs


@test
def list_pages_through_every_deal_once_newest_first():
    tag, acct, mine, theirs = make_listing_set()
    items, pages = list_all({"q": tag}, REP, limit=3)
    got = ids(items)
    want = [d["id"] for d in reversed(mine)]
    check(pages == 3, f"7 deals in pages of 3 took {pages} pages")
    check(len(got) == len(set(got)), f"a deal listed twice: {got}")
    check(set(got) == set(want), f"missing {set(want) - set(got)}, extra {set(got) - set(want)}")
    check(got == want, "not newest first", f"want: {want}", f"got:  {got}")
    stamps = [d["created_at"] for d in items]
    check(stamps == sorted(stamps, reverse=True), f"created_at not descending: {stamps}")
    first = expect_json(list_deals({"q": tag, "limit": 3}), 200)
    check(len(first["items"]) == 3 and first["next_cursor"],
          f"first page: {len(first['items'])} items, next_cursor {first['next_cursor']!r}")
    whole = expect_json(list_deals({"q": tag, "limit": 7}), 200)
    check(ids(whole["items"]) == want and whole["next_cursor"] is None,
          f"limit=7: {ids(whole['items'])}, next_cursor {whole['next_cursor']!r}")
    check(whole["items"][0] == get_deal(mine[-1]["id"]), "a listed deal differs from its GET")
    all_items, _ = list_all({"q": tag}, MARKETER, limit=3)
    check(len(all_items) == 8 and set(ids(all_items)) == set(want) | {theirs["id"]},
          f"marketer's pages: {ids(all_items)}")


@test
def list_q_matches_name_or_account_case_insensitively():
    tag, acct, mine, _ = make_listing_set()
    named = new_deal(name=f"Zebra {tag} Project")
    by_account = {d["id"] for d in mine}
    for q, want in ((tag, by_account | {named["id"]}),
                    (tag.upper(), by_account | {named["id"]}),
                    (f"pager {tag}", by_account),
                    (f"PAGER {tag.upper()} inc", by_account),
                    (f"zEBRA {tag}", {named["id"]}),
                    (f"{tag} project", {named["id"]}),
                    (f"{tag}-nothing", set())):
        got = ids(list_all({"q": q})[0])
        check(len(got) == len(set(got)) and set(got) == want,
              f"q={q!r}: missing {want - set(got)}, extra {set(got) - want}")


@test
def list_q_finds_a_deal_by_its_crm_id_pasted_whole():
    crm = f"006{ctx.uniq('Hs').replace('-', '')}"
    d = new_deal(name=f"Renewal {ctx.uniq('crm')}", external_id=crm)
    other = new_deal(name=f"Renewal {ctx.uniq('crm')}")
    check(ids(list_all({"q": crm})[0]) == [d["id"]], f"q={crm!r} did not find the deal alone")
    check(ids(list_all({"q": crm}, MARKETER)[0]) == [d["id"]], "a marketer did not find it")
    check(ids(list_all({"q": crm[:-2]})[0]) == [], "a part of the id matched")
    check(ids(list_all({"q": crm}, other_rep()[1])[0]) == [],
          "another rep found a deal that is not theirs")


@test
def list_q_treats_percent_and_underscore_literally():
    tag = ctx.uniq("lit")
    pct = new_deal(name=f"{tag} 50% off")
    new_deal(name=f"{tag} 50x off")
    und = new_deal(name=f"{tag} a_b")
    new_deal(name=f"{tag} axb")
    check(ids(list_all({"q": f"{tag} 50%"})[0]) == [pct["id"]], "q with % acts as a wildcard")
    check(ids(list_all({"q": f"{tag} a_b"})[0]) == [und["id"]], "q with _ acts as a wildcard")


@test
def list_stage_filter_uses_the_current_stage():
    tag, acct, mine, _ = make_listing_set()
    moved_in = move(mine[0], "proposal", FEB1)       # discovery -> proposal
    moved_out = move(mine[1], "negotiation", FEB1)   # proposal -> negotiation
    by_stage = {}
    for d in mine:
        by_stage.setdefault(get_deal(d["id"])["stage"], set()).add(d["id"])
    check(moved_in["id"] in by_stage["proposal"] and moved_out["id"] in by_stage["negotiation"],
          f"stages after moving: {by_stage}")
    for stage in ("discovery", "proposal", "negotiation", "closed_won", "closed_lost"):
        got = list_all({"q": tag, "stage": stage})[0]
        check(set(ids(got)) == by_stage.get(stage, set()),
              f"stage={stage}: {ids(got)}, want {by_stage.get(stage, set())}")
        check(all(d["stage"] == stage for d in got), f"stage={stage} lists other stages")
    check(ids(list_all({"stage": "no-such-stage"}, MARKETER)[0]) == [],
          "an unknown stage lists deals")


@test
def rep_lists_only_their_own_deals():
    tag, acct, mine, theirs = make_listing_set()
    b_user, b = other_rep()
    want = {d["id"] for d in mine}
    for params in ({"q": tag}, {"q": tag, "owner": "me"},
                   {"q": tag, "owner": account_id("rep")}):
        got = set(ids(list_all(params)[0]))
        check(got == want, f"{params}: missing {want - got}, extra {got - want}")
    check(ids(list_all({"q": tag}, b)[0]) == [theirs["id"]], "rep B's own listing is wrong")
    everything = list_all({}, REP, limit=200)[0]
    check(everything and all(d["owner"] == account_id("rep") for d in everything),
          "a rep's unfiltered listing has others' deals")
    expect_problem(list_deals({"q": tag, "owner": b_user["id"]}), 403, "forbidden")
    expect_problem(list_deals({"owner": account_id("marketer")}), 403, "forbidden")


@test
def marketer_lists_all_deals_or_one_owners():
    tag, acct, mine, theirs = make_listing_set()
    b_user, _ = other_rep()
    got = set(ids(list_all({"q": tag}, MARKETER)[0]))
    check(got == {d["id"] for d in mine} | {theirs["id"]}, f"marketer's q listing: {got}")
    got = ids(list_all({"q": tag, "owner": b_user["id"]}, MARKETER)[0])
    check(got == [theirs["id"]], f"owner=<rep B>: {got}")
    got = set(ids(list_all({"q": tag, "owner": account_id("rep")}, ADMIN)[0]))
    check(got == {d["id"] for d in mine}, f"admin, owner=<rep A>: {got}")
    own = new_deal(auth=MARKETER, account=acct)
    got = ids(list_all({"q": tag, "owner": "me"}, MARKETER)[0])
    check(got == [own["id"]], f"marketer, owner=me: {got}")


def b64(text):
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@test
def list_parameters_are_validated():
    for cursor in ("%%%", "not*base64", b64("hello world"),
                   b64("2024-01-01T00:00:00Z not-a-uuid"), b64(f"yesterday {uuid.uuid4()}")):
        for auth in (REP, MARKETER):
            expect_problem(list_deals({"cursor": cursor}, auth), 400, "invalid_parameter",
                           "cursor")
    for limit in ("0", "201", "abc", "-1"):
        expect_problem(list_deals({"limit": limit}), 400, "invalid_parameter", "limit")
    expect_problem(list_deals({"owner": "nobody"}, MARKETER), 400, "invalid_parameter", "owner")


# ---------------------------------------------------------------- audit

@test
def deal_changes_are_audited_with_the_actor():
    deal = new_deal("discovery", JAN1)
    rows = audit_rows(deal["id"])
    check(rows and rows[0][:2] == ["create", account_id("rep")],
          f"no 'create' audit row by the rep first: {rows}")
    name = f"Audited {ctx.uniq('n')}"
    expect_json(patch(deal["id"], {"name": name}, MARKETER), 200)
    rows = audit_rows(deal["id"])
    check(["update", account_id("marketer"), name, "discovery"] in rows,
          f"no 'update' row by the marketer with the new name: {rows}")
    move(deal, "negotiation", FEB1, REP)
    rows = audit_rows(deal["id"])
    check(["update", account_id("rep"), name, "negotiation"] in rows,
          f"no 'update' row by the rep with the new stage: {rows}")


@test
def a_deal_answers_its_owners_name_beside_the_id():
    deal = new_deal()
    check(deal["owner_name"] == ctx.accounts["rep"].name, f"owner_name {deal.get('owner_name')!r}")
    listed = [d for d in expect_json(ctx.api.get(f"{DEALS}?limit=200", as_="marketer"), 200)["items"]
              if d["id"] == deal["id"]]
    check(listed and listed[0]["owner_name"] == ctx.accounts["rep"].name, f"listed {listed}")
