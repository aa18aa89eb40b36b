"""Event ingest (POST /api/v1/events) and the durability of group-committed
writes: nothing answered 2xx is lost, nothing is stored twice."""
import json
import signal
import threading
import time

from nsapi.client import expect_json, expect_problem
from nsapi.context import ctx
from nsapi.harness import check, test
from nsapi.proc import arrange, Server, sql_literal, stored

EVENTS = "/api/v1/events"


def ingest(events, ndjson=False, as_="marketer", api=None):
    if ndjson:
        raw = "\n".join(json.dumps(e) for e in events).encode()
        ctype = "application/x-ndjson"
    else:
        raw, ctype = json.dumps(events).encode(), "application/json"
    return (api or ctx.api).post(EVENTS, raw=raw, content_type=ctype, as_=as_)


def new_deal(**fields):
    body = {"name": "Ingest deal", "stage": "discovery", "external_id": ctx.uniq("ing"),
            "at": "2025-01-01T00:00:00Z", **fields}
    return expect_json(ctx.api.post("/api/v1/deals", body, as_="marketer"), 201)


def link_asset():
    body = {"title": ctx.uniq("Ingested asset"), "kind": "guide", "intent": "sales",
            "url": "https://example.com/" + ctx.uniq("x"), "status": "published"}
    return expect_json(ctx.api.post("/api/v1/assets", body, as_="marketer"), 201)


def downloads(asset_id):
    return int(stored(f"SELECT count(*) FROM downloads WHERE asset_id = {sql_literal(asset_id)}")[0][0])


@test
def a_batch_is_answered_202_with_counts_after_it_is_stored():
    d, a = new_deal(), link_asset()
    x = ctx.uniq("ev")
    events = [
        {"id": f"{x}-1", "type": "stage_change", "deal_external_id": d["external_id"],
         "stage": "proposal", "at": "2025-03-01T00:00:00Z"},
        {"id": f"{x}-2", "type": "stage_change", "deal_id": d["id"], "stage": "Needs Analysis",
         "at": "2025-02-01T00:00:00Z"},  # back-filled, a CRM alias, out of order
        {"id": f"{x}-3", "type": "download", "asset_id": a["id"]},
        {"id": f"{x}-4", "type": "share", "asset_id": a["id"], "deal_id": d["id"],
         "rep_email": ctx.accounts["rep"].email, "channel": "email", "at": "2025-02-10T00:00:00Z"},
    ]
    body = expect_json(ingest(events), 202)
    check(body == {"accepted": 4, "duplicates": 0, "rejected": []}, f"answer {body}")
    deal = expect_json(ctx.api.get(f"/api/v1/deals/{d['id']}", as_="marketer"), 200)
    # "Needs Analysis" is discovery, where the deal already was on Feb 1: no change
    check([(h["to"], h["at"], h["source"]) for h in deal["history"]]
          == [("discovery", "2025-01-01T00:00:00Z", "api"),
              ("proposal", "2025-03-01T00:00:00Z", "ingest")], f"history {deal['history']}")
    check(downloads(a["id"]) == 1, "the download was not stored")
    shares = expect_json(ctx.api.get(f"/api/v1/shares?deal={d['id']}", as_="marketer"), 200)
    check(len(shares["items"]) == 1 and shares["items"][0]["created_at"] == "2025-02-10T00:00:00Z",
          f"the back-filled share: {shares['items']}")


@test
def duplicates_are_counted_and_not_stored_twice():
    a = link_asset()
    x = ctx.uniq("dup")
    batch = [{"id": f"{x}-{i}", "type": "download", "asset_id": a["id"]} for i in range(3)]
    expect_json(ingest(batch), 202)
    body = expect_json(ingest(batch + [batch[0]], ndjson=True), 202)
    check(body == {"accepted": 0, "duplicates": 4, "rejected": []}, f"replay {body}")
    check(downloads(a["id"]) == 3, f"{downloads(a['id'])} downloads after a replay, want 3")


@test
def bad_events_are_rejected_by_index_and_the_good_ones_stored():
    a = link_asset()
    x = ctx.uniq("mix")
    events = [
        {"id": f"{x}-0", "type": "download", "asset_id": a["id"]},
        {"type": "download", "asset_id": a["id"]},                            # no id
        {"id": f"{x}-2", "type": "teleport"},                                 # unknown type
        {"id": f"{x}-3", "type": "download", "asset_id": "not-an-id"},         # malformed
        {"id": f"{x}-4", "type": "download",
         "asset_id": "00000000-0000-4000-8000-000000000000"},                 # unknown asset
        {"id": f"{x}-5", "type": "stage_change", "deal_external_id": "nope", "stage": "proposal"},
        {"id": f"{x}-6", "type": "download", "asset_id": a["id"], "at": "yesterday"},
        {"id": f"{x}-7", "type": "download", "asset_id": a["id"]},
    ]
    body = expect_json(ingest(events), 202)
    got = sorted((r["index"], r["code"]) for r in body["rejected"])
    check(body["accepted"] == 2 and got == [(1, "invalid_field"), (2, "invalid_field"),
                                             (3, "invalid_field"), (4, "not_found"),
                                             (5, "not_found"), (6, "invalid_field")],
          f"answer {body}")
    check(downloads(a["id"]) == 2, "the good events were not stored")
    # a refused event is not remembered: corrected, it is accepted
    fixed = expect_json(ingest([{"id": f"{x}-6", "type": "download", "asset_id": a["id"]}]), 202)
    check(fixed["accepted"] == 1, f"the corrected event: {fixed}")


@test
def refusals_name_the_field_the_database_found_at_fault():
    a = link_asset()
    x = ctx.uniq("field")
    events = [
        {"id": f"{x}-0", "type": "download", "asset_id": "00000000-0000-4000-8000-000000000000"},
        {"id": f"{x}-1", "type": "share", "asset_id": a["id"], "rep_email": "nobody@example.test"},
        {"id": f"{x}-2", "type": "stage_change", "deal_external_id": "nope", "stage": "proposal"},
        {"id": f"{x}-3", "type": "download", "asset_id": a["id"], "at": "0000-01-01T00:00:00Z"},
    ]
    body = expect_json(ingest(events), 202)
    got = sorted((r["index"], r["code"], r.get("field")) for r in body["rejected"])
    check(body["accepted"] == 0 and got == [(0, "not_found", "asset_id"),
                                             (1, "not_found", "rep_email"),
                                             (2, "not_found", "deal_external_id"),
                                             (3, "invalid_field", "at")], f"answer {body}")
    check(all(isinstance(r["detail"], str) and r["detail"] for r in body["rejected"]),
          f"every rejection has a detail: {body}")


@test
def an_unexpected_database_error_is_a_500_and_nothing_of_the_batch_is_kept():
    # The fault comes from outside the server: a constraint the SQL
    # functions do not know about, as a DBA's change or a schema drift
    # would add. It is not the client's fault, so not a 400 nor a
    # rejected event, whichever path (set-based downloads, one by one).
    a = link_asset()
    x = ctx.uniq("fault")
    rep = ctx.accounts["rep"].email
    arrange("ALTER TABLE ingested_events ADD CONSTRAINT zz_api_fault"
            f" CHECK (id NOT LIKE {sql_literal('zz-fault-' + x + '%')}) NOT VALID")
    batches = [
        [{"id": f"{x}-d0", "type": "download", "asset_id": a["id"]},
         {"id": f"zz-fault-{x}-d1", "type": "download", "asset_id": a["id"]}],
        [{"id": f"{x}-s0", "type": "download", "asset_id": a["id"]},
         {"id": f"zz-fault-{x}-s1", "type": "share", "asset_id": a["id"], "rep_email": rep}],
    ]
    try:
        for batch in batches:
            p = expect_problem(ingest(batch), 500, "internal_error")
            check("zz_api_fault" not in json.dumps(p), f"the cause leaked to the client: {p}")
    finally:
        arrange("ALTER TABLE ingested_events DROP CONSTRAINT zz_api_fault")
    check(downloads(a["id"]) == 0, "a failed batch left downloads behind")
    check("23514" in ctx.server.stderr_text(), "the cause (SQLSTATE 23514) was not logged")
    # nothing of a failed batch was remembered: sent again, it is accepted
    for batch in batches:
        body = expect_json(ingest(batch), 202)
        check(body == {"accepted": 2, "duplicates": 0, "rejected": []}, f"resent: {body}")


@test
def malformed_bodies_limits_and_roles():
    expect_problem(ctx.api.post(EVENTS, raw=b"[{", content_type="application/json",
                                as_="marketer"), 400, "invalid_json")
    expect_problem(ingest([{"id": "x", "type": "download"}], as_="rep"), 403, "forbidden")
    many = [{"id": f"m{i}", "type": "open", "share_id": "x"} for i in range(10001)]
    expect_problem(ingest(many), 413, "payload_too_large")


@test
def a_sigkill_loses_no_acknowledged_open_or_event_and_duplicates_none():
    a = link_asset()
    share = expect_json(ctx.api.post("/api/v1/shares", {"asset_id": a["id"], "channel": "link"},
                                     as_="marketer"), 201)
    arrange(f"UPDATE shares SET created_at = now() - interval '1 hour' "
         f"WHERE id = {sql_literal(share['id'])}")
    srv = Server()
    srv.stderr_path = ctx.logdir / "killed-writer.stderr"
    srv.stdout_path = ctx.logdir / "killed-writer.stdout"
    srv.start()
    acked_opens, acked_events, stop = [], [], threading.Event()
    x = ctx.uniq("kill")
    try:
        srv.wait_healthy(timeout=30)
        from nsapi.client import Api
        api = Api("127.0.0.1", srv.port, ctx.token)

        def opener():
            while not stop.is_set():
                try:
                    r = api.get(f"/s/{share['token']}", headers={"User-Agent": "Mozilla/5.0"},
                                timeout=5)
                    if r.status == 302:
                        acked_opens.append(1)
                except Exception:  # the server is being killed
                    return

        def ingester(n):
            i = 0
            while not stop.is_set():
                batch = [{"id": f"{x}-{n}-{i}-{k}", "type": "download", "asset_id": a["id"]}
                         for k in range(20)]
                i += 1
                try:
                    r = ingest(batch, api=api)
                    if r.status == 202:
                        acked_events.extend(e["id"] for e in batch)
                except Exception:
                    return

        threads = [threading.Thread(target=opener) for _ in range(4)]
        threads += [threading.Thread(target=ingester, args=(n,)) for n in range(2)]
        for t in threads:
            t.start()
        time.sleep(1.5)
        srv.proc.send_signal(signal.SIGKILL)
        srv.proc.wait(10)
        stop.set()
        for t in threads:
            t.join(10)
    finally:
        stop.set()
        srv.kill()
    check(acked_opens and acked_events, "nothing was acknowledged before the kill "
          f"({len(acked_opens)} opens, {len(acked_events)} events)")
    opens = int(stored(f"SELECT count(*) FROM opens WHERE share_id = {sql_literal(share['id'])}")[0][0])
    check(opens >= len(acked_opens), f"{len(acked_opens)} opens answered, {opens} stored")
    kept = {row[0] for row in stored(f"SELECT id FROM ingested_events WHERE id LIKE {sql_literal(x + '-%')}")}
    lost = [i for i in acked_events if i not in kept]
    check(not lost, f"{len(lost)} of {len(acked_events)} acknowledged events lost, e.g. {lost[:3]}")
    check(downloads(a["id"]) == len(kept),
          f"{downloads(a['id'])} downloads for {len(kept)} distinct stored events")
