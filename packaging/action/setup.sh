#!/usr/bin/env bash
# The composite action's step (action.yml at the top of the repository):
# builds the helper from the action's own checkout without libsecret, installs
# it for this job, points Docker at it with `configure`, and hands the job
# token to the later steps of the job (see action.yml for why and how).
# Inputs arrive as INPUT_* environment variables, never as arguments, so the
# token is on no command line; check-actions runs this script off a runner
# with stand-ins for the runner's files.
set -euo pipefail

die() { echo "::error title=docker-credential-ghcr::$*"; exit 1; }
truthy() { case ${1,,} in true | yes | 1 | on) return 0 ;; *) return 1 ;; esac; }

src=${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set: run this as the docker-credential-ghcr action}
: "${RUNNER_TEMP:?RUNNER_TEMP is not set: run this on a GitHub Actions runner}"
: "${GITHUB_ENV:?}" "${GITHUB_PATH:?}" "${GITHUB_OUTPUT:?}"
token=${INPUT_TOKEN:-}
prefix=${INPUT_PREFIX:-$RUNNER_TEMP/docker-credential-ghcr}
registries=${INPUT_REGISTRIES:-}

[ "$(uname -s)" = Linux ] ||
	die "this action runs on Linux runners only (the helper is built for Linux); this runner is $(uname -s)"

# Refuse a token before anything is written: a token with a line break would
# write a second, attacker-chosen variable into GITHUB_ENV, and one with a
# quote or a backslash would break the JSON given to `store`.
[ -n "$token" ] ||
	die "the token input is empty: pass a token (the default is github.token) or a secret that is set"
case $token in
*[[:cntrl:]\"\\]*) die "the token input contains a control character, a quote or a backslash; no GitHub token does" ;;
esac
# The runner masks github.token and secrets already; a token built in an
# earlier step is masked only by this.
echo "::add-mask::$token"

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# --- build dependencies -------------------------------------------------------
# Installed only when missing, from the runner's own package manager; the
# hosted Ubuntu runners have the compiler and need jansson's headers.
if ! command -v cc >/dev/null || ! command -v make >/dev/null ||
	! command -v pkg-config >/dev/null || ! pkg-config --exists jansson libcrypto; then
	echo "::group::Installing build dependencies"
	if command -v apt-get >/dev/null; then
		sudo_if_needed apt-get update -qq
		sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			gcc libc6-dev make pkg-config libjansson-dev libssl-dev
	elif command -v dnf >/dev/null; then
		sudo_if_needed dnf install -y gcc make pkgconf-pkg-config jansson-devel openssl-devel
	elif command -v apk >/dev/null; then
		sudo_if_needed apk add --no-cache build-base pkgconf jansson-dev openssl-dev
	else
		die "no apt-get, dnf or apk on this runner: install a C compiler, make, pkg-config and the jansson and OpenSSL headers first"
	fi
	echo "::endgroup::"
fi

# --- build and install ----------------------------------------------------------
# No Secret Service on a runner: the file-store build links no GLib, and in
# Actions the helper answers from the environment or a job-scoped store.
# CI is unset for the build because the Makefile turns warnings into errors
# under CI: a newer compiler on the runner must not break a user's job.
echo "::group::Building docker-credential-ghcr"
build=$RUNNER_TEMP/docker-credential-ghcr-build
make_vars=(WITH_SECRETSERVICE=0 "PREFIX=$prefix" "O=$build")
mkdir -p "$build"
env -u CI make -C "$src" -j"$(nproc)" "${make_vars[@]}"
env -u CI make -C "$src" "${make_vars[@]}" install
echo "::endgroup::"

helper=$prefix/bin/docker-credential-ghcr
version=$("$helper" version) || die "the installed helper does not run: $helper version failed"
version=${version##* }
echo "$prefix/bin" >>"$GITHUB_PATH"
export PATH="$prefix/bin:$PATH"

# --- configure Docker (and podman) ---------------------------------------------
echo "::group::Configuring docker-credential-ghcr $version"
configure_args=()
[ -z "$registries" ] || configure_args+=(--registries "$registries")
! truthy "${INPUT_PODMAN:-false}" || configure_args+=(--podman)
docker-credential-ghcr configure "${configure_args[@]}"
echo "::endgroup::"

# --- hand the token to later steps ----------------------------------------------
# The hosts to store for and to check: the registries input, else the
# registries of the server this job runs on, as `configure` picks them: a
# GitHub Enterprise job's token is for its own server's registries only.
hosts=()
IFS=, read -r -a listed <<<"$registries"
for h in "${listed[@]}"; do [ -z "${h// /}" ] || hosts+=("${h// /}"); done
if [ "${#hosts[@]}" -eq 0 ]; then
	server=${GITHUB_SERVER_URL:-https://github.com}
	server=${server#*://}
	server=${server%%/*}
	case ${server,,} in
	github.com) hosts=(ghcr.io docker.pkg.github.com) ;;
	*.ghe.com) hosts=("containers.${server,,}") ;;
	*) hosts=("containers.${server,,}" "docker.${server,,}") ;;
	esac
fi

if truthy "${INPUT_EXPORT_TOKEN:-true}"; then
	# Later steps see GITHUB_TOKEN, from which the helper answers itself.
	printf 'GITHUB_TOKEN=%s\n' "$token" >>"$GITHUB_ENV"
	export GITHUB_TOKEN=$token
else
	# The job-scoped store under RUNNER_TEMP instead; printf is a builtin, so
	# the token reaches the helper's stdin without being on a command line.
	user=${GITHUB_ACTOR:-github-actions}
	for h in "${hosts[@]}"; do
		printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}' "$h" "$user" "$token" |
			docker-credential-ghcr store || die "storing the token for $h failed"
	done
fi

# Fail here, not at the first push, if the helper cannot answer; the answer
# itself (which holds the token) goes nowhere.
for h in "${hosts[@]}"; do
	printf '%s' "$h" | docker-credential-ghcr get >/dev/null ||
		die "the helper has no credential for $h after setup; run 'docker-credential-ghcr status' in a step to see why"
done

{
	echo "version=$version"
	echo "path=$helper"
} >>"$GITHUB_OUTPUT"
echo "docker-credential-ghcr $version answers for: ${hosts[*]}"
