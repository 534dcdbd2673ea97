#!/usr/bin/env bash
# The composite action's step (action.yml at the top of the repository):
# installs the helper for this job (the release's prebuilt static binary when
# this is a release's source and the download matches the checksum this
# action carries, else a build from the action's own checkout), gives the
# rest of the job its own Docker config and containers auth file under
# RUNNER_TEMP carrying over the user's, points them at the helper with
# `configure`, and hands the job token to later steps (see action.yml for the
# design and its trade-offs).  Nothing is written outside RUNNER_TEMP (and
# `prefix`, when set).  Inputs arrive as INPUT_* environment variables, never
# as arguments, so the token is on no command line; check-actions runs this
# step as a runner does, with stand-ins for the runner's files.
set -euo pipefail

NAME=docker-credential-ghcr
# One line, whatever the message holds: a message may quote an input, and
# a line break in it would start a line the runner reads as a workflow
# command (::set-env, ::add-mask, ...).  % CR LF are escaped as GitHub's
# workflow commands define (the annotation shows them as they were); any
# other control character (escape sequences) becomes '?'.
one_line() {
	local m=$1
	m=${m//'%'/%25}
	m=${m//$'\r'/%0D}
	m=${m//$'\n'/%0A}
	printf '%s' "${m//[[:cntrl:]]/?}"
}
die() { printf '::error title=%s::%s\n' "$NAME" "$(one_line "$*")"; exit 1; }
truthy() { case ${1,,} in true | yes | 1 | on) return 0 ;; *) return 1 ;; esac; }
SECONDS=0

src=${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set: run this as the $NAME action}
: "${RUNNER_TEMP:?RUNNER_TEMP is not set: run this on a GitHub Actions runner}"
: "${GITHUB_ENV:?}" "${GITHUB_PATH:?}" "${GITHUB_OUTPUT:?}" "${HOME:?}"
token=${INPUT_TOKEN:-}
registries=${INPUT_REGISTRIES:-}
# Everything of this job's: the helper, its job-scoped store (the helper puts
# it here by itself inside Actions), the Docker config and the auth file.
work=$RUNNER_TEMP/$NAME
prefix=${INPUT_PREFIX:-$work}

[ "$(uname -s)" = Linux ] ||
	die "this action runs on Linux runners only (the helper is built for Linux); this runner is $(uname -s)"

# Refuse bad inputs before anything is written.  A token with a line break
# would write a second, attacker-chosen variable into GITHUB_ENV, and one
# with a quote or a backslash would break the JSON given to `store`.
[ -n "$token" ] ||
	die "the token input is empty: pass a token (the default is github.token) or a secret that is set"
case $token in
*[[:cntrl:]\"\\]*) die "the token input contains a control character, a quote or a backslash; no GitHub token does" ;;
esac
# The prefix is a directory path and nothing else: no $, quotes, spaces or
# other characters make or a shell would read (it reaches no command line of
# make in any case; the helper is installed with install(1)).
case $prefix in /*) ;; *) die "the prefix input must be an absolute path, not '$prefix'" ;; esac
if ! [[ $prefix =~ ^[A-Za-z0-9._/+@-]+$ ]] || [[ $prefix =~ (^|/)\.\.(/|$) ]]; then
	die "the prefix input may hold only letters, digits and . _ / + @ - (and no '..'); refused: '$prefix'"
fi
# The registries input is checked in full as it will be used: a control
# character (a line break, say) is refused outright, so no line of it can
# escape the check below, and the hosts checked are the ones configured.
case $registries in
*[[:cntrl:]]*) die "the registries input contains a control character (a line break?); list the hosts on one line, separated by commas; refused: '$registries'" ;;
esac
# The runner masks github.token and secrets already; a token built in an
# earlier step is masked only by this.
echo "::add-mask::$token"

mkdir -p "$work"
chmod 0700 "$work"

# --- install the helper ------------------------------------------------------------
# The prebuilt static binary of a release when all of these hold: the table
# this action carries (prebuilt.sha256) has a line for its own version, the
# runner's architecture and its own source (a branch or fork that changed the
# source has another digest); the download works; and the download has that
# line's SHA-256 (a mismatch fails the step: never a checksum fetched beside
# the binary).  Otherwise it is built from source, as the release was.
version=$(sed -n 's/^VERSION ?= *//p' "$src/Makefile")
arch=$(uname -m)
releases=${DOCKER_CREDENTIAL_GHCR_RELEASES_URL:-https://github.com/docker-credential-ghcr/docker-credential-ghcr/releases/download}
digest=$(bash "$src/packaging/action/source-digest.sh" "$src")
want=$(awk -v v="$version" -v a="$arch" -v s="$digest" \
	'$1 == v && $2 == a && $3 == s { print $4; exit }' "$src/packaging/action/prebuilt.sha256")
bin=
how=
if [ -n "$want" ]; then
	url=$releases/v$version/$NAME-$version-linux-$arch
	dl=$work/download.part
	rm -f "$dl"
	fetched=
	if command -v curl >/dev/null; then
		curl -fsSL --proto '=https,http,file' --retry 2 --connect-timeout 10 --max-time 120 -o "$dl" "$url" && fetched=1
	elif command -v wget >/dev/null; then
		wget -q -T 30 -O "$dl" "$url" && fetched=1
	fi
	if [ -n "$fetched" ]; then
		got=$(sha256sum "$dl" | cut -d' ' -f1)
		if [ "$got" != "$want" ]; then
			rm -f "$dl"
			die "the download $url has SHA-256 $got, not the $want this action carries for $version on $arch: not installed"
		fi
		bin=$dl
		how="prebuilt $arch binary of v$version, SHA-256 checked"
	else
		echo "::notice title=$NAME::could not download $url; building from source instead"
	fi
fi

if [ -z "$bin" ]; then
	sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
	# Build dependencies are installed only when missing, from the
	# runner's own package manager; the hosted Ubuntu runners have the
	# compiler and need jansson's headers.
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
	# No Secret Service on a runner: the file-store build links no GLib.
	# CI is unset for the build because the Makefile turns warnings into
	# errors under CI: a newer compiler on the runner must not break a
	# user's job.  Every output goes under RUNNER_TEMP (O=), none into the
	# action's own directory, which the runner keeps between jobs.
	echo "::group::Building $NAME"
	build=$work/build
	mkdir -p "$build"
	env -u CI -u MAKEFLAGS -u MAKELEVEL make -C "$src" -j"$(nproc)" WITH_SECRETSERVICE=0 "O=$build"
	echo "::endgroup::"
	bin=$build/$NAME
	how="built from source"
fi
install -d -m 0755 "$prefix/bin"
install -m 0755 "$bin" "$prefix/bin/$NAME"
rm -f "$work/download.part"
helper=$prefix/bin/$NAME
got=$("$helper" version) || die "the installed helper does not run: $helper version failed"
got=${got##* }
export PATH="$prefix/bin:$PATH"

# --- the hosts to answer for --------------------------------------------------------
# The registries input, else the registries of the server this job runs on,
# as `configure` picks them: a GitHub Enterprise job's token is for its own
# server's registries only.
# Split as `configure --registries` splits (on commas and spaces); the
# input holds no line break (checked above), so read sees all of it.
hosts=()
IFS=', ' read -r -a listed <<<"$registries"
for h in "${listed[@]}"; do [ -z "$h" ] || hosts+=("$h"); done
if [ -n "$registries" ] && [ "${#hosts[@]}" -eq 0 ]; then
	die "the registries input names no host: '$registries'"
fi
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
# The job token is for GitHub registries only: each host must be one the
# helper itself would give this job's ambient token to.  It is asked with a
# stand-in token, no store and no GitHub CLI, so only that rule can answer.
for h in "${hosts[@]}"; do
	printf '%s' "$h" | env -u GH_TOKEN GITHUB_TOKEN=not-a-token DOCKER_CREDENTIAL_GHCR_GH_CLI=off \
		DOCKER_CREDENTIAL_GHCR_BACKEND=file DOCKER_CREDENTIAL_GHCR_STORE="$work/classify/none" \
		"$NAME" get >/dev/null 2>&1 ||
		die "$h is not a GitHub registry of this job's server (${GITHUB_SERVER_URL:-https://github.com}): the job token is not given to it; remove it from the registries input"
done

echo "$prefix/bin" >>"$GITHUB_PATH"

# --- the job's own Docker config and containers auth file ---------------------------
# DOCKER_CONFIG for the rest of the job: config.json is a copy of the user's
# (other registries' logins, credsStore, current context, proxies, plugin
# settings); buildx is a copy whose builders are the user's own (below);
# everything else (contexts, cli-plugins, ...) is linked, so it is the
# user's own.  The action itself only reads the user's files.
user_docker=${DOCKER_CONFIG:-$HOME/.docker}
job_docker=$work/docker
if [ "$(readlink -f "$user_docker")" != "$(readlink -f "$job_docker")" ]; then
	rm -rf "$job_docker"
	mkdir -m 0700 "$job_docker"
	if [ -f "$user_docker/config.json" ]; then
		(umask 077 && cat "$user_docker/config.json" >"$job_docker/config.json")
	fi
	for entry in "$user_docker"/* "$user_docker"/.[!.]*; do
		[ -e "$entry" ] || [ -L "$entry" ] || continue
		case ${entry##*/} in
		config.json) ;;
		buildx)
			# buildx writes on every build (activity, refs, current):
			# a copy keeps that in the job, while its builders
			# (instances) stay the user's own, so a builder made or
			# removed in the job (docker/setup-buildx-action and its
			# post step) is made or removed where it would be anyway.
			cp -a "$entry" "$job_docker/buildx"
			if [ -d "$entry/instances" ]; then
				rm -rf "$job_docker/buildx/instances"
				ln -s "$entry/instances" "$job_docker/buildx/instances"
			fi
			;;
		*) ln -s "$entry" "$job_docker/${entry##*/}" ;;
		esac
	done
fi
export DOCKER_CONFIG=$job_docker
echo "DOCKER_CONFIG=$job_docker" >>"$GITHUB_ENV"

# configure is given exactly the hosts checked above, not the raw input.
configure_args=()
[ -z "$registries" ] || configure_args+=(--registries "$(IFS=,; echo "${hosts[*]}")")
if truthy "${INPUT_PODMAN:-false}"; then
	# REGISTRY_AUTH_FILE for podman, skopeo and buildah: a copy of the
	# file they would read first (REGISTRY_AUTH_FILE, the runtime
	# directory's, ~/.config's, else Docker's config.json).
	job_auth=$work/containers-auth.json
	user_auth=
	for f in "${REGISTRY_AUTH_FILE:-}" "${XDG_RUNTIME_DIR:+$XDG_RUNTIME_DIR/containers/auth.json}" \
		"${XDG_CONFIG_HOME:-$HOME/.config}/containers/auth.json" "$job_docker/config.json"; do
		if [ -n "$f" ] && [ -f "$f" ]; then user_auth=$f && break; fi
	done
	if [ -z "$user_auth" ]; then
		(umask 077 && echo '{}' >"$job_auth")
	elif [ "$(readlink -f "$user_auth")" != "$(readlink -f "$job_auth")" ]; then
		(umask 077 && cat "$user_auth" >"$job_auth")
	fi
	export REGISTRY_AUTH_FILE=$job_auth
	echo "REGISTRY_AUTH_FILE=$job_auth" >>"$GITHUB_ENV"
	configure_args+=(--podman)
fi

echo "::group::Configuring $NAME $got ($how)"
"$NAME" configure "${configure_args[@]}"
echo "::endgroup::"

# --- hand the token to later steps ----------------------------------------------
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
			"$NAME" store || die "storing the token for $h failed"
	done
fi

# Fail here, not at the first push, if the helper cannot answer; the answer
# itself (which holds the token) goes nowhere.
for h in "${hosts[@]}"; do
	printf '%s' "$h" | "$NAME" get >/dev/null ||
		die "the helper has no credential for $h after setup; run '$NAME status' in a step to see why"
done

{
	echo "version=$got"
	echo "path=$helper"
	echo "docker-config=$job_docker"
} >>"$GITHUB_OUTPUT"
echo "$NAME $got ($how, ${SECONDS}s) answers for: ${hosts[*]}"
