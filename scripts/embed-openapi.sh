#!/bin/sh
# Prints a C file holding api/openapi.json (the API's contract) compiled
# into the binary, so GET /api/v1/openapi.json answers without the source
# tree: openapi_json[] (the bytes, NUL-terminated) and openapi_json_len.
set -eu
echo '/* generated from api/openapi.json by scripts/embed-openapi.sh */'
echo '#include "openapi.h"'
echo 'const char openapi_json[] ='
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t"/' -e 's/$/\\n"/' "$1"
echo ';'
echo 'const size_t openapi_json_len = sizeof openapi_json - 1;'
