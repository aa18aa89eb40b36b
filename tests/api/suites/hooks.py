"""Webhooks as CRMs send them: HubSpot's own format and v3 signature, and
the webhook secrets admins manage through the API (create, list, rotate
with an overlap, revoke), with no restart between a change and its effect.

This suite's server has no secret in its environment (so "no secret of
the kind" can be shown) and seals the secrets it stores under a key of
its own; NEXTSTAGE_PUBLIC_URL is a proxy's address, which HubSpot's
signature covers."""
import base64
import hashlib
import hmac
import json
import os
import random
import time
import uuid

from nsapi.client import Api, expect_json, expect_problem, expect_status
from nsapi.context import ctx
from nsapi.flows import account_id, audit_entries, deals_with_external_id
from nsapi.harness import check, test
from nsapi.proc import Server, stored, sql_literal

PUBLIC_URL = "https://crm-gateway.example.test/nextstage"
SECRET_KEY = os.urandom(32).hex()
SERVER_ENV = {"NEXTSTAGE_WEBHOOK_SECRET": None, "NEXTSTAGE_HUBSPOT_CLIENT_SECRET": None,
              "NEXTSTAGE_PUBLIC_URL": PUBLIC_URL, "NEXTSTAGE_SECRET_KEY": SECRET_KEY}

HUBSPOT = "/api/v1/hooks/hubspot"
CRM = "/api/v1/hooks/crm"
SECRETS = "/api/v1/webhook-secrets"

_object_ids = iter(range(random.randrange(10**9, 10**11), 10**12))
_event_ids = iter(range(random.randrange(10**6, 10**8), 10**9))


# ---------------------------------------------------------------- HubSpot's side

# The escapes HubSpot decodes in the URI it signs (its "validating
# requests" guide); every other byte stays as sent.
HUBSPOT_DECODED = {"%3A": ":", "%2F": "/", "%3F": "?", "%40": "@", "%21": "!", "%24": "$",
                   "%27": "'", "%28": "(", "%29": ")", "%2A": "*", "%2C": ",", "%3B": ";"}


def hubspot_uri(uri):
    out, i = [], 0
    while i < len(uri):
        esc = uri[i:i + 3].upper()
        if esc in HUBSPOT_DECODED:
            out.append(HUBSPOT_DECODED[esc])
            i += 3
        else:
            out.append(uri[i])
            i += 1
    return "".join(out)


def hubspot_signature(secret, method, uri, body, timestamp):
    """X-HubSpot-Signature-v3 as HubSpot computes it: base64 of the
    HMAC-SHA256 of method + decoded URI + body + timestamp."""
    source = method.encode() + hubspot_uri(uri).encode() + body + str(timestamp).encode()
    return base64.b64encode(hmac.new(secret.encode(), source, hashlib.sha256).digest()).decode()


def now_ms():
    return int(time.time() * 1000)


def post_hubspot(events, secret, *, target=HUBSPOT, timestamp=None, signed_uri=None,
                 signed_body=None, raw=None, signature=None, api=None):
    """POSTs @events (or @raw bytes) to @target as HubSpot would, signed
    under @secret for PUBLIC_URL + @target (or @signed_uri) and
    @signed_body (default: the body sent)."""
    body = raw if raw is not None else json.dumps(events).encode()
    ts = now_ms() if timestamp is None else timestamp
    if signature is None:
        signature = hubspot_signature(secret, "POST", signed_uri or PUBLIC_URL + target,
                                      signed_body if signed_body is not None else body, ts)
    headers = {"X-HubSpot-Request-Timestamp": str(ts)}
    if signature:
        headers["X-HubSpot-Signature-v3"] = signature
    return (api or ctx.api).post(target, raw=body, content_type="application/json",
                                 headers=headers)


def stage_change(object_id, stage, at_ms, event_id=None):
    return {"eventId": event_id or next(_event_ids), "subscriptionId": 4711, "portalId": 62515,
            "appId": 54321, "occurredAt": at_ms, "subscriptionType": "deal.propertyChange",
            "attemptNumber": 0, "objectId": object_id, "propertyName": "dealstage",
            "propertyValue": stage, "changeSource": "CRM_UI", "sourceId": "userId:10202051"}


def creation(object_id, at_ms, event_id=None):
    return {"eventId": event_id or next(_event_ids), "subscriptionId": 4712, "portalId": 62515,
            "appId": 54321, "occurredAt": at_ms, "subscriptionType": "deal.creation",
            "attemptNumber": 0, "objectId": object_id, "changeFlag": "CREATED",
            "changeSource": "CRM_UI"}


def whole_second_ms(days_ago=0):
    """A time in ms on a whole second (the history shows seconds)."""
    return (int(time.time()) - days_ago * 86400) * 1000


def rfc3339(ms):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms // 1000))


def deal_of(object_id):
    found = deals_with_external_id(str(object_id))
    check(len(found) <= 1, f"{len(found)} deals have external_id {object_id}")
    return found[0] if found else None


# ---------------------------------------------------------------- the CRM's side

def post_crm(event, secret, api=None):
    body = json.dumps(event).encode()
    sig = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return (api or ctx.api).post(CRM, raw=body, content_type="application/json",
                                 headers={"X-Nextstage-Signature": sig})


def crm_event(**fields):
    return {"event_id": ctx.uniq("ev"), "external_id": ctx.uniq("crm"), "stage": "discovery",
            **fields}


# ---------------------------------------------------------------- secrets

def create_secret(kind, secret=None, label=None, who="admin"):
    body = {"kind": kind, "label": label or ctx.uniq(f"{kind}-label")}
    if secret is not None:
        body["secret"] = secret
    return expect_json(ctx.api.post(SECRETS, body, as_=who), 201)


def hubspot_secret():
    """A HubSpot client secret (HubSpot's are UUIDs), stored through the API."""
    value = str(uuid.uuid4())
    return create_secret("hubspot", value)["secret"]


def listed(kind=None):
    q = f"?kind={kind}" if kind else ""
    return expect_json(ctx.api.get(SECRETS + q, as_="admin"), 200)["items"]


def revoke_all(kind):
    for s in listed(kind):
        expect_status(ctx.api.delete(f"{SECRETS}/{s['id']}", as_="admin"), 204)
    check(listed(kind) == [], f"{kind} secrets are still listed after revoking them all")


# ---------------------------------------------------------------- the HubSpot webhook

@test
def a_v3_signed_stage_change_moves_the_deal_to_the_aliased_stage():
    secret = hubspot_secret()
    oid, at = next(_object_ids), whole_second_ms(days_ago=3)
    r = post_hubspot([stage_change(oid, "presentationscheduled", at)], secret)
    body = expect_json(r, 200)
    check(body == {"accepted": 1, "duplicates": 0, "ignored": 0, "rejected": []},
          f"answer {body}")
    deal = deal_of(oid)
    check(deal is not None, f"no deal has external_id {oid} (the event's objectId)")
    check(deal["stage"] == "evaluation", f"HubSpot's presentationscheduled became {deal['stage']}")
    check(deal["history"] == [{"from": None, "to": "evaluation", "at": rfc3339(at),
                               "source": "webhook"}], f"history {deal['history']}")
    later = whole_second_ms(days_ago=1)
    expect_json(post_hubspot([stage_change(oid, "contractsent", later)], secret), 200)
    deal = deal_of(oid)
    check([h["to"] for h in deal["history"]] == ["evaluation", "negotiation"],
          f"history after a second change {deal['history']}")


@test
def a_tampered_body_uri_timestamp_or_secret_is_401_bad_signature():
    secret = hubspot_secret()
    oid = next(_object_ids)
    events = [stage_change(oid, "qualifiedtobuy", whole_second_ms())]
    body = json.dumps(events).encode()
    tampered = json.dumps([{**events[0], "propertyValue": "closedwon"}]).encode()
    ts = now_ms()
    attempts = {
        "the body changed after signing": dict(raw=tampered, signed_body=body, timestamp=ts),
        "the signature of the URI as the server sees it, not as HubSpot called it":
            dict(signed_uri="http://127.0.0.1:%d%s" % (ctx.server.port, HUBSPOT)),
        "another timestamp than the one signed":
            dict(signature=hubspot_signature(secret, "POST", PUBLIC_URL + HUBSPOT, body, ts - 1),
                 timestamp=ts),
        "another method signed":
            dict(signature=hubspot_signature(secret, "PUT", PUBLIC_URL + HUBSPOT, body, ts),
                 timestamp=ts),
        "no signature": dict(signature=""),
        "not base64": dict(signature="not a signature!"),
    }
    for what, kw in attempts.items():
        p = expect_problem(post_hubspot(events, secret, **kw), 401, "bad_signature")
        check("X-HubSpot-Signature-v3" in p["detail"], f"{what}: detail {p['detail']!r}")
    expect_problem(post_hubspot(events, str(uuid.uuid4())), 401, "bad_signature")
    check(deal_of(oid) is None, "a refused delivery created the deal")
    expect_json(post_hubspot(events, secret), 200)  # the same, signed right
    check(deal_of(oid)["stage"] == "discovery", "the well-signed delivery was not applied")


@test
def a_timestamp_more_than_5_minutes_off_is_refused():
    secret = hubspot_secret()
    oid = next(_object_ids)
    events = [stage_change(oid, "appointmentscheduled", whole_second_ms())]
    for what, ts in (("6 minutes old", now_ms() - 6 * 60_000),
                     ("6 minutes ahead", now_ms() + 6 * 60_000)):
        p = expect_problem(post_hubspot(events, secret, timestamp=ts), 401, "bad_signature")
        check("X-HubSpot-Request-Timestamp" in p["detail"], f"{what}: detail {p['detail']!r}")
    check(deal_of(oid) is None, "a stale delivery created the deal")
    expect_json(post_hubspot(events, secret, timestamp=now_ms() - 4 * 60_000), 200)
    check(deal_of(oid) is not None, "a delivery 4 minutes old was refused")


@test
def the_signed_uri_keeps_the_query_and_decodes_what_hubspot_decodes():
    secret = hubspot_secret()
    oid = next(_object_ids)
    target = HUBSPOT + "?portal=a%3Ab%2Cc&note=x%20y"
    events = [stage_change(oid, "closedlost", whole_second_ms())]
    # HubSpot signs ":" and "," for %3A and %2C, but keeps %20
    signed = PUBLIC_URL + HUBSPOT + "?portal=a:b,c&note=x%20y"
    check(hubspot_uri(PUBLIC_URL + target) == signed, "the test's decoding is wrong")
    undecoded = hmac.new(secret.encode(), b"POST" + (PUBLIC_URL + target).encode()
                         + json.dumps(events).encode() + b"1", hashlib.sha256)
    expect_problem(post_hubspot(events, secret, target=target, timestamp=1,
                                signature=base64.b64encode(undecoded.digest()).decode()),
                   401, "bad_signature")
    expect_problem(post_hubspot(events, secret, target=target,
                                signed_uri=PUBLIC_URL + HUBSPOT), 401, "bad_signature")
    expect_json(post_hubspot(events, secret, target=target), 200)
    check(deal_of(oid)["stage"] == "closed_lost", "the delivery with a query was not applied")


@test
def a_creation_event_makes_the_deal_and_redelivered_events_change_nothing():
    secret = hubspot_secret()
    oid, at = next(_object_ids), whole_second_ms(days_ago=2)
    expect_json(post_hubspot([creation(oid, at)], secret), 200)
    deal = deal_of(oid)
    check(deal is not None, "deal.creation made no deal")
    check((deal["name"], deal["stage"]) == (str(oid), "prospecting"),
          f"a created deal is named by its id and starts in the first stage: {deal}")
    # HubSpot sends the first dealstage with the creation's time: it takes
    # the first stage's place
    batch = [creation(oid, at), stage_change(oid, "decisionmakerboughtin", at)]
    body = expect_json(post_hubspot(batch, secret), 200)
    check((body["accepted"], body["duplicates"]) == (2, 0), f"answer {body}")
    deal = deal_of(oid)
    check(deal["history"] == [{"from": None, "to": "proposal", "at": rfc3339(at),
                               "source": "webhook"}],
          f"a second creation moved the deal, or the first stage stayed: {deal['history']}")
    again = expect_json(post_hubspot(batch, secret), 200)
    check((again["accepted"], again["duplicates"]) == (0, 2), f"redelivery answered {again}")
    check(deal_of(oid) == deal, "a redelivered batch changed the deal")
    # eventId alone is not unique at HubSpot: the same id at another time
    # is another event
    later = whole_second_ms()
    moved = stage_change(oid, "closedwon", later, event_id=batch[1]["eventId"])
    check(expect_json(post_hubspot([moved], secret), 200)["accepted"] == 1,
          "an eventId seen before, at another time, was taken for a duplicate")
    check(deal_of(oid)["stage"] == "closed_won", "the later event did not move the deal")


@test
def unknown_stage_ids_are_rejected_alone_and_pass_once_aliased():
    secret = hubspot_secret()
    pipeline_stage = str(random.randrange(10**8, 10**9))  # a custom pipeline's stage id
    known, unknown = next(_object_ids), next(_object_ids)
    batch = [stage_change(known, "qualifiedtobuy", whole_second_ms()),
             stage_change(unknown, pipeline_stage, whole_second_ms()),
             {**creation(next(_object_ids), whole_second_ms()), "subscriptionType": "contact.creation"},
             {**stage_change(known, "5000", whole_second_ms()), "propertyName": "amount"}]
    body = expect_json(post_hubspot(batch, secret), 200)
    check((body["accepted"], body["duplicates"], body["ignored"]) == (1, 0, 2), f"answer {body}")
    check([(x["index"], x["eventId"], x["code"], x["field"]) for x in body["rejected"]]
          == [(1, batch[1]["eventId"], "invalid_field", "propertyValue")],
          f"rejected {body['rejected']}")
    check(pipeline_stage in body["rejected"][0]["detail"], f"detail {body['rejected'][0]}")
    check(deal_of(unknown) is None, "an event with an unknown stage id made a deal")
    expect_json(ctx.api.post("/api/v1/stage-aliases", {"alias": pipeline_stage,
                                                       "stage": "proposal"}, as_="marketer"), 200)
    again = expect_json(post_hubspot(batch, secret), 200)
    check((again["accepted"], again["duplicates"], again["ignored"], again["rejected"])
          == (1, 1, 2, []), f"after the alias: {again}")
    check(deal_of(unknown)["stage"] == "proposal", "the aliased stage id was not applied")


@test
def a_signed_body_that_is_not_a_batch_is_refused_with_its_field():
    secret = hubspot_secret()
    expect_problem(post_hubspot(None, secret, raw=b'{"eventId": 1}'), 400, "invalid_json")
    expect_problem(post_hubspot(None, secret, raw=b"[{"), 400, "invalid_json")
    oid = next(_object_ids)
    bad = [{**stage_change(oid, "closedwon", whole_second_ms()), "objectId": "abc"},
           {**stage_change(oid, "closedwon", whole_second_ms()), "occurredAt": -5},
           {**stage_change(oid, "closedwon", whole_second_ms()), "propertyValue": None},
           "not an event"]
    body = expect_json(post_hubspot(bad, secret), 200)
    check([(x["index"], x["field"]) for x in body["rejected"]]
          == [(0, "objectId"), (1, "occurredAt"), (2, "propertyValue"), (3, None)],
          f"rejected {body['rejected']}")
    check(body["accepted"] == 0 and deal_of(oid) is None, f"a malformed event was applied: {body}")


# ---------------------------------------------------------------- secrets through the API

@test
def secrets_are_shown_once_listed_by_label_and_managed_by_admins_only():
    label = ctx.uniq("salesforce flow")
    made = create_secret("crm", label=label)
    check(made["secret"].startswith("whsec_") and len(made["secret"]) >= 40,
          f"a generated secret {made['secret']!r}")
    check((made["kind"], made["label"], made["expires_at"], made["replaces"])
          == ("crm", label, None, None), f"created {made}")
    check(made["created_by"] == account_id("admin"), f"created_by {made['created_by']}")
    items = listed()
    mine = [s for s in items if s["label"] == label]
    check(len(mine) == 1 and mine[0] == {k: v for k, v in made.items() if k != "secret"},
          f"the listing of the new secret: {mine}")
    check(all("secret" not in s for s in items), "a listing shows a secret's value")
    check(made["secret"] not in json.dumps(items), "the value appears in the listing")
    by_label = expect_json(ctx.api.get(f"{SECRETS}?label={label.replace(' ', '%20')}",
                                       as_="admin"), 200)["items"]
    check([s["id"] for s in by_label] == [made["id"]], f"?label= listed {by_label}")
    labels = [s["label"] for s in items]
    check(labels == sorted(labels), f"not listed by label: {labels}")

    expect_problem(ctx.api.post(SECRETS, {"kind": "crm", "label": label}, as_="admin"), 409,
                   "conflict", "label")
    expect_problem(ctx.api.post(SECRETS, {"kind": "hubspot", "label": ctx.uniq("hs")},
                                as_="admin"), 400, "missing_field", "secret")
    expect_problem(ctx.api.post(SECRETS, {"kind": "zapier", "label": "x"}, as_="admin"), 400,
                   "invalid_field", "kind")
    expect_problem(ctx.api.post(SECRETS, {"kind": "crm", "label": "x", "secret": "short"},
                                as_="admin"), 400, "invalid_field", "secret")
    expect_problem(ctx.api.get(f"{SECRETS}?kind=zapier", as_="admin"), 400, "invalid_parameter",
                   "kind")
    for who in ("marketer", "rep"):
        expect_problem(ctx.api.get(SECRETS, as_=who), 403, "forbidden")
        expect_problem(ctx.api.post(SECRETS, {"kind": "crm", "label": ctx.uniq("x")}, as_=who),
                       403, "forbidden")
        expect_problem(ctx.api.post(f"{SECRETS}/{made['id']}/rotate", {}, as_=who), 403,
                       "forbidden")
        expect_problem(ctx.api.delete(f"{SECRETS}/{made['id']}", as_=who), 403, "forbidden")
    expect_problem(ctx.api.get(SECRETS), 401, "unauthorized")
    check(any(s["id"] == made["id"] for s in listed()), "a refused caller changed the secret")
    check(post_crm(crm_event(), made["secret"]).status == 200, "the new secret does not sign")


@test
def a_rotation_keeps_the_old_secret_valid_until_its_stated_expiry():
    old = create_secret("crm")
    expect_json(post_crm(crm_event(), old["secret"]), 200)
    before = time.time()
    r = expect_json(ctx.api.post(f"{SECRETS}/{old['id']}/rotate", {"overlap_seconds": 3600},
                                 as_="admin"), 201)
    new, prev = r, r["previous"]
    check(new["secret"] != old["secret"] and new["label"] == old["label"]
          and new["replaces"] == old["id"] and new["expires_at"] is None, f"rotated {new}")
    expires = time.mktime(time.strptime(prev["expires_at"], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
    check(prev["id"] == old["id"] and abs(expires - (before + 3600)) < 60,
          f"the old secret's stated expiry {prev['expires_at']} is not an hour from now")
    listing = {s["id"]: s for s in listed("crm")}
    check(listing.get(old["id"], {}).get("expires_at") == prev["expires_at"]
          and new["id"] in listing, f"listing during the overlap {listing}")
    for which, value in (("old", old["secret"]), ("new", new["secret"])):
        r = post_crm(crm_event(), value)
        check(r.status == 200, f"the {which} secret is refused during the overlap", r.describe())
    expect_problem(ctx.api.post(f"{SECRETS}/{old['id']}/rotate", {}, as_="admin"), 409,
                   "conflict")
    # a short overlap ends on its own
    newer = expect_json(ctx.api.post(f"{SECRETS}/{new['id']}/rotate", {"overlap_seconds": 1},
                                     as_="admin"), 201)
    check(post_crm(crm_event(), new["secret"]).status == 200, "refused before its expiry")
    time.sleep(1.6)
    expect_problem(post_crm(crm_event(), new["secret"]), 401, "bad_signature")
    check(post_crm(crm_event(), newer["secret"]).status == 200, "the newest secret is refused")
    check(post_crm(crm_event(), old["secret"]).status == 200,
          "the first secret was refused before its own expiry")
    check(new["id"] not in {s["id"] for s in listed("crm")}, "an expired secret is listed")
    expect_problem(ctx.api.post(f"{SECRETS}/{new['id']}/rotate", {}, as_="admin"), 404,
                   "not_found")
    # revoking ends an overlap at once
    expect_status(ctx.api.delete(f"{SECRETS}/{old['id']}", as_="admin"), 204)
    expect_problem(post_crm(crm_event(), old["secret"]), 401, "bad_signature")
    expect_problem(ctx.api.delete(f"{SECRETS}/{old['id']}", as_="admin"), 404, "not_found")
    expect_problem(ctx.api.delete(f"{SECRETS}/not-an-id", as_="admin"), 404, "not_found")
    expect_problem(ctx.api.post(f"{SECRETS}/{newer['id']}/rotate", {"overlap_seconds": -1},
                                as_="admin"), 400, "invalid_field", "overlap_seconds")


@test
def a_hubspot_rotation_takes_the_new_client_secret_from_hubspot():
    old_value = str(uuid.uuid4())
    old = create_secret("hubspot", old_value)
    expect_problem(ctx.api.post(f"{SECRETS}/{old['id']}/rotate", {}, as_="admin"), 400,
                   "missing_field", "secret")
    new_value = str(uuid.uuid4())
    new = expect_json(ctx.api.post(f"{SECRETS}/{old['id']}/rotate", {"secret": new_value},
                                   as_="admin"), 201)
    check(new["secret"] == new_value, f"the rotated secret {new['secret']!r}")
    for value in (old_value, new_value):
        oid = next(_object_ids)
        expect_json(post_hubspot([creation(oid, whole_second_ms())], value), 200)
        check(deal_of(oid) is not None, "a delivery during the overlap was not applied")


@test
def without_a_secret_of_the_kind_it_is_503_and_a_new_one_works_at_once():
    revoke_all("crm")
    revoke_all("hubspot")
    any_secret = "whsec_" + "x" * 40
    expect_problem(post_crm(crm_event(), any_secret), 503, "webhook_not_configured")
    p = expect_problem(post_hubspot([creation(next(_object_ids), whole_second_ms())],
                                    str(uuid.uuid4())), 503, "webhook_not_configured")
    check("webhook-secrets" in p["detail"], f"the 503 does not say how to fix it: {p['detail']}")
    crm = create_secret("crm")  # no restart between this and its use
    expect_problem(post_crm(crm_event(), any_secret), 401, "bad_signature")
    check(post_crm(crm_event(), crm["secret"]).status == 200, "a new crm secret is refused")
    # one kind's secret is not the other's
    expect_problem(post_hubspot([creation(next(_object_ids), whole_second_ms())],
                                crm["secret"]), 503, "webhook_not_configured")
    value = hubspot_secret()
    oid = next(_object_ids)
    expect_json(post_hubspot([creation(oid, whole_second_ms())], value), 200)
    expect_problem(post_hubspot([creation(oid, whole_second_ms())], crm["secret"]), 401,
                   "bad_signature")
    revoke_all("crm")
    expect_problem(post_crm(crm_event(), crm["secret"]), 503, "webhook_not_configured")


@test
def environment_secrets_are_one_more_valid_secret():
    revoke_all("crm")
    revoke_all("hubspot")
    env_crm, env_hubspot = "env crm " + os.urandom(8).hex(), str(uuid.uuid4())
    srv = Server(env={**SERVER_ENV, "NEXTSTAGE_WEBHOOK_SECRET": env_crm,
                      "NEXTSTAGE_HUBSPOT_CLIENT_SECRET": env_hubspot})
    srv.stderr_path = ctx.logdir / "env-server.stderr"
    srv.stdout_path = ctx.logdir / "env-server.stdout"
    srv.start()
    try:
        srv.wait_healthy()
        api = Api("127.0.0.1", srv.port, ctx.token)
        check(post_crm(crm_event(), env_crm, api).status == 200, "the environment's crm secret")
        expect_problem(post_crm(crm_event(), "whsec_" + "y" * 40, api), 401, "bad_signature")
        oid = next(_object_ids)
        expect_json(post_hubspot([creation(oid, whole_second_ms())], env_hubspot, api=api), 200)
        expect_problem(post_hubspot([creation(oid, whole_second_ms())], str(uuid.uuid4()),
                                    api=api), 401, "bad_signature")
        expect_problem(post_hubspot([creation(oid, whole_second_ms())], env_hubspot,
                                    timestamp=now_ms() - 10 * 60_000, api=api), 401,
                       "bad_signature")
        stored_crm = create_secret("crm")  # through the suite's server, same database
        for value in (env_crm, stored_crm["secret"]):
            check(post_crm(crm_event(), value, api).status == 200,
                  "the environment's and a stored secret must both verify")
        check(not srv.new_sanitizer_report(), "sanitizer report", srv.stderr_tail())
    finally:
        srv.terminate()
    expect_problem(post_crm(crm_event(), env_crm), 401, "bad_signature")  # not this server's


@test
def stored_secrets_are_sealed_and_audited_without_their_value():
    made = create_secret("crm")
    rows = stored("SELECT sealed, encode(secret, 'hex') FROM webhook_secrets"
                  f" WHERE id = {sql_literal(made['id'])}")
    check(rows and rows[0][0] == "t", f"the stored secret is not sealed: {rows}")
    check(made["secret"].encode().hex() not in rows[0][1], "the stored bytes hold the secret")
    rotated = expect_json(ctx.api.post(f"{SECRETS}/{made['id']}/rotate", {}, as_="admin"), 201)
    expect_status(ctx.api.delete(f"{SECRETS}/{rotated['id']}", as_="admin"), 204)
    rows = stored(f"SELECT length(secret) FROM webhook_secrets WHERE id = {sql_literal(rotated['id'])}")
    check(rows == [["0"]], f"a revoked secret's value is kept: {rows}")
    entries = audit_entries("webhook_secrets", made["id"]) + \
        audit_entries("webhook_secrets", rotated["id"])
    actions = [(e["entity_id"], e["action"]) for e in entries]
    check(actions == [(made["id"], "create"), (made["id"], "update"), (rotated["id"], "create"),
                      (rotated["id"], "update")], f"audit entries {actions}")
    check(all(e["actor"] == account_id("admin") for e in entries), "an entry without its admin")
    text = json.dumps(entries)
    check(made["secret"] not in text and rotated["secret"] not in text
          and all("secret" not in (e["after"] or {}) for e in entries),
          "the audit shows a secret's value")
    check(entries[1]["after"]["expires_at"] and entries[3]["after"]["revoked_at"],
          f"the audit does not show the rotation and the revocation: {entries}")
    # a server with another key cannot use what this one sealed
    srv = Server(env={**SERVER_ENV, "NEXTSTAGE_SECRET_KEY": os.urandom(32).hex()})
    srv.stderr_path = ctx.logdir / "key-server.stderr"
    srv.stdout_path = ctx.logdir / "key-server.stdout"
    live = create_secret("crm")
    srv.start()
    try:
        srv.wait_healthy()
        api = Api("127.0.0.1", srv.port, ctx.token)
        expect_problem(post_crm(crm_event(), live["secret"], api), 401, "bad_signature")
        check("does not open under NEXTSTAGE_SECRET_KEY" in srv.stderr_text(),
              "the unusable secret was not logged", srv.stderr_tail())
    finally:
        srv.terminate()
