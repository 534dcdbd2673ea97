#!/bin/bash
# Crash safety: SIGKILL at random moments during CRASH_WRITES (120) writes
# to the file store.  After every kill the store must still open (`list`
# exits 0), every write that completed must be there, and at most the
# write in flight may be missing; a killed write is either wholly there or
# wholly absent.  The store is padded to a few hundred KiB first so that a
# write takes long enough for kills to land inside it; the kill moments are
# spread over 0..1.5x the measured duration of one write.
set -u
. "$(dirname "$0")/common.sh"
N=${CRASH_WRITES:-120}

pad=$(head -c 20000 /dev/zero | tr '\0' p)
for i in $(seq 1 10); do
	h_store "pad-$i.example" "pad-user-$i" "$pad" ||
		{ t_fail "set-up: pad entry $i" "$(h_describe)"; t_summary; exit 1; }
done

# How long one write takes here, in microseconds.
h_now; t0=$H_NOW
for i in 1 2 3; do h_store "probe.example" probe "probe-$i"; done
h_now; write_ms=$(( (H_NOW - t0) / 3 ))
[ "$write_ms" -lt 1 ] && write_ms=1
span_us=$(( write_ms * 1500 ))

declare -A committed=()   # server -> username that must be there
for i in $(seq 1 10); do committed["pad-$i.example"]=pad-user-$i; done
committed["probe.example"]=probe
killed=0 completed=0 killed_landed=0 killed_absent=0 bad=0 erases=0

check_list() { # ITER -> sets listed[] from `list`, fails on a broken store
	h_run list
	if [ "$H_RC" -ne 0 ] || h_crashed; then
		t_fail "after write $1: store opens" "$(h_describe)"
		return 1
	fi
	h_list_pairs "$H_OUT"
	listed=$H_PAIRS
}

for i in $(seq 1 "$N"); do
	if [ $((i % 4)) -eq 0 ] && [ "$i" -gt 4 ]; then
		# Every fourth write is an erase of an earlier entry.
		op=erase; target="crash-$((i - 4)).example"
		printf '%s' "$target" >"$H_DIR/in"
	else
		op=store; target="crash-$i.example"
		printf '{"ServerURL":"%s","Username":"user-%s","Secret":"secret-%s"}' \
			"$target" "$i" "$i" >"$H_DIR/in"
	fi
	"$T_HELPER" "$op" <"$H_DIR/in" >/dev/null 2>&1 &
	pid=$!
	d=$(( (RANDOM * 32768 + RANDOM) % span_us ))
	printf -v delay '%d.%06d' $((d / 1000000)) $((d % 1000000))
	h_sleep "$delay"
	kill -KILL "$pid" 2>/dev/null
	{ wait "$pid"; rc=$?; } 2>/dev/null
	check_list "$i" || { bad=$((bad + 1)); continue; }
	present=0 value=
	if [[ $'\n'"$listed" =~ $'\n'"$target"=([^$'\n']*)$'\n' ]]; then
		present=1 value=${BASH_REMATCH[1]}
	fi
	if [ "$rc" -eq 137 ]; then
		killed=$((killed + 1))
		[ "$present" = 1 ] && [ "$op" = store ] && killed_landed=$((killed_landed + 1))
		[ "$present" = 0 ] && [ "$op" = store ] && killed_absent=$((killed_absent + 1))
	elif [ "$rc" -eq 0 ]; then
		completed=$((completed + 1))
		if [ "$op" = store ] && [ "$present" = 0 ]; then
			t_fail "write $i: a completed store is there" "$target missing"
			bad=$((bad + 1))
		elif [ "$op" = erase ] && [ "$present" = 1 ]; then
			t_fail "write $i: a completed erase took effect" "$target still there"
			bad=$((bad + 1))
		fi
	else
		t_fail "write $i: $op exits 0 or is killed" "exit $rc"
		bad=$((bad + 1))
	fi
	# Keep the books: the entry's state is now whatever list shows.
	if [ "$present" = 1 ]; then
		committed[$target]=$value
	else
		unset "committed[$target]"
	fi
	[ "$op" = erase ] && erases=$((erases + 1))
	# Nothing committed earlier may have gone.
	for k in "${!committed[@]}"; do
		if [[ $'\n'"$listed" != *$'\n'"$k=${committed[$k]}"$'\n'* ]]; then
			t_fail "after write $i: earlier entry $k still there" "list: $(head -c 200 "$H_OUT")"
			bad=$((bad + 1))
			unset "committed[$k]"
		fi
	done
done

if [ "$bad" -eq 0 ]; then
	t_pass "$N writes ($((N - erases)) store, $erases erase), SIGKILL within 0..$((span_us / 1000)) ms (one write takes ~$write_ms ms): $killed killed in flight ($killed_landed stores had landed, $killed_absent had not), $completed completed; the store opened after every one"
else
	t_fail "$N writes under SIGKILL" "$bad problems"
fi
[ "$killed" -ge $((N / 4)) ] && t_pass "at least a quarter of the kills landed in flight ($killed)" ||
	t_fail "at least a quarter of the kills landed in flight" "only $killed of $N"

# Secrets are intact, not just the listing.
ok=1
for k in pad-1.example pad-10.example; do
	h_run_str get "$k"
	h_contains "$H_OUT" "\"Secret\":\"$pad\"" || ok=0
done
for k in "${!committed[@]}"; do
	case $k in crash-*) ;; *) continue ;; esac
	n=${k#crash-}; n=${n%.example}
	h_run_str get "$k"
	h_contains "$H_OUT" "\"Secret\":\"secret-$n\"" || { ok=0; echo "    $k: $(h_describe)"; }
done
[ "$ok" = 1 ] && t_pass "every surviving entry has its own secret" ||
	t_fail "every surviving entry has its own secret"

# Killed writers may leave a temporary file; say how many (not a failure:
# the next writer's lock makes them harmless), but the store is one file.
dir=$(dirname "$DOCKER_CREDENTIAL_GHCR_STORE")
stray=$(find "$dir" -type f ! -name "${DOCKER_CREDENTIAL_GHCR_STORE##*/}" \
	! -name "${DOCKER_CREDENTIAL_GHCR_STORE##*/}.lock" \
	! -name "${DOCKER_CREDENTIAL_GHCR_KEY_FILE##*/}" | wc -l)
echo "note: $stray temporary file(s) left by killed writers in $dir"
t_summary
