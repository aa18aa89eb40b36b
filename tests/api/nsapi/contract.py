"""The API's contract, api/openapi.json, held against every answer the
suites get (client.Api and raw_exchange call observe()).

For each answer the operation is found from the method and the path (the
document's paths, or a path item's "x-route" where the route table's
pattern says more, as /app/{path*}); then:

- its status must be one the operation lists (or a 4XX/5XX range, or
  "default" it lists);
- the headers the response marks required (Location, ETag...) must be
  there;
- its media type must be one the response lists ("*/*" takes any, and
  "text/*" any text), and an answer the response lists no content for
  must have no body;
- a JSON body (application/json, application/problem+json) must be valid
  against the response's schema (JSON Schema 2020-12, Debian's
  python3-jsonschema); problems carry the codes the operation may answer
  with that status, so a new code is a new line in the contract.

An answer to a method and path no operation has (404 not_found, 405
method_not_allowed) must be a problem of the components' Problem schema.

What fails is kept and taken by proc.after_each, which fails the test that
made the request (requests made from a test's threads included).
"""
import gzip
import json
import re
import sys
import threading
import urllib.parse
from pathlib import Path

try:
    import jsonschema
except ImportError:  # Debian's package, under a Python of another prefix
    sys.path.append("/usr/lib/python3/dist-packages")
    import jsonschema

DOCUMENT = Path(__file__).resolve().parents[3] / "api" / "openapi.json"
METHODS = ("get", "put", "post", "patch", "delete")
JSON_TYPES = ("application/json", "application/problem+json")

_lock = threading.Lock()
_violations = []
_doc = None
_ops = None
_validators = {}


def document():
    """The contract as parsed from api/openapi.json."""
    global _doc
    if _doc is None:
        _doc = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    return _doc


def route_regex(template):
    """A regex of a route pattern: {name} is one segment, {name*} the rest
    (one segment or more)."""
    out, pos = "", 0
    for m in re.finditer(r"\{([a-z_]+)(\*?)\}", template):
        out += re.escape(template[pos:m.start()])
        out += "(.+)" if m.group(2) else "([^/]+)"
        pos = m.end()
    return re.compile(out + re.escape(template[pos:]) + r"\Z")


def operations():
    """[(METHOD, route pattern, path key, operation)], literal routes first."""
    global _ops
    if _ops is None:
        ops = []
        for path, item in document()["paths"].items():
            route = item.get("x-route", path)
            for method in METHODS:
                if method in item:
                    ops.append((method.upper(), route, path, item[method]))
        ops.sort(key=lambda o: (o[1].count("{"), -len(o[1])))
        _ops = [(m, route_regex(r), r, p, op) for m, r, p, op in ops]
    return _ops


def find(method, path):
    """(path key, operation) answering @method at @path (decoded, no
    query), or None. HEAD is answered by GET."""
    method = "GET" if method == "HEAD" else method
    for m, rx, _route, key, op in operations():
        if m == method and rx.match(path):
            return key, op
    return None


def _pointer(*parts):
    return "#/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _validator(pointer):
    """A validator of the schema at @pointer in the document (its $refs
    resolved in the document)."""
    v = _validators.get(pointer)
    if v is None:
        doc = document()
        root = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$ref": pointer,
                "components": doc.get("components", {}), "paths": doc["paths"]}
        v = _validators[pointer] = jsonschema.Draft202012Validator(root)
    return v


def _resolve(obj):
    """@obj, or what its $ref (#/components/...) points to."""
    while isinstance(obj, dict) and "$ref" in obj:
        node = document()
        for part in obj["$ref"].lstrip("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        obj = node
    return obj


def _media_matches(pattern, media):
    if pattern == "*/*" or pattern == media:
        return True
    return pattern.endswith("/*") and media.startswith(pattern[:-1])


def _errors(pointer, body):
    v = _validator(pointer)
    return sorted(v.iter_errors(body), key=lambda e: list(e.absolute_path))


def _where(e):
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e.absolute_path)


def violations_of(method, path, status, media, body, headers=None):
    """What the contract says is wrong with an answer (a list of lines;
    empty when it is right). @path: as sent (query and percent-escapes
    allowed); @body: bytes; @headers: [(name, value)], to check those the
    response says are required (None: not checked)."""
    # a raw exchange's target may carry a note after the path ("/x (chunked)")
    path = urllib.parse.unquote(path.split(" ", 1)[0].split("?", 1)[0])
    head = method == "HEAD"
    found = find(method, path)
    if found is None:
        if media != "application/problem+json":
            return [f"{method} {path}: no operation of the contract answers it, and the "
                    f"answer ({status}, {media or 'no content type'}) is not a problem"]
        pointer, label = "#/components/schemas/Problem", f"{method} {path} (no operation)"
        statuses = None
    else:
        key, op = found
        label = f"{op.get('operationId', method)} ({method} {path})"
        responses = op["responses"]
        code = next((c for c in (str(status), f"{status // 100}XX", "default") if c in responses),
                    None)
        if code is None:
            return [f"{label}: status {status} is not one the contract lists "
                    f"({', '.join(responses)})"]
        statuses = code
        response = _resolve(responses[code])
        sent = {k.lower() for k, _v in headers or ()}
        lacking = [h for h, spec in response.get("headers", {}).items()
                   if spec.get("required") and h.lower() not in sent]
        if headers is not None and lacking:
            return [f"{label}: the {status} answer lacks the header(s) {', '.join(lacking)} "
                    f"the contract says it has"]
        content = response.get("content") or {}
        if not content:
            if body and not head:
                return [f"{label}: the contract's {code} has no content, the answer has "
                        f"{len(body)} bytes of {media}"]
            return []
        pattern = next((p for p in content if _media_matches(p, media)), None)
        if pattern is None:
            if status == 304 or (head and not media):
                return []
            return [f"{label}: {status} answered {media or 'no content type'}, the contract "
                    f"says {', '.join(content)}"]
        if media not in JSON_TYPES or head or status == 304 or "schema" not in content[pattern]:
            return []
        if "$ref" in responses[code]:
            ref = responses[code]["$ref"].lstrip("#/").split("/")
            pointer = _pointer(*ref, "content", pattern, "schema")
        else:
            pointer = _pointer("paths", key, method.lower() if not head else "get", "responses",
                               code, "content", pattern, "schema")
    try:
        value = json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return [f"{label}: {status} {media} body is not JSON: {body[:200]!r}"]
    errs = _errors(pointer, value)
    if not errs:
        return []
    where = f"response {statuses}" if statuses else "Problem"
    lines = [f"{label}: the {status} answer does not match the contract's {where}:"]
    for e in errs[:8]:
        lines.append(f"  at {_where(e)}: {e.message[:300]}")
    lines.append(f"  body: {body[:600].decode('utf-8', 'replace')}")
    return lines


def observe(resp):
    """Checks @resp (a client.Response) and keeps what is wrong for
    take()."""
    body = resp.body
    if (resp.header("Content-Encoding") or "").lower() == "gzip" and body:
        try:
            body = gzip.decompress(body)
        except (OSError, EOFError) as e:
            with _lock:
                _violations.append(f"{resp.method} {resp.target}: not gzip as it says ({e})")
            return
    found = violations_of(resp.method, resp.target, resp.status, resp.media_type(), body,
                          resp.headers)
    if found:
        with _lock:
            _violations.append("\n".join(found))


def take():
    """The violations seen since the last call (and forgets them)."""
    with _lock:
        out = list(_violations)
        _violations.clear()
    return out
