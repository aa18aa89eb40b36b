#!/usr/bin/env bash
# The C files that follow .clang-format, in one list for `make format` and
# the unit tier's check.
#
#   scripts/format.sh           reformats them in place (make format)
#   scripts/format.sh --check   prints "ok - C files match .clang-format",
#                               or "not ok" with the files that drift; exit 1
set -u
cd "$(dirname "$0")/.."
mapfile -t files < <({
	find server -name '*.c' -o -name '*.h'
	ls include/*.h tests/unit/*.c tests/unit/*.h tests/bench/*.c
} | sort)
if [ "${1:-}" != --check ]; then
	exec clang-format -i "${files[@]}"
fi
name="C files match .clang-format"
if ! command -v clang-format >/dev/null; then
	echo "not ok - $name"
	echo "  # clang-format is not installed"
	exit 1
fi
drift=()
for f in "${files[@]}"; do
	clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || drift+=("$f")
done
if [ ${#drift[@]} -eq 0 ]; then
	echo "ok - $name"
else
	echo "not ok - $name"
	for f in "${drift[@]}"; do echo "  # $f differs (make format fixes it)"; done
	exit 1
fi
