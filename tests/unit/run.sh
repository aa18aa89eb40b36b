#!/usr/bin/env bash
# Runs every unit test binary (built sanitized by `make asan`), then checks
# that the C files match .clang-format.
set -u
cd "$(dirname "$0")/../.."
rc=0
for t in build/asan/tests/test_*; do
	[ -x "$t" ] || continue
	"$t" || rc=1
done
# The C sources follow .clang-format (make format fixes drift).
scripts/format.sh --check || rc=1
exit $rc
