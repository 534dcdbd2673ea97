#!/bin/bash
# Look-alike hosts: with a GitHub token in the environment and another in
# the GitHub CLI's hosts.yml, every "none" server of lookalike.hosts gets
# no token at all (not found or refused, one line, exit 1), and the
# "ambient" controls get exactly the token they should.  Each github.com
# row runs twice: with the ambient token, and with only the gh login.  No
# token ever appears on stderr, nor in `list`, nor unmasked in `status`.
# LOOKALIKE_SOURCES=ambient skips the second pass (make valgrind does).
set -u
. "$(dirname "$0")/common.sh"
HOSTS=${LOOKALIKE_HOSTS:-$(dirname "$0")/lookalike.hosts}

TOKEN_A=${H_CANARY}A     # GITHUB_TOKEN
TOKEN_B=${H_CANARY}B     # GH_TOKEN
TOKEN_C=gho_CANARYghcli0123456789abcdefXYZ  # gh's hosts.yml
ALL_TOKENS=("$TOKEN_A" "$TOKEN_B" "$TOKEN_C" "$H_CANARY")

# gh's own file: logins for github.com and the enterprise servers, with
# nested per-user entries as gh writes them since 2.40.
# The enterprise rows use a file without the github.com login, which
# rightly serves ghcr.io whatever server the job runs on.
GH_ALL=$H_DIR/gh-all GH_ENT=$H_DIR/gh-ent
mkdir -p "$GH_ALL" "$GH_ENT"
cat >"$GH_ALL/hosts.yml" <<YML
github.com:
    users:
        octocat:
            oauth_token: $TOKEN_C
    oauth_token: $TOKEN_C
    user: octocat
    git_protocol: https
github.example.com:
    oauth_token: $TOKEN_C
    user: octocat
acme.ghe.com:
    oauth_token: $TOKEN_C
    user: octocat
YML
sed '1,/^    git_protocol/d' "$GH_ALL/hosts.yml" >"$GH_ENT/hosts.yml"
chmod 600 "$GH_ALL/hosts.yml" "$GH_ENT/hosts.yml"

set_config() { # CONFIG SOURCE: source is ambient or ghcli
	unset GITHUB_SERVER_URL GITHUB_TOKEN GH_TOKEN GITHUB_ACTOR
	export GH_CONFIG_DIR=$GH_ENT
	case $1 in
	gh) export GH_CONFIG_DIR=$GH_ALL ;;
	ghes) export GITHUB_SERVER_URL=https://github.example.com ;;
	ghecom) export GITHUB_SERVER_URL=https://acme.ghe.com ;;
	esac
	if [ "$2" = ambient ]; then
		export GITHUB_TOKEN=$TOKEN_A GH_TOKEN=$TOKEN_B GITHUB_ACTOR=octocat
	fi
}

leaks() { # -> 0 when any token is in stdout or stderr
	local t
	for t in "${ALL_TOKENS[@]}"; do
		h_contains "$H_OUT" "$t" && return 0
		h_contains "$H_ERR" "$t" && return 0
	done
	return 1
}
stderr_leaks() {
	local t
	for t in "${ALL_TOKENS[@]}"; do h_contains "$H_ERR" "$t" && return 0; done
	return 1
}

n_none=0
while IFS=$'\t' read -r config expect server; do
	case "$config" in ''|'#'*) continue ;; esac
	sources=ambient
	[ "$config" = gh ] && sources=${LOOKALIKE_SOURCES:-ambient ghcli}
	[ "$expect" = none ] && n_none=$((n_none + 1))
	for source in $sources; do
		set_config "$config" "$source"
		h_run_str get "$server"
		what="$config/$source: get '$server'"
		if h_crashed; then
			t_fail "$what: no crash" "$(h_describe)"
		elif stderr_leaks; then
			t_fail "$what: no token on stderr" "$(h_describe)"
		elif [ "$expect" = none ]; then
			h_first_line "$H_OUT"
			if leaks; then
				t_fail "$what: no token for a look-alike" "$(h_describe)"
			elif [ "$H_RC" -ne 1 ] || ! h_one_line "$H_OUT"; then
				t_fail "$what: one line, exit 1" "$(h_describe)"
			else
				t_pass "$what -> $H_LINE"
			fi
		else
			want=$TOKEN_A; user=octocat
			[ "$source" = ghcli ] && want=$TOKEN_C
			if [ "$H_RC" -eq 0 ] && h_contains "$H_OUT" "\"Secret\":\"$want\"" &&
				h_contains "$H_OUT" "\"Username\":\"$user\""; then
				t_pass "$what -> the $source token"
			else
				t_fail "$what: gets the $source token" "$(h_describe)"
			fi
		fi
	done
done <"$HOSTS"
[ "$n_none" -ge 20 ] && t_pass "catalogue has $n_none look-alikes (at least 20)" ||
	t_fail "catalogue has at least 20 look-alikes" "found $n_none"

# list names the GitHub registries and nothing else, and no token.
set_config gh ambient
h_run list
if [ "$H_RC" -eq 0 ] && ! leaks && h_slurp "$H_OUT" && [[ "$H_TEXT" == *'"ghcr.io":"octocat"'* ]] &&
	[[ "$H_TEXT" != *evil* ]]; then
	t_pass "list: GitHub registries only, no token"
else
	t_fail "list: GitHub registries only, no token" "$(h_describe)"
fi

# status shows the token masked, never whole, on either stream.
for config in gh ghes; do
	set_config "$config" ambient
	for args in "" "--json"; do
		"$T_HELPER" status $args >"$H_OUT" 2>"$H_ERR"
		H_RC=$?
		if h_crashed; then
			t_fail "$config: status $args: no crash" "$(h_describe)"
		elif leaks; then
			t_fail "$config: status $args: token masked" "$(h_describe)"
		else
			t_pass "$config: status $args: no whole token (exit $H_RC)"
		fi
	done
done
t_summary
