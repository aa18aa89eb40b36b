"""The operational endpoints, routing and connections (tests/api/run.py
starts the suite's server before the first test)."""
import http.client
import json
import math
import re
import time

from nsapi.client import expect_json, expect_problem, expect_status
from nsapi.context import ctx
from nsapi.harness import check, test


@test
def healthz_answers_status_ok():
    body = expect_json(ctx.api.get("/healthz"), 200)
    check(body == {"status": "ok"}, f"GET /healthz body {body}")


@test
def head_healthz_answers_200_without_a_body():
    r = expect_status(ctx.api.head("/healthz"), 200)
    check(r.body == b"", "HEAD answered with a body", r.describe())


@test
def readyz_answers_ready_while_the_database_is_up():
    body = expect_json(ctx.api.get("/readyz"), 200)
    check(body == {"status": "ready"}, f"GET /readyz body {body}")


@test
def unknown_api_path_is_404_not_found():
    expect_problem(ctx.api.get(f"/api/v1/no-such-thing-{ctx.run_id}"), 404, "not_found")
    expect_problem(ctx.api.get("/api/v1/personas/x/y/z", as_="admin"), 404, "not_found")


@test
def access_log_lines_reach_stderr_within_a_second():
    # Access lines are buffered (server/util/log.c) but flushed every
    # 100 ms: someone following the log sees a request at once.
    path = f"/api/v1/no-such-thing-{ctx.uniq('flush')}"
    expect_problem(ctx.api.get(path), 404, "not_found")
    deadline = time.monotonic() + 1.0
    while f'"path":"{path}"' not in ctx.server.stderr_text():
        check(time.monotonic() < deadline, f"no access line for GET {path} after 1 s",
              ctx.server.stderr_tail())
        time.sleep(0.02)


@test
def a_path_that_is_not_utf8_still_gets_its_access_line():
    # The access line is JSON: bytes that are not UTF-8 come out as U+FFFD
    # (they used to make the whole line disappear).
    tag = ctx.uniq("bytes")
    expect_problem(ctx.api.get(f"/api/v1/{tag}-%ff%22"), 404, "not_found")
    want = f"/api/v1/{tag}-\ufffd\""
    deadline = time.monotonic() + 1.0
    while True:
        lines = [json.loads(l) for l in ctx.server.stderr_text().splitlines() if tag in l]
        if lines or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    check(len(lines) == 1 and lines[0]["path"] == want and lines[0]["status"] == 404,
          f"access lines for GET /api/v1/{tag}-%ff%22: {lines}")


def allow_set(resp):
    return {m.strip() for m in (resp.header("Allow") or "").split(",") if m.strip()}


@test
def wrong_method_is_405_with_an_allow_header():
    cases = [
        ("PUT", "/api/v1/personas", {"GET", "HEAD", "POST"}),
        ("DELETE", "/api/v1/stages/prospecting", {"PATCH"}),
        ("POST", "/api/v1/me", {"GET", "HEAD", "PATCH"}),
        ("GET", "/api/v1/session", {"POST", "DELETE"}),
        ("POST", "/api/v1/openapi.json", {"GET", "HEAD"}),
    ]
    for method, path, allowed in cases:
        r = ctx.api.request(method, path, as_="admin")
        expect_problem(r, 405, "method_not_allowed")
        check(allow_set(r) == allowed,
              f"{method} {path}: Allow {r.header('Allow')!r}, want {', '.join(sorted(allowed))}",
              r.describe())


@test
def keep_alive_serves_several_requests_on_one_connection():
    conn = http.client.HTTPConnection("127.0.0.1", ctx.server.port, timeout=15)
    auth = {"Authorization": f"Bearer {ctx.token('marketer')}"}
    steps = [
        ("GET", "/healthz", None, 200),
        ("GET", "/api/v1/me", None, 200),
        ("GET", "/api/v1/does-not-exist", None, 404),
        ("POST", "/api/v1/personas", f'{{"slug": "{ctx.uniq("ka")}", "name": "Keep"}}', 201),
        ("POST", "/api/v1/personas", "{not json", 400),
        ("GET", "/api/v1/personas", None, 200),
        ("GET", "/api/v1/stages", None, 200),
    ]
    try:
        conn.connect()
        sock = conn.sock
        for i, (method, path, body, status) in enumerate(steps):
            headers = dict(auth)
            if body is not None:
                headers["Content-Type"] = "application/json"
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            r.read()
            check(r.status == status, f"request {i + 1} ({method} {path}): {r.status}, want {status}")
            if i < len(steps) - 1:
                check(conn.sock is sock,
                      f"the server closed the connection after request {i + 1} ({method} {path},"
                      f" Connection: {r.getheader('Connection')})")
    finally:
        conn.close()


# ---------------------------------------------------------------- /metrics

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def scrape():
    """The samples of GET /metrics as (name, labels, value)."""
    r = expect_status(ctx.api.get("/metrics"), 200)
    check(r.media_type() == "text/plain",
          f"/metrics Content-Type {r.header('Content-Type')!r}, want text/plain", r.describe())
    samples = []
    for line in r.body.decode("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        check(m, f"not a Prometheus sample line: {line!r}")
        samples.append((m.group(1), dict(LABEL.findall(m.group(2) or "")), float(m.group(3))))
    return samples


def total(samples, name, **labels):
    """The sum of @name over samples whose labels match; a label value
    given as a callable is a predicate."""
    s = 0.0
    for n, lab, v in samples:
        if n != name:
            continue
        if all(callable(want) and want(lab.get(k, "")) or lab.get(k) == want
               for k, want in labels.items()):
            s += v
    return s


def metric_value(name):
    return total(scrape(), name)


@test
def metrics_expose_counters_histogram_and_database_gauges():
    samples = scrape()
    names = {n for n, _, _ in samples}
    counters = [lab for n, lab, _ in samples if n == "nextstage_http_requests_total"]
    check(counters, "no nextstage_http_requests_total samples")
    check(all("route" in lab and "status" in lab for lab in counters),
          f"nextstage_http_requests_total without route/status labels: {counters[:3]}")
    for name in ("nextstage_db_errors_total", "nextstage_db_connections"):
        check(name in names, f"no {name} sample")
    check_db_connections_gauge()
    hist = "nextstage_http_request_duration_seconds"
    groups = {}
    for n, lab, v in samples:
        if n == f"{hist}_bucket":
            check("le" in lab, f"bucket without le: {lab}")
            key = tuple(sorted((k, x) for k, x in lab.items() if k != "le"))
            groups.setdefault(key, []).append((float(lab["le"].replace("+Inf", "inf")), v))
    check(groups, f"no {hist}_bucket samples")
    for key, buckets in groups.items():
        buckets.sort()
        check(math.isinf(buckets[-1][0]), f"histogram {key} has no le=\"+Inf\" bucket")
        counts = [v for _, v in buckets]
        check(counts == sorted(counts), f"histogram {key} buckets are not cumulative: {buckets}")
        count = total(samples, f"{hist}_count", **dict(key))
        check(count == counts[-1], f"histogram {key}: _count {count} != +Inf bucket {counts[-1]}")
    check(f"{hist}_sum" in names, f"no {hist}_sum")


# One connection per thread that has used the database: the database pool's
# (the suite's server runs NEXTSTAGE_DB_POOL=3, nsapi/proc.py), the HTTP
# threads' (NEXTSTAGE_THREADS=2: credentials not cached, file bytes), one
# per background writer (server/db/writer.c: 2), one each for the search
# log and the rollup refresh, one per extraction worker (1 by default) and
# one for the delivery worker (server/deliver/): after a request that read
# the database, at least 1; however many requests, never more than those.
DB_CONNECTIONS_MAX = 3 + 2 + 2 + 2 + 1 + 1


def check_db_connections_gauge():
    expect_json(ctx.api.get("/api/v1/me", as_="rep"), 200)
    first = metric_value("nextstage_db_connections")
    check(first == int(first) and 1 <= first <= DB_CONNECTIONS_MAX,
          f"nextstage_db_connections {first} after a database request, want 1..{DB_CONNECTIONS_MAX}")
    for _ in range(20):
        expect_json(ctx.api.get("/api/v1/personas", as_="rep"), 200)
    after = metric_value("nextstage_db_connections")
    check(1 <= after <= DB_CONNECTIONS_MAX,
          f"nextstage_db_connections {after} after 20 more requests, want 1..{DB_CONNECTIONS_MAX}"
          " (a connection per request would leak)")


@test
def metrics_count_requests_by_route_and_status():
    before = scrape()
    for _ in range(3):
        ctx.api.get(f"/api/v1/no-such-route-{ctx.run_id}")
    for _ in range(2):
        expect_status(ctx.api.get("/api/v1/stages", as_="rep"), 200)
    name = "nextstage_http_requests_total"
    # A request is counted when the server has finished it, which may be
    # just after its client read the answer: scrape until they are in.
    is_stages = lambda route: "stages" in route  # noqa: E731
    for _ in range(50):
        after = scrape()
        if (total(after, name, status="200", route=is_stages)
                - total(before, name, status="200", route=is_stages)) >= 2:
            break
        time.sleep(0.05)
    grew_404 = total(after, name, status="404") - total(before, name, status="404")
    check(grew_404 >= 3, f"404 counters grew by {grew_404} after three 404s")
    grew = (total(after, name, status="200", route=is_stages)
            - total(before, name, status="200", route=is_stages))
    check(grew >= 2, f"counters of a route named like 'stages' with status 200 grew by {grew}"
                     " after two GET /api/v1/stages")
    hist = "nextstage_http_request_duration_seconds_count"
    check(total(after, hist) - total(before, hist) >= 5,
          "the latency histogram did not count the requests")
