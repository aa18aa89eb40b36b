"""The CRM webhook: signed bodies, idempotent events, stage names from the
CRM's own pipeline (aliases), and the fields of a known deal."""
import hashlib
import hmac
import json

from nsapi.client import expect_json, expect_problem
from nsapi.context import ctx
from nsapi.harness import check, test
from nsapi.flows import account_id, audit_entries, deals_with_external_id

HOOK = "/api/v1/hooks/crm"


def post_event(event, secret=None, signature=None, raw=None):
    body = raw if raw is not None else json.dumps(event).encode()
    if signature is None:
        key = (secret if secret is not None else ctx.webhook_secret).encode()
        signature = "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()
    headers = {"X-Nextstage-Signature": signature} if signature else {}
    return ctx.api.post(HOOK, raw=body, content_type="application/json", headers=headers)


def event(**fields):
    return {"event_id": ctx.uniq("ev"), "external_id": ctx.uniq("crm"), "stage": "discovery",
            **fields}


def deal_count(external_id):
    return len(deals_with_external_id(external_id))


@test
def a_signed_event_creates_the_deal_and_records_the_stage():
    e = event(name="Globex expansion", stage="proposal", at="2026-03-01T09:00:00Z",
              crm_owner={"id": 7}, amount=5000)
    body = expect_json(post_event(e), 200)
    deal = body["deal"]
    check(body["duplicate"] is False, f"duplicate {body['duplicate']} on the first delivery")
    check((deal["external_id"], deal["name"], deal["stage"], deal["amount"])
          == (e["external_id"], "Globex expansion", "proposal", 5000), f"deal {deal}")
    check(deal["history"] == [{"from": None, "to": "proposal", "at": "2026-03-01T09:00:00Z",
                               "source": "webhook"}], f"history {deal['history']}")


@test
def a_replayed_event_changes_nothing():
    e = event()
    first = expect_json(post_event(e), 200)
    again = expect_json(post_event({**e, "stage": "negotiation"}), 200)
    check(again["duplicate"] is True, "the replay was not recognised as a duplicate")
    check(again["deal"]["stage"] == "discovery" and again["deal"] == first["deal"],
          f"the replay changed the deal: {again['deal']}")
    check(deal_count(e["external_id"]) == 1, "the replay created a second deal")


@test
def later_events_move_the_known_deal():
    e = event(at="2026-01-01T00:00:00Z")
    expect_json(post_event(e), 200)
    later = event(external_id=e["external_id"], stage="evaluation", at="2026-02-01T00:00:00Z")
    deal = expect_json(post_event(later), 200)["deal"]
    check([h["to"] for h in deal["history"]] == ["discovery", "evaluation"],
          f"history {deal['history']}")
    check(deal_count(e["external_id"]) == 1, "a second event created a second deal")


@test
def crm_stage_names_are_mapped_through_aliases():
    for name, slug in (("Qualified To Buy", "discovery"), ("closedwon", "closed_won"),
                       ("Proposal/Price Quote", "proposal"), ("  Negotiation/Review ", "negotiation")):
        deal = expect_json(post_event(event(stage=name)), 200)["deal"]
        check(deal["stage"] == slug, f"CRM stage {name!r} became {deal['stage']!r}, want {slug}")


@test
def an_unknown_stage_is_400_and_the_event_can_be_sent_again():
    e = event(stage="Somewhere Else")
    expect_problem(post_event(e), 400, "invalid_field", "stage")
    check(deal_count(e["external_id"]) == 0, "a refused event created a deal")
    body = expect_json(post_event({**e, "stage": "discovery"}), 200)
    check(body["duplicate"] is False, "a refused event's id was kept as processed")


@test
def bad_missing_or_foreign_signatures_are_401():
    e = event()
    expect_problem(post_event(e, signature=""), 401, "bad_signature")
    expect_problem(post_event(e, secret="not the secret"), 401, "bad_signature")
    expect_problem(post_event(e, signature="sha256=" + "0" * 64), 401, "bad_signature")
    expect_problem(post_event(e, signature="sha1=abcdef"), 401, "bad_signature")
    # the signature covers the exact bytes: re-serialised JSON does not verify
    body = json.dumps(e).encode()
    sig = "sha256=" + hmac.new(ctx.webhook_secret.encode(), body, hashlib.sha256).hexdigest()
    expect_problem(post_event(e, signature=sig, raw=json.dumps(e, indent=1).encode()), 401,
                   "bad_signature")
    check(deal_count(e["external_id"]) == 0, "an unsigned event created a deal")


@test
def signed_garbage_is_400_and_missing_fields_are_named():
    expect_problem(post_event(None, raw=b"{not json"), 400, "invalid_json")
    e = event()
    del e["external_id"]
    expect_problem(post_event(e), 400, "missing_field", "external_id")
    expect_problem(post_event(event(at="yesterday")), 400, "invalid_field", "at")


@test
def marketers_edit_the_stage_aliases_and_events_follow_them():
    name = f"Technical Win {ctx.run_id}"
    expect_problem(ctx.api.post("/api/v1/stage-aliases", {"alias": name, "stage": "nowhere"},
                                as_="marketer"), 400, "invalid_field", "stage")
    expect_problem(post_event(event(stage=name)), 400, "invalid_field", "stage")
    expect_json(ctx.api.post("/api/v1/stage-aliases", {"alias": name, "stage": "evaluation"},
                             as_="marketer"), 200)
    listed = expect_json(ctx.api.get("/api/v1/stage-aliases", as_="marketer"), 200)["items"]
    check({"alias": name.lower(), "stage": "evaluation"} in listed,
          f"the new alias is not listed (stored lower-case): {[a for a in listed if 'technical' in a['alias']]}")
    check(expect_json(post_event(event(stage=name.upper())), 200)["deal"]["stage"] == "evaluation",
          "an event did not follow the new alias")
    r = ctx.api.delete("/api/v1/stage-aliases?alias=" + name.replace(" ", "%20"), as_="marketer")
    check(r.status == 204, f"DELETE alias: {r.status}", r.describe())
    expect_problem(post_event(event(stage=name)), 400, "invalid_field", "stage")
    r = ctx.api.delete("/api/v1/stage-aliases?alias=" + name.replace(" ", "%20"), as_="marketer")
    expect_problem(r, 404, "not_found")


@test
def events_on_a_known_deal_apply_its_fields_audited_as_deal_changes():
    e = event(name="Initech pilot", account="Initech", amount=1000, owner_email="rep@example.test",
              at="2026-01-05T00:00:00Z")
    deal = expect_json(post_event(e), 200)["deal"]
    check((deal["name"], deal["account"], deal["amount"], deal["owner"])
          == ("Initech pilot", "Initech", 1000, account_id("rep")), f"created {deal}")
    update = event(external_id=e["external_id"], stage="evaluation", at="2026-01-20T00:00:00Z",
                   name="Initech rollout", account="Initech Corp", amount=25000.5,
                   owner_email="Marketer@Example.test")
    deal = expect_json(post_event(update), 200)["deal"]
    check((deal["name"], deal["account"], deal["amount"], deal["owner"], deal["stage"])
          == ("Initech rollout", "Initech Corp", 25000.5, account_id("marketer"), "evaluation"),
          f"the update was not applied: {deal}")
    changes = [x for x in audit_entries("deals", deal["id"])
               if x["action"] == "update" and x["before"]["name"] != x["after"]["name"]]
    check(len(changes) == 1, f"{len(changes)} audit entries renamed the deal", changes)
    c = changes[0]
    check((c["before"]["name"], c["before"]["account"], c["before"]["amount"], c["before"]["owner"])
          == ("Initech pilot", "Initech", 1000, account_id("rep"))
          and (c["after"]["name"], c["after"]["account"], c["after"]["amount"],
               c["after"]["owner"])
          == ("Initech rollout", "Initech Corp", 25000.5, account_id("marketer"))
          and c["actor"] is None, f"the audit entry of the update: {c}")
    # absent fields are kept; null ones cleared (a null name keeps the name)
    deal = expect_json(post_event(event(external_id=e["external_id"], stage="evaluation")),
                       200)["deal"]
    check((deal["name"], deal["account"], deal["amount"], deal["owner"])
          == ("Initech rollout", "Initech Corp", 25000.5, account_id("marketer")),
          f"an event without the fields changed them: {deal}")
    deal = expect_json(post_event(event(external_id=e["external_id"], stage="evaluation",
                                        name=None, account=None, amount=None,
                                        owner_email=None)), 200)["deal"]
    check((deal["name"], deal["account"], deal["amount"], deal["owner"])
          == ("Initech rollout", None, None, None), f"null fields were not cleared: {deal}")


@test
def an_unknown_owner_email_is_400_and_nothing_of_the_event_is_kept():
    e = event(owner_email="nobody@example.test")
    expect_problem(post_event(e), 400, "invalid_field", "owner_email")
    check(deal_count(e["external_id"]) == 0, "an event with an unknown owner created the deal")
    known = event(name="Hooli", owner_email="rep@example.test")
    before = expect_json(post_event(known), 200)["deal"]
    refused = event(external_id=known["external_id"], stage="proposal", name="Hooli XL",
                    owner_email="nobody@example.test")
    p = expect_problem(post_event(refused), 400, "invalid_field", "owner_email")
    check("nobody@example.test" in p["detail"], f"detail {p['detail']!r}")
    after = deals_with_external_id(known["external_id"])[0]
    check((after["name"], after["stage"], after["owner"]) == (before["name"], before["stage"],
                                                              before["owner"]),
          f"a refused event changed the deal: {after}")
    again = expect_json(post_event({**refused, "owner_email": "rep@example.test"}), 200)
    check(again["duplicate"] is False and again["deal"]["name"] == "Hooli XL",
          f"the refused event's id was kept: {again}")
