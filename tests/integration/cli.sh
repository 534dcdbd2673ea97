#!/bin/bash
# The credential protocol as a client sees it, through the real binary on
# one storage backend: answers, exit codes, the exact error strings clients
# match, normalisation, replace, identity tokens, a 300 kB secret, non-ASCII
# usernames, list without secrets, the list/get round trip and erase; then
# what no backend changes: version and help, the Actions path (ambient
# token, job-scoped store), and that the helper links neither libsecret,
# GLib nor libcrypto.
#
#   cli.sh [file]           the file backend in a private temporary HOME
#   cli.sh secretservice    run through tests/keyring-session.sh
#
# make check-integration runs it on both backends, check-embedded on the
# file backend of the embedded build.  What only one backend does has its
# own script (tests/secretservice/keyring_cli.sh; the file store's format
# and damage are tests/hardening/tamper.sh and the unit tests).
set -u
. "$(dirname "$0")/../lib.sh"

BACKEND=${1:-file}
keep=()
case $BACKEND in
file) ;;
secretservice)
	if [ "${GHCR_KEYRING_MODE:-}" != keyring ]; then
		t_fail "environment" "cli.sh secretservice runs through tests/keyring-session.sh"
		t_summary; exit
	fi
	keep=("${T_KEYRING_BUS[@]}") ;;
*) echo "usage: $0 [file|secretservice]" >&2; exit 2 ;;
esac

work=$(mktemp -d /tmp/ghcr-cli-XXXXXX)
trap 'rm -rf "$work"' EXIT
t_scrub_env "${keep[@]}" HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" \
	XDG_DATA_HOME="$work/home/.local/share" \
	DOCKER_CREDENTIAL_GHCR_BACKEND="$BACKEND" DOCKER_CREDENTIAL_GHCR_GH_CLI=off
mkdir -p "$HOME"
H=$T_HELPER
if [ ! -x "$H" ]; then
	t_fail "helper" "no helper binary at $H"
	t_summary; exit
fi

# run ACTION INPUT: sets OUT, ERR and RC.
run() {
	OUT=$(printf '%s' "$2" | "$H" "$1" 2>"$work/stderr"); RC=$?
	ERR=$(cat "$work/stderr")
}
# sorted JSON: a list answer with its keys in order (backends list in
# their own order).
sorted() {
	python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin), sort_keys=True, separators=(",", ":"), ensure_ascii=False))'
}

run version ""
t_equal "version prints name, package and version" 0 "$RC"
case $OUT in "docker-credential-ghcr ("*") "[0-9]*) t_pass "version format";;
	*) t_fail "version format" "got '$OUT'";; esac
OUT=$("$H" --version); t_equal "--version equals version" "$("$H" version)" "$OUT"
OUT=$("$H" -v); t_equal "-v equals version" "$("$H" version)" "$OUT"
"$H" --help | grep -q '^Usage: docker-credential-ghcr' && t_pass "--help prints usage" || t_fail "--help prints usage"
"$H" -h | grep -q '^Usage:' && t_pass "-h prints usage" || t_fail "-h prints usage"
"$H" frobnicate >/dev/null 2>&1; t_equal "unknown command exits 1" 1 $?

# --- the protocol on $BACKEND ------------------------------------------------
run get "ghcr.io"
t_equal "get of nothing: exact not-found line" "credentials not found in native keychain" "$OUT"
t_equal "get of nothing exits 1" 1 "$RC"
run erase "ghcr.io"
t_equal "erase of nothing exits 0" 0 "$RC"
t_equal "erase prints nothing" "" "$OUT"
run list ""
t_equal "list of an empty store" "{}" "$OUT"

run store '{"ServerURL":"https://GHCR.io/v2/","Username":"octocat","Secret":"ghp_first"}'
t_equal "store exits 0" 0 "$RC"
t_equal "store prints nothing" "" "$OUT"
for spelling in ghcr.io GHCR.IO https://ghcr.io https://ghcr.io/ ghcr.io/v2/ "  ghcr.io  "; do
	run get "$spelling"
	t_equal "get '$spelling' finds the one credential" \
		'{"ServerURL":"ghcr.io","Username":"octocat","Secret":"ghp_first"}' "$OUT"
done
OUT=$(printf 'ghcr.io\n' | "$H" get)
t_equal "get with a trailing newline" '{"ServerURL":"ghcr.io","Username":"octocat","Secret":"ghp_first"}' "$OUT"

run store '{"ServerURL":"ghcr.io","Username":"octocat","Secret":"ghp_second"}'
run get ghcr.io
t_equal "storing again replaces" '{"ServerURL":"ghcr.io","Username":"octocat","Secret":"ghp_second"}' "$OUT"
run list ""
t_equal "one credential per registry" '{"ghcr.io":"octocat"}' "$OUT"
run store '{"ServerURL":"ghcr.io","Username":"hubot","Secret":"ghp_third"}'
run get ghcr.io
t_equal "storing again with another username replaces" '{"ServerURL":"ghcr.io","Username":"hubot","Secret":"ghp_third"}' "$OUT"

run store '{"ServerURL":"127.0.0.1:5000","Username":"<token>","Secret":"identity-refresh"}'
run get 127.0.0.1:5000
t_equal "identity token kept as is" '{"ServerURL":"127.0.0.1:5000","Username":"<token>","Secret":"identity-refresh"}' "$OUT"
run get 127.0.0.1
t_equal "the port is part of the host" "credentials not found in native keychain" "$OUT"

run store '{"ServerURL":"registry.example:5000","Username":"zoë-名前","Secret":"pw-zoë"}'
run get registry.example:5000
t_equal "a non-ASCII username comes back" '{"ServerURL":"registry.example:5000","Username":"zoë-名前","Secret":"pw-zoë"}' "$OUT"
run list ""
t_equal "list shows every server and username" \
	'{"127.0.0.1:5000":"<token>","ghcr.io":"hubot","registry.example:5000":"zoë-名前"}' \
	"$(printf '%s' "$OUT" | sorted)"
case $OUT in *ghp_*|*identity-refresh*|*pw-zo*) t_fail "list prints no secret" "$OUT" ;;
	*) t_pass "list prints no secret" ;; esac

long=$(head -c 300000 /dev/zero | tr '\0' 'x')
run store "{\"ServerURL\":\"long.example\",\"Username\":\"u\",\"Secret\":\"$long\"}"
t_equal "a 300 kB secret on one line is stored" 0 "$RC"
run get long.example
[ "$OUT" = "{\"ServerURL\":\"long.example\",\"Username\":\"u\",\"Secret\":\"$long\"}" ] &&
	t_pass "a 300 kB secret comes back whole" || t_fail "300 kB secret" "got ${#OUT} bytes"

run store '{"ServerURL":"","Username":"u","Secret":"s"}'
t_equal "empty ServerURL: exact line" "no credentials server URL" "$OUT"
t_equal "empty ServerURL exits 1" 1 "$RC"
run store '{"ServerURL":"ghcr.io","Username":"","Secret":"s"}'
t_equal "empty Username: exact line" "no credentials username" "$OUT"
run get ""
t_equal "get without a server: exact line" "no credentials server URL" "$OUT"
run store 'not json'
t_equal "garbage store: one line, exit 1" "1 1" "$(printf '%s\n' "$OUT" | wc -l) $RC"

run list ""
listing=$OUT
keys=$(printf '%s' "$listing" | python3 -c 'import json,sys; print("\n".join(json.load(sys.stdin)))')
for k in $keys; do
	run get "$k"
	[ "$RC" = 0 ] && t_pass "list -> get round trip: $k" || t_fail "list -> get round trip: $k" "$OUT"
done

run erase "https://ghcr.io/"
t_equal "erase exits 0" 0 "$RC"
run get ghcr.io
t_equal "erase by another spelling removes it" "credentials not found in native keychain" "$OUT"
t_equal "get after erase exits 1" 1 "$RC"
run get registry.example:5000
t_equal "erase leaves the other credentials" 0 "$RC"

# --- the Actions path: ambient token, job-scoped store, nothing under HOME.
(
	unset DOCKER_CREDENTIAL_GHCR_BACKEND DBUS_SESSION_BUS_ADDRESS
	export GITHUB_ACTIONS=true GITHUB_TOKEN=ghs_ambient_token GITHUB_ACTOR=octo-actor
	export RUNNER_TEMP=$work/runner HOME=$work/actions-home XDG_CONFIG_HOME= XDG_DATA_HOME=
	mkdir -p "$RUNNER_TEMP" "$HOME"
	run get ghcr.io
	t_equal "Actions: ambient token for ghcr.io" '{"ServerURL":"ghcr.io","Username":"octo-actor","Secret":"ghs_ambient_token"}' "$OUT"
	run get docker.pkg.github.com
	t_equal "Actions: ambient token for docker.pkg.github.com" 0 "$RC"
	run get ghcr.io.evil.com
	t_equal "Actions: no token for ghcr.io.evil.com" "credentials not found in native keychain" "$OUT"
	run list ""
	t_equal "Actions: list names the GitHub hosts" '{"docker.pkg.github.com":"octo-actor","ghcr.io":"octo-actor"}' "$OUT"
	run store '{"ServerURL":"ghcr.io","Username":"other","Secret":"ghp_job"}'
	[ -f "$RUNNER_TEMP/docker-credential-ghcr/credentials" ] && t_pass "Actions: store is job-scoped" || t_fail "Actions: store is job-scoped"
	t_equal "Actions: nothing written under HOME" "" "$(find "$HOME" -mindepth 1 | head -1)"
	run get ghcr.io
	t_equal "Actions: stored beats ambient" '{"ServerURL":"ghcr.io","Username":"other","Secret":"ghp_job"}' "$OUT"
	echo "$T_PASSED $T_FAILED" > "$work/sub"
)
read -r p f < "$work/sub"; T_PASSED=$p; T_FAILED=$f

# --- nothing loaded that the answer does not need.
libs=$(ldd "$H")
case $libs in *libsecret*|*libglib*|*libgio*) t_fail "helper links no libsecret/GLib" "$libs";;
	*) t_pass "helper links no libsecret/GLib";; esac
case $libs in *libcrypto*) t_fail "helper does not link libcrypto" ;; *) t_pass "helper does not link libcrypto";; esac
maps=$(env -u DBUS_SESSION_BUS_ADDRESS GITHUB_TOKEN=x GITHUB_ACTIONS=true RUNNER_TEMP="$work/rt2" \
	LD_DEBUG=files "$H" get <<<ghcr.io 2>&1 >/dev/null | grep -o 'file=[^ ]*' | sort -u | tr '\n' ' ')
case $maps in *libcrypto*|*libsecret*|*glib*) t_fail "Actions get loads no libcrypto/libsecret" "$maps";;
	*) t_pass "Actions get loads no libcrypto/libsecret";; esac

t_summary
