#!/usr/bin/env bash
# Runs every unit test binary (built sanitized by `make asan`).
set -u
cd "$(dirname "$0")/../.."
rc=0
for t in build/asan/tests/test_*; do
	[ -x "$t" ] || continue
	"$t" || rc=1
done
exit $rc
