"""Behind a proxy: X-Forwarded-For names the client only when the peer
is one of NEXTSTAGE_TRUSTED_PROXIES (here 127.0.0.1; the other loopback
addresses stand for clients that reach the server directly), seen through
the per-address sign-in throttle."""
from nsapi.client import expect_problem
from nsapi.context import ctx
from nsapi.harness import test
from suites.session import fresh_addr, sign_in_from, throttled

SERVER_ENV = {"NEXTSTAGE_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8"}


def spray(peer, xff, n=20):
    for i in range(n):
        r = sign_in_from(peer, f"spray-{i}-{ctx.uniq('p')}@example.test", "Summer2026!",
                         {"X-Forwarded-For": xff})
        expect_problem(r, 401, "invalid_credentials")


@test
def through_the_trusted_proxy_each_client_is_counted_apart():
    spray("127.0.0.1", "203.0.113.20")
    other = f"fresh-{ctx.uniq('f')}@example.test"
    throttled(sign_in_from("127.0.0.1", other, "x", {"X-Forwarded-For": "203.0.113.20"}))
    # Another client behind the same proxy, and the client's own made-up
    # entry before the proxy's: the address the proxy saw is what counts.
    expect_problem(sign_in_from("127.0.0.1", other, "x", {"X-Forwarded-For": "203.0.113.21"}),
                   401, "invalid_credentials")
    throttled(sign_in_from("127.0.0.1", other, "x",
                           {"X-Forwarded-For": "198.51.100.1, 203.0.113.20"}))
    # A chain of trusted proxies: the rightmost untrusted entry.
    throttled(sign_in_from("127.0.0.1", other, "x",
                           {"X-Forwarded-For": "203.0.113.20, 10.1.2.3"}))


@test
def from_anyone_else_the_header_is_ignored():
    direct = fresh_addr()
    spray(direct, "203.0.113.30")
    other = f"fresh-{ctx.uniq('f')}@example.test"
    # The sprayer is held up by its own address whatever it claims...
    throttled(sign_in_from(direct, other, "x", {"X-Forwarded-For": "203.0.113.99"}))
    # ...and the address it claimed is not.
    expect_problem(sign_in_from("127.0.0.1", other, "x", {"X-Forwarded-For": "203.0.113.30"}),
                   401, "invalid_credentials")
