/* The API's contract, api/openapi.json (an OpenAPI 3.1 document), as
 * compiled into the binary by scripts/embed-openapi.sh. Served by
 * server/handlers/openapi.c at GET /api/v1/openapi.json. */
#ifndef NS_OPENAPI_H
#define NS_OPENAPI_H
#include <stddef.h>

/* The document's bytes (NUL-terminated; the NUL not counted). */
extern const char openapi_json[];
extern const size_t openapi_json_len;

#endif
