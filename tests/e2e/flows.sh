#!/bin/bash
# The end-to-end flows, run by run.sh inside its namespaces once per storage
# backend (the Secret Service run inside tests/keyring-session.sh).  Each
# flow gets a fresh HOME, XDG directories and client configuration, so flows
# and backends share nothing but the registry; each check drives a real
# client (docker, skopeo, podman) or the helper itself at the protocol
# boundary, and a failure says what was expected and what came (never the
# token itself).  The counts go to $E2E_COUNTS for run.sh to add up.
#
# usage (from run.sh): flows.sh BACKEND FLOW...   BACKEND: file | secretservice
#                                                 FLOW: laptop podman actions idtoken ghkeyring

set -u
E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$E2E_DIR/../lib.sh"
# run.sh scrubbed the caller's environment; the keyring session's bus is
# the one thing to keep (flow_env sets the rest per flow).
t_scrub_env "${T_KEYRING_BUS[@]}"

BACKEND=$1
shift
TOKEN=$(cat "$E2E_TOKEN_FILE")
IDTOKEN=$(cat "$E2E_IDTOKEN_FILE")
NOT_FOUND="credentials not found in native keychain"
# How the registry and clients say "you are not let in".
REFUSED='unauthorized|authentication required|401|denied|invalid username/password|requested access to the resource'
CLIENT_TIMEOUT=30

# --- helpers ------------------------------------------------------------------

# flow_env NAME: a fresh user for flow NAME: HOME, XDG dirs, a Docker config
# with credHelpers for both GitHub registry hosts, containers storage for
# podman, and the backend under test.
flow_env() {
	FD=$E2E_T/$BACKEND/$1
	export HOME=$FD/home
	export XDG_CONFIG_HOME=$HOME/.config XDG_DATA_HOME=$HOME/.local/share
	export XDG_CACHE_HOME=$HOME/.cache XDG_RUNTIME_DIR=$FD/run
	export DOCKER_CONFIG=$HOME/.docker
	mkdir -p "$DOCKER_CONFIG" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$FD/podman"
	mkdir -m 0700 -p "$XDG_RUNTIME_DIR"
	printf '%s\n' '{"credHelpers":{"ghcr.io":"ghcr","docker.pkg.github.com":"ghcr"}}' \
		> "$DOCKER_CONFIG/config.json"
	printf '[storage]\ndriver = "vfs"\ngraphroot = "%s"\nrunroot = "%s"\n' \
		"$FD/podman/root" "$FD/podman/run" > "$FD/podman/storage.conf"
	printf '[engine]\nevents_logger = "file"\nevents_logfile_path = "%s"\ncgroup_manager = "cgroupfs"\ntmp_dir = "%s"\n[network]\nnetwork_config_dir = "%s"\n' \
		"$FD/podman/events.log" "$FD/podman/tmp" "$FD/podman/networks" > "$FD/podman/containers.conf"
	# Signature look-aside in the flow's own dir, not /var/lib/containers
	# (which an unprivileged run cannot read).
	mkdir -p "$XDG_CONFIG_HOME/containers/registries.d"
	printf 'default-docker:\n  sigstore: file://%s\n' "$FD/sigstore" \
		> "$XDG_CONFIG_HOME/containers/registries.d/default.yaml"
	export CONTAINERS_STORAGE_CONF=$FD/podman/storage.conf
	export CONTAINERS_CONF=$FD/podman/containers.conf
	export DOCKER_CREDENTIAL_GHCR_BACKEND=$BACKEND
	OUT=$FD/out
}

# flow_need FLOW TOOL...: true when the tools are there; else a skip (a
# failure in CI).
flow_need() {
	local flow=$1 tool
	shift
	for tool in "$@"; do
		if ! t_need "$tool"; then
			if [ "${CI:-}" = true ]; then t_fail "$BACKEND/$flow" "$tool not installed (CI installs it)"
			else t_skip "$BACKEND/$flow" "$tool not installed"; fi
			return 1
		fi
	done
}

# run CMD...: runs CMD with stdin from $IN (default: none), output in $OUT,
# bounded in time; returns its status.
run() {
	timeout "$CLIENT_TIMEOUT" "$@" < "${IN:-/dev/null}" > "$OUT" 2>&1
}

# last_lines: the tail of the last command's output, for a failure message.
last_lines() { tail -n 3 "$OUT" | tr '\n' ' ' | cut -c1-400; }

# ok NAME CMD...: CMD must succeed.
ok() {
	local name=$1
	shift
	if run "$@"; then t_pass "$BACKEND/$name"
	else t_fail "$BACKEND/$name" "expected success, got exit $? with: $(last_lines)"; fi
}

# refused NAME CMD...: CMD must fail, saying it was not let in.
refused() {
	local name=$1 rc
	shift
	run "$@"
	rc=$?
	if [ "$rc" -eq 0 ]; then
		t_fail "$BACKEND/$name" "expected refusal, got success: $(last_lines)"
	elif grep -qiE "$REFUSED" "$OUT"; then
		t_pass "$BACKEND/$name"
	else
		t_fail "$BACKEND/$name" "expected an authentication refusal, got exit $rc with: $(last_lines)"
	fi
}

# helper_get_is NAME SERVER USER SECRET: `get SERVER` answers USER/SECRET.
helper_get_is() {
	local name=$1 server=$2 user=$3 secret=$4 got_user got_secret
	if ! printf '%s' "$server" | timeout 10 docker-credential-ghcr get > "$OUT" 2>"$OUT.err"; then
		t_fail "$BACKEND/$name" "get $server: expected credentials, got: $(cat "$OUT") $(head -c 300 "$OUT.err")"
		return
	fi
	got_user=$(jq -r .Username "$OUT" 2>/dev/null)
	got_secret=$(jq -r .Secret "$OUT" 2>/dev/null)
	if [ "$got_user" != "$user" ]; then
		t_fail "$BACKEND/$name" "get $server: expected Username '$user', got '$got_user'"
	elif [ "$got_secret" != "$secret" ]; then
		t_fail "$BACKEND/$name" "get $server: Username right but Secret is not the token (${#got_secret} chars)"
	else
		t_pass "$BACKEND/$name"
	fi
}

# helper_get_none NAME SERVER: `get SERVER` says not found, exit 1.
helper_get_none() {
	local name=$1 server=$2 rc
	printf '%s' "$server" | timeout 10 docker-credential-ghcr get > "$OUT" 2>"$OUT.err"
	rc=$?
	if [ "$rc" -eq 1 ] && [ "$(cat "$OUT")" = "$NOT_FOUND" ]; then
		t_pass "$BACKEND/$name"
	elif [ "$rc" -eq 0 ]; then
		t_fail "$BACKEND/$name" "get $server: expected '$NOT_FOUND', got credentials for '$(jq -r .Username "$OUT" 2>/dev/null)'"
	else
		t_fail "$BACKEND/$name" "get $server: expected exit 1 '$NOT_FOUND', got exit $rc '$(head -c 200 "$OUT")' $(head -c 200 "$OUT.err")"
	fi
}

# helper_store SERVER USER SECRET-FILE: `store` as a client would call it.
helper_store() {
	jq -nc --arg s "$1" --arg u "$2" --rawfile p "$3" \
		'{ServerURL:$s,Username:$u,Secret:$p}' |
		timeout 10 docker-credential-ghcr store > "$OUT" 2>&1
}

# no_secret_in NAME DIR SECRET: no file under DIR holds SECRET in plain text,
# nor base64-encoded as Docker's "auth" field would ("user:secret").
no_secret_in() {
	local name=$1 dir=$2 secret=$3 b64 hits
	b64=$(printf '%s:%s' "$E2E_USER" "$secret" | base64 -w0)
	hits=$( { grep -rlF -- "$secret" "$dir"; grep -rlF -- "$b64" "$dir"; } 2>/dev/null | sort -u | tr '\n' ' ')
	if [ -z "$hits" ]; then t_pass "$BACKEND/$name"
	else t_fail "$BACKEND/$name" "expected no token under $dir, found it in: $hits"; fi
}

# digest_is NAME IMAGE-REF: skopeo reads IMAGE-REF back and it is this run's
# image.
digest_is() {
	local name=$1 ref=$2 got
	if ! run skopeo inspect "$ref"; then
		t_fail "$BACKEND/$name" "skopeo inspect $ref failed: $(last_lines)"
		return
	fi
	got=$(jq -r .Digest "$OUT" 2>/dev/null)
	t_equal "$BACKEND/$name" "$E2E_IMAGE_DIGEST" "$got"
}

# keyring_has NAME SERVER SECRET: the real keyring, read with secret-tool
# (not through the helper), holds SECRET for SERVER under the helper's
# schema.  keyring_lacks NAME SERVER: it holds nothing for SERVER.
SCHEMA=io.github.docker-credential-ghcr
keyring_has() {
	local got
	t_need secret-tool || { t_skip "$BACKEND/$1" "secret-tool not installed"; return; }
	got=$(timeout 10 secret-tool lookup xdg:schema "$SCHEMA" server "$2" 2>/dev/null)
	if [ "$got" = "$3" ]; then t_pass "$BACKEND/$1"
	elif [ -z "$got" ]; then t_fail "$BACKEND/$1" "expected a $SCHEMA item for $2 in the keyring, found none"
	else t_fail "$BACKEND/$1" "the keyring's $SCHEMA item for $2 holds another secret (${#got} chars)"; fi
}
keyring_lacks() {
	t_need secret-tool || { t_skip "$BACKEND/$1" "secret-tool not installed"; return; }
	if timeout 10 secret-tool search xdg:schema "$SCHEMA" server "$2" 2>/dev/null | grep -q .; then
		t_fail "$BACKEND/$1" "expected no $SCHEMA item for $2 in the keyring, found one"
	else
		t_pass "$BACKEND/$1"
	fi
}

# home_snapshot: every path under HOME with its type, size and mtime.
home_snapshot() { find "$HOME" -printf '%P %y %s %T@\n' | sort; }

# --- flows --------------------------------------------------------------------

# 1. Laptop: docker login stores through the helper, skopeo uses that login,
# docker logout erases it, and a wrong token is refused and not stored.
flow_laptop() {
	flow_need laptop docker skopeo || return
	flow_env laptop
	local image=ghcr.io/$E2E_USER/e2e-laptop-$BACKEND:v1

	IN=$E2E_TOKEN_FILE ok "laptop: docker login ghcr.io --password-stdin" \
		docker login ghcr.io -u "$E2E_USER" --password-stdin
	helper_get_is "laptop: helper get answers the login" ghcr.io "$E2E_USER" "$TOKEN"
	no_secret_in "laptop: no token in any file under DOCKER_CONFIG" "$DOCKER_CONFIG" "$TOKEN"
	t_equal "$BACKEND/laptop: config.json keeps credHelpers for ghcr.io" ghcr \
		"$(jq -r '.credHelpers["ghcr.io"]' "$DOCKER_CONFIG/config.json" 2>/dev/null)"
	no_secret_in "laptop: no plaintext token anywhere under HOME" "$HOME" "$TOKEN"
	if [ "$BACKEND" = file ]; then
		local files
		files=$(find "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" -type f 2>/dev/null | wc -l)
		if [ "$files" -gt 0 ]; then t_pass "$BACKEND/laptop: file store created under XDG dirs"
		else t_fail "$BACKEND/laptop: file store created under XDG dirs" "expected a store file under $XDG_DATA_HOME or $XDG_CONFIG_HOME, found none"; fi
	else
		DOCKER_CREDENTIAL_GHCR_BACKEND=file helper_get_none \
			"laptop: login went to the keyring, not the file store" ghcr.io
		keyring_has "laptop: the keyring holds the token (secret-tool)" ghcr.io "$TOKEN"
	fi

	ok "laptop: skopeo copy pushes $image" \
		skopeo copy "oci:$E2E_IMAGE:latest" "docker://$image"
	digest_is "laptop: skopeo inspect reads the pushed image" "docker://$image"

	ok "laptop: docker logout ghcr.io" docker logout ghcr.io
	helper_get_none "laptop: logout erased the credential" ghcr.io
	[ "$BACKEND" = secretservice ] &&
		keyring_lacks "laptop: logout removed the keyring item (secret-tool)" ghcr.io
	refused "laptop: registry refuses skopeo after logout" \
		skopeo inspect "docker://$image"

	IN=$E2E_WRONG_FILE refused "laptop: docker login with a wrong token fails" \
		docker login ghcr.io -u "$E2E_USER" --password-stdin
	helper_get_none "laptop: wrong token not stored" ghcr.io
	if timeout 10 docker-credential-ghcr list > "$OUT" 2>&1 &&
		[ "$(jq -r 'has("ghcr.io")' "$OUT" 2>/dev/null)" = false ]; then
		t_pass "$BACKEND/laptop: list has no ghcr.io after the wrong login"
	else
		t_fail "$BACKEND/laptop: list has no ghcr.io after the wrong login" \
			"expected a JSON object without ghcr.io, got: $(head -c 200 "$OUT")"
	fi
}

# 2. podman: login and logout with an auth file carrying credHelpers store
# and erase through the helper; podman's push and pull use it in between.
flow_podman() {
	flow_need podman podman || return
	flow_env podman
	local authfile=$FD/auth.json image=ghcr.io/$E2E_USER/e2e-podman-$BACKEND:v1
	printf '%s\n' '{"credHelpers":{"ghcr.io":"ghcr","docker.pkg.github.com":"ghcr"}}' > "$authfile"

	IN=$E2E_TOKEN_FILE ok "podman: podman login ghcr.io --password-stdin" \
		podman login --authfile "$authfile" ghcr.io -u "$E2E_USER" --password-stdin
	helper_get_is "podman: helper get answers podman's login" ghcr.io "$E2E_USER" "$TOKEN"
	[ "$BACKEND" = secretservice ] &&
		keyring_has "podman: the keyring holds the token (secret-tool)" ghcr.io "$TOKEN"
	no_secret_in "podman: no token in the auth file" "$authfile" "$TOKEN"
	no_secret_in "podman: no plaintext token under HOME" "$HOME" "$TOKEN"

	local id got
	ok "podman: podman pull oci layout (local, no auth)" \
		podman pull -q "oci:$E2E_IMAGE:latest"
	id=$(tail -n 1 "$OUT")
	ok "podman: podman push $image" \
		podman push --authfile "$authfile" "$id" "docker://$image"
	run podman rmi -f "$id"
	ok "podman: podman pull $image" podman pull -q --authfile "$authfile" "$image"
	got=$(tail -n 1 "$OUT")
	t_equal "$BACKEND/podman: pulled image is the one pushed (image ID)" "$id" "$got"

	ok "podman: podman logout ghcr.io" podman logout --authfile "$authfile" ghcr.io
	helper_get_none "podman: logout erased the credential" ghcr.io
	[ "$BACKEND" = secretservice ] &&
		keyring_lacks "podman: logout removed the keyring item (secret-tool)" ghcr.io
	refused "podman: registry refuses podman pull after logout" \
		podman pull --authfile "$authfile" "$image"
}

# 3. Actions: no login step; GITHUB_TOKEN answers for both GitHub registry
# hosts, a run without it is refused, nothing is written under HOME, and a
# store inside Actions lands in the job-scoped store under RUNNER_TEMP.
flow_actions() {
	flow_need actions skopeo || return
	flow_env actions
	export GITHUB_ACTIONS=true GITHUB_ACTOR=$E2E_USER GITHUB_TOKEN=$TOKEN
	export RUNNER_TEMP=$FD/runner-temp
	mkdir -p "$RUNNER_TEMP"
	# The file run uses the default (auto), which inside Actions must pick
	# the job-scoped file store; the keyring run names its backend.
	[ "$BACKEND" = file ] && unset DOCKER_CREDENTIAL_GHCR_BACKEND
	local before image=ghcr.io/$E2E_USER/e2e-actions-$BACKEND:v1
	local pkg=docker.pkg.github.com/$E2E_USER/e2e-repo/e2e-actions-$BACKEND:v1
	before=$(home_snapshot)

	helper_get_is "actions: helper get answers GITHUB_TOKEN for ghcr.io" \
		ghcr.io "$E2E_USER" "$TOKEN"
	ok "actions: skopeo pushes $image with no login" \
		skopeo copy "oci:$E2E_IMAGE:latest" "docker://$image"
	digest_is "actions: skopeo inspect reads it back" "docker://$image"
	ok "actions: skopeo pushes $pkg with no login" \
		skopeo copy "oci:$E2E_IMAGE:latest" "docker://$pkg"
	digest_is "actions: skopeo inspect reads docker.pkg.github.com back" "docker://$pkg"

	(
		unset GITHUB_TOKEN GH_TOKEN
		helper_get_none "actions: without GITHUB_TOKEN get finds nothing" ghcr.io
		refused "actions: without GITHUB_TOKEN the push is refused" \
			skopeo copy "oci:$E2E_IMAGE:latest" "docker://$image-control"
		echo "$T_PASSED $T_FAILED $T_SKIPPED" > "$FD/control.counts"
	)
	read -r T_PASSED T_FAILED T_SKIPPED < "$FD/control.counts"

	# A login inside Actions (what docker/login-action does) with the
	# default backend: kept under RUNNER_TEMP, encrypted, and erasable.
	(
		unset DOCKER_CREDENTIAL_GHCR_BACKEND
		if helper_store ghcr.io "$E2E_USER" "$E2E_TOKEN_FILE"; then
			t_pass "$BACKEND/actions: store inside Actions (auto backend)"
		else
			t_fail "$BACKEND/actions: store inside Actions (auto backend)" "expected success, got: $(head -c 300 "$OUT")"
		fi
		local n
		n=$(find "$RUNNER_TEMP/docker-credential-ghcr" -type f 2>/dev/null | wc -l)
		if [ "$n" -gt 0 ]; then t_pass "$BACKEND/actions: job-scoped store under RUNNER_TEMP/docker-credential-ghcr"
		else t_fail "$BACKEND/actions: job-scoped store under RUNNER_TEMP/docker-credential-ghcr" "expected store files there, found none"; fi
		no_secret_in "actions: no plaintext token under RUNNER_TEMP" "$RUNNER_TEMP" "$TOKEN"
		# Inside Actions, auto prefers the job-scoped store to a keyring.
		[ "$BACKEND" = secretservice ] &&
			keyring_lacks "actions: auto store inside Actions left the keyring alone" ghcr.io
		if printf ghcr.io | timeout 10 docker-credential-ghcr erase > "$OUT" 2>&1; then
			t_pass "$BACKEND/actions: erase inside Actions"
		else
			t_fail "$BACKEND/actions: erase inside Actions" "expected success, got: $(head -c 300 "$OUT")"
		fi
		echo "$T_PASSED $T_FAILED $T_SKIPPED" > "$FD/store.counts"
	)
	read -r T_PASSED T_FAILED T_SKIPPED < "$FD/store.counts"

	[ "$BACKEND" = secretservice ] &&
		keyring_lacks "actions: the ambient token was never put in the keyring" ghcr.io
	t_equal "$BACKEND/actions: nothing written under HOME" "$before" "$(home_snapshot)"
}

# 4. Identity token: a "<token>" username stored through `store` reaches the
# client as an identity token: skopeo (containers/image) trades it at the
# registry's token server with an OAuth2 refresh_token grant, which is the
# only grant that server accepts.
flow_idtoken() {
	flow_need idtoken skopeo || return
	flow_env idtoken
	local image=ghcr.io/$E2E_USER/e2e-idtoken-$BACKEND:v1 mark
	mark=$(wc -l < "$E2E_TOKENSERVER_LOG")
	# since_mark: the token server's log lines written during this step.
	since_mark() { tail -n +"$((mark + 1))" "$E2E_TOKENSERVER_LOG"; }

	if helper_store ghcr.io '<token>' "$E2E_IDTOKEN_FILE"; then
		t_pass "$BACKEND/idtoken: store with Username <token>"
	else
		t_fail "$BACKEND/idtoken: store with Username <token>" "expected success, got: $(head -c 300 "$OUT")"
	fi
	helper_get_is "idtoken: get answers Username <token> and the identity token" \
		ghcr.io '<token>' "$IDTOKEN"
	[ "$BACKEND" = secretservice ] &&
		keyring_has "idtoken: the keyring holds the identity token (secret-tool)" ghcr.io "$IDTOKEN"

	ok "idtoken: skopeo pushes $image with the identity token" \
		skopeo copy "oci:$E2E_IMAGE:latest" "docker://$image"
	digest_is "idtoken: skopeo inspect reads it back" "docker://$image"
	if since_mark | grep -q '^POST grant=refresh_token ok' &&
		! since_mark | grep -q '^GET basic'; then
		t_pass "$BACKEND/idtoken: client used an OAuth2 refresh_token grant, not Basic"
	else
		t_fail "$BACKEND/idtoken: client used an OAuth2 refresh_token grant, not Basic" \
			"token server saw: $(since_mark | sort | uniq -c | tr '\n' ';')"
	fi

	# The docker CLI's own registry client (no daemon): `docker manifest
	# inspect` reads credHelpers and must trade the identity token too.
	if t_need docker; then
		mark=$(wc -l < "$E2E_TOKENSERVER_LOG")
		ok "idtoken: docker manifest inspect with the identity token" \
			docker manifest inspect "$image"
		if since_mark | grep -q '^POST grant=refresh_token ok' &&
			! since_mark | grep -q '^GET basic'; then
			t_pass "$BACKEND/idtoken: docker CLI used the refresh_token grant"
		else
			t_fail "$BACKEND/idtoken: docker CLI used the refresh_token grant" \
				"token server saw: $(since_mark | sort | uniq -c | tr '\n' ';')"
		fi
	fi

	mark=$(wc -l < "$E2E_TOKENSERVER_LOG")
	helper_store ghcr.io '<token>' "$E2E_WRONG_FILE"
	refused "idtoken: a wrong identity token is refused" skopeo inspect "docker://$image"
	if since_mark | grep -q '^POST grant=refresh_token refused'; then
		t_pass "$BACKEND/idtoken: the wrong identity token reached the token server"
	else
		t_fail "$BACKEND/idtoken: the wrong identity token reached the token server" \
			"token server saw: $(since_mark | sort | uniq -c | tr '\n' ';')"
	fi

	ok "idtoken: erase" sh -c 'printf ghcr.io | docker-credential-ghcr erase'
	helper_get_none "idtoken: erased" ghcr.io
	refused "idtoken: registry refuses skopeo after erase" skopeo inspect "docker://$image"
}

# 5. ghkeyring: a laptop whose only login is the GitHub CLI's, kept in the
# system keyring (hosts.yml names the account, no token): no docker login,
# the helper's own store is the file backend, and skopeo and the docker CLI
# push to and pull from ghcr.io with gh's token.  gh's item is written as
# gh writes it (tests/secretservice/gh_keyring_item.py), not by the helper.
flow_ghkeyring() {
	flow_need ghkeyring skopeo docker secret-tool /usr/bin/python3 || return
	flow_env ghkeyring
	export DOCKER_CREDENTIAL_GHCR_BACKEND=file
	local image=ghcr.io/$E2E_USER/e2e-ghkeyring:v1
	mkdir -p "$XDG_CONFIG_HOME/gh"
	printf 'github.com:\n    users:\n        %s:\n    git_protocol: https\n    user: %s\n' \
		"$E2E_USER" "$E2E_USER" > "$XDG_CONFIG_HOME/gh/hosts.yml"
	if /usr/bin/python3 "$T_ROOT/tests/secretservice/gh_keyring_item.py" set github.com "$E2E_USER" \
		< "$E2E_TOKEN_FILE" > "$OUT" 2>&1; then
		t_pass "$BACKEND/ghkeyring: gh's keyring item written as gh writes it"
	else
		t_fail "$BACKEND/ghkeyring: gh's keyring item written as gh writes it" "$(last_lines)"
		return
	fi
	helper_get_is "ghkeyring: get answers gh's keyring login (backend=file)" ghcr.io "$E2E_USER" "$TOKEN"
	no_secret_in "ghkeyring: no token in any file under HOME" "$HOME" "$TOKEN"

	ok "ghkeyring: skopeo copy pushes $image" \
		skopeo copy "oci:$E2E_IMAGE:latest" "docker://$image"
	digest_is "ghkeyring: skopeo inspect pulls it back" "docker://$image"
	# The rig has no daemon: the docker CLI's own registry client pulls.
	# (Its `manifest push` pings http://ghcr.io/v2/ first for a loopback
	# registry, which this TLS-only rig does not serve, so the push side
	# is skopeo's.)
	ok "ghkeyring: docker manifest inspect pulls $image" docker manifest inspect "$image"

	# Without gh's login the registry refuses: the keyring item was it.
	/usr/bin/python3 "$T_ROOT/tests/secretservice/gh_keyring_item.py" delete github.com "$E2E_USER"
	helper_get_none "ghkeyring: without gh's item, nothing answers" ghcr.io
	refused "ghkeyring: registry refuses skopeo without gh's login" \
		skopeo inspect "docker://$image"
}

# --- main ---------------------------------------------------------------------

for flow in "$@"; do
	echo "# $BACKEND: $flow"
	start=$(date +%s%N)
	(
		T_PASSED=0 T_FAILED=0 T_SKIPPED=0
		"flow_$flow"
		echo "$T_PASSED $T_FAILED $T_SKIPPED" > "$E2E_T/$BACKEND.$flow.counts"
	)
	if read -r p f s < "$E2E_T/$BACKEND.$flow.counts" 2>/dev/null; then
		T_PASSED=$((T_PASSED + p)) T_FAILED=$((T_FAILED + f)) T_SKIPPED=$((T_SKIPPED + s))
	else
		t_fail "$BACKEND/$flow" "the flow ended early (no counts)"
	fi
	echo "# $BACKEND: $flow took $((($(date +%s%N) - start) / 1000000)) ms"
done
echo "$T_PASSED $T_FAILED $T_SKIPPED" > "${E2E_COUNTS:-/dev/null}"
