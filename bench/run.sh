#!/bin/bash
# bench/run.sh — `make bench`: what one helper call costs, side by side with
# a minimal C program (the floor) and with the reference helpers users run
# today (Debian's golang-docker-credential-helpers), in one run, interleaved.
#
#   bench/run.sh [--smoke] [--runs N] [--entries N] [--out DIR]
#
# It builds the fixtures (a 1-entry and an N-entry encrypted file store
# through our own `store`; the same N entries in one private gnome-keyring
# through our `store` and the reference's `store`; the same entries in a
# throw-away `pass` store), then hands a spec to bench/spawn, which times
# every command round-robin and checks first that each one really answers
# (a fast failure is not a result).  It prints the table, the stripped
# sizes and the targets of issue 5 with their ratios.  Nothing here fails on
# a slow figure: benchmarks measure, tests do not assert wall-clock times.
# --smoke runs everything with a handful of entries and runs, for CI.
#
# Paths come from the environment (bench/bench.mk sets them): GHCR_HELPER
# and DOCKER_CREDENTIAL_GHCR_MODULE_DIR as for the test suites (BENCH_HELPER
# and BENCH_MODULE_DIR win over them), BENCH_FLOOR, BENCH_SPAWN.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HELPER=${BENCH_HELPER:-${GHCR_HELPER:-$ROOT/docker-credential-ghcr}}
MODULE_DIR=${BENCH_MODULE_DIR:-${DOCKER_CREDENTIAL_GHCR_MODULE_DIR:-$(dirname "$HELPER")}}
FLOOR=${BENCH_FLOOR:-$ROOT/build/bench/floor}
SPAWN=${BENCH_SPAWN:-$ROOT/build/bench/spawn}
REF_SS=${BENCH_REF_SECRETSERVICE:-/usr/bin/docker-credential-secretservice}
REF_PASS=${BENCH_REF_PASS:-/usr/bin/docker-credential-pass}

# A list of 1,000 keyring items takes seconds (one round trip to the daemon
# per item), as does a pass get (gpg): those take part in the first
# slow_runs rounds only, still interleaved with everything else.
runs=200 entries=1000 warmup=3 rss_runs=5 slow_runs=30 out= smoke=
inside=
while [ $# -gt 0 ]; do
	case $1 in
	--smoke) smoke=1; runs=3; entries=3; warmup=1; rss_runs=1; slow_runs=2 ;;
	--runs) runs=$2; shift ;;
	--entries) entries=$2; shift ;;
	--out) out=$2; shift ;;
	--inside) inside=$2; shift ;;
	*) echo "usage: $0 [--smoke] [--runs N] [--entries N] [--out DIR]" >&2; exit 2 ;;
	esac
	shift
done

# The credential every `get` looks up, stored last (after the fillers) so a
# backend that scans pays for the whole store.
TARGET=ghcr.io
TARGET_USER=octocat
FILE_SECRET=ghp_benchFileStoreToken0000000000000000
SS_SECRET=ghp_benchSecretServiceToken000000000000
ACTIONS_SECRET=ghs_benchActionsJobToken00000000000000

filler() { # I SECRET_PREFIX -> a store request for filler entry I
	printf '{"ServerURL":"registry-%04d.example.com","Username":"user-%04d","Secret":"%s-%04d"}' \
		"$1" "$1" "$2" "$1"
}
target() { # SECRET
	printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}' "$TARGET" "$TARGET_USER" "$1"
}

# Nothing of the caller's set-up (an ambient GITHUB_TOKEN, a store chosen
# by DOCKER_CREDENTIAL_GHCR_*, a session bus) reaches what is measured; the
# second stage runs from this one inside its own keyring session.
. "$ROOT/tests/lib.sh"
[ -n "$inside" ] || t_scrub_env DOCKER_CREDENTIAL_GHCR_MODULE_DIR="$MODULE_DIR"

# --- stage 2: inside the private keyring session ------------------------------
if [ -n "$inside" ]; then
	W=$inside
	# The deadline only matters when it is exceeded: on a loaded machine
	# the default (for people) would turn a slow run into a failed one.
	ss_timeout=10000
	# gnome-keyring rewrites its whole file on every change, so stores slow
	# down as the keyring grows: give our stores a deadline fit for that.
	ss_store() { DOCKER_CREDENTIAL_GHCR_BACKEND=secretservice \
		DOCKER_CREDENTIAL_GHCR_SECRETSERVICE_TIMEOUT=60000 \
		DOCKER_CREDENTIAL_GHCR_MODULE_DIR=$MODULE_DIR "$HELPER" store; }
	for ((i = 1; i < entries; i++)); do
		filler "$i" ss-ours | ss_store
		filler "$i" ss-ref | "$REF_SS" store
		if ((i % 200 == 0)); then echo "bench: keyring: $i of $entries entries each" >&2; fi
	done
	target "$SS_SECRET" | ss_store
	target "$SS_SECRET" | "$REF_SS" store

	while [ ! -e "$W/fileN.done" ]; do
		if [ -e "$W/fileN.failed" ]; then
			echo "bench: filling the $entries-entry file store failed" >&2
			exit 1
		fi
		sleep 0.2
	done
	{
		cat "$W/spec.file"
		cat <<-EOF
		cmd ghcr secretservice get ($entries)
		arg $HELPER
		arg get
		env DOCKER_CREDENTIAL_GHCR_BACKEND=secretservice
		env DOCKER_CREDENTIAL_GHCR_MODULE_DIR=$MODULE_DIR
		env DOCKER_CREDENTIAL_GHCR_SECRETSERVICE_TIMEOUT=$ss_timeout
		stdin $W/get.in
		expect-contains $SS_SECRET
		cmd reference secretservice get ($entries)
		arg $REF_SS
		arg get
		stdin $W/get.in
		expect-contains $SS_SECRET
		cmd ghcr secretservice list ($entries)
		arg $HELPER
		arg list
		env DOCKER_CREDENTIAL_GHCR_BACKEND=secretservice
		env DOCKER_CREDENTIAL_GHCR_MODULE_DIR=$MODULE_DIR
		env DOCKER_CREDENTIAL_GHCR_SECRETSERVICE_TIMEOUT=$ss_timeout
		expect-contains "$TARGET":"$TARGET_USER"
		max-runs $slow_runs
		cmd reference secretservice list ($entries)
		arg $REF_SS
		arg list
		max-runs $slow_runs
		expect-contains "$TARGET":"$TARGET_USER"
		cmd reference pass get ($entries)
		arg $REF_PASS
		arg get
		env HOME=$W/home
		env GNUPGHOME=$W/gnupg
		env PASSWORD_STORE_DIR=$W/pass
		stdin $W/get.in
		expect-contains $FILE_SECRET
		max-runs $slow_runs
		cmd reference pass list ($entries)
		arg $REF_PASS
		arg list
		env HOME=$W/home
		env GNUPGHOME=$W/gnupg
		env PASSWORD_STORE_DIR=$W/pass
		expect-contains "$TARGET":"$TARGET_USER"
		max-runs $slow_runs
		EOF
	} >"$W/spec"
	exec "$SPAWN" -k -n "$runs" -w "$warmup" -r "$rss_runs" -o "$W/results.tsv" "$W/spec" \
		>"$W/table.md"
fi

# --- stage 1: fixtures that need no bus ---------------------------------------
for f in "$HELPER" "$FLOOR" "$SPAWN" "$REF_SS" "$REF_PASS"; do
	[ -x "$f" ] || { echo "bench: $f is missing (make, and apt-get install golang-docker-credential-helpers)" >&2; exit 1; }
done
for tool in pass gpg strip; do
	command -v "$tool" >/dev/null || { echo "bench: $tool not found (apt-get install pass gnupg binutils)" >&2; exit 1; }
done

W=$(mktemp -d "${TMPDIR:-/tmp}/ghcr-bench.XXXXXX")
gpg_home=$W/gnupg
fill_pid=
cleanup() {
	if [ -n "$fill_pid" ]; then kill "$fill_pid" 2>/dev/null || true; fi
	GNUPGHOME=$gpg_home gpgconf --kill all 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT
mkdir -p "$W/home" "$W/runner" "$W/file1" "$W/fileN" "$gpg_home"
chmod 700 "$W" "$gpg_home"
echo "$TARGET" >"$W/get.in"
# Measure a snapshot: a rebuild of the tree mid-run must not swap the binary
# under the benchmark (or leave it half-written).
mkdir -p "$W/bin"
cp "$HELPER" "$W/bin/docker-credential-ghcr"
HELPER=$W/bin/docker-credential-ghcr
if [ -f "$MODULE_DIR/docker-credential-ghcr-secretservice.so" ]; then
	cp "$MODULE_DIR/docker-credential-ghcr-secretservice.so" "$W/bin/"
fi
MODULE_DIR=$W/bin
cp "$FLOOR" "$W/bin/floor" && FLOOR=$W/bin/floor
cp "$SPAWN" "$W/bin/spawn" && SPAWN=$W/bin/spawn
start=$SECONDS

# Our file stores, through our own `store`, each with its own key file.
file_env() { # DIR -> env words for a file-store command on DIR
	echo "DOCKER_CREDENTIAL_GHCR_BACKEND=file" \
		"DOCKER_CREDENTIAL_GHCR_STORE=$1/credentials" \
		"DOCKER_CREDENTIAL_GHCR_KEY_FILE=$1/key"
}
file_store() { env HOME="$W/home" $(file_env "$1") "$HELPER" store; }
target "$FILE_SECRET" | file_store "$W/file1"
# The big store fills in the background while the keyring fills (each
# store is a process, a decrypt, an encrypt and two fsyncs; the keyring
# rewrites its file on every store): stage 2 waits for it to be done.
(
	for ((i = 1; i < entries; i++)); do
		filler "$i" file | file_store "$W/fileN" || exit 1
		if ((i % 200 == 0)); then echo "bench: file store: $i of $entries entries" >&2; fi
	done
	target "$FILE_SECRET" | file_store "$W/fileN" || exit 1
	touch "$W/fileN.done"
) || touch "$W/fileN.failed" &
fill_pid=$!

# pass: a passphrase-less key made for this run only.  The target goes in
# through the reference's own `store` (proving the layout); the fillers are
# written in the same layout (docker-credential-helpers/BASE64(server)/USER)
# by one gpg --multifile run, since `pass insert` costs ~0.4 s an entry.
export GNUPGHOME=$gpg_home
gpg --batch --quiet --passphrase '' --pinentry-mode loopback \
	--quick-gen-key 'ghcr bench <bench@example.invalid>' future-default default never 2>/dev/null
HOME=$W/home PASSWORD_STORE_DIR=$W/pass pass init bench@example.invalid >/dev/null
target "$FILE_SECRET" | HOME=$W/home PASSWORD_STORE_DIR=$W/pass "$REF_PASS" store
if [ "$entries" -gt 1 ]; then
	plain=()
	for ((i = 1; i < entries; i++)); do
		d=$W/pass/docker-credential-helpers/$(printf 'registry-%04d.example.com' "$i" | base64 -w0)
		mkdir -p "$d"
		printf 'pass-%04d' "$i" >"$d/$(printf 'user-%04d' "$i")"
		plain+=("$d/$(printf 'user-%04d' "$i")")
	done
	gpg --batch --quiet --yes --trust-model always -r bench@example.invalid \
		--multifile --encrypt "${plain[@]}"
	rm -f "${plain[@]}"
fi
unset GNUPGHOME

env_lines() { for e in "$@"; do echo "env $e"; done; }
{
	echo "cmd floor (minimal C program)"
	echo "arg $FLOOR"
	echo "cmd ghcr get, Actions path"
	echo "arg $HELPER"
	echo "arg get"
	env_lines HOME="$W/home" GITHUB_ACTIONS=true RUNNER_TEMP="$W/runner" \
		GITHUB_TOKEN="$ACTIONS_SECRET" GITHUB_ACTOR="$TARGET_USER"
	echo "stdin $W/get.in"
	echo "expect-contains $ACTIONS_SECRET"
	for store in "file1 1" "fileN $entries"; do
		set -- $store
		echo "cmd ghcr file get ($2)"
		echo "arg $HELPER"
		echo "arg get"
		env_lines HOME="$W/home" $(file_env "$W/$1")
		echo "stdin $W/get.in"
		echo "expect-contains $FILE_SECRET"
	done
} >"$W/spec.file"
echo "bench: pass store ready in $((SECONDS - start)) s; filling the keyring" >&2

# --- stage 2 runs in a private D-Bus session with an unlocked gnome-keyring.
set +e
"$ROOT/tests/keyring-session.sh" --keyring env BENCH_HELPER="$HELPER" \
	BENCH_MODULE_DIR="$MODULE_DIR" BENCH_FLOOR="$FLOOR" BENCH_SPAWN="$SPAWN" \
	bash "${BASH_SOURCE[0]}" --inside "$W" --runs "$runs" --entries "$entries" \
	$( [ -n "$smoke" ] && echo --smoke)
status=$?
wait "$fill_pid" 2>/dev/null || true
fill_pid=
set -e
# spawn -k still measures the other commands when one fails its check.
if [ ! -s "$W/results.tsv" ]; then
	echo "bench: measuring failed (status $status)" >&2
	exit "$status"
fi

# --- report -------------------------------------------------------------------
stripped() { # FILE -> size in bytes of a stripped copy
	cp "$1" "$W/strip.tmp" && strip "$W/strip.tmp" && stat -c %s "$W/strip.tmp"
}
helper_size=$(stripped "$HELPER")
module_size=$( [ -f "$MODULE_DIR/docker-credential-ghcr-secretservice.so" ] &&
	stripped "$MODULE_DIR/docker-credential-ghcr-secretservice.so" || echo 0)
floor_size=$(stripped "$FLOOR")

report() {
	echo "## docker-credential-ghcr benchmark"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs," \
		"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1);" \
		"$(uname -sr); $entries stored entries; helper $("$HELPER" version 2>/dev/null | head -1)"
	echo
	cat "$W/table.md"
	echo
	echo "Stripped sizes: helper $helper_size bytes ($((helper_size / 1024)) KiB)," \
		"Secret Service module $module_size bytes (loaded only on that path)," \
		"floor $floor_size bytes; reference secretservice" \
		"$(stat -c %s "$REF_SS") bytes, pass $(stat -c %s "$REF_PASS") bytes (as installed)."
	echo
	echo "### Targets (issue 5): ratios of medians from this run; met/MISSED judges the wall ratio"
	echo
	awk -F'\t' -v size="$helper_size" -v n="$entries" '
		{ med[$1] = $3; cpu[$1] = $6; rss[$1] = $7 }
		# WHAT A B GOAL OK: A/B as measured on wall-clock medians, and
		# the same ratio of CPU medians (steadier on a busy machine).
		function ratio(what, a, b, goal, cmp, limit,   r) {
			if (med[a] == 0 || med[b] == 0 || cpu[b] == 0) {
				printf "| %s | | | %s | FAILED |\n", what, goal
				return
			}
			r = med[a] / med[b]
			printf "| %s | %.2f× | %.2f× | %s | %s |\n", what, r, cpu[a] / cpu[b],
			    goal, (cmp == "le" ? r <= limit : r >= limit) ? "met" : "MISSED"
		}
		function row(what, value, goal, ok) {
			printf "| %s | %s | | %s | %s |\n", what, value, goal, ok ? "met" : "MISSED"
		}
		END {
			f = "floor (minimal C program)"; a = "ghcr get, Actions path"
			f1 = "ghcr file get (1)"; fn = "ghcr file get (" n ")"
			sg = "ghcr secretservice get (" n ")"; rg = "reference secretservice get (" n ")"
			sl = "ghcr secretservice list (" n ")"; rl = "reference secretservice list (" n ")"
			print "| target | wall ratio | CPU ratio | goal | |"
			print "|---|--:|--:|--:|---|"
			ratio("Actions-path get / floor", a, f, "≤ 1.5×", "le", 1.5)
			ratio("file get (1) / floor", f1, f, "≤ 2.5×", "le", 2.5)
			ratio("file get (" n ") / floor", fn, f, "≤ 2.5×", "le", 2.5)
			ratio("file get (" n ") / file get (1)", fn, f1, "≤ 2×", "le", 2)
			ratio("reference SS get / our SS get", rg, sg, "≥ 1× (spec: 2×)", "ge", 1)
			ratio("reference SS list / our SS list", rl, sl, "≥ 1.5× (spec: 2×)", "ge", 1.5)
			row("stripped helper", sprintf("%.0f KiB", size / 1024), "≤ 200 KiB", size <= 200 * 1024)
			row("Actions-path peak RSS", sprintf("%d KiB", rss[a]), "≤ 2048 KiB", rss[a] > 0 && rss[a] <= 2048)
		}' "$W/results.tsv"
}
report >"$W/report.md"
if [ -n "$out" ]; then
	mkdir -p "$out"
	cp "$W/report.md" "$W/results.tsv" "$out/"
fi
cat "$W/report.md"
if [ "$status" -ne 0 ]; then
	echo "bench: a command failed its check (FAILED rows above; details on stderr)" >&2
	exit "$status"
fi
echo "bench: done in $((SECONDS - start)) s" >&2
