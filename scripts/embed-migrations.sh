#!/bin/sh
# Prints a C file holding the schema compiled into the binary, so it migrates
# without the source tree:
#   migrations[]  every schema/NNNN_name.sql given, in order, as
#                 { version, name, sql }; lines starting "-- Superseded:" are
#                 notes added after landing and are left out, so the text (and
#                 its checksum) is what was applied;
#   sql_objects[] every schema/functions/NAME.sql given, as { name, sql },
#                 files defining a view last (a view needs what it reads).
set -eu
emit() { # the file's lines as C string literals
	sed -e '/^-- Superseded:/d' -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t "/' -e 's/$/\\n"/' "$1"
}
migrations=
objects=
views=
for f in "$@"; do
	case $f in
	*/functions/*)
		if grep -qi '^CREATE OR REPLACE VIEW' "$f"; then views="$views $f"; else objects="$objects $f"; fi
		;;
	*) migrations="$migrations $f" ;;
	esac
done
echo '/* generated from schema/ by scripts/embed-migrations.sh */'
echo '#include "migrate.h"'
echo 'const struct migration migrations[] = {'
for f in $migrations; do
	base=$(basename "$f" .sql)
	ver=$(echo "$base" | sed 's/_.*//' | sed 's/^0*//')
	printf '\t{%s, "%s",\n' "$ver" "$base"
	emit "$f"
	printf '\t},\n'
done
echo '};'
echo 'const unsigned migration_count = sizeof migrations / sizeof migrations[0];'
echo 'const struct sql_object sql_objects[] = {'
for f in $objects $views; do
	printf '\t{"%s",\n' "$(basename "$f" .sql)"
	emit "$f"
	printf '\t},\n'
done
echo '};'
echo 'const unsigned sql_object_count = sizeof sql_objects / sizeof sql_objects[0];'
