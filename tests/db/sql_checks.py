#!/usr/bin/env python3
"""Database tier: what the schema itself guarantees, checked in SQL on a
database the real binary (NEXTSTAGE_BIN) migrated, in the throwaway
cluster of scripts/test.sh (NS_PG_URL). The API tier talks HTTP; checks
that need to read or write tables directly live here. TAP-like output.

(ingest_event, ingest_events and import_merge are tested over HTTP
only, in tests/api/suites/events.py and imports.py.)"""
import json
import os
import subprocess
import sys
import time

from dbtap import SqlError, exit_code, migrated_db, psql, report

DEFAULT_STAGES = ["prospecting", "discovery", "evaluation", "proposal", "negotiation",
                  "closed_won", "closed_lost"]


def sql(url, text):
    """Runs @text; its rows as lists of strings (SqlError on failure)."""
    return [line.split("\t") for line in psql(url, text, "-F", "\t").splitlines() if line]


def refused(url, text):
    """The SQLSTATE @text fails with, or None if it succeeded."""
    try:
        sql(url, text)
    except SqlError as e:
        return e.sqlstate
    return None


def check_default_stages(url):
    rows = sql(url, "SELECT slug, position, coalesce(outcome, '') FROM stages ORDER BY position")
    slugs = [r[0] for r in rows]
    outcomes = {r[0]: r[2] for r in rows}
    report(slugs == DEFAULT_STAGES and outcomes["closed_won"] == "won"
           and outcomes["closed_lost"] == "lost"
           and all(outcomes[s] == "" for s in DEFAULT_STAGES[:5]),
           "migrate seeds the seven default stages in order, won and lost last", f"got {rows}")


def check_frozen_decisions(url):
    """review_decisions_frozen: a decision is never changed or deleted."""
    asset = sql(url, """
        WITH u AS (INSERT INTO users (email, name, role, board, password_hash)
                   VALUES ('board@sql.test', 'B', 'rep', true, 'x') RETURNING id),
             a AS (INSERT INTO assets (title, status) VALUES ('Decided', 'published') RETURNING id)
        INSERT INTO review_decisions (asset_id, decision, note, actor, status_before,
                                      status_after, evidence)
        SELECT a.id, 'keep', 'still good', u.id, 'published', 'published', '{}'
        FROM a, u RETURNING asset_id""")[0][0]
    where = f"WHERE asset_id = '{asset}'"
    update = refused(url, f"UPDATE review_decisions SET note = 'rewritten' {where}")
    snooze = refused(url, f"UPDATE review_decisions SET snoozed_until = now() {where}")
    delete = refused(url, f"DELETE FROM review_decisions {where}")
    left = sql(url, f"SELECT decision, note, snoozed_until IS NULL FROM review_decisions {where}")
    report((update, snooze, delete) == ("23000",) * 3 and left == [["keep", "still good", "t"]],
           "review decisions are never changed or deleted (integrity_constraint_violation)",
           f"UPDATE note: {update}, UPDATE snoozed_until: {snooze}, DELETE: {delete}"
           " (want 23000 each)", f"left: {left}")


def check_persona_in_use(url):
    """asset_personas: a persona an asset uses cannot be deleted; renaming
    it follows into the asset."""
    sql(url, "INSERT INTO personas (slug, name) VALUES ('cfo', 'CFO')")
    asset = sql(url, "INSERT INTO assets (title) VALUES ('For the CFO') RETURNING id")[0][0]
    sql(url, f"INSERT INTO asset_personas (asset_id, persona) VALUES ('{asset}', 'cfo')")
    delete = refused(url, "DELETE FROM personas WHERE slug = 'cfo'")
    sql(url, "UPDATE personas SET slug = 'finance' WHERE slug = 'cfo'")
    now = sql(url, f"SELECT persona FROM asset_personas WHERE asset_id = '{asset}'")
    report(delete == "23503" and now == [["finance"]],
           "a persona in use cannot be deleted, and a new slug follows into its assets",
           f"DELETE: {delete} (want 23503)", f"asset's personas after the rename: {now}")


def check_timeline_references(url):
    """deal_stages' references, checked per statement by triggers (no
    foreign keys): an entry naming a missing deal or stage is refused, in
    a batch too; a deal's delete takes its timeline; a stage a timeline
    names cannot be deleted; a renamed stage's slug follows into it."""
    deal = sql(url, "INSERT INTO deals (name, stage) VALUES ('Timeline', 'proposal') RETURNING id")[0][0]
    sql(url, f"""INSERT INTO deal_stages (deal_id, stage, at, source, left_at, next_stage) VALUES
        ('{deal}', 'discovery', '2026-01-01', 'api', '2026-02-01', 'proposal'),
        ('{deal}', 'proposal', '2026-02-01', 'api', NULL, NULL)""")
    no_deal = refused(url, f"""INSERT INTO deal_stages (deal_id, stage, at, source) VALUES
        ('{deal}', 'evaluation', '2026-03-01', 'api'),
        ('00000000-0000-4000-8000-000000000000', 'proposal', '2026-03-01', 'api')""")
    no_stage = refused(url, f"INSERT INTO deal_stages (deal_id, stage, at, source)"
                       f" VALUES ('{deal}', 'nowhere', '2026-03-01', 'api')")
    no_next = refused(url, f"UPDATE deal_stages SET next_stage = 'nowhere'"
                      f" WHERE deal_id = '{deal}' AND stage = 'discovery'")
    sql(url, "INSERT INTO stages (slug, name, position) VALUES ('pilot', 'Pilot', 8)")
    unused_delete = refused(url, "DELETE FROM stages WHERE slug = 'pilot'")
    used_delete = refused(url, "DELETE FROM stages WHERE slug = 'discovery'")
    sql(url, "UPDATE stages SET slug = 'qualify' WHERE slug = 'discovery'")
    renamed = sql(url, f"SELECT stage, coalesce(next_stage, '') FROM deal_stages"
                  f" WHERE deal_id = '{deal}' ORDER BY at")
    sql(url, "UPDATE stages SET slug = 'discovery' WHERE slug = 'qualify'")
    sql(url, f"DELETE FROM deals WHERE id = '{deal}'")
    left = sql(url, f"SELECT count(*) FROM deal_stages WHERE deal_id = '{deal}'")
    report((no_deal, no_stage, no_next) == ("23503",) * 3 and unused_delete is None
           and used_delete == "23503" and renamed == [["qualify", "proposal"], ["proposal", ""]]
           and left == [["0"]],
           "a timeline names only deals and stages that exist; deleting a deal deletes it;"
           " a stage it names is not deleted and a renamed one follows",
           f"missing deal in a batch: {no_deal}, missing stage: {no_stage},"
           f" missing next_stage: {no_next} (want 23503 each)",
           f"deleting an unused stage: {unused_delete} (want None), a used one: {used_delete}",
           f"after the rename: {renamed}", f"entries left after the deal's delete: {left}")


def check_timeline_reference_locks(url):
    """Like a foreign key, a new entry locks its deal: a delete of that
    deal waits for the inserting transaction and then takes the entry."""
    deal = sql(url, "INSERT INTO deals (name, stage) VALUES ('Locked', 'proposal') RETURNING id")[0][0]
    writer = subprocess.Popen(["psql", url, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", f"""
        BEGIN; INSERT INTO deal_stages (deal_id, stage, at, source)
               VALUES ('{deal}', 'proposal', '2026-01-01', 'api');
        SELECT pg_sleep(1.5); COMMIT;"""], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(0.5)
    t0 = time.monotonic()
    try:
        sql(url, f"SET lock_timeout = '5s'; DELETE FROM deals WHERE id = '{deal}'")
        deleted = "deleted"
    except SqlError as e:
        deleted = e.sqlstate
    waited = time.monotonic() - t0
    writer.wait(10)
    left = sql(url, f"SELECT count(*) FROM deal_stages WHERE deal_id = '{deal}'")
    report(deleted == "deleted" and waited > 0.5 and writer.returncode == 0 and left == [["0"]],
           "deleting a deal waits for a transaction adding to its timeline, then takes the entry",
           f"delete: {deleted} after {waited:.2f} s (want a wait of about 1 s)",
           f"writer exit {writer.returncode}: {writer.stderr.read().decode()[:300]}",
           f"entries left: {left}")


# open_links(): the writers' batch of tracked-link opens. Its set-up is
# plain rows: a rep, a file asset with two versions (shares pin v1), a
# link asset, and shares live, revoked and expired.

def make_rep(url, email):
    return sql(url, f"""INSERT INTO users (email, name, role, password_hash)
                        VALUES ('{email}', 'Rep', 'rep', 'x') RETURNING id""")[0][0]


def make_file_asset(url, size):
    """A published file asset whose current version is 2; (id, v1 sha256 hex)."""
    return sql(url, f"""
        WITH b AS (INSERT INTO blobs (sha256, size)
                   SELECT sha256(gen_random_uuid()::text::bytea), n FROM unnest(ARRAY[{size}, {size} + 100]) n
                   RETURNING id, sha256, size),
             a AS (INSERT INTO assets (title, status, current_version)
                   VALUES ('A file', 'published', 2) RETURNING id),
             v AS (INSERT INTO asset_versions (asset_id, number, blob_id, mime, filename)
                   SELECT a.id, row_number() OVER (ORDER BY b.size), b.id, 'application/pdf', 'a.pdf'
                   FROM a, b RETURNING number, blob_id)
        SELECT a.id, encode(b.sha256, 'hex') FROM a, v JOIN b ON b.id = v.blob_id WHERE v.number = 1""")[0]


def make_link_asset(url):
    return sql(url, """INSERT INTO assets (title, status, url)
                       VALUES ('A link', 'published', 'https://example.com/guide') RETURNING id""")[0][0]


def make_share(url, rep, asset, version="NULL", revoked=False, expired=False, age_s=60):
    """A share created @age_s seconds ago (out of the burst window); (id, token)."""
    return sql(url, f"""
        INSERT INTO shares (token, asset_id, version, rep_id, channel, revoked_at, expires_at,
                            created_at)
        VALUES (md5(random()::text) || md5(random()::text), '{asset}', {version}, '{rep}', 'email',
                {"now()" if revoked else "NULL"}, {"now() - interval '1 day'" if expired else "NULL"},
                now() - interval '{age_s} seconds')
        RETURNING id, token""")[0]


def open_links(url, opens):
    """Calls open_links() as the writers do, with @opens a list of (token,
    client hash hex or None, ua class, bot reason or None); the outcomes
    by 1-based position."""
    def array(values, cast):
        items = ", ".join("NULL" if v is None else "'" + v.replace("'", "''") + "'" for v in values)
        return f"ARRAY[{items}]::{cast}[]"
    tokens, hashes, uas, bots = zip(*opens)
    hashes = [None if h is None else "\\x" + h for h in hashes]
    rows = sql(url, f"SELECT job, outcome FROM open_links({array(tokens, 'text')},"
                    f" {array(hashes, 'bytea')}, {array(uas, 'text')}, {array(bots, 'text')})")
    return {int(r[0]): r[1] for r in rows}


def opens_of(url, share):
    """(client hash hex, ua class, is_bot, bot reason) of a share's opens, in id order."""
    return [(r[0], r[1], r[2] == "t", r[3] or None) for r in sql(url, f"""
        SELECT encode(client_hash, 'hex'), ua_class, is_bot, coalesce(bot_reason, '')
        FROM opens WHERE share_id = '{share}' ORDER BY id""")]


def first_open_notes(url, share):
    return int(sql(url, f"""SELECT count(*) FROM notifications
                            WHERE share_id = '{share}' AND kind = 'share_opened'""")[0][0])


def client_hashes(n):
    return [os.urandom(32).hex() for _ in range(n)]


def check_open_batch_answers_each_open(url):
    """Each open of a batch gets its own outcome, in order; only live
    links record opens; one notification per share for its first human."""
    rep = make_rep(url, "opener@sql.test")
    asset, v1_sha = make_file_asset(url, 3000)
    link_asset = make_link_asset(url)
    f = make_share(url, rep, asset, version="1")
    link = make_share(url, rep, link_asset)
    revoked = make_share(url, rep, make_link_asset(url), revoked=True)
    expired = make_share(url, rep, asset, version="1", expired=True)
    h = client_hashes(7)
    got = open_links(url, [(f[1], h[0], "browser", None), ("x" * 43, h[1], "browser", None),
                           (revoked[1], h[2], "browser", None), (link[1], h[3], "mobile", None),
                           (expired[1], h[4], "browser", None),
                           (f[1], h[5], "bot", "link unfurler: Slack"),
                           (f[1], h[6], "mobile", None)])
    files = [json.loads(got.get(n, "{}")) for n in (1, 6, 7)]
    report(sorted(got) == list(range(1, 8))
           and (got.get(2), got.get(3), got.get(5)) == ("missing", "gone", "gone")
           and all(t.get("id") == f[0] and t.get("version") == 1 and t.get("sha256") == v1_sha
                   and t.get("size") == 3000 for t in files)
           and json.loads(got.get(4, "{}")) == {"id": link[0], "url": "https://example.com/guide"},
           "open_links answers each open of a batch: the pinned version, the link, missing, gone",
           f"outcomes by position: {got}")
    report(opens_of(url, f[0]) == [(h[0], "browser", False, None),
                                   (h[5], "bot", True, "link unfurler: Slack"),
                                   (h[6], "mobile", False, None)]
           and [o[0] for o in opens_of(url, link[0])] == [h[3]]
           and opens_of(url, revoked[0]) == opens_of(url, expired[0]) == [],
           "open_links records the opens of live links only, in input order, bots marked",
           f"file share: {opens_of(url, f[0])}", f"link share: {opens_of(url, link[0])}",
           f"revoked: {opens_of(url, revoked[0])}, expired: {opens_of(url, expired[0])}")
    report(first_open_notes(url, f[0]) == 1 and first_open_notes(url, link[0]) == 1,
           "open_links notifies the rep once per share, at its first human open",
           f"file share: {first_open_notes(url, f[0])}, link share: {first_open_notes(url, link[0])}")


def check_open_batch_burst_rule(url):
    """Opens earlier in the same batch count for the burst rule: of links
    shared seconds ago (a mail scanner's sweep), the sixth different one
    opened from one address within the minute is a bot's."""
    rep = make_rep(url, "burst@sql.test")
    asset = make_file_asset(url, 1000)[0]
    swept = [make_share(url, rep, asset, version="1", age_s=0) for _ in range(6)]
    addr = client_hashes(1)[0]
    # Five links, one of them twice (a repeat is not a different link), the
    # first a bot's (still an open from that address).
    opens = [(swept[0][1], addr, "bot", "HEAD request"), (swept[1][1], addr, "browser", None)]
    opens += [(s[1], addr, "browser", None) for s in swept[1:]]
    got = open_links(url, opens)
    burst = [i for i, s in enumerate(swept)
             if any((o[3] or "").startswith("burst:") for o in opens_of(url, s[0]))]
    report(len(got) == 7 and all(v.startswith("{") for v in got.values()) and burst == [5]
           and first_open_notes(url, swept[5][0]) == 0 and first_open_notes(url, swept[1][0]) == 1,
           "open_links: opens earlier in a batch count for the burst rule (the sixth link only)",
           f"outcomes: {got}", f"burst opens on links {burst}, want [5]",
           f"notes: sixth {first_open_notes(url, swept[5][0])} (want 0),"
           f" second {first_open_notes(url, swept[1][0])} (want 1)")
    few = [make_share(url, rep, asset, version="1", age_s=0) for _ in range(3)]
    addr = client_hashes(1)[0]
    open_links(url, [(few[0][1], addr, "browser", None)] * 4 +
               [(few[1][1], addr, "browser", None), (few[2][1], addr, "browser", None)])
    bots = [o for s in few for o in opens_of(url, s[0]) if o[2]]
    report(bots == [], "open_links: fewer than five different links from an address is a person",
           f"bot opens: {bots}")


def main():
    try:
        url = migrated_db("sql_checks")
    except SqlError as e:
        report(False, "a fresh database migrates for the SQL checks", e)
        return 1
    for check in (check_default_stages, check_frozen_decisions, check_persona_in_use,
                  check_timeline_references, check_timeline_reference_locks,
                  check_open_batch_answers_each_open, check_open_batch_burst_rule):
        try:
            check(url)
        except SqlError as e:
            report(False, f"{check.__name__}: unexpected SQL error", e)
    return exit_code()


if __name__ == "__main__":
    sys.exit(main())
