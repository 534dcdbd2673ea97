#!/bin/bash
# keyring-session.sh — run a command against a real, private Secret Service.
#
#   tests/keyring-session.sh [MODE] CMD [ARGS...]
#
# Starts a private D-Bus session bus (dbus-run-session) and, inside it, a
# gnome-keyring-daemon (secrets component only) whose "login" keyring is
# created and unlocked with a known password, waits until
# org.freedesktop.secrets answers and the default keyring is unlocked, runs
# CMD, then stops the daemon and the bus and removes every file.  HOME and
# the XDG directories point into a fresh temporary directory, so the
# user's real keyring is never read or touched.  Works as root and without
# any X or Wayland display (CI).
#
# MODE (optional, first argument):
#   --keyring      default: gnome-keyring running, login keyring unlocked
#   --bare         a private bus on which no Secret Service runs and none
#                  can be activated (for fail-fast tests)
#   --activatable  a private bus with the system's usual activatable
#                  services (gnome-keyring starts on first use, with no
#                  login keyring yet) and nothing started by hand
#
# Inside CMD:
#   DBUS_SESSION_BUS_ADDRESS  the private bus
#   HOME, XDG_{DATA,CONFIG,CACHE}_HOME, XDG_RUNTIME_DIR  private temp dirs
#   GHCR_KEYRING_MODE         keyring | bare | activatable
#   GHCR_KEYRING_PASSWORD     the login keyring's password (test value)
#   GHCR_KEYRING_PID          the gnome-keyring-daemon's pid (keyring mode)
#   DISPLAY, WAYLAND_DISPLAY  unset: nothing can prompt, so a locked
#                             keyring must fail fast, never hang
#
# Exit status: CMD's.  When dbus-run-session, dbus-daemon or
# gnome-keyring-daemon is missing it prints why on stderr and exits 77
# (skip) — or 1 when CI=true, where a missing tool is a failure, never a
# silent skip.  When the tools exist but the daemon does not come up with
# an unlocked keyring within 10 s, it prints the daemon's log and exits 70.
set -u

mode=keyring
case "${1:-}" in
--keyring) mode=keyring; shift ;;
--bare) mode=bare; shift ;;
--activatable) mode=activatable; shift ;;
--help|-h) sed -n '2,/^set -u/p' "$0" | sed 's/^# \{0,1\}//;/^set -u/d'; exit 0 ;;
esac
if [ $# -eq 0 ]; then
	echo "usage: $0 [--keyring|--bare|--activatable] CMD [ARGS...]" >&2
	exit 2
fi

# Internal: the second stage, run inside dbus-run-session (see below).
if [ "${GHCR_KEYRING_STAGE:-}" = inner ]; then
	unset GHCR_KEYRING_STAGE
	keyring_pid=
	stop_daemon() {
		if [ -n "$keyring_pid" ]; then
			kill "$keyring_pid" 2>/dev/null
			wait "$keyring_pid" 2>/dev/null
		fi
	}
	trap stop_daemon EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM

	bus_call() { # DEST PATH METHOD ARGS... -> dbus-send's reply on stdout
		local dest=$1 path=$2 method=$3; shift 3
		timeout 2 dbus-send --session --print-reply=literal \
			--dest="$dest" "$path" "$method" "$@" 2>/dev/null
	}

	if [ "$mode" = keyring ]; then
		# --foreground keeps the daemon our child, so we know what to
		# stop; --unlock reads the password from stdin and creates the
		# login keyring with it on first use.
		printf '%s' "$GHCR_KEYRING_PASSWORD" |
			gnome-keyring-daemon --foreground --unlock \
				--components=secrets >"$GHCR_KEYRING_DIR/daemon.log" 2>&1 &
		keyring_pid=$!
		export GHCR_KEYRING_PID=$keyring_pid
		ready=
		for _ in $(seq 1 200); do
			if ! kill -0 "$keyring_pid" 2>/dev/null; then break; fi
			alias_path=$(bus_call org.freedesktop.secrets /org/freedesktop/secrets \
				org.freedesktop.Secret.Service.ReadAlias string:default)
			case "$alias_path" in
			*/collection/*)
				locked=$(bus_call org.freedesktop.secrets "${alias_path// /}" \
					org.freedesktop.DBus.Properties.Get \
					string:org.freedesktop.Secret.Collection string:Locked)
				case "$locked" in *false*) ready=1; break ;; esac ;;
			esac
			sleep 0.05
		done
		if [ -z "$ready" ]; then
			echo "keyring-session: gnome-keyring-daemon did not come up with an unlocked login keyring within 10 s" >&2
			sed 's/^/keyring-session: daemon: /' "$GHCR_KEYRING_DIR/daemon.log" >&2
			exit 70
		fi
	fi
	"$@"
	exit $?
fi

missing() {
	echo "keyring-session: $1" >&2
	if [ "${CI:-}" = true ]; then
		echo "keyring-session: CI=true: a missing tool is a failure" >&2
		exit 1
	fi
	exit 77
}
tools="dbus-run-session dbus-daemon dbus-send timeout"
[ "$mode" = keyring ] && tools="$tools gnome-keyring-daemon"
for tool in $tools; do
	command -v "$tool" >/dev/null 2>&1 ||
		missing "$tool not found (Debian: apt-get install dbus dbus-bin gnome-keyring)"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ghcr-keyring.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/home/.local/share" "$tmp/home/.config" "$tmp/home/.cache" "$tmp/run"
chmod 700 "$tmp" "$tmp/run"

# Everything the bus and anything it activates inherits: private dirs, no
# display (so nothing can prompt), no link to the user's own keyring.
export HOME=$tmp/home
export XDG_DATA_HOME=$tmp/home/.local/share
export XDG_CONFIG_HOME=$tmp/home/.config
export XDG_CACHE_HOME=$tmp/home/.cache
export XDG_RUNTIME_DIR=$tmp/run
unset DISPLAY WAYLAND_DISPLAY GNOME_KEYRING_CONTROL GNOME_KEYRING_PID \
	DBUS_SESSION_BUS_ADDRESS SSH_AUTH_SOCK
export GHCR_KEYRING_MODE=$mode
export GHCR_KEYRING_DIR=$tmp
export GHCR_KEYRING_PASSWORD=${GHCR_KEYRING_PASSWORD:-ghcr-test-keyring}

config=()
if [ "$mode" != activatable ]; then
	# No <servicedir>: nothing on this bus is activatable, so the only
	# Secret Service is the daemon started above (or none at all).
	cat >"$tmp/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=$tmp/run</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
  <!-- The limits of the standard session bus (session.conf), not the
       daemon's low built-in ones, so benchmarks see a real session. -->
  <limit name="max_incoming_bytes">1000000000</limit>
  <limit name="max_outgoing_bytes">1000000000</limit>
  <limit name="max_message_size">1000000000</limit>
  <limit name="max_completed_connections">100000</limit>
  <limit name="max_incomplete_connections">10000</limit>
  <limit name="max_connections_per_user">100000</limit>
  <limit name="max_match_rules_per_connection">50000</limit>
  <limit name="max_replies_per_connection">50000</limit>
</busconfig>
EOF
	config=(--config-file="$tmp/bus.conf")
fi

GHCR_KEYRING_STAGE=inner dbus-run-session "${config[@]}" -- \
	bash "${BASH_SOURCE[0]}" "--$mode" "$@"
status=$?
exit $status
