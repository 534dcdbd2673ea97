#!/bin/bash
# The kubelet provider from the outside: the real binary, a real file store
# in the node's layout, no registry and no network.  The bad-input catalogue
# (bad-request.cases) and oversized input; each apiVersion answered in kind,
# with exactly the members the kubelet's strict decoder knows; an owner's
# identity beside the host-wide one, and nothing for look-alike hosts and
# namespaces, foreign hosts or another GitHub server; expired logins never
# offered; no HOME, with the config's env: paths and with the system default
# (in a private mount namespace, so nothing is written to this machine's
# /etc or /var/lib); 40 concurrent calls while a login rewrites the store;
# strace: no socket or connect, no libcurl or libsecret; and the instruction
# count of a call against a `get` on the same store (at most 1.5x).
# Prints one `N passed, N failed` line.
#
# usage: tests/kubelet/cli.sh    (make check-kubelet sets GHCR_HELPER and
#                                 KUBELET_PUT_LOGIN, the expiry fixture)
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../lib.sh"
t_scrub_env
PUT_LOGIN=${KUBELET_PUT_LOGIN:-$T_ROOT/build/tests/kubelet/put_login}
H=$T_HELPER
K=$(mktemp -d /tmp/ghcr-kubelet.XXXXXX) || exit 1
trap 'rm -rf "$K"' EXIT
# The config's env: names the store; HOME exists but is not the node's.
export DOCKER_CREDENTIAL_GHCR_STORE=$K/var/credentials
export DOCKER_CREDENTIAL_GHCR_KEY_FILE=$K/etc/key
export DOCKER_CREDENTIAL_GHCR_CONFIG=$K/etc/config
export HOME=$K/home
mkdir -p "$HOME"

V1=credentialprovider.kubelet.k8s.io/v1
HOST_TOKEN=ghp_hostWideCanary000000000000000000000
ORG_TOKEN=ghp_octoOrgCanary0000000000000000000000
OTHER_TOKEN=ghp_otherOrgCanary000000000000000000000
GHES_TOKEN=ghp_ghesCanary0000000000000000000000000

request() { # IMAGE [APIVERSION]
	printf '{"kind":"CredentialProviderRequest","apiVersion":"%s","image":"%s"}' \
		"${2:-$V1}" "$1"
}
ask() { # IMAGE [APIVERSION]: one call; $K/out, $K/err, $RC
	request "$@" | "$H" kubelet >"$K/out" 2>"$K/err"
	RC=$?
}
node_login() { # KEY USER TOKEN
	printf '%s\n' "$3" | "$H" login --system "$1" -u "$2" --password-stdin \
		--no-verify >"$K/login.out" 2>&1
}
# shape FILE APIVERSION: checks the response as the kubelet's strict
# decoder would (plugin.go: apiVersion equality, kind, cacheKeyType; no
# unknown or duplicate member anywhere) and prints "cache DURATION|absent"
# then "KEY USER PASSWORD" per auth entry, sorted; "BAD: why" otherwise.
shape() {
	python3 - "$1" "$2" <<-'EOF'
	import json, sys
	def pairs(kv):
	    keys = [k for k, _ in kv]
	    if len(keys) != len(set(keys)):
	        raise ValueError("duplicate member")
	    return dict(kv)
	try:
	    text = open(sys.argv[1]).read()
	    if text.count("\n") != 1 or not text.endswith("\n"):
	        raise ValueError("not one line")
	    d = json.loads(text, object_pairs_hook=pairs)
	    allowed = {"kind", "apiVersion", "cacheKeyType", "cacheDuration", "auth"}
	    if not set(d) <= allowed or not {"kind", "apiVersion", "cacheKeyType", "auth"} <= set(d):
	        raise ValueError("members %s" % sorted(d))
	    if d["kind"] != "CredentialProviderResponse" or d["apiVersion"] != sys.argv[2]:
	        raise ValueError("kind/apiVersion %s %s" % (d["kind"], d["apiVersion"]))
	    if d["cacheKeyType"] != "Image":
	        raise ValueError("cacheKeyType %s" % d["cacheKeyType"])
	    print("cache", d.get("cacheDuration", "absent"))
	    for k in sorted(d["auth"]):
	        a = d["auth"][k]
	        if set(a) != {"username", "password"}:
	            raise ValueError("auth members %s" % sorted(a))
	        print(k, a["username"], a["password"])
	except Exception as e:
	    print("BAD:", e)
	EOF
}
answer_is() { # NAME IMAGE EXPECTED [APIVERSION]
	local got
	ask "$2" "${4:-$V1}"
	if [ "$RC" -ne 0 ]; then
		t_fail "$1" "exit $RC: $(head -c 300 "$K/err")"
		return
	fi
	got=$(shape "$K/out" "${4:-$V1}")
	t_equal "$1" "$3" "$got"
}
nothing_for() { # NAME IMAGE
	answer_is "$1" "$2" "cache 0s"
}

for tool in python3; do
	t_need "$tool" || { t_skip "kubelet suite" "$tool missing"; t_summary; exit; }
done
[ -x "$PUT_LOGIN" ] || { t_fail "expiry fixture $PUT_LOGIN built (make check-kubelet)"; }

# --- the node logs in ------------------------------------------------------
t_check "login --system ghcr.io (host-wide)" node_login ghcr.io hostuser "$HOST_TOKEN"
t_check "login --system ghcr.io/Octo-Org (scoped, any case)" node_login ghcr.io/Octo-Org orgbot "$ORG_TOKEN"
t_check "login --system ghcr.io/other-org/" node_login ghcr.io/other-org/ otherbot "$OTHER_TOKEN"
printf '%s\n' "$HOST_TOKEN" | "$H" login --system ghcr.io/octo-org/app -u x --password-stdin \
	--no-verify >"$K/out" 2>"$K/err"
t_check "login refuses an image path, in one line" test $? -ne 0 -a "$(wc -l <"$K/err")" -eq 1
printf '%s\n' "$HOST_TOKEN" | "$H" login --system quay.io/octo-org -u x --password-stdin \
	--no-verify >"$K/out" 2>"$K/err"
t_check "login refuses a namespace on another registry" test $? -ne 0
printf '%s\n' "$HOST_TOKEN" | "$H" login --system ghcr.io/octo_org -u x --password-stdin \
	--no-verify >"$K/out" 2>"$K/err"
t_check "login refuses an owner name GitHub cannot have" test $? -ne 0

# --- answers ------------------------------------------------------------------
both="cache absent
ghcr.io hostuser $HOST_TOKEN
ghcr.io/octo-org/ orgbot $ORG_TOKEN"
for v in "$V1" "${V1}beta1" "${V1}alpha1"; do
	answer_is "${v##*/}: answered in its own apiVersion, owner's key then host's" \
		ghcr.io/octo-org/app "$both" "$v"
done
answer_is "a tag and a digest do not change the keys" \
	ghcr.io/octo-org/app:1.2@sha256:0123456789abcdef "$both"
answer_is "nested repository under the owner" ghcr.io/octo-org/team/app "$both"
answer_is "another owner's image gets that owner's identity" ghcr.io/other-org/app "cache absent
ghcr.io hostuser $HOST_TOKEN
ghcr.io/other-org/ otherbot $OTHER_TOKEN"
ask ghcr.io/octo-org/app
t_check "the answer is on stdout, stderr is empty" test ! -s "$K/err"
for img in octo-orgab/app octo-or/app octo-org-x/app octo/org/app Octo-Org/app \
	x-octo-org/app app octo-org; do
	answer_is "look-alike namespace ghcr.io/$img: the host-wide identity only" \
		"ghcr.io/$img" "cache absent
ghcr.io hostuser $HOST_TOKEN"
done
for img in ghcr.io.evil.com/octo-org/app evilghcr.io/octo-org/app GHCR.IO/octo-org/app \
	ghcr.io@evil.com/octo-org/app ghcr.io:443/octo-org/app xghcr.io/octo-org/app \
	ghcr.io./octo-org/app https://ghcr.io/octo-org/app quay.io/octo-org/app \
	docker.io/library/nginx nginx docker.pkg.github.com.evil.com/octo-org/r/app \
	'ghcr.io%2eevil.com/octo-org/app' '[::1]:5000/octo-org/app'; do
	nothing_for "foreign or look-alike host $img: empty auth, 0s" "$img"
	if grep -q ghp_ "$K/out"; then t_fail "no GitHub token in the answer for $img"; fi
done

# The hardening suite's look-alike catalogue, as images: with a stored
# login and, inside "Actions", an ambient token that the gate would hand
# out, no "none" row gets any token (an empty auth, or a refused request).
n=0 leaked=0
while IFS=$'\t' read -r config expect server; do
	case "$config" in ''|'#'*) continue ;; esac
	[ "$expect" = none ] || continue
	server=$(printf '%b' "$server")
	case $config in
	ghes) srv=github.example.com ;;
	ghecom) srv=acme.ghe.com ;;
	*) srv=github.com ;;
	esac
	n=$((n + 1))
	python3 -c 'import json,sys; print(json.dumps({"kind":"CredentialProviderRequest","apiVersion":sys.argv[1],"image":sys.argv[2] + "/octo-org/app"}))' \
		"$V1" "$server" >"$K/in"
	GITHUB_ACTIONS=true GITHUB_TOKEN=ghs_ambientLookalikeCanary DOCKER_CREDENTIAL_GHCR_GITHUB_SERVER=$srv \
		"$H" kubelet <"$K/in" >"$K/out" 2>"$K/err"
	# A GHES job's token never reaches ghcr.io; the node's own ghcr.io
	# login still does (it is stored for exactly that host).
	if [ "$server" = ghcr.io ]; then
		grep -q ghs_ambientLookalikeCanary "$K/out" "$K/err" && { leaked=$((leaked + 1))
			t_fail "look-alike $config '$server': not the ambient token" "$(head -c 300 "$K/out")"; }
		continue
	fi
	if grep -qE "ghs_ambientLookalikeCanary|ghp_" "$K/out" "$K/err" ||
		{ [ -s "$K/out" ] && [ "$(shape "$K/out" "$V1")" != "cache 0s" ]; }; then
		leaked=$((leaked + 1))
		t_fail "look-alike $config '$server': no token" "$(head -c 300 "$K/out")"
	fi
done <"$T_ROOT/tests/hardening/lookalike.hosts"
t_check "hardening's $n look-alike hosts as images: no token for any ($leaked leaked)" \
	test "$n" -ge 20 -a "$leaked" -eq 0

# docker.pkg.github.com is a GitHub registry of its own: its logins only.
answer_is "docker.pkg.github.com: nothing stored for it" \
	docker.pkg.github.com/octo-org/repo/app "cache 0s"

# GHES: its logins answer for its registries only, and never for ghcr.io.
export DOCKER_CREDENTIAL_GHCR_GITHUB_SERVER=ghes.example.com
node_login containers.ghes.example.com gheuser "$GHES_TOKEN"
node_login containers.ghes.example.com/octo-org gheorg "${GHES_TOKEN}org"
answer_is "GHES: owner's then host's login of that server" \
	containers.ghes.example.com/octo-org/app "cache absent
containers.ghes.example.com gheuser $GHES_TOKEN
containers.ghes.example.com/octo-org/ gheorg ${GHES_TOKEN}org"
answer_is "GHES logins never reach ghcr.io" ghcr.io/octo-org/app "$both"
unset DOCKER_CREDENTIAL_GHCR_GITHUB_SERVER
nothing_for "an unconfigured GHES host is foreign" containers.ghes.example.com/octo-org/app

# Docker's side is unchanged: get names a host, list names hosts only.
out=$(echo ghcr.io | DOCKER_CREDENTIAL_GHCR_BACKEND=file "$H" get)
t_check "get ghcr.io answers the host-wide login" grep -q "$HOST_TOKEN" <<<"$out"
out=$(DOCKER_CREDENTIAL_GHCR_BACKEND=file "$H" list)
t_check "list names no scoped key (list -> get round-trips)" \
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if all("/" not in k for k in d) and "ghcr.io" in d else 1)' "$out"

# The ambient token: not outside Actions, yes inside.
GITHUB_TOKEN=ghs_ambientCanary "$H" kubelet <<<"$(request docker.pkg.github.com/o/r/a)" >"$K/out" 2>&1
t_equal "GITHUB_TOKEN outside Actions is not offered" "cache 0s" "$(shape "$K/out" "$V1")"
GITHUB_ACTIONS=true GITHUB_TOKEN=ghs_ambientCanary "$H" kubelet \
	<<<"$(request docker.pkg.github.com/o/r/a)" >"$K/out" 2>&1
t_equal "GITHUB_TOKEN inside Actions is offered for the host" \
	"cache absent
docker.pkg.github.com x-access-token ghs_ambientCanary" "$(shape "$K/out" "$V1")"

# --- expiry --------------------------------------------------------------------
now=$(date +%s)
if [ -x "$PUT_LOGIN" ]; then
	echo "$ORG_TOKEN" | "$PUT_LOGIN" ghcr.io/octo-org orgbot $((now - 3600))
	echo "$HOST_TOKEN" | "$PUT_LOGIN" ghcr.io hostuser $((now + 7200))
	answer_is "an expired owner's login is not offered; the host's is, cached by nobody (0s)" \
		ghcr.io/octo-org/app "cache 0s
ghcr.io hostuser $HOST_TOKEN"
	t_check "one stderr line says which login expired" \
		grep -q "the stored token for ghcr.io/octo-org expired on" "$K/err"
	answer_is "... while an image of an owner with no login gets the host's, cached at most 1h" \
		ghcr.io/loginless-org/app "cache 1h0m0s
ghcr.io hostuser $HOST_TOKEN"
	echo "$HOST_TOKEN" | "$PUT_LOGIN" ghcr.io hostuser $((now + 1200))
	ask ghcr.io/other-org/app
	got=$(shape "$K/out" "$V1" | head -1)
	case $got in
	"cache 10m0s"|"cache 9m59s") t_pass "cacheDuration is half the earliest expiry ($got)" ;;
	*) t_fail "cacheDuration is half the earliest expiry" "got $got" ;;
	esac
	echo "$HOST_TOKEN" | "$PUT_LOGIN" ghcr.io hostuser $((now - 60))
	nothing_for "every matching login expired: no credential, 0s (public images pull)" \
		ghcr.io/octo-org/app
	t_equal "... with one stderr line" 1 "$(wc -l <"$K/err")"
	if grep -q "ghp_" "$K/err"; then t_fail "the stderr line holds no token"; else
		t_pass "the stderr line holds no token"; fi
	# Logged in again: the very next call answers (nothing was cached).
	node_login ghcr.io hostuser "$HOST_TOKEN"
	node_login ghcr.io/octo-org orgbot "$ORG_TOKEN"
	answer_is "after a new login the next call answers" ghcr.io/octo-org/app "$both"
else
	t_skip "expiry cases" "no fixture"
fi

# --- bad input -----------------------------------------------------------------
n=0
while IFS=$'\t' read -r name says input; do
	case "$name" in ''|'#'*) continue ;; esac
	n=$((n + 1))
	printf '%b' "$input" >"$K/in"
	"$H" kubelet <"$K/in" >"$K/out" 2>"$K/err"
	rc=$?
	if [ "$rc" -eq 0 ] || [ "$rc" -gt 128 ]; then
		t_fail "bad input $name: exit 1" "exit $rc"
	elif [ -s "$K/out" ]; then
		t_fail "bad input $name: nothing on stdout" "$(head -c 200 "$K/out")"
	elif [ "$(wc -l <"$K/err")" -ne 1 ]; then
		t_fail "bad input $name: one line on stderr" "$(cat "$K/err")"
	elif ! grep -qF -- "$says" "$K/err"; then
		t_fail "bad input $name: names the problem ($says)" "$(cat "$K/err")"
	elif grep -qE "SA-CANARY|ghp_" "$K/err"; then
		t_fail "bad input $name: no secret on stderr" "$(cat "$K/err")"
	else
		t_pass "bad input $name: $(cat "$K/err")"
	fi
done <"$HERE/bad-request.cases"
[ "$n" -ge 40 ] && t_pass "catalogue has $n cases (at least 40)" ||
	t_fail "catalogue has at least 40 cases" "found $n"
python3 -c 'import sys; sys.stdout.write("{\"kind\":\"CredentialProviderRequest\",\"apiVersion\":\"'"$V1"'\",\"image\":\"ghcr.io/o/a\",\"x\":\"" + "a" * (1024 * 1024) + "\"}")' |
	"$H" kubelet >"$K/out" 2>"$K/err"
rc=$?
t_check "over 1 MiB: refused, nothing on stdout, one line" \
	test "$rc" -eq 1 -a ! -s "$K/out" -a "$(wc -l <"$K/err")" -eq 1
python3 -c 'print("{\"kind\":\"CredentialProviderRequest\",\"apiVersion\":\"'"$V1"'\",\"image\":\"ghcr.io/o/" + "a" * 5000 + "\"}")' |
	"$H" kubelet >"$K/out" 2>"$K/err"
t_check "an image of 5000 bytes: refused" grep -q "longer than" "$K/err"
"$H" kubelet extra-argument </dev/null >"$K/out" 2>"$K/err"
t_check "an argument is refused" test $? -eq 1 -a ! -s "$K/out"
ask ghcr.io/octo-org/app
request ghcr.io/octo-org/app | sed 's/}$/,"serviceAccountToken":"SA-CANARY","serviceAccountAnnotations":{"a":"b"}}/' |
	"$H" kubelet >"$K/out" 2>"$K/err"
t_equal "serviceAccountToken and annotations are accepted, the token never echoed" \
	"$both" "$(shape "$K/out" "$V1")"
t_check "... and appears on neither stream" test "$(grep -c SA-CANARY "$K/out" "$K/err" | \
	awk -F: '{ s += $2 } END { print s }')" -eq 0

# --- no HOME ------------------------------------------------------------------------
env -i PATH=/usr/bin:/bin DOCKER_CREDENTIAL_GHCR_STORE="$DOCKER_CREDENTIAL_GHCR_STORE" \
	DOCKER_CREDENTIAL_GHCR_KEY_FILE="$DOCKER_CREDENTIAL_GHCR_KEY_FILE" \
	DOCKER_CREDENTIAL_GHCR_CONFIG="$DOCKER_CREDENTIAL_GHCR_CONFIG" \
	"$H" kubelet <<<"$(request ghcr.io/octo-org/app)" >"$K/out" 2>"$K/err"
t_equal "env -i with the config's env: paths" "$both" "$(shape "$K/out" "$V1")"
if unshare -m --propagation private true 2>/dev/null; then
	# A private mount namespace: tmpfs over /etc and /var/lib, so the
	# system defaults are real paths that vanish with the namespace.
	unshare -m --propagation private env -i PATH=/usr/bin:/bin H="$H" V1="$V1" \
		TOKEN="$HOST_TOKEN" bash -c '
		mount -t tmpfs -o mode=755 tmpfs /etc && mount -t tmpfs -o mode=755 tmpfs /var/lib || exit 3
		printf "%s\n" "$TOKEN" | "$H" login --system ghcr.io -u nodeuser --password-stdin --no-verify >/dev/null || exit 4
		stat -c "%n %a" /var/lib/docker-credential-ghcr /var/lib/docker-credential-ghcr/credentials \
			/etc/docker-credential-ghcr /etc/docker-credential-ghcr/key
		printf "{\"kind\":\"CredentialProviderRequest\",\"apiVersion\":\"%s\",\"image\":\"ghcr.io/o/a\"}" "$V1" |
			"$H" kubelet' >"$K/sys" 2>"$K/err"
	rc=$?
	t_equal "no HOME, system default: login --system writes the node's store" \
		"/var/lib/docker-credential-ghcr 700
/var/lib/docker-credential-ghcr/credentials 600
/etc/docker-credential-ghcr 700
/etc/docker-credential-ghcr/key 600" "$(head -4 "$K/sys")"
	tail -n +5 "$K/sys" >"$K/out"
	t_equal "no HOME, system default: kubelet answers from it (exit $rc)" "cache absent
ghcr.io nodeuser $HOST_TOKEN" "$(shape "$K/out" "$V1")"
else
	t_skip "system default paths" "no private mount namespace here"
fi

# --- many pods at once ------------------------------------------------------------
(
	for i in $(seq 1 10); do node_login ghcr.io/octo-org orgbot "$ORG_TOKEN" || echo "login $i failed"; done
) >"$K/logins.log" 2>&1 &
writer=$!
for i in $(seq 1 40); do
	( request ghcr.io/octo-org/app | "$H" kubelet >"$K/c$i.out" 2>"$K/c$i.err"; echo $? >"$K/c$i.rc" ) &
done
wait
ok=0
for i in $(seq 1 40); do
	[ "$(cat "$K/c$i.rc")" = 0 ] && [ "$(shape "$K/c$i.out" "$V1")" = "$both" ] && ok=$((ok + 1))
done
t_equal "40 concurrent calls while logins rewrite the store: all answer in full" 40 "$ok"
t_check "the logins all went through" test ! -s "$K/logins.log"
answer_is "the store is intact afterwards" ghcr.io/octo-org/app "$both"
wait "$writer" 2>/dev/null

# --- offline and lean ---------------------------------------------------------------
if t_need strace; then
	request ghcr.io/octo-org/app | strace -f -qq -o "$K/strace" -e trace=socket,connect,openat,open \
		"$H" kubelet >"$K/out" 2>/dev/null
	t_equal "under strace it still answers" "$both" "$(shape "$K/out" "$V1")"
	if grep -qE '(^|[^a-z_])(socket|connect)\(' "$K/strace"; then
		t_fail "no socket or connect" "$(grep -E 'socket|connect' "$K/strace" | head -3)"
	else
		t_pass "no socket or connect"
	fi
	if grep -qE 'libcurl|libsecret|libgio|libglib|libdbus|check\.so|secretservice\.so' "$K/strace"; then
		t_fail "no libcurl, libsecret or GLib loaded" "$(grep -E 'curl|secret|gio|glib' "$K/strace" | head -3)"
	else
		t_pass "no libcurl, libsecret or GLib loaded"
	fi
else
	t_skip "strace cases" "strace missing"
fi
if t_need valgrind; then
	ir() { # INPUT CMD...: instructions (callgrind)
		local in=$1; shift
		valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" <"$in" \
			>/dev/null 2>"$K/cg.log"
		sed -n 's/.*Collected : //p' "$K/cg.log"
	}
	echo ghcr.io >"$K/get.in"
	request ghcr.io/octo-org/app >"$K/kube.in"
	# The same store, the file backend for both (get chooses auto).
	get_ir=$(DOCKER_CREDENTIAL_GHCR_BACKEND=file ir "$K/get.in" "$H" get)
	kube_ir=$(ir "$K/kube.in" "$H" kubelet)
	if [ -n "$get_ir" ] && [ -n "$kube_ir" ]; then
		ratio=$(awk -v a="$kube_ir" -v b="$get_ir" 'BEGIN { printf "%.3f", a / b }')
		if awk -v a="$kube_ir" -v b="$get_ir" 'BEGIN { exit !(a <= 1.5 * b) }'; then
			t_pass "kubelet call $kube_ir instructions, get $get_ir: ${ratio}x (at most 1.5x)"
		else
			t_fail "kubelet call at most 1.5x a get by instructions" \
				"kubelet $kube_ir, get $get_ir: ${ratio}x"
		fi
	else
		t_fail "instruction counts" "callgrind gave nothing: $(tail -3 "$K/cg.log")"
	fi
else
	t_skip "instruction count" "valgrind missing"
fi

t_summary
