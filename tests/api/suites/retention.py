"""Retention of raw personal events (README, "Retention"): opens, public
page views and downloads older than NEXTSTAGE_RETAIN_EVENTS_DAYS and leads
older than NEXTSTAGE_RETAIN_LEADS_DAYS are removed, whole months by dropping
their partitions, while every number the app shows of them (usage
dashboards, the next-stage test, unused content, an asset's usage and
public page, a share's opens) stays what it was. Audited, counted in
/metrics, run by the server by itself and by an admin on demand; off
unless configured."""
import datetime
import json
import re
import time

from nsapi.client import Api, expect_json, expect_problem, expect_status
from nsapi.context import ctx
from nsapi.harness import check, test
from nsapi.proc import Server, arrange, run_cli, sql_literal, stored
from suites.analytics import two_to_one
from suites.public import SLACK, key_of, list_leads, person, public_file, submit, visit
from suites.shares import BOT_AGENTS, CHROME, open_link

EVENTS_DAYS, LEADS_DAYS = 60, 90
SERVER_ENV = {"NEXTSTAGE_RETAIN_EVENTS_DAYS": str(EVENTS_DAYS),
              "NEXTSTAGE_RETAIN_LEADS_DAYS": str(LEADS_DAYS),
              "NEXTSTAGE_RETENTION_EVERY_S": "0"}  # only when asked: the tests say when
RUN = "/api/v1/retention/run"
EVENT_TABLES = ("opens", "page_views", "downloads")
# Ages in days of the seeded rows: older than the events' cutoff (in the
# default partition, in whole months before it, in the month under way at
# it) and younger.
OLD = [400, 170, 150, 120, 100, 75, 65, 61]
NEW = [59, 30, 5]
UTC = datetime.timezone.utc


def setup():
    # The months a server that has run for half a year has made (it makes
    # them ahead of time; older history goes to the default partition).
    arrange("SELECT ensure_month_partitions(t, now() - interval '6 months', 0)"
            " FROM unnest(ARRAY['opens', 'page_views', 'downloads']::regclass[]) t")


def ago(days):
    return (datetime.datetime.now(UTC) - datetime.timedelta(days=days)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def day_ago(days):
    return ago(days)[:10]


def months(table, days):
    """The names of @table's monthly partitions made by setup() that end on
    or before @days ago, and the name of the month under way then."""
    cutoff = datetime.datetime.now(UTC) - datetime.timedelta(days=days)
    now = datetime.datetime.now(UTC)
    y, m = now.year, now.month - 6
    if m < 1:
        y, m = y - 1, m + 12
    whole = []
    while True:
        ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
        if datetime.datetime(ny, nm, 1, tzinfo=UTC) > cutoff:
            return whole, f"{table}_{y:04d}_{m:02d}"
        whole.append(f"{table}_{y:04d}_{m:02d}")
        y, m = ny, nm


def ingest(events):
    for i in range(0, len(events), 500):
        body = expect_json(ctx.api.post("/api/v1/events", events[i:i + 500], as_="marketer"), 202)
        check(body["rejected"] == [], f"rejected events {body['rejected']}")


def count(table, where):
    return int(stored(f"SELECT count(*) FROM {table} WHERE {where}")[0][0])


def older(days):
    return f"at < now() - interval '{days} days'"


def wait_for_fold():
    """Until the background fold has put every open into the rollups (only
    folded opens may go; no answer over HTTP tells when that is)."""
    for _ in range(150):
        if stored("SELECT done >= (SELECT coalesce(max(id), 0) FROM opens) FROM rollup_marks"
                  " WHERE source = 'opens'")[0][0] == "t":
            return
        time.sleep(0.2)
    check(False, "the opens were not folded into the rollups within 30 s")


def without_times(x):
    """@x without the verdicts' computed_at (the stored test is re-run at will)."""
    if isinstance(x, dict):
        return {k: without_times(v) for k, v in x.items() if k != "computed_at"}
    if isinstance(x, list):
        return [without_times(v) for v in x]
    return x


def get(path):
    return expect_json(ctx.api.get(path, as_="marketer"), 200)


def shares_of(asset_id):
    return get(f"/api/v1/shares?asset={asset_id}&limit=200")["items"]


def snapshot(tested, public, gated):
    """Everything the app shows of the seeded period, as marketers see it."""
    usage = "/api/v1/analytics/usage"
    ours = {tested["id"], public["id"], gated["id"]}
    assets = {}
    for a in ours:
        doc = get(f"/api/v1/assets/{a}")
        assets[a] = {"usage": doc["usage"], "public_page": doc.get("public_page")}
    return without_times({
        "usage by month": get(f"{usage}?from={day_ago(430)}&to={day_ago(0)}&group=month"),
        "usage by day": get(f"{usage}?from={day_ago(180)}&to={day_ago(40)}&group=day"),
        "usage by week": get(f"{usage}?from={day_ago(420)}&to={day_ago(50)}&group=week"),
        "stage test": get(f"/api/v1/analytics/stage-test?asset={tested['id']}")["items"],
        "unused": [i for i in get("/api/v1/analytics/unused")["items"] if i["asset_id"] in ours],
        "assets": assets,
        "shares": sorted((s["id"], s["opens"], s["human_opens"]) for s in shares_of(tested["id"])),
    })


def differences(a, b, path=""):
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            out += differences(a.get(k), b.get(k), f"{path}.{k}")
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: {json.dumps(a)[:300]} -> {json.dumps(b)[:300]}"]


def same_as(before, after, what):
    diff = differences(before, after)
    check(not diff, f"{what}: {len(diff)} numbers changed", *diff[:12])


def metric(text, table):
    m = re.search(r'^nextstage_retention_removed_total\{table="' + table + r'"\} (\d+)$', text,
                  re.M)
    check(m, f"no nextstage_retention_removed_total for {table}", text[-2000:])
    return int(m.group(1))


def seed():
    """Opens, page views, downloads and leads of every age, on a tested
    asset (with verdicts), a public one and a gated one."""
    tested, _stage = two_to_one(30)
    shares = shares_of(tested["id"])
    check(len(shares) == 40, f"{len(shares)} shares of the tested asset")
    opens = []
    for i, s in enumerate(shares[:16]):
        for d in (OLD[i % len(OLD)], OLD[(i + 3) % len(OLD)], NEW[i % len(NEW)]):
            opens.append({"id": ctx.uniq("open"), "type": "open", "share_id": s["id"],
                          "at": ago(d + i / 100)})
    downloads = [{"id": ctx.uniq("dl"), "type": "download", "asset_id": tested["id"],
                  "at": ago(d)} for d in OLD[:4] + NEW]
    ingest(opens + downloads)
    # Opens of the tracked link itself: a person's now, a crawler's long ago.
    expect_status(open_link(shares[20]["token"], ua=CHROME), 302)  # a link asset
    expect_status(open_link(shares[21]["token"], ua=BOT_AGENTS[-1][0]), 302)
    arrange("UPDATE opens SET at = now() - interval '100 days'"
            f" WHERE share_id = {sql_literal(shares[21]['id'])}")

    public = public_file()
    for ua in (CHROME,) * 6 + (SLACK,) * 2:
        expect_status(visit(f"/p/{public['id']}", ua=ua), 200)
    for _ in range(4):
        expect_status(visit(f"/p/{public['id']}/file"), 200)
    ages = OLD[:6] + NEW[:2]  # the first eight views and downloads, oldest first
    arrange("WITH r AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM page_views"
            f"  WHERE asset_id = {sql_literal(public['id'])})"
            " UPDATE page_views v SET at = now() - make_interval(days =>"
            f" (ARRAY{ages})[r.n]) FROM r WHERE v.id = r.id AND r.n <= {len(ages)}")

    # Leads: two left 100 days ago (one agreed to follow-up, one declined),
    # one today; an outgoing webhook that is away holds the agreed ones'
    # events.
    gated = public_file(gated=True, intent="sales")
    hook = expect_json(ctx.api.post("/api/v1/webhooks", {
        "url": "http://127.0.0.1:9/away", "events": ["lead.sales_ready"],
        "label": ctx.uniq("retention")}, as_="admin"), 201)
    people = [person(consent="yes"), person(consent="no"), person(consent="yes")]
    for p in people:
        expect_status(submit(gated["id"], p), 200)
    expect_json(ctx.api.patch(f"/api/v1/webhooks/{hook['id']}", {"active": False},
                              as_="admin"), 200)
    keys = ", ".join(f"decode('{key_of(p['email'])}', 'hex')" for p in people[:2])
    arrange("UPDATE leads SET created_at = now() - interval '100 days'"
            f" WHERE email_key IN ({keys})")
    return tested, public, gated, people, hook


@test
def old_rows_go_and_every_number_shown_of_their_period_stays():
    tested, public, gated, people, hook = seed()
    wait_for_fold()
    expect_json(ctx.api.get("/api/v1/analytics/stage-test", as_="marketer"), 200)
    before = snapshot(tested, public, gated)
    check(before["stage test"][0]["verdict"] == "moves_deals",
          f"the seeded verdict {before['stage test'][0]}")
    old_months = [p for p in before["usage by month"]["periods"] if p["period"] < day_ago(90)]
    check(sum(p["opens"] for p in old_months) > 20 and sum(p["human_opens"] for p in old_months),
          f"no opens shown in the old months: {old_months}")
    old_opens = count("opens", older(EVENTS_DAYS))
    check(old_opens == 2 * 16 + 1, f"{old_opens} old opens seeded")
    kept = {t: count(t, f"NOT ({older(EVENTS_DAYS)})") for t in EVENT_TABLES}
    old_views = count("page_views", older(EVENTS_DAYS))
    check(old_views == 6, f"{old_views} old page views seeded")
    metrics_before = expect_status(ctx.api.get("/metrics"), 200).body.decode()

    got = expect_json(ctx.api.post(RUN, as_="admin"), 200)
    check(got["removed"] == {"opens": old_opens, "page_views": 6, "downloads": 4, "leads": 2,
                             "lead_deliveries": 1}, f"what was removed: {got['removed']}")
    whole, boundary = {}, {}
    for t in EVENT_TABLES:
        whole[t], boundary[t] = months(t, EVENTS_DAYS)
    expected = sorted(n for t in EVENT_TABLES for n in whole[t])
    check(len(expected) >= 9 and sorted(got["partitions_dropped"]) == expected
          and got["partitions_postponed"] is False,
          f"dropped {got['partitions_dropped']}, expected {expected}")
    cutoff = datetime.datetime.strptime(got["events_before"], "%Y-%m-%dT%H:%M:%SZ")
    expect = datetime.datetime.now(UTC).replace(tzinfo=None) - datetime.timedelta(days=EVENTS_DAYS)
    check(abs((cutoff - expect).total_seconds()) < 120, f"events_before {got['events_before']}")

    # The old rows are gone, whole months with their partitions; the rest stays.
    for t in EVENT_TABLES:
        check(count(t, older(EVENTS_DAYS)) == 0, f"old rows left in {t}")
        check(count(t, "true") == kept[t], f"{t}: {count(t, 'true')} rows left of {kept[t]}")
        gone = stored("SELECT count(*) FROM unnest(ARRAY["
                      + ", ".join(sql_literal(n) for n in whole[t]) + "]) n"
                      " WHERE to_regclass(n) IS NOT NULL")[0][0]
        check(gone == "0", f"{gone} partitions of {t} left of {whole[t]}")
        check(stored(f"SELECT to_regclass({sql_literal(boundary[t])}) IS NOT NULL")[0][0] == "t",
              f"the month under way at the cutoff ({boundary[t]}) was dropped")
    check(count("opens", f"at >= now() - interval '{EVENTS_DAYS} days'") >= 17,
          "the newer opens went too")

    # Leads: the two old ones are gone, today's stays, the public page counts all three.
    listed = {lead["email"] for lead in list_leads()}
    check(people[2]["email"] in listed and people[0]["email"] not in listed,
          f"leads listed after retention: {sorted(e or '-' for e in listed)}")
    check(count("leads", f"asset_id = {sql_literal(gated['id'])}") == 1, "old leads are left")
    events = expect_json(ctx.api.get(f"/api/v1/deliveries?webhook={hook['id']}", as_="admin"),
                         200)["items"]
    check([e["data"]["email"] for e in events] == [people[2]["email"]],
          "the removed lead's undelivered event is still in the outbox",
          [e.get("data") for e in events])

    after = snapshot(tested, public, gated)
    same_as(before, after, "after retention")

    # Audited with the counts, never a person; counted in /metrics.
    # (two rows: the rows removed one by one, then the months dropped whole)
    trail = expect_json(ctx.api.get("/api/v1/audit?entity=retention", as_="admin"), 200)["items"]
    check(len(trail) == 2 and all(t["actor_name"] == ctx.accounts["admin"].name for t in trail)
          and trail[0]["after"]["partitions_dropped"] == got["partitions_dropped"]
          and {k: sum(t["after"]["removed"].get(k, 0) for t in trail) for k in got["removed"]}
          == got["removed"], f"the audit rows {trail}")
    check(people[0]["email"].lower() not in json.dumps(trail).lower(), "the audit names a lead")
    text = expect_status(ctx.api.get("/metrics"), 200).body.decode()
    for t, n in (("opens", old_opens), ("page_views", 6), ("downloads", 4), ("leads", 2),
                 ("outbox", 1)):
        check(metric(text, t) - metric(metrics_before, t) == n, f"metric of {t}",
              text[text.find("nextstage_retention"):][:800])

    # A second pass finds nothing; a rebuild of the rollups from the raw
    # rows left still gives the same numbers.
    again = expect_json(ctx.api.post(RUN, as_="admin"), 200)
    check(set(again["removed"].values()) == {0} and again["partitions_dropped"] == [],
          f"a second pass: {again}")
    arrange("SELECT analytics_rebuild()")
    same_as(before, snapshot(tested, public, gated), "after a rebuild of the rollups")


@test
def an_admin_reads_the_periods_and_only_an_admin_runs_retention():
    got = expect_json(ctx.api.get("/api/v1/retention", as_="admin"), 200)
    check(got == {"events_days": EVENTS_DAYS, "leads_days": LEADS_DAYS, "every_s": 0},
          f"the periods in force: {got}")
    for who in ("rep", "marketer"):
        expect_problem(ctx.api.post(RUN, as_=who), 403, "forbidden")
        expect_problem(ctx.api.get("/api/v1/retention", as_=who), 403, "forbidden")
    expect_problem(ctx.api.post(RUN), 401, "unauthorized")


@test
def retention_is_off_unless_configured_and_never_below_30_days():
    lead = person(consent="yes")
    gated = public_file(gated=True, intent="sales")
    expect_status(submit(gated["id"], lead), 200)
    arrange("UPDATE leads SET created_at = now() - interval '3000 days'"
            f" WHERE email_key = decode('{key_of(lead['email'])}', 'hex')")
    off = {"NEXTSTAGE_RETAIN_EVENTS_DAYS": None, "NEXTSTAGE_RETAIN_LEADS_DAYS": None}
    srv = Server(env=off)
    srv.stderr_path = ctx.logdir / "off-server.stderr"
    srv.stdout_path = ctx.logdir / "off-server.stdout"
    srv.start()
    try:
        srv.wait_healthy()
        api = Api("127.0.0.1", srv.port, ctx.token)
        periods = expect_json(api.get("/api/v1/retention", as_="admin"), 200)
        check(periods == {"events_days": None, "leads_days": None, "every_s": 3600},
              f"the periods of a server without retention: {periods}")
        got = expect_json(api.post(RUN, as_="admin"), 200)
        check(got["events_before"] is None and got["leads_before"] is None
              and set(got["removed"].values()) == {0}, f"a pass with retention off: {got}")
    finally:
        srv.terminate()
    check(count("leads", f"asset_id = {sql_literal(gated['id'])}") == 1,
          "a lead went with retention off")
    for var, value in (("NEXTSTAGE_RETAIN_EVENTS_DAYS", "7"),
                       ("NEXTSTAGE_RETAIN_LEADS_DAYS", "29"),
                       ("NEXTSTAGE_RETAIN_EVENTS_DAYS", "90 days")):
        r = run_cli(["serve"], env={var: value, "NEXTSTAGE_LISTEN": "127.0.0.1:1"})
        check(r.rc != 0 and var in r.err and "30" in r.err, f"{var}={value} was accepted",
              r.describe())


@test
def the_server_removes_old_rows_by_itself():
    lead = person(consent="no")
    public = public_file(gated=True)
    expect_status(submit(public["id"], lead), 200)  # a lead and its download
    arrange("UPDATE leads SET created_at = now() - interval '200 days'"
            f" WHERE email_key = decode('{key_of(lead['email'])}', 'hex')")
    arrange("UPDATE page_views SET at = now() - interval '200 days'"
            f" WHERE asset_id = {sql_literal(public['id'])}")
    where = f"asset_id = {sql_literal(public['id'])}"
    check(count("leads", where) == 1 and count("page_views", where) == 1, "nothing was seeded")
    before = get(f"/api/v1/assets/{public['id']}")["public_page"]
    srv = Server(env={**SERVER_ENV, "NEXTSTAGE_RETENTION_EVERY_S": "1"})
    srv.stderr_path = ctx.logdir / "timer-server.stderr"
    srv.stdout_path = ctx.logdir / "timer-server.stdout"
    srv.start()
    try:
        srv.wait_healthy()
        api = Api("127.0.0.1", srv.port, ctx.token)
        for _ in range(100):
            if count("leads", where) == 0 and count("page_views", where) == 0:
                break
            time.sleep(0.2)
        check(count("leads", where) == 0 and count("page_views", where) == 0,
              "the server's own pass did not remove the old lead and page view in 20 s")
        text = expect_status(api.get("/metrics"), 200).body.decode()
        check(metric(text, "leads") >= 1 and metric(text, "page_views") >= 1,
              "the server's passes are not counted", text[text.find("nextstage_retention"):])
        trail = expect_json(api.get("/api/v1/audit?entity=retention", as_="admin"), 200)["items"]
        check(any(t["actor"] is None and t["after"]["removed"].get("leads", 0) >= 1
                  for t in trail),
              f"the server's pass is not audited: {trail[:2]}")
    finally:
        srv.terminate()
    check(get(f"/api/v1/assets/{public['id']}")["public_page"] == before,
          "the public page's numbers changed")
