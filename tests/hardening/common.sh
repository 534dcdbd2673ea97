# shellcheck shell=bash disable=SC2034  # variables are used by the suites that source this
# Shared set-up for the hardening suites: sources tests/lib.sh, gives each
# suite a private scratch directory and an environment that cannot reach
# the user's real stores (file backend in the scratch directory, no
# ambient token, no GitHub CLI login), and runs the helper capturing stdout,
# stderr and the exit status.
#
# GHCR_HELPER may be a wrapper (make valgrind runs the helper through one):
# the suites only ever exec "$T_HELPER".

. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

H_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ghcr-hardening.XXXXXX") || exit 1
chmod 700 "$H_DIR"
trap 'rm -rf "$H_DIR"' EXIT

# A token-shaped canary: if it shows up anywhere it must not, a test says so.
H_CANARY=ghp_CANARYhardening0123456789abcdefXYZ

h_clean_env() {
	t_scrub_env "${T_KEYRING_BUS[@]}" HOME="$H_DIR/home" XDG_CONFIG_HOME="$H_DIR/home/.config" \
		XDG_DATA_HOME="$H_DIR/home/.local/share" XDG_RUNTIME_DIR="$H_DIR/run" \
		GH_CONFIG_DIR="$H_DIR/gh" DOCKER_CREDENTIAL_GHCR_BACKEND=file \
		DOCKER_CREDENTIAL_GHCR_STORE="$H_DIR/store/credentials" \
		DOCKER_CREDENTIAL_GHCR_KEY_FILE="$H_DIR/store/key"
	mkdir -p "$HOME" "$XDG_RUNTIME_DIR" "$GH_CONFIG_DIR"
	chmod 700 "$XDG_RUNTIME_DIR"
}
h_clean_env

# h_run OP [INPUT-FILE]: runs the helper; sets H_RC, and H_OUT / H_ERR are
# the files holding stdout and stderr.  No input file: empty stdin.
H_OUT=$H_DIR/out
H_ERR=$H_DIR/err
h_run() {
	local op=$1 input=${2:-/dev/null}
	"$T_HELPER" "$op" <"$input" >"$H_OUT" 2>"$H_ERR"
	H_RC=$?
}

# h_run_str OP TEXT: the same with TEXT (printf %b escapes) on stdin.
h_run_str() {
	printf '%b' "$2" >"$H_DIR/in"
	h_run "$1" "$H_DIR/in"
}

# h_slurp FILE: the file's text (up to a NUL byte) in H_TEXT, without a
# fork: forks are the slow part of a suite that runs the helper hundreds
# of times on a busy machine.
h_slurp() {
	H_TEXT=
	IFS= read -r -d '' H_TEXT <"$1"
	return 0
}

# h_one_line FILE: exactly one non-empty line, ending in a newline.
h_one_line() {
	h_slurp "$1"
	[ -n "$H_TEXT" ] && [ "${H_TEXT%$'\n'}" != "$H_TEXT" ] &&
		[ -n "${H_TEXT%$'\n'}" ] && [[ "${H_TEXT%$'\n'}" != *$'\n'* ]]
}

# h_first_line FILE: the first line in H_LINE.
h_first_line() {
	H_LINE=
	IFS= read -r H_LINE <"$1"
	return 0
}

# h_crashed: the last run died of a signal or a sanitizer found something.
h_crashed() {
	[ "$H_RC" -ge 128 ] && return 0
	h_slurp "$H_ERR"
	[[ "$H_TEXT" =~ AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime\ error:|ERROR\ SUMMARY:\ [1-9] ]]
}

# h_contains FILE TEXT: FILE contains TEXT (as bytes, up to a NUL).
h_contains() {
	h_slurp "$1"
	[[ "$H_TEXT" == *"$2"* ]]
}

# h_describe: what the last run did, for a failure message.
h_describe() {
	local out err
	h_slurp "$H_OUT"; out=${H_TEXT:0:200}
	h_slurp "$H_ERR"; err=${H_TEXT:0:300}
	printf 'exit %s, stdout [%s], stderr [%s]' "$H_RC" "${out//$'\n'/|}" "${err//$'\n'/|}"
}

# h_now: milliseconds since the epoch in H_NOW, without a fork.
h_now() {
	local t=${EPOCHREALTIME/./}
	H_NOW=$(( t / 1000 ))
}

# h_store SERVER USER SECRET: stores through the CLI; returns its status.
h_store() {
	printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}' "$1" "$2" "$3" |
		"$T_HELPER" store >"$H_OUT" 2>"$H_ERR"
	H_RC=${PIPESTATUS[1]}
	return "$H_RC"
}

# h_sum FILE...: one checksum line for the files (missing ones included).
h_sum() {
	local f
	for f in "$@"; do
		if [ -e "$f" ]; then sha256sum <"$f"; else echo "absent"; fi
	done | sha256sum | cut -c1-16
}

# h_list_pairs FILE: a `list` answer {"k":"v",...} as "k=v" lines in
# H_PAIRS, sorted by the helper's own order; builtins only (the names the
# suites use hold no quote, comma or backslash).
h_list_pairs() {
	local body item
	h_slurp "$1"
	body=${H_TEXT%$'\n'}
	body=${body#\{}; body=${body%\}}
	H_PAIRS=
	local IFS=,
	for item in $body; do
		item=${item//\"/}
		H_PAIRS+="${item/:/=}"$'\n'
	done
}

# h_sleep SECONDS: sleep without a fork (a read that times out).
exec {H_SLEEP_FD}<> <(:)
h_sleep() {
	read -r -t "$1" -u "$H_SLEEP_FD" _ || true
}
