#!/bin/bash
# The GitHub CLI source with gh's login in the system keyring, against the
# real gnome-keyring of tests/keyring-session.sh.  gh's items are written
# by gh_keyring_item.py (raw D-Bus, exactly as gh's go-keyring writes
# them) or by secret-tool, never by the helper.  Run it through the harness:
#   tests/keyring-session.sh bash tests/secretservice/ghcli_keyring.sh
#   tests/keyring-session.sh --bare bash tests/secretservice/ghcli_keyring.sh
# In --bare mode (a bus without a Secret Service) only the "no Secret
# Service" cases run.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
H=$T_HELPER
PY=/usr/bin/python3
ITEM=$HERE/gh_keyring_item.py
CATALOGUE=$T_ROOT/tests/hardening/lookalike.hosts

if [ -z "${GHCR_KEYRING_MODE:-}" ]; then
	t_fail "environment" "run through tests/keyring-session.sh"
	t_summary; exit
fi
if ! t_need secret-tool gdbus strace "$PY" || ! "$PY" -c 'import gi' 2>/dev/null; then
	if [ "${CI:-}" = true ]; then
		t_fail "tools" "secret-tool, gdbus, strace and python3-gi are needed (CI=true)"
	else
		t_skip "ghcli keyring" "secret-tool, gdbus, strace or python3-gi missing"
	fi
	t_summary; exit
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/ghcr-ghkeyring.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT
t_scrub_env "${T_KEYRING_BUS[@]}"
export GH_CONFIG_DIR=$W/gh
export DOCKER_CREDENTIAL_GHCR_BACKEND=file
export DOCKER_CREDENTIAL_GHCR_STORE=$W/store/credentials
export DOCKER_CREDENTIAL_GHCR_KEY_FILE=$W/store/key
mkdir -p "$GH_CONFIG_DIR"

# Token-shaped test values, never real ones.
TOK_OCTO=gho_KEYRINGoctocat0123456789abcdefAAAA
TOK_HUBOT=gho_KEYRINGhubot0123456789abcdefBBBBBB
TOK_FILE=gho_FILEtoken0123456789abcdefCCCCCCCC
TOK_ENT=ghp_KEYRINGenterprise0123456789abDDDD
TOK_ACME=gho_KEYRINGacme0123456789abcdefEEEEEE
TOK_OLD=gho_KEYRINGactive0123456789abcdefFFFFF
ALL_TOKENS=("$TOK_OCTO" "$TOK_HUBOT" "$TOK_FILE" "$TOK_ENT" "$TOK_ACME" "$TOK_OLD")

gh_item() { printf '%s' "$3" | "$PY" "$ITEM" set "$1" "$2"; } # HOST LOGIN TOKEN
hosts() { printf '%s' "$1" >"$GH_CONFIG_DIR/hosts.yml"; }

# get SERVER: $out, $err, $rc
get() {
	out=$(printf '%s' "$1" | "$H" get 2>"$W/err")
	rc=$?
	err=$(cat "$W/err")
}
answer() { printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}' "$1" "$2" "$3"; }
leaks() { # TEXT -> 0 when any test token is in it
	local t
	for t in "${ALL_TOKENS[@]}"; do [[ "$1" == *"$t"* ]] && return 0; done
	return 1
}
# loads_module CMD...: 0 when running CMD dlopen()s the module or libsecret.
loads_module() {
	LD_DEBUG=files "$@" 2>&1 >/dev/null </dev/null | grep -q 'secretservice\.so\|libsecret'
}
# bus_connects [OP]: 0 when `get ghcr.io` (or OP) connects to a unix
# socket other than nscd's: the session bus.
bus_connects() {
	printf ghcr.io | strace -f -e trace=connect -o "$W/strace" "$H" "${1:-get}" >/dev/null 2>&1
	grep 'sun_path=' "$W/strace" | grep -qv 'nscd'
}

keyring_2_40='github.com:
    users:
        octocat:
    git_protocol: https
    user: octocat
'

if [ "$GHCR_KEYRING_MODE" = bare ]; then
	hosts "$keyring_2_40"
	get ghcr.io
	t_equal "no Secret Service: get is not found (exit 1)" 1 "$rc"
	nl=$(printf '%s\n' "$err" | grep -c .)
	if [ "$nl" -eq 1 ] && [[ "$err" == *"GitHub CLI login skipped"*"Secret Service"* ]]; then
		t_pass "no Secret Service: one stderr line says why"
	else
		t_fail "no Secret Service: one stderr line says why" "got: $err"
	fi
	t_summary; exit
fi

# --- gh's items as gh writes them ------------------------------------------
# The writer sends exactly service and username; gnome-keyring itself may
# add xdg:schema=org.freedesktop.Secret.Generic to an item stored without
# a schema (it does for gh's real items too), so that one is tolerated.
gh_item github.com octocat "$TOK_OCTO"
t_equal "gh's item: service and username, no schema of ours" \
	'[{"service": "gh:github.com", "username": "octocat"}]' \
	"$("$PY" "$ITEM" attributes github.com octocat |
		sed 's/, "xdg:schema": "org.freedesktop.Secret.Generic"//')"

# --- keyring-only login, gh 2.40 layout --------------------------------------
hosts "$keyring_2_40"
get ghcr.io
t_equal "keyring-only login (2.40 layout): get ghcr.io" "$(answer ghcr.io octocat "$TOK_OCTO")" "$out"
t_equal "keyring-only login: nothing on stderr" "" "$err"
get docker.pkg.github.com
t_equal "keyring-only login: get docker.pkg.github.com" \
	"$(answer docker.pkg.github.com octocat "$TOK_OCTO")" "$out"
out=$(printf ghcr.io | DOCKER_CREDENTIAL_GHCR_BACKEND=secretservice "$H" get 2>&1)
t_equal "keyring-only login with backend=secretservice too" "$(answer ghcr.io octocat "$TOK_OCTO")" "$out"

# --- secret-tool's item reads the same ----------------------------------------
"$PY" "$ITEM" delete github.com octocat
printf '%s' "$TOK_OCTO" | secret-tool store --label="Password for 'octocat' on 'gh:github.com'" \
	service gh:github.com username octocat
get ghcr.io
t_equal "an item written by secret-tool answers" "$(answer ghcr.io octocat "$TOK_OCTO")" "$out"
"$PY" "$ITEM" delete github.com octocat
gh_item github.com octocat "$TOK_OCTO"

# --- hosts.yml layouts with the token in the file: no keyring at all --------
hosts "github.com:
    oauth_token: $TOK_FILE
    git_protocol: https
    user: octocat
"
get ghcr.io
t_equal "old layout (oauth_token under the host) answers from the file" \
	"$(answer ghcr.io octocat "$TOK_FILE")" "$out"
if ! loads_module sh -c "printf ghcr.io | '$H' get"; then t_pass "old layout: the module is not loaded"
else t_fail "old layout: the module is not loaded" "LD_DEBUG=files shows it"; fi
hosts "github.com:
    users:
        octocat:
            oauth_token: $TOK_FILE
    git_protocol: https
    user: octocat
"
get ghcr.io
t_equal "2.40 layout with users.LOGIN.oauth_token answers from the file" \
	"$(answer ghcr.io octocat "$TOK_FILE")" "$out"
if ! bus_connects; then t_pass "token in hosts.yml: no D-Bus connection"
else t_fail "token in hosts.yml: no D-Bus connection" "$(grep sun_path "$W/strace" | head -2)"; fi

# --- gh 2.26-2.39: one item, username "" ------------------------------------
"$PY" "$ITEM" delete github.com octocat
gh_item github.com "" "$TOK_OLD"
hosts 'github.com:
    git_protocol: https
    user: octocat
'
get ghcr.io
t_equal "gh before 2.40 (only the item with username \"\") answers" \
	"$(answer ghcr.io octocat "$TOK_OLD")" "$out"

# --- two accounts: the active one answers ------------------------------------
gh_item github.com octocat "$TOK_OCTO"
gh_item github.com hubot "$TOK_HUBOT"
gh_item github.com "" "$TOK_OCTO"
hosts "$keyring_2_40"
get ghcr.io
t_equal "two accounts: user: octocat answers with octocat's token" \
	"$(answer ghcr.io octocat "$TOK_OCTO")" "$out"
hosts 'github.com:
    users:
        octocat:
        hubot:
    git_protocol: https
    user: hubot
'
get ghcr.io
t_equal "two accounts: changing user: to hubot changes the answer" \
	"$(answer ghcr.io hubot "$TOK_HUBOT")" "$out"

# --- enterprise server and GHE.com --------------------------------------------
gh_item github.example.com ent "$TOK_ENT"
gh_item acme.ghe.com acme "$TOK_ACME"
ent_hosts='github.com:
    users:
        octocat:
    user: octocat
github.example.com:
    users:
        ent:
    user: ent
acme.ghe.com:
    users:
        acme:
    user: acme
'
hosts "$ent_hosts"
get containers.github.example.com
t_equal "enterprise server: containers.HOST" "$(answer containers.github.example.com ent "$TOK_ENT")" "$out"
get docker.github.example.com
t_equal "enterprise server: docker.HOST" "$(answer docker.github.example.com ent "$TOK_ENT")" "$out"
get containers.acme.ghe.com
t_equal "GHE.com: containers.SUB.ghe.com" "$(answer containers.acme.ghe.com acme "$TOK_ACME")" "$out"
get docker.acme.ghe.com
t_equal "GHE.com has no docker. registry: not found" 1 "$rc"
out=$(printf containers.github.example.com | GITHUB_SERVER_URL=https://github.example.com "$H" get 2>&1)
t_equal "enterprise server configured as the job's server: same answer" \
	"$(answer containers.github.example.com ent "$TOK_ENT")" "$out"

# --- list: hosts.yml's word, no secret, round-trips ---------------------------
list=$("$H" list 2>&1)
t_equal "list names every GitHub server's registries with the account" \
	'{"containers.acme.ghe.com":"acme","containers.github.example.com":"ent","docker.github.example.com":"ent","docker.pkg.github.com":"octocat","ghcr.io":"octocat"}' \
	"$list"
if ! leaks "$list"; then t_pass "list prints no token"; else t_fail "list prints no token" "$list"; fi
if ! bus_connects list && ! loads_module "$H" list; then t_pass "list: no D-Bus connection, no module"
else t_fail "list: no D-Bus connection, no module" "$(grep sun_path "$W/strace" | head -2)"; fi
rt=ok
for server in $(printf '%s' "$list" | "$PY" -c 'import json,sys; print(" ".join(json.load(sys.stdin)))'); do
	user=$(printf '%s' "$list" | "$PY" -c "import json,sys; print(json.load(sys.stdin)['$server'])")
	get "$server"
	got=$(printf '%s' "$out" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["Username"])' 2>/dev/null)
	[ "$rc" -eq 0 ] && [ "$got" = "$user" ] || rt="$server: list said $user, get said '$got' (exit $rc)"
done
t_equal "list -> get round-trips for every listed server" ok "$rt"

# --- precedence: stored, then ambient, then gh --------------------------------
hosts "$keyring_2_40"
out=$(printf ghcr.io | GITHUB_TOKEN=ghs_AMBIENTtoken0123456789abcdef "$H" get)
t_equal "an ambient token answers before gh's keyring" \
	"$(answer ghcr.io x-access-token ghs_AMBIENTtoken0123456789abcdef)" "$out"
if ! loads_module env GITHUB_TOKEN=ghs_x GITHUB_ACTIONS=true RUNNER_TEMP="$W/runner" sh -c "printf ghcr.io | '$H' get"; then
	t_pass "Actions job: the module is not loaded"
else t_fail "Actions job: the module is not loaded"; fi
printf '{"ServerURL":"ghcr.io","Username":"stored","Secret":"ghp_STOREDtoken0123456789abcdef0"}' | "$H" store
get ghcr.io
t_equal "a stored login answers before gh's keyring" \
	"$(answer ghcr.io stored ghp_STOREDtoken0123456789abcdef0)" "$out"

# --- logout says gh still answers ---------------------------------------------
out=$("$H" logout ghcr.io 2>&1)
if [[ "$out" == *"GitHub CLI"*"still answers for ghcr.io"*"gh auth logout -h github.com"*"DOCKER_CREDENTIAL_GHCR_GH_CLI=off"* ]]; then
	t_pass "logout says gh still answers, and how to stop it"
else
	t_fail "logout says gh still answers, and how to stop it" "got: $out"
fi
get ghcr.io
t_equal "after logout gh's keyring login answers" "$(answer ghcr.io octocat "$TOK_OCTO")" "$out"

# --- status -------------------------------------------------------------------
out=$("$H" status 2>&1)
if [[ "$out" == *"ghcr.io                GitHub CLI (keyring) octocat          oauth          gho_…AAAA"* ]]; then
	t_pass "status: source GitHub CLI (keyring), account, kind and mask"
else
	t_fail "status: source GitHub CLI (keyring), account, kind and mask" "got: $(grep ghcr.io <<<"$out")"
fi
if [[ "$out" == *"read:packages"*"write:packages"*"fix: gh auth refresh -h github.com -s write:packages"* ]]; then
	t_pass "status: the scopes ghcr.io needs and the exact gh auth refresh line"
else
	t_fail "status: the scopes ghcr.io needs and the exact gh auth refresh line" "got: $out"
fi
if ! leaks "$out"; then t_pass "status prints no whole token"; else t_fail "status prints no whole token"; fi
hosts "github.com:
    oauth_token: $TOK_FILE
    user: octocat
"
out=$("$H" status --json 2>&1)
t_equal "status --json: gh-cli from hosts.yml" "gh-cli hosts.yml octocat" \
	"$(printf '%s' "$out" | "$PY" -c 'import json,sys; h=json.load(sys.stdin)["hosts"][0]; print(h["source"], h["storage"], h["username"])')"
[[ "$("$H" status)" == *"GitHub CLI (hosts.yml)"* ]] && t_pass "status: GitHub CLI (hosts.yml)" ||
	t_fail "status: GitHub CLI (hosts.yml)"

# --- turned off, no hosts.yml: nothing asked, nothing loaded ------------------
hosts "$keyring_2_40"
out=$(printf ghcr.io | DOCKER_CREDENTIAL_GHCR_GH_CLI=off "$H" get 2>&1)
t_equal "DOCKER_CREDENTIAL_GHCR_GH_CLI=off: not found" "credentials not found in native keychain" "$out"
rm -f "$GH_CONFIG_DIR/hosts.yml"
get ghcr.io
t_equal "no hosts.yml: not found, nothing on stderr" "1:" "$rc:$err"
if ! loads_module sh -c "printf ghcr.io | '$H' get"; then t_pass "no hosts.yml: the module is not loaded (LD_DEBUG=files)"
else t_fail "no hosts.yml: the module is not loaded (LD_DEBUG=files)"; fi
if ! bus_connects; then t_pass "no hosts.yml: no D-Bus connection (strace)"
else t_fail "no hosts.yml: no D-Bus connection (strace)" "$(grep sun_path "$W/strace" | head -2)"; fi
hosts "$keyring_2_40"
if loads_module sh -c "printf ghcr.io | '$H' get"; then t_pass "control: a keyring login does load the module"
else t_fail "control: a keyring login does load the module"; fi

# --- the look-alike catalogue against the keyring source ----------------------
gh_all=$ent_hosts
gh_ent=${ent_hosts#*user: octocat$'\n'}
n=0 bad=
while IFS=$'\t' read -r config expect server; do
	case "$config" in ''|'#'*) continue ;; esac
	n=$((n + 1))
	unset GITHUB_SERVER_URL
	case $config in
	gh) hosts "$gh_all" ;;
	ghes) hosts "$gh_ent"; export GITHUB_SERVER_URL=https://github.example.com ;;
	ghecom) hosts "$gh_ent"; export GITHUB_SERVER_URL=https://acme.ghe.com ;;
	esac
	printf '%b' "$server" >"$W/in"
	"$H" get <"$W/in" >"$W/out" 2>"$W/err"
	rc=$?
	o=$(cat "$W/out") e=$(cat "$W/err")
	if leaks "$e"; then
		bad="$bad; $config '$server': a token on stderr"
	elif [ "$expect" = none ]; then
		if leaks "$o" || [ "$rc" -ne 1 ]; then bad="$bad; $config '$server': exit $rc, $o"; fi
	elif [ "$rc" -ne 0 ] || ! leaks "$o"; then
		bad="$bad; $config '$server': expected gh's keyring token, exit $rc"
	fi
done <"$CATALOGUE"
unset GITHUB_SERVER_URL
if [ -z "$bad" ] && [ "$n" -ge 40 ]; then
	t_pass "look-alike catalogue ($n rows) against gh's keyring login"
else
	t_fail "look-alike catalogue against gh's keyring login" "${bad#; } ($n rows)"
fi

# --- no bus, a stuck daemon, a locked keyring: fast and clear ---------------
hosts "$keyring_2_40"
out=$(printf ghcr.io | env -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR="$W" "$H" get 2>"$W/err")
rc=$?
if [ "$rc" -eq 1 ] && [ "$(grep -c . "$W/err")" -eq 1 ] && grep -q 'no D-Bus session bus' "$W/err"; then
	t_pass "no session bus: not found, one stderr line says why"
else
	t_fail "no session bus: not found, one stderr line says why" "exit $rc: $(cat "$W/err")"
fi
if ! loads_module env -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR="$W" sh -c "printf ghcr.io | '$H' get"; then
	t_pass "no session bus: the module is not loaded"
else t_fail "no session bus: the module is not loaded"; fi

kill -STOP "$GHCR_KEYRING_PID"
out=$(printf ghcr.io | GITHUB_TOKEN=ghs_x DOCKER_CREDENTIAL_GHCR_GH_CLI=on timeout 20 "$H" get 2>/dev/null)
t_equal "stuck daemon: the ambient token still answers at once (keyring not asked)" \
	"$(answer ghcr.io x-access-token ghs_x)" "$out"
out=$(printf ghcr.io | DOCKER_CREDENTIAL_GHCR_SECRETSERVICE_TIMEOUT=200 timeout 20 "$H" get 2>"$W/err")
rc=$?
kill -CONT "$GHCR_KEYRING_PID"
if [ "$rc" -eq 1 ] && [ "$(grep -c . "$W/err")" -eq 1 ] && grep -q 'did not answer' "$W/err"; then
	t_pass "stuck daemon: not found within the deadline, one line says why"
else
	t_fail "stuck daemon: not found within the deadline, one line says why" "exit $rc: $(cat "$W/err")"
fi

gdbus call --session -d org.freedesktop.secrets -o /org/freedesktop/secrets \
	-m org.freedesktop.Secret.Service.Lock "['/org/freedesktop/secrets/collection/login']" >/dev/null
# A display is there, so the store could prompt: gh's item still must not.
out=$(printf ghcr.io | DISPLAY=:99 timeout 20 "$H" get 2>"$W/err")
rc=$?
if [ "$rc" -eq 1 ] && [ "$(grep -c . "$W/err")" -eq 1 ] && grep -q 'locked' "$W/err" &&
	grep -q 'gh' "$W/err"; then
	t_pass "locked keyring: no prompt, not found, one stderr line says why"
else
	t_fail "locked keyring: no prompt, not found, one stderr line says why" "exit $rc: $(cat "$W/err")"
fi
list=$("$H" list 2>&1)
[[ "$list" == *'"ghcr.io":"octocat"'* ]] && t_pass "locked keyring: list still names ghcr.io (no unlock asked)" ||
	t_fail "locked keyring: list still names ghcr.io" "got: $list"
out=$("$H" status 2>&1)
[[ "$out" == *"GitHub CLI login skipped"*"locked"* ]] && t_pass "locked keyring: status says the source was skipped, and why" ||
	t_fail "locked keyring: status says the source was skipped" "got: $out"
t_summary
