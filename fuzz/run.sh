#!/bin/bash
# Runs each libFuzzer target for a bounded time and reports, per target,
# how many inputs it executed and whether it crashed.  Usage:
#   fuzz/run.sh SECONDS TARGET...
# The seed corpus fuzz/corpus/TARGET (which also holds the inputs of past
# crashes) is replayed first, so a regression fails even in a short run.
# Ends with the `N passed, N failed` line of tests/lib.sh.
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

seconds=$1; shift
O=${FUZZ_O:-build/fuzz}

for t in "$@"; do
	bin=$O/fuzz-$t
	work=$O/corpus/$t
	log=$O/logs/$t.log
	mkdir -p "$work" "$O/artifacts" "$O/logs"
	if [ ! -x "$bin" ]; then
		t_fail "fuzz-$t" "no binary $bin (make fuzz-build)"
		continue
	fi
	dict=()
	[ -f "fuzz/$t.dict" ] && dict=("-dict=fuzz/$t.dict")
	# New inputs land in the first directory (build/), the seeds stay as
	# committed.  -timeout: one input taking seconds is a finding too.
	start=$(date +%s)
	"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$O/artifacts/$t-" \
		"${dict[@]}" "$work" "fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	took=$(( $(date +%s) - start ))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
	if [ "$rc" -eq 0 ]; then
		t_pass "fuzz-$t: ${execs:-?} executions in ${took}s, ${cov:-cov: ?}, 0 crashes"
	else
		crash=$(ls -t "$O/artifacts/$t-"* 2>/dev/null | head -n 1)
		t_fail "fuzz-$t" "exit $rc after ${execs:-?} executions; input: ${crash:-none}; log: $log"
		grep -m 5 -E 'ERROR|invariant violated|runtime error|SUMMARY' "$log" | sed 's/^/    /'
	fi
done
t_summary
