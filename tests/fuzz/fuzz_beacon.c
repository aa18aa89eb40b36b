/* The viewer's engagement beacons (include/beacon.h): a body as the
 * server loads it (jansson, duplicate keys refused), read as a beacon.
 *
 * Checked: an accepted beacon holds a view id that is a UUID, a page count
 * in range, 1 to DB_READ_BEACON_PAGES pairs whose pages are of the
 * document and whose seconds are finite, above 0 and at most the cap, as
 * many as the body sent; a refused one has an error the answer can carry,
 * naming "seen", "view" or "pages" or a key the body has. */
#include <math.h>
#include <string.h>
#include "beacon.h"
#include "fuzz.h"
#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t je;
	json_t *o = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je);
	if (o == NULL)
		return 0;
	static struct beacon b;
	struct js_error e;
	memset(&b, 0xa5, sizeof b);
	if (beacon_read(o, &b, &e)) {
		FUZZ_CHECK(json_is_object(o) && json_object_size(o) == 3);
		FUZZ_CHECK(strlen(b.view) == UUID_LEN && uuid_valid(b.view));
		FUZZ_CHECK(b.pages >= 1 && b.pages <= DB_READ_PAGES_MAX);
		FUZZ_CHECK(b.n >= 1 && b.n <= DB_READ_BEACON_PAGES);
		FUZZ_CHECK(b.n == json_array_size(json_object_get(o, "seen")));
		for (size_t i = 0; i < b.n; i++) {
			FUZZ_CHECK(b.page[i] >= 1 && b.page[i] <= b.pages);
			FUZZ_CHECK(isfinite(b.seconds[i]) && b.seconds[i] > 0 &&
				   b.seconds[i] <= DB_READ_CAP_S);
		}
	} else {
		FUZZ_CHECK(strlen(e.detail) > 0 && strlen(e.detail) < sizeof e.detail);
		if (!json_is_object(o)) {
			FUZZ_CHECK(e.code == ERR_INVALID_JSON && e.field == NULL);
		} else if (e.code == ERR_UNKNOWN_FIELD) {
			FUZZ_CHECK(e.field != NULL && json_object_get(o, e.field) != NULL);
			FUZZ_CHECK(strcmp(e.field, "seen") != 0 && strcmp(e.field, "view") != 0 &&
				   strcmp(e.field, "pages") != 0);
		} else {
			FUZZ_CHECK(e.code == ERR_MISSING_FIELD || e.code == ERR_INVALID_FIELD);
			FUZZ_CHECK(e.field != NULL &&
				   (strcmp(e.field, "seen") == 0 || strcmp(e.field, "view") == 0 ||
				    strcmp(e.field, "pages") == 0));
		}
	}
	json_decref(o);
	return 0;
}
