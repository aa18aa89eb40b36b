#!/usr/bin/env python3
"""Database tier: the SQL objects of schema/functions/ against a real
PostgreSQL (NS_PG_URL, from scripts/test.sh) and the real binary
(NEXTSTAGE_BIN). Every function, trigger and view of a migrated database is
defined by exactly one file; applying them again changes nothing; what no
file defines any more is dropped and nothing foreign is touched; a database
built by the migration chain as it was before schema/functions/ existed
upgrades to exactly the schema of a fresh one. TAP-like output."""
import glob
import hashlib
import os
import re
import subprocess
import sys
import tempfile

from dbtap import ENV, exit_code, fresh_db, migrate, psql, report

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
FUNCS = sorted(glob.glob(os.path.join(ROOT, "schema", "functions", "*.sql")))
MIGRATIONS = sorted(glob.glob(os.path.join(ROOT, "schema", "[0-9]*.sql")))
LAST_MIGRATION_WITH_OBJECTS = 16  # the last one written before schema/functions/


def schema_of(url):
    """The schema and the bookkeeping, comparable as text (pg_dump's
    \\restrict lines carry a fresh random key each run)."""
    dump = subprocess.run(["pg_dump", "--schema-only", "--no-owner", url],
                          capture_output=True, text=True, check=True).stdout
    lines = [l for l in dump.splitlines()
             if l and not l.startswith("--") and not re.match(r"\\(un)?restrict ", l)]
    return "\n".join(lines) + "\n" + \
        psql(url, "SELECT version, name, checksum FROM schema_migrations ORDER BY 1") + \
        psql(url, "SELECT object FROM schema_objects ORDER BY 1") + \
        psql(url, "SELECT slug, position, coalesce(outcome, '') FROM stages ORDER BY 2")


def declared():
    """What the files say they define: {file: [(kind, name, table)]}."""
    out = {}
    for f in FUNCS:
        text = open(f).read()
        objs = []
        # a constraint trigger has no OR REPLACE: its file drops and makes it
        for m in re.finditer(r"^CREATE (?:OR REPLACE |CONSTRAINT )(FUNCTION|PROCEDURE|VIEW|TRIGGER)"
                             r"\s+(\w+)(?:[^;]*?\bON\s+(\w+))?", text, re.M | re.S):
            kind = m.group(1)
            kind = "routine" if kind in ("FUNCTION", "PROCEDURE") else kind.lower()
            objs.append((kind, m.group(2), m.group(3) if kind == "trigger" else None))
        out[os.path.basename(f)[:-4]] = objs
    return out


# The database's own objects, each (kind, name, table), overloads repeated.
DB_OBJECTS = """
SELECT 'routine', p.proname, '' FROM pg_proc p
 WHERE p.pronamespace = 'public'::regnamespace
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                   AND d.objid = p.oid AND d.deptype = 'e')
UNION ALL
SELECT 'trigger', t.tgname, t.tgrelid::regclass::text FROM pg_trigger t
 WHERE NOT t.tgisinternal AND t.tgparentid = 0
UNION ALL
SELECT 'view', c.relname, '' FROM pg_class c
 WHERE c.relkind IN ('v', 'm') AND c.relnamespace = 'public'::regnamespace
ORDER BY 1, 2, 3
"""


def db_objects(url):
    return sorted(tuple(x or None for x in l.split("|"))
                  for l in psql(url, DB_OBJECTS).splitlines())


def check_one_home(url):
    decl = declared()
    problems = []
    homes = {}
    for f, objs in decl.items():
        if not any(k in ("routine", "view") and n == f for k, n, _ in objs):
            problems.append(f"{f}.sql defines no function or view named {f}")
        for o in set(objs):
            if o[0] != "routine" and o in homes:
                problems.append(f"{o} is defined in {homes[o]}.sql and {f}.sql")
            homes.setdefault(o, f)
        for k, n, _ in objs:
            if k == "routine" and homes.get(("routine", n, None), f) != f:
                problems.append(f"function {n} is defined in {homes[('routine', n, None)]}.sql"
                                f" and {f}.sql")
    from_files = sorted(o for objs in decl.values() for o in objs)
    in_db = db_objects(url)
    missing = sorted(set(in_db) - set(from_files))
    extra = sorted(set(from_files) - set(in_db))
    if missing:
        problems.append(f"in the database but in no file: {missing}")
    if extra:
        problems.append(f"in a file but not in the database: {extra}")
    if not missing and not extra and from_files != in_db:
        problems.append("overload counts differ between the files and the database")
    report(not problems and len(in_db) > 50,
           "every function, trigger and view of a migrated database has exactly one file",
           *problems)
    listed = psql(url, "SELECT count(*) FROM schema_objects").strip()
    report(listed == str(len(in_db)),
           "schema_objects lists every object the files define",
           f"{listed} listed, {len(in_db)} in the database")


def check_twice(url):
    before = schema_of(url)
    rc, err = migrate(url)
    after = schema_of(url)
    report(rc == 0 and "dropped" not in err and before == after,
           "applying the SQL objects a second time changes nothing", err,
           "\n".join(l for l in before.splitlines() if l not in after.splitlines())[:800])


def check_bodies(url):
    """Every body compiles against the migrated schema: the files run again
    with check_function_bodies on, then roll back."""
    ordered = [f for f in FUNCS if "CREATE OR REPLACE VIEW" not in open(f).read()] + \
              [f for f in FUNCS if "CREATE OR REPLACE VIEW" in open(f).read()]
    script = "BEGIN;\nSET LOCAL check_function_bodies = on;\n" + \
        "".join(f"\\i {f}\n" for f in ordered) + "ROLLBACK;\n"
    r = subprocess.run(["psql", url, "-XAtq", "-v", "ON_ERROR_STOP=1"], input=script,
                       capture_output=True, text=True, env=ENV)
    report(r.returncode == 0, "every function body compiles against the migrated schema",
           r.stderr)


def check_drops():
    url = fresh_db("objects_drop")
    migrate(url)
    psql(url, """CREATE FUNCTION zz_retired() RETURNS int LANGUAGE sql AS 'SELECT 1';
                 CREATE VIEW zz_retired_view AS SELECT zz_retired() AS x;
                 INSERT INTO schema_objects VALUES ('ROUTINE zz_retired()'),
                                                   ('VIEW zz_retired_view');
                 CREATE FUNCTION dba_helper() RETURNS int LANGUAGE sql AS 'SELECT 2';""")
    rc, err = migrate(url)
    left = psql(url, "SELECT string_agg(proname, ',' ORDER BY proname) FROM pg_proc"
                     " WHERE proname IN ('zz_retired', 'dba_helper')").strip()
    views = psql(url, "SELECT count(*) FROM pg_views WHERE viewname = 'zz_retired_view'").strip()
    listed = psql(url, "SELECT count(*) FROM schema_objects WHERE object LIKE '%zz_%'").strip()
    report(rc == 0 and left == "dba_helper" and views == "0" and listed == "0" and
           "dropped ROUTINE zz_retired()" in err,
           "what no file defines any more is dropped, and a function of someone else's kept",
           f"rc={rc} left={left} views={views} listed={listed}", err)


def old_chain(url):
    """Builds @url as the binary did before schema/functions/ existed: each
    numbered migration in its own transaction, recorded with the checksum of
    its text (without the "-- Superseded:" notes added since)."""
    psql(url, "CREATE TABLE schema_migrations (version integer PRIMARY KEY,"
              " name text NOT NULL, checksum text NOT NULL,"
              " applied_at timestamptz NOT NULL DEFAULT now())")
    for f in MIGRATIONS:
        text = "".join(l for l in open(f).readlines() if not l.startswith("-- Superseded:"))
        name = os.path.basename(f)[:-4]
        r = subprocess.run(["psql", url, "-Xq1", "-v", "ON_ERROR_STOP=1"], input=text,
                           capture_output=True, text=True, env=ENV)
        if r.returncode:
            raise RuntimeError(f"{name}: {r.stderr}")
        psql(url, f"INSERT INTO schema_migrations (version, name, checksum) VALUES"
                  f" ({int(name[:4])}, '{name}', '{hashlib.sha256(text.encode()).hexdigest()}')")


def check_upgrade(fresh_url):
    old = fresh_db("objects_old_chain")
    try:
        old_chain(old)
    except RuntimeError as e:
        report(False, "a database built by the old migration chain upgrades to a fresh one's schema",
               e)
        return
    with tempfile.TemporaryDirectory() as d:
        dump = os.path.join(d, "old.dump")
        subprocess.run(["pg_dump", "-Fc", "-f", dump, old], check=True)
        upgraded = fresh_db("objects_upgraded")
        r = subprocess.run(["pg_restore", "--no-owner", "-d", upgraded, dump],
                           capture_output=True, text=True, env=ENV)
    rc, err = migrate(upgraded)
    want, got = schema_of(fresh_url), schema_of(upgraded)
    diff = [l for l in got.splitlines() if l not in want.splitlines()] + \
           ["-- missing: " + l for l in want.splitlines() if l not in got.splitlines()]
    report(r.returncode == 0 and rc == 0 and "0 applied" in err and want == got,
           "a database built by the old migration chain upgrades to a fresh one's schema",
           r.stderr, err, "\n".join(diff[:20]))


def check_new_migrations():
    offenders = []
    for f in MIGRATIONS:
        if int(os.path.basename(f)[:4]) <= LAST_MIGRATION_WITH_OBJECTS:
            continue
        if re.search(r"^\s*CREATE\s+(OR\s+REPLACE\s+)?(FUNCTION|PROCEDURE|VIEW|TRIGGER)\b",
                     open(f).read(), re.M | re.I):
            offenders.append(os.path.basename(f))
    report(not offenders,
           "no migration after 0016 defines a function, trigger or view (schema/functions/ does)",
           *offenders)


def main():
    url = fresh_db("objects_fresh")
    rc, err = migrate(url)
    if rc:
        report(False, "a fresh database migrates", err)
        return 1
    check_one_home(url)
    check_twice(url)
    check_bodies(url)
    check_drops()
    check_upgrade(url)
    check_new_migrations()
    return exit_code()


if __name__ == "__main__":
    sys.exit(main())
