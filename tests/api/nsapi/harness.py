"""A tiny test registry with TAP-ish output.

Tests are plain functions registered with @test (or register() for tests
built from data). They run in registration order, one after another. A test
fails by raising Failure (see check()); any other exception is a bug in the
test or an unexpected answer and fails it too, with its traceback.
"""
import sys
import time
import traceback


class Failure(Exception):
    """A failed expectation: a one-line message plus diagnostic blocks."""

    def __init__(self, message, *details):
        super().__init__(message)
        self.details = [str(d) for d in details if d]


def check(condition, message, *details):
    """Raises Failure(message, *details) unless @condition holds."""
    if not condition:
        raise Failure(message, *details)


class Test:
    def __init__(self, name, fn, required):
        self.name = name
        self.fn = fn
        self.required = required


_tests = []


def register(name, fn, required=False):
    """Adds a test. @required: if it fails, the remaining tests cannot mean
    anything (no server, no accounts), so the run stops there."""
    if any(t.name == name for t in _tests):
        raise ValueError(f"duplicate test name {name!r}")
    _tests.append(Test(name, fn, required))


def test(fn=None, *, required=False):
    """Decorator: registers the function under its own name."""
    def wrap(f):
        register(f.__name__, f, required)
        return f
    return wrap(fn) if fn is not None else wrap


def _diagnostics(lines):
    for block in lines:
        for line in str(block).splitlines() or [""]:
            print(f"  # {line}")


def run_all(after_each):
    """Runs every test. @after_each(test) returns (problems, fatal): extra
    failure lines found outside the test (a crashed server, a sanitizer
    report), and whether to stop. Returns the process exit status."""
    print(f"1..{len(_tests)}")
    failed = 0
    started = time.monotonic()
    for t in _tests:
        diags = []
        t0 = time.monotonic()
        try:
            t.fn()
        except Failure as e:
            diags = [str(e)] + e.details
        except Exception:  # an unexpected answer or a bug in the test
            diags = ["unexpected exception:"] + traceback.format_exc().splitlines()
        problems, fatal = after_each(t)
        diags += problems
        ok = not diags
        elapsed = time.monotonic() - t0
        print(f"{'ok' if ok else 'not ok'} - {t.name}" + (f" # {elapsed:.1f}s" if elapsed >= 2 else ""))
        if not ok:
            failed += 1
            _diagnostics(diags)
        sys.stdout.flush()
        if not ok and (t.required or fatal):
            print(f"Bail out! {t.name} failed; the remaining tests cannot run")
            return 1
    print(f"# {len(_tests)} tests, {failed} failed, {time.monotonic() - started:.1f}s")
    return 1 if failed else 0
