#!/bin/bash
# End-to-end suite: the clients people use (docker CLI, skopeo, podman) go
# through ./docker-credential-ghcr against Debian's docker-registry answering
# as ghcr.io and docker.pkg.github.com over TLS.  This script builds the rig
# with tests/rig.sh: it re-executes itself in private network, mount and PID
# namespaces (so only 127.0.0.1 inside them is ever reached and every process
# dies with the namespace), maps the GitHub registry names to loopback with a
# bind-mounted /etc/hosts, makes a test CA and server certificate with
# openssl, starts the registry (htpasswd auth, then token auth for the
# identity-token flow) and runs the flows of flows.sh once on the file
# backend and once on the Secret Service backend inside
# tests/keyring-session.sh.  It prints one `N passed, N failed` line;
# outside CI a missing tool is a skip, in CI (CI=true) a failure.
#
# usage: tests/e2e/run.sh            (root, or unprivileged with user namespaces)

set -u
E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$E2E_DIR/../lib.sh"
. "$E2E_DIR/../rig.sh"

rig_need "e2e rig" docker-registry openssl htpasswd unshare ip python3 jq tar gzip sha256sum timeout
[ -x "$T_HELPER" ] || rig_abort "e2e rig" "helper $T_HELPER not built (run make)"

# Killing this shell kills the registry, token server and keyring too.
rig_enter_namespace E2E_IN_NAMESPACE "$@" ||
	{ missing "e2e rig" "cannot create private namespaces ($RIG_UNSHARE)"; t_summary; exit; }

E2E_START=$(date +%s%N)
ip link set lo up || rig_abort "e2e rig" "cannot bring up loopback"
T=$(rig_tmpdir ghcr-e2e) || rig_abort "e2e rig" "cannot create a directory in /tmp"
REGISTRY_PID=
TOKENSERVER_PID=
FLOWS_PID=
cleanup() {
	local pid
	# The flows run under timeout(1), which leads its own process group:
	# that group holds every client and keyring daemon they started.
	if [ -n "$FLOWS_PID" ]; then
		kill -TERM -- "-$FLOWS_PID" 2>/dev/null
		wait "$FLOWS_PID" 2>/dev/null
	fi
	for pid in $TOKENSERVER_PID $REGISTRY_PID; do
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	umount /var/lib /dev/shm /etc/hosts 2>/dev/null
	if [ -n "${E2E_KEEP:-}" ]; then echo "e2e: kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# registry_config AUTH-YAML: writes $T/registry.yml for the given auth block.
registry_config() {
	rig_registry_config "$T/registry.yml" "$T/registry-data" e2e-not-a-secret "$1"
}

registry_start() {
	docker-registry serve "$T/registry.yml" >> "$T/registry.log" 2>&1 &
	REGISTRY_PID=$!
	rig_wait_port 443
}

registry_stop() {
	[ -n "$REGISTRY_PID" ] || return 0
	kill "$REGISTRY_PID" 2>/dev/null
	wait "$REGISTRY_PID" 2>/dev/null
	REGISTRY_PID=
}

# Certificates: the registry's for both GitHub registry names, and the token
# server's JWT signing certificate.
if ! rig_ca "$T" ghcr.io docker.pkg.github.com || ! rig_signer "$T" 'e2e token signer'; then
	rig_abort "e2e rig: certificates" "openssl failed: $(tail -3 "$T/openssl.log")"
fi

# Only ghcr.io and docker.pkg.github.com (and localhost) resolve, and only to
# this namespace's loopback.
rig_hosts "$T" '127.0.0.1 localhost' '127.0.0.1 ghcr.io docker.pkg.github.com' ||
	rig_abort "e2e rig: /etc/hosts" "cannot map the GitHub registry names to 127.0.0.1"
# podman keeps its lock in /dev/shm: a private one keeps it from the host's.
mount -t tmpfs -o mode=1777,size=64m e2e-shm /dev/shm
rig_ro_var_lib

# The test user's tokens: a classic-PAT-shaped GitHub token, a wrong one,
# and an identity token for the token-auth phase.  Held in files, never argv.
export E2E_T=$T E2E_USER=octocat
export E2E_TOKEN_FILE=$T/token E2E_WRONG_FILE=$T/wrong E2E_IDTOKEN_FILE=$T/idtoken
printf 'ghp_%s' "$(openssl rand -hex 18)" > "$E2E_TOKEN_FILE"
printf 'ghp_%s' "$(openssl rand -hex 18)" > "$E2E_WRONG_FILE"
printf 'idt_%s' "$(openssl rand -hex 32)" > "$E2E_IDTOKEN_FILE"
htpasswd -iBn "$E2E_USER" < "$E2E_TOKEN_FILE" > "$T/htpasswd" 2>"$T/htpasswd.log"

export E2E_IMAGE=$T/image
E2E_IMAGE_DIGEST=$("$E2E_DIR/mkimage.sh" "$E2E_IMAGE" "e2e-$$-$(date +%s%N)") ||
	rig_abort "e2e rig: test image" "mkimage.sh failed"
export E2E_IMAGE_DIGEST

# Clients trust the test CA and nothing else; the helper is found on PATH
# under the name clients derive from "credHelpers": {"ghcr.io": "ghcr"}.
export SSL_CERT_FILE=$T/ca.crt
mkdir -p "$T/bin"
ln -s "$T_HELPER" "$T/bin/docker-credential-ghcr"
export PATH=$T/bin:$PATH
export T_HELPER

# Every temporary file of the clients and of keyring-session.sh lands in $T,
# so the cleanup removes it even when a TERM cut them short.
export TMPDIR=$T/tmp
mkdir -p "$TMPDIR"

# Keep this run's environment out of the flows: no ambient token, no
# Actions, no user configuration leaks in from the caller.
t_scrub_env

KEYRING_SESSION=${E2E_KEYRING_SESSION:-$T_ROOT/tests/keyring-session.sh}
# The whole suite must finish in 3 minutes: each batch of flows gets what is
# left of this budget, so a hang is a failure in time, not a stuck CI run.
E2E_BUDGET_S=${E2E_BUDGET_S:-170}

# run_flows BACKEND FLOW...: runs flows.sh for BACKEND and adds its counts.
run_flows() {
	local backend=$1 counts=$T/counts.$1.$2 p f s rc
	shift
	: > "$counts"
	local left=$((E2E_BUDGET_S - ($(date +%s%N) - E2E_START) / 1000000000))
	if [ "$left" -le 5 ]; then
		t_fail "$backend: $*" "not run: the suite's ${E2E_BUDGET_S} s budget is spent"
		return
	fi
	local session=
	if [ "$backend" = secretservice ]; then
		if ! t_need dbus-run-session gnome-keyring-daemon; then
			missing "secretservice: $*" "gnome-keyring or dbus not installed"
			return
		fi
		if [ ! -x "$KEYRING_SESSION" ]; then
			missing "secretservice: $*" "$KEYRING_SESSION not present"
			return
		fi
		session=$KEYRING_SESSION
	fi
	# In the background, so a TERM or INT reaches our trap at once.
	E2E_COUNTS=$counts timeout "$left" $session bash "$E2E_DIR/flows.sh" "$backend" "$@" &
	FLOWS_PID=$!
	wait "$FLOWS_PID"
	rc=$?
	FLOWS_PID=
	if ! read -r p f s < "$counts"; then
		if [ "$rc" -eq 124 ]; then
			t_fail "$backend: $*" "timed out after $left s (the suite's budget is ${E2E_BUDGET_S} s)"
		else
			t_fail "$backend: $*" "flows.sh ended without counts (exit $rc)"
		fi
		return
	fi
	T_PASSED=$((T_PASSED + p)) T_FAILED=$((T_FAILED + f)) T_SKIPPED=$((T_SKIPPED + s))
}

# The token server for phase 2 starts now: Python's start-up overlaps phase 1.
# Debian's interpreter first: a version manager's shim can take seconds.
PYTHON=python3
[ -x /usr/bin/python3 ] && PYTHON=/usr/bin/python3
export E2E_TOKENSERVER_LOG=$T/tokenserver.log
"$PYTHON" "$E2E_DIR/tokenserver.py" 5001 "$T/server.crt" "$T/server.key" \
	"$T/sign.crt" "$T/sign.key" "$E2E_IDTOKEN_FILE" "$E2E_TOKENSERVER_LOG" \
	e2e-token-issuer 2>> "$T/tokenserver.err" &
TOKENSERVER_PID=$!

# Phase 1: htpasswd, as a registry that takes a token as a password.
registry_config "$(printf '  htpasswd:\n    realm: ghcr-e2e\n    path: %s' "$T/htpasswd")"
if registry_start; then
	# The rig is real TLS: without the test CA a client must refuse it.
	if t_need skopeo; then
		if env -u SSL_CERT_FILE timeout 30 skopeo inspect docker://ghcr.io/octocat/none:v1 \
			> "$T/tls-check.log" 2>&1; then
			t_fail "e2e rig: skopeo refuses ghcr.io without the test CA" "it connected"
		elif grep -qiE 'x509|certificate' "$T/tls-check.log"; then
			t_pass "e2e rig: skopeo refuses ghcr.io without the test CA"
		else
			t_fail "e2e rig: skopeo refuses ghcr.io without the test CA" \
				"expected a certificate error, got: $(tail -c 300 "$T/tls-check.log")"
		fi
	fi
	run_flows file laptop podman actions
	run_flows secretservice laptop podman actions ghkeyring
else
	t_fail "e2e rig: registry (htpasswd)" "did not listen: $(tail -3 "$T/registry.log")"
fi
registry_stop

# Phase 2: token auth with a token server that takes identity tokens only.
registry_config "$(printf '  token:\n    realm: https://ghcr.io:5001/token\n    service: ghcr.io\n    issuer: e2e-token-issuer\n    rootcertbundle: %s' "$T/ca.crt")"
if rig_wait_port 5001 && registry_start; then
	run_flows file idtoken
	run_flows secretservice idtoken
else
	t_fail "e2e rig: registry (token auth)" \
		"did not listen: $(tail -3 "$T/registry.log" "$T/tokenserver.err")"
fi
registry_stop

echo "e2e: $((($(date +%s%N) - E2E_START) / 1000000)) ms"
t_summary
