# Shared shell test helpers: every shell suite sources this file and ends with
# `t_summary`, which prints the closing `N passed, N failed[, N skipped]` line
# and sets the exit status.  A missing tool is a skip, never a pass.

T_PASSED=0
T_FAILED=0
T_SKIPPED=0
T_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
T_HELPER=${GHCR_HELPER:-$T_ROOT/docker-credential-ghcr}
# The build tree's Secret Service module, found without installing it (make
# passes the directory of the build under test).
T_MODULE_DIR=${DOCKER_CREDENTIAL_GHCR_MODULE_DIR:-$T_ROOT}
export DOCKER_CREDENTIAL_GHCR_MODULE_DIR=$T_MODULE_DIR

# t_scrub_env [NAME=VALUE...]: nothing of the person or runner running the
# tests reaches the helper or the clients.  Unsets every exported
# DOCKER_CREDENTIAL_GHCR_*, GITHUB_*, GH_*, XDG_*, DBUS_*, DOCKER_*,
# RUNNER_* and CONTAINERS_* variable and REGISTRY_AUTH_FILE, sets
# DOCKER_CREDENTIAL_GHCR_MODULE_DIR back to the module under test, then
# exports each NAME=VALUE given.  What a suite must keep is expanded in
# the call, so it is scrubbed first and set after: a suite that may run
# inside tests/keyring-session.sh keeps the private bus with
#   t_scrub_env "${T_KEYRING_BUS[@]}" ...
t_scrub_env() {
	local v
	for v in $(compgen -e); do
		case $v in
		DOCKER_CREDENTIAL_GHCR_*|GITHUB_*|GH_*|XDG_*|DBUS_*|DOCKER_*|RUNNER_*|\
		CONTAINERS_*|REGISTRY_AUTH_FILE) unset "$v" ;;
		esac
	done
	export DOCKER_CREDENTIAL_GHCR_MODULE_DIR=$T_MODULE_DIR
	for v in "$@"; do export "$v"; done
}

# Inside tests/keyring-session.sh: the private bus, as t_scrub_env sets it
# back (empty elsewhere, where a caller's bus must not reach the suite).
T_KEYRING_BUS=()
if [ -n "${GHCR_KEYRING_MODE:-}" ] && [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
	T_KEYRING_BUS=(DBUS_SESSION_BUS_ADDRESS="$DBUS_SESSION_BUS_ADDRESS")
fi

t_pass() { T_PASSED=$((T_PASSED + 1)); echo "ok   - $1"; }
t_fail() { T_FAILED=$((T_FAILED + 1)); echo "FAIL - $1${2:+: $2}"; }
t_skip() { T_SKIPPED=$((T_SKIPPED + 1)); echo "skip - $1${2:+: $2}"; }

# t_check NAME COMMAND...: passes when COMMAND exits 0.
t_check() {
	local name=$1; shift
	if "$@"; then t_pass "$name"; else t_fail "$name"; fi
}

# t_equal NAME EXPECTED ACTUAL: says what was expected and what came.
t_equal() {
	if [ "$2" = "$3" ]; then t_pass "$1"
	else t_fail "$1" "expected '$2', got '$3'"; fi
}

# t_need TOOL...: true when every tool is on PATH (else the caller skips).
t_need() {
	local tool
	for tool in "$@"; do command -v "$tool" >/dev/null 2>&1 || return 1; done
}

t_summary() {
	if [ "$T_SKIPPED" -gt 0 ]; then
		echo "$T_PASSED passed, $T_FAILED failed, $T_SKIPPED skipped"
	else
		echo "$T_PASSED passed, $T_FAILED failed"
	fi
	[ "$T_FAILED" -eq 0 ]
}
