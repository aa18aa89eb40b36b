"""A database outage, graceful shutdown, then what the server wrote to
stderr (access log, sanitizer reports). The outage stops the whole
cluster: the suite runs alone, after every other (EXCLUSIVE)."""
import json
import signal
import socket
import time

from nsapi.client import expect_json, expect_problem, expect_status
from nsapi.context import ctx
from nsapi.harness import Failure, check, test
from nsapi.proc import arrange, pg_sh, sanitizer_report, tail
from suites.ops import metric_value

ACCESS_KEYS = {"time", "method", "path", "status", "bytes", "duration_ms", "user"}
EXCLUSIVE = True


@test
def database_outage_answers_503_and_recovers_without_a_restart():
    expect_json(ctx.api.get("/api/v1/me", as_="rep"), 200)
    errors_before = metric_value("nextstage_db_errors_total")
    pg_sh("stop")
    try:
        expect_problem(ctx.api.get("/api/v1/me", as_="rep"), 503, "db_unavailable")
        expect_problem(ctx.api.get("/api/v1/personas", as_="rep"), 503, "db_unavailable")
        check(expect_json(ctx.api.get("/healthz"), 200) == {"status": "ok"},
              "/healthz during the outage")
        expect_problem(ctx.api.get("/readyz"), 503, "db_unavailable")
        expect_status(ctx.api.get("/metrics"), 200)
        check(ctx.server.alive(), "the server exited when the database went away",
              ctx.server.stderr_tail())
    finally:
        pg_sh("start")
    deadline = time.monotonic() + 10
    r = None
    while time.monotonic() < deadline:
        r = ctx.api.get("/api/v1/me", as_="rep")
        if r.status == 200:
            break
        time.sleep(0.25)
    check(r.status == 200, "GET /api/v1/me did not recover within 10 s of the database"
                           " coming back", r.describe())
    check(expect_json(ctx.api.get("/readyz"), 200) == {"status": "ready"}, "/readyz after")
    errors_after = metric_value("nextstage_db_errors_total")
    check(errors_after > errors_before,
          f"nextstage_db_errors_total stayed at {errors_before} through the outage")


@test
def a_database_crash_mid_statement_answers_503_never_500():
    # A backend killed in the middle of a statement (the OOM killer) makes
    # PostgreSQL restart every backend: the statements cut off fail with
    # no SQLSTATE ("server closed the connection unexpectedly"), which is
    # the database being away, not a fault of ours.
    import os
    import threading
    expect_json(ctx.api.get("/api/v1/assets?q=guide", as_="marketer"), 200)
    statuses, stop = [], threading.Event()

    def search():
        while not stop.is_set():
            r = ctx.api.get(f"/api/v1/assets?q=g{len(statuses) % 7}&sort=recent", as_="marketer")
            statuses.append((r.status, r.header("Retry-After"), r.body[:300]))

    workers = [threading.Thread(target=search) for _ in range(4)]
    for w in workers:
        w.start()
    try:
        time.sleep(0.5)
        pids = [int(p) for (p,) in arrange("SELECT pid FROM pg_stat_activity"
                                         " WHERE application_name = 'nextstage'"
                                         " ORDER BY state = 'active' DESC")]
        check(pids, "no backend of the server's to kill")
        os.kill(pids[0], signal.SIGKILL)  # the postmaster then ends every backend
        time.sleep(3)
    finally:
        stop.set()
        for w in workers:
            w.join(timeout=30)
    bad = [s for s in statuses if s[0] not in (200, 503)]
    check(not bad, f"{len(bad)} of {len(statuses)} searches during the crash answered"
                   f" neither 200 nor 503: {bad[:3]}")
    check(any(s[0] == 503 for s in statuses), "no search saw the crash: this test tests nothing")
    unsaid = [s for s in statuses if s[0] == 503 and not s[1]]
    check(not unsaid, f"{len(unsaid)} answers 503 without Retry-After: {unsaid[:2]}")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        r = ctx.api.get("/api/v1/assets?q=guide", as_="marketer")
        if r.status == 200:
            break
        time.sleep(0.25)
    check(r.status == 200, "search did not recover within 15 s of the crash", r.describe())


# What the server did before it stopped: the traffic the access log tests
# look for, then SIGINT and SIGTERM. Done once, by whichever test needs it
# first (each runs alone too).
_drain = {}


def drained():
    """Sends the traffic, stops the server; returns {status, last_paths,
    unknown_path}."""
    if _drain:
        return _drain
    expect_json(ctx.api.get("/api/v1/me", as_="rep"), 200)
    unknown = f"/api/v1/no-such-thing-{ctx.uniq('anon')}"
    expect_problem(ctx.api.get(unknown), 404, "not_found")
    for _ in range(50):
        expect_status(ctx.api.get("/healthz"), 200)
    # Requests answered just before SIGTERM: their access lines are still
    # in the server's buffer when the signal comes, and must be written.
    last = [f"/api/v1/no-such-thing-{ctx.uniq('last')}" for _ in range(50)]
    for path in last:
        expect_problem(ctx.api.get(path), 404, "not_found")
    # A second signal during the drain (an impatient Ctrl-C, then a
    # supervisor's SIGTERM) must not kill the process half-way.
    status = ctx.server.terminate(timeout=15, signals=(signal.SIGINT, signal.SIGTERM))
    _drain.update(status=status, last_paths=last, unknown_path=unknown)
    return _drain


@test
def sigterm_stops_the_server_gracefully_with_status_0():
    status = drained()["status"]
    check(status is not None, "still running 15 s after SIGTERM (killed)",
          ctx.server.stderr_tail())
    check(status == 0, f"exit status {status} after SIGTERM", ctx.server.stderr_tail())
    with socket.socket() as s:
        s.settimeout(2)
        check(s.connect_ex(("127.0.0.1", ctx.server.port)) != 0,
              "the port still accepts connections after the server exited")


def access_lines():
    lines, problems = [], []
    for n, line in enumerate(ctx.server.stderr_text().splitlines(), 1):
        if '"method"' not in line:
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            problems.append(f"line {n} is not JSON: {line[:200]}")
            continue
        if not isinstance(entry, dict) or not ACCESS_KEYS <= set(entry):
            problems.append(f"line {n} lacks {sorted(ACCESS_KEYS - set(entry or {}))}: {line[:200]}")
            continue
        lines.append(entry)
    return lines, problems


@test
def access_log_has_one_json_line_per_request_naming_the_user():
    unknown_path = drained()["unknown_path"]
    entries, problems = access_lines()
    if problems:
        raise Failure(f"{len(problems)} malformed access log lines", *problems[:10])
    check(len(entries) >= 102, f"only {len(entries)} access log lines for 102 requests")
    for e in entries:
        check(isinstance(e["status"], int) and 100 <= e["status"] <= 599, f"status in {e}")
        check(isinstance(e["bytes"], int) and e["bytes"] >= 0, f"bytes in {e}")
        check(isinstance(e["duration_ms"], (int, float)) and e["duration_ms"] >= 0,
              f"duration_ms in {e}")
        check(e["user"] is None or isinstance(e["user"], str), f"user in {e}")
    rep = ctx.accounts["rep"].email
    check(any(e["user"] == rep and e["path"] == "/api/v1/me" and e["status"] == 200
              and e["method"] == "GET" for e in entries),
          f"no line for the rep's GET /api/v1/me with user {rep!r}")
    unknown = [e for e in entries if e["path"] == unknown_path]
    check(len(unknown) == 1 and unknown[0]["status"] == 404 and unknown[0]["user"] is None,
          f"the anonymous GET {unknown_path} is logged as {unknown}")


@test
def access_log_holds_every_request_answered_before_sigterm():
    last_paths = drained()["last_paths"]
    entries, _ = access_lines()
    logged = {e["path"] for e in entries if e["status"] == 404}
    missing = [p for p in last_paths if p not in logged]
    check(not missing, f"{len(missing)} of the {len(last_paths)} requests answered just before"
                       f" SIGTERM have no access line, e.g. {missing[:3]}")


@test
def server_stderr_has_no_sanitizer_reports():
    drained()
    text = ctx.server.stderr_text()
    check(not sanitizer_report(text), "sanitizer report in the server's stderr", tail(text, 80))
