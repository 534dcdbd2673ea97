#!/bin/bash
# The Secret Service backend never hangs where nothing will answer, and
# waits where the keyring is only busy.  Each case runs the helper under
# `timeout 10` and checks that it exits 1 with one line saying why (or, for
# the busy keyring, that it answers); the time each case took is printed
# ("timing: ...") for the report, never judged: a loaded machine must not
# fail a test.  The product's own rule: 1 s without an answer while neither
# the bus daemon nor the keyring daemon is working ends an operation
# (README, "Secret Service: busy or absent").
#
#   no session bus                 nothing at DBUS_SESSION_BUS_ADDRESS
#   no provider                    a private bus where nothing owns or can
#                                  activate org.freedesktop.secrets
#   deaf provider                  owns the name, drops every call unread
#   frozen provider                the same, stopped with SIGSTOP
#   locked keyring, no prompter    gnome-keyring with its login keyring
#                                  locked and no display
#   busy provider                  answers, after 2 s of CPU work per call
#   abandoned holding malloc's     the bus handshake ignores cancellation
#   lock                           and holds malloc's lock when the watchdog
#                                  interrupts it (STUCK, preloaded): every
#                                  run still ends with its line, none hangs
#
#   tests/secretservice/deadline.sh STANDIN [STUCK]   (STANDIN: the
#   stand-in program built from tests/secretservice/standin.c; STUCK: the
#   library built from tests/secretservice/stuck_in_malloc.c)
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

STANDIN=${1:-}
STUCK=${2:-}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
harness=$here/../keyring-session.sh
H=$T_HELPER
export DOCKER_CREDENTIAL_GHCR_BACKEND=secretservice
# The product's deadline, whatever the caller's environment says (the
# sanitizer runs raise it for the other suites).
unset DOCKER_CREDENTIAL_GHCR_SECRETSERVICE_TIMEOUT

# run_case LABEL OP INPUT: runs `H OP` with INPUT on stdin under timeout 10;
# sets rc, out (stdout), err (stderr), ms.
run_case() {
	local t0 t1
	t0=$(date +%s%N)
	out=$(printf '%s' "$3" | timeout 10 "$H" "$2" 2>"$T_SCRATCH/err")
	rc=$?
	t1=$(date +%s%N)
	ms=$(( (t1 - t0) / 1000000 ))
	err=$(cat "$T_SCRATCH/err")
	echo "timing: $1: $2 returned in $ms ms"
}

# expect_clear_failure LABEL OP INPUT PATTERN: exit 1 (not the timeout's
# 124), exactly one line on stdout matching PATTERN, nothing on stderr.
expect_clear_failure() {
	run_case "$1" "$2" "$3"
	if [ "$rc" -eq 124 ]; then
		t_fail "$1: $2 returns" "still running after 10 s"
		return
	fi
	t_equal "$1: $2 exits 1" 1 "$rc"
	if [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] && [[ $out == *$4* ]]; then
		t_pass "$1: $2 says why in one line ($ms ms)"
	else
		t_fail "$1: $2 says why in one line" "expected *$4*, got: $out"
	fi
	t_equal "$1: $2 prints nothing on stderr" "" "$err"
}

# start_standin MODE...: the stand-in, owning the name, in the background.
start_standin() {
	rm -f "$T_SCRATCH/ready"
	"$STANDIN" "$@" "$T_SCRATCH/ready" &
	standin=$!
	for _ in $(seq 1 200); do
		[ -e "$T_SCRATCH/ready" ] && return 0
		kill -0 "$standin" 2>/dev/null || break
		sleep 0.05
	done
	return 1
}
stop_standin() {
	kill -CONT "$standin" 2>/dev/null
	kill "$standin" 2>/dev/null
	wait "$standin" 2>/dev/null
}

GET=ghcr.io
STORE='{"ServerURL":"ghcr.io","Username":"octocat","Secret":"ghp_deadlineTestToken000000000000000000"}'

case "${GHCR_DEADLINE_STAGE:-}" in
bare)
	T_SCRATCH=$(mktemp -d)
	trap 'rm -rf "$T_SCRATCH"' EXIT
	expect_clear_failure "no provider" get "$GET" "no Secret Service on the session bus"
	expect_clear_failure "no provider" list "" "no Secret Service on the session bus"

	if start_standin deaf; then
		for op in get store erase list; do
			case $op in get|erase) input=$GET ;; store) input=$STORE ;; list) input= ;; esac
			expect_clear_failure "deaf provider" "$op" "$input" "did not answer"
		done
		kill -STOP "$standin"
		expect_clear_failure "frozen provider" get "$GET" "did not answer"
		expect_clear_failure "frozen provider" list "" "did not answer"
		stop_standin
	else
		t_fail "deaf stand-in starts"
		stop_standin
	fi

	# The watchdog's last resort, with the calling thread stopped inside
	# malloc (its arena locked): each run must still end with its line.
	if [ -n "$STUCK" ]; then
		for round in 1 2 3; do
			for op in get store erase list; do
				case $op in get|erase) input=$GET ;; store) input=$STORE ;; list) input= ;; esac
				LD_PRELOAD=$STUCK DOCKER_CREDENTIAL_GHCR_SECRETSERVICE_TIMEOUT=100 \
					expect_clear_failure "abandoned holding malloc's lock ($round)" \
					"$op" "$input" "ignored cancellation"
			done
		done
	else
		t_skip "abandoned holding malloc's lock" "no STUCK library given"
	fi

	if start_standin busy 2000; then
		run_case "busy provider" list ""
		if [ "$rc" -eq 0 ] && [ "$out" = "{}" ]; then
			t_pass "busy provider (2 s of CPU per call, twice the deadline): list waits and answers ($ms ms)"
		else
			t_fail "busy provider: list waits and answers" "exit $rc: $out"
		fi
		stop_standin
	else
		t_fail "busy stand-in starts"
		stop_standin
	fi
	echo "$T_PASSED $T_FAILED $T_SKIPPED" >"$GHCR_DEADLINE_COUNTS"
	exit 0
	;;
keyring)
	T_SCRATCH=$(mktemp -d)
	trap 'rm -rf "$T_SCRATCH"' EXIT
	out=$(printf '%s' "$STORE" | "$H" store 2>&1)
	t_equal "locked keyring: set-up store" "" "$out"
	collection=$(timeout 5 dbus-send --session --print-reply=literal \
		--dest=org.freedesktop.secrets /org/freedesktop/secrets \
		org.freedesktop.Secret.Service.ReadAlias string:default | tr -d ' ')
	timeout 5 dbus-send --session --print-reply --dest=org.freedesktop.secrets \
		/org/freedesktop/secrets org.freedesktop.Secret.Service.Lock \
		"array:objpath:$collection" >/dev/null
	locked=$(timeout 5 dbus-send --session --print-reply=literal \
		--dest=org.freedesktop.secrets "$collection" \
		org.freedesktop.DBus.Properties.Get \
		string:org.freedesktop.Secret.Collection string:Locked)
	case $locked in
	*true*)
		expect_clear_failure "locked keyring, no prompter" get "$GET" "locked"
		expect_clear_failure "locked keyring, no prompter" store "$STORE" "locked"
		expect_clear_failure "locked keyring, no prompter" erase "$GET" "locked"
		;;
	*) t_fail "locked keyring: the collection locks" "Locked is: $locked" ;;
	esac
	echo "$T_PASSED $T_FAILED $T_SKIPPED" >"$GHCR_DEADLINE_COUNTS"
	exit 0
	;;
esac

T_SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/ghcr-deadline.XXXXXX") || exit 1
trap 'rm -rf "$T_SCRATCH"' EXIT
if [ ! -x "$H" ] || [ -z "$STANDIN" ] || [ ! -x "$STANDIN" ]; then
	t_fail "set-up" "usage: $0 STANDIN (helper: $H)"
	t_summary
	exit
fi

# No session bus: no address and no $XDG_RUNTIME_DIR/bus; then an address
# whose socket is gone.
mkdir -m 700 "$T_SCRATCH/run"
(
	unset DBUS_SESSION_BUS_ADDRESS
	export XDG_RUNTIME_DIR=$T_SCRATCH/run
	expect_clear_failure "no session bus" get "$GET" "session bus"
	echo "$T_PASSED $T_FAILED" >"$T_SCRATCH/counts"
)
read -r p f <"$T_SCRATCH/counts"; T_PASSED=$((T_PASSED + p)); T_FAILED=$((T_FAILED + f))
DBUS_SESSION_BUS_ADDRESS=unix:path=$T_SCRATCH/run/gone \
	expect_clear_failure "session bus gone" get "$GET" "session bus"

# The cases that need a private bus, each in its own session.
export GHCR_DEADLINE_COUNTS=$T_SCRATCH/counts
for mode in bare keyring; do
	rm -f "$GHCR_DEADLINE_COUNTS"
	GHCR_DEADLINE_STAGE=$mode "$harness" "--$mode" bash "${BASH_SOURCE[0]}" "$STANDIN" "$STUCK"
	rc=$?
	if [ "$rc" -eq 77 ]; then
		t_skip "$mode session" "no dbus or gnome-keyring here"
	elif [ -s "$GHCR_DEADLINE_COUNTS" ]; then
		read -r p f s <"$GHCR_DEADLINE_COUNTS"
		T_PASSED=$((T_PASSED + p)); T_FAILED=$((T_FAILED + f)); T_SKIPPED=$((T_SKIPPED + s))
	else
		t_fail "$mode session ran" "keyring-session exited $rc"
	fi
done
t_summary
