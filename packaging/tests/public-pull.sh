#!/usr/bin/env bash
# check-actions' later job: on the stand-in runner DIR whose earlier jobs used
# the action, a job that does not use it pulls a public image anonymously
# from ghcr.io: skopeo and the docker CLI's own registry client (no daemon)
# against Debian's docker-registry with no auth, over TLS with a test CA,
# answering as ghcr.io in private network and mount namespaces (as
# tests/e2e/run.sh builds its rig).  A control shows the check can fail: with
# the credHelpers entry the old action left in ~/.docker/config.json and its
# helper gone, the same pull fails.  Prints tests/lib.sh lines.
#
# usage: public-pull.sh RUNNER_DIR
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib.sh
. "$HERE/../../tests/lib.sh"
t_scrub_env
R=$1

if [ -z "${PULL_IN_NAMESPACE:-}" ]; then
	userns=
	[ "$(id -u)" -eq 0 ] || userns=-r
	if ! unshare $userns -n -m -p -f --mount-proc true 2>/dev/null; then
		t_skip "anonymous pull" "cannot create private namespaces"
		t_summary
		exit
	fi
	exec unshare $userns -n -m -p -f --kill-child=TERM --mount-proc \
		env PULL_IN_NAMESPACE=1 bash "${BASH_SOURCE[0]}" "$@"
fi

T=$(mktemp -d /tmp/ghcr-pull.XXXXXX)
REG=
trap '[ -n "$REG" ] && kill "$REG" 2>/dev/null; umount /etc/hosts /var/lib 2>/dev/null; rm -rf "$T"' EXIT
ip link set lo up
{
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$T/ca.key" -out "$T/ca.crt" -days 2 -subj '/CN=check-actions test CA' \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$T/server.key" -out "$T/server.csr" -subj '/CN=ghcr.io' &&
	printf 'subjectAltName=DNS:ghcr.io\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' >"$T/server.ext" &&
	openssl x509 -req -in "$T/server.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" -CAcreateserial \
		-days 2 -extfile "$T/server.ext" -out "$T/server.crt"
} >"$T/openssl.log" 2>&1 || { t_fail "rig: certificates" "$(tail -2 "$T/openssl.log")"; t_summary; exit; }
printf '127.0.0.1 localhost ghcr.io\n' >"$T/hosts"
mount --bind "$T/hosts" /etc/hosts
# skopeo as root would keep a blob cache under /var/lib/containers.
mount --bind /var/lib /var/lib && mount -o remount,bind,ro /var/lib
cat >"$T/registry.yml" <<EOC
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $T/data
http:
  addr: 127.0.0.1:443
  secret: not-a-secret
  tls:
    certificate: $T/server.crt
    key: $T/server.key
EOC
docker-registry serve "$T/registry.yml" >"$T/registry.log" 2>&1 &
REG=$!
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/443) 2>/dev/null && break; sleep 0.05; done

# The public image, pushed by someone else (no credentials anywhere).
digest=$(bash "$HERE/../../tests/e2e/mkimage.sh" "$T/image" "public-$$") || { t_fail "rig: image"; t_summary; exit; }
echo '{}' >"$T/empty-auth.json"
if ! HOME=$T REGISTRY_AUTH_FILE=$T/empty-auth.json SSL_CERT_FILE=$T/ca.crt \
	skopeo copy -q "oci:$T/image:latest" docker://ghcr.io/public/hello:v1 >"$T/push.log" 2>&1; then
	t_fail "rig: push the public image" "$(tail -2 "$T/push.log")"
	t_summary
	exit
fi

# The later job: the runner's environment and HOME as the earlier jobs left it.
step() { python3 "$HERE/fake_runner.py" step "$R" -- env SSL_CERT_FILE="$T/ca.crt" "$@"; }
got=$(step skopeo inspect --format '{{.Digest}}' docker://ghcr.io/public/hello:v1 2>"$T/inspect.err")
t_equal "skopeo pulls a public ghcr.io image anonymously" "$digest" "$got"
if t_need docker; then
	if step docker manifest inspect ghcr.io/public/hello:v1 >"$T/docker.out" 2>&1; then
		t_pass "the docker CLI reads a public ghcr.io manifest anonymously"
	else t_fail "the docker CLI reads a public ghcr.io manifest anonymously" "$(tail -2 "$T/docker.out")"; fi
fi

# Control: what the old action left behind breaks exactly this pull.
mkdir -p "$T/oldhome/.docker"
echo '{"credHelpers":{"ghcr.io":"ghcr"}}' >"$T/oldhome/.docker/config.json"
if env -i PATH=/usr/bin:/bin HOME="$T/oldhome" SSL_CERT_FILE="$T/ca.crt" \
	skopeo inspect docker://ghcr.io/public/hello:v1 >"$T/control.log" 2>&1; then
	t_fail "control: a credHelpers entry whose helper is gone breaks the same pull" "it worked"
else
	t_check "control: a credHelpers entry whose helper is gone breaks the same pull" \
		grep -qi 'credentials' "$T/control.log"
fi
t_summary
