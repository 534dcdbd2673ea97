#!/bin/bash
# bench/smoke.sh — `make check-bench-smoke`: proves the benchmark still runs
# end to end (fixtures, keyring, reference helpers, harness, report) with a
# handful of entries and runs.  It checks that the table is complete and
# well-formed, never what the figures are: tests do not assert wall-clock
# times.
source "$(dirname "${BASH_SOURCE[0]}")/../tests/lib.sh"
t_scrub_env

out=$(mktemp -d "${TMPDIR:-/tmp}/ghcr-bench-smoke.XXXXXX")
trap 'rm -rf "$out"' EXIT

if bash "$T_ROOT/bench/run.sh" --smoke --out "$out" >"$out/stdout" 2>"$out/stderr"; then
	t_pass "bench/run.sh --smoke exits 0"
else
	t_fail "bench/run.sh --smoke exits 0" "exit $?; stderr: $(tail -5 "$out/stderr")"
fi

# Every path the benchmark measures has a row: name, runs, median, p10/p90, ratio,
# CPU, peak RSS, all numeric and the times positive.
for row in "floor (minimal C program)" "EVP floor (1)" "EVP floor (3)" "ghcr get, Actions path" \
	"ghcr file get (1)" "ghcr file get (3)" "ghcr kubelet (1)" \
	"ghcr secretservice get (3)" "reference secretservice get (3)" \
	"ghcr secretservice list (3)" "reference secretservice list (3)" \
	"reference pass get (3)" "reference pass list (3)"; do
	line=$(awk -F'\t' -v n="$row" '$1 == n' "$out/results.tsv" 2>/dev/null)
	if [ -z "$line" ]; then
		t_fail "row '$row'" "expected a row in results.tsv, found none"
		continue
	fi
	bad=$(echo "$line" | awk -F'\t' '{
		if (NF != 7) { print "expected 7 fields, got " NF; exit }
		for (i = 2; i <= 7; i++) if ($i !~ /^[0-9]+(\.[0-9]+)?$/ || $i + 0 <= 0) {
			print "expected a positive number in field " i ", got \"" $i "\""; exit } }')
	if [ -z "$bad" ] && grep -qF "| $row |" "$out/report.md"; then
		t_pass "row '$row' complete"
	else
		t_fail "row '$row' complete" "${bad:-expected it in the printed table}"
	fi
done

count=$(grep -cE '^\| .* \| (met|MISSED) \|$' "$out/report.md" 2>/dev/null)
t_equal "targets table lists the 10 targets" 10 "${count:-0}"
for who in "docker-credential-ghcr" "reference secretservice"; do
	if grep -qE "^\| $who \| 1 \| [0-9]+ \| [0-9]+ \| [0-9]+ \| [0-9]+ \|$" "$out/report.md" 2>/dev/null; then
		t_pass "burst row for $who complete"
	else
		t_fail "burst row for $who complete" "expected '| $who | 1 | MS | MS | N | N |'"
	fi
done
if grep -qE '^Stripped sizes: helper [0-9]+ bytes' "$out/report.md" 2>/dev/null; then
	t_pass "report gives the stripped helper size"
else
	t_fail "report gives the stripped helper size" "expected 'Stripped sizes: helper N bytes'"
fi
if grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2} .*CPUs' "$out/report.md" 2>/dev/null; then
	t_pass "report names the date and machine"
else
	t_fail "report names the date and machine" "expected 'YYYY-MM-DD ... N CPUs, MODEL'"
fi
t_summary
