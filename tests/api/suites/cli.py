"""The command line: migrations, accounts, tokens, help, bad configuration.

The suite has a database of its own that starts empty (DATABASE) and no
server until a test needs one to check what the CLI did over HTTP. Its
first three tests migrate it, add the accounts and make their tokens; a
test that needs one of those steps done makes it itself when run alone."""
import re
import socket

from nsapi.client import Api, expect_json, expect_status
from nsapi.context import ctx
from nsapi.flows import login
from nsapi.harness import check, test
from nsapi.proc import Server, free_port, run_cli

DATABASE = "empty"
SERVER = False

_done = set()  # the provisioning steps made so far: migrate, accounts, tokens


def serving():
    """The suite's server, started on first use (after the migration)."""
    migrated()
    if ctx.server is None:
        ctx.server = Server()
        ctx.api = Api("127.0.0.1", ctx.server.port, ctx.token)
        ctx.server.start()
        ctx.server.wait_healthy(timeout=30)
    return ctx.api


def migrated():
    if "migrate" not in _done:
        r = run_cli(["migrate"], timeout=60)
        check(r.rc == 0, "migrate failed", r.describe())
        _done.add("migrate")


def user_add_args(acct, email=None, role=None):
    args = ["user", "add", "--email", email or acct.email, "--name", acct.name,
            "--role", role or acct.role]
    return args + (["--board"] if acct.board else [])


def add_accounts():
    """`user add` for every account; a second line on stdin must not
    become part of the password."""
    if "accounts" in _done:
        return
    migrated()
    for acct in ctx.accounts.values():
        r = run_cli(user_add_args(acct), stdin=f"{acct.password}\nnot part of the password\n")
        check(r.rc == 0, f"user add {acct.email} failed", r.describe())
    _done.add("accounts")


def create_tokens():
    """`token create` for every account: exactly one line, an ns_ token."""
    if "tokens" in _done:
        return
    add_accounts()
    for who, acct in ctx.accounts.items():
        r = run_cli(["token", "create", "--email", acct.email, "--name", f"api suite {who}"])
        check(r.rc == 0, f"token create for {acct.email} failed", r.describe())
        lines = r.out.strip().splitlines()
        check(len(lines) == 1 and re.fullmatch(r"ns_\S{16,}", lines[0].strip()),
              "stdout must be exactly one line holding a token starting with ns_", r.describe())
        acct.token = lines[0].strip()
    _done.add("tokens")


@test
def cli_migrate_applies_the_schema_and_is_idempotent():
    first = run_cli(["migrate"], timeout=60)
    check(first.rc == 0 and not first.timed_out, "migrate failed on an empty database",
          first.describe())
    applied = re.search(r"migrate: (\d+) applied", first.err)
    check(applied and int(applied.group(1)) > 0, "the first migrate applied nothing",
          first.describe())
    _done.add("migrate")
    again = run_cli(["migrate"], timeout=60)
    check(again.rc == 0, "a second migrate failed", again.describe())
    check("migrate: 0 applied" in again.err, "the second migrate applied something",
          again.describe())
    # What it creates (the default stages among it) is the db tier's
    # business: tests/db/run.sh, tests/db/sql_checks.py.


@test
def cli_user_add_creates_an_account_per_role():
    migrated()
    for acct in ctx.accounts.values():
        r = run_cli(user_add_args(acct), stdin=f"{acct.password}\nnot part of the password\n")
        check(r.rc == 0, f"user add {acct.email} failed", r.describe())
    _done.add("accounts")
    serving()
    for acct in ctx.accounts.values():
        me = expect_json(ctx.api.get("/api/v1/me", cookie=login(acct.email, acct.password)), 200)
        got = (me["email"], me["role"], me["board"])
        check(got == (acct.email, acct.role, acct.board),
              f"(email, role, board) = {got}, want {(acct.email, acct.role, acct.board)}")


@test
def cli_token_create_prints_one_ns_token():
    create_tokens()
    tokens = [a.token for a in ctx.accounts.values()]
    check(len(set(tokens)) == len(tokens), "two accounts got the same token")
    serving()
    for acct in ctx.accounts.values():
        me = expect_json(ctx.api.get("/api/v1/me", token=acct.token), 200)
        check(me["email"] == acct.email, f"{acct.email}'s token signs in as {me['email']}")


@test
def cli_user_add_refuses_a_taken_email_in_any_case():
    add_accounts()
    acct = ctx.accounts["rep"]
    for email in (acct.email, acct.email.upper()):
        r = run_cli(user_add_args(acct, email=email), stdin="another password\n")
        check(r.rc != 0, f"user add with the taken email {email} succeeded", r.describe())
        check((r.err + r.out).strip(), "refused without a message", r.describe())
    create_tokens()
    users = expect_json(serving().get("/api/v1/users?limit=200", as_="admin"), 200)["items"]
    same = [u["email"] for u in users if u["email"].lower() == acct.email]
    check(same == [acct.email], f"users with {acct.email}: {same}")
    login(acct.email, acct.password)  # the first password still holds
    r = ctx.api.post("/api/v1/session", {"email": acct.email, "password": "another password"})
    expect_status(r, 401)


@test
def cli_user_add_refuses_an_unknown_role():
    migrated()
    email = ctx.uniq_email("king")
    r = run_cli(["user", "add", "--email", email, "--name", "K", "--role", "king"],
                stdin="some password\n")
    check(r.rc != 0, "user add --role king succeeded", r.describe())
    check((r.err + r.out).strip(), "refused without a message", r.describe())
    r = run_cli(["token", "create", "--email", email, "--name", "x"])
    check(r.rc != 0 and "ns_" not in r.out, "the user was created anyway", r.describe())


@test
def cli_token_create_refuses_an_unknown_email():
    migrated()
    r = run_cli(["token", "create", "--email", "nobody@example.test", "--name", "x"])
    check(r.rc != 0, "token create for an unknown email succeeded", r.describe())
    check("ns_" not in r.out, "a token was printed for an unknown email", r.describe())


@test
def cli_help_prints_usage_and_exits_zero():
    # If --help were ignored, serve would start: give it its own port.
    env = {"NEXTSTAGE_LISTEN": f"127.0.0.1:{free_port()}"}
    top = run_cli(["--help"], env=env, timeout=10)
    check(top.rc == 0 and not top.timed_out, "nextstage --help", top.describe())
    for word in ("serve", "migrate", "user", "token"):
        check(word in top.out, f"nextstage --help does not mention {word!r}", top.describe())
    for args in (["serve", "--help"], ["migrate", "--help"], ["user", "add", "--help"],
                 ["token", "create", "--help"]):
        r = run_cli(args, env=env, timeout=10)
        check(r.rc == 0 and not r.timed_out, f"nextstage {' '.join(args)}", r.describe())
        check(r.out.strip(), f"nextstage {' '.join(args)} printed nothing on stdout",
              r.describe())


@test
def cli_serve_with_an_unreachable_database_exits_fast_saying_so():
    env = {"NEXTSTAGE_DATABASE_URL": "host=/nonexistent port=1 dbname=x",
           "NEXTSTAGE_LISTEN": f"127.0.0.1:{free_port()}"}
    r = run_cli(["serve"], env=env, timeout=15)
    check(not r.timed_out, "serve kept running for 15 s without a database", r.describe())
    check(r.rc != 0, "serve exited 0 without a database", r.describe())
    check("connect" in r.err.lower(), "stderr does not say it cannot connect", r.describe())


@test
def cli_serve_with_a_bogus_listen_address_exits_with_a_message():
    migrated()
    r = run_cli(["serve"], env={"NEXTSTAGE_LISTEN": "bogus"}, timeout=15)
    check(not r.timed_out, "serve kept running with NEXTSTAGE_LISTEN=bogus", r.describe())
    check(r.rc != 0, "serve exited 0 with NEXTSTAGE_LISTEN=bogus", r.describe())
    check("NEXTSTAGE_LISTEN" in r.err or "bogus" in r.err,
          "stderr does not name the bad setting", r.describe())


@test
def cli_serve_on_a_port_in_use_exits_naming_the_address():
    migrated()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        r = run_cli(["serve"], env={"NEXTSTAGE_LISTEN": f"127.0.0.1:{port}"}, timeout=15)
    check(not r.timed_out, f"serve kept running although port {port} is taken", r.describe())
    check(r.rc != 0, "serve exited 0 although its port is taken", r.describe())
    check(str(port) in r.err, f"stderr does not mention the address (port {port})",
          r.describe())
