#!/usr/bin/env bash
# check-actions: the GitHub Actions side.  Every workflow and the composite
# action parse as YAML and have the shape GitHub needs (check_workflow.py);
# the examples publish with no login step; and the action's script runs here
# against stand-ins for a runner (RUNNER_TEMP, GITHUB_ENV, GITHUB_PATH and
# GITHUB_OUTPUT as files in a scratch directory, HOME and DOCKER_CONFIG there
# too), after which a "later step" — a fresh environment built only from what
# the action wrote — gets the token from the helper for ghcr.io.
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
	t_check "the action's script passes shellcheck" shellcheck packaging/action/setup.sh
else
	t_skip "the action's script passes shellcheck" "shellcheck is not installed"
fi

# --- the action, run as a runner would ----------------------------------------------
# fake_runner DIR [SERVER_URL]: a runner's files and a clean home under DIR,
# for a job on github.com or on the GitHub server at SERVER_URL.
fake_runner() {
	mkdir -p "$1/temp" "$1/home" "$1/docker"
	: >"$1/env"; : >"$1/path"; : >"$1/output"
	echo "${2:-https://github.com}" >"$1/server"
}
# run_action DIR [VAR=VALUE...]: the action's step, in the environment a
# runner gives a composite step (nothing of ours leaks in but PATH).
run_action() {
	local dir=$1; shift
	env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$dir/home" LANG=C.UTF-8 \
		CI=true GITHUB_ACTIONS=true GITHUB_ACTOR=octocat \
		GITHUB_SERVER_URL="$(cat "$dir/server")" GITHUB_ACTION_PATH="$ROOT" \
		RUNNER_TEMP="$dir/temp" GITHUB_ENV="$dir/env" GITHUB_PATH="$dir/path" \
		GITHUB_OUTPUT="$dir/output" DOCKER_CONFIG="$dir/docker" \
		INPUT_EXPORT_TOKEN=true INPUT_REGISTRIES= INPUT_PODMAN=false INPUT_PREFIX= "$@" \
		bash packaging/action/setup.sh >"$dir/log" 2>&1
}
# later_step DIR COMMAND...: COMMAND in the environment of a later step: the
# runner's variables, PATH with what the action added, and GITHUB_ENV's lines.
later_step() {
	local dir=$1 line; shift
	local vars=(PATH="$(tr '\n' ':' <"$dir/path")/usr/bin:/bin" HOME="$dir/home"
		GITHUB_ACTIONS=true GITHUB_ACTOR=octocat RUNNER_TEMP="$dir/temp"
		GITHUB_SERVER_URL="$(cat "$dir/server")" DOCKER_CONFIG="$dir/docker")
	while IFS= read -r line; do vars+=("$line"); done <"$dir/env"
	env -i "${vars[@]}" "$@"
}
# json_field FIELD: FIELD of the JSON object on stdin.
json_field() { python3 -c 'import json,sys; print(json.load(sys.stdin).get(sys.argv[1], ""))' "$1"; }

token=ghs_$(head -c 64 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 36)
A=$OUT/export && fake_runner "$A"
if run_action "$A" INPUT_TOKEN="$token"; then
	t_pass "action: runs to the end (build, install, configure, token)"
else
	t_fail "action: runs to the end" "exit status $?; last lines of $A/log:"
	tail -n 25 "$A/log" | sed 's/^/    /'
fi
t_check "action: masks the token before using it" grep -qxF "::add-mask::$token" "$A/log"
leaks=$(grep -F "$token" "$A/log" | grep -cvxF "::add-mask::$token")
t_equal "action: the token appears in its output only in the mask command" 0 "$leaks"
prefix=$A/temp/$NAME
t_equal "action: puts the helper on PATH for later steps" "$prefix/bin" "$(cat "$A/path")"
t_equal "action: exports the token for later steps" "GITHUB_TOKEN=$token" "$(cat "$A/env")"
t_check "action: outputs the version" grep -qxF "version=$VERSION" "$A/output"
t_check "action: outputs the helper's path" grep -qxF "path=$prefix/bin/$NAME" "$A/output"
needed=$(readelf -d "$prefix/bin/$NAME" 2>/dev/null | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | tr '\n' ' ')
if [ -n "$needed" ] && ! [[ $needed =~ secret|glib|gio|gobject ]]; then
	t_pass "action: builds the helper without libsecret ($needed)"
else t_fail "action: builds the helper without libsecret" "NEEDED: '$needed'"; fi
helpers=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])).get("credHelpers", {}); print(d.get("ghcr.io"), d.get("docker.pkg.github.com"))' \
	"$A/docker/config.json" 2>&1)
t_equal "action: configures Docker's credHelpers" "ghcr ghcr" "$helpers"
for host in ghcr.io docker.pkg.github.com; do
	answer=$(printf '%s' "$host" | later_step "$A" "$NAME" get 2>"$A/get.err")
	t_equal "a later step: get $host answers with the token" "$token" "$(json_field Secret <<<"$answer" 2>/dev/null)"
	t_equal "a later step: get $host answers as GITHUB_ACTOR" octocat "$(json_field Username <<<"$answer" 2>/dev/null)"
done
answer=$(printf 'ghcr.io.evil.com' | later_step "$A" "$NAME" get 2>/dev/null)
t_equal "a later step: no token for a look-alike host" "credentials not found in native keychain" "$answer"

# export-token: false keeps later steps' environments as they were and stores
# the token in the job-scoped store instead (the build from above is reused).
B=$OUT/store && fake_runner "$B" && rm -rf "$B/temp" && cp -a "$A/temp" "$B/temp"
if run_action "$B" INPUT_TOKEN="$token" INPUT_EXPORT_TOKEN=false; then
	t_pass "action, export-token false: runs to the end"
else
	t_fail "action, export-token false: runs to the end" "exit status $?; last lines of $B/log:"
	tail -n 25 "$B/log" | sed 's/^/    /'
fi
t_equal "action, export-token false: GITHUB_ENV is left alone" "" "$(cat "$B/env")"
answer=$(printf 'ghcr.io' | later_step "$B" "$NAME" get 2>/dev/null)
t_equal "action, export-token false: a later step gets the stored token" "$token" \
	"$(json_field Secret <<<"$answer" 2>/dev/null)"
if grep -rqF "$token" "$B/temp" "$B/docker" "$B/home" 2>/dev/null; then
	t_fail "action, export-token false: the token is nowhere in plaintext on disk"
else t_pass "action, export-token false: the token is nowhere in plaintext on disk"; fi

# On a GitHub Enterprise Server runner the server's own registries are
# configured and answered for, and github.com's are not given its token.
G=$OUT/ghes && fake_runner "$G" https://ghe.example.com && rm -rf "$G/temp" && cp -a "$A/temp" "$G/temp"
if run_action "$G" INPUT_TOKEN="$token"; then
	t_pass "action on GitHub Enterprise Server: runs to the end"
else
	t_fail "action on GitHub Enterprise Server: runs to the end" "exit status $?; last lines of $G/log:"
	tail -n 25 "$G/log" | sed 's/^/    /'
fi
helpers=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])).get("credHelpers", {}); print(d.get("containers.ghe.example.com"), d.get("docker.ghe.example.com"))' \
	"$G/docker/config.json" 2>&1)
t_equal "action on GitHub Enterprise Server: configures the server's registries" "ghcr ghcr" "$helpers"
answer=$(printf 'containers.ghe.example.com' | later_step "$G" "$NAME" get 2>/dev/null)
t_equal "action on GitHub Enterprise Server: a later step gets the token for containers.HOST" "$token" \
	"$(json_field Secret <<<"$answer" 2>/dev/null)"
answer=$(printf 'ghcr.io' | later_step "$G" "$NAME" get 2>/dev/null)
t_equal "action on GitHub Enterprise Server: the job token is not sent to ghcr.io" \
	"credentials not found in native keychain" "$answer"

# A token that would smuggle a second variable into GITHUB_ENV is refused
# before anything is built or written.
C=$OUT/refuse && fake_runner "$C"
if run_action "$C" INPUT_TOKEN="$token"$'\nLD_PRELOAD=/tmp/evil.so'; then
	t_fail "action: refuses a token with a line break" "it succeeded"
else
	t_equal "action: refuses a token with a line break, writing nothing" "" "$(cat "$C/env" "$C/path" "$C/output")"
fi
t_check "action: says why it refused the token" grep -q 'control character' "$C/log"
if run_action "$C" INPUT_TOKEN=; then t_fail "action: refuses an empty token" "it succeeded"
else t_check "action: refuses an empty token, saying so" grep -q 'token input is empty' "$C/log"; fi

t_summary
