#!/usr/bin/env python3
"""Database tier: the extraction queue (schema/0023_extraction.sql,
schema/functions/extract_queue.sql) on a database the real binary
migrated. A new blob is queued once, whatever versions show it; two
connections taking jobs as the workers do (server/db/extracts.c) never get
the same one while a transaction holds it, and a job whose transaction
died is there to be taken again; the sweep keeps the blobs previews live
in. TAP-like output."""
import subprocess
import sys

from dbtap import BIN, ENV, exit_code, migrated_db, psql, report

# The workers' statement (server/db/extracts.c, q_take), for @n jobs.
def take(n=1):
    return ("SELECT string_agg(blob_id::text, ',') FROM (SELECT j.blob_id FROM extract_jobs j"
            " JOIN blobs b ON b.id = j.blob_id WHERE j.run_after <= now()"
            f" ORDER BY j.run_after, j.blob_id LIMIT {n} FOR UPDATE OF j SKIP LOCKED) x")


TAKE = take()


def rows(url, sql):
    return [l.split("|") for l in psql(url, sql).splitlines() if l]


def new_version(url, content, title, age="0"):
    """A new asset whose version 1 holds bytes @content (a blob made if
    they are new); the blob's id."""
    return rows(url, f"""
        WITH b AS (INSERT INTO blobs (sha256, size, created_at)
                   VALUES (sha256('{content}'), {len(content)}, now() - interval '{age} seconds')
                   ON CONFLICT (sha256) DO UPDATE SET size = excluded.size RETURNING id),
             a AS (INSERT INTO assets (title, kind, intent) VALUES ('{title}', 'guide', 'sales')
                   RETURNING id)
        INSERT INTO asset_versions (asset_id, number, blob_id, mime, filename)
        SELECT a.id, 1, b.id, 'text/plain', 'f.txt' FROM a, b RETURNING blob_id""")[0][0]


class Session:
    """A psql session kept open, statement by statement (a worker's connection)."""

    def __init__(self, url):
        self.p = subprocess.Popen(["psql", url, "-XAtq", "-v", "ON_ERROR_STOP=1"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                  env=ENV, bufsize=1)

    def one(self, sql):
        """Runs @sql; its single line of output ('' for no row)."""
        self.p.stdin.write(sql + ";\n\\echo --end--\n")
        self.p.stdin.flush()
        out = []
        while (line := self.p.stdout.readline().rstrip("\n")) != "--end--":
            out.append(line)
        return out[0] if out else ""

    def close(self):
        self.p.stdin.close()
        self.p.wait(10)

    def kill(self):
        self.p.kill()
        self.p.wait(10)


def check_queued_once(url):
    blob = new_version(url, "queued once", "Queued")
    again = new_version(url, "queued once", "Queued again")
    other = new_version(url, "queued once", "Another asset")
    state = rows(url, f"SELECT t.status, (SELECT count(*) FROM extract_jobs j WHERE j.blob_id = t.blob_id)"
                      f" FROM blob_texts t WHERE t.blob_id = {blob}")
    report(blob == again == other and state == [["pending", "1"]],
           "a new blob gets one pending text and one job, whatever versions show it",
           f"blobs {blob} {again} {other}, state {state}")
    psql(url, f"UPDATE blob_texts SET status = 'done' WHERE blob_id = {blob};"
              f" DELETE FROM extract_jobs WHERE blob_id = {blob}")
    new_version(url, "queued once", "Queued a third time")
    jobs = rows(url, f"SELECT count(*) FROM extract_jobs WHERE blob_id = {blob}")
    report(jobs == [["0"]], "a version of bytes extracted already queues nothing", f"jobs {jobs}")


def check_skip_locked(url):
    psql(url, "DELETE FROM extract_jobs")
    blobs = sorted(int(new_version(url, f"job {i}", f"Job {i}")) for i in range(2))
    a, b, c = Session(url), Session(url), Session(url)
    try:
        for s in (a, b, c):
            s.one("BEGIN")
        got = [s.one(TAKE) for s in (a, b, c)]
        report(sorted(int(x) for x in got[:2]) == blobs and got[2] == "",
               "two connections never take the same job; a third finds none while both hold theirs",
               f"took {got}, jobs {blobs}")
        a.kill()  # a worker dying mid-job: its transaction rolls back
        b.one("COMMIT")  # one that stored nothing, deleted nothing: the job stays
        c.one("ROLLBACK")
        again = sorted(int(x) for x in c.one(take(2)).split(",") if x)
        report(again == blobs, "a job whose worker died or let go is taken again",
               f"taken again {again}, want {blobs}")
    finally:
        for s in (b, c):
            s.close()


def check_sweep_keeps_previews(url):
    doc = new_version(url, "a document", "Previewed", age="7200")
    thumb = rows(url, """INSERT INTO blobs (sha256, size, created_at)
                         VALUES (sha256('a preview'), 9, now() - interval '2 hours') RETURNING id""")[0][0]
    psql(url, f"UPDATE blob_texts SET status = 'done', thumb_blob_id = {thumb},"
              f" thumb_mime = 'image/png' WHERE blob_id = {doc}")
    sweep = subprocess.run([BIN, "blobs", "sweep", "--min-age", "3600"], capture_output=True,
                           text=True, env=dict(ENV, NEXTSTAGE_DATABASE_URL=url))
    kept = rows(url, f"SELECT count(*) FROM blobs WHERE id = {thumb}")
    report(sweep.returncode == 0 and kept == [["1"]], "the sweep keeps a preview's blob",
           sweep.stdout, sweep.stderr, f"kept {kept}")
    psql(url, f"UPDATE blob_texts SET thumb_blob_id = NULL WHERE blob_id = {doc}")
    subprocess.run([BIN, "blobs", "sweep", "--min-age", "3600"], capture_output=True,
                   env=dict(ENV, NEXTSTAGE_DATABASE_URL=url))
    gone = rows(url, f"SELECT count(*) FROM blobs WHERE id = {thumb}")
    report(gone == [["0"]], "a preview no text refers to any more is swept", f"left {gone}")


def main():
    url = migrated_db("extract_queue")
    check_queued_once(url)
    check_skip_locked(url)
    check_sweep_keeps_previews(url)
    return exit_code()


if __name__ == "__main__":
    sys.exit(main())
