#!/usr/bin/env python3
"""Helpers for scripts/bench.sh (standard library only).

  pgstmt.py script LOG OFFSET MARKER CONNINFO OUT
      Finds, in the PostgreSQL log LOG from byte OFFSET on, the last
      "execute NAME: SQL" line (logged with log_min_duration_statement = 0)
      whose SQL contains MARKER, and the "DETAIL:  parameters: ..." line of
      the same backend that follows it. Writes to OUT a pgbench script: the
      statement text unchanged except that each $n is replaced by its value
      as a typed literal ('...'::type or NULL::type), the type being the one
      PostgreSQL infers for $n (PREPARE + pg_prepared_statements, through
      psql on CONNINFO). Prints the statement name and parameters on stderr.

  pgstmt.py copyfile IN OUT CHUNK
      Writes OUT, a COPY ... (FORMAT binary) file with one row (blob_id
      bigint = 1, n integer, data bytea) per CHUNK bytes of IN: the same
      bytes, no text encoding.
"""
import re
import struct
import subprocess
import sys

LINE = re.compile(r"\[(\d+)\] (LOG|DETAIL):  (.*)$")
EXECUTE = re.compile(r"(?:duration: [0-9.]+ ms  )?execute ([^:]+): (.*)$")
PARAM = re.compile(r"\$(\d+) = (NULL|'(?:[^']|'')*')(?:, |$)")


def die(msg):
    sys.stderr.write("pgstmt: %s\n" % msg)
    sys.exit(1)


def find_statement(log, offset, marker):
    with open(log, "rb") as f:
        f.seek(offset)
        lines = f.read().decode("utf-8", "replace").splitlines()
    found = None
    pending = {}  # pid -> (name, sql) of an execute line waiting for its DETAIL
    for line in lines:
        m = LINE.search(line)
        if not m:
            continue
        pid, kind, text = m.groups()
        if kind == "LOG":
            pending.pop(pid, None)
            e = EXECUTE.match(text)
            if e and marker in e.group(2):
                pending[pid] = (e.group(1), e.group(2))
        elif pid in pending and text.startswith("parameters: "):
            name, sql = pending.pop(pid)
            found = (name, sql, text[len("parameters: "):])
    if found is None:
        die("no 'execute ...' line containing %r with parameters in %s" % (marker, log))
    return found


def parse_params(text):
    params, pos = {}, 0
    while pos < len(text):
        m = PARAM.match(text, pos)
        if not m:
            die("cannot parse parameters at: %r" % text[pos:pos + 80])
        params[int(m.group(1))] = m.group(2)
        pos = m.end()
    return params


def param_types(conninfo, sql):
    q = ("PREPARE bench_stmt AS %s;\n"
         "SELECT t::text FROM pg_prepared_statements, unnest(parameter_types)"
         " WITH ORDINALITY u(t, i) WHERE name = 'bench_stmt' ORDER BY i;\n" % sql)
    r = subprocess.run(["psql", conninfo, "-qAtX", "-v", "ON_ERROR_STOP=1"], input=q,
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        die("PREPARE failed: %s" % r.stderr.strip())
    return r.stdout.splitlines()


def cmd_script(log, offset, marker, conninfo, out):
    name, sql, ptext = find_statement(log, int(offset), marker)
    params = parse_params(ptext)
    types = param_types(conninfo, sql)
    if sorted(params) != list(range(1, len(types) + 1)):
        die("statement has %d parameters, the log shows $%s" %
            (len(types), ", $".join(map(str, sorted(params)))))

    def literal(m):
        n = int(m.group(1))
        return "%s::%s" % (params[n], types[n - 1])

    # $12 must not be read as $1 followed by "2".
    inlined = re.sub(r"\$(\d+)(?!\d)", literal, sql)
    # pgbench takes ":name" for a variable, even inside a string literal.
    if re.search(r"(?<!:):[A-Za-z0-9_{]", inlined):
        die("the statement has a ':name' that pgbench would take for a variable")
    with open(out, "w") as f:
        f.write(inlined + ";\n")
    sys.stderr.write("pgstmt: statement %s, parameters: %s\n" % (name, ptext))


def cmd_copyfile(src, out, chunk):
    chunk = int(chunk)
    with open(src, "rb") as f, open(out, "wb") as o:
        o.write(b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0))
        n = 0
        while True:
            data = f.read(chunk)
            if not data:
                break
            o.write(struct.pack("!hiqiii", 3, 8, 1, 4, n, len(data)))
            o.write(data)
            n += 1
        o.write(struct.pack("!h", -1))


def main():
    cmds = {"script": (cmd_script, 5), "copyfile": (cmd_copyfile, 3)}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds or len(sys.argv) - 2 != cmds[sys.argv[1]][1]:
        die("usage: see the comment at the top of this file")
    fn, _ = cmds[sys.argv[1]]
    fn(*sys.argv[2:])


if __name__ == "__main__":
    main()
