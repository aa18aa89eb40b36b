#!/usr/bin/env python3
"""Database tier: the two cases of a retention pass (retention_rows, then
retention_months; schema/functions/retention_rows.sql) that no HTTP test
can bring about on purpose: opens the usage rollups do not hold yet, and
an event table held by a writer when the months are to be dropped.
(The pass as a whole is tested over HTTP in tests/api/suites/retention.py.)"""
import subprocess
import sys
import time

from dbtap import SqlError, exit_code, migrated_db, report
from sql_checks import make_link_asset, make_rep, make_share, sql

PASS = """SELECT retention_months(now() - interval '60 days',
                                  retention_rows(now() - interval '60 days', NULL))"""


def seed(url, email):
    """A share with opens 100 and 10 days old, its months' partitions made,
    all folded into the rollups; the share's id."""
    sql(url, "SELECT ensure_month_partitions('opens', now() - interval '4 months', 0)")
    share = make_share(url, make_rep(url, email), make_link_asset(url), age_s=200 * 86400)[0]
    add_opens(url, share, 100, 10)
    sql(url, "SELECT analytics_rebuild()")  # every open is in the rollups now
    return share


def add_opens(url, share, *ages):
    sql(url, "INSERT INTO opens (share_id, at, ua_class, is_bot) SELECT '%s',"
             " now() - make_interval(days => a), 'browser', false FROM unnest(ARRAY%s) a"
             % (share, list(ages)))


def month_of(url, days):
    return sql(url, f"SELECT 'opens_' || to_char(now() - interval '{days} days', 'YYYY_MM')")[0][0]


def exists(url, name):
    return sql(url, f"SELECT to_regclass('{name}') IS NOT NULL")[0][0] == "t"


def rollups(url):
    return sql(url, "SELECT md5(string_agg(u::text, ',' ORDER BY kind, day, id))"
                    " FROM usage_rollup u")


def check_unfolded_opens_wait(url):
    """An open the rollups do not hold yet stays, and so does its month;
    once folded, the next pass takes both."""
    share = seed(url, "fold@retention.test")
    old_month = month_of(url, 100)
    add_opens(url, share, 100)  # past the fold's mark
    before = rollups(url)
    got = sql(url, PASS)[0][0]
    left = sql(url, f"SELECT count(*) FROM opens WHERE share_id = '{share}'"
                    " AND at < now() - interval '60 days'")
    report(left == [["1"]] and exists(url, old_month) and '"opens": 1' in got
           and rollups(url) == before,
           "retention keeps an open the rollups do not hold yet, and its month",
           f"left {left}, {old_month} exists: {exists(url, old_month)}", got)
    sql(url, "SELECT analytics_rebuild()")
    folded = rollups(url)
    got = sql(url, PASS)[0][0]
    left = sql(url, f"SELECT count(*) FROM opens WHERE share_id = '{share}'")
    report(left == [["1"]] and not exists(url, old_month) and old_month in got
           and rollups(url) == folded,
           "once folded, the next pass drops that month", f"left {left}", got)


def check_busy_table_postpones_months(url):
    """A writer holding the opens past the lock timeout: the months wait for
    the next pass, the rest of the pass is done, nothing fails."""
    share = seed(url, "busy@retention.test")
    old_month = month_of(url, 100)
    add_opens(url, share, 1000)  # in the default partition: removed row by row
    sql(url, "SELECT analytics_rebuild()")
    writer = subprocess.Popen(["psql", url, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c",
                               "BEGIN; LOCK TABLE opens IN ROW EXCLUSIVE MODE;"
                               " SELECT pg_sleep(6); COMMIT;"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(0.5)
    t0 = time.monotonic()
    try:
        got = sql(url, PASS)[0][0]
    except SqlError as e:
        got = f"failed: {e}"
    took = time.monotonic() - t0
    writer.wait(15)
    left = sql(url, f"SELECT count(*) FROM opens WHERE share_id = '{share}'"
                    " AND at < now() - interval '500 days'")
    report('"partitions_postponed": true' in got and exists(url, old_month)
           and left == [["0"]] and took < 5.5,
           "a writer holding the opens postpones the months to the next pass, not the rest",
           got, f"took {took:.1f} s; the default partition's old opens left: {left}")
    got = sql(url, PASS)[0][0]
    report(not exists(url, old_month) and '"partitions_postponed": false' in got,
           "the next pass drops the postponed months", got)


def main():
    for check in (check_unfolded_opens_wait, check_busy_table_postpones_months):
        try:
            check(migrated_db("retention_" + check.__name__[6:]))
        except SqlError as e:
            report(False, f"{check.__name__}: unexpected SQL error", e)
    return exit_code()


if __name__ == "__main__":
    sys.exit(main())
