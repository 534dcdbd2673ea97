#!/bin/bash
# `check` suite: docker-credential-ghcr check against Debian's docker-registry
# with token auth answering as ghcr.io over TLS, a token server that answers
# Basic logins the way ghcr.io does, and a stand-in for the GitHub API that
# sends X-OAuth-Scopes, GitHub-Authentication-Token-Expiration and
# X-GitHub-SSO (tests/check/standins.py), all inside private network, mount
# and PID namespaces with a test CA (the rig of tests/rig.sh).  Cases: a token
# that can push, a pull-only one, an expired one, a fine-grained one, SSO
# required, the job token, the GitHub CLI's kind, a token about to expire,
# API unreachable, registry unreachable, name not found, untrusted TLS, a
# time-out, through a proxy, and the --json shape; no output ever holds a
# token; the protocol commands never load libcurl.  Expiry: check records a
# stored token's expiry (status counts the days, warns within 7), an expired
# stored token no longer answers get (one stderr line) but stays stored, and
# skopeo then pulls a public image anonymously; login verifies a token
# before storing it (refused: nothing stored; works: stored with its expiry;
# --no-verify; no network or no check module: stored with one line).
# Prints one `N passed, N failed` line.
#
# usage: tests/check/run.sh            (root, or unprivileged with user namespaces)

set -u
CHECK_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$CHECK_DIR/../lib.sh"
. "$CHECK_DIR/../rig.sh"

rig_need "check rig" docker-registry openssl unshare ip python3 timeout
[ -x "$T_HELPER" ] || rig_abort "check rig" "helper $T_HELPER not built (run make)"

rig_enter_namespace CHECK_IN_NAMESPACE "$@" ||
	{ missing "check rig" "cannot create private namespaces ($RIG_UNSHARE)"; t_summary; exit; }

ip link set lo up || rig_abort "check rig" "cannot bring up loopback"
T=$(rig_tmpdir ghcr-check) || rig_abort "check rig" "cannot create a directory in /tmp"
REGISTRY_PID=
STANDINS_PID=
cleanup() {
	local pid
	for pid in $STANDINS_PID $REGISTRY_PID; do
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	umount /etc/hosts 2>/dev/null
	if [ -n "${CHECK_KEEP:-}" ]; then echo "check: kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Certificates: one server certificate for the registry, the token server and
# the API stand-in, and the JWT signing certificate.
if ! rig_ca "$T" ghcr.io docker.pkg.github.com api.github.test ||
	! rig_signer "$T" 'check token signer'; then
	rig_abort "check rig: certificates" "openssl failed: $(tail -3 "$T/openssl.log")"
fi

# ghcr.io and the API stand-in live on 127.0.0.1; docker.pkg.github.com on
# 127.0.0.2, where nothing listens (the unreachable registry).
rig_hosts "$T" '127.0.0.1 localhost ghcr.io api.github.test' '127.0.0.2 docker.pkg.github.com' ||
	rig_abort "check rig: /etc/hosts" "cannot map the test names"

# --- tokens, in files and JSON only, never on a command line.
tok() { printf '%s%s' "$1" "$(openssl rand -hex 18)"; }
PUSH=$(tok ghp_) PULL=$(tok ghp_) SOON=$(tok ghp_) EXPIRED=$(tok ghp_)
FINE=$(tok github_pat_) SSO=$(tok ghp_) JOB=$(tok ghs_) OAUTH=$(tok gho_)
LAPSED=$(tok ghp_) # the registry still takes it, GitHub says it expired
NOW=$(date +%s) DAY=86400
cat > "$T/tokens.json" <<EOF
{
 "$PUSH": {"kind": "push", "scopes": "read:packages, repo, write:packages", "expires": $((NOW + 40 * DAY))},
 "$PULL": {"kind": "pull", "scopes": "read:packages", "expires": $((NOW + 90 * DAY))},
 "$SOON": {"kind": "push", "scopes": "write:packages", "expires": $((NOW + 3 * DAY))},
 "$EXPIRED": {"kind": "expired", "expires": $((NOW - 2 * DAY))},
 "$FINE": {"kind": "fine-grained", "expires": $((NOW + 30 * DAY))},
 "$SSO": {"kind": "push", "scopes": "read:packages, write:packages", "sso_orgs": ["acme"]},
 "$JOB": {"kind": "pull"},
 "$OAUTH": {"kind": "pull", "scopes": "gist, read:org, read:packages, repo"},
 "$LAPSED": {"kind": "push", "scopes": "write:packages", "expires": $((NOW - DAY))}
}
EOF
ALL_TOKENS="$PUSH $PULL $SOON $EXPIRED $FINE $SSO $JOB $OAUTH $LAPSED"
LOG=$T/standins.log
cat > "$T/standins.json" <<EOF
{"tokens": "$T/tokens.json", "log": "$LOG", "cert": "$T/server.crt",
 "key": "$T/server.key", "sign_cert": "$T/sign.crt", "sign_key": "$T/sign.key",
 "issuer": "check-token-issuer", "public": ["octocat/public"]}
EOF

PYTHON=python3
[ -x /usr/bin/python3 ] && PYTHON=/usr/bin/python3
"$PYTHON" "$CHECK_DIR/standins.py" "$T/standins.json" 2> "$T/standins.err" &
STANDINS_PID=$!

rig_registry_config "$T/registry.yml" "$T/registry-data" check-not-a-secret "  token:
    realm: https://ghcr.io:5001/token
    service: ghcr.io
    issuer: check-token-issuer
    rootcertbundle: $T/ca.crt"
docker-registry serve "$T/registry.yml" >> "$T/registry.log" 2>&1 &
REGISTRY_PID=$!

for port in 443 5001 8443 3128 8444; do
	rig_wait_port "$port" ||
		rig_abort "check rig: port $port" "nothing listens: $(tail -3 "$T/registry.log" "$T/standins.err")"
done

# --- the helper's environment: a fresh HOME, the file store, the test CA,
# the API stand-in, no ambient token, no GitHub CLI, no proxy.
t_scrub_env
# What curl reads besides: no proxy and no other CA unless a case sets one.
unset https_proxy HTTPS_PROXY http_proxy HTTP_PROXY all_proxy ALL_PROXY \
	no_proxy NO_PROXY CURL_CA_BUNDLE SSL_CERT_DIR
export SSL_CERT_FILE=$T/ca.crt
export DOCKER_CREDENTIAL_GHCR_BACKEND=file DOCKER_CREDENTIAL_GHCR_GH_CLI=off
export DOCKER_CREDENTIAL_GHCR_GITHUB_API=https://api.github.test:8443/
export HOME=$T/home XDG_CONFIG_HOME=$T/home/.config XDG_DATA_HOME=$T/home/.local/share
mkdir -p "$HOME"
H=$T_HELPER
N=0

# login_as TOKEN [USER]: stores TOKEN for ghcr.io through the protocol
# (printf is a shell builtin: the token is on no command line).
login_as() {
	printf '{"ServerURL":"ghcr.io","Username":"%s","Secret":"%s"}' "${2:-octocat}" "$1" |
		"$H" store >/dev/null || t_fail "store a login for ghcr.io"
}
logout_all() {
	printf 'ghcr.io' | "$H" erase >/dev/null
	printf 'docker.pkg.github.com' | "$H" erase >/dev/null
}

# check ARGS...: runs the helper's check; $out, $err, $rc keep what came,
# and every run is also kept in $T/outputs for the no-token test.
check() {
	N=$((N + 1))
	"$H" check "$@" > "$T/out.$N" 2> "$T/err.$N"
	rc=$?
	out=$(cat "$T/out.$N")
	err=$(cat "$T/err.$N")
	cat "$T/out.$N" "$T/err.$N" >> "$T/outputs"
	if [ -n "${CHECK_SHOW:-}" ]; then
		printf -- '--- check %s (exit %s)\n%s\n%s\n' "$*" "$rc" "$out" "$err"
	fi
}

t_has() {
	case $2 in
	*"$3"*) t_pass "$1" ;;
	*) t_fail "$1" "expected to find '$3' in: $(printf '%s' "$2" | head -c 1500)" ;;
	esac
}
t_lacks() {
	case $2 in
	*"$3"*) t_fail "$1" "did not expect '$3' in: $(printf '%s' "$2" | head -c 1500)" ;;
	*) t_pass "$1" ;;
	esac
}
log_since() { tail -n +"$(($1 + 1))" "$LOG"; }
log_mark() { wc -l < "$LOG"; }

# --- 1. a token that can push --------------------------------------------
login_as "$PUSH"
mark=$(log_mark)
check ghcr.io/octocat/app:v1
t_equal "push token: exit 0" 0 "$rc"
t_has "push token: the source and the masked token are shown" "$out" "ghcr.io: stored login, user octocat, classic personal access token ghp_…${PUSH: -4}"
t_has "push token: the token exchange works" "$out" "login works (token from https://ghcr.io:5001/token, service ghcr.io)"
t_has "push token: pull and push allowed" "$out" "ghcr.io/octocat/app:v1: pull allowed (no such image yet; a push creates it), push allowed"
t_has "push token: scopes from X-OAuth-Scopes" "$out" "scopes read:packages, repo, write:packages"
t_has "push token: expiry from GitHub-Authentication-Token-Expiration" "$out" "expires $(date -u -d @$((NOW + 40 * DAY)) +%Y-%m-%dT%H:%M:%SZ)"
t_has "push token: no problem" "$out" "Every checked credential works."
t_has "push token: the exchange asked for the pull scope" "$(log_since "$mark")" "token basic kind=push scope=repository:octocat/app:pull"
t_has "push token: ... and for pull,push" "$(log_since "$mark")" "scope=repository:octocat/app:pull,push"
t_has "push token: the GitHub API was asked" "$(log_since "$mark")" "api GET / kind=push"
t_has "push token: ... and about the image's owner, for SSO" "$(log_since "$mark")" "api GET /orgs/octocat kind=push"
# The probe writes nothing: no blob, and the upload it started is cancelled
# (its data and start mark are gone; distribution itself leaves an empty
# upload's hash state behind, which its upload purge removes).
blobs=$(find "$T/registry-data" -path '*/blobs/*' -type f 2>/dev/null | wc -l)
uploads=$(find "$T/registry-data" -path '*/_uploads/*' \( -name data -o -name startedat \) 2>/dev/null | wc -l)
t_equal "push probe: no blob written and the upload cancelled" "0 0" "$blobs $uploads"

# A check of every registry that has a credential (no IMAGE).
check
t_equal "no IMAGE: exit 0 with a working stored login" 0 "$rc"
t_has "no IMAGE: ghcr.io is checked" "$out" "login works"
t_has "no IMAGE: docker.pkg.github.com has nothing and is not checked" "$out" "docker.pkg.github.com: no credential (not checked)"

# --- 2. a pull-only token -------------------------------------------------
login_as "$PULL"
check ghcr.io/octocat/app
t_equal "pull-only token: exit 1" 1 "$rc"
t_has "pull-only token: pull allowed, push denied" "$out" "pull allowed (no such image yet; a push creates it), push denied"
t_has "pull-only token: the registry's own words" "$out" "push refused: HTTP 401: UNAUTHORIZED: authentication required"
t_has "pull-only token: the fix adds write:packages" "$out" "fix: add the write:packages scope to the token at https://github.com/settings/tokens"
t_has "pull-only token: one stderr line says the check failed" "$err" "check: 1 problem to fix before the build"

# --- 2b. an owner's own login (login ghcr.io/OWNER) answers for its images ---
printf '%s\n' "$PUSH" | "$H" login ghcr.io/OctoCat -u octobot --password-stdin \
	--no-verify >/dev/null 2>&1 || t_fail "login ghcr.io/OctoCat (scoped)"
check ghcr.io/octocat/app
t_equal "owner's login: exit 0 (its push token, not the host's pull-only one)" 0 "$rc"
t_has "owner's login: named by its key, with its own user" "$out" "ghcr.io/octocat: stored login, user octobot, classic personal access token ghp_…${PUSH: -4}"
t_has "owner's login: push allowed" "$out" "ghcr.io/octocat/app: pull allowed (no such image yet; a push creates it), push allowed"
check ghcr.io/hubot/app
t_has "another owner's image: the host's login (pull only)" "$out" "ghcr.io: stored login, user octocat"
t_has "another owner's image: push denied" "$out" "push denied"
check
t_has "check without IMAGE: the owner's login is checked too" "$out" "ghcr.io/octocat: stored login, user octobot"
"$H" logout ghcr.io/octocat >/dev/null 2>&1
check ghcr.io/octocat/app
t_has "after logout ghcr.io/octocat: the host's login again" "$out" "ghcr.io: stored login, user octocat"

# --- 3. an expired token ----------------------------------------------------
login_as "$EXPIRED"
check ghcr.io/octocat/app
t_equal "expired token: exit 1" 1 "$rc"
t_has "expired token: refused at the token endpoint, in the registry's words" "$out" "ghcr.io refused the login: the token server refused the login: HTTP 403: DENIED: denied; GitHub does not take the token either (expired or revoked)"
t_has "expired token: the fix is a new token and a new login" "$out" "fix: make a classic token with read:packages and write:packages at https://github.com/settings/tokens/new?scopes=write:packages and log in again: docker-credential-ghcr login ghcr.io -u USER"
t_has "expired token: the images are not tried" "$out" "pull not tried, push not tried"

# --- 4. a token that expires in 3 days: works, with a warning ---------------
login_as "$SOON"
check ghcr.io/octocat/app
t_equal "token expiring soon: exit 0" 0 "$rc"
t_has "token expiring soon: a warning with the date" "$out" "warning: the token for ghcr.io expires on $(date -u -d @$((NOW + 3 * DAY)) '+%Y-%m-%d %H:%M:%S') UTC, in less than 7 days"

# --- 5. a fine-grained token ----------------------------------------------
login_as "$FINE"
check ghcr.io/octocat/app
t_equal "fine-grained token: exit 1" 1 "$rc"
t_has "fine-grained token: said so, with the registry's words" "$out" "is a fine-grained personal access token (github_pat_), which GitHub Packages does not accept; the registry says: the token server refused the login: HTTP 403: DENIED: denied"
t_has "fine-grained token: the fix is a classic token with write:packages" "$out" "fix: make a classic token with write:packages at https://github.com/settings/tokens/new?scopes=write:packages"
t_has "fine-grained token: no OAuth scopes, but the expiry" "$out" "no OAuth scopes (not a classic token); expires"

# --- 6. SSO required --------------------------------------------------------
login_as "$SSO"
check ghcr.io/acme/app
t_equal "SSO: exit 1" 1 "$rc"
t_has "SSO: the authorization address from X-GitHub-SSO" "$out" "fix: authorize the token for SSO: open https://github.com/orgs/acme/sso?authorization_request=TESTACME"
t_has "SSO: the organization is named" "$out" "the organization acme enforces SAML SSO"
t_has "SSO: pull and push denied by the registry" "$out" "ghcr.io/acme/app: pull denied, push denied"
t_has "SSO: the denials point at the SSO authorization" "$out" "fix: authorize the token for acme's SSO first: open https://github.com/orgs/acme/sso"

# --- 7. the job token (ghs_): the exchange only, never the API -------------
logout_all
mark=$(log_mark)
( export GITHUB_TOKEN=$JOB GITHUB_ACTOR=octo-bot; check ghcr.io/octocat/app
  printf '%s\n' "$rc" > "$T/job.rc"; printf '%s' "$out" > "$T/job.out" )
out=$(cat "$T/job.out")
t_equal "job token: exit 1 (read-only token)" 1 "$(cat "$T/job.rc")"
t_has "job token: shown as the ambient token" "$out" "ghcr.io: ambient token GITHUB_TOKEN, user octo-bot, installation token"
t_has "job token: the fix is Manage Actions access" "$out" "add this workflow's repository under the package's \"Manage Actions access\" with the Write role"
t_has "job token: ... and permissions: packages: write" "$out" "'permissions: packages: write'"
t_lacks "job token: the GitHub API is not asked" "$(log_since "$mark")" "api GET"

# --- 8. an OAuth token (the GitHub CLI's kind) without write:packages -------
( export GITHUB_TOKEN=$OAUTH; check ghcr.io/octocat/app; printf '%s' "$out" > "$T/oauth.out" )
t_has "OAuth token: the fix is gh auth refresh" "$(cat "$T/oauth.out")" "fix: gh auth refresh -h github.com -s write:packages"

# --- 9. the GitHub API unreachable: the registry still decides -------------
login_as "$PUSH"
DOCKER_CREDENTIAL_GHCR_GITHUB_API=https://127.0.0.1:9/ check ghcr.io/octocat/app
t_equal "API unreachable: exit 0 (the registry took the token)" 0 "$rc"
t_has "API unreachable: one clear line" "$out" "warning: the GitHub API (https://127.0.0.1:9/) did not answer: 127.0.0.1:9: cannot connect: Connection refused"

# --- 10. registry unreachable (nothing listens on its address) -------------
printf '{"ServerURL":"docker.pkg.github.com","Username":"octocat","Secret":"%s"}' "$PUSH" | "$H" store
check docker.pkg.github.com/octocat/repo/app
t_equal "registry unreachable: exit 1" 1 "$rc"
t_has "registry unreachable: connection refused, one line" "$out" "error: cannot check docker.pkg.github.com: docker.pkg.github.com: cannot connect: Connection refused"
printf 'docker.pkg.github.com' | "$H" erase

# --- 11. name not found (an enterprise registry that does not resolve) ----
( export DOCKER_CREDENTIAL_GHCR_GITHUB_SERVER=ghes.test GITHUB_TOKEN=$PUSH
  check containers.ghes.test/octocat/app; printf '%s\n%s' "$rc" "$out" > "$T/dns.out" )
t_equal "name not found: exit 1" 1 "$(head -1 "$T/dns.out")"
t_has "name not found: said so" "$(cat "$T/dns.out")" "containers.ghes.test: name not found"

# --- 12. TLS: a registry certificate the system store does not trust ------
( unset SSL_CERT_FILE; check ghcr.io/octocat/app; printf '%s\n%s' "$rc" "$out" > "$T/tls.out" )
t_equal "untrusted TLS: exit 1" 1 "$(head -1 "$T/tls.out")"
t_has "untrusted TLS: said so" "$(cat "$T/tls.out")" "ghcr.io: TLS certificate not trusted"
# CURL_CA_BUNDLE is honoured as well as SSL_CERT_FILE.
( unset SSL_CERT_FILE; export CURL_CA_BUNDLE=$T/ca.crt; check ghcr.io/octocat/app; printf '%s' "$rc" > "$T/bundle.rc" )
t_equal "CURL_CA_BUNDLE: the test CA is trusted through it" 0 "$(cat "$T/bundle.rc")"

# --- 13. a time-out: an API that accepts and never answers -----------------
( export DOCKER_CREDENTIAL_GHCR_GITHUB_API=https://127.0.0.1:8444/ DOCKER_CREDENTIAL_GHCR_CHECK_TIMEOUT=2
  check; printf '%s\n%s' "$rc" "$out" > "$T/timeout.out" )
t_has "time-out: one clear line" "$(cat "$T/timeout.out")" "127.0.0.1:8444: timed out"
t_equal "time-out: the registry had answered first, so exit 0" 0 "$(head -1 "$T/timeout.out")"

# --- 14. through a proxy -----------------------------------------------------
mark=$(log_mark)
( export HTTPS_PROXY=http://127.0.0.1:3128 NO_PROXY=api.github.test
  check ghcr.io/octocat/app; printf '%s' "$rc" > "$T/proxy.rc" )
t_equal "proxy: exit 0" 0 "$(cat "$T/proxy.rc")"
t_has "proxy: the registry was reached through it" "$(log_since "$mark")" "proxy CONNECT ghcr.io:443"
t_has "proxy: ... and the token server" "$(log_since "$mark")" "proxy CONNECT ghcr.io:5001"
t_lacks "proxy: NO_PROXY kept the API away from it" "$(log_since "$mark")" "proxy CONNECT api.github.test"
( export HTTPS_PROXY=http://127.0.0.1:9; check ghcr.io/octocat/app; printf '%s\n%s' "$rc" "$out" > "$T/badproxy.out" )
t_has "a dead proxy: one clear line naming it" "$(cat "$T/badproxy.out")" "cannot connect (through the proxy set in HTTPS_PROXY)"

# --- 15. the --json shape ----------------------------------------------------
login_as "$PULL"
check --json ghcr.io/octocat/app
t_equal "--json: exit 1 as the text form" 1 "$rc"
printf '%s' "$out" > "$T/check.json"
shape=$("$PYTHON" - "$T/check.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
def keys(o, want, where):
    missing = [k for k in want if k not in o]
    assert not missing, "%s lacks %s" % (where, missing)
keys(d, ["ok", "hosts", "problems"], "top")
assert d["ok"] is False
h = d["hosts"][0]
keys(h, ["host", "source", "username", "token_kind", "token", "checked",
         "registry", "github_api", "images"], "host")
keys(h["registry"], ["outcome", "auth", "realm", "service", "status", "reason", "note"], "registry")
keys(h["github_api"], ["url", "outcome", "status", "scopes", "expires",
                       "expires_unix", "days_left", "sso_url", "message"], "github_api")
img = h["images"][0]
keys(img, ["image", "repository", "pull", "push"], "image")
for step in ("pull", "push"):
    keys(img[step], ["outcome", "status", "reason", "note"], step)
for p in d["problems"]:
    keys(p, ["id", "level", "subject", "problem", "fix"], "problem")
print(h["host"], h["source"], h["token_kind"], h["registry"]["outcome"],
      h["registry"]["auth"], ",".join(h["github_api"]["scopes"]),
      img["repository"], img["pull"]["outcome"], img["push"]["outcome"],
      img["push"]["status"], ",".join(p["id"] for p in d["problems"]))
EOF
)
t_equal "--json: the document's shape and values" \
	"ghcr.io stored classic works bearer read:packages octocat/app works refused 401 push-denied" "$shape"

# --- 16. bad arguments -------------------------------------------------------
check ghcr.io.evil.com/octocat/app
t_has "an image on a look-alike host is refused without a request" "$err" "ghcr.io.evil.com is not a GitHub registry"
check docker.io/library/alpine
t_equal "an image of another registry: exit 1" 1 "$rc"
check --bogus
t_has "an unknown option is named" "$err" "check: unknown option '--bogus'"
logout_all
check
t_equal "nothing to check: exit 1" 1 "$rc"
t_has "nothing to check: said so with the fix" "$out" "nothing was checked"

# --- 16b. expiry: check records it, status counts it, get honours it --------
# status_json KEY: a member of ghcr.io's entry in status --json.
status_json() {
	"$H" status --json 2>/dev/null > "$T/status.json"
	"$PYTHON" -c 'import json, sys
h = [h for h in json.load(open(sys.argv[1]))["hosts"] if h["host"] == "ghcr.io"][0]
print(h.get(sys.argv[2]))' "$T/status.json" "$1"
}
status_problems() {
	"$H" status --json 2>/dev/null > "$T/status.json"
	"$PYTHON" -c 'import json, sys
print(" ".join(p["id"] for p in json.load(open(sys.argv[1]))["problems"]))' "$T/status.json"
}
logout_all
login_as "$PUSH"
t_equal "expiry: unknown before check" None "$(status_json days_left)"
check ghcr.io/octocat/app
t_equal "expiry: check on a stored token exits 0" 0 "$rc"
t_equal "expiry: check recorded it beside the stored token" 39 "$(status_json days_left)"
t_has "expiry: status shows the days left" "$("$H" status)" "in 39 days ($(date -u -d @$((NOW + 40 * DAY)) '+%Y-%m-%d %H:%M') UTC)"
t_lacks "expiry: 39 days left is no warning" "$(status_problems)" "token-expires-soon"
t_equal "expiry: get still answers with it" "{\"ServerURL\":\"ghcr.io\",\"Username\":\"octocat\",\"Secret\":\"$PUSH\"}" \
	"$(printf ghcr.io | "$H" get)"
login_as "$SOON"
check ghcr.io/octocat/app
t_has "expiry within 7 days: status warns" "$(status_problems)" "token-expires-soon"
t_has "... with the date and the days left" "$("$H" status)" "warning: the stored token for ghcr.io expires on $(date -u -d @$((NOW + 3 * DAY)) '+%Y-%m-%d %H:%M') UTC, in 2 days"
login_as "$SOON"
t_equal "a new store (docker login) clears the old date" None "$(status_json days_left)"

# A token GitHub says expired a day ago (the registry, here, still takes it).
login_as "$LAPSED"
check
t_has "expired: check says GitHub reports it expired" "$out" "error: the token for ghcr.io expired on"
t_equal "expired: ... and recorded that date" "$(date -u -d @$((NOW - DAY)) '+%Y-%m-%d %H:%M') UTC" "$(status_json stored_expired)"
printf ghcr.io | "$H" get > "$T/get.out" 2> "$T/get.err"; get_rc=$?
cat "$T/get.out" "$T/get.err" >> "$T/outputs"
t_equal "expired: get exits 1" 1 "$get_rc"
t_equal "expired: get answers exactly 'not found'" "credentials not found in native keychain" "$(cat "$T/get.out")"
t_equal "expired: one stderr line" 1 "$(wc -l < "$T/get.err")"
t_has "expired: ... naming host and date" "$(cat "$T/get.err")" "the stored token for ghcr.io expired on $(date -u -d @$((NOW - DAY)) '+%Y-%m-%d %H:%M') UTC"
t_has "expired: ... and how to log in again" "$(cat "$T/get.err")" "docker-credential-ghcr login ghcr.io (or docker login ghcr.io)"
t_equal "expired: the store still has it (list names it)" '{"ghcr.io":"octocat"}' "$("$H" list)"
t_has "expired: status says it expired" "$(status_problems)" "stored-expired"
t_has "expired: ... in its table too" "$("$H" status)" "expired $(date -u -d @$((NOW - DAY)) '+%Y-%m-%d %H:%M') UTC"
check
t_equal "expired: check exits 1" 1 "$rc"
t_has "expired: check says the stored token expired" "$out" "ghcr.io: stored token expired on"
t_lacks "expired: ... and does not say nothing answers" "$out" "nothing was checked"
mark=$(log_mark)
( export GITHUB_TOKEN=$JOB GITHUB_ACTOR=octo-bot
  printf ghcr.io | "$H" get > "$T/get-amb.out" 2> "$T/get-amb.err" )
t_has "expired: the ambient token answers instead" "$(cat "$T/get-amb.out")" "\"Username\":\"octo-bot\""
t_equal "... with nothing on stderr" "" "$(cat "$T/get-amb.err")"

# --- 16c. a real client: anonymous pull of a public image past the expiry -----
if t_need skopeo; then
	# skopeo keeps a blob cache under /var/lib/containers as root: private here.
	mkdir -p /var/lib/containers 2>/dev/null && mount -t tmpfs check-containers /var/lib/containers
	"$T_ROOT/tests/e2e/mkimage.sh" "$T/image" "check-$$-$(date +%s%N)" > "$T/image.digest"
	mkdir -p "$T/bin"
	ln -sf "$H" "$T/bin/docker-credential-ghcr"
	# The pusher's login: a plain auths file (the token only in a file).
	printf '{"auths":{"ghcr.io":{"auth":"%s"}}}' "$(printf 'octocat:%s' "$PUSH" | base64 -w0)" > "$T/push-auth.json"
	printf '{"credHelpers":{"ghcr.io":"ghcr"}}' > "$T/helper-auth.json"
	skopeo_as_helper() {
		PATH=$T/bin:$PATH timeout 60 skopeo "$@" --authfile "$T/helper-auth.json" \
			docker://ghcr.io/octocat/public:v1 > "$T/skopeo.out" 2>&1
	}
	if timeout 60 skopeo copy --dest-authfile "$T/push-auth.json" "oci:$T/image:latest" \
		docker://ghcr.io/octocat/public:v1 > "$T/skopeo-push.out" 2>&1; then
		t_pass "public image: pushed with a push token"
	else
		t_fail "public image: pushed with a push token" "$(tail -3 "$T/skopeo-push.out")"
	fi
	# The issue's bug first: a dead token stored without a date is sent and
	# breaks even a public pull.
	login_as "$EXPIRED"
	skopeo_as_helper inspect; dead_rc=$?
	t_equal "control: a stored dead token with no date breaks a public pull" 1 "$dead_rc"
	# The same pull past a recorded expiry: anonymous, and it works.
	login_as "$LAPSED"
	check >/dev/null
	mark=$(log_mark)
	skopeo_as_helper inspect; rc_pull=$?
	t_equal "past the stored token's expiry, skopeo pulls the public image anonymously" 0 "$rc_pull"
	t_has "... the token server saw an anonymous request" "$(log_since "$mark")" "token anonymous kind=unknown scope=repository:octocat/public:pull"
	t_lacks "... and not the expired token" "$(log_since "$mark")" "token basic"
	t_equal "... while the expired token is still stored" '{"ghcr.io":"octocat"}' "$("$H" list)"
	t_has "... its digest is the pushed one" "$(cat "$T/skopeo.out")" "$(cat "$T/image.digest")"
	skopeo_as_helper inspect --raw >/dev/null
	cat "$T/skopeo.out" "$T/skopeo-push.out" >> "$T/outputs"
else
	missing "skopeo: anonymous pull past the expiry" "skopeo not installed"
fi

# --- 16d. login verifies before it stores --------------------------------------
# login_run ARGS... < token: runs login; $out, $err, $rc as check() keeps them.
login_run() {
	"$H" login "$@" > "$T/login.out" 2> "$T/login.err"
	rc=$?
	out=$(cat "$T/login.out")
	err=$(cat "$T/login.err")
	cat "$T/login.out" "$T/login.err" >> "$T/outputs"
}
logout_all
printf '%s' "$EXPIRED" > "$T/tok"
login_run ghcr.io -u octocat --password-stdin < "$T/tok"
t_equal "login: a token the registry refuses exits 1" 1 "$rc"
t_has "login: ... says so with the registry's words" "$err" "ghcr.io refused the token, so it was not stored: the token server refused the login: HTTP 403: DENIED: denied"
t_equal "login: ... and stores nothing" "credentials not found in native keychain" "$(printf ghcr.io | "$H" get 2>/dev/null)"
printf '%s' "$PUSH" > "$T/tok"
login_run ghcr.io -u octocat --password-stdin < "$T/tok"
t_equal "login: a working token exits 0" 0 "$rc"
t_has "login: ... says the registry accepted it, with the expiry" "$out" "The registry accepted it; GitHub says it expires on $(date -u -d @$((NOW + 40 * DAY)) '+%Y-%m-%d %H:%M') UTC (in 39 days)."
t_equal "login: ... and stores it with its expiry" 39 "$(status_json days_left)"
printf '%s' "$EXPIRED" > "$T/tok"
mark=$(log_mark)
login_run ghcr.io -u octocat --password-stdin --no-verify < "$T/tok"
t_equal "login --no-verify: stores even a refused token" 0 "$rc"
t_equal "login --no-verify: ... asking nobody" "" "$(log_since "$mark")"
t_equal "login --no-verify: ... without a date" None "$(status_json days_left)"
printf '%s' "$PUSH" > "$T/tok"
login_run docker.pkg.github.com -u octocat --password-stdin < "$T/tok"
t_equal "login with no network: stores and exits 0" 0 "$rc"
t_has "login with no network: ... with a one-line warning" "$err" "warning: could not verify the token with docker.pkg.github.com (docker.pkg.github.com: cannot connect: Connection refused); stored it anyway"
t_has "login with no network: ... and it is stored" "$(printf docker.pkg.github.com | "$H" get)" "\"Username\":\"octocat\""
( export DOCKER_CREDENTIAL_GHCR_MODULE_DIR=$T/nowhere; login_run ghcr.io -u octocat --password-stdin < "$T/tok"
  printf '%s\n%s' "$rc" "$err" > "$T/login-nomod.out" )
t_equal "login without the check module: stores and exits 0" 0 "$(head -1 "$T/login-nomod.out")"
t_has "login without the check module: ... saying so in one line" "$(cat "$T/login-nomod.out")" "note: the token was not verified (check: module $T/nowhere/docker-credential-ghcr-check.so: No such file or directory (install it, or set DOCKER_CREDENTIAL_GHCR_MODULE_DIR)); stored it as given"
logout_all

# --- 17a. --help and the bash completion -------------------------------------
check --help
t_has "check --help: the usage line" "$out" "Usage: docker-credential-ghcr check [--json] [--system] [IMAGE...]"
complete_line() {
	( . "$T_ROOT/doc/docker-credential-ghcr.bash-completion"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
	  _docker_credential_ghcr; printf '%s\n' "${COMPREPLY[@]}" )
}
t_equal "completion: 'che' completes to check" check "$(complete_line docker-credential-ghcr che)"
t_equal "completion: check --json" --json "$(complete_line docker-credential-ghcr check --j)"
t_equal "completion: check offers the registries" ghcr.io/ "$(complete_line docker-credential-ghcr check ghc)"
t_equal "completion: login --no-verify" --no-verify "$(complete_line docker-credential-ghcr login --no)"
"$H" login --help > "$T/login-help"
t_has "login --help: --no-verify" "$(cat "$T/login-help")" "--no-verify          store without trying the token against the registry"

# --- 17. never a token in any output -----------------------------------------
leaked=
for t in $ALL_TOKENS; do
	grep -qF -- "$t" "$T/outputs" && leaked="$leaked ${t:0:6}…"
	grep -qF -- "$t" "$LOG" && leaked="$leaked log:${t:0:6}…"
done
t_equal "no output of check (nor the stand-ins' log) holds a token" "" "$leaked"

# --- 18. libcurl is loaded by check only -------------------------------------
t_lacks "ldd: the helper does not link libcurl" "$(ldd "$H")" "libcurl"
login_as "$PUSH"
libs=$(printf 'ghcr.io' | LD_DEBUG=libs "$H" get 2>&1 >/dev/null)
t_lacks "get (file store) loads no libcurl" "$libs" "libcurl"
t_lacks "get (file store) loads no check module" "$libs" "ghcr-check.so"
logout_all
libs=$( (export GITHUB_TOKEN=$JOB; printf 'ghcr.io' | LD_DEBUG=libs "$H" get 2>&1 >/dev/null) )
t_lacks "get (ambient token) loads no libcurl" "$libs" "libcurl"
t_lacks "get (ambient token) loads no check module" "$libs" "ghcr-check.so"
libs=$(LD_DEBUG=libs "$H" list 2>&1 >/dev/null)
t_lacks "list loads no libcurl" "$libs" "libcurl"
libs=$( (export GITHUB_TOKEN=$JOB; LD_DEBUG=libs "$H" check 2>&1 >/dev/null) )
t_has "check does load libcurl" "$libs" "libcurl.so.4"
t_has "... through the check module" "$libs" "docker-credential-ghcr-check.so"
# Without its module, check says where it looked, in one line.
( export DOCKER_CREDENTIAL_GHCR_MODULE_DIR=$T/nowhere GITHUB_TOKEN=$JOB; check; printf '%s\n%s' "$rc" "$err" > "$T/nomod.out" )
t_has "no check module: one line naming it" "$(cat "$T/nomod.out")" "check: module $T/nowhere/docker-credential-ghcr-check.so: No such file or directory"

t_summary
