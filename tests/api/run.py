#!/usr/bin/env python3
"""Black-box HTTP tests of nextstage.

    tests/api/run.py [SUITE[::TEST] ...] [--each] [--jobs N] [--list]

Runs the real binary ($NEXTSTAGE_BIN) against the throwaway cluster of
scripts/test.sh ($NS_PG_URL, $NS_PG_DIR, $NS_PG_PORT):

1. builds the template database api_template once: `nextstage migrate`,
   then the accounts of nsapi/context.py with `user add` and their bearer
   tokens with `token create` (the tokens go to var/api-test/tokens.json);
2. runs each suite (suites/NAME.py) in a process of its own, against a
   database of its own (CREATE DATABASE api_NAME TEMPLATE api_template;
   api_NAME_N for its Nth test run alone)
   and a server of its own (`nextstage serve` on a free port, started
   before the suite's first test and stopped with SIGTERM after its last:
   it must exit 0 without a sanitizer report). No suite sees another's
   rows, so a suite, or one test (SUITE::TEST), runs alone the same.

A suite module may set SERVER = False (no server is started for it),
SERVER_ENV = {...} (its server's environment on top of the suites' own;
None removes a variable),
DATABASE = "empty" (its database is not copied from the template; the cli
suite migrates and provisions it itself), EXCLUSIVE = True (it runs after
every other suite, alone: lifecycle stops the whole cluster) and define
setup(), run once after the server started, before its tests, and
teardown(), run once after the server stopped, even when setup() or a test
failed (what setup() made outside the suite's database: a mount, a
tablespace).

Suites run --jobs at a time (default: the number of CPUs); their output is
printed suite by suite, in the order of SUITES. --each runs every test of
the selected suites alone, each in a fresh database and server (slow: it
proves no test needs an earlier one). --list prints SUITE::TEST names.

Prints one `ok - SUITE::TEST` / `not ok - SUITE::TEST` line per test
(diagnostics follow as "  # ..."); exits 1 if any failed. The servers'
stdout and stderr are kept in var/api-test/SUITE/ (or $NS_API_LOGROOT/SUITE/:
two runs at once need different ones).
"""
import argparse
import concurrent.futures
import importlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

sys.dont_write_bytecode = True
HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))

from nsapi import harness, proc  # noqa: E402
from nsapi.client import Api  # noqa: E402
from nsapi.context import ctx  # noqa: E402

SUITES = [
    "cli",        # migrates and provisions an empty database of its own
    "ops",
    "openapi",    # api/openapi.json against the route table (every suite's answers: nsapi/contract.py)
    "app",        # the web app's files
    "session",
    "sso",        # single sign-on against a real OpenID provider (LemonLDAP::NG)
    "proxies",    # X-Forwarded-For from trusted proxies only
    "deploy",     # deploy/: the systemd unit and the nginx site, tried for real
    "tokens",     # API tokens: lists, revocation, last use
    "users",
    "taxonomy",
    "assets", "content", "search",
    "extraction",  # text and previews out of files, by the workers
    "deals", "shares", "viewer",
    "crm", "hooks",
    "imports",
    "events",
    "analytics",
    "audit",
    "feedback",
    "requests",
    "reviews",
    "demo",       # the demo's history, and what the test finds in it
    "public",     # public asset pages and leads
    "privacy",    # erasure of a person
    "retention",  # raw events and leads removed after a configured age, their numbers kept
    "outbox",     # outgoing webhooks and e-mail, to real receivers on loopback
    "diskfull",   # the database's disk full: a tablespace on a small tmpfs (mounts: root)
    "roles",
    "input",
    "cases",
    "slowclients",  # slow headers, a full server (2 s for headers, 20 connections)
    "lifecycle",  # outage (stops the cluster), shutdown, logs: alone, last
]
TEMPLATE = "api_template"
SUITE_TIMEOUT = 900
LOGROOT = Path(os.environ.get("NS_API_LOGROOT", REPO / "var" / "api-test"))


# ---------------------------------------------------------------- selection

def load_suite(name):
    if name not in SUITES:
        raise SystemExit(f"Bail out! no suite {name!r} (suites: {', '.join(SUITES)})")
    return importlib.import_module(f"suites.{name}")


def select(specs, each):
    """[(suite, test name or None)] for the SUITE[::TEST] @specs."""
    jobs = []
    for spec in specs or SUITES:
        suite, _, name = spec.partition("::")
        load_suite(suite)
        names = [t.name for t in harness.tests_of(suite)]
        if name:
            if name not in names:
                raise SystemExit(f"Bail out! suite {suite} has no test {name!r}")
            jobs.append((suite, name))
        elif each:
            jobs += [(suite, n) for n in names]
        else:
            jobs.append((suite, None))
    return jobs


def label(suite, name):
    if name is None:
        return suite
    return suite + "--" + re.sub(r"[^A-Za-z0-9_]+", "-", name)[:60]


# ---------------------------------------------------------------- databases

_db_lock = threading.Lock()


def db_url(name):
    return re.sub(r"dbname=\S+", f"dbname={name}", os.environ["NS_PG_URL"])


def admin_sql(sql):
    r = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", os.environ["NS_PG_URL"],
                        "-c", sql], capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, PGOPTIONS="-c client_min_messages=warning"))
    if r.returncode:
        raise harness.Failure(f"psql failed: {sql}", r.stderr)


def fresh_database(name, template):
    """(Re)creates database @name as a copy of @template; returns its URL."""
    with _db_lock:  # a template may not be copied while anyone uses it
        admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin_sql(f"CREATE DATABASE {name} TEMPLATE {template}")
    return db_url(name)


def build_template(tokens_path):
    """Migrates api_template and provisions the common accounts with the
    CLI; writes their tokens to @tokens_path."""
    ctx.db_url = fresh_database(TEMPLATE, "template0")
    r = proc.run_cli(["migrate"], timeout=120)
    harness.check(r.rc == 0, "nextstage migrate failed on the template", r.describe())
    for who, acct in ctx.accounts.items():
        args = ["user", "add", "--email", acct.email, "--name", acct.name, "--role", acct.role]
        r = proc.run_cli(args + (["--board"] if acct.board else []), stdin=acct.password + "\n")
        harness.check(r.rc == 0, f"user add {acct.email} failed", r.describe())
        r = proc.run_cli(["token", "create", "--email", acct.email, "--name", f"api {who}"])
        harness.check(r.rc == 0, f"token create {acct.email} failed", r.describe())
        acct.token = r.out.strip()
    ctx.save_tokens(tokens_path)


# ---------------------------------------------------------------- one suite

def run_child(spec):
    """In a suite's own process: the server, the tests, the shutdown."""
    suite, _, only = spec.partition("::")
    missing = ctx.configure(REPO, os.environ, os.environ.get("NS_API_LOGDIR"))
    if missing or not ctx.db_url:
        print(f"not ok - {suite}::setup\n  # missing environment: {missing or 'NEXTSTAGE_DATABASE_URL'}")
        return 1
    ctx.load_tokens(os.environ["NS_API_TOKENS"])
    module = load_suite(suite)
    tests = [t for t in harness.tests_of(suite) if not only or t.name == only]
    try:
        if getattr(module, "SERVER", True):
            ctx.server = proc.Server(env=getattr(module, "SERVER_ENV", None))
            ctx.api = Api("127.0.0.1", ctx.server.port, ctx.token)
            ctx.server.start()
            ctx.server.wait_healthy(timeout=30)
        if hasattr(module, "setup"):
            module.setup()
    except Exception as e:  # noqa: BLE001 - reported as the suite's failure
        diags = [str(e)] + getattr(e, "details", [])
        harness.report(False, f"{suite}::setup", diags)
        proc.cleanup()
        teardown(suite, module)
        return 1
    failed = 0
    try:
        failed = harness.run(tests, proc.after_each)
        failed += stop_server(suite)
    finally:
        proc.cleanup()
        failed += teardown(suite, module)
    return 1 if failed else 0


def teardown(suite, module):
    """The suite's teardown(), if it has one; 1 if it failed."""
    if not hasattr(module, "teardown"):
        return 0
    try:
        module.teardown()
    except Exception as e:  # noqa: BLE001 - reported as the suite's failure
        harness.report(False, f"{suite}::teardown", [str(e)] + getattr(e, "details", []))
        return 1
    return 0


def stop_server(suite):
    """SIGTERM for the suite's server: it must exit 0 and leave no
    sanitizer report (leaks are reported at exit). Returns 1 if not."""
    srv = ctx.server
    if srv is None or srv.proc is None or srv.expect_exit:
        return 0
    status = srv.terminate(timeout=20)
    problems = []
    if status != 0:
        problems.append(f"exit status {status} after SIGTERM")
    if srv.new_sanitizer_report():
        problems.append("sanitizer report in the server's stderr at exit")
    if problems:
        harness.report(False, f"{suite}::server stops cleanly after the suite",
                       problems + [srv.stderr_tail(60)])
        return 1
    print(f"# {suite}: the server stopped cleanly")
    return 0


# ---------------------------------------------------------------- all suites

def run_job(suite, name, tokens_path):
    """Runs one suite (or one test) in a child process; returns its output."""
    module = load_suite(suite)
    lab = label(suite, name)
    dbname = f"api_{suite}" if name is None else \
        f"api_{suite}_{[t.name for t in harness.tests_of(suite)].index(name) + 1}"
    template = "template0" if getattr(module, "DATABASE", "template") == "empty" else TEMPLATE
    try:
        url = fresh_database(dbname, template)
    except harness.Failure as e:
        return f"not ok - {suite}::setup\n  # {e}\n" + "".join(f"  # {d}\n" for d in e.details)
    logdir = LOGROOT / lab
    shutil.rmtree(logdir, ignore_errors=True)
    env = dict(os.environ, NEXTSTAGE_DATABASE_URL=url, NS_API_LOGDIR=str(logdir),
               NS_API_TOKENS=str(tokens_path))
    spec = suite if name is None else f"{suite}::{name}"
    p = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--child", spec],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                         cwd=REPO, start_new_session=True)
    try:
        out, _ = p.communicate(timeout=SUITE_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, _ = p.communicate()
        out += f"not ok - {spec} (killed after {SUITE_TIMEOUT} s)\n".encode()
    text = out.decode("utf-8", "replace")
    if p.returncode and "\nnot ok " not in "\n" + text:
        text += f"not ok - {spec} (the suite's process exited with status {p.returncode})\n"
    return text


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("specs", nargs="*", metavar="SUITE[::TEST]")
    ap.add_argument("--each", action="store_true", help="every test alone")
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("NS_API_JOBS", os.cpu_count() or 1)))
    ap.add_argument("--list", action="store_true", help="print the SUITE::TEST names")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return run_child(args.child)
    jobs = select(args.specs, args.each)
    if args.list:
        for suite, _ in jobs:
            for t in harness.tests_of(suite):
                print(t.full_name)
        return 0
    missing = ctx.configure(REPO, os.environ, LOGROOT)
    missing += [n for n in ("NS_PG_URL",) if not os.environ.get(n)]
    if missing:
        print(f"Bail out! missing environment: {', '.join(missing)}")
        return 1
    tokens_path = LOGROOT / "tokens.json"
    try:
        build_template(tokens_path)
    except harness.Failure as e:
        harness.report(False, "api template database (migrate, accounts, tokens)",
                       [str(e)] + e.details)
        return 1
    exclusive = [j for j in jobs if getattr(load_suite(j[0]), "EXCLUSIVE", False)]
    shared = [j for j in jobs if j not in exclusive]
    failed = False
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        futures = [pool.submit(run_job, s, n, tokens_path) for s, n in shared]
        for f in futures:
            text = f.result()
            failed |= "\nnot ok " in "\n" + text
            sys.stdout.write(text)
            sys.stdout.flush()
    for s, n in exclusive:
        text = run_job(s, n, tokens_path)
        failed |= "\nnot ok " in "\n" + text
        sys.stdout.write(text)
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
