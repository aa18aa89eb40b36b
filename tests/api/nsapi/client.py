"""HTTP helpers: a small JSON client over http.client, a raw-socket
exchange for requests http.client will not send, and the assertions on
answers (status, JSON, problem+json)."""
import http.client
import json
import socket
import time

from . import contract
from .harness import Failure, check

NO_BODY = object()
MIB = 1024 * 1024
PROBLEM_KEYS = ("type", "title", "status", "detail", "code")


class Response:
    """One answer, with the request that produced it for diagnostics."""

    def __init__(self, method, target, status, headers, body):
        self.method = method
        self.target = target
        self.status = status
        self.headers = headers  # list of (name, value)
        self.body = body
        self._json = NO_BODY

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def header_all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def media_type(self):
        return (self.header("Content-Type") or "").split(";")[0].strip().lower()

    @property
    def json(self):
        """The parsed body, or None when it is not JSON."""
        if self._json is NO_BODY:
            try:
                self._json = json.loads(self.body.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                self._json = None
        return self._json

    def describe(self, limit=700):
        target = self.target
        if len(target) > 120:
            target = f"{target[:100]}... ({len(target)} bytes)"
        text = self.body[:limit].decode("utf-8", "replace")
        more = f" ... ({len(self.body)} bytes)" if len(self.body) > limit else ""
        return "\n".join([
            f"request:  {self.method} {target}",
            f"response: {self.status} (Content-Type: {self.header('Content-Type')})",
            f"body:     {text}{more}",
        ])


def checked(resp):
    """@resp, held against the contract (api/openapi.json) first: for the
    suites' own HTTP helpers (a chosen source address, a browser's
    headers), whose answers are checked as Api's are."""
    contract.observe(resp)
    return resp


class Api:
    """Requests to the server under test, one connection per request.

    as_   : an account key ("rep", "admin", ...) whose bearer token to send
    token : a bearer token
    cookie: a session cookie value (ns_session)
    csrf  : send X-Requested-With (True for "XMLHttpRequest", or a value)
    body  : a JSON-serializable value sent as application/json
    raw   : bytes sent as the body as-is, with @content_type (None: no header)
    """

    def __init__(self, host, port, token_of):
        self.host = host
        self.port = port
        self.token_of = token_of

    @property
    def authority(self):
        return f"{self.host}:{self.port}"

    def request(self, method, path, body=NO_BODY, *, as_=None, token=None, cookie=None,
                csrf=False, raw=None, content_type="application/json", headers=None,
                timeout=20):
        hdrs = {}
        if as_ is not None:
            hdrs["Authorization"] = f"Bearer {self.token_of(as_)}"
        if token is not None:
            hdrs["Authorization"] = f"Bearer {token}"
        if cookie is not None:
            hdrs["Cookie"] = f"ns_session={cookie}"
        if csrf:
            hdrs["X-Requested-With"] = "XMLHttpRequest" if csrf is True else csrf
        data = None
        if raw is not None:
            data = raw
        elif body is not NO_BODY:
            data = json.dumps(body).encode("utf-8")
        if data is not None and content_type is not None:
            hdrs["Content-Type"] = content_type
        hdrs.update(headers or {})
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request(method, path, body=data, headers=hdrs)
            resp = conn.getresponse()
            payload = resp.read()
            answer = Response(method, path, resp.status, resp.getheaders(), payload)
        except (OSError, http.client.HTTPException) as e:
            raise Failure(f"{method} {path[:120]}: no answer ({type(e).__name__}: {e})")
        finally:
            conn.close()
        contract.observe(answer)  # api/openapi.json: a wrong answer fails the test
        return answer

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def head(self, path, **kw):
        return self.request("HEAD", path, **kw)

    def post(self, path, body=NO_BODY, **kw):
        return self.request("POST", path, body, **kw)

    def patch(self, path, body=NO_BODY, **kw):
        return self.request("PATCH", path, body, **kw)

    def put(self, path, body=NO_BODY, **kw):
        return self.request("PUT", path, body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)


# ---------------------------------------------------------------- raw HTTP

def _parse_response(buf, method, target, complete):
    """A Response from @buf, or None if more bytes are needed. @complete:
    the peer closed, take what is there."""
    while True:
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            if complete:
                raise Failure("connection closed before a complete status line and headers",
                              f"request:  {method} {target[:120]}", f"received: {buf[:300]!r}")
            return None
        head = buf[:end].decode("iso-8859-1")
        lines = head.split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
            raise Failure(f"malformed status line {lines[0]!r}")
        status = int(parts[1])
        headers = []
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
        rest = buf[end + 4:]
        if 100 <= status < 200:  # interim (100 Continue): the real answer follows
            buf = rest
            continue
        resp = Response(method, target, status, headers, b"")
        if method == "HEAD" or status in (204, 304):
            return resp
        te = (resp.header("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            body, pos = b"", 0
            while True:
                eol = rest.find(b"\r\n", pos)
                if eol < 0:
                    break
                size = int(rest[pos:eol].split(b";")[0] or b"0", 16)
                if size == 0:
                    resp.body = body
                    return resp
                if len(rest) < eol + 2 + size + 2:
                    break
                body += rest[eol + 2:eol + 2 + size]
                pos = eol + 2 + size + 2
            if complete:
                resp.body = body
                return resp
            return None
        length = resp.header("Content-Length")
        if length is not None:
            if len(rest) >= int(length) or complete:
                resp.body = rest[:int(length)]
                return resp
            return None
        if complete:
            resp.body = rest
            return resp
        return None


def read_response(sock, method, target, timeout=15):
    """Reads one answer from @sock (tolerates the peer closing or resetting
    once the answer is there) and holds it against the contract."""
    resp = _read_response(sock, method, target, timeout)
    contract.observe(resp)
    return resp


def _read_response(sock, method, target, timeout):
    buf = b""
    deadline = time.monotonic() + timeout
    while True:
        resp = _parse_response(buf, method, target, complete=False)
        if resp is not None:
            return resp
        left = deadline - time.monotonic()
        if left <= 0:
            raise Failure(f"no complete answer within {timeout}s",
                          f"request:  {method} {target[:120]}", f"received: {buf[:300]!r}")
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            return _parse_response(buf, method, target, complete=True)
        buf += chunk


def raw_exchange(host, port, data, timeout=15):
    """Sends @data (a whole request, bytes) on a new connection and reads
    the answer."""
    first = data.split(b"\r\n", 1)[0].decode("iso-8859-1").split(" ")
    method = first[0]
    target = first[1] if len(first) > 1 else ""
    with socket.create_connection((host, port), timeout=timeout) as s:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before reading it all
        return read_response(s, method, target, timeout)


# ---------------------------------------------------------------- expectations

def expect_status(resp, *statuses):
    check(resp.status in statuses,
          f"expected status {' or '.join(map(str, statuses))}, got {resp.status}", resp.describe())
    return resp


def expect_json(resp, status):
    """Asserts @status and a JSON body; returns the body."""
    expect_status(resp, status)
    check(resp.media_type() == "application/json",
          f"expected Content-Type application/json, got {resp.header('Content-Type')!r}",
          resp.describe())
    check(resp.json is not None, "body is not valid JSON", resp.describe())
    return resp.json


def expect_problem(resp, status, code, field=None):
    """Asserts an application/problem+json error with @status and @code
    (and "field" == @field when given); returns the problem object."""
    expect_status(resp, status)
    check(resp.media_type() == "application/problem+json",
          f"expected Content-Type application/problem+json, got {resp.header('Content-Type')!r}",
          resp.describe())
    p = resp.json
    check(isinstance(p, dict), "problem body is not a JSON object", resp.describe())
    missing = [k for k in PROBLEM_KEYS if k not in p]
    check(not missing, f"problem body lacks {missing}", resp.describe())
    check(p["status"] == status, f"problem status {p['status']!r} != HTTP status {status}",
          resp.describe())
    check(all(isinstance(p[k], str) for k in ("type", "title", "detail", "code")),
          "problem type/title/detail/code must be strings", resp.describe())
    check(p["code"] == code, f"expected code {code!r}, got {p['code']!r}", resp.describe())
    if field is not None:
        check(p.get("field") == field, f"expected field {field!r}, got {p.get('field')!r}",
              resp.describe())
    return p


def find_secrets(value, path="$"):
    """Paths of keys in @value that look like passwords or hashes."""
    found = []
    if isinstance(value, dict):
        for k, v in value.items():
            if "password" in k.lower() or "hash" in k.lower():
                found.append(f"{path}.{k}")
            found += find_secrets(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += find_secrets(v, f"{path}[{i}]")
    return found
