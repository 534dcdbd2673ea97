#!/usr/bin/env bash
# check-actions: the GitHub Actions side.  Every workflow and the composite
# action parse as YAML and have the shape GitHub needs (check_workflow.py);
# the examples publish with no login step; and action.yml runs here the way a
# runner runs it (fake_runner.py: every step, with the runner's files and
# variables, then later steps of the job, then the end of the job emptying
# RUNNER_TEMP) on stand-in runners whose HOME holds a user's own Docker and
# containers configuration.  A self-hosted runner runs four jobs in a row —
# one that builds from source, one that fails, one installing the prebuilt
# static helper that is killed between steps, and a later one pulling a
# public image anonymously from a TLS registry answering as ghcr.io in
# private namespaces — and its HOME and the action's own directory must be
# byte-identical after each.  The prebuilt download is served by a local
# HTTP server on 127.0.0.1 from `make static`'s binaries.
#
# Not exercised here (they need GitHub's servers or a Docker daemon): the
# real runner's expression engine and masking; pushing through dockerd
# (`docker push`, `docker buildx build`, docker/setup-buildx-action's
# builders), which the `action` job of ci.yml does on a hosted runner; the
# download from github.com's release assets.
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib.sh
. tests/lib.sh
t_scrub_env

NAME=docker-credential-ghcr
MAKE=${MAKE:-make}
# shellcheck disable=SC2016 # make expands it
VERSION=${VERSION:-$("$MAKE" -s --no-print-directory --eval='pv: ; @echo $(VERSION)' pv)}
ROOT=$PWD
OUT=$ROOT/build/check-actions
rm -rf "$OUT" && mkdir -p "$OUT"

# --- the YAML files ----------------------------------------------------------------
if python3 -c 'import yaml' 2>/dev/null; then
	check_yaml() {
		local out
		if out=$(python3 packaging/tests/check_workflow.py "$@" 2>&1); then t_pass "${*: -1}: valid"
		else t_fail "${*: -1}: valid" "$out"; fi
	}
	check_yaml --action action.yml
	for f in examples/workflows/*.yml; do check_yaml --example "$f"; done
	for f in .github/workflows/*.yml; do [ -f "$f" ] && check_yaml "$f"; done
	n=$(find examples/workflows -name '*.yml' | wc -l)
	if [ "$n" -ge 3 ]; then t_pass "examples: $n publishing workflows"
	else t_fail "examples: at least 3 publishing workflows (release, main, tags)" "found $n"; fi
	for f in ci release; do t_check ".github/workflows/$f.yml exists" test -f .github/workflows/$f.yml; done
	t_check "ci.yml runs .ci/run, as CI here does" grep -qE '^ +run: bash \.ci/run$' .github/workflows/ci.yml
	t_check "release.yml attaches the .deb and the .rpm" grep -qE 'build/deb/\*\.deb.*|RPMS.*\.rpm' .github/workflows/release.yml
else
	t_skip "workflow YAML" "python3-yaml is not installed"
fi
if t_need shellcheck; then
	t_check "the action's scripts pass shellcheck" shellcheck packaging/action/setup.sh \
		packaging/action/source-digest.sh
	t_check "the suite's scripts pass shellcheck" shellcheck -x -S warning packaging/tests/check-actions.sh \
		packaging/tests/public-pull.sh packaging/tests/check-static.sh
else
	t_skip "the action's scripts pass shellcheck" "shellcheck is not installed"
fi

# --- stand-in runners ------------------------------------------------------------
# new_runner DIR [SERVER_URL]: a runner under DIR: HOME with a user's own
# configuration (another registry's login, a context, a CLI plugin, a buildx
# builder, a podman login), RUNNER_TEMP, a workspace, and the action as the
# runner downloads it (the repository's files, no .git) under _actions.
new_runner() {
	local d=$1 server=${2:-https://github.com} h
	mkdir -p "$d/home" "$d/temp" "$d/work" "$d/run" "$d/containers"
	chmod 0700 "$d/run"
	h=$d/home
	mkdir -p "$h/.docker/cli-plugins" "$h/.docker/buildx/instances" "$h/.config/containers"
	printf '%s\n' '{"auths":{"registry.example.org":{"auth":"dXNlci1vcmc6cGFzcy1vcmc="}},"psFormat":"table {{.ID}}"}' \
		>"$h/.docker/config.json"
	chmod 0600 "$h/.docker/config.json"
	# A CLI plugin, answering the plugin protocol's metadata call.
	cat >"$h/.docker/cli-plugins/docker-hello" <<-'PLUGIN'
	#!/bin/sh
	if [ "$1" = docker-cli-plugin-metadata ]; then
		echo '{"SchemaVersion":"0.1.0","Vendor":"test","Version":"1.0","ShortDescription":"hello"}'; exit 0
	fi
	echo "hello from a plugin in ${DOCKER_CONFIG:-~/.docker}"
	PLUGIN
	chmod 0755 "$h/.docker/cli-plugins/docker-hello"
	printf '%s\n' '{"Name":"userbuilder","Driver":"docker-container","Nodes":[{"Name":"userbuilder0","Endpoint":"unix:///var/run/docker.sock"}],"Dynamic":false}' \
		>"$h/.docker/buildx/instances/userbuilder"
	printf '%s\n' '{"auths":{"registry.example.net":{"auth":"dXNlci1uZXQ6cGFzcy1uZXQ="}}}' \
		>"$h/.config/containers/auth.json"
	env -u DOCKER_CONFIG HOME="$h" docker context create usercontext --docker host=unix:///nonexistent.sock >/dev/null 2>&1 ||
		echo "(no docker context: docker CLI missing)"
	printf '[storage]\ndriver = "vfs"\ngraphroot = "%s"\nrunroot = "%s"\n' "$d/containers/root" "$d/containers/runroot" \
		>"$d/containers/storage.conf"
	mkdir -p "$d/_actions"
	cp -a "$OUT/action" "$d/_actions/action"
	echo "$server" >"$d/server"
}
# context DIR TOKEN [VAR=VALUE...]: the job's context.json: the runner's
# environment for every step and the github/runner contexts.
context() {
	local d=$1 tok=$2; shift 2
	python3 - "$d" "$(cat "$d/server")" "$@" <<-'PY' 3<<<"$tok"
	import json, os, sys
	d, server = sys.argv[1], sys.argv[2]
	token = os.fdopen(3).read().rstrip("\n")
	env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": d + "/home", "LANG": "C.UTF-8",
	       "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_ACTOR": "octocat",
	       "GITHUB_SERVER_URL": server, "GITHUB_WORKSPACE": d + "/work",
	       "RUNNER_TEMP": d + "/temp", "RUNNER_OS": "Linux", "XDG_RUNTIME_DIR": d + "/run",
	       "CONTAINERS_STORAGE_CONF": d + "/containers/storage.conf"}
	for a in sys.argv[3:]:
	    k, v = a.split("=", 1)
	    env[k] = v
	json.dump({"env": env, "github": {"token": token, "server_url": server, "actor": "octocat"},
	           "runner": {"temp": d + "/temp", "os": "Linux"}}, open(d + "/context.json", "w"))
	PY
}
# with DIR NAME=VALUE...: the action's inputs (values from the arguments are
# never the token: see with_token).
with() {
	local d=$1; shift
	python3 -c 'import json,sys; json.dump(dict(a.split("=",1) for a in sys.argv[2:]), open(sys.argv[1],"w"))' \
		"$d/with.json" "$@"
}
# action DIR: the action's steps; sets ACTION_MS.  Output in DIR/log.
action() {
	local t0 rc
	t0=$(date +%s%N)
	python3 "$ROOT/packaging/tests/fake_runner.py" action "$1" "$1/_actions/action" >"$1/log" 2>&1
	rc=$?
	ACTION_MS=$((($(date +%s%N) - t0) / 1000000))
	return $rc
}
# step DIR COMMAND...: a later step of the job.
step() { local d=$1; shift; python3 "$ROOT/packaging/tests/fake_runner.py" step "$d" -- "$@"; }
end_job() { python3 "$ROOT/packaging/tests/fake_runner.py" end "$1"; }
# snapshot DIR...: every path with its type, mode, owner, size, mtime, link
# target and content hash: "byte-identical" made checkable.
snapshot() {
	local p
	for p in "$@"; do
		find "$p" -printf '%p %y %m %U %s %T@ %l\n' | LC_ALL=C sort
		find "$p" -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum
	done
}
same_snapshot() {
	local name=$1 before=$2 after
	after=$(snapshot "${@:3}")
	if [ "$before" = "$after" ]; then t_pass "$name"
	else t_fail "$name" "$(diff <(echo "$before") <(echo "$after") | head -8 | tr '\n' ' ')"; fi
}
json_field() { python3 -c 'import json,sys; print(json.load(sys.stdin).get(sys.argv[1], ""))' "$1"; }
secret_for() { printf '%s' "$2" | step "$1" "$NAME" get 2>/dev/null | json_field Secret 2>/dev/null; }
show_log() { tail -n 25 "$1/log" | sed 's/^/    /'; }
new_token() { echo "ghs_$(head -c 64 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 36)"; }
NOT_FOUND="credentials not found in native keychain"

# The action as the runner downloads it: the repository's files, no .git.
mkdir -p "$OUT/action"
git ls-files -z --cached --others --exclude-standard | xargs -0 sh -c 'for f; do [ -f "$f" ] && printf "%s\0" "$f"; done' sh |
	tar --null -T - -cf - | tar -xf - -C "$OUT/action"

# The release's binaries, served over HTTP on 127.0.0.1 the way the release
# serves them, and a table for them in the action's copy.
ARCH=$(uname -m)
if "$MAKE" -s --no-print-directory static >"$OUT/static.log" 2>&1; then
	mkdir -p "$OUT/releases/v$VERSION" "$OUT/tampered/v$VERSION"
	cp build/static/$NAME "$OUT/releases/v$VERSION/$NAME-$VERSION-linux-$ARCH"
	cp build/static/$NAME "$OUT/tampered/v$VERSION/$NAME-$VERSION-linux-$ARCH"
	printf 'x' >>"$OUT/tampered/v$VERSION/$NAME-$VERSION-linux-$ARCH"
	STATIC_SUM=$(sha256sum <build/static/$NAME | cut -d' ' -f1)
else
	t_fail "make static (for the prebuilt download)" "$(tail -3 "$OUT/static.log")"
	STATIC_SUM=
fi
python3 -u - "$OUT" >"$OUT/http.port" 2>"$OUT/http.log" <<-'PY' &
import functools, http.server, sys
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
print(srv.server_address[1])
srv.serve_forever()
PY
HTTP_PID=$!
trap 'kill $HTTP_PID 2>/dev/null' EXIT
for _ in $(seq 50); do [ -s "$OUT/http.port" ] && break; sleep 0.1; done
RELEASES=http://127.0.0.1:$(cat "$OUT/http.port")/releases
TAMPERED=http://127.0.0.1:$(cat "$OUT/http.port")/tampered
SRC_DIGEST=$(bash packaging/action/source-digest.sh "$OUT/action")
# table_line DIR [DIGEST]: the prebuilt table of DIR's action copy lists the
# static binary for this version and architecture (for DIGEST's source).
table_line() {
	printf '%s %s %s %s\n' "$VERSION" "$ARCH" "${2:-$SRC_DIGEST}" "$STATIC_SUM" \
		>>"$1/_actions/action/packaging/action/prebuilt.sha256"
}

# --- a self-hosted runner: four jobs in a row ----------------------------------------
R=$OUT/selfhosted && new_runner "$R"
HOME_BEFORE=$(snapshot "$R/home" "$R/run")
ACTION_DIR_BEFORE=
# Job 1: the table lists a binary for another source (a branch): the action
# builds from source and downloads nothing.
table_line "$R" "0000000000000000000000000000000000000000000000000000000000000000"
ACTION_DIR_BEFORE=$(snapshot "$R/_actions")
token=$(new_token)
context "$R" "$token" DOCKER_CREDENTIAL_GHCR_RELEASES_URL="$RELEASES"
with "$R" podman=true
: >"$OUT/http.log"
if action "$R"; then t_pass "job 1: the action runs to the end (built from source)"
else t_fail "job 1: the action runs to the end" "exit status $?"; show_log "$R"; fi
SOURCE_MS=$ACTION_MS
t_check "job 1: another source's table line is not downloaded" sh -c "! grep -q 'GET /' '$OUT/http.log'"
t_check "job 1: says it built from source" grep -q "built from source" "$R/log"
t_check "job 1: masks the token before using it" grep -qxF "::add-mask::$token" "$R/log"
t_equal "job 1: the token appears in the log only in the mask command" 0 \
	"$(grep -F "$token" "$R/log" | grep -cvxF "::add-mask::$token")"
st=$R/state.json
t_equal "job 1: GITHUB_PATH gets the helper's directory" "$R/temp/$NAME/bin" \
	"$(python3 -c 'import json,sys; print(*json.load(open(sys.argv[1]))["path"])' "$st")"
t_equal "job 1: GITHUB_ENV gets DOCKER_CONFIG, REGISTRY_AUTH_FILE and GITHUB_TOKEN" \
	"DOCKER_CONFIG=$R/temp/$NAME/docker REGISTRY_AUTH_FILE=$R/temp/$NAME/containers-auth.json GITHUB_TOKEN=$token" \
	"$(python3 -c 'import json,sys; print(*("%s=%s" % kv for kv in json.load(open(sys.argv[1]))["env"].items()))' "$st")"
t_equal "job 1: outputs version, path and docker-config" \
	"$VERSION $R/temp/$NAME/bin/$NAME $R/temp/$NAME/docker" \
	"$(python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); print(o["version"], o["path"], o["docker-config"])' "$R/outputs.json")"
needed=$(readelf -d "$R/temp/$NAME/bin/$NAME" 2>/dev/null | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | tr '\n' ' ')
if [ -n "$needed" ] && ! [[ $needed =~ secret|glib|gio|gobject ]]; then
	t_pass "job 1: builds the helper without libsecret ($needed)"
else t_fail "job 1: builds the helper without libsecret" "NEEDED: '$needed'"; fi
for host in ghcr.io docker.pkg.github.com; do
	t_equal "job 1, a later step: get $host answers with the job token" "$token" "$(secret_for "$R" "$host")"
done
t_equal "job 1, a later step: no token for a look-alike host" "$NOT_FOUND" \
	"$(printf 'ghcr.io.evil.com' | step "$R" "$NAME" get 2>/dev/null)"
# Every client reads the job's configuration and finds the helper.
for tool in skopeo podman buildah; do
	if t_need "$tool"; then
		t_equal "job 1, a later step: $tool uses the helper for ghcr.io" octocat \
			"$(step "$R" "$tool" login --get-login ghcr.io 2>&1)"
	else t_skip "job 1: $tool uses the helper" "$tool not installed"; fi
done
if t_need podman; then
	t_equal "job 1: podman keeps the user's own login for another registry" user-net \
		"$(step "$R" podman login --get-login registry.example.net 2>&1)"
fi
if t_need docker; then
	t_equal "job 1: the docker CLI finds the user's CLI plugin" "hello from a plugin in $R/temp/$NAME/docker" \
		"$(step "$R" docker hello 2>&1)"
	t_check "job 1: the docker CLI sees the user's context" \
		sh -c "python3 '$ROOT/packaging/tests/fake_runner.py' step '$R' -- docker context ls -q | grep -qx usercontext"
	cfg=$R/temp/$NAME/docker/config.json
	t_equal "job 1: the job's config.json keeps the user's keys and adds credHelpers" \
		"dXNlci1vcmc6cGFzcy1vcmc= table {{.ID}} ghcr ghcr" \
		"$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["auths"]["registry.example.org"]["auth"], d["psFormat"], d["credHelpers"]["ghcr.io"], d["credHelpers"]["docker.pkg.github.com"])' "$cfg" 2>&1)"
else t_skip "job 1: the docker CLI's plugins and contexts" "docker CLI not installed"; fi
t_check "job 1: a buildx builder made before the job is there" test -f "$R/temp/$NAME/docker/buildx/instances/userbuilder"
# What buildx writes on every build stays in the job.
step "$R" sh -c 'mkdir -p "$DOCKER_CONFIG/buildx/activity" "$DOCKER_CONFIG/buildx/refs/userbuilder" &&
	echo x >"$DOCKER_CONFIG/buildx/activity/userbuilder" && echo x >"$DOCKER_CONFIG/buildx/refs/userbuilder/ref1"'
t_check "job 1: buildx's per-build files land in the job's copy" test -f "$R/temp/$NAME/docker/buildx/activity/userbuilder"
end_job "$R"
same_snapshot "job 1 over: HOME and the runtime directory are byte-identical" "$HOME_BEFORE" "$R/home" "$R/run"
same_snapshot "job 1 over: the action's own directory is unchanged by the build" "$ACTION_DIR_BEFORE" "$R/_actions"
t_equal "job 1 over: RUNNER_TEMP is empty" "" "$(ls -A "$R/temp")"

# Job 2 fails: export-token false with a registry that is not GitHub's.  The
# job token must not be stored for it, and the step says which host.
token=$(new_token)
context "$R" "$token" DOCKER_CREDENTIAL_GHCR_RELEASES_URL="$RELEASES"
with "$R" export-token=false registries=ghcr.io,registry.example.com
if action "$R"; then
	t_fail "the job token is refused for a registry that is not GitHub's (export-token false)" "the step succeeded"
else
	t_check "the job token is refused for a registry that is not GitHub's, naming it (export-token false)" \
		grep -q "::error.*registry.example.com is not a GitHub registry" "$R/log"
fi
t_equal "no credential for a non-GitHub registry after the refused step" "$NOT_FOUND" \
	"$(printf 'registry.example.com' | step "$R" "$R/temp/$NAME/bin/$NAME" get 2>/dev/null)"
t_equal "the refused step exports nothing to later steps" "{}" \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["env"])' "$R/state.json")"
with "$R" export-token=true registries=registry.example.com
if action "$R"; then t_fail "the job token is refused for a registry that is not GitHub's (export-token true)" "the step succeeded"
else t_check "the job token is refused for a registry that is not GitHub's, naming it (export-token true)" \
	grep -q "registry.example.com is not a GitHub registry" "$R/log"; fi
end_job "$R"
same_snapshot "job 2 (failed) over: HOME is byte-identical" "$HOME_BEFORE" "$R/home" "$R/run"

# Job 3: this action is a release's: the prebuilt static helper is
# downloaded, checked and installed; the job is killed between steps.
rm -f "$R/_actions/action/packaging/action/prebuilt.sha256"
cp packaging/action/prebuilt.sha256 "$R/_actions/action/packaging/action/"
table_line "$R"
token=$(new_token)
context "$R" "$token" DOCKER_CREDENTIAL_GHCR_RELEASES_URL="$RELEASES"
with "$R"
: >"$OUT/http.log"
if [ -n "$STATIC_SUM" ] && action "$R"; then t_pass "job 3: the action runs to the end (prebuilt)"
else t_fail "job 3: the action runs to the end (prebuilt)" "exit status $?"; show_log "$R"; fi
PREBUILT_MS=$ACTION_MS
t_check "job 3: it downloaded the release's binary" grep -q "GET /releases/v$VERSION/$NAME-$VERSION-linux-$ARCH" "$OUT/http.log"
t_equal "job 3: the installed helper is the release's binary" "$STATIC_SUM" \
	"$(sha256sum <"$R/temp/$NAME/bin/$NAME" 2>/dev/null | cut -d' ' -f1)"
t_check "job 3: says it installed the prebuilt binary" grep -q "prebuilt $ARCH binary of v$VERSION, SHA-256 checked" "$R/log"
t_equal "job 3, a later step: get ghcr.io answers with the job token" "$token" "$(secret_for "$R" ghcr.io)"
if t_need skopeo; then
	t_equal "job 3, a later step: skopeo uses the helper through DOCKER_CONFIG (podman input off)" octocat \
		"$(step "$R" skopeo login --get-login ghcr.io 2>&1)"
fi
# Cancelled between steps: the next step is running when the job is killed
# (its whole process group, SIGKILL: nothing of the job runs after).
step "$R" sh -c 'echo $$ >"$RUNNER_TEMP/step.pid"; exec sleep 300' &
fr=$!
for _ in $(seq 50); do [ -s "$R/temp/step.pid" ] && break; sleep 0.1; done
{
	kill -KILL -- "-$(cat "$R/temp/step.pid")"
	kill -KILL "$fr"
	wait "$fr"
} 2>/dev/null
t_check "job 3: the job was killed mid-step" sh -c "! kill -0 $(cat "$R/temp/step.pid") 2>/dev/null"
end_job "$R"
same_snapshot "job 3 (killed between steps) over: HOME is byte-identical" "$HOME_BEFORE" "$R/home" "$R/run"

# Job 4, later on the same runner, does not use the action: an anonymous pull
# of a public image from ghcr.io (a TLS registry in private namespaces).
token=$(new_token)
context "$R" "$token"
if t_need skopeo docker-registry openssl unshare ip; then
	bash packaging/tests/public-pull.sh "$R" >"$OUT/public-pull.log" 2>&1
	while IFS= read -r line; do
		case $line in
		"ok   - "*) t_pass "job 4: ${line#ok   - }" ;;
		"FAIL - "*) t_fail "job 4: ${line#FAIL - }" ;;
		"skip - "*) t_skip "job 4: ${line#skip - }" ;;
		esac
	done <"$OUT/public-pull.log"
	grep -q '^ok   - ' "$OUT/public-pull.log" ||
		t_fail "job 4: the public-pull rig ran" "$(tail -5 "$OUT/public-pull.log")"
else
	t_skip "job 4: anonymous pull of a public image" "skopeo, docker-registry, openssl or unshare missing"
fi
end_job "$R"
same_snapshot "all jobs over: HOME is byte-identical to before the first" "$HOME_BEFORE" "$R/home" "$R/run"

# A tampered download fails the step and installs nothing.
T=$OUT/tampered && new_runner "$T" && table_line "$T"
context "$T" "$(new_token)" DOCKER_CREDENTIAL_GHCR_RELEASES_URL="$TAMPERED"
with "$T"
if action "$T"; then t_fail "a download that differs from the action's checksum is refused" "the step succeeded"
else t_check "a download that differs from the action's checksum is refused, saying so" \
	grep -q "not the $STATIC_SUM this action carries" "$T/log"; fi
t_check "the refused download is not installed" test ! -e "$T/temp/$NAME/bin/$NAME"

# --- export-token false, GHES, refusals -------------------------------------------
B=$OUT/store && new_runner "$B" && table_line "$B"
token=$(new_token)
context "$B" "$token" DOCKER_CREDENTIAL_GHCR_RELEASES_URL="$RELEASES"
with "$B" export-token=false
if action "$B"; then t_pass "export-token false: runs to the end"
else t_fail "export-token false: runs to the end" "exit status $?"; show_log "$B"; fi
t_equal "export-token false: no GITHUB_TOKEN for later steps" "" \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["env"].get("GITHUB_TOKEN", ""))' "$B/state.json")"
t_equal "export-token false: a later step gets the stored token" "$token" "$(secret_for "$B" ghcr.io)"
# A builder made after the action (what `docker buildx create` writes)
# lands in the user's buildx directory, as it would without the action (its
# post step, or the user, removes it there).  Not on the self-hosted runner
# above: this write is the job's own, not the action's.
step "$B" sh -c 'printf "{}" >"$DOCKER_CONFIG/buildx/instances/jobbuilder"'
t_check "export-token false: a builder made in the job lands in the user's buildx directory" \
	test -f "$B/home/.docker/buildx/instances/jobbuilder"
if grep -rqF "$token" "$B/temp" "$B/home" 2>/dev/null; then
	t_fail "export-token false: the token is nowhere in plaintext on disk"
else t_pass "export-token false: the token is nowhere in plaintext on disk"; fi
end_job "$B"

# On GitHub Enterprise Server, where the release cannot be downloaded (here:
# a URL that answers 404): the action builds from source instead.
G=$OUT/ghes && new_runner "$G" https://ghe.example.com && table_line "$G"
token=$(new_token)
context "$G" "$token" DOCKER_CREDENTIAL_GHCR_RELEASES_URL="${RELEASES%/releases}/no-such-release"
with "$G"
if action "$G"; then t_pass "on GitHub Enterprise Server: runs to the end"
else t_fail "on GitHub Enterprise Server: runs to the end" "exit status $?"; show_log "$G"; fi
t_check "no download (404): says so and builds from source" \
	sh -c "grep -q 'could not download' '$G/log' && grep -q 'built from source' '$G/log'"
t_equal "on GitHub Enterprise Server: a later step gets the token for containers.HOST" "$token" \
	"$(secret_for "$G" containers.ghe.example.com)"
t_equal "on GitHub Enterprise Server: the job token is not sent to ghcr.io" "$NOT_FOUND" \
	"$(printf ghcr.io | step "$G" "$NAME" get 2>/dev/null)"
with "$G" registries=ghcr.io
if action "$G"; then t_fail "on GitHub Enterprise Server: registries ghcr.io is refused" "the step succeeded"
else t_check "on GitHub Enterprise Server: registries ghcr.io is refused, naming it" \
	grep -q "ghcr.io is not a GitHub registry" "$G/log"; fi
end_job "$G"

C=$OUT/refuse && new_runner "$C"
context "$C" "$(new_token)"$'\nLD_PRELOAD=/tmp/evil.so'
with "$C"
if action "$C"; then t_fail "refuses a token with a line break" "it succeeded"
else t_equal "refuses a token with a line break, exporting nothing" '{"env": {}, "path": [], "steps": {"setup": {"outputs": {}}}}' \
	"$(cat "$C/state.json")"; fi
t_check "says why it refused the token" grep -q 'control character' "$C/log"
context "$C" ""
if action "$C"; then t_fail "refuses an empty token" "it succeeded"
else t_check "refuses an empty token, saying so" grep -q 'token input is empty' "$C/log"; fi
# The prefix input never reaches make: make syntax in it is refused before
# anything is built, and nothing it names is run.
context "$C" "$(new_token)"
marker=$OUT/prefix-expanded
for p in "/tmp/x\$(shell touch $marker)" "/tmp/\$\$(touch $marker)" "/tmp/x\`touch $marker\`" "relative/dir" "/tmp/../etc"; do
	with "$C" prefix="$p"
	if action "$C"; then t_fail "the prefix input '$p' is refused" "the step succeeded"
	else t_check "the prefix input '$p' is refused, saying so" grep -q 'prefix input' "$C/log"; fi
done
t_check "a prefix with make or shell syntax is never expanded" test ! -e "$marker"
t_check "a refused prefix builds nothing" test ! -e "$C/temp/$NAME/build"
# The registries input is checked in full (issue 20, point 7): reading only
# its first line let ghcr.io<LF>,evil.example.com through to configure.
# Any control character is refused before anything is written.
for r in $'ghcr.io\n,evil.example.com' $'ghcr.io\r' $'ghcr.io\r\n,evil.example.com' $'ghcr.io\t' \
	$'ghcr.io\e[31m' $'ghcr.io\x7f' $'ghcr.io,\x01docker.pkg.github.com'; do
	shown=$(printf '%q' "$r")
	with "$C" registries="$r"
	if action "$C"; then t_fail "the registries input $shown is refused" "the step succeeded"
	else t_check "the registries input $shown is refused: a control character" \
		grep -q 'registries input contains a control character' "$C/log"; fi
	t_equal "the refused registries input $shown exports nothing" '{"env": {}, "path": [], "steps": {"setup": {"outputs": {}}}}' \
		"$(cat "$C/state.json")"
	t_check "the refused registries input $shown configures nothing" \
		sh -c "! grep -qs evil '$C/temp/$NAME/docker/config.json'"
done
# A line break in any input that an error message quotes stays inside that
# one ::error line: it never starts a workflow command of its own.
for input in registries prefix; do
	with "$C" "$input=/x"$'\n''::warning title=injected::from an input'$'\r''::notice title=injected::cr'
	if action "$C"; then t_fail "the $input input with a line break is refused" "the step succeeded"
	else
		t_check "the $input input with a line break is refused in one ::error line" \
			grep -q "^::error title=$NAME::.*$input input.*%0A::warning title=injected::from an input%0D::notice" "$C/log"
		t_check "a line break (LF or CR) in the $input input starts no workflow command" \
			sh -c "! tr '\r' '\n' <'$C/log' | grep -q '^::\(warning\|notice\) title=injected'"
	fi
done
end_job "$C"

# The hosts checked are exactly the hosts configured: the input is split
# as configure splits it (commas and spaces), and configure is given the
# checked list, not the raw input.
S=$OUT/spaces && new_runner "$S"
context "$S" "$(new_token)"
with "$S" registries=' ghcr.io  docker.pkg.github.com, '
if action "$S"; then
	t_equal "registries separated by spaces: exactly those hosts are configured" \
		"docker.pkg.github.com ghcr.io" \
		"$(python3 -c 'import json,sys; print(*sorted(json.load(open(sys.argv[1]))["credHelpers"]))' "$S/temp/$NAME/docker/config.json" 2>&1)"
else t_fail "registries separated by spaces are taken as configure takes them" "the step failed"; show_log "$S"; fi
end_job "$S"

echo "setup time on this stand-in runner: prebuilt download ${PREBUILT_MS:-?} ms, build from source ${SOURCE_MS:-?} ms"
t_summary
