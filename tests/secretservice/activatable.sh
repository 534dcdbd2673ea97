#!/bin/bash
# The keyring daemon is not running but can be bus-activated, and has no
# login keyring yet (a first login, or a headless box with gnome-keyring
# installed): the helper must start it, answer "not found", and refuse to
# store fast and clearly instead of waiting for a password prompt that no
# display can show.  Run through the harness:
#   tests/keyring-session.sh --activatable bash tests/secretservice/activatable.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

t_scrub_env "${T_KEYRING_BUS[@]}" DOCKER_CREDENTIAL_GHCR_BACKEND=secretservice \
	DOCKER_CREDENTIAL_GHCR_GH_CLI=off
H=$T_HELPER

if [ "${GHCR_KEYRING_MODE:-}" != activatable ]; then
	t_fail "environment" "run through tests/keyring-session.sh --activatable"
	t_summary; exit
fi
if [ ! -x "$H" ]; then
	t_skip "activatable" "no helper binary at $H"
	t_summary; exit
fi
if [ ! -e /usr/share/dbus-1/services/org.freedesktop.secrets.service ]; then
	t_skip "activatable" "no activatable Secret Service installed"
	t_summary; exit
fi

ms() {
	local t0 t1
	t0=$(date +%s%N)
	out=$("$@" 2>/dev/null)
	rc=$?
	t1=$(date +%s%N)
	ms=$(( (t1 - t0) / 1000000 ))
}

ms sh -c "printf ghcr.io | '$H' get"
t_equal "get starts the daemon and answers not found" \
	"credentials not found in native keychain" "$out"
[ "$ms" -lt 2000 ] && t_pass "get with activation took ${ms} ms (< 2000)" ||
	t_fail "get with activation is fast" "took ${ms} ms"

ms sh -c "printf '%s' '{\"ServerURL\":\"ghcr.io\",\"Username\":\"u\",\"Secret\":\"s\"}' | '$H' store"
t_equal "store without a default keyring exits 1" 1 "$rc"
case "$out" in *"no default keyring"*) t_pass "store says there is no default keyring" ;;
*) t_fail "store says there is no default keyring" "got: $out" ;; esac
[ "$ms" -lt 2000 ] && t_pass "store fails in ${ms} ms (< 2000), no prompt" ||
	t_fail "store fails fast" "took ${ms} ms"

ms "$H" list
t_equal "list of an empty keyring" "{}" "$out"

t_summary
