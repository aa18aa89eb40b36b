"""What the Python checks of the database tier share: the environment that
scripts/test.sh gives them (NEXTSTAGE_BIN, NS_PG_URL), TAP-like reports,
psql, and fresh databases in the throwaway cluster."""
import os
import re
import subprocess

BIN = os.environ["NEXTSTAGE_BIN"]
BASE = os.environ["NS_PG_URL"]
ENV = dict(os.environ, PGOPTIONS="-c client_min_messages=warning")
_failed = False


def report(ok, name, *details):
    """Prints "ok - name", or "not ok - name" and the details as "  # "
    lines (15 per detail at most)."""
    global _failed
    print(("ok - " if ok else "not ok - ") + name)
    if not ok:
        _failed = True
        for d in details:
            for line in str(d).splitlines()[:15]:
                print("  # " + line)


def exit_code():
    """1 once any report failed, else 0."""
    return 1 if _failed else 0


class SqlError(RuntimeError):
    def __init__(self, sqlstate, message):
        super().__init__(f"{sqlstate}: {message}")
        self.sqlstate = sqlstate


def psql(url, sql, *args):
    """Runs @sql (unaligned, tuples only; @args go to psql); returns its
    output, or raises SqlError with the SQLSTATE of the failure."""
    r = subprocess.run(["psql", url, "-XAtq", "-v", "ON_ERROR_STOP=1", "-v", "VERBOSITY=verbose",
                        *args, "-c", sql], capture_output=True, text=True, env=ENV)
    if r.returncode:
        m = re.search(r"ERROR:\s+([0-9A-Z]{5}):", r.stderr)
        raise SqlError(m.group(1) if m else "", r.stderr.strip())
    return r.stdout


def fresh_db(name):
    """An empty database @name (dropped first if it exists); its conninfo."""
    psql(BASE, f"DROP DATABASE IF EXISTS {name}")
    psql(BASE, f"CREATE DATABASE {name}")
    return BASE.replace("dbname=nextstage", f"dbname={name}")


def migrate(url):
    """Runs the binary's migrate on @url: (exit status, stderr)."""
    r = subprocess.run([BIN, "migrate"], capture_output=True, text=True,
                       env=dict(ENV, NEXTSTAGE_DATABASE_URL=url))
    return r.returncode, r.stderr


def migrated_db(name):
    """fresh_db(@name) migrated by the binary; SqlError if migrate fails."""
    url = fresh_db(name)
    rc, err = migrate(url)
    if rc:
        raise SqlError("", "migrate failed: " + err)
    return url
