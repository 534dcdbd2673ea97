#!/usr/bin/env bash
# check-actions' later job: on the stand-in runner DIR whose earlier jobs used
# the action, a job that does not use it pulls a public image anonymously
# from ghcr.io: skopeo and the docker CLI's own registry client (no daemon)
# against Debian's docker-registry with no auth, over TLS with a test CA,
# answering as ghcr.io in private network and mount namespaces (the rig of
# tests/rig.sh, as tests/e2e/run.sh builds it).  A control shows the check can fail: with
# the credHelpers entry the old action left in ~/.docker/config.json and its
# helper gone, the same pull fails.  Prints tests/lib.sh lines.
#
# usage: public-pull.sh RUNNER_DIR
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib.sh
. "$HERE/../../tests/lib.sh"
# shellcheck source=tests/rig.sh
. "$HERE/../../tests/rig.sh"
t_scrub_env
R=$1

# No namespaces here: this job is a skip (in CI too), never a failure.
rig_enter_namespace PULL_IN_NAMESPACE "$@" ||
	{ t_skip "anonymous pull" "cannot create private namespaces"; t_summary; exit; }

T=$(rig_tmpdir ghcr-pull) || rig_abort "rig: temp dir" "cannot create a directory in /tmp"
REG=
trap '[ -n "$REG" ] && kill "$REG" 2>/dev/null; umount /etc/hosts /var/lib 2>/dev/null; rm -rf "$T"' EXIT
ip link set lo up
rig_ca "$T" ghcr.io || rig_abort "rig: certificates" "$(tail -2 "$T/openssl.log")"
rig_hosts "$T" '127.0.0.1 localhost ghcr.io'
rig_ro_var_lib
# No auth block: anyone may pull (and push) anonymously.
rig_registry_config "$T/registry.yml" "$T/data" not-a-secret ''
docker-registry serve "$T/registry.yml" >"$T/registry.log" 2>&1 &
REG=$!
rig_wait_port 443

# The public image, pushed by someone else (no credentials anywhere).
digest=$(bash "$HERE/../../tests/e2e/mkimage.sh" "$T/image" "public-$$") || rig_abort "rig: image" ""
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
