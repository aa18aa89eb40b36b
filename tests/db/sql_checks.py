#!/usr/bin/env python3
"""Database tier: what the schema itself guarantees, checked in SQL on a
database the real binary (NEXTSTAGE_BIN) migrated, in the throwaway
cluster of scripts/test.sh (NS_PG_URL). The API tier talks HTTP; checks
that need to read or write tables directly live here. TAP-like output.

(ingest_event, ingest_events and import_deal_row are tested over HTTP
only, in tests/api/suites/events.py and imports.py.)"""
import sys

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


def main():
    try:
        url = migrated_db("sql_checks")
    except SqlError as e:
        report(False, "a fresh database migrates for the SQL checks", e)
        return 1
    for check in (check_default_stages, check_frozen_decisions, check_persona_in_use):
        try:
            check(url)
        except SqlError as e:
            report(False, f"{check.__name__}: unexpected SQL error", e)
    return exit_code()


if __name__ == "__main__":
    sys.exit(main())
