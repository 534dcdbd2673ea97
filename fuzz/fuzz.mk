# libFuzzer targets (fuzz/fuzz_NAME.c -> build/fuzz/fuzz-NAME), built with
# clang against the helper's library compiled by clang in its own output
# directory (O=build/fuzz), so the normal gcc build is never touched.
#
#   make fuzz                   each target for FUZZ_SECONDS (default 60)
#   make fuzz FUZZ_TARGETS=server FUZZ_SECONDS=600
#   make check-fuzz             CI smoke: replay the seed corpora and the
#                               regression inputs, then FUZZ_SMOKE_SECONDS
#                               of fuzzing per target
#
# New inputs go to build/fuzz/corpus/NAME (fuzz/corpus/NAME is read-only
# seed material); crashes go to build/fuzz/artifacts/.  To keep a crash as
# a regression test, copy it into fuzz/corpus/NAME/.

FUZZ_CC ?= clang
FUZZ_O = build/fuzz
FUZZ_LIB = $(FUZZ_O)/build/libghcr.a
# fuzz_check.c needs libcurl's headers, as the check module does.
FUZZ_TARGETS ?= $(filter-out $(if $(filter 1,$(WITH_CURL)),,check),\
	$(patsubst fuzz/fuzz_%.c,%,$(sort $(wildcard fuzz/fuzz_*.c))))
FUZZ_BINS = $(FUZZ_TARGETS:%=$(FUZZ_O)/fuzz-%)
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 30
# -fno-sanitize-recover: undefined behaviour is a crash, not a log line.
FUZZ_SANITIZE = -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS = -O1 -g -fno-omit-frame-pointer

SLOW_TARGETS += check-fuzz

.PHONY: fuzz fuzz-build fuzz-lib check-fuzz

# The library, instrumented for coverage but not linked with libFuzzer's
# main.  CI= keeps gcc-only warning options from becoming clang errors.
fuzz-lib:
	@$(MAKE) --no-print-directory O=$(FUZZ_O) CC=$(FUZZ_CC) CI= \
		SANITIZE=fuzzer-no-link,address,undefined \
		CFLAGS="$(FUZZ_CFLAGS) -fno-sanitize-recover=all" $(FUZZ_LIB)

$(FUZZ_O)/fuzz-%: fuzz/fuzz_%.c fuzz-lib
	$(FUZZ_CC) -std=c11 $(BASE_CPPFLAGS) $(MODULE_TEST_INCLUDES) $(JANSSON_CFLAGS) $(FUZZ_CFLAGS) \
		$(FUZZ_SANITIZE) -o $@ $< $(FUZZ_LIB) $(JANSSON_LIBS) -ldl

# check's parsers live in the check module, not in the helper's library:
# fuzz_check.c is built with the three files they are in, and with libcurl,
# whose URL parser judges the realm rule.
FUZZ_CHECK_SRCS = $(CHECK_MODULE_DIR)/registry_probe.c $(CHECK_MODULE_DIR)/github_api.c \
	$(CHECK_MODULE_DIR)/http.c
$(FUZZ_O)/fuzz-check: fuzz/fuzz_check.c $(FUZZ_CHECK_SRCS) fuzz-lib
	$(FUZZ_CC) -std=c11 $(BASE_CPPFLAGS) $(MODULE_TEST_INCLUDES) $(JANSSON_CFLAGS) $(FUZZ_CFLAGS) \
		$(FUZZ_SANITIZE) -o $@ $< $(FUZZ_CHECK_SRCS) $(FUZZ_LIB) $(JANSSON_LIBS) \
		$(shell $(PKG_CONFIG) --libs libcurl) -ldl

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	FUZZ_O=$(FUZZ_O) bash fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

check-fuzz: fuzz-build
	FUZZ_O=$(FUZZ_O) bash fuzz/run.sh $(FUZZ_SMOKE_SECONDS) $(FUZZ_TARGETS)
