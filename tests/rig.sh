# shellcheck shell=bash
# The registry rig shared by tests/e2e/run.sh, tests/check/run.sh and
# packaging/tests/public-pull.sh: private namespaces, a temp dir, a test CA,
# a bind-mounted /etc/hosts and a Debian docker-registry configuration.
# Source it after tests/lib.sh; each suite keeps its own servers and flows.

# missing WHAT WHY: a skip outside CI, a failure in CI where .ci/run installs
# every tool.
missing() {
	if [ "${CI:-}" = true ]; then t_fail "$1" "$2 (CI installs it)"
	else t_skip "$1" "$2"; fi
}

# rig_abort WHAT WHY: the rig cannot be built, so the suite ends here with
# its summary line (and a failed exit status).
rig_abort() {
	t_fail "$1" "$2"
	t_summary
	exit
}

# rig_need WHAT TOOL...: a suite that lacks a tool ends at once, as missing
# says (skip outside CI, failure in CI), rather than failing case by case.
rig_need() {
	local what=$1 tool
	shift
	for tool in "$@"; do
		if ! t_need "$tool"; then
			missing "$what" "$tool not installed"
			t_summary
			exit
		fi
	done
}

# rig_enter_namespace MARKER ARGS...: re-executes this script with ARGS in
# private network, mount and PID namespaces, MARKER=1 in its environment, so
# only their loopback is reached, their mounts (the /etc/hosts bind) go away
# with them and every process dies with them.  Returns 0 at once when MARKER
# is set (already inside); returns 1, with the failed command in
# RIG_UNSHARE, when unshare cannot make them (the caller skips or fails).
rig_enter_namespace() {
	local marker=$1 userns=()
	shift
	[ -z "${!marker:-}" ] || return 0
	[ "$(id -u)" -eq 0 ] || userns=(-r)
	# shellcheck disable=SC2034 # for the caller's message
	RIG_UNSHARE="unshare ${userns[*]} -n -m -p"
	unshare "${userns[@]}" -n -m -p -f --mount-proc true 2>/dev/null || return 1
	# unshare leaves TERM and INT to the namespace's first process (the
	# script, whose traps clean up); --kill-child passes it a TERM when
	# unshare itself is killed outright.
	exec unshare "${userns[@]}" -n -m -p -f --kill-child=TERM --mount-proc \
		env "$marker=1" bash "$0" "$@"
}

# rig_tmpdir NAME: prints the path of a new private directory /tmp/NAME.HEX,
# lower case only because podman derives image names from oci: paths.
rig_tmpdir() {
	local d
	d=/tmp/$1.$(openssl rand -hex 6) && mkdir -m 0700 "$d" && printf '%s\n' "$d"
}

# rig_ca DIR HOST...: a test CA (DIR/ca.crt, DIR/ca.key) and a server
# certificate for the HOSTs (DIR/server.crt, DIR/server.key), made at run time
# so that no key is ever checked in and clients trust only this CA (through
# SSL_CERT_FILE); openssl's output goes to DIR/openssl.log.
rig_ca() {
	local dir=$1 san=DNS:$2 host
	shift
	for host in "${@:2}"; do san=$san,DNS:$host; done
	{
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
			-nodes -keyout "$dir/ca.key" -out "$dir/ca.crt" -days 2 \
			-subj '/CN=docker-credential-ghcr test CA' \
			-addext basicConstraints=critical,CA:TRUE \
			-addext keyUsage=critical,keyCertSign,cRLSign &&
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-keyout "$dir/server.key" -out "$dir/server.csr" -subj "/CN=$1" &&
		printf '%s\n' "subjectAltName=$san" 'extendedKeyUsage=serverAuth' \
			'basicConstraints=CA:FALSE' > "$dir/server.ext" &&
		openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" \
			-CAkey "$dir/ca.key" -CAcreateserial -days 2 \
			-extfile "$dir/server.ext" -out "$dir/server.crt"
	} >> "$dir/openssl.log" 2>&1
}

# rig_signer DIR NAME: a certificate from rig_ca's CA (DIR/sign.crt,
# DIR/sign.key) for a token server's JWTs, which docker-registry verifies
# against that CA (rootcertbundle, x5c).
rig_signer() {
	{
		openssl req -newkey rsa:2048 -nodes -keyout "$1/sign.key" \
			-out "$1/sign.csr" -subj "/CN=$2" &&
		openssl x509 -req -in "$1/sign.csr" -CA "$1/ca.crt" \
			-CAkey "$1/ca.key" -CAcreateserial -days 2 -out "$1/sign.crt"
	} >> "$1/openssl.log" 2>&1
}

# rig_hosts DIR LINE...: /etc/hosts becomes DIR/hosts holding the LINEs
# ("ADDRESS NAME..."), bind-mounted in this mount namespace only, so the
# GitHub names reach the rig and nothing else; false unless each name but
# localhost then resolves to its ADDRESS.
rig_hosts() {
	local dir=$1 line addr names name got
	shift
	printf '%s\n' "$@" > "$dir/hosts"
	mount --bind "$dir/hosts" /etc/hosts || return 1
	for line in "$@"; do
		read -r addr names <<< "$line"
		for name in $names; do
			[ "$name" != localhost ] || continue
			read -r got _ < <(getent hosts "$name")
			[ "${got:-}" = "$addr" ] || return 1
		done
	done
}

# rig_ro_var_lib: as root, skopeo and podman would write a blob cache under
# /var/lib/containers: with /var/lib read-only here they keep it in memory.
rig_ro_var_lib() {
	mount --bind /var/lib /var/lib && mount -o remount,bind,ro /var/lib
}

# rig_registry_config FILE DATA_DIR SECRET AUTH_YAML: writes a Debian
# docker-registry configuration to FILE: storage in DATA_DIR (delete enabled,
# as GitHub allows), TLS on 127.0.0.1:443 with the server.crt and server.key
# that rig_ca made beside FILE, and AUTH_YAML (indented by two spaces) as its
# auth block, none when empty (anonymous access).
rig_registry_config() {
	local dir
	dir=$(dirname "$1")
	cat > "$1" <<-EOF
	version: 0.1
	log:
	  level: warn
	  accesslog:
	    disabled: true
	storage:
	  filesystem:
	    rootdirectory: $2
	  delete:
	    enabled: true
	http:
	  addr: 127.0.0.1:443
	  secret: $3
	  tls:
	    certificate: $dir/server.crt
	    key: $dir/server.key
	EOF
	[ -z "$4" ] || printf 'auth:\n%s\n' "$4" >> "$1"
}

# rig_wait_port PORT: true once something accepts on 127.0.0.1:PORT (10 s at
# most), so a server that never came up is a failure, not a hang.
rig_wait_port() {
	local _
	for _ in $(seq 200); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}
