# nextstage — see README.md. `make run` serves, `make test` tests, `make bench` measures.
CC       ?= cc
PG_INC   := $(shell pg_config --includedir 2>/dev/null || echo /usr/include/postgresql)
WARN     := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
            -Wmissing-prototypes -Wformat=2 -Wvla -Wundef -Wcast-qual -Wnull-dereference
CPPFLAGS := -std=c11 -D_GNU_SOURCE -Iinclude -Ibuild/gen -I$(PG_INC) -pthread -MMD -MP
LDLIBS   := -lmicrohttpd -lpq -ljansson -lmagic -lsodium -lcurl -lz -lm -pthread
# single sign-on's ID tokens (server/sso/): libcjose, on OpenSSL's libcrypto
LDLIBS   += -lcjose -lcrypto
# The extractor (server/extract/) reads documents with the field's libraries;
# their headers are system headers (our warnings are not theirs).
EXTRACT_PKGS := poppler-glib cairo fontconfig libzip libxml-2.0 gdk-pixbuf-2.0
EXTRACT_CFLAGS := $(patsubst -I%,-isystem %,$(shell pkg-config --cflags $(EXTRACT_PKGS) 2>/dev/null))
LDLIBS   += $(shell pkg-config --libs $(EXTRACT_PKGS) 2>/dev/null)

# Two builds: release (make run, make bench) and sanitized (make test).
REL_CFLAGS  := -O2 -g $(WARN)
ASAN_CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
               -fno-sanitize-recover=undefined $(WARN)

SRC      := $(shell find server -name '*.c' | sort)
LIB_SRC  := $(filter-out server/main.c,$(SRC))
MIGR_C   := build/gen/migrations.c
OAPI_C   := build/gen/openapi.c
GEN_REL  := build/rel/migrations.o build/rel/openapi.o
GEN_ASAN := build/asan/migrations.o build/asan/openapi.o
REL_OBJ  := $(SRC:%.c=build/rel/%.o) $(GEN_REL)
ASAN_OBJ := $(SRC:%.c=build/asan/%.o) $(GEN_ASAN)
ASAN_LIB := $(LIB_SRC:%.c=build/asan/%.o) $(GEN_ASAN)
REL_LIB  := $(LIB_SRC:%.c=build/rel/%.o) $(GEN_REL)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=build/asan/tests/%)

.PHONY: all run test bench deps format clean asan units fuzz fuzz-build
all: build/nextstage

build/nextstage: $(REL_OBJ)
	@echo 'LD   $@'
	@$(CC) $(REL_CFLAGS) -o $@ $^ $(LDLIBS)

asan: build/asan/nextstage $(UNIT_BIN)

build/asan/nextstage: $(ASAN_OBJ)
	@echo 'LD   $@'
	@$(CC) $(ASAN_CFLAGS) -o $@ $^ $(LDLIBS)

build/rel/server/extract/%.o build/asan/server/extract/%.o: CPPFLAGS += $(EXTRACT_CFLAGS)
build/asan/tests/test_extract%: CPPFLAGS += $(EXTRACT_CFLAGS)

build/rel/%.o: %.c
	@mkdir -p $(dir $@)
	@echo 'CC   $<'
	@$(CC) $(CPPFLAGS) $(REL_CFLAGS) -c -o $@ $<

build/asan/%.o: %.c
	@mkdir -p $(dir $@)
	@echo 'CC   $< (sanitized)'
	@$(CC) $(CPPFLAGS) $(ASAN_CFLAGS) -c -o $@ $<

build/rel/migrations.o build/rel/openapi.o: build/rel/%.o: build/gen/%.c
	@mkdir -p $(dir $@)
	@echo 'CC   $<'
	@$(CC) $(CPPFLAGS) $(REL_CFLAGS) -c -o $@ $<

build/asan/migrations.o build/asan/openapi.o: build/asan/%.o: build/gen/%.c
	@mkdir -p $(dir $@)
	@echo 'CC   $< (sanitized)'
	@$(CC) $(CPPFLAGS) $(ASAN_CFLAGS) -c -o $@ $<

# The API's contract (api/openapi.json) is compiled in as well: the server
# answers GET /api/v1/openapi.json with it.
$(OAPI_C): api/openapi.json scripts/embed-openapi.sh
	@mkdir -p $(dir $@)
	@echo 'GEN  $@'
	@scripts/embed-openapi.sh api/openapi.json > $@

# schema/*.sql and schema/functions/*.sql are compiled into the binary so it
# migrates without the source tree.
SCHEMA   := $(sort $(wildcard schema/*.sql)) $(sort $(wildcard schema/functions/*.sql))
# The list of files is a prerequisite too, so that removing one regenerates.
SCHEMA_LS := build/gen/schema.list
$(shell mkdir -p build/gen && echo '$(SCHEMA)' | cmp -s - $(SCHEMA_LS) || echo '$(SCHEMA)' > $(SCHEMA_LS))
$(MIGR_C): $(SCHEMA) $(SCHEMA_LS) scripts/embed-migrations.sh
	@mkdir -p $(dir $@)
	@echo 'GEN  $@'
	@scripts/embed-migrations.sh $(SCHEMA) > $@

build/asan/tests/%: tests/unit/%.c tests/unit/harness.h $(ASAN_LIB)
	@mkdir -p $(dir $@)
	@echo 'LD   $@'
	@$(CC) $(CPPFLAGS) -Itests/unit $(ASAN_CFLAGS) -o $@ $< $(ASAN_LIB) $(LDLIBS)

# The extract bench's driver: extract_run, release build (scripts/bench.sh).
build/bench/extract_run: tests/bench/extract_run.c $(REL_LIB)
	@mkdir -p $(dir $@)
	@echo 'LD   $@'
	@$(CC) $(CPPFLAGS) $(REL_CFLAGS) -o $@ $< $(REL_LIB) $(LDLIBS)

# The fuzz targets (tests/fuzz/, README "Testing"): libFuzzer needs clang
# (Debian's clang and libclang-rt-14-dev), so each target compiles the
# parser sources it needs itself, with ASan and UBSan, into build/fuzz/.
FUZZ_CC     := clang
FUZZ_CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
               -fno-sanitize-recover=undefined $(WARN)
FUZZ_LINK   := -fsanitize=fuzzer,address,undefined
FUZZ_LIBS   := -ljansson -lsodium -lm
FUZZ_TARGETS := multipart csv json_spec router validators signed urlform bots beacon static oidc
FUZZ_SRC_multipart  := server/util/multipart.c
FUZZ_SRC_csv        := server/util/csv.c server/util/import_values.c server/import/format.c \
                       server/util/model.c
FUZZ_SRC_json_spec  := server/util/json_spec.c server/util/model.c
FUZZ_SRC_router     := server/http/router.c server/http/routes.c build/gen/fuzz_handlers.c
FUZZ_SRC_validators := server/util/model.c server/util/import_values.c
FUZZ_SRC_signed     := server/http/signature.c
FUZZ_SRC_urlform    := server/util/urlform.c server/util/json_spec.c server/util/model.c
FUZZ_SRC_bots       := server/util/bots.c
FUZZ_SRC_beacon     := server/util/beacon.c server/util/json_spec.c server/util/model.c
FUZZ_SRC_static     := server/util/static_files.c server/util/crypto.c server/http/router.c \
                       server/http/routes.c build/gen/fuzz_handlers.c
FUZZ_LIBS_static    := -lmicrohttpd -lz
FUZZ_SRC_oidc       := server/sso/oidc.c server/util/crypto.c
FUZZ_LIBS_oidc      := -lcjose -lcrypto
FUZZ_BIN := $(FUZZ_TARGETS:%=build/fuzz/fuzz_%)

fuzz-build: $(FUZZ_BIN)

define FUZZ_TARGET
build/fuzz/fuzz_$(1): build/fuzz/obj/tests/fuzz/fuzz_$(1).o $(patsubst %.c,build/fuzz/obj/%.o,$(FUZZ_SRC_$(1)))
	@echo 'LD   $$@ (libFuzzer)'
	@$(FUZZ_CC) $(FUZZ_LINK) -o $$@ $$^ $(FUZZ_LIBS) $(FUZZ_LIBS_$(1))
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_TARGET,$(t))))

build/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo 'CC   $< (clang, fuzzing)'
	@$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -c -o $@ $<

# The router's target matches against the real route table
# (server/http/routes.c); its handlers are never called there: each one
# generated here aborts if it is.
build/gen/fuzz_handlers.c: server/http/routes.c
	@mkdir -p $(dir $@)
	@echo 'GEN  $@'
	@{ echo '#include <stdlib.h>'; echo '#include "handlers.h"'; \
	   grep -o '\bh_[a-z0-9_]*' $< | sort -u | \
	     sed 's/.*/void &(struct req *r)\n{\n\t(void)r;\n\tabort();\n}/'; \
	   grep -o '&[a-z0-9_]*_stream\b' $< | sort -u | \
	     sed 's/&\(.*\)/const struct route_stream \1 = {NULL, NULL, NULL};/'; } > $@

# Each target until FUZZ_RUNS executions (10 million, the goal per
# parser) or FUZZ_SECONDS (an hour) if that comes first; make test runs
# them for a few seconds each (scripts/test.sh fuzz).
FUZZ_SECONDS ?= 3600
FUZZ_RUNS    ?= 10000000
fuzz: deps
	$(MAKE) fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_RUNS=$(FUZZ_RUNS) tests/fuzz/run.sh

deps:
	scripts/deps.sh

run: deps
	$(MAKE) build/nextstage
	scripts/run.sh

test: deps
	$(MAKE) asan fuzz-build
	scripts/test.sh

bench: deps
	$(MAKE) build/nextstage
	scripts/bench.sh

format:
	scripts/format.sh

clean:
	rm -rf build

# Header dependencies, written by the compiler (-MMD).
-include $(shell find build -name '*.d' 2>/dev/null)
