#!/bin/bash
# Files the helper reads, made hostile: the settings file, gh's hosts.yml,
# Docker's config.json and the passphrase file.
#  - a settings comment longer than a line may be, ending in a setting
#    (`hosts = evil.example`, `store = ...`): the whole file is refused with
#    one line naming it and the line; nothing hidden in it takes effect, so
#    `get evil.example` never answers with GITHUB_TOKEN;
#  - a FIFO or a character device at any of these paths: every command
#    that reads it answers at once with one line, never waits (each run is
#    under `timeout 10`: exit 124 is a hang);
#  - a passphrase file of two lines is refused naming line 2.
set -u
. "$(dirname "$0")/common.sh"

CFG=$H_DIR/settings
GH=$GH_CONFIG_DIR/hosts.yml
export DOCKER_CONFIG=$H_DIR/docker
mkdir -p "$DOCKER_CONFIG"
# The settings the workflow names itself (the attack of issue 20: a file
# kept in the repository).
export DOCKER_CREDENTIAL_GHCR_CONFIG=$CFG
NOT_FOUND="credentials not found in native keychain"

if ! h_store ghcr.io octocat "$H_CANARY"; then
	t_fail "set-up: store a credential" "$(h_describe)"
	t_summary; exit 1
fi
store_env=$DOCKER_CREDENTIAL_GHCR_STORE
store_sum=$(h_sum "$store_env")

# f_run OP [ARG...]: the helper under `timeout 10`, server ghcr.io (or
# $F_SERVER) on stdin, or a store request for `store`; H_RC, H_OUT, H_ERR
# as h_run.
f_run() {
	if [ "$1" = store ]; then
		printf '{"ServerURL":"ghcr.io","Username":"u","Secret":"%s"}' \
			"$H_CANARY" >"$H_DIR/in"
	else
		printf '%s' "${F_SERVER:-ghcr.io}" >"$H_DIR/in"
	fi
	timeout 10 "$T_HELPER" "$@" <"$H_DIR/in" >"$H_OUT" 2>"$H_ERR"
	H_RC=$?
}

# A protocol command: exit 1, one stdout line matching RE, no secret.
protocol_refused() { # WHAT RE OP...
	local what=$1 re=$2; shift 2
	f_run "$@"
	h_first_line "$H_OUT"
	if [ "$H_RC" -eq 124 ]; then
		t_fail "$what: no hang" "still running after 10 s"
	elif h_crashed || [ "$H_RC" -ne 1 ] || ! h_one_line "$H_OUT"; then
		t_fail "$what: one line, exit 1" "$(h_describe)"
	elif h_contains "$H_OUT" "$H_CANARY" || h_contains "$H_ERR" "$H_CANARY"; then
		t_fail "$what: no secret" "$(h_describe)"
	elif ! [ "$(h_sum "$store_env")" = "$store_sum" ]; then
		t_fail "$what: store unchanged" "the store changed"
	elif ! [[ "$H_LINE" =~ $re ]]; then
		t_fail "$what: says /$re/" "$(h_describe)"
	else
		t_pass "$what: $H_LINE"
	fi
}

# A command for people: exit 1, one stderr line matching RE, no stdout.
command_refused() { # WHAT RE OP...
	local what=$1 re=$2; shift 2
	f_run "$@"
	h_first_line "$H_ERR"
	if [ "$H_RC" -eq 124 ]; then
		t_fail "$what: no hang" "still running after 10 s"
	elif h_crashed || [ "$H_RC" -ne 1 ] || ! h_one_line "$H_ERR" || [ -s "$H_OUT" ]; then
		t_fail "$what: one line on stderr, exit 1" "$(h_describe)"
	elif ! [[ "$H_LINE" =~ $re ]]; then
		t_fail "$what: says /$re/" "$(h_describe)"
	else
		t_pass "$what: $H_LINE"
	fi
}

# --- a setting hidden in the tail of an overlong comment ----------------------
# 4159 bytes of comment: where 0c054a2's fgets() cut the line, so the
# setting became a line of its own there.
comment=$(printf '#%04158d' 0)
printf '%shosts = evil.example\n' "$comment" >"$CFG"
F_SERVER=evil.example
GITHUB_TOKEN=$H_CANARY GITHUB_ACTOR=octocat \
	protocol_refused "hidden 'hosts = evil.example': get evil.example gives no token" \
	"^$CFG:1: line longer than" get
F_SERVER=ghcr.io
# The same with a store of the attacker's choosing: the helper must not
# read it (nor create anything there).
EVIL=$H_DIR/evil
printf '%sstore = %s/credentials\n' "$comment" "$EVIL" >"$CFG"
unset DOCKER_CREDENTIAL_GHCR_STORE
protocol_refused "hidden 'store = ...': get refused" "^$CFG:1: line longer than" get
protocol_refused "hidden 'store = ...': store refused" "^$CFG:1: line longer than" store
export DOCKER_CREDENTIAL_GHCR_STORE=$store_env
if [ -e "$EVIL" ]; then
	t_fail "hidden 'store = ...': nothing created there" "$(ls -la "$EVIL")"
else
	t_pass "hidden 'store = ...': nothing created there"
fi
command_refused "hidden setting: status refused" "$CFG:1: line longer than" status
# A line of exactly the limit (PATH_MAX + 64 bytes) is still one line.
printf '#%04159d\ngh-cli = off\n' 0 >"$CFG"
f_run get
if [ "$H_RC" -eq 0 ] && h_contains "$H_OUT" "$H_CANARY"; then
	t_pass "a comment of exactly the limit is one line; get still answers"
else
	t_fail "a comment of exactly the limit is one line" "$(h_describe)"
fi
rm -f "$CFG"

# --- a FIFO or a device where a file is read ---------------------------------
mkfifo "$CFG"
protocol_refused "settings FIFO: get" "settings file .* is a FIFO" get
protocol_refused "settings FIFO: store" "settings file .* is a FIFO" store
protocol_refused "settings FIFO: list" "settings file .* is a FIFO" list
command_refused "settings FIFO: status" "settings file .* is a FIFO" status
command_refused "settings FIFO: configure" "settings file .* is a FIFO" configure
rm -f "$CFG"
ln -s /dev/zero "$CFG"
protocol_refused "settings -> /dev/zero: get" "is a character device" get
command_refused "settings -> /dev/zero: status" "is a character device" status
rm -f "$CFG"

# gh's file: gh's login is passed over with one stderr line, and the
# answer is what it would be without gh.
for dev in fifo /dev/zero; do
	rm -f "$GH"
	if [ "$dev" = fifo ]; then mkfifo "$GH"; else ln -s "$dev" "$GH"; fi
	F_SERVER=docker.pkg.github.com
	f_run get
	h_first_line "$H_OUT"
	if [ "$H_RC" -eq 124 ]; then
		t_fail "hosts.yml $dev: get does not hang" "still running after 10 s"
	elif [ "$H_RC" -eq 1 ] && [ "$H_LINE" = "$NOT_FOUND" ] && h_one_line "$H_OUT" &&
		h_one_line "$H_ERR" && h_contains "$H_ERR" "hosts.yml is a"; then
		t_pass "hosts.yml $dev: get passes gh over with one line"
	else
		t_fail "hosts.yml $dev: get passes gh over with one line" "$(h_describe)"
	fi
	F_SERVER=ghcr.io
	f_run list
	if [ "$H_RC" -eq 0 ] && h_contains "$H_OUT" '"ghcr.io":"octocat"'; then
		t_pass "hosts.yml $dev: list answers"
	else
		t_fail "hosts.yml $dev: list answers" "$(h_describe)"
	fi
	f_run status
	if [ "$H_RC" -ne 124 ] && h_contains "$H_OUT" "ghcr.io"; then
		t_pass "hosts.yml $dev: status answers (exit $H_RC)"
	else
		t_fail "hosts.yml $dev: status answers" "$(h_describe)"
	fi
done
rm -f "$GH"

# Docker's config.json: configure refuses it, status says so.
DC=$DOCKER_CONFIG/config.json
for dev in fifo /dev/zero; do
	rm -f "$DC"
	if [ "$dev" = fifo ]; then mkfifo "$DC"; else ln -s "$dev" "$DC"; fi
	command_refused "config.json $dev: configure" "config.json.* is a" configure
	f_run status
	h_slurp "$H_OUT"
	if [ "$H_RC" -ne 124 ] && [[ "$H_TEXT" =~ config.json.*\ is\ a ]]; then
		t_pass "config.json $dev: status names the problem (exit $H_RC)"
	else
		t_fail "config.json $dev: status names the problem" "$(h_describe)"
	fi
	if [ -e "$DC" ] && ! [ -f "$DC" ]; then
		t_pass "config.json $dev: left as it was"
	else
		t_fail "config.json $dev: left as it was" "$(ls -la "$DOCKER_CONFIG")"
	fi
done
rm -f "$DC"

# --- the passphrase file -------------------------------------------------------
export DOCKER_CREDENTIAL_GHCR_STORE=$H_DIR/pstore/credentials
export DOCKER_CREDENTIAL_GHCR_PASSPHRASE_FILE=$H_DIR/passphrase
mkfifo -m 600 "$DOCKER_CREDENTIAL_GHCR_PASSPHRASE_FILE"
protocol_refused "passphrase FIFO: store" "passphrase file .* is a FIFO" store
rm -f "$DOCKER_CREDENTIAL_GHCR_PASSPHRASE_FILE"
printf 'correct horse\nbattery staple\n' >"$DOCKER_CREDENTIAL_GHCR_PASSPHRASE_FILE"
chmod 600 "$DOCKER_CREDENTIAL_GHCR_PASSPHRASE_FILE"
protocol_refused "passphrase of two lines: store" \
	"passphrase file .*passphrase:2: a second line" store
export DOCKER_CREDENTIAL_GHCR_STORE=$store_env
unset DOCKER_CREDENTIAL_GHCR_PASSPHRASE_FILE

t_summary
