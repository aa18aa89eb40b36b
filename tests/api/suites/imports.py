"""CSV import of deals and their stage history: RFC 4180 edge cases, the
files Salesforce and HubSpot export as they export them, dates, amounts,
owners by name, history as a set of dated transitions, dry runs, charsets,
jobs for long files, and refusals by line and column."""
import signal
import time

from nsapi import exports as ex
from nsapi.client import expect_json, expect_problem, find_secrets
from nsapi.context import ctx
from nsapi.flows import account_id, deals_with_external_id
from nsapi.harness import check, test
from nsapi.proc import Server

IMPORT = "/api/v1/import/deals"


def post_csv(data, query="", as_="marketer", content_type="text/csv", headers=None):
    body = data if isinstance(data, bytes) else data.encode()
    return ctx.api.post(IMPORT + query, raw=body, content_type=content_type, as_=as_,
                        headers=headers or {})


def run(data, query=""):
    """Imports @data; the finished job's report."""
    job = expect_json(post_csv(data, query), 200)
    check(job["status"] == "done", f"job {job}")
    return job["report"]


def deal(external_id):
    rows = deals_with_external_id(external_id)
    check(len(rows) == 1, f"{len(rows)} deals with external_id {external_id}")
    return expect_json(ctx.api.get(f"/api/v1/deals/{rows[0]['id']}", as_="marketer"), 200)


def history(d):
    return [(h["to"], h["at"]) for h in d["history"]]


def user_named(name):
    body = {"email": ctx.uniq_email("owner"), "name": name, "role": "rep",
            "password": f"pw {ctx.uniq('p')} long enough"}
    return expect_json(ctx.api.post("/api/v1/users", body, as_="admin"), 201)


@test
def quoted_fields_bom_crlf_and_newlines_import_as_written():
    x = ctx.uniq("csv")
    text = ("\ufeffexternal_id,name,account,stage,amount,changed_at\r\n"
            f'{x}-1,"Acme, Inc ""big"" deal","Acme\r\nEMEA",discovery,1200.50,2026-01-02 10:00:00\r\n'
            f"{x}-2,Plain,,proposal,,2026-02-01T08:00:00Z\n"
            f"{x}-1,,,evaluation,,2026-01-20 00:00:00")  # LF and no final newline
    r = run(text)
    check((r["rows"], r["created"], r["transitions"], r["error_count"]) == (3, 2, 3, 0),
          f"counts {r}")
    d = deal(f"{x}-1")
    check(d["name"] == 'Acme, Inc "big" deal' and d["account"] == "Acme\r\nEMEA",
          f"quoted fields became {d['name']!r} / {d['account']!r}")
    check(d["amount"] == 1200.5, f"amount {d['amount']}")
    check([(h["to"], h["at"], h["source"]) for h in d["history"]]
          == [("discovery", "2026-01-02T10:00:00Z", "import"),
              ("evaluation", "2026-01-20T00:00:00Z", "import")], f"history {d['history']}")


@test
def imported_deals_are_in_the_audit_trail_as_created_by_the_importer():
    x = ctx.uniq("audited")
    run("external_id,name,account,stage,amount,changed_at\n"
        f"{x}-1,First,Acme,discovery,100,2026-01-01 00:00:00\n"
        f"{x}-2,Second,,proposal,,2026-01-02 00:00:00\n"
        f"{x}-1,First,Acme,evaluation,250,2026-01-05 00:00:00\n")
    run(f"external_id,name,stage,changed_at\n{x}-2,Second renamed,proposal,2026-01-03 00:00:00\n")
    for ext, actions in ((f"{x}-1", ["create"]), (f"{x}-2", ["update", "create"])):
        d = deal(ext)
        items = expect_json(ctx.api.get(f"/api/v1/audit?entity=deals&id={d['id']}",
                                        as_="marketer"), 200)["items"]
        check([i["action"] for i in items] == actions
              and all(i["actor"] == account_id("marketer") for i in items),
              f"{ext}: audit {[(i['action'], i['actor']) for i in items]}, want {actions}"
              " by the marketer")
        created = items[-1]["after"]
        check(created["id"] == d["id"] and created["external_id"] == ext
              and created["stage"] == ("evaluation" if ext.endswith("1") else "proposal")
              and created["amount"] == (250 if ext.endswith("1") else None),
              f"{ext}: created as {created}")
    renamed = items[0]
    check(renamed["before"]["name"] == "Second" and renamed["after"]["name"] == "Second renamed",
          f"the update's before/after {renamed}")


@test
def reimporting_the_same_file_changes_nothing():
    x = ctx.uniq("again")
    text = ("external_id,name,stage,changed_at\n"
            f"{x},Deal,discovery,2026-01-01 00:00:00\n"
            f"{x},Deal,proposal,2026-02-01 00:00:00\n")
    first = run(text)
    before = deal(x)
    again = run(text)
    check((again["created"], again["updated"], again["transitions"], again["unchanged"])
          == (0, 0, 0, 2), f"second import {again} (first {first})")
    check(deal(x)["history"] == before["history"], "the second import changed the history")


@test
def refused_rows_name_line_and_column_and_the_good_rows_are_stored():
    x = ctx.uniq("bad")
    text = ("external_id,stage,amount,owner_email\n"
            f"{x}-1,discovery,,\n"
            f"{x}-2,Nowhere Stage,,\n"
            f"{x}-3,discovery,lots,\n"
            f"{x}-4,discovery,,nobody@example.invalid\n"
            f',discovery,,\n'
            f"{x}-5,Nowhere Stage,,\n")
    r = run(text)
    errors = [(e["line"], e["field"], e["column"]) for e in r["errors"]]
    check(errors == [(3, "stage", "stage"), (4, "amount", "amount"),
                     (6, "external_id", "external_id"), (7, "stage", "stage")],
          f"errors {r['errors']}")
    check("lots" in r["errors"][1]["message"], f"the amount's message {r['errors'][1]}")
    check(r["stages_unknown"] == [{"stage": "Nowhere Stage", "count": 2}],
          f"unknown stages {r['stages_unknown']}")
    # An owner nobody is: a warning on its line, the deal imported without one.
    check([(w["line"], w["field"]) for w in r["warnings"]] == [(5, "owner")]
          and r["owners_unmatched"] == [{"owner": "nobody@example.invalid", "count": 1}],
          f"warnings {r['warnings']}, unmatched {r['owners_unmatched']}")
    check(deal(f"{x}-4")["owner"] is None, "a deal got an owner nobody is")
    check((r["created"], r["error_count"]) == (2, 4), f"counts {r}")


@test
def a_malformed_file_is_refused_whole_and_imports_nothing():
    x = ctx.uniq("whole")
    text = (f"external_id,stage\n{x}-1,discovery\n{x}-2,\"open quote,discovery\n"
            f"{x}-3,proposal\n")
    expect_problem(post_csv(text), 400, "bad_request")
    check(deals_with_external_id(f"{x}-1") == [], "a row before the malformed one was imported")


@test
def salesforce_opportunity_history_report_imports_its_history():
    x = ctx.uniq("006")
    owner = user_named("José Álvarez-Núñez")
    name = "Globex, Inc. — Platform rollout"
    rows = [
        {"Opportunity Owner": "JOSE ALVAREZ-NUNEZ", "Opportunity Name": name,
         "Account Name": "Globex, Inc.", "Edited By": "José Álvarez-Núñez",
         "Edit Date": ex.us_time(2026, 9, 2, 9, 15), "From Stage": "",
         "To Stage": "Prospecting", "Amount": "USD 30,000.00", "Probability (%)": "10%",
         "Close Date": "12/15/2026", "Opportunity ID": x},
        {"Opportunity Owner": "José Álvarez-Núñez", "Opportunity Name": name,
         "Account Name": "Globex, Inc.", "Edit Date": ex.us_time(2026, 10, 14, 16, 40),
         "From Stage": "Qualification", "To Stage": "Proposal/Price Quote",
         "Amount": "USD 36,000.00", "Probability (%)": "75%", "Close Date": "12/15/2026",
         "Opportunity ID": x},
        # The report lists newest last, but any order must do.
        {"Opportunity Owner": "José Álvarez-Núñez", "Opportunity Name": name,
         "Account Name": "Globex, Inc.", "Edit Date": ex.us_time(2026, 9, 20, 12, 0),
         "From Stage": "Prospecting", "To Stage": "Qualification",
         "Amount": "USD 30,000.00", "Probability (%)": "20%", "Close Date": "12/15/2026",
         "Opportunity ID": x},
    ]
    r = run(ex.salesforce_history(rows))
    check((r["rows"], r["skipped"], r["created"], r["transitions"], r["error_count"])
          == (9, 6, 1, 3, 0), f"report {r}")
    d = deal(x)
    check(history(d) == [("prospecting", "2026-09-02T09:15:00Z"),
                         ("discovery", "2026-09-20T12:00:00Z"),
                         ("proposal", "2026-10-14T16:40:00Z")], f"history {d['history']}")
    check((d["stage"], d["amount"], d["name"], d["account"], d["owner"])
          == ("proposal", 36000, name, "Globex, Inc.", owner["id"]),
          f"deal {d} (owner {owner['id']})")


@test
def salesforce_opportunity_export_with_day_month_dates_and_decimal_commas():
    x = ctx.uniq("006b")
    rows = [{"Opportunity ID": f"{x}-won", "Opportunity Name": "Initech renewal",
             "Account Name": "Initech", "Type": "Existing Business", "Stage": "Closed Won",
             "Amount": "12.500,00 €", "Close Date": "03/11/2026", "Created Date": "14/08/2026",
             "Last Modified Date": "20/11/2026 17:05", "Opportunity Owner": "Nobody Known"},
            {"Opportunity ID": f"{x}-open", "Opportunity Name": "Hooli pilot",
             "Account Name": "Hooli", "Stage": "Negotiation/Review", "Amount": "€ 8.000",
             "Close Date": "31/12/2026", "Created Date": "01/10/2026",
             "Last Modified Date": "25/11/2026 09:00", "Opportunity Owner": ""}]
    data = ex.salesforce_opportunities(rows)
    # 03/11/2026 and 01/10/2026 alone could be either; 14/08, 20/11, 31/12 cannot.
    r = run(data, "?decimal=comma")
    check(r["error_count"] == 0, f"errors {r['errors']}")
    won, open_ = deal(f"{x}-won"), deal(f"{x}-open")
    check(history(won) == [("closed_won", "2026-11-03T00:00:00Z")],
          f"a closed deal enters its outcome at its close date: {won['history']}")
    check(history(open_) == [("negotiation", "2026-11-25T09:00:00Z")],
          f"an open deal's stage dates from its last change: {open_['history']}")
    check((won["amount"], open_["amount"]) == (12500, 8000),
          f"amounts with decimal commas read as {won['amount']}, {open_['amount']}")
    check(won["created_at"] == "2026-08-14T00:00:00Z", f"created_at {won['created_at']}")


@test
def hubspot_export_carries_the_whole_history_in_one_row():
    x = ctx.uniq("hs")
    owner = user_named("Ana Łukasiewicz")
    row = {"Record ID": x, "Deal Name": "Umbrella, Q4 expansion", "Deal Stage": "Contract Sent",
           "Close Date": "2026-12-20 00:00", "Deal owner": "ana lukasiewicz", "Amount": "15,000",
           "Create Date": "2026-09-01 08:12", "Pipeline": "Sales Pipeline",
           "Associated Company": "Umbrella Corp", "Deal Type": "newbusiness",
           "entered": {"Appointment Scheduled": "2026-09-01 08:12",
                       "Presentation Scheduled": "2026-09-15 10:00",
                       "Contract Sent": "2026-11-03 14:30"}}
    r = run(ex.hubspot_deals([row]))
    check((r["created"], r["transitions"], r["error_count"]) == (1, 3, 0), f"report {r}")
    d = deal(x)
    check(history(d) == [("discovery", "2026-09-01T08:12:00Z"),
                         ("evaluation", "2026-09-15T10:00:00Z"),
                         ("negotiation", "2026-11-03T14:30:00Z")], f"history {d['history']}")
    check((d["stage"], d["owner"], d["amount"], d["account"])
          == ("negotiation", owner["id"], 15000, "Umbrella Corp"), f"deal {d}")
    # A newer export: the deal moved on; only that is new.
    newer = dict(row, **{"Deal Stage": "Closed Won"})
    newer["entered"] = dict(row["entered"], **{"Closed Won": "2026-11-28 11:00"})
    r = run(ex.hubspot_deals([newer]))
    check((r["created"], r["transitions"], r["unchanged"]) == (0, 1, 0), f"newer export {r}")
    # The older export again: history is a set, nothing goes backwards.
    r = run(ex.hubspot_deals([row]))
    check((r["created"], r["updated"], r["transitions"], r["unchanged"]) == (0, 0, 0, 1),
          f"older export again {r}")
    d = deal(x)
    check(d["stage"] == "closed_won" and history(d)[-1] == ("closed_won", "2026-11-28T11:00:00Z"),
          f"after the older export: {d['stage']}, {d['history']}")


@test
def an_older_row_is_inserted_in_time_order():
    x = ctx.uniq("order")
    run(f"external_id,stage,changed_at\n{x},proposal,2026-03-01 00:00:00\n")
    r = run(f"external_id,stage,changed_at\n{x},discovery,2026-01-01 00:00:00\n")
    check(r["transitions"] == 1, f"report {r}")
    d = deal(x)
    check(history(d) == [("discovery", "2026-01-01T00:00:00Z"),
                         ("proposal", "2026-03-01T00:00:00Z")] and d["stage"] == "proposal",
          f"history {d['history']}, stage {d['stage']}")


@test
def a_transition_contradicting_known_history_is_reported_not_applied():
    x = ctx.uniq("clash")
    run(f"external_id,stage,changed_at\n{x},negotiation,2026-03-01 00:00:00\n")
    # Same moment, another stage; and a move back the file does not state.
    r = run(f"external_id,stage,changed_at\n{x},discovery,2026-03-01 00:00:00\n"
            f"{x}-b,discovery,2026-01-01 00:00:00\n"
            f"{x},evaluation,2026-04-01 00:00:00\n")
    lines = sorted(e["line"] for e in r["errors"])
    check(lines == [2, 4] and all("contradicts" in e["message"] for e in r["errors"]),
          f"errors {r['errors']}")
    d = deal(x)
    check(history(d) == [("negotiation", "2026-03-01T00:00:00Z")] and d["stage"] == "negotiation",
          f"history {d['history']}")
    # A history that states the move back (From Stage) is applied.
    r = run("Opportunity ID,From Stage,To Stage,Edit Date\n"
            f"{x},Negotiation/Review,Value Proposition,2026-04-01 00:00\n")
    check(r["transitions"] == 1 and deal(x)["stage"] == "evaluation", f"stated move back {r}")


@test
def a_deal_in_two_stages_at_one_moment_is_refused_on_those_lines_and_the_rest_imported():
    x, y = ctx.uniq("twice"), ctx.uniq("twice-known")
    run(f"external_id,stage,changed_at\n{y},discovery,2026-01-01 00:00:00\n")
    r = run("external_id,stage,changed_at\n"
            f"{x},discovery,2026-01-01 00:00:00\n"
            f"{x},proposal,2026-02-01 00:00:00\n"
            f"{x},negotiation,2026-02-01 00:00:00\n"
            f"{x},evaluation,2026-03-01 00:00:00\n"
            f"{y},proposal,2026-02-01 00:00:00\n"
            f"{y},negotiation,2026-02-01 00:00:00\n"
            f"{y},evaluation,2026-03-01 00:00:00\n")
    errors = [(e["line"], e["field"], e["column"]) for e in r["errors"]]
    check(errors == [(3, "stage", "stage"), (4, "stage", "stage"), (6, "stage", "stage"),
                     (7, "stage", "stage")]
          and all("two stages at 2026-02-01T00:00:00Z" in e["message"] for e in r["errors"]),
          f"errors {r['errors']}")
    check((r["created"], r["transitions"], r["error_count"]) == (1, 3, 4), f"report {r}")
    for k in (x, y):
        d = deal(k)
        check(history(d) == [("discovery", "2026-01-01T00:00:00Z"),
                             ("evaluation", "2026-03-01T00:00:00Z")] and d["stage"] == "evaluation",
              f"{k}: history {d['history']}, stage {d['stage']}")


@test
def ambiguous_dates_are_refused_until_date_format_says():
    x = ctx.uniq("dmy")
    text = f"external_id,stage,changed_at\n{x},discovery,3/4/2026\n{x},proposal,5/6/2026\n"
    p = expect_problem(post_csv(text), 400, "invalid_parameter", "date_format")
    check("line 2" in p["detail"] and "changed_at" in p["detail"], f"detail {p['detail']}")
    check(deals_with_external_id(x) == [], "an ambiguous file imported rows")
    run(text, "?date_format=dmy")
    check(history(deal(x)) == [("discovery", "2026-04-03T00:00:00Z"),
                               ("proposal", "2026-06-05T00:00:00Z")], "dmy dates")
    p = expect_problem(post_csv(f"external_id,stage,changed_at\n{x}-2,discovery,3/14/2026\n"
                                f"{x}-2,proposal,14/3/2026\n"), 400, "invalid_parameter",
                       "date_format")
    check("disagree" in p["detail"], f"mixed orders: {p['detail']}")


@test
def times_without_offset_are_in_the_tz_parameter():
    x = ctx.uniq("tz")
    run(f"external_id,stage,changed_at\n{x},discovery,2026-07-01 09:00\n", "?tz=Europe/Paris")
    check(history(deal(x)) == [("discovery", "2026-07-01T07:00:00Z")], f"{deal(x)['history']}")
    expect_problem(post_csv(f"external_id,stage\n{x},discovery\n", "?tz=Mars/Olympus"), 400,
                   "invalid_parameter", "tz")


@test
def a_dry_run_answers_what_would_change_and_writes_nothing():
    x = ctx.uniq("dry")
    text = (f"external_id,stage,changed_at,owner_email\n{x}-1,discovery,2026-01-01 00:00,\n"
            f"{x}-1,proposal,2026-02-01 00:00,\n{x}-2,Limbo,2026-01-01 00:00,\n"
            f"{x}-3,discovery,2026-01-01 00:00,ghost@example.invalid\n")
    dry = run(text, "?dry_run=1")
    check(dry["dry_run"] is True, f"report {dry}")
    check(deals_with_external_id(f"{x}-1") == [], "a dry run created a deal")
    real = run(text)
    keys = ("rows", "created", "updated", "transitions", "unchanged", "error_count", "errors",
            "warnings", "owners_unmatched", "stages_unknown")
    check({k: dry[k] for k in keys} == {k: real[k] for k in keys},
          f"dry run {dry} vs the import {real}")
    check((real["created"], real["transitions"]) == (2, 3), f"import {real}")


@test
def windows_1252_needs_its_charset_and_is_never_stored_as_mojibake():
    x = ctx.uniq("cp")
    data = f"external_id,name,stage\r\n{x},Café Müller – Renewal,discovery\r\n".encode(
        "cp1252")
    p = expect_problem(post_csv(data), 400, "invalid_encoding", "charset")
    check("line 2" in p["detail"] and "windows-1252" in p["detail"], f"detail {p['detail']}")
    check(deals_with_external_id(x) == [], "a refused file imported its row")
    run(data, "?charset=windows-1252")
    check(deal(x)["name"] == "Café Müller – Renewal", f"name {deal(x)['name']!r}")


@test
def a_long_import_runs_as_a_job_with_progress():
    x = ctx.uniq("job")
    lines = ["external_id,name,stage,changed_at"]
    for i in range(3000):
        lines.append(f"{x}-{i},Deal {i},discovery,2026-05-01 10:00")
        lines.append(f"{x}-{i},Deal {i},proposal,2026-06-01 10:00")
    r = post_csv("\n".join(lines) + "\n", headers={"Prefer": "respond-async"})
    job = expect_json(r, 202)
    url = r.header("Location")
    check(url == f"/api/v1/import/jobs/{job['id']}", f"Location {url}")
    check(job["rows_total"] == 6000 and job["status"] in ("queued", "running", "done"),
          f"job {job}")
    seen = []
    for _ in range(600):
        job = expect_json(ctx.api.get(url, as_="marketer"), 200)
        seen.append(job["rows_read"])
        if job["status"] in ("done", "failed"):
            break
        time.sleep(0.05)
    check(job["status"] == "done", f"job {job}")
    check(seen == sorted(seen) and seen[-1] == 6000, f"progress went {seen[:5]}...{seen[-3:]}")
    rep = job["report"]
    check((rep["rows"], rep["created"], rep["transitions"]) == (6000, 3000, 6000), f"{rep}")
    check(deal(f"{x}-2999")["stage"] == "proposal", "the last deal")
    expect_problem(ctx.api.get(url, as_="rep"), 403, "forbidden")
    expect_problem(ctx.api.get("/api/v1/import/jobs/00000000-0000-4000-8000-000000000000",
                               as_="marketer"), 404, "not_found")


def follow(api, url, timeout=120):
    """The job at @url once it is done or failed."""
    deadline = time.monotonic() + timeout
    while True:
        job = expect_json(api.get(url, as_="marketer"), 200)
        if job["status"] in ("done", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.1)


def another_server(name):
    """A second server on the suite's database, healthy; its output in
    the log directory under @name."""
    srv = Server()
    srv.stderr_path = ctx.logdir / f"{name}.stderr"
    srv.stdout_path = ctx.logdir / f"{name}.stdout"
    srv.start()
    try:
        srv.wait_healthy(timeout=30)
    except BaseException:
        srv.kill()
        raise
    return srv


@test
def an_acknowledged_job_survives_a_kill_of_the_server_running_it():
    x = ctx.uniq("kill")
    lines = ["external_id,stage,changed_at"]
    lines += [f"{x}-{i},discovery,2026-05-01 10:00" for i in range(25000)]
    from nsapi.client import Api
    srv = another_server("killed-import")
    try:
        api = Api("127.0.0.1", srv.port, ctx.token)
        r = api.post(IMPORT, raw=("\n".join(lines) + "\n").encode(), content_type="text/csv",
                     as_="marketer")
        job = expect_json(r, 202)
        before = expect_json(api.get(r.header("Location"), as_="marketer"), 200)
        srv.proc.send_signal(signal.SIGKILL)
        srv.proc.wait(10)
    finally:
        srv.kill()
    check(before["status"] in ("queued", "running"),
          f"the job ended before the kill: {before['status']} (make the file longer)")
    # The suite's server, which shares the database and was running all
    # along, takes the job up once its run is gone (a few seconds).
    job = follow(ctx.api, r.header("Location"))
    check(job["status"] == "done" and job["report"]["created"] == 25000, f"job {job}")
    check(len(deals_with_external_id(f"{x}-24999")) == 1, "the last deal is missing")


@test
def a_server_starting_while_another_imports_leaves_the_job_to_it():
    # Servers sharing a database (behind a load balancer, in a rolling
    # restart): one that starts must neither run a live job again nor
    # report it failed.
    x = ctx.uniq("second")
    lines = ["external_id,stage,changed_at"]
    lines += [f"{x}-{i},discovery,2026-05-01 10:00" for i in range(80000)]
    r = post_csv("\n".join(lines) + "\n")
    expect_json(r, 202)
    url = r.header("Location")
    second = another_server("second-server")
    try:
        time.sleep(0.5)  # its import worker's first turn
        during = expect_json(ctx.api.get(url, as_="marketer"), 200)
        job = follow(ctx.api, url)
        time.sleep(3)  # what a second run would do has had time to happen
        after = expect_json(ctx.api.get(url, as_="marketer"), 200)
    finally:
        second.kill()
    check(during["status"] == "running",
          f"the job was {during['status']} once the second server ran (make the file longer)")
    check(job["status"] == "done" and job["report"]["created"] == 80000, f"job {job}")
    check(after["status"] == "done" and after["error"] is None, f"then the job became {after}")
    ran = [ln for ln in second.stderr_text().splitlines() if "import job " + after["id"] in ln]
    check(not ran, f"the second server ran the job too: {ran}")


@test
def a_missing_required_column_is_400_naming_it():
    expect_problem(post_csv("account,stage\nx,discovery\n"), 400, "missing_field", "external_id")
    expect_problem(post_csv("external_id,name\nx,y\n"), 400, "missing_field", "stage")
    expect_problem(post_csv(""), 400, "bad_request")


@test
def deals_without_an_id_are_known_by_name_and_account():
    x = ctx.uniq("named")
    text = ("Opportunity Name,Account Name,To Stage,Edit Date\n"
            f"{x} deal,{x} Ltd,Qualification,2026-02-01 00:00\n")
    run(text)
    r = run(text.replace("Qualification,2026-02-01", "Closed Won,2026-03-01"))
    check((r["created"], r["transitions"]) == (0, 1), f"second file {r}")


@test
def only_csv_is_accepted_and_only_from_marketers():
    expect_problem(post_csv("external_id,stage\n", content_type="application/json"), 415,
                   "unsupported_media_type")
    expect_problem(post_csv("external_id,stage\n", as_="rep"), 403, "forbidden")
    expect_problem(post_csv("external_id,stage\nx,discovery\n", "?decimal=dot"), 400,
                   "invalid_parameter", "decimal")


def sf_history_of(x, owner):
    """A Salesforce Opportunity History report of one deal whose owner
    the file calls @owner: two changes, dd/mm dates."""
    base = {"Opportunity Owner": owner, "Opportunity Name": f"{x} rollout",
            "Account Name": "Initrode, Ltd.", "Amount": "USD 36,000.00",
            "Close Date": "28/12/2026", "Opportunity ID": x}
    return ex.salesforce_history([
        {**base, "Edit Date": "14/09/2026 09:15", "From Stage": "", "To Stage": "Prospecting"},
        {**base, "Edit Date": "02/10/2026 16:40", "From Stage": "Prospecting",
         "To Stage": "Qualification"}])


def aliases():
    return expect_json(ctx.api.get("/api/v1/owner-aliases", as_="marketer"), 200)["items"]


@test
def an_owner_mapped_by_an_alias_owns_the_deal_in_the_dry_run_and_the_import():
    x = ctx.uniq("alias")
    owner = user_named(f"Samira Quist {x}")
    data = sf_history_of(x, f"S. QUIST ({x})")
    dry = run(data, "?dry_run=1")
    check(dry["owners_unmatched"] == [{"owner": f"S. QUIST ({x})", "count": 2}]
          and dry["warning_count"] == 2, f"before the alias: {dry}")
    # Written another way: case, accents and spaces aside, as names are matched.
    r = ctx.api.post("/api/v1/owner-aliases", {"alias": f"  s. quíst  ({x}) ",
                                               "user_id": owner["id"]}, as_="marketer")
    made = expect_json(r, 200)
    check(made == {"alias": f"s. quíst  ({x})", "user_id": owner["id"],
                   "user_name": owner["name"], "user_email": owner["email"]}, f"alias {made}")
    check(made in aliases(), f"the alias is not listed: {aliases()}")
    dry = run(data, "?dry_run=1")
    check(dry["owners_unmatched"] == [] and dry["warning_count"] == 0
          and (dry["created"], dry["transitions"], dry["error_count"]) == (1, 2, 0),
          f"the dry run after the alias: {dry}")
    check(deals_with_external_id(x) == [], "a dry run created the deal")
    r = run(data)
    check(r["owners_unmatched"] == [] and r["created"] == 1, f"the import {r}")
    d = deal(x)
    check((d["owner"], d["owner_name"]) == (owner["id"], owner["name"]), f"deal {d}")
    check(history(d) == [("prospecting", "2026-09-14T09:15:00Z"),
                         ("discovery", "2026-10-02T16:40:00Z")], f"history {d['history']}")
    entries = expect_json(ctx.api.get("/api/v1/audit?entity=owner_aliases", as_="marketer"),
                          200)["items"]
    check(any(e["action"] == "create" and e["actor"] == account_id("marketer")
              and e["after"]["user_id"] == owner["id"] for e in entries),
          f"the alias is not audited: {entries}")


@test
def an_alias_wins_over_a_name_and_can_be_moved_and_deleted():
    x = ctx.uniq("alias2")
    named, other = user_named(f"Pat Doe {x}"), user_named(f"Patricia Doe {x}")
    data = sf_history_of(x, f"Pat Doe {x}")
    expect_json(ctx.api.post("/api/v1/owner-aliases", {"alias": f"PAT DOE {x}",
                                                       "user_id": other["id"]},
                             as_="marketer"), 200)
    run(data, "?dry_run=1")
    # The same alias written differently replaces it.
    moved = expect_json(ctx.api.post("/api/v1/owner-aliases", {"alias": f"Pat Doe {x}",
                                                               "user_id": named["id"]},
                                     as_="marketer"), 200)
    check([a for a in aliases() if a["alias"].lower() == f"pat doe {x}"] == [moved],
          f"aliases {aliases()}")
    r = ctx.api.delete(f"/api/v1/owner-aliases?alias=P%C3%A0t%20DOE%20{x}", as_="marketer")
    check(r.status == 204, f"DELETE an alias: {r.status}", r.describe())
    expect_problem(ctx.api.delete(f"/api/v1/owner-aliases?alias=pat%20doe%20{x}",
                                  as_="marketer"), 404, "not_found")
    expect_json(ctx.api.post("/api/v1/owner-aliases", {"alias": f"Pat Doe {x}",
                                                       "user_id": other["id"]},
                             as_="marketer"), 200)
    run(data)
    check(deal(x)["owner"] == other["id"], "the alias did not win over the user's own name")


@test
def owner_aliases_are_checked_and_only_for_marketers():
    x = ctx.uniq("alias3")
    gone = user_named(f"Gone Soon {x}")
    expect_json(ctx.api.patch(f"/api/v1/users/{gone['id']}", {"active": False}, as_="admin"),
                200)
    for body, code, field in (
            ({"alias": f"A {x}", "user_id": gone["id"]}, "invalid_field", "user_id"),
            ({"alias": f"A {x}", "user_id": "00000000-0000-4000-8000-000000000000"},
             "invalid_field", "user_id"),
            ({"alias": f"A {x}", "user_id": "nobody"}, "invalid_field", "user_id"),
            ({"alias": "   ", "user_id": account_id("rep")}, "invalid_field", "alias"),
            ({"alias": "x" * 301, "user_id": account_id("rep")}, "invalid_field", "alias"),
            ({"user_id": account_id("rep")}, "missing_field", "alias")):
        expect_problem(ctx.api.post("/api/v1/owner-aliases", body, as_="marketer"), 400, code,
                       field)
    expect_problem(ctx.api.delete("/api/v1/owner-aliases", as_="marketer"), 400,
                   "invalid_parameter", "alias")
    for method, path, body in (("GET", "/api/v1/owner-aliases", None),
                               ("POST", "/api/v1/owner-aliases",
                                {"alias": f"B {x}", "user_id": account_id("rep")}),
                               ("DELETE", f"/api/v1/owner-aliases?alias=B%20{x}", None),
                               ("GET", "/api/v1/people", None)):
        kw = {} if body is None else {"body": body}
        expect_problem(ctx.api.request(method, path, as_="rep", **kw), 403, "forbidden")
    people = expect_json(ctx.api.get("/api/v1/people", as_="marketer"), 200)["items"]
    check(all(set(p) == {"id", "name", "email", "role"} for p in people)
          and not find_secrets(people), f"people {people[:3]}")
    ids = {p["id"] for p in people}
    check(account_id("rep") in ids and account_id("admin") in ids and gone["id"] not in ids,
          "/people is not the active users")
