"""Processes: the server under test, its CLI, psql and the cluster script."""
import http.client
import os
import signal
import socket
import subprocess
import time

from . import contract
from .context import ctx
from .harness import Failure, check

SANITIZER_MARKERS = (
    "ERROR: AddressSanitizer",
    "ERROR: LeakSanitizer",
    "runtime error:",
    "SUMMARY: UndefinedBehaviorSanitizer",
)


def sanitizer_report(text):
    return any(m in text for m in SANITIZER_MARKERS)


def tail(text, n=40):
    lines = text.splitlines()
    return "\n".join(lines[-n:])


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class CliResult:
    def __init__(self, args, rc, out, err, timed_out):
        self.args, self.rc, self.out, self.err, self.timed_out = args, rc, out, err, timed_out

    def describe(self):
        status = "killed after timeout" if self.timed_out else f"exit {self.rc}"
        return "\n".join([
            "$ nextstage " + " ".join(self.args),
            status,
            "stdout: " + tail(self.out, 15),
            "stderr: " + tail(self.err, 15),
        ])


def run_cli(args, stdin="", env=None, timeout=30):
    """Runs the binary with @args; @env entries override (None removes).
    A sanitizer report in its stderr fails the calling test."""
    full = ctx.base_env()
    for k, v in (env or {}).items():
        if v is None:
            full.pop(k, None)
        else:
            full[k] = v
    p = subprocess.Popen([ctx.bin] + list(args), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=full, cwd=ctx.repo)
    timed_out = False
    try:
        out, err = p.communicate(stdin.encode(), timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        p.kill()
        out, err = p.communicate()
    res = CliResult(args, p.returncode, out.decode("utf-8", "replace"),
                    err.decode("utf-8", "replace"), timed_out)
    check(not sanitizer_report(res.err), "sanitizer report from the CLI", res.describe())
    return res


def sql_literal(s):
    return "'" + str(s).replace("'", "''") + "'"


def _sql(sql, db_url=None):
    r = subprocess.run(["psql", "-X", "-q", "-t", "-A", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                        "-d", db_url or ctx.db_url, "-c", sql],
                       capture_output=True, text=True, timeout=30,
                       env=dict(os.environ, PGOPTIONS="-c client_min_messages=warning"))
    check(r.returncode == 0, "psql failed", sql, r.stderr)
    return [line.split("\t") for line in r.stdout.splitlines() if line]


# The API tier talks HTTP. These two are its only ways into the database
# (README.md, Testing, lists the tests that use them and why); checks of
# SQL functions and tables belong to the db tier (tests/db/sql_checks.py).

def stored(sql):
    """Rows read straight from the suite's database, for durability only:
    what a killed or cut-off server left behind (or did not), where
    reading the database is the point. Returns rows as lists of strings."""
    return _sql(sql)


def arrange(sql, db_url=None):
    """A set-up the API cannot make, run on the suite's database (or
    @db_url): moving a timestamp into the past, a second database for a
    replica, a record the API refuses to change. Returns rows as lists of
    strings."""
    return _sql(sql, db_url)


def pg_sh(action):
    """scripts/pg.sh stop|start on the cluster of NS_PG_DIR / NS_PG_PORT."""
    check(ctx.pg_dir and ctx.pg_port, "NS_PG_DIR and NS_PG_PORT must be set for this test")
    args = ["bash", "scripts/pg.sh", action, ctx.pg_dir]
    if action == "start":
        args.append(ctx.pg_port)
    r = subprocess.run(args, cwd=ctx.repo, capture_output=True, text=True, timeout=120)
    check(r.returncode == 0, f"scripts/pg.sh {action} failed (exit {r.returncode})",
          r.stdout, r.stderr)


class Server:
    """`nextstage serve` on a free port, stderr (the access log) in a file."""

    def __init__(self, env=None):
        self.port = free_port()
        self.env = env or {}  # on top of ctx.base_env(); None removes a variable
        self.proc = None
        self.expect_exit = False
        self.stderr_path = ctx.logdir / "server.stderr"
        self.stdout_path = ctx.logdir / "server.stdout"
        self._scanned = 0

    def start(self):
        env = ctx.base_env()
        env["NEXTSTAGE_LISTEN"] = f"127.0.0.1:{self.port}"
        env["NEXTSTAGE_THREADS"] = "2"
        env["NEXTSTAGE_DB_POOL"] = "3"
        env.update(self.env)
        env = {k: v for k, v in env.items() if v is not None}
        with open(self.stderr_path, "wb") as err, open(self.stdout_path, "wb") as out:
            self.proc = subprocess.Popen([ctx.bin, "serve"], stdin=subprocess.DEVNULL,
                                         stdout=out, stderr=err, env=env, cwd=ctx.repo)

    def wait_healthy(self, timeout=30):
        deadline = time.monotonic() + timeout
        last = "no attempt"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise Failure(f"server exited with status {self.proc.returncode} while starting",
                              self.stderr_tail())
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                r = conn.getresponse()
                r.read()
                conn.close()
                if r.status == 200:
                    return
                last = f"GET /healthz answered {r.status}"
            except OSError as e:
                last = f"GET /healthz: {e}"
            time.sleep(0.1)
        raise Failure(f"server not healthy after {timeout}s ({last})", self.stderr_tail())

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stderr_text(self):
        try:
            return self.stderr_path.read_text("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def stderr_tail(self, n=40):
        return f"server stderr ({self.stderr_path}), last lines:\n" + tail(self.stderr_text(), n)

    def new_sanitizer_report(self):
        """True if stderr written since the last call has a sanitizer report."""
        text = self.stderr_text()
        fresh = text[max(0, self._scanned - 200):]
        self._scanned = len(text)
        return sanitizer_report(fresh)

    def terminate(self, timeout=15, signals=(signal.SIGTERM,)):
        """Sends @signals one after the other; returns the exit status, or
        None if still running after @timeout seconds (it is then killed)."""
        self.expect_exit = True
        for sig in signals:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def kill(self):
        if self.alive():
            self.proc.kill()
            self.proc.wait()


def after_each(_test):
    """Run after every test: an answer the contract (api/openapi.json) does
    not allow, a dead server or a sanitizer report fails the test that was
    running (a dead server also ends the run)."""
    problems = [f"an answer the contract does not allow:\n{v}" for v in contract.take()]
    srv = ctx.server
    if srv is None or srv.proc is None:
        return problems, False
    fatal = False
    if srv.new_sanitizer_report():
        problems += ["sanitizer report in the server's stderr", srv.stderr_tail(60)]
    if not srv.expect_exit and not srv.alive():
        problems += [f"the server exited (status {srv.proc.returncode})", srv.stderr_tail(60)]
        fatal = True
    return problems, fatal


def cleanup():
    if ctx.server is not None:
        ctx.server.kill()
