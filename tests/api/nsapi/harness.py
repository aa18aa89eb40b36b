"""A tiny test registry with TAP-ish output.

Tests are plain functions registered with @test (or register() for tests
built from data), each under the suite module that registers it. A suite's
tests run in registration order, one after another; each must also pass
alone (tests/api/run.py SUITE::TEST). A test fails by raising Failure (see
check()); any other exception is a bug in the test or an unexpected answer
and fails it too, with its traceback.
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
    def __init__(self, suite, name, fn, required):
        self.suite = suite
        self.name = name
        self.fn = fn
        self.required = required

    @property
    def full_name(self):
        return f"{self.suite}::{self.name}"


_tests = []


def _suite_of(module):
    """"suites.shares" -> "shares"."""
    return module.rpartition(".")[2]


def register(name, fn, required=False, suite=None):
    """Adds a test to the suite of the module calling (or @suite).
    @required: if it fails, the remaining tests of the suite cannot mean
    anything, so the suite stops there."""
    if suite is None:
        suite = _suite_of(sys._getframe(1).f_globals.get("__name__", "?"))
    if any(t.suite == suite and t.name == name for t in _tests):
        raise ValueError(f"duplicate test name {suite}::{name}")
    _tests.append(Test(suite, name, fn, required))


def tests_of(suite):
    """The tests a suite module registered, in order."""
    return [t for t in _tests if t.suite == suite]


def test(fn=None, *, required=False):
    """Decorator: registers the function under its own name."""
    def wrap(f):
        register(f.__name__, f, required, suite=_suite_of(f.__module__))
        return f
    return wrap(fn) if fn is not None else wrap


def _diagnostics(lines):
    for block in lines:
        for line in str(block).splitlines() or [""]:
            print(f"  # {line}")


def report(ok, name, diags=(), elapsed=0.0):
    """Prints one result line and its diagnostics."""
    print(f"{'ok' if ok else 'not ok'} - {name}" + (f" # {elapsed:.1f}s" if elapsed >= 2 else ""))
    if not ok:
        _diagnostics(diags)
    sys.stdout.flush()


def run(tests, after_each):
    """Runs @tests in order. @after_each(test) returns (problems, fatal):
    extra failure lines found outside the test (a crashed server, a
    sanitizer report), and whether to stop. Returns the number failed."""
    failed = 0
    started = time.monotonic()
    for t in tests:
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
        report(ok, t.full_name, diags, time.monotonic() - t0)
        if not ok:
            failed += 1
        if not ok and (t.required or fatal):
            print(f"# {t.full_name} failed; the rest of the suite cannot run")
            return failed
    print(f"# {len(tests)} tests, {failed} failed, {time.monotonic() - started:.1f}s")
    return failed
