#!/usr/bin/env python3
"""Database tier: how the SQL of event ingest refuses input, on a freshly
migrated database (NS_PG_URL, NEXTSTAGE_BIN). Each refusal raises one of
the project's SQLSTATEs (server/db/db_internal.h: NS001 not found, NS002
invalid, NS003 missing) naming the field in COLUMN; a batch reports them
per event from those SQLSTATEs; any other error fails the batch instead of
being reported as the client's. TAP-like output."""
import json
import sys

from dbtap import SqlError, exit_code, migrated_db, psql, report

NO_SUCH = "00000000-0000-4000-8000-000000000000"

# Calls ingest_event(e) and answers "stored" or "<SQLSTATE> <column>".
REFUSAL = """CREATE FUNCTION pg_temp.refusal(e jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE s text; c text;
BEGIN
    PERFORM ingest_event(e);
    RETURN 'stored';
EXCEPTION WHEN others THEN
    GET STACKED DIAGNOSTICS s = RETURNED_SQLSTATE, c = COLUMN_NAME;
    RETURN s || ' ' || c;
END $$;"""


def lit(s):
    return "'" + s.replace("'", "''") + "'"


def fixtures(url):
    """An asset, a deal and a user: {"asset": id, "deal": id}."""
    out = psql(url, """
        INSERT INTO users (email, name, role, password_hash)
            VALUES ('rep@example.test', 'Rep', 'rep', 'x');
        INSERT INTO assets (title, kind, intent) VALUES ('Guide', 'guide', 'sales');
        INSERT INTO deals (external_id, name, stage) VALUES ('deal-1', 'Deal', 'discovery');
        SELECT (SELECT id FROM assets), (SELECT id FROM deals);""").strip()
    asset, deal = out.split("|")
    return {"asset": asset, "deal": deal}


def check_refusals(url, f):
    a = f["asset"]
    cases = [
        ("an unknown deal_id", {"type": "stage_change", "deal_id": NO_SUCH, "stage": "proposal"},
         "NS001 deal_id"),
        ("an unknown deal_external_id",
         {"type": "stage_change", "deal_external_id": "nope", "stage": "proposal"},
         "NS001 deal_external_id"),
        ("an unknown asset_id", {"type": "download", "asset_id": NO_SUCH}, "NS001 asset_id"),
        ("an asset_id that is no uuid", {"type": "download", "asset_id": "not-an-id"},
         "NS002 asset_id"),
        ("a deal_id that is no uuid", {"type": "share", "deal_id": "x", "asset_id": a},
         "NS002 deal_id"),
        ("an at that is no time", {"type": "download", "asset_id": a, "at": "yesterday"},
         "NS002 at"),
        ("an at out of range (22008)",
         {"type": "download", "asset_id": a, "at": "0000-01-01T00:00:00Z"}, "NS002 at"),
        ("an infinite at", {"type": "download", "asset_id": a, "at": "infinity"}, "NS002 at"),
        ("a download without asset_id", {"type": "download"}, "NS003 asset_id"),
        ("an unknown user_email", {"type": "download", "asset_id": a,
                                   "user_email": "who@example.test"}, "NS001 user_email"),
        ("a share without rep_email", {"type": "share", "asset_id": a}, "NS003 rep_email"),
        ("a share by an unknown rep", {"type": "share", "asset_id": a,
                                       "rep_email": "who@example.test"}, "NS001 rep_email"),
        ("a share on an unknown channel", {"type": "share", "asset_id": a,
                                           "rep_email": "rep@example.test", "channel": "fax"},
         "NS002 channel"),
        ("a share to a too short recipient_email",
         {"type": "share", "asset_id": a, "rep_email": "rep@example.test",
          "recipient_email": "x"}, "NS002 recipient_email"),
        ("an open naming no share", {"type": "open"}, "NS003 share_id"),
        ("an open of an unknown token", {"type": "open", "token": "nope"}, "NS001 token"),
        ("an open of an unknown share_id", {"type": "open", "share_id": NO_SUCH},
         "NS001 share_id"),
        ("a stage change without stage", {"type": "stage_change", "deal_id": f["deal"]},
         "NS003 stage"),
        ("a stage change to an unknown stage",
         {"type": "stage_change", "deal_id": f["deal"], "stage": "teleported"}, "NS002 stage"),
        ("a stage change naming no deal", {"type": "stage_change", "stage": "proposal"},
         "NS003 deal_id"),
        ("an unknown type", {"type": "teleport"}, "NS002 type"),
        ("an event without type", {}, "NS003 type"),
        ("a good download", {"type": "download", "asset_id": a}, "stored"),
    ]
    for name, event, want in cases:
        got = psql(url, REFUSAL + f"SELECT pg_temp.refusal({lit(json.dumps(event))}::jsonb)") \
            .strip()
        report(got == want, f"ingest_event raises {want} for {name}",
               f"got {got!r}, want {want!r}")


def batch(url, events):
    try:
        return json.loads(psql(url, f"SELECT ingest_events({lit(json.dumps(events))}::jsonb, NULL)")), None
    except SqlError as e:
        return None, str(e)


def refusals(answer):
    return sorted((x["index"], x["sqlstate"], x["field"]) for x in answer["rejected"])


def downloads(url, asset):
    return int(psql(url, f"SELECT count(*) FROM downloads WHERE asset_id = {lit(asset)}"))


def check_batches(url, f):
    a = f["asset"]
    got, err = batch(url, [
        {"id": "b1-0", "type": "download", "asset_id": a},
        {"id": "b1-1", "type": "download", "asset_id": NO_SUCH},
        {"id": "b1-2", "type": "download", "asset_id": a, "user_email": "who@example.test"},
        {"id": "b1-3", "type": "stage_change", "deal_external_id": "nope", "stage": "proposal"},
        {"id": "b1-4", "type": "stage_change", "deal_id": f["deal"], "stage": "teleported"},
        {"type": "stage_change", "deal_id": f["deal"], "stage": "proposal"},
    ])
    want = [(1, "NS001", "asset_id"), (2, "NS001", "user_email"),
            (3, "NS001", "deal_external_id"), (4, "NS002", "stage"), (5, "NS003", "id")]
    report(err is None and got["accepted"] == 1 and refusals(got) == want
           and all(isinstance(x["detail"], str) and x["detail"] for x in got["rejected"]),
           "ingest_events reports each refusal by its SQLSTATE and field", got, err)
    before = downloads(url, a)
    got, err = batch(url, [
        {"id": "b2-0", "type": "download", "asset_id": a},
        {"id": "b2-1", "type": "download", "asset_id": a, "at": "0000-01-01T00:00:00Z"},
        {"id": "b2-2", "type": "download", "asset_id": "not-an-id"},
        {"id": "b2-3", "type": "download", "asset_id": a, "at": "2025-01-01T00:00:00Z"},
    ])
    report(err is None and got["accepted"] == 2
           and refusals(got) == [(1, "NS002", "at"), (2, "NS002", "asset_id")]
           and downloads(url, a) == before + 2,
           "downloads PostgreSQL cannot read are refused by field, the others stored", got, err)
    got, err = batch(url, [{"id": "b4-0", "type": "download", "asset_id": a, "at": "yesterday"},
                           {"id": "b4-1", "type": "download", "asset_id": a}])
    report(err is None and got["accepted"] == 1 and refusals(got) == [(0, "NS002", "at")],
           "a download whose at PostgreSQL reads but is not RFC 3339 is refused", got, err)
    # An error that is no refusal (here a constraint the functions do not
    # know) fails the batch: it is not reported as the client's.
    psql(url, "ALTER TABLE ingested_events ADD CONSTRAINT zz_fault"
              " CHECK (id NOT LIKE 'fault-%') NOT VALID")
    try:
        for kind, event in (("stage change", {"type": "stage_change", "deal_id": f["deal"],
                                              "stage": "proposal"}),
                            ("download", {"type": "download", "asset_id": a})):
            before = downloads(url, a)
            got, err = batch(url, [{"id": "b3-ok-" + kind, "type": "download", "asset_id": a},
                                   dict(event, id="fault-" + kind)])
            report(got is None and "23514" in (err or "") and downloads(url, a) == before,
                   f"an unexpected error in a batch ({kind}) fails it whole, not as a rejection",
                   got, err)
    finally:
        psql(url, "ALTER TABLE ingested_events DROP CONSTRAINT zz_fault")


def main():
    url = migrated_db("sqlstates")
    f = fixtures(url)
    check_refusals(url, f)
    check_batches(url, f)
    return exit_code()


if __name__ == "__main__":
    sys.exit(main())
