#!/bin/bash
# The commands for people (configure, login, logout, status), the man page,
# --help and the bash completion, run as the real binary against real files
# in a throw-away HOME and DOCKER_CONFIG with the real file store.  A real
# client (podman) reads what configure wrote, and a real terminal (tmux)
# checks that login does not echo the token.
set -u
. "$(dirname "$0")/../lib.sh"

H=$T_HELPER
ROOT=$T_ROOT
MAN=$ROOT/doc/docker-credential-ghcr.1
COMPLETION=$ROOT/doc/docker-credential-ghcr.bash-completion
T=$(mktemp -d /tmp/ghcr-commands.XXXXXX)
trap 'tmux -L ghcr-cmd-$$ kill-server 2>/dev/null; rm -rf "$T"' EXIT

TOKEN=ghp_AAAAbbbbCCCCddddEEEEffffGGGGhhhh1234
FINE=github_pat_11ABCDEFG0abcdefghijklmn_opqrstuvwxyz0123456789ABCDEF
# A piece of the token body that no masked form may contain.
BODY=bbbbCCCCddddEEEE

# A clean environment: nothing of the person running the tests leaks in.
t_scrub_env DOCKER_CREDENTIAL_GHCR_BACKEND=file DOCKER_CREDENTIAL_GHCR_GH_CLI=off
export PATH="$(dirname "$H"):$PATH"

# fresh: a new HOME and DOCKER_CONFIG for the next test.
n=0
fresh() {
	n=$((n + 1))
	export HOME=$T/home$n DOCKER_CONFIG=$T/home$n/.docker GH_CONFIG_DIR=$T/home$n/gh
	mkdir -p "$HOME"
	CFG=$DOCKER_CONFIG/config.json
}

# The distribution's python3 starts in 0.1 s; a pyenv shim can take 1.5 s.
PY=$(command -v /usr/bin/python3 || command -v python3)
py() { "$PY" "$@"; }

# json FILE EXPR: evaluates a Python expression over the document `d`.
json() {
	py -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# run CMD...: runs the helper; $out, $err and $rc keep what came.
run() {
	out=$("$H" "$@" 2>"$T/err"); rc=$?
	err=$(cat "$T/err")
}

get() { printf '%s' "$1" | "$H" get; }

contains() { case $1 in *"$2"*) return 0 ;; esac; return 1; }

# t_has NAME HAYSTACK NEEDLE: passes when NEEDLE is in HAYSTACK.
t_has() {
	if contains "$2" "$3"; then t_pass "$1"
	else t_fail "$1" "expected '$3' in: $(printf '%s' "$2" | head -c 600)"; fi
}

t_hasnt() {
	if contains "$2" "$3"; then t_fail "$1" "'$3' must not appear"
	else t_pass "$1"; fi
}

b64() { printf '%s' "$1" | base64 -w0; }

# --- --help, man page, completion ------------------------------------------

help=$("$H" --help)
# The commands --help lists: "  name  text" and "  name [args]" lines.
help_cmds=$(printf '%s\n' "$help" | sed -n 's/^  \([a-z][a-z]*\)\( .*\)\{0,1\}$/\1/p' | sort -u)
# The man page's commands: the .B line after each .TP in the two command sections.
man_cmds=$(awk '/^\.SH/ { sec = $0 } sec ~ /COMMANDS/ && prev == ".TP" && /^\.B [a-z]/ { print $2 } { prev = $0 }' "$MAN" | sort -u)
t_equal "every command in --help is in the man page and vice versa" "$help_cmds" "$man_cmds"
t_check "--help lists the eleven commands" test "$(printf '%s\n' "$help_cmds" | wc -l)" -eq 11

for c in configure login logout status; do
	synopsis=$(printf '%s\n' "$help" | grep "^  $c ")
	cmd_help=$("$H" "$c" --help)
	man_section=$(awk -v c="$c" '/^\.SH/ { sec = $0; inside = 0 }
		prev == ".TP" && /^\.B [a-z]/ { inside = (sec ~ /^\.SH COMMANDS/ && $2 == c) }
		inside { print } { prev = $0 }' "$MAN" | sed 's/\\-/-/g')
	for opt in $(printf '%s\n' "$synopsis" | grep -o -- '--*[a-z][a-z-]*' | sort -u); do
		t_has "$c: option $opt of --help is in the man page" "$man_section" "$opt"
		t_has "$c: option $opt of --help is in '$c --help'" "$cmd_help" "$opt"
	done
	for opt in $(printf '%s\n' "$man_section" | grep -o -- '^\.B[RI]* --*[a-z][a-z-]*' | grep -o -- '--*[a-z][a-z-]*' | sort -u); do
		t_has "$c: option $opt of the man page is in '$c --help'" "$cmd_help" "$opt"
	done
done

# Every setting the code reads: ENV_PREFIX "NAME" in settings.c, and any
# DOCKER_CREDENTIAL_GHCR_NAME spelled out elsewhere.
env_vars=$( { grep -v '#define' "$ROOT/helper/settings.c" | grep -o 'ENV_PREFIX "[A-Z_]*"' |
	sed 's/ENV_PREFIX "\(.*\)"/DOCKER_CREDENTIAL_GHCR_\1/'
	grep -rhoE 'DOCKER_CREDENTIAL_GHCR_[A-Z_]*[A-Z]' "$ROOT/common" "$ROOT/helper" "$ROOT/store" --include='*.c'; } | sort -u)
t_check "the settings list is found in the sources" test "$(printf '%s\n' "$env_vars" | wc -l)" -ge 9
for v in $env_vars \
	GITHUB_TOKEN GH_TOKEN GITHUB_ACTOR GITHUB_ACTIONS RUNNER_TEMP GITHUB_SERVER_URL \
	DOCKER_CONFIG REGISTRY_AUTH_FILE; do
	t_check "the man page documents $v" grep -q "^\.B.* $v\b\|^\.B $v$" "$MAN"
done

if t_need groff; then
	warnings=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww "$MAN" 2>&1 >/dev/null)
	t_equal "the man page renders without warnings" "" "$warnings"
else
	t_skip "the man page renders without warnings" "groff missing"
fi

for c in configure login logout status; do
	run "$c" --help
	t_check "$c --help exits 0 with a usage line" test "$rc" -eq 0 -a "${out#Usage: docker-credential-ghcr $c}" != "$out"
done

complete_line() {
	( . "$COMPLETION"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
	  _docker_credential_ghcr; printf '%s\n' "${COMPREPLY[@]}" )
}
t_equal "completion: 'con' completes to configure" configure "$(complete_line docker-credential-ghcr con)"
t_equal "completion: configure options" "--podman" "$(complete_line docker-credential-ghcr configure --po)"
t_equal "completion: login registries" "ghcr.io" "$(complete_line docker-credential-ghcr login gh)"
t_equal "completion: status --json" "--json" "$(complete_line docker-credential-ghcr status --j)"

# --- configure ---------------------------------------------------------------

fresh
run configure
t_check "configure on a fresh HOME exits 0" test "$rc" -eq 0
t_equal "configure creates config.json with credHelpers for ghcr.io" ghcr \
	"$(json "$CFG" 'd["credHelpers"]["ghcr.io"]')"
t_equal "... and for docker.pkg.github.com" ghcr "$(json "$CFG" 'd["credHelpers"]["docker.pkg.github.com"]')"
t_equal "a new config.json is mode 600" 600 "$(stat -c %a "$CFG")"
t_has "configure says what it added" "$out" "credHelpers: ghcr.io -> ghcr (added)"
cp "$CFG" "$T/first"
run configure
t_has "a second configure changes nothing" "$out" "unchanged"
t_check "... and leaves the bytes as they were" cmp -s "$T/first" "$CFG"

fresh
mkdir -p "$DOCKER_CONFIG"
cat >"$CFG" <<EOF
{
	"auths": {
		"ghcr.io": { "auth": "$(b64 "octocat:$TOKEN")" },
		"quay.io": { "auth": "$(b64 "q:secret")" }
	},
	"HttpHeaders": { "User-Agent": "x", "nested": { "deep": [1, {"a": null}] } },
	"psFormat": "table {{.ID}}",
	"credsStore": "desktop",
	"currentContext": "rootless"
}
EOF
chmod 640 "$CFG"
py -c 'import json,sys; d=json.load(open(sys.argv[1])); del d["auths"]["ghcr.io"]; d["credHelpers"]={"ghcr.io":"ghcr","docker.pkg.github.com":"ghcr"}; print(json.dumps(d, sort_keys=True))' "$CFG" >"$T/expected"
run configure
t_check "configure with unknown keys and a plaintext login exits 0" test "$rc" -eq 0
t_equal "every other key and value is kept; the login left; credHelpers added" \
	"$(cat "$T/expected")" "$(json "$CFG" 'json.dumps(d, sort_keys=True)')"
t_equal "the key order is kept" "['auths', 'HttpHeaders', 'psFormat', 'credsStore', 'currentContext', 'credHelpers']" \
	"$(json "$CFG" 'list(d.keys())')"
t_equal "the file keeps its mode 640" 640 "$(stat -c %a "$CFG")"
t_has "configure says it moved the plaintext login" "$out" "moved the plaintext login for ghcr.io (user octocat)"
t_equal "the moved login now comes from the store" \
	"{\"ServerURL\":\"ghcr.io\",\"Username\":\"octocat\",\"Secret\":\"$TOKEN\"}" "$(get ghcr.io)"
t_hasnt "configure never prints the token" "$out$err" "$BODY"
t_check "the plaintext is gone from the file" test "$(grep -c "$(b64 "octocat:$TOKEN")" "$CFG")" -eq 0

fresh
mkdir -p "$DOCKER_CONFIG"
printf '{"auths": {"ghcr.io": {"auth": "%s"}},' "$(b64 "octocat:$TOKEN")" >"$CFG"
cp "$CFG" "$T/invalid"
run configure
t_equal "invalid JSON: configure exits 1" 1 "$rc"
t_has "... says which file, where, and that nothing changed" "$err" "$CFG:1:"
t_has "... and that nothing was changed" "$err" "nothing was changed"
t_check "... and leaves the file untouched" cmp -s "$T/invalid" "$CFG"
t_equal "... and stores nothing" "credentials not found in native keychain" "$(get ghcr.io)"

fresh
mkdir -p "$DOCKER_CONFIG"
: >"$CFG"
run configure
t_check "an empty config.json is configured" test "$rc" -eq 0 -a "$(json "$CFG" 'd["credHelpers"]["ghcr.io"]')" = ghcr

fresh
mkdir -p "$DOCKER_CONFIG"
echo '{"keep": 1}' >"$CFG"
chmod 444 "$CFG"
run configure
t_equal "a read-only config.json: configure exits 1" 1 "$rc"
t_has "... and says how to fix it" "$err" "chmod u+w"
t_equal "... and leaves it untouched" '{"keep": 1}' "$(cat "$CFG")"
run configure --dry-run
t_check "--dry-run still works on a read-only file" test "$rc" -eq 0

fresh
mkdir -p "$DOCKER_CONFIG" "$HOME/dotfiles"
echo '{"mine": true}' >"$HOME/dotfiles/docker.json"
ln -s ../dotfiles/docker.json "$CFG"
run configure
t_check "a symlinked config.json stays a symlink" test -L "$CFG"
t_equal "... and its target is edited" "True ghcr" \
	"$(json "$HOME/dotfiles/docker.json" 'str(d["mine"]) + " " + d["credHelpers"]["ghcr.io"]')"

fresh
mkdir -p "$DOCKER_CONFIG"
printf '{"auths": {"ghcr.io": {"auth": "%s"}}}' "$(b64 "octocat:$TOKEN")" >"$CFG"
cp "$CFG" "$T/before"
run configure --dry-run
t_has "--dry-run says what it would add" "$out" "would add"
t_has "--dry-run says what it would move" "$out" "would move the plaintext login for ghcr.io"
t_check "--dry-run changes no file" cmp -s "$T/before" "$CFG"
t_equal "--dry-run stores nothing" "credentials not found in native keychain" "$(get ghcr.io)"

fresh
run configure --registries registry.example.com:5000,GHCR.IO
t_equal "--registries configures exactly those hosts, normalised" \
	"['registry.example.com:5000', 'ghcr.io']" "$(json "$CFG" 'list(d["credHelpers"].keys())')"
run configure --registries 'https://user@evil'
t_equal "--registries refuses what is not a registry host" 1 "$rc"

fresh
export REGISTRY_AUTH_FILE=$T/podman-auth$n.json
printf '{"auths": {"docker.pkg.github.com": {"auth": "%s"}}}' "$(b64 "podder:$TOKEN")" >"$REGISTRY_AUTH_FILE"
run configure --podman
t_check "configure --podman exits 0" test "$rc" -eq 0
t_equal "--podman adds credHelpers to REGISTRY_AUTH_FILE" ghcr \
	"$(json "$REGISTRY_AUTH_FILE" 'd["credHelpers"]["ghcr.io"]')"
t_equal "--podman moves its plaintext login into the store" podder \
	"$(json "$REGISTRY_AUTH_FILE" 'len(d["auths"])' >/dev/null; get docker.pkg.github.com | py -c 'import json,sys; print(json.load(sys.stdin)["Username"])')"
t_equal "... and removes it from auth.json" 0 "$(json "$REGISTRY_AUTH_FILE" 'len(d["auths"])')"
unset REGISTRY_AUTH_FILE

fresh
export XDG_RUNTIME_DIR=$T/run$n
mkdir -p "$XDG_RUNTIME_DIR/containers"
printf '{"auths": {"ghcr.io": {"auth": "%s"}}}' "$(b64 "podder:$TOKEN")" >"$XDG_RUNTIME_DIR/containers/auth.json"
run configure --podman
t_equal "--podman edits podman login's runtime auth.json" "0 ghcr" \
	"$(json "$XDG_RUNTIME_DIR/containers/auth.json" 'str(len(d["auths"])) + " " + d["credHelpers"]["ghcr.io"]')"
t_equal "... and the persistent ~/.config/containers/auth.json" ghcr \
	"$(json "$HOME/.config/containers/auth.json" 'd["credHelpers"]["ghcr.io"]')"
if t_need podman; then
	# Private storage, and (as root) a private /dev/shm for libpod's lock,
	# so the test leaves nothing behind on the host.
	podman_cmd=(podman --root "$T/podman-root" --runroot "$T/podman-run" \
		--tmpdir "$T/podman-tmp" --storage-driver vfs login --get-login ghcr.io)
	if [ "$(id -u)" = 0 ] && t_need unshare; then
		got=$(unshare -m sh -c 'mount -t tmpfs tmpfs /dev/shm && exec "$@"' sh "${podman_cmd[@]}" 2>&1)
	else
		got=$("${podman_cmd[@]}" 2>&1)
	fi
	t_equal "podman finds the moved login through the helper" podder "$got"
else
	t_skip "podman finds the moved login through the helper" "podman missing"
fi
unset XDG_RUNTIME_DIR

# Inside an Actions job the store lives under RUNNER_TEMP and dies with
# the job: a self-hosted runner's own login must not be moved into it.
fresh
mkdir -p "$DOCKER_CONFIG" "$T/runner$n"
printf '{"auths": {"ghcr.io": {"auth": "%s"}}}' "$(b64 "runner:$TOKEN")" >"$CFG"
cp "$CFG" "$T/before"
out=$(GITHUB_ACTIONS=true RUNNER_TEMP=$T/runner$n "$H" configure --dry-run 2>/dev/null)
t_hasnt "configure --dry-run inside an Actions job does not promise a move" "$out" "would move"
out=$(GITHUB_ACTIONS=true RUNNER_TEMP=$T/runner$n "$H" configure 2>"$T/err"); rc=$?
t_check "configure inside an Actions job exits 0" test "$rc" -eq 0
t_equal "... leaves the runner's plaintext login in auths" \
	"$(json "$T/before" 'd["auths"]')" "$(json "$CFG" 'd["auths"]')"
t_has "... and says why, in one line" "$out" \
	"left the plaintext login for ghcr.io (user runner) in the file: the store here is job-scoped"
t_equal "... still adds the credHelpers entry" ghcr "$(json "$CFG" 'd["credHelpers"]["ghcr.io"]')"
t_check "... and creates no job-scoped store" test ! -e "$T/runner$n/docker-credential-ghcr/credentials"

# A parse error says where, never what: the text there may be a password
# (jansson's own message quotes a token of up to 20 characters).
fresh
mkdir -p "$DOCKER_CONFIG"
printf '{"auths": {"ghcr.io": {"username": "octocat",\n "password" "S3cr3t-Pa55w0rd!"}}}' >"$CFG"
run configure
t_equal "a config.json with a missing colon: configure exits 1" 1 "$rc"
t_has "... names the file, line and column" "$err" "$CFG:2:"
t_hasnt "... and never quotes the password at that place" "$out$err" "Pa55w0rd"
run status
t_hasnt "status never quotes the password of a broken config.json" "$out$err" "Pa55w0rd"
run status --json
t_hasnt "... nor does status --json" "$out$err" "Pa55w0rd"

# Docker merges a key written twice and reads keys in any letter case.
fresh
mkdir -p "$DOCKER_CONFIG"
printf '{"auths": {"quay.io": {"auth": "%s"}},\n "auths": {"ghcr.io": {"auth": "%s"}}}' \
	"$(b64 q:secret)" "$(b64 "octocat:$TOKEN")" >"$CFG"
cp "$CFG" "$T/before"
run configure
t_equal "auths written twice: configure refuses (exit 1)" 1 "$rc"
t_has "... says what and where" "$err" "$CFG:2:"
t_check "... and leaves the file as it was, quay.io's login included" cmp -s "$T/before" "$CFG"

fresh
mkdir -p "$DOCKER_CONFIG"
printf '{"Auths": {"ghcr.io": {"auth": "%s"}, "quay.io": {"auth": "%s"}}}' \
	"$(b64 "octocat:$TOKEN")" "$(b64 q:secret)" >"$CFG"
run status
t_has "status reports a plaintext login under \"Auths\"" "$out" "holds plaintext GitHub logins"
run configure
t_check "configure moves a plaintext login under \"Auths\"" test "$rc" -eq 0
t_equal "... into the store" \
	"{\"ServerURL\":\"ghcr.io\",\"Username\":\"octocat\",\"Secret\":\"$TOKEN\"}" "$(get ghcr.io)"
t_equal "... out of \"Auths\", keeping quay.io's, adding no second \"auths\"" \
	"['quay.io'] False" "$(json "$CFG" 'str(list(d["Auths"].keys())) + " " + str("auths" in d)')"

fresh
out=$(PATH=/usr/bin:/bin "$H" configure 2>&1 >/dev/null)
t_has "configure warns when the helper is not on PATH" "$out" "not on PATH"

# --- login / logout ------------------------------------------------------------
# Every login here is --no-verify: trying a token against the registry is
# the check suite's job (tests/check/run.sh, with a registry of its own);
# these must never reach the Internet.

fresh
out=$(printf '%s\n' "$TOKEN" | "$H" login --no-verify -u octocat --password-stdin 2>"$T/err"); rc=$?; err=$(cat "$T/err")
t_check "login --password-stdin exits 0" test "$rc" -eq 0
t_has "login says what it stored, masked" "$out" "ghcr.io (user octocat, classic personal access token ghp_…1234)"
t_hasnt "login never prints the token" "$out$err" "$BODY"
t_equal "the login answers get" "{\"ServerURL\":\"ghcr.io\",\"Username\":\"octocat\",\"Secret\":\"$TOKEN\"}" "$(get ghcr.io)"
t_has "login notes that Docker is not configured yet" "$err" "configure"

out=$(printf '%s' "$FINE" | "$H" login --no-verify docker.pkg.github.com -u octocat 2>&1); rc=$?
t_check "login from a pipe (no --password-stdin) stores a fine-grained token" test "$rc" -eq 0
t_has "... and warns that GitHub Packages does not accept it" "$out" "does not accept fine-grained"
out=$(printf 'x-registry-password\n' | "$H" login --no-verify registry.example.com -u bob 2>&1)
t_hasnt "no token-kind warning for a registry that is not GitHub's" "$out" "warning"

out=$(printf '%s\n' "$TOKEN" | "$H" login --no-verify https://GHCR.IO/v2/ --username=renamed 2>&1)
t_equal "login normalises the server and replaces the old login" renamed \
	"$(get ghcr.io | py -c 'import json,sys; print(json.load(sys.stdin)["Username"])')"

out=$(printf '%s\n' "$TOKEN" | "$H" login --no-verify ghcr.io 2>&1); rc=$?
t_equal "login from a pipe without -u exits 1" 1 "$rc"
t_has "... and asks for -u" "$out" "-u USER"
out=$("$H" login --no-verify ghcr.io -u octocat -p "$TOKEN" 2>&1 </dev/null); rc=$?
t_equal "a token on the command line is refused" 1 "$rc"
t_has "... with the reason" "$out" "visible to every user"
out=$("$H" login --no-verify ghcr.io -u octocat --password-stdin 2>&1 </dev/null); rc=$?
t_equal "an empty token is refused" 1 "$rc"
t_equal "... and the stored login is unchanged" renamed \
	"$(get ghcr.io | py -c 'import json,sys; print(json.load(sys.stdin)["Username"])')"
out=$(printf 'ghp_a\nghp_b\n' | "$H" login --no-verify ghcr.io -u x --password-stdin 2>&1); rc=$?
t_equal "two lines on stdin are refused" 1 "$rc"

run logout
t_has "logout removes the login" "$out" "Removed the login for ghcr.io"
t_equal "... and get no longer answers" "credentials not found in native keychain" "$(get ghcr.io)"
run logout ghcr.io
t_has "a second logout says nothing was stored" "$out" "No login for ghcr.io was stored"
t_check "... and still exits 0" test "$rc" -eq 0
out=$(GITHUB_TOKEN=$TOKEN "$H" logout ghcr.io 2>&1)
t_has "logout says when GITHUB_TOKEN still answers" "$out" "GITHUB_TOKEN in the environment still answers"

# A real terminal: the prompt shows, the token typed is not echoed.
if t_need tmux; then
	fresh
	tmux -L ghcr-cmd-$$ new-session -d -x 200 -y 20 \
		"env HOME=$HOME DOCKER_CONFIG=$DOCKER_CONFIG $H login --no-verify ghcr.io; echo EXIT=\$?; sleep 30"
	for _ in $(seq 50); do
		tmux -L ghcr-cmd-$$ capture-pane -p | grep -q 'Username:' && break
		sleep 0.1
	done
	tmux -L ghcr-cmd-$$ send-keys "octocat" Enter
	for _ in $(seq 50); do
		tmux -L ghcr-cmd-$$ capture-pane -p | grep -q 'Token for ghcr.io:' && break
		sleep 0.1
	done
	tmux -L ghcr-cmd-$$ send-keys "$TOKEN" Enter
	for _ in $(seq 50); do
		tmux -L ghcr-cmd-$$ capture-pane -p | grep -q 'EXIT=' && break
		sleep 0.1
	done
	screen=$(tmux -L ghcr-cmd-$$ capture-pane -p)
	tmux -L ghcr-cmd-$$ kill-server
	t_has "on a terminal, login asks for the user name (echoed)" "$screen" "Username: octocat"
	t_has "... then prompts for the token" "$screen" "Token for ghcr.io:"
	t_hasnt "... and does not echo it" "$screen" "$BODY"
	t_has "... and stores it" "$screen" "EXIT=0"
	t_equal "... so get answers with it" "{\"ServerURL\":\"ghcr.io\",\"Username\":\"octocat\",\"Secret\":\"$TOKEN\"}" "$(get ghcr.io)"

	# A signal at the prompt (Ctrl-C, a kill): the terminal gets its echo
	# back before the helper dies.  No interactive shell in between, as
	# bash would restore the terminal itself.
	cat >"$T/signal.sh" <<EOF
$H login --no-verify ghcr.io -u octocat </dev/tty &
echo \$! >$T/pid
wait
stty -a | tr ' ' '\\n' | grep -x -- '-*echo' | sed 's/^/STATE=/'
sleep 30
EOF
	tmux -L ghcr-cmd-$$ new-session -d -x 200 -y 20 "bash $T/signal.sh"
	for _ in $(seq 50); do
		tmux -L ghcr-cmd-$$ capture-pane -p | grep -q 'Token for ghcr.io:' && break
		sleep 0.1
	done
	kill -TERM "$(cat "$T/pid")"
	for _ in $(seq 50); do
		tmux -L ghcr-cmd-$$ capture-pane -p | grep -q '^STATE=' && break
		sleep 0.1
	done
	screen=$(tmux -L ghcr-cmd-$$ capture-pane -p)
	state=$(printf "%s\n" "$screen" | grep "^STATE=")
	tmux -L ghcr-cmd-$$ kill-server
	t_equal "a signal at the token prompt gives the terminal its echo back" "STATE=echo" "${state:-$screen}"
else
	t_skip "login on a real terminal does not echo" "tmux missing"
fi

# --- status --------------------------------------------------------------------

fresh
run status
t_check "status on a fresh HOME exits 0" test "$rc" -eq 0
t_has "status says Docker is not configured, with the fix" "$out" "run 'docker-credential-ghcr configure'"
t_has "status names the backend and why" "$out" "backend:  file (file: chosen by DOCKER_CREDENTIAL_GHCR_BACKEND"
"$H" status --json >"$T/status.json"
t_equal "status --json is one JSON object with the problems" "True" \
	"$(json "$T/status.json" '"docker-not-configured" in [p["id"] for p in d["problems"]]')"

"$H" configure >/dev/null 2>&1
printf '%s\n' "$TOKEN" | "$H" login --no-verify -u octocat --password-stdin >/dev/null 2>&1
run status
t_has "status shows the stored login with its kind and mask" "$out" "stored         octocat          classic        ghp_…1234"
t_has "status finds no problem once configured" "$out" "No problems found."
t_hasnt "status never prints the token" "$out$err" "$BODY"
"$H" status --json >"$T/status.json"
t_equal "status --json: source, user, kind and mask for ghcr.io" "stored octocat classic ghp_…1234" \
	"$(json "$T/status.json" '" ".join(d["hosts"][0][k] for k in ("source", "username", "token_kind", "token"))')"
t_hasnt "status --json never prints the token" "$(cat "$T/status.json")" "$BODY"

printf '%s\n' "$FINE" | "$H" login --no-verify docker.pkg.github.com -u octocat --password-stdin >/dev/null 2>&1
run status
t_has "status warns about a fine-grained token" "$out" "is a fine-grained personal access token"

chmod 644 "$HOME/.local/share/docker-credential-ghcr/credentials"
run status
t_has "status sees a store others can read, and says chmod 600" "$out" "fix: chmod 600 $HOME/.local/share/docker-credential-ghcr/credentials"
chmod 600 "$HOME/.local/share/docker-credential-ghcr/credentials"

fresh
mkdir -p "$DOCKER_CONFIG"
printf '{"auths": {"https://ghcr.io": {"auth": "%s"}}, "credHelpers": {"ghcr.io": "ghcr", "docker.pkg.github.com": "ghcr"}}' \
	"$(b64 "octocat:$TOKEN")" >"$CFG"
run status
t_has "status sees plaintext GitHub logins in config.json" "$out" "holds plaintext GitHub logins"
t_hasnt "... without printing them" "$out" "$(b64 "octocat:$TOKEN")"

fresh
mkdir -p "$DOCKER_CONFIG"
echo '{"credHelpers": ' >"$CFG"
run status
t_check "status with a broken config.json still exits 0" test "$rc" -eq 0
t_has "... and reports it" "$out" "invalid JSON"

fresh
out=$(GITHUB_ACTIONS=true RUNNER_TEMP=$T/runner$n "$H" status 2>&1)
t_has "in Actions without GITHUB_TOKEN, status shows the env: line to add" "$out" 'GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}'
GITHUB_ACTIONS=true RUNNER_TEMP=$T/runner$n GITHUB_TOKEN=ghs_16C7e42F292c6912E7710c838347Ae178B4a GITHUB_ACTOR=octobot \
	"$H" status --json >"$T/status.json"
t_equal "in Actions with GITHUB_TOKEN, the ambient token answers, masked" "ambient GITHUB_TOKEN octobot installation ghs_…8B4a" \
	"$(json "$T/status.json" '" ".join(d["hosts"][0][k] for k in ("source", "variable", "username", "token_kind", "token"))')"
t_equal "... with the job-scoped store" "True" "$(json "$T/status.json" 'd["github"]["job_scoped"]')"
t_equal "... and no actions-no-token problem" "False" \
	"$(json "$T/status.json" '"actions-no-token" in [p["id"] for p in d["problems"]]')"
t_hasnt "... and never the token" "$(cat "$T/status.json")" "92c6912E7710c838"

echo '{"pull_request": {"head": {"repo": {"fork": true, "full_name": "someone/fork"}}, "base": {"repo": {"full_name": "owner/repo"}}}}' >"$T/event.json"
out=$(GITHUB_ACTIONS=true RUNNER_TEMP=$T/runner$n GITHUB_TOKEN=ghs_x GITHUB_EVENT_NAME=pull_request \
	GITHUB_EVENT_PATH=$T/event.json "$H" status 2>&1)
t_has "status sees a pull request from a fork (read-only token)" "$out" "pull request from a fork"
out=$(GITHUB_ACTIONS=true RUNNER_TEMP=$T/runner$n GITHUB_TOKEN=ghs_x GITHUB_EVENT_NAME=push \
	GITHUB_EVENT_PATH=$T/event.json "$H" status 2>&1)
t_hasnt "... and not on a push" "$out" "pull request from a fork"

if [ -e "$(dirname "$H")/docker-credential-ghcr-secretservice.so" ] || "$H" status --json | grep -q secretservice; then
	out=$(env -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR=$T/nobus DOCKER_CREDENTIAL_GHCR_BACKEND=auto "$H" status 2>&1)
	t_has "with no Secret Service, status says the file store is used" "$out" "no Secret Service answers on the session bus"
else
	t_skip "with no Secret Service, status says the file store is used" "built without the Secret Service"
fi

# --- inside an Actions job, the workflow alone says where the store is -------
# A settings file in HOME (left, say, by an earlier job on a persistent
# runner) must not move the job's store out of RUNNER_TEMP nor make another
# host a GitHub registry the job token answers for.
fresh
rt=$T/runner$n
mkdir -p "$rt" "$HOME/.config/docker-credential-ghcr" "$T/persistent$n"
printf 'store = %s\nkey-file = %s\nhosts = registry.planted.example\n' \
	"$T/persistent$n/credentials" "$T/persistent$n/key" >"$HOME/.config/docker-credential-ghcr/config"
job() {
	env -u DOCKER_CREDENTIAL_GHCR_BACKEND GITHUB_ACTIONS=true RUNNER_TEMP="$rt" \
		GITHUB_TOKEN=ghs_16C7e42F292c6912E7710c838347Ae178B4a GITHUB_ACTOR=octobot "$H" "$@"
}
out=$(printf 'registry.planted.example' | job get 2>"$T/err")
t_hasnt "in a job, hosts from the HOME settings file get no job token" "$out" "ghs_"
t_has "... and the helper says it ignored them" "$(cat "$T/err")" "ignored store, key-file, hosts"
printf '{"ServerURL":"ghcr.io","Username":"octocat","Secret":"%s"}' "$TOKEN" | job store 2>/dev/null
t_check "in a job, a login is stored under RUNNER_TEMP despite the HOME settings file" \
	test -f "$rt/docker-credential-ghcr/credentials" -a ! -e "$T/persistent$n/credentials"
job status --json >"$T/status.json" 2>/dev/null
t_equal "in a job, status reports the store's real location" "$rt/docker-credential-ghcr/credentials" \
	"$(json "$T/status.json" 'd["backend"]["store"]')"
t_has "... and says it is under RUNNER_TEMP" "$(json "$T/status.json" 'd["backend"]["reason"]')" "under RUNNER_TEMP"
out=$(printf 'registry.workflow.example' | DOCKER_CREDENTIAL_GHCR_HOSTS=registry.workflow.example job get 2>/dev/null)
t_has "in a job, hosts the workflow's environment adds still get the job token" "$out" "ghs_16C7e42F"
DOCKER_CREDENTIAL_GHCR_STORE=$T/workflow$n/credentials job status --json >"$T/status.json" 2>/dev/null
t_equal "in a job, status reports a store the workflow's environment moved" "$T/workflow$n/credentials" \
	"$(json "$T/status.json" 'd["backend"]["store"]')"
t_hasnt "... without claiming it is under RUNNER_TEMP" "$(json "$T/status.json" 'd["backend"]["reason"]')" "RUNNER_TEMP"
out=$(printf 'registry.planted.example' | env -u DOCKER_CREDENTIAL_GHCR_BACKEND GITHUB_TOKEN=ghs_x "$H" get 2>/dev/null)
t_has "outside a job the same file still counts (its hosts are GitHub's)" "$out" '"Secret":"ghs_x"'

# --- never autolaunch a bus: no dbus-launch, whatever the address list -----
# GLib tries each entry of DBUS_SESSION_BUS_ADDRESS in turn and runs
# dbus-launch for an autolaunch: one (given a display); a stand-in first on
# PATH records being run.
if [ -n "${DOCKER_CREDENTIAL_GHCR_MODULE_DIR:-}" ] &&
	[ -e "$DOCKER_CREDENTIAL_GHCR_MODULE_DIR/docker-credential-ghcr-secretservice.so" ]; then
	fresh
	mkdir -p "$T/fakebin$n"
	printf '#!/bin/sh\necho "$@" >>"%s"\nexit 1\n' "$T/dbus-launch-ran" >"$T/fakebin$n/dbus-launch"
	chmod +x "$T/fakebin$n/dbus-launch"
	for addr in "unix:path=$T/no-bus;autolaunch:" "autolaunch:" "unix:path=$T/no-bus;autolaunch:scope=x"; do
		for backend in auto secretservice; do
			printf 'ghcr.io' | env PATH="$T/fakebin$n:$PATH" DISPLAY=:97 DBUS_SESSION_BUS_ADDRESS="$addr" \
				DOCKER_CREDENTIAL_GHCR_BACKEND=$backend "$H" get >/dev/null 2>&1
		done
	done
	t_check "an autolaunch: entry anywhere in the bus address list starts no dbus-launch (auto and secretservice)" \
		test ! -e "$T/dbus-launch-ran"
	out=$(env DISPLAY=:97 PATH="$T/fakebin$n:$PATH" DBUS_SESSION_BUS_ADDRESS="unix:path=$T/no-bus;autolaunch:" \
		DOCKER_CREDENTIAL_GHCR_BACKEND=auto "$H" status --json 2>/dev/null)
	t_has "... and auto then uses the file store" "$out" '"reason": "no Secret Service answers here'
else
	t_skip "an autolaunch: entry anywhere in the bus address list starts no dbus-launch (auto and secretservice)" \
		"built without the Secret Service"
	t_skip "... and auto then uses the file store" "built without the Secret Service"
fi

t_summary
