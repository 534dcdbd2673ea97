#!/bin/bash
# Secret hygiene, observed from outside the process:
#  - the helper is not dumpable (PR_SET_DUMPABLE 0) and may not dump core
#    (RLIMIT_CORE 0), checked while it waits on stdin;
#  - no token on its command line, and it starts no child that could
#    inherit one (strace: no execve but its own);
#  - no token in anything it writes to stderr (or stdout, where no answer
#    is due), whatever goes wrong;
#  - no copy of a secret left in its memory when it exits (gdb snapshot of
#    every mapping at exit_group).
set -u
. "$(dirname "$0")/common.sh"
TOKEN=$H_CANARY
# The helper itself: when T_HELPER is a wrapper (valgrind), these checks
# would look at the wrapper, so they are skipped.
REAL=${GHCR_REAL_HELPER:-$T_HELPER}
wrapped=0
[ "$REAL" != "$T_HELPER" ] || head -c 2 "$T_HELPER" | grep -q '#!' && wrapped=1

h_store ghcr.io octocat "$TOKEN" || { t_fail "set-up: store" "$(h_describe)"; t_summary; exit 1; }

# --- not dumpable, no core ---------------------------------------------------
# A process that is not dumpable has its /proc/PID files owned by root (see
# proc(5)), which only shows when it runs as someone else: run it as
# nobody, blocked reading a FIFO, and look.  `cat` is the control: a
# dumpable process's files are owned by its own uid.
blocked_pid() { # CMD... -> starts CMD as uid 65534 reading a FIFO; sets BPID
	local fifo=$H_DIR/fifo.$RANDOM
	mkfifo -m 600 "$fifo"
	exec {BFD}<>"$fifo"
	env -i PATH=/usr/bin:/bin HOME=/nonexistent \
		DOCKER_CREDENTIAL_GHCR_BACKEND=file \
		DOCKER_CREDENTIAL_GHCR_STORE=/nonexistent/store \
		DOCKER_CREDENTIAL_GHCR_KEY_FILE=/nonexistent/key \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@" \
		<"$fifo" >"$H_DIR/bout" 2>"$H_DIR/berr" {BFD}>&- &
	BPID=$!
	BFIFO=$fifo
	# Wait until it sits in read(2) on stdin (syscall 0 on x86-64; any
	# blocking state elsewhere).
	local _
	for _ in $(seq 1 200); do
		if [ "$(cut -d' ' -f1 /proc/$BPID/syscall 2>/dev/null)" = 0 ] &&
			[ "$(readlink /proc/$BPID/exe)" != "$(command -v setpriv)" ]; then
			return 0
		fi
		h_sleep 0.02
	done
	return 1
}
release() { # closes the FIFO's write end and reaps
	exec {BFD}>&-
	wait "$BPID" 2>/dev/null
	rm -f "$BFIFO"
}

if [ "$(id -u)" -ne 0 ] || ! t_need setpriv; then
	t_skip "not dumpable" "needs root and setpriv (util-linux)"
elif [ "$wrapped" = 1 ]; then
	t_skip "not dumpable" "helper runs under a wrapper ($T_HELPER)"
else
	if blocked_pid cat; then
		t_equal "control: a dumpable process's /proc files belong to its uid" \
			65534 "$(stat -c %u /proc/$BPID/status)"
	else
		t_fail "control: cat blocks on stdin as nobody"
	fi
	release
	for op in store get erase "login -u octocat --password-stdin"; do
		if ! blocked_pid "$REAL" $op; then
			t_fail "$op: helper blocks reading stdin as nobody" "$(cat "$H_DIR/bout" "$H_DIR/berr" | head -c 300)"
			release; continue
		fi
		owner=$(stat -c %u /proc/$BPID/status)
		core=$(awk '/^Max core file size/ { print $5 "/" $6 }' /proc/$BPID/limits)
		cmdline=$(tr '\0' ' ' </proc/$BPID/cmdline)
		t_equal "$op: not dumpable while it waits for the secret (/proc owner root)" 0 "$owner"
		t_equal "$op: RLIMIT_CORE is 0 (soft/hard)" "0/0" "$core"
		[[ "$cmdline" != *"$TOKEN"* ]] && t_pass "$op: command line holds no secret: $cmdline" ||
			t_fail "$op: command line holds no secret" "$cmdline"
		release
	done
fi

# --- no child processes ---------------------------------------------------------
export GITHUB_TOKEN=$TOKEN GH_TOKEN=$TOKEN GITHUB_ACTOR=octocat
if ! t_need strace; then
	t_skip "no child process" "strace missing (apt-get install strace)"
elif [ "$wrapped" = 1 ]; then
	t_skip "no child process" "helper runs under a wrapper"
else
	for op in store get erase list status; do
		case $op in
		store) printf '{"ServerURL":"x.example","Username":"u","Secret":"%s"}' "$TOKEN" >"$H_DIR/in" ;;
		get|erase) printf 'ghcr.io' >"$H_DIR/in" ;;
		*) : >"$H_DIR/in" ;;
		esac
		strace -f -qq -e trace=execve,execveat -e signal=none -o "$H_DIR/strace" \
			"$REAL" "$op" <"$H_DIR/in" >/dev/null 2>&1
		n=$(grep -c 'execve' "$H_DIR/strace")
		t_equal "$op: starts no child program (execve calls)" 1 "$n"
	done
fi

# --- stderr and stdout under every failure ----------------------------------------
# Each scenario breaks something, runs every command, and checks that the
# token appears nowhere it should not.  `get` on a healthy store answers
# with the secret on stdout by design, so only its stderr is checked there.
scan() { # LABEL
	local op
	for op in store get erase list status login logout version; do
		case $op in
		store|login) printf '{"ServerURL":"ghcr.io","Username":"octocat","Secret":"%s"}\n' "$TOKEN" >"$H_DIR/in" ;;
		*) printf 'ghcr.io\n' >"$H_DIR/in" ;;
		esac
		"$T_HELPER" "$op" <"$H_DIR/in" >"$H_OUT" 2>"$H_ERR"
		H_RC=$?
		if strings -n 8 "$H_ERR" | grep -qF "$TOKEN"; then
			t_fail "$1: $op: no token on stderr" "$(h_describe)"
		elif [ "$op" != get ] && strings -n 8 "$H_OUT" | grep -qF "$TOKEN"; then
			t_fail "$1: $op: no token on stdout" "$(h_describe)"
		elif h_crashed; then
			t_fail "$1: $op: no crash" "$(h_describe)"
		else
			t_pass "$1: $op (exit $H_RC): no token on stderr"
		fi
	done
}
STORE=$DOCKER_CREDENTIAL_GHCR_STORE KEY=$DOCKER_CREDENTIAL_GHCR_KEY_FILE
scan "healthy store, ambient token"
cp -p "$STORE" "$H_DIR/store.bak"
printf '\x01' | dd of="$STORE" bs=1 seek=100 conv=notrunc status=none
scan "damaged store"
cp -p "$H_DIR/store.bak" "$STORE"
chmod 644 "$STORE"
scan "unsafe store mode"
chmod 600 "$STORE"
cp -p "$KEY" "$H_DIR/key.bak"
head -c 32 /dev/urandom >"$KEY"
scan "wrong key"
cp -p "$H_DIR/key.bak" "$KEY"
DOCKER_CREDENTIAL_GHCR_BACKEND=bogus scan "bad configuration"
DOCKER_CREDENTIAL_GHCR_BACKEND=secretservice DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/bus \
	scan "Secret Service unreachable"
unset GITHUB_TOKEN GH_TOKEN GITHUB_ACTOR

# --- memory at exit -------------------------------------------------------------
# gdb stops the helper at exit_group and searches every readable mapping
# for the secret.  Everything that held it was freed by then; freeing must
# have wiped it.  (The ambient token is not tested here: it lives in the
# environment, which the helper did not make and may not rewrite.)
if ! t_need gdb; then
	t_skip "memory at exit" "gdb missing (apt-get install gdb)"
elif [ "$wrapped" = 1 ]; then
	t_skip "memory at exit" "helper runs under a wrapper"
else
	cat >"$H_DIR/find.py" <<'PY'
import gdb, os
needle = open(os.environ["HYGIENE_NEEDLE_FILE"], "rb").read().strip()
inf = gdb.selected_inferior()
hits = 0
for line in gdb.execute("info proc mappings", to_string=True).splitlines():
    f = line.split()
    if len(f) < 5 or not f[0].startswith("0x"):
        continue
    start, end = int(f[0], 16), int(f[1], 16)
    try:
        mem = bytes(inf.read_memory(start, end - start))
    except Exception:
        continue
    i = mem.find(needle)
    while i >= 0:
        hits += 1
        print("HYGIENE-HIT 0x%x in %s" % (start + i, f[-1] if len(f) >= 6 else "anonymous"))
        i = mem.find(needle, i + 1)
print("HYGIENE-HITS %d" % hits)
PY
	# A needle from the middle of the secret: any copy of 12+ bytes of it.
	# It is read from a file so that the environment does not hold it.
	printf '%s' "${TOKEN:8:12}" >"$H_DIR/needle"
	export HYGIENE_NEEDLE_FILE=$H_DIR/needle
	for op in store get list erase login; do
		case $op in
		store|login) printf '{"ServerURL":"ghcr.io","Username":"octocat","Secret":"%s"}' "$TOKEN" >"$H_DIR/in" ;;
		get|erase) printf 'ghcr.io' >"$H_DIR/in" ;;
		*) : >"$H_DIR/in" ;;
		esac
		gdb -q -batch -nx -ex 'catch syscall exit_group' \
			-ex "run $op $([ "$op" = login ] && echo "-u octocat --password-stdin") <$H_DIR/in >$H_DIR/gout 2>&1" \
			-ex "source $H_DIR/find.py" -ex 'kill' --args "$REAL" >"$H_DIR/gdb.log" 2>&1
		hits=$(sed -n 's/^HYGIENE-HITS //p' "$H_DIR/gdb.log")
		if [ -z "$hits" ]; then
			t_fail "$op: memory searched at exit" "$(tail -n 3 "$H_DIR/gdb.log" | tr '\n' '|')"
		elif [ "$hits" -eq 0 ]; then
			t_pass "$op: no copy of the secret in memory at exit"
		else
			t_fail "$op: no copy of the secret in memory at exit" \
				"$hits found: $(grep HYGIENE-HIT "$H_DIR/gdb.log" | head -3 | tr '\n' ' ')"
		fi
	done
fi
t_summary
