"""Malformed requests read from files: tests/api/cases/NAME.http.

A case file holds one raw HTTP/1.1 request after a few directive lines:

    # expect: STATUS CODE [FIELD]    the answer: HTTP status, problem "code",
                                     and the problem "field" when given
    # any other "# " line at the top is a comment

The header part (up to the first empty line) is written with LF line ends
and sent with CRLF. The body is sent byte for byte, minus the file's final
newline. Placeholders: {{HOST}}, {{ADMIN_TOKEN}}, {{REP_TOKEN}},
{{MARKETER_TOKEN}}, {{LENGTH}} (the body's length in bytes, for
Content-Length) and {{CRLF}} (for bodies that need CR LF, e.g. chunked).
"""
from pathlib import Path

from nsapi.client import expect_problem, raw_exchange
from nsapi.context import ctx
from nsapi.harness import Failure, register

CASES_DIR = Path(__file__).resolve().parent.parent / "cases"


def load_case(path):
    """(status, code, field, request bytes) from a case file."""
    data = path.read_bytes()
    expect = None
    while data.startswith(b"# "):
        line, _, data = data.partition(b"\n")
        if line.startswith(b"# expect:"):
            expect = line[len(b"# expect:"):].decode().split()
    if not expect or len(expect) < 2 or not expect[0].isdigit():
        raise Failure(f"{path.name}: no '# expect: STATUS CODE' line")
    head, _, body = data.partition(b"\n\n")
    head = head.replace(b"\r", b"").rstrip(b"\n")
    if body.endswith(b"\n"):
        body = body[:-1]
    for name, value in (("HOST", ctx.api.authority), ("ADMIN_TOKEN", ctx.token("admin")),
                        ("REP_TOKEN", ctx.token("rep")),
                        ("MARKETER_TOKEN", ctx.token("marketer")), ("CRLF", "\r\n")):
        head = head.replace(b"{{%s}}" % name.encode(), value.encode())
        body = body.replace(b"{{%s}}" % name.encode(), value.encode())
    head = head.replace(b"{{LENGTH}}", str(len(body)).encode())
    request = head.replace(b"\n", b"\r\n") + b"\r\n\r\n" + body
    field = expect[2] if len(expect) > 2 else None
    return int(expect[0]), expect[1], field, request


def make_case_test(path):
    def case_test():
        status, code, field, request = load_case(path)
        r = raw_exchange("127.0.0.1", ctx.server.port, request, timeout=15)
        expect_problem(r, status, code, field)
    return case_test


for case_path in sorted(CASES_DIR.glob("*.http")):
    register(f"case {case_path.stem}", make_case_test(case_path))
