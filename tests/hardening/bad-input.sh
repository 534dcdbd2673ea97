#!/bin/bash
# Bad input: every malformed request of bad-input.cases, fed to each
# command the case names, must get exactly one line on stdout (the exact
# client-matched line where the case names one), exit 1, never crash, not
# echo the secret it carried, and leave the store and key file byte for
# byte as they were.  Then oversized stdin: 50 MiB from a pipe and from a
# file are refused quickly, without being read, in little memory.
set -u
. "$(dirname "$0")/common.sh"
CASES=${BAD_INPUT_CASES:-$(dirname "$0")/bad-input.cases}

# A store with one credential, so "unchanged" means something.
if ! h_store ghcr.io octocat "$H_CANARY"; then
	t_fail "set-up: store a credential" "$(h_describe)"
	t_summary; exit 1
fi
files=("$DOCKER_CREDENTIAL_GHCR_STORE" "$DOCKER_CREDENTIAL_GHCR_KEY_FILE")
before=$(h_sum "${files[@]}")
# Byte-for-byte copies to compare with after each run, and to put back so
# that one failing case does not make every later one fail too.
mkdir -p "$H_DIR/saved" && cp -p "${files[@]}" "$H_DIR/saved/"
unchanged() {
	cmp -s "$DOCKER_CREDENTIAL_GHCR_STORE" "$H_DIR/saved/${DOCKER_CREDENTIAL_GHCR_STORE##*/}" &&
		cmp -s "$DOCKER_CREDENTIAL_GHCR_KEY_FILE" "$H_DIR/saved/${DOCKER_CREDENTIAL_GHCR_KEY_FILE##*/}"
}
restore() { cp -p "$H_DIR/saved/"* "$(dirname "$DOCKER_CREDENTIAL_GHCR_STORE")/"; }

n_cases=0
while IFS=$'\t' read -r name ops expect input; do
	case "$name" in ''|'#'*) continue ;; esac
	n_cases=$((n_cases + 1))
	if [ "${input#sh:}" != "$input" ]; then
		bash -c "${input#sh:}" >"$H_DIR/in" 2>/dev/null
	else
		printf '%b' "$input" >"$H_DIR/in"
	fi
	for (( i = 0; i < ${#ops}; i++ )); do
		case ${ops:i:1} in s) op="store" ;; g) op="get" ;; e) op="erase" ;; esac
		h_now; t0=$H_NOW
		h_run "$op" "$H_DIR/in"
		h_now; ms=$(( H_NOW - t0 ))
		what="$op $name"
		h_first_line "$H_OUT"; line=$H_LINE
		if h_crashed; then
			t_fail "$what: no crash" "$(h_describe)"
		elif [ "$H_RC" -ne 1 ]; then
			t_fail "$what: exit 1" "$(h_describe)"
		elif ! h_one_line "$H_OUT"; then
			t_fail "$what: exactly one line on stdout" "$(h_describe)"
		elif [ "$expect" != '*' ] && [ "$line" != "$expect" ]; then
			t_fail "$what: says '$expect'" "$(h_describe)"
		elif h_contains "$H_OUT" "$H_CANARY" || h_contains "$H_ERR" "$H_CANARY"; then
			t_fail "$what: stored secret never printed" "$(h_describe)"
		elif ! unchanged; then
			t_fail "$what: store unchanged" "the store or key file changed"
			restore
		else
			t_pass "$what (${ms} ms): $line"
		fi
	done
done <"$CASES"
[ "$n_cases" -ge 40 ] && t_pass "catalogue has $n_cases cases (at least 40)" ||
	t_fail "catalogue has at least 40 cases" "found $n_cases"

# The credential is still there and still right after all of that.
h_run_str get 'ghcr.io'
if [ "$H_RC" -eq 0 ] && grep -q "\"Secret\":\"$H_CANARY\"" "$H_OUT"; then
	t_pass "stored credential intact after the catalogue"
else
	t_fail "stored credential intact after the catalogue" "$(h_describe)"
fi

# --- oversized stdin ---------------------------------------------------------
# A writer that counts what the helper accepted before it gave up: python
# gets EPIPE (not SIGPIPE) once the helper has exited.  It writes into a
# FIFO that the helper opens as stdin, so the helper's clock starts only
# once the writer is running.
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
BIG=$((50 * 1024 * 1024))
writer='import sys,os
n=0; chunk=b"\0"*65536; total=int(sys.argv[1])
try:
    while n < total:
        n += os.write(1, chunk)
except BrokenPipeError: pass
sys.stderr.write(str(n))'

# Peak RSS of a run that reads a small request, as the baseline: an
# instrumented or valgrind build has a larger floor than the plain one.
peak_rss() { # OP INPUT-FILE -> kB
	/usr/bin/time -f '%M' -o "$H_DIR/time" "$T_HELPER" "$1" <"$2" >/dev/null 2>&1
	tail -n 1 "$H_DIR/time"
}
if ! [ -x /usr/bin/time ]; then
	t_skip "oversized stdin: peak memory" "/usr/bin/time missing (apt-get install time)"
else
	printf 'ghcr.io' >"$H_DIR/small"
	base=$(peak_rss get "$H_DIR/small")
	mkfifo "$H_DIR/fifo"
	for op in store get erase; do
		"$PY" -c "$writer" "$BIG" >"$H_DIR/fifo" 2>"$H_DIR/written" &
		/usr/bin/time -f '%e %M' -o "$H_DIR/time" \
			"$T_HELPER" "$op" <"$H_DIR/fifo" >"$H_OUT" 2>"$H_ERR"
		H_RC=$?
		wait
		written=$(cat "$H_DIR/written")
		read -r secs rss < <(tail -n 1 "$H_DIR/time")
		ms=$(awk -v s="$secs" 'BEGIN { printf "%d", s * 1000 }')
		# The helper may read its 1 MiB limit and a little more; the pipe
		# then holds at most 64 KiB before the writer sees EPIPE.
		if [ "$H_RC" -ne 1 ] || ! h_one_line "$H_OUT"; then
			t_fail "$op: 50 MiB pipe refused with one line" "$(h_describe)"
		elif [ "$written" -ge $((8 * 1024 * 1024)) ]; then
			t_fail "$op: 50 MiB pipe not read" "the writer got $written bytes in"
		elif [ "$rss" -gt $((base + 16 * 1024)) ]; then
			t_fail "$op: 50 MiB pipe in little memory" "peak RSS ${rss} kB, baseline ${base} kB"
		elif [ "$ms" -gt 3000 ]; then
			t_fail "$op: 50 MiB pipe refused quickly" "took $ms ms"
		else
			t_pass "$op: 50 MiB pipe refused in $ms ms after $((written / 1024)) KiB, peak RSS ${rss} kB (baseline ${base} kB): $(head -n 1 "$H_OUT")"
		fi
	done
	# A regular file on stdin: nothing tells the helper its size up front
	# but fstat, and it must not slurp it either.
	truncate -s "$BIG" "$H_DIR/big"
	/usr/bin/time -f '%e %M' -o "$H_DIR/time" "$T_HELPER" store <"$H_DIR/big" >/dev/null 2>&1
	read -r secs rss < <(tail -n 1 "$H_DIR/time")
	ms=$(awk -v s="$secs" 'BEGIN { printf "%d", s * 1000 }')
	h_run store "$H_DIR/big"
	if [ "$H_RC" -eq 1 ] && h_one_line "$H_OUT" && [ "$rss" -le $((base + 16 * 1024)) ] &&
		[ "$ms" -le 3000 ]; then
		t_pass "store: 50 MiB file refused in $ms ms, peak RSS ${rss} kB"
	else
		t_fail "store: 50 MiB file refused quickly in little memory" \
			"$(h_describe), ${ms} ms, peak RSS ${rss} kB (baseline ${base} kB)"
	fi
	rm -f "$H_DIR/big"
	after=$(h_sum "${files[@]}")
	t_equal "store unchanged by oversized input" "$before" "$after"
fi
t_summary
