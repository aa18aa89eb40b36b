#!/bin/sh
# Prints a C file holding every schema/NNNN_name.sql given, in order, as
# { version, name, sql } so the binary can migrate without the source tree.
set -eu
echo '/* generated from schema/NNNN_name.sql by scripts/embed-migrations.sh */'
echo '#include "migrate.h"'
echo 'const struct migration migrations[] = {'
for f in "$@"; do
	base=$(basename "$f" .sql)
	ver=$(echo "$base" | sed 's/_.*//' | sed 's/^0*//')
	printf '\t{%s, "%s",\n' "$ver" "$base"
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t "/' -e 's/$/\\n"/' "$f"
	printf '\t},\n'
done
echo '};'
echo 'const unsigned migration_count = sizeof migrations / sizeof migrations[0];'
