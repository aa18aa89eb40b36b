"""The command line: migrations, accounts, tokens, help, bad configuration.
The first three tests also provision the accounts every later test uses."""
import re
import socket

from nsapi.context import ctx
from nsapi.harness import check, test
from nsapi.proc import free_port, psql, run_cli

DEFAULT_STAGES = ["prospecting", "discovery", "evaluation", "proposal", "negotiation",
                  "closed_won", "closed_lost"]


@test(required=True)
def cli_migrate_applies_the_schema_and_is_idempotent():
    first = run_cli(["migrate"], timeout=60)
    check(first.rc == 0 and not first.timed_out, "migrate failed on an empty database",
          first.describe())
    stages = [row[0] for row in psql("SELECT slug FROM stages ORDER BY position")]
    check(stages == DEFAULT_STAGES, f"default stages after migrate: {stages}")
    again = run_cli(["migrate"], timeout=60)
    check(again.rc == 0, "a second migrate failed", again.describe())
    stages = [row[0] for row in psql("SELECT slug FROM stages ORDER BY position")]
    check(stages == DEFAULT_STAGES, f"stages after a second migrate: {stages}")


def user_add_args(acct, email=None, role=None):
    args = ["user", "add", "--email", email or acct.email, "--name", acct.name,
            "--role", role or acct.role]
    return args + (["--board"] if acct.board else [])


@test(required=True)
def cli_user_add_creates_an_account_per_role():
    for acct in ctx.accounts.values():
        # A second line must not become part of the password (checked by
        # the sign-in tests).
        r = run_cli(user_add_args(acct), stdin=f"{acct.password}\nnot part of the password\n")
        check(r.rc == 0, f"user add {acct.email} failed", r.describe())
    rows = psql("SELECT email, role, board, active FROM users ORDER BY email")
    got = {email: (role, board, active) for email, role, board, active in rows}
    for acct in ctx.accounts.values():
        want = (acct.role, "t" if acct.board else "f", "t")
        check(got.get(acct.email) == want,
              f"{acct.email}: (role, board, active) = {got.get(acct.email)}, want {want}")


@test(required=True)
def cli_token_create_prints_one_ns_token():
    for who, acct in ctx.accounts.items():
        r = run_cli(["token", "create", "--email", acct.email, "--name", f"api suite {who}"])
        check(r.rc == 0, f"token create for {acct.email} failed", r.describe())
        lines = r.out.strip().splitlines()
        check(len(lines) == 1 and re.fullmatch(r"ns_\S{16,}", lines[0].strip()),
              "stdout must be exactly one line holding a token starting with ns_", r.describe())
        acct.token = lines[0].strip()
    tokens = [a.token for a in ctx.accounts.values()]
    check(len(set(tokens)) == len(tokens), "two accounts got the same token")


@test
def cli_user_add_refuses_a_taken_email_in_any_case():
    acct = ctx.accounts["rep"]
    for email in (acct.email, acct.email.upper()):
        r = run_cli(user_add_args(acct, email=email), stdin="another password\n")
        check(r.rc != 0, f"user add with the taken email {email} succeeded", r.describe())
        check((r.err + r.out).strip(), "refused without a message", r.describe())
    rows = psql(f"SELECT count(*) FROM users WHERE email = lower('{acct.email}')")
    check(rows == [["1"]], f"users with {acct.email}: {rows}")


@test
def cli_user_add_refuses_an_unknown_role():
    email = ctx.uniq_email("king")
    r = run_cli(["user", "add", "--email", email, "--name", "K", "--role", "king"],
                stdin="some password\n")
    check(r.rc != 0, "user add --role king succeeded", r.describe())
    check((r.err + r.out).strip(), "refused without a message", r.describe())
    check(psql(f"SELECT count(*) FROM users WHERE email = '{email}'") == [["0"]],
          "the user was created anyway")


@test
def cli_token_create_refuses_an_unknown_email():
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
    r = run_cli(["serve"], env={"NEXTSTAGE_LISTEN": "bogus"}, timeout=15)
    check(not r.timed_out, "serve kept running with NEXTSTAGE_LISTEN=bogus", r.describe())
    check(r.rc != 0, "serve exited 0 with NEXTSTAGE_LISTEN=bogus", r.describe())
    check("NEXTSTAGE_LISTEN" in r.err or "bogus" in r.err,
          "stderr does not name the bad setting", r.describe())


@test
def cli_serve_on_a_port_in_use_exits_naming_the_address():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        r = run_cli(["serve"], env={"NEXTSTAGE_LISTEN": f"127.0.0.1:{port}"}, timeout=15)
    check(not r.timed_out, f"serve kept running although port {port} is taken", r.describe())
    check(r.rc != 0, "serve exited 0 although its port is taken", r.describe())
    check(str(port) in r.err, f"stderr does not mention the address (port {port})",
          r.describe())
