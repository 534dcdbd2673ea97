#!/bin/bash
# Kubelet pulls: the stand-in kubelet (standin_kubelet.py, written after the
# kubelet's plugin.go and keyring.go) runs the built `docker-credential-ghcr
# kubelet` as the kubelet would, picks credentials by the kubelet's rules,
# and pulls with skopeo, one credential after the other, from three Debian
# docker-registry instances with token auth over TLS, inside private
# namespaces (the rig of tests/rig.sh):
#   ghcr.io                  127.0.0.1  org-a's and org-b's images (only their
#                                       own identity pulls them), a personal
#                                       namespace (only the host-wide identity),
#                                       a look-alike org-ab, a public image;
#   containers.ghes.example  127.0.0.2  a GHES registry (only its identity);
#   registry.example.com     127.0.0.3  a foreign registry (public image).
# One token server (tests/check/standins.py, each token limited to its owners
# and its registry) logs who presented which token for what, so each case
# proves which credential was offered, and that none was offered where it
# must not be.  The stand-in's own rules are checked first (--self-test),
# and its Go rules against Go's own answers (gorules_check.py, with go).
# The kubelet's environment is the stand-in's own (`env -i PATH=...`: no
# HOME, as under systemd) plus the config's env, which names the store.
# Prints one `N passed, N failed` line.
#
# usage: tests/kubelet/pulls.sh     (root, or unprivileged with user namespaces)

set -u
KP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$KP_DIR/../lib.sh"
. "$KP_DIR/../rig.sh"

PYTHON=python3
[ -x /usr/bin/python3 ] && PYTHON=/usr/bin/python3

rig_need "kubelet pulls rig" docker-registry openssl unshare ip python3 timeout skopeo base64
[ -x "$T_HELPER" ] || rig_abort "kubelet pulls rig" "helper $T_HELPER not built (run make)"
"$PYTHON" -c 'import yaml' 2>/dev/null ||
	{ missing "kubelet pulls rig" "python3-yaml not installed"; t_summary; exit; }

rig_enter_namespace KUBELET_PULLS_IN_NAMESPACE "$@" ||
	{ missing "kubelet pulls rig" "cannot create private namespaces ($RIG_UNSHARE)"; t_summary; exit; }

KP_START=$(date +%s%N)
ip link set lo up || rig_abort "kubelet pulls rig" "cannot bring up loopback"
T=$(rig_tmpdir ghcr-kubelet) || rig_abort "kubelet pulls rig" "cannot create a directory in /tmp"
PIDS=
cleanup() {
	local pid
	for pid in $PIDS; do
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	umount /var/lib/containers /etc/hosts 2>/dev/null
	if [ -n "${KP_KEEP:-}" ]; then echo "kubelet pulls: kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 0. the stand-in's own rules, before it is trusted -------------------------
"$PYTHON" -B "$KP_DIR/standin_kubelet.py" --self-test > "$T/selftest.out" 2>&1
grep '^FAIL' "$T/selftest.out"
t_equal "stand-in kubelet: its self-tests of plugin.go's and keyring.go's rules" \
	"self-test: $(grep -c '^ok' "$T/selftest.out") passed, 0 failed" "$(tail -1 "$T/selftest.out")"

# Its Go rules (durations, globs, URLs, host:port) against Go's own answers.
if t_need go; then
	"$PYTHON" -B "$KP_DIR/gorules_check.py" "$T/go" "$(date +%j)" > "$T/gorules.out" 2>&1
	grep '^FAIL' -A5 "$T/gorules.out"
	t_equal "stand-in kubelet: its Go rules answer as Go does (seeded random cases)" \
		"gorules: 4 passed, 0 failed" "$(tail -1 "$T/gorules.out")"
else
	missing "stand-in kubelet: its Go rules against Go's" "go (golang-go) not installed"
fi

# --- the rig -----------------------------------------------------------------
GHES=containers.ghes.example FOREIGN=registry.example.com
if ! rig_ca "$T" ghcr.io "$GHES" "$FOREIGN" api.github.test || ! rig_signer "$T" 'kubelet token signer'; then
	rig_abort "kubelet pulls rig: certificates" "openssl failed: $(tail -3 "$T/openssl.log")"
fi
rig_hosts "$T" '127.0.0.1 localhost ghcr.io api.github.test' "127.0.0.2 $GHES" "127.0.0.3 $FOREIGN" ||
	rig_abort "kubelet pulls rig: /etc/hosts" "cannot map the test names"
# skopeo keeps a blob cache under /var/lib/containers as root: private here.
mkdir -p /var/lib/containers 2>/dev/null && mount -t tmpfs kubelet-containers /var/lib/containers

# Tokens, in files and JSON only, never on a command line.  Each is limited
# to some repository owners (public repositories aside) on one registry.
tok() { printf 'ghp_%s' "$(openssl rand -hex 18)"; }
ORG_A=$(tok) ORG_B=$(tok) PERSONAL=$(tok) GHES_TOKEN=$(tok) LAPSED=$(tok) DEAD=$(tok) PUSHER=$(tok)
SOON=$(tok)
NOW=$(date +%s) DAY=86400
cat > "$T/tokens.json" <<EOF
{
 "$ORG_A": {"kind": "pull", "who": "org-a-bot", "owners": ["org-a"], "service": "ghcr.io"},
 "$ORG_B": {"kind": "pull", "who": "org-b-bot", "owners": ["org-b"], "service": "ghcr.io"},
 "$PERSONAL": {"kind": "pull", "who": "octocat", "owners": ["octocat", "org-ab"], "service": "ghcr.io",
               "scopes": "read:packages", "expires": $((NOW + 10 * DAY))},
 "$GHES_TOKEN": {"kind": "pull", "who": "ghes-bot", "owners": ["team"], "service": "$GHES"},
 "$LAPSED": {"kind": "pull", "who": "lapsed", "owners": ["octocat"], "service": "ghcr.io",
             "scopes": "read:packages", "expires": $((NOW - DAY))},
 "$SOON": {"kind": "pull", "who": "octocat-soon", "owners": ["octocat"], "service": "ghcr.io",
           "scopes": "read:packages", "expires": $((NOW + 600))},
 "$DEAD": {"kind": "expired", "who": "dead"},
 "$PUSHER": {"kind": "push", "who": "pusher"}
}
EOF
ALL_TOKENS="$ORG_A $ORG_B $PERSONAL $GHES_TOKEN $LAPSED $DEAD $PUSHER $SOON"
LOG=$T/standins.log
cat > "$T/standins.json" <<EOF
{"tokens": "$T/tokens.json", "log": "$LOG", "cert": "$T/server.crt",
 "key": "$T/server.key", "sign_cert": "$T/sign.crt", "sign_key": "$T/sign.key",
 "issuer": "kubelet-token-issuer", "public": ["pubs/public", "vendor/tool"]}
EOF
"$PYTHON" "$T_ROOT/tests/check/standins.py" "$T/standins.json" 2> "$T/standins.err" &
PIDS="$PIDS $!"

# registry ADDRESS SERVICE: a docker-registry answering as SERVICE on
# ADDRESS:443, its tokens from the one token server.
registry() {
	local dir=$T/registry-$2
	mkdir -p "$dir"
	rig_registry_config "$dir/registry.yml" "$dir/data" kubelet-not-a-secret "  token:
    realm: https://ghcr.io:5001/token
    service: $2
    issuer: kubelet-token-issuer
    rootcertbundle: $T/ca.crt"
	sed -i -e "s/127.0.0.1:443/$1:443/" -e "s#$dir/server#$T/server#" "$dir/registry.yml"
	docker-registry serve "$dir/registry.yml" >> "$dir/registry.log" 2>&1 &
	PIDS="$PIDS $!"
}
registry 127.0.0.1 ghcr.io
registry 127.0.0.2 "$GHES"
registry 127.0.0.3 "$FOREIGN"
"$T_ROOT/tests/e2e/mkimage.sh" "$T/image" "kubelet-$$-$(date +%s%N)" > "$T/image.digest" ||
	rig_abort "kubelet pulls rig: test image" "mkimage.sh failed"
DIGEST=$(cat "$T/image.digest")
for port in 443 5001 8443; do
	rig_wait_port "$port" ||
		rig_abort "kubelet pulls rig: port $port" "nothing listens: $(tail -3 "$T"/registry-*/registry.log "$T/standins.err")"
done

# authfile FILE USER TOKEN HOST...: a skopeo auth file for HOSTs (the token
# goes through printf and base64's stdin, never a command line).
authfile() {
	local file=$1 user=$2 token=$3 auth host sep=
	shift 3
	auth=$(printf '%s:%s' "$user" "$token" | base64 -w0)
	{
		printf '{"auths":{'
		for host in "$@"; do printf '%s"%s":{"auth":"%s"}' "$sep" "$host" "$auth"; sep=,; done
		printf '}}'
	} > "$file"
	chmod 600 "$file"
}
export SSL_CERT_FILE=$T/ca.crt
authfile "$T/pusher.json" pusher "$PUSHER" ghcr.io "$GHES" "$FOREIGN"
IMAGES="ghcr.io/org-a/app ghcr.io/org-b/app ghcr.io/octocat/private ghcr.io/org-ab/x ghcr.io/pubs/public $GHES/team/app $FOREIGN/vendor/tool"
for image in $IMAGES; do
	if ! HOME=$T timeout 60 skopeo copy --retry-times 0 --dest-authfile "$T/pusher.json" \
		"oci:$T/image:latest" "docker://$image:v1" > "$T/push.log" 2>&1; then
		rig_abort "kubelet pulls rig: push $image" "$(tail -3 "$T/push.log")"
	fi
done
echo "kubelet pulls: rig up in $((($(date +%s%N) - KP_START) / 1000000)) ms"

# --- the node: the helper's store, logged in as an operator would -------------
t_scrub_env
unset https_proxy HTTPS_PROXY http_proxy HTTP_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY \
	CURL_CA_BUNDLE SSL_CERT_DIR
export SSL_CERT_FILE=$T/ca.crt HOME=$T/home DOCKER_CREDENTIAL_GHCR_GH_CLI=off
export DOCKER_CREDENTIAL_GHCR_GITHUB_API=https://api.github.test:8443/
mkdir -p "$HOME" "$T/bin" "$T/pulls"
ln -s "$T_HELPER" "$T/bin/docker-credential-ghcr"
H=$T_HELPER

# node NAME: the helper's environment for the store $T/NAME (the config's env).
node_env() {
	printf '%s\n' DOCKER_CREDENTIAL_GHCR_BACKEND=file "DOCKER_CREDENTIAL_GHCR_STORE=$T/$1/store" \
		"DOCKER_CREDENTIAL_GHCR_KEY_FILE=$T/$1/key" DOCKER_CREDENTIAL_GHCR_GITHUB_SERVER=ghes.example
}
# login NODE TOKEN SERVER USER [--no-verify]: logs NODE in (token on stdin).
login() {
	local node=$1 token=$2 vars
	shift 2
	[ -d "$T/$node" ] || mkdir -m 700 "$T/$node"
	mapfile -t vars < <(node_env "$node")
	printf '%s' "$token" | env "${vars[@]}" "$H" login "$1" -u "$2" --password-stdin "${@:3}" \
		>> "$T/login.out" 2>> "$T/login.err"
}
# config NODE MATCH...: a CredentialProviderConfig for NODE's store, for
# the plugin API version $API (v1 unless set).
API=v1
config() {
	local node=$1 m kv
	shift
	{
		printf 'apiVersion: kubelet.config.k8s.io/v1\nkind: CredentialProviderConfig\nproviders:\n'
		printf '  - name: docker-credential-ghcr\n    matchImages:\n'
		for m in "$@"; do printf '      - "%s"\n' "$m"; done
		printf '    defaultCacheDuration: 1m\n    apiVersion: credentialprovider.kubelet.k8s.io/%s\n' "$API"
		printf '    args: [kubelet]\n    env:\n'
		for kv in $(node_env "$node"); do printf '      - {name: %s, value: "%s"}\n' "${kv%%=*}" "${kv#*=}"; done
	} > "$T/$node.yaml"
}
N=0
# kubelet NODE IMAGE...: the stand-in pulls IMAGEs in one process (its cache
# lives across them); $out holds what it said, $rc its status.  The
# kubelet's own environment is PATH only (no HOME, as under systemd), plus
# the names in $KUBELET_ENV.
KUBELET_ENV=
kubelet() {
	local node=$1
	shift
	N=$((N + 1))
	PATH=/usr/sbin:/usr/bin:/sbin:/bin "$PYTHON" -B "$KP_DIR/standin_kubelet.py" \
		--config "$T/$node.yaml" --bin-dir "$T/bin" --ca "$T/ca.crt" --work "$T/pulls" \
		--kubelet-env "PATH${KUBELET_ENV:+,$KUBELET_ENV}" pull "$@" > "$T/kubelet.$N" 2>&1
	rc=$?
	out=$(cat "$T/kubelet.$N")
	cat "$T/kubelet.$N" >> "$T/outputs"
	[ -z "${KP_SHOW:-}" ] || printf -- '--- kubelet %s\n%s\n' "$*" "$out"
}
# section IMAGE: the stand-in's lines about IMAGE.
section() {
	printf '%s\n' "$out" | awk -v img="image $1 " 'index($0, img) == 1 { on = 1; print; next }
		/^image / { on = 0 } on'
}
t_has() {
	case $2 in
	*"$3"*) t_pass "$1" ;;
	*) t_fail "$1" "expected '$3' in: $(printf '%s' "$2" | head -c 1500)" ;;
	esac
}
t_lacks() {
	case $2 in
	*"$3"*) t_fail "$1" "did not expect '$3' in: $(printf '%s' "$2" | head -c 1500)" ;;
	*) t_pass "$1" ;;
	esac
}
log_mark() { wc -l < "$LOG"; }
log_since() { tail -n +"$(($1 + 1))" "$LOG"; }
# pull_as USER TOKEN IMAGE: a direct pull with one credential, for controls.
pull_as() {
	authfile "$T/one.json" "$1" "$2" "${3%%/*}"
	HOME=$T timeout 60 skopeo copy --retry-times 0 --authfile "$T/one.json" \
		"docker://$3:v1" "dir:$T/pulls/one" > "$T/one.log" 2>&1
	local r=$?
	rm -rf "$T/one.json" "$T/pulls/one"
	return $r
}

# The main node: org-a's and org-b's identities, a host-wide one (verified,
# so its expiry is recorded) and the GHES registry's.
login main "$ORG_A" ghcr.io/org-a org-a-bot --no-verify &&
login main "$ORG_B" ghcr.io/org-b org-b-bot --no-verify &&
login main "$PERSONAL" ghcr.io octocat &&
login main "$GHES_TOKEN" "$GHES" ghes-bot --no-verify
t_equal "node: four logins stored (two scoped to an organisation)" 0 $?
config main ghcr.io "$GHES" "$FOREIGN"

# --- controls: the registries' ACLs are real ---------------------------------
pull_as org-a-bot "$ORG_A" ghcr.io/org-a/app
t_equal "control: org-a's token pulls org-a's image" 0 $?
! pull_as org-a-bot "$ORG_A" ghcr.io/org-b/app
t_equal "control: org-a's token cannot pull org-b's image" 0 $?
! pull_as octocat "$PERSONAL" ghcr.io/org-a/app
t_equal "control: the host-wide token cannot pull org-a's image" 0 $?
! pull_as ghes-bot "$GHES_TOKEN" ghcr.io/octocat/private
t_equal "control: the GHES token cannot pull from ghcr.io" 0 $?
! pull_as octocat "$PERSONAL" "$GHES/team/app"
t_equal "control: the ghcr.io token cannot pull from GHES" 0 $?

# --- 1. two organisations and a host-wide identity ---------------------------
mark=$(log_mark)
kubelet main ghcr.io/org-a/app:v1 ghcr.io/org-b/app:v1 ghcr.io/octocat/private:v1
t_equal "orgs: the stand-in pulled all three images" 0 "$rc"
a=$(section ghcr.io/org-a/app:v1) b=$(section ghcr.io/org-b/app:v1) p=$(section ghcr.io/octocat/private:v1)
t_has "org-a: the plugin answered org-a's key and the host-wide one" "$a" "keys=[ghcr.io=octocat ghcr.io/org-a/=org-a-bot]"
t_has "org-a: order org-a-bot, then octocat" "$a" "order: org-a-bot octocat"
t_has "org-a: pulled with org-a-bot at the first attempt" "$a" "attempt 1 (user org-a-bot): pulled $DIGEST"
t_has "org-b: the plugin ran again (cache per image, not org-a's answer)" "$b" "provider docker-credential-ghcr: ran:"
t_has "org-b: order org-b-bot, then octocat" "$b" "order: org-b-bot octocat"
t_has "org-b: pulled with org-b-bot" "$b" "result: pulled with org-b-bot $DIGEST"
t_has "personal namespace: order octocat only" "$p" "order: octocat"
t_has "personal namespace: pulled with octocat" "$p" "result: pulled with octocat $DIGEST"
t_has "token server: org-a's image was pulled with org-a's token" "$(log_since "$mark")" "scope=repository:org-a/app:pull who=org-a-bot service=ghcr.io"
t_has "token server: org-b's image with org-b's token" "$(log_since "$mark")" "scope=repository:org-b/app:pull who=org-b-bot service=ghcr.io"
t_lacks "token server: org-a's token never asked for org-b's image" "$(log_since "$mark" | grep 'org-b/')" "who=org-a-bot"
t_lacks "no GHES identity offered for ghcr.io images" "$a$b$p" "ghes-bot"
# cache_within WHAT SECTION MAX: the answer's cacheDuration is a Go
# duration over 0 and at most MAX seconds (the kubelet keeps the answer that
# long, so it must not outlive what it holds).
cache_within() {
	local dur secs
	dur=$(printf '%s\n' "$2" | sed -n 's/.*cacheDuration=\([^ ]*\) .*/\1/p')
	secs=$("$PYTHON" -B -c 'import sys; sys.path.insert(0, sys.argv[1]); import gorules
print(gorules.go_parse_duration(sys.argv[2]) / 1e9)' "$KP_DIR" "$dur" 2>/dev/null)
	if [ -n "$secs" ] && "$PYTHON" -c 'import sys; sys.exit(not 0 < float(sys.argv[1]) <= float(sys.argv[2]))' "$secs" "$3"; then
		t_pass "$1 ($dur)"
	else
		t_fail "$1" "cacheDuration '$dur', want over 0 and at most $3 s"
	fi
}
cache_within "cacheDuration: within half the host-wide identity's 10 days" "$a" $((5 * DAY))
# An identity that expires in 10 minutes (recorded at login): the kubelet
# must not keep it past 5.
login soon "$SOON" ghcr.io octocat-soon
config soon ghcr.io
kubelet soon ghcr.io/octocat/private:v1
t_has "expiring soon: pulled with it" "$out" "result: pulled with octocat-soon $DIGEST"
cache_within "expiring soon: cacheDuration within half its 10 minutes" "$out" 300

# The same answer in the plugin API's older versions, which the kubelet
# still speaks: the response must come back in the version asked.
for API in v1beta1 v1alpha1; do
	config "main-$API" ghcr.io
	sed -i "s#$T/main-$API/#$T/main/#" "$T/main-$API.yaml"
	kubelet "main-$API" ghcr.io/org-a/app:v1
	t_has "org-a, plugin API $API: order org-a-bot, then octocat" "$out" "order: org-a-bot octocat"
	t_has "org-a, plugin API $API: pulled with org-a-bot" "$out" "result: pulled with org-a-bot $DIGEST"
done
API=v1

# --- 2. a look-alike namespace: org-ab is not org-a ---------------------------
# Right after org-a's image in the same kubelet, so that an answer cached
# for the registry, or a key without its trailing slash, would show here.
mark=$(log_mark)
kubelet main ghcr.io/org-a/app:v1 ghcr.io/org-ab/x:v1
t_equal "look-alike: pulled" 0 "$rc"
x=$(section ghcr.io/org-ab/x:v1)
t_lacks "look-alike: org-a's key is not in the answer" "$(printf '%s\n' "$x" | grep ' provider ')" "ghcr.io/org-a"
t_has "look-alike: order octocat only (the host-wide fallback)" "$x" "order: octocat"
t_has "look-alike: pulled with octocat" "$x" "result: pulled with octocat $DIGEST"
t_lacks "look-alike: the token server never saw org-a's token for org-ab" "$(log_since "$mark" | grep 'org-ab/')" "who=org-a-bot"
t_has "look-alike: ... it saw octocat's for org-ab/x" "$(log_since "$mark")" "scope=repository:org-ab/x:pull who=octocat"

# --- 3. a public image with only an expired identity stored ------------------
# Both a host-wide and an organisation's identity, each verified at login,
# where GitHub said it had expired (the registry still took it).
: > "$T/login.err"
login expired "$LAPSED" ghcr.io lapsed &&
login expired "$LAPSED" ghcr.io/pubs lapsed
t_equal "expired: two logins stored" 0 $?
t_equal "expired: each login recorded GitHub's expiry (yesterday)" 2 \
	"$(grep -c 'GitHub says this token expired' "$T/login.err")"
config expired ghcr.io
mark=$(log_mark)
kubelet expired ghcr.io/pubs/public:v1
t_equal "expired: the public image pulled" 0 "$rc"
t_has "expired: the plugin answered no credential" "$out" "keys=[]"
t_has "expired: order empty" "$out" "order: -"
t_has "expired: pulled anonymously" "$out" "result: pulled anonymously $DIGEST"
t_has "expired: the token server saw an anonymous request" "$(log_since "$mark")" "token anonymous kind=unknown scope=repository:pubs/public:pull"
t_lacks "expired: ... and never the expired token" "$(log_since "$mark")" "who=lapsed"
# The plugin's note about the expired login goes to stderr with exit 0,
# which ExecPlugin never logs: nobody on the node sees it through the kubelet.
t_has "expired: the plugin's stderr note is dropped by the kubelet (exit 0)" "$out" \
	"stderr dropped by the kubelet (exit 0): docker-credential-ghcr: the stored token for"
# An owner's expired login beside a working host-wide one: only the
# host-wide one is offered, and pulls.
login mixed "$LAPSED" ghcr.io/octocat lapsed &&
login mixed "$PERSONAL" ghcr.io octocat --no-verify
config mixed ghcr.io
mark=$(log_mark)
kubelet mixed ghcr.io/octocat/private:v1
t_has "owner's login expired: order octocat (the host-wide one) only" "$out" "order: octocat"
t_has "owner's login expired: pulled with the host-wide one" "$out" "result: pulled with octocat $DIGEST"
t_lacks "owner's login expired: never presented" "$(log_since "$mark")" "who=lapsed"
t_has "owner's login expired: the answer is cached by nobody, so a new login serves the next pull" \
	"$out" "cacheDuration=0s "
# Control: a dead token stored without a date is offered, and the kubelet,
# which has a credential, never falls back to anonymous: the pull fails.
login dead "$DEAD" ghcr.io dead --no-verify
config dead ghcr.io
kubelet dead ghcr.io/pubs/public:v1
t_has "control: a dead token with no recorded expiry is offered" "$out" "order: dead"
t_has "control: ... and breaks the public pull (no anonymous retry)" "$out" "result: failed"

# GITHUB_TOKEN in the kubelet's environment, outside Actions, is no
# credential for a node (it keeps its Actions meaning only in Actions).  The
# node's GitHub server is ghes.example, whose job token it would be.
login empty "$DEAD" ghcr.io/nobody dead --no-verify
config empty ghcr.io "$GHES"
mark=$(log_mark)
( export GITHUB_TOKEN=$GHES_TOKEN GITHUB_ACTOR=ghes-bot KUBELET_ENV=GITHUB_TOKEN,GITHUB_ACTOR
  kubelet empty "$GHES/team/app:v1"; printf '%s' "$out" > "$T/ambient.out" )
t_has "GITHUB_TOKEN in the kubelet's environment: not offered" "$(cat "$T/ambient.out")" "order: -"
t_lacks "... the token server never saw it" "$(log_since "$mark")" "who=ghes-bot"
# Control: inside Actions the same variables are the job's credential, so
# they did reach the plugin above.
# shellcheck disable=SC2031 # each subshell sets its own
( export GITHUB_TOKEN=$GHES_TOKEN GITHUB_ACTOR=ghes-bot GITHUB_ACTIONS=true
  KUBELET_ENV=GITHUB_TOKEN,GITHUB_ACTOR,GITHUB_ACTIONS
  kubelet empty "$GHES/team/app:v1"; printf '%s' "$out" > "$T/ambient.out" )
t_has "control: with GITHUB_ACTIONS=true the job's token is offered and pulls" \
	"$(cat "$T/ambient.out")" "result: pulled with ghes-bot $DIGEST"

# --- 4. a foreign host ------------------------------------------------------------
mark=$(log_mark)
kubelet main "$FOREIGN/vendor/tool:v1"
t_equal "foreign: pulled" 0 "$rc"
t_has "foreign: the plugin (matched by an over-broad config) answered nothing" "$out" "keys=[]"
t_has "foreign: pulled anonymously" "$out" "result: pulled anonymously $DIGEST"
t_lacks "foreign: no credential reached its token service" "$(log_since "$mark" | grep "service=$FOREIGN")" "token basic"
t_has "foreign: ... only an anonymous request" "$(log_since "$mark")" "token anonymous kind=unknown scope=repository:vendor/tool:pull who=- service=$FOREIGN"
config gated ghcr.io "*.ghes.example"
sed -i "s#$T/gated/#$T/main/#" "$T/gated.yaml"
kubelet gated "$FOREIGN/vendor/tool:v1"
t_has "foreign, documented matchImages: the plugin is not run" "$out" "not run: no matchImages entry matches"

# Look-alike hosts and other GitHub hosts with nothing stored: a lookup
# only (nothing to pull), with a config broad enough that the plugin is
# asked, so its own answer is what keeps the tokens home.
config broad "*.io" "*.*.io" "*.*.*" "*.*.*.*" "*.*:443"
sed -i "s#$T/broad/#$T/main/#" "$T/broad.yaml"
LOOKALIKES="ghcr.io.example.com/org-a/app evil-ghcr.io/org-a/app ghcr.io:443/org-a/app docker.ghes.example/team/app containers.acme.ghe.com/org-a/app"
PATH=/usr/sbin:/usr/bin:/sbin:/bin "$PYTHON" -B "$KP_DIR/standin_kubelet.py" --config "$T/broad.yaml" \
	--bin-dir "$T/bin" --kubelet-env PATH lookup $LOOKALIKES > "$T/lookalikes.out" 2>&1
cat "$T/lookalikes.out" >> "$T/outputs"
out=$(cat "$T/lookalikes.out")
for image in $LOOKALIKES; do
	t_has "look-alike host $image: the plugin was asked and answered no key" "$(section "$image")" "keys=[]"
	t_has "look-alike host $image: no credential" "$(section "$image")" "order: -"
done

# --- 5. GHES -----------------------------------------------------------------------
mark=$(log_mark)
kubelet main "$GHES/team/app:v1"
t_equal "GHES: pulled" 0 "$rc"
t_has "GHES: order ghes-bot only" "$out" "order: ghes-bot"
t_has "GHES: pulled with ghes-bot" "$out" "result: pulled with ghes-bot $DIGEST"
t_has "GHES: the token server saw the GHES token for the GHES registry" "$(log_since "$mark")" "who=ghes-bot service=$GHES"
t_lacks "GHES: no ghcr.io identity offered" "$out" "octocat"

# --- never a token in what the stand-in (or the plugin's stderr) said -------------
leaks=0
for token in $ALL_TOKENS; do
	grep -qF "$token" "$T/outputs" "$T/standins.log" && leaks=$((leaks + 1))
done
t_equal "no token in any stand-in output or the token server's log" 0 "$leaks"

echo "kubelet pulls: $((($(date +%s%N) - KP_START) / 1000000)) ms"
t_summary
