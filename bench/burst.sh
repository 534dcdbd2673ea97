#!/bin/bash
# bench/burst.sh — one burst against the Secret Service, for `make bench`:
# the mix of tests/hardening/concurrency.sh (NEW store, ERASE erase, GET
# get and LIST list processes, released together through a flock gate)
# against a fresh keyring, with one credential helper.  Prints one line:
#
#   WALL_MS FAILED LOST
#
# (wall time from the release to the last exit; processes that failed;
# entries missing from or left over in the final list).  Run inside
# tests/keyring-session.sh:
#
#   bench/burst.sh HELPER NEW ERASE GET LIST [ENV=VALUE...]
set -u
helper=$1 NEW=$2 ERASE=$3 GET=$4 LIST=$5
shift 5
for e in "$@"; do export "${e?}"; done
KEEP=10
W=$(mktemp -d "${TMPDIR:-/tmp}/ghcr-burst.XXXXXX")
trap '[ -n "${BURST_KEEP:-}" ] || rm -rf "$W"' EXIT

req() { printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}' "$1" "$2" "$3"; }
for i in $(seq 1 "$KEEP"); do req "keep-$i.example" "keep-user-$i" "keep-secret-$i" | "$helper" store || exit 1; done
for i in $(seq 1 "$ERASE"); do req "erase-$i.example" "erase-user-$i" "erase-secret-$i" | "$helper" store || exit 1; done

gate=$W/gate
: >"$gate"
exec {gatefd}>"$gate"
flock -x "$gatefd"
pids=()
spawn() { # NAME CMD...: one process held at the gate
	local name=$1; shift
	(
		exec {gatefd}>&-
		flock -s "$gate" true
		"$@" >"$W/$name.out" 2>&1
		echo $? >"$W/$name.rc"
	) &
	pids+=($!)
}
for i in $(seq 1 "$NEW"); do
	req "new-$i.example" "new-user-$i" "new-secret-$i" >"$W/store-$i.in"
	spawn "store-$i" sh -c 'exec "$1" store <"$2"' _ "$helper" "$W/store-$i.in"
done
for i in $(seq 1 "$ERASE"); do
	spawn "erase-$i" sh -c 'printf %s "$2" | exec "$1" erase' _ "$helper" "erase-$i.example"
done
for i in $(seq 1 "$GET"); do
	spawn "get-$i" sh -c 'printf %s "$2" | exec "$1" get' _ "$helper" "keep-$(( (i - 1) % KEEP + 1 )).example"
done
for i in $(seq 1 "$LIST"); do
	spawn "list-$i" "$helper" list
done
t0=${EPOCHREALTIME/./}
exec {gatefd}>&-
wait "${pids[@]}"
t1=${EPOCHREALTIME/./}

failed=0
for f in "$W"/*.rc; do [ "$(cat "$f")" = 0 ] || failed=$((failed + 1)); done
# Lost updates: every new and kept entry present, every erased one gone.
"$helper" list >"$W/final" 2>/dev/null
lost=0
for i in $(seq 1 "$NEW"); do grep -q "\"new-$i.example\":\"new-user-$i\"" "$W/final" || lost=$((lost + 1)); done
for i in $(seq 1 "$KEEP"); do grep -q "\"keep-$i.example\":\"keep-user-$i\"" "$W/final" || lost=$((lost + 1)); done
for i in $(seq 1 "$ERASE"); do ! grep -q "\"erase-$i.example\"" "$W/final" || lost=$((lost + 1)); done
echo "$(( (t1 - t0) / 1000 )) $failed $lost"
