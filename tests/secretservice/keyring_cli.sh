#!/bin/bash
# What only the Secret Service backend does, seen from the command line: the
# real helper against the private gnome-keyring of tests/keyring-session.sh
# as libsecret's own client (secret-tool) and Debian's
# docker-credential-secretservice see it on the same keyring (one item per
# registry, neither helper touching the other's items), and failing fast
# without a bus or with the keyring locked.  The protocol itself is
# tests/integration/cli.sh secretservice.  Run it through the harness:
#   tests/keyring-session.sh bash tests/secretservice/keyring_cli.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

t_scrub_env "${T_KEYRING_BUS[@]}" \
	DOCKER_CREDENTIAL_GHCR_BACKEND=secretservice DOCKER_CREDENTIAL_GHCR_GH_CLI=off
H=$T_HELPER

if [ "${GHCR_KEYRING_MODE:-}" != keyring ]; then
	t_fail "environment" "run through tests/keyring-session.sh"
	t_summary; exit
fi
if [ ! -x "$H" ]; then
	t_skip "cli" "no helper binary at $H"
	t_summary; exit
fi
# secret-tool (libsecret-tools) and gdbus (libglib2.0-bin) look at the
# keyring from outside; python3 compares JSON.
if ! t_need secret-tool gdbus python3; then
	if [ "${CI:-}" = true ]; then
		t_fail "tools" "secret-tool, gdbus and python3 are needed (CI=true)"
	else
		t_skip "cli" "secret-tool, gdbus or python3 missing"
	fi
	t_summary; exit
fi

# ms CMD...: runs CMD, sets $out, $rc and $ms (wall time in milliseconds).
ms() {
	local t0 t1
	t0=$(date +%s%N)
	out=$("$@" 2>"$T_ERR")
	rc=$?
	t1=$(date +%s%N)
	ms=$(( (t1 - t0) / 1000000 ))
}
T_ERR=$(mktemp)
trap 'rm -f "$T_ERR"' EXIT

store() { printf '%s' "$1" | "$H" store; }
get() { printf '%s' "$1" | "$H" get; }

store '{"ServerURL":"ghcr.io","Username":"hubot","Secret":"ghp_cli_second"}'
ms store '{"ServerURL":"https://ghcr.io/","Username":"hubot","Secret":"ghp_cli_second"}'
t_equal "store exits 0" 0 "$rc"
# libsecret's own client decrypts what our session encrypted.
t_equal "secret-tool reads the stored token" ghp_cli_second \
	"$(secret-tool lookup xdg:schema io.github.docker-credential-ghcr server ghcr.io 2>&1)"
n=$(secret-tool search --all xdg:schema io.github.docker-credential-ghcr server ghcr.io 2>&1 | grep -c '^\[')
t_equal "storing again leaves one keyring item" 1 "$n"

# Debian's reference helper on the same keyring: neither sees the other's items.
if command -v docker-credential-secretservice >/dev/null 2>&1; then
	printf '%s' '{"ServerURL":"ghcr.io","Username":"ref","Secret":"ref_secret"}' |
		docker-credential-secretservice store
	ms get ghcr.io
	t_equal "the reference helper's item for the same server is not ours" \
		'{"ServerURL":"ghcr.io","Username":"hubot","Secret":"ghp_cli_second"}' "$out"
	printf ghcr.io | "$H" erase
	ref=$(printf ghcr.io | docker-credential-secretservice get)
	case "$ref" in *ref_secret*) t_pass "erase leaves the reference helper's item alone" ;;
	*) t_fail "erase leaves the reference helper's item alone" "reference get said: $ref" ;; esac
	printf ghcr.io | docker-credential-secretservice erase
else
	t_skip "reference helper coexistence" "docker-credential-secretservice not installed"
	printf ghcr.io | "$H" erase
fi

ms get ghcr.io
t_equal "get after erase says not found" "credentials not found in native keychain" "$out"
n=$(secret-tool search --all xdg:schema io.github.docker-credential-ghcr server ghcr.io 2>&1 | grep -c '^\[')
t_equal "erase leaves no keyring item" 0 "$n"

# Failing fast, with one line on stdout and the reason on stderr.
ms env -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR=/nonexistent sh -c "printf ghcr.io | '$H' get"
t_equal "no session bus: get exits 1" 1 "$rc"
[ "$ms" -lt 2000 ] && t_pass "no session bus: get fails in ${ms} ms (< 2000)" ||
	t_fail "no session bus: get fails fast" "took ${ms} ms"
[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] && t_pass "no session bus: one line on stdout" ||
	t_fail "no session bus: one line on stdout" "got: $out"

store '{"ServerURL":"locked.example","Username":"lou","Secret":"s"}'
gdbus call --session -d org.freedesktop.secrets -o /org/freedesktop/secrets \
	-m org.freedesktop.Secret.Service.Lock "['/org/freedesktop/secrets/collection/login']" >/dev/null
ms "$H" list
t_equal "locked keyring: list still works" 0 "$rc"
case "$out" in *'"locked.example":"lou"'*) t_pass "locked keyring: list shows the server" ;;
*) t_fail "locked keyring: list shows the server" "got: $out" ;; esac
ms get locked.example
t_equal "locked keyring, no display: get exits 1" 1 "$rc"
[ "$ms" -lt 2000 ] && t_pass "locked keyring, no display: get fails in ${ms} ms (< 2000)" ||
	t_fail "locked keyring: get fails fast" "took ${ms} ms"
case "$out$(cat "$T_ERR")" in *locked*) t_pass "locked keyring: the message says locked" ;;
*) t_fail "locked keyring: the message says locked" "got: $out / $(cat "$T_ERR")" ;; esac

t_summary
