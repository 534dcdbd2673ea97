#!/bin/bash
# A new user's first run: with credHelpers pointing 127.0.0.1:5000 at ghcr,
# a real `docker login` against Debian's docker-registry (htpasswd auth)
# stores through the helper and `docker logout` erases, on the file backend
# and (inside a private gnome-keyring session) on the Secret Service.
#   docker_login.sh            both backends
#   docker_login.sh --inner B  one backend, run from inside the session
set -u
. "$(dirname "$0")/../lib.sh"

user=alice
password=correct-horse-battery

backend_flow() {
	local backend=$1 work=$2 cfg
	export DOCKER_CREDENTIAL_GHCR_BACKEND=$backend DOCKER_CREDENTIAL_GHCR_GH_CLI=off
	export DOCKER_CONFIG=$work/docker-$backend PATH="$(dirname "$T_HELPER"):$PATH"
	mkdir -p "$DOCKER_CONFIG"
	echo '{"credHelpers":{"127.0.0.1:5000":"ghcr"}}' > "$DOCKER_CONFIG/config.json"

	out=$(printf '%s' "$password" | docker login 127.0.0.1:5000 -u $user --password-stdin 2>&1)
	t_check "$backend: docker login succeeds" grep -q "Login Succeeded" <<<"$out"
	t_check "$backend: no secret in config.json" bash -c "! grep -q '$password' '$DOCKER_CONFIG/config.json'"
	t_equal "$backend: helper lists the login" "{\"127.0.0.1:5000\":\"$user\"}" \
		"$(docker-credential-ghcr list)"
	cfg=$(printf '127.0.0.1:5000' | docker-credential-ghcr get)
	t_equal "$backend: helper answers with the password" \
		"{\"ServerURL\":\"127.0.0.1:5000\",\"Username\":\"$user\",\"Secret\":\"$password\"}" "$cfg"
	out=$(printf 'wrong' | docker login 127.0.0.1:5000 -u $user --password-stdin 2>&1)
	t_check "$backend: a wrong password is refused" bash -c "! grep -q 'Login Succeeded' <<<'$out'"
	cfg=$(printf '127.0.0.1:5000' | docker-credential-ghcr get)
	t_check "$backend: the refused login stored nothing" grep -q "$password" <<<"$cfg"
	docker logout 127.0.0.1:5000 >/dev/null 2>&1
	t_equal "$backend: docker logout erases" "credentials not found in native keychain" \
		"$(printf '127.0.0.1:5000' | docker-credential-ghcr get)"
}

if [ "${1:-}" = --inner ]; then
	t_scrub_env "${T_KEYRING_BUS[@]}"
	backend_flow "$2" "$3"
	echo "$T_PASSED $T_FAILED" > "$3/counts-$2"
	exit 0
fi

if ! t_need docker docker-registry htpasswd; then
	if [ -n "${CI:-}" ]; then t_fail "docker, docker-registry and htpasswd installed"
	else t_skip "docker login flow" "docker, docker-registry or htpasswd missing"; fi
	t_summary; exit
fi
# A private network namespace keeps port 5000 ours and the traffic local.
if [ -z "${GHCR_IN_NETNS:-}" ] && [ "$(id -u)" = 0 ] && t_need unshare ip; then
	GHCR_IN_NETNS=1 exec unshare -n bash -c 'ip link set lo up && exec bash "$0"' "$0"
fi
work=$(mktemp -d /tmp/ghcr-login-XXXXXX)
registry_pid=
cleanup() { [ -n "$registry_pid" ] && kill "$registry_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
t_scrub_env HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" \
	XDG_DATA_HOME="$work/home/.local/share"
mkdir -p "$HOME" "$work/data"
htpasswd -Bbn $user "$password" > "$work/htpasswd"
cat > "$work/registry.yml" <<CFG
version: 0.1
log: { level: error }
storage: { filesystem: { rootdirectory: $work/data } }
http: { addr: "127.0.0.1:5000" }
auth: { htpasswd: { realm: test, path: $work/htpasswd } }
CFG
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 50); do
	curl -s -o /dev/null http://127.0.0.1:5000/v2/ && break; sleep 0.1
done

backend_flow file "$work"
"$T_ROOT/tests/keyring-session.sh" bash "$0" --inner secretservice "$work"
rc=$?
if [ -f "$work/counts-secretservice" ]; then
	read -r p f < "$work/counts-secretservice"
	T_PASSED=$((T_PASSED + p)); T_FAILED=$((T_FAILED + f))
	echo "(secret service flow: $p passed, $f failed)"
elif [ $rc = 77 ]; then t_skip "secretservice: docker login flow" "no gnome-keyring"
else t_fail "secretservice: docker login flow ran" "keyring session exit $rc"; fi
t_summary
