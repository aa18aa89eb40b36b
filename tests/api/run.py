#!/usr/bin/env python3
"""Black-box HTTP tests of nextstage.

Runs the real binary ($NEXTSTAGE_BIN) against an empty throwaway database
($NEXTSTAGE_DATABASE_URL): provisions accounts with the CLI, starts
`nextstage serve` on a free port, exercises the HTTP API, takes the
database away and back ($NS_PG_DIR, $NS_PG_PORT), stops the server with
SIGTERM and reads its access log. Prints one `ok - name` / `not ok - name`
line per test (diagnostics follow as "  # ..."); exits 1 if any failed.

The suites run in the order of SUITES; within a suite, in source order.
The server's stdout and stderr are kept in var/api-test/.
"""
import importlib
import os
import sys
from pathlib import Path

sys.dont_write_bytecode = True
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from nsapi import harness, proc  # noqa: E402
from nsapi.context import ctx  # noqa: E402

SUITES = [
    "cli",        # provisions the database and accounts first
    "ops",        # starts the server
    "session",
    "users",
    "taxonomy",   # expects the default stages untouched
    "assets", "content", "search",
    "deals", "shares",
    "crm",
    "imports",
    "events",
    "analytics",
    "audit",
    "feedback",
    "requests",
    "reviews",
    "public",     # public asset pages and leads
    "roles",
    "input",
    "cases",
    "lifecycle",  # outage, shutdown, logs: must stay last
]


def main():
    missing = ctx.configure(HERE.parent.parent, os.environ)
    if missing:
        print(f"Bail out! missing environment: {', '.join(missing)}")
        return 1
    for name in SUITES:
        importlib.import_module(f"suites.{name}")
    try:
        return harness.run_all(proc.after_each)
    finally:
        proc.cleanup()


if __name__ == "__main__":
    sys.exit(main())
