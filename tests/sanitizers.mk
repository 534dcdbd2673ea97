# Sanitizer runs of the test suites; both are in the slow tier
# (SLOW_TARGETS), so `make check` and CI run them, after the fast one.
#
#   make asan       builds everything with AddressSanitizer and UBSan in
#                   build/asan (O=build/asan SANITIZE=address,undefined)
#                   and runs the unit, command, integration, Secret Service
#                   and hardening suites against that build.
#   make valgrind   runs the unit tests and the CLI-level suites (protocol
#                   integration, bad input, look-alikes, tampering) with
#                   every helper process under valgrind --leak-check=full;
#                   any error fails the run.  Suppressions: tests/valgrind.supp.
#                   Check forks per test (each child is checked at its
#                   exit); an assertion that fails only because valgrind is
#                   slow is reported but does not fail the run: check-unit
#                   judges assertions, this target judges memory.
SLOW_TARGETS += check-asan check-valgrind

ASAN_O = build/asan
# UB is an error, not a log line; sanitizer exit codes stand apart from the
# helper's own exit 1.
ASAN_MAKE = $(MAKE) --no-print-directory O=$(ASAN_O) SANITIZE=address,undefined \
	CFLAGS="-O1 -g -fno-sanitize-recover=undefined"
ASAN_OPTS = exitcode=86:detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1
ASAN_ENV = UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=87 \
	DOCKER_CREDENTIAL_GHCR_SECRETSERVICE_TIMEOUT=10000 \
	CONCURRENCY_NEW=45 CONCURRENCY_ERASE=15 TAMPER_SAMPLE=10 LOOKALIKE_SOURCES=ambient \
	LSAN_OPTIONS=print_suppressions=0:suppressions=$(abspath tests/lsan.supp)
# Instrumented writers are several times slower; 60 racing processes (the
# full 140 race runs in check-hardening) keep them inside the file store's
# 10 s lock wait on a loaded 2-core machine.  Every 10th damaged store and
# the ambient-token half of the look-alikes keep the run to minutes; the
# full catalogues run uninstrumented in check-hardening.
# The Secret Service suite needs full malloc stacks for its LeakSanitizer
# suppressions (GLib has no frame pointers); elsewhere they only cost time.
ASAN_SLOW_UNWIND = check-secretservice
# The suites that run a helper; hygiene is left out (it reads every
# mapping of the process, ASan's shadow memory included).
ASAN_SUITES ?= $(filter check-unit check-commands check-integration check-secretservice check-hardening,$(CHECK_TARGETS))
ASAN_HARDENING ?= bad-input lookalike tamper crash concurrency files

.PHONY: asan check-asan valgrind check-valgrind
asan:
	$(ASAN_MAKE) all
	@failed=; for t in $(ASAN_SUITES); do \
		echo "--- asan: $$t"; \
		opts="$(ASAN_OPTS)"; case " $(ASAN_SLOW_UNWIND) " in *" $$t "*) opts="$$opts:fast_unwind_on_malloc=0";; esac; \
		env ASAN_OPTIONS="$$opts" $(ASAN_ENV) $(ASAN_MAKE) HARDENING_SUITES="$(ASAN_HARDENING)" $$t || failed="$$failed $$t"; \
	done; \
	if [ -n "$$failed" ]; then echo "asan: failed:$$failed"; exit 1; fi; echo "asan: all suites clean"
check-asan: asan

VALGRIND ?= valgrind
VG_DIR = build/valgrind
VG_WRAPPER = $(VG_DIR)/docker-credential-ghcr
# Definite leaks are errors; "possibly lost" is mostly libraries keeping
# interior pointers (glibc's dlopen bookkeeping, GLib's type system).
VG_FLAGS = -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
	--show-leak-kinds=definite --track-origins=yes --num-callers=30 \
	--suppressions=$(abspath tests/valgrind.supp)
VG_ENV = LOOKALIKE_SOURCES=ambient TAMPER_SAMPLE=40 DOCKER_CREDENTIAL_GHCR_SECRETSERVICE_TIMEOUT=20000
# A few minutes in all: the look-alike catalogue adds nothing the bad-input
# one does not exercise in memory terms (make valgrind VG_SUITES=... to add it).
VG_SUITES ?= $(wildcard tests/integration/cli.sh) tests/hardening/bad-input.sh \
	tests/hardening/tamper.sh

# The helper behind a wrapper that runs it under valgrind, logging each
# process to $(VG_DIR)/logs; the suites exec the wrapper as the helper.
$(VG_WRAPPER): $(PROGRAM) tests/sanitizers.mk
	@mkdir -p $(VG_DIR)/logs
	printf '#!/bin/sh\nexec %s %s --log-file=%s/%%p.log %s "$$@"\n' \
		'$(VALGRIND)' '$(VG_FLAGS)' '$(abspath $(VG_DIR)/logs)' '$(abspath $(PROGRAM))' >$@
	chmod +x $@

valgrind: $(TARGETS) $(UNIT_RUNNER) $(VG_WRAPPER)
	@command -v $(VALGRIND) >/dev/null || { echo "valgrind missing (apt-get install valgrind)"; \
		echo "0 passed, 1 failed"; exit 1; }
	@rm -f $(VG_DIR)/logs/*.log
	@failed=; \
	echo "--- valgrind: unit tests"; \
	$(HELPER_ENV) GHCR_UNDER_VALGRIND=1 \
		$(VALGRIND) $(VG_FLAGS) --log-file=$(abspath $(VG_DIR)/logs)/unit-%p.log \
		$(UNIT_RUNNER) 2>&1 | sed -E 's/^([0-9]+)%: Checks: ([0-9]+), Failures: ([0-9]+), Errors: ([0-9]+)/unit tests under valgrind: \2 checks, \3 assertion failures, \4 errors (assertions are judged by check-unit; here only memory errors count)/'; \
	for s in $(VG_SUITES); do \
		echo "--- valgrind: $$s"; \
		env $(VG_ENV) $(HELPER_ENV) GHCR_HELPER=$(abspath $(VG_WRAPPER)) \
			GHCR_REAL_HELPER=$(abspath $(PROGRAM)) bash $$s || failed="$$failed $$s"; \
	done; \
	dirty=$$(find $(VG_DIR)/logs -name '*.log' -size +0 | wc -l); \
	runs=$$(ls $(VG_DIR)/logs | wc -l); \
	if [ "$$dirty" -gt 0 ]; then \
		echo "valgrind: $$dirty of $$runs processes reported errors, e.g.:"; \
		find $(VG_DIR)/logs -name '*.log' -size +0 | head -n 3 | xargs -r head -n 40; \
		failed="$$failed valgrind-errors"; \
	else echo "valgrind: $$runs processes, no errors"; fi; \
	if [ -n "$$failed" ]; then echo "valgrind: failed:$$failed"; exit 1; fi
check-valgrind: valgrind
