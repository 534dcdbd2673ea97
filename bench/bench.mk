# bench/bench.mk — `make bench` and its CI smoke.
#
# `make bench` is not a test: it measures and prints, and never fails on a
# slow figure.  `check-bench-smoke` (part of `make check`) runs the same
# harness with a handful of entries and runs and checks only that it still
# produces a complete table.  The floor and the harness are built with the
# helper's own compiler, flags and hardening.

BENCH_FLOOR = $(B)/bench/floor
BENCH_EVP_FLOOR = $(B)/bench/evp_floor
BENCH_SPAWN = $(B)/bench/spawn
BENCH_ENV = $(HELPER_ENV) BENCH_FLOOR=$(abspath $(BENCH_FLOOR)) \
	BENCH_SPAWN=$(abspath $(BENCH_SPAWN)) BENCH_EVP_FLOOR=$(abspath $(BENCH_EVP_FLOOR))
# `make bench BENCH_ARGS="--runs 500 --out bench/results"`
BENCH_ARGS ?=

$(B)/bench/%: bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -pie $(HARDENING_LDFLAGS) $(SANITIZE_FLAGS) \
		$(LDFLAGS) -o $@ $<

.PHONY: bench check-bench-smoke
bench: $(TARGETS) $(BENCH_FLOOR) $(BENCH_EVP_FLOOR) $(BENCH_SPAWN)
	$(BENCH_ENV) bash bench/run.sh $(BENCH_ARGS)

SLOW_TARGETS += check-bench-smoke
check-bench-smoke: $(TARGETS) $(BENCH_FLOOR) $(BENCH_EVP_FLOOR) $(BENCH_SPAWN)
	$(BENCH_ENV) bash bench/smoke.sh
