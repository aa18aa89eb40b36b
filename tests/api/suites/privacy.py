"""Privacy: erasing a person (a prospect, a lead) by e-mail. Their leads
and the page views recorded with them go, share recipients are cleared,
and the address is replaced wherever else it was written (notifications,
the audit trail's snapshots, the search log, comments); afterwards a dump
of the whole database does not contain it. Another person's data stays."""
import os
import subprocess

from nsapi.client import expect_json, expect_problem, expect_status
from nsapi.context import ctx
from nsapi.harness import check, test
from suites.public import key_of, leads_of, person, public_file, submit
from suites.shares import open_link, published_file, share

ERASE = "/api/v1/erasures"


def leave_traces(email):
    """A prospect @email everywhere a prospect can be written down."""
    sales = public_file(gated=True, intent="sales")
    expect_status(submit(sales["id"], person(email=email, consent="yes")), 200)
    other = public_file(gated=True)
    expect_status(submit(other["id"], person(email=email.upper(), consent="no")), 200)
    s = share(published_file(), recipient_email=email)
    expect_status(open_link(s["token"]), 200)  # the rep's notification names the recipient
    expect_json(ctx.api.post(f"/api/v1/assets/{sales['id']}/feedback",
                             {"rating": 4, "comment": f"Sent it to {email}, who loved it"},
                             as_="rep"), 201)
    expect_json(ctx.api.post("/api/v1/requests", {"title": "A case study for them",
                                                  "detail": f"Asked by {email}"}, as_="rep"), 201)
    ctx.api.get(f"/api/v1/assets?q={email}", as_="rep")  # the search log
    return sales, s


def dump():
    out = subprocess.run(["pg_dump", "--data-only", ctx.db_url], capture_output=True, text=True,
                         env={**os.environ}, check=True).stdout
    return out.lower()


@test
def an_erased_person_appears_nowhere_in_the_database():
    email = ctx.uniq_email("erase-me")
    keep = ctx.uniq_email("keep-me")
    # an outgoing webhook whose receiver is away: the lead's event waits in the outbox
    hook = expect_json(ctx.api.post("/api/v1/webhooks", {
        "url": "http://127.0.0.1:9/away", "events": ["lead.sales_ready"],
        "label": ctx.uniq("erasure")}, as_="admin"), 201)
    sales, s = leave_traces(email)
    kept_asset, _ = leave_traces(keep)
    check(email.lower() in dump(), "the traces were not left (the test proves nothing)")
    got = expect_json(ctx.api.post(ERASE, {"email": email.upper()}, as_="admin"), 200)
    check(got["leads"] == 2 and got["share_recipients"] == 1 and got["page_views"] >= 1,
          f"what was erased: {got}")
    check({"notifications.message", "audit.before", "outbox.data"} <= set(got["replaced"]),
          f"the replaced columns: {got['replaced']}")
    everything = dump()
    check(email.lower() not in everything, "the address is still in the database")
    check(key_of(email) not in {lead["key"] for lead in leads_of(sales["id"])},
          "a lead of the person is left")
    check(keep.lower() in everything and any(lead["email"] == keep
                                             for lead in leads_of(kept_asset["id"])),
          "another person's data went too")
    trail = expect_json(ctx.api.get("/api/v1/audit?entity=erasure", as_="admin"), 200)["items"]
    check(trail and trail[0]["after"]["leads"] == 2 and email.lower() not in str(trail).lower(),
          f"the erasure's audit row: {trail[:1]}")
    # Erasing again finds nothing.
    again = expect_json(ctx.api.post(ERASE, {"email": email}, as_="admin"), 200)
    check((again["leads"], again["share_recipients"], again["replaced"]) == (0, 0, {}),
          f"a second erasure: {again}")
    expect_status(ctx.api.delete(f"/api/v1/webhooks/{hook['id']}", as_="admin"), 204)


@test
def only_an_admin_erases_and_never_a_users_address():
    expect_problem(ctx.api.post(ERASE, {"email": "x@example.test"}, as_="marketer"), 403,
                   "forbidden")
    expect_problem(ctx.api.post(ERASE, {"email": ctx.accounts["rep"].email}, as_="admin"), 400,
                   "invalid_field", "email")
    expect_problem(ctx.api.post(ERASE, {"email": "not an address"}, as_="admin"), 400,
                   "invalid_field", "email")
    expect_problem(ctx.api.post(ERASE, {}, as_="admin"), 400, "missing_field", "email")
    expect_json(ctx.api.get("/api/v1/me", as_="rep"), 200)  # the user is untouched
