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
# sizes and the speed targets with their ratios.  Nothing here fails on
# a slow figure: benchmarks measure, tests do not assert wall-clock times.
# Beside the times: `list` at 10 and 100 items (measured while the keyring
# fills), a burst of 200 concurrent processes (bench/burst.sh: the mix of
# tests/hardening/concurrency.sh) against a fresh keyring for our helper
# and the reference, alternating, and instruction counts (callgrind) of our
# commands and the floors, which do not drift with the machine's load.
# --smoke runs everything with a handful of entries and runs, for CI.
# The kubelet provider is measured beside the file-store get it must stay
# within 1.5x of (SPEC 6), on the same 1-entry store.
#
# Paths come from the environment (bench/bench.mk sets them): GHCR_HELPER
# and DOCKER_CREDENTIAL_GHCR_MODULE_DIR as for the test suites (BENCH_HELPER
# and BENCH_MODULE_DIR win over them), BENCH_FLOOR, BENCH_EVP_FLOOR,
# BENCH_SPAWN.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HELPER=${BENCH_HELPER:-${GHCR_HELPER:-$ROOT/docker-credential-ghcr}}
MODULE_DIR=${BENCH_MODULE_DIR:-${DOCKER_CREDENTIAL_GHCR_MODULE_DIR:-$(dirname "$HELPER")}}
FLOOR=${BENCH_FLOOR:-$ROOT/build/bench/floor}
EVP_FLOOR=${BENCH_EVP_FLOOR:-$ROOT/build/bench/evp_floor}
SPAWN=${BENCH_SPAWN:-$ROOT/build/bench/spawn}
REF_SS=${BENCH_REF_SECRETSERVICE:-/usr/bin/docker-credential-secretservice}
REF_PASS=${BENCH_REF_PASS:-/usr/bin/docker-credential-pass}

# A list of 1,000 keyring items takes seconds (one round trip to the daemon
# per item), as does a pass get (gpg): those take part in the first
# slow_runs rounds only, still interleaved with everything else.
runs=200 entries=1000 warmup=3 rss_runs=5 slow_runs=30 out= smoke=
inside=
# The burst: NEW store, ERASE erase, GET get, LIST list processes, in
# burst_rounds alternating rounds per helper.
burst="100 40 40 20" burst_rounds=3
while [ $# -gt 0 ]; do
	case $1 in
	--smoke) smoke=1; runs=3; entries=3; warmup=1; rss_runs=1; slow_runs=2
		burst="5 2 2 1" burst_rounds=1 ;;
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

# count_ir NAME ENV... -- CMD...: the command's instructions (callgrind),
# appended to $W/ir.tsv; nothing when valgrind is missing or fails.  Its
# stdin is $W/get.in, or the file IR_IN names.
count_ir() {
	local name=$1 envs=() ir
	shift
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	command -v valgrind >/dev/null || return 0
	env "${envs[@]}" valgrind --tool=callgrind --callgrind-out-file=/dev/null \
		"$@" <"${IR_IN:-$W/get.in}" >/dev/null 2>"$W/callgrind.log" || return 0
	ir=$(sed -n 's/.*Collected : //p' "$W/callgrind.log")
	[ -n "$ir" ] && printf '%s\t%s\n' "$name" "$ir" >>"$W/ir.tsv"
	return 0
}
file_env() { # DIR -> env words for a file-store command on DIR
	echo "DOCKER_CREDENTIAL_GHCR_BACKEND=file" \
		"DOCKER_CREDENTIAL_GHCR_STORE=$1/credentials" \
		"DOCKER_CREDENTIAL_GHCR_KEY_FILE=$1/key"
}

# --- stage 2: inside the private keyring session ------------------------------
if [ -n "$inside" ]; then
	W=$inside
	# gnome-keyring rewrites its whole file on every change, so stores slow
	# down as the keyring grows: give our stores a deadline fit for that.
	ss_store() { DOCKER_CREDENTIAL_GHCR_BACKEND=secretservice \
		DOCKER_CREDENTIAL_GHCR_SECRETSERVICE_TIMEOUT=60000 \
		DOCKER_CREDENTIAL_GHCR_MODULE_DIR=$MODULE_DIR "$HELPER" store; }
	ours_env() { # the environment words of our Secret Service commands
		echo "env DOCKER_CREDENTIAL_GHCR_BACKEND=secretservice"
		echo "env DOCKER_CREDENTIAL_GHCR_MODULE_DIR=$MODULE_DIR"
	}
	# list_at N: both lists on the keyring as it is now (N items each).
	list_at() {
		{
			echo "cmd floor (minimal C program)"
			echo "arg $FLOOR"
			echo "cmd ghcr secretservice list ($1)"
			echo "arg $HELPER"
			echo "arg list"
			ours_env
			echo "expect-contains \"registry-0001.example.com\":\"user-0001\""
			echo "cmd reference secretservice list ($1)"
			echo "arg $REF_SS"
			echo "arg list"
			echo "expect-contains \"registry-0001.example.com\":\"user-0001\""
		} >"$W/spec.list$1"
		"$SPAWN" -k -n "$runs" -w "$warmup" -r 1 -o "$W/list$1.tsv" "$W/spec.list$1" \
			>"$W/list$1.md" || echo "bench: list at $1 items: a command failed" >&2
		count_ir "ghcr secretservice list ($1)" DOCKER_CREDENTIAL_GHCR_BACKEND=secretservice \
			DOCKER_CREDENTIAL_GHCR_MODULE_DIR="$MODULE_DIR" \
			DOCKER_CREDENTIAL_GHCR_SECRETSERVICE_TIMEOUT=60000 -- "$HELPER" list
	}
	for ((i = 1; i < entries; i++)); do
		filler "$i" ss-ours | ss_store
		filler "$i" ss-ref | "$REF_SS" store
		if ((i % 200 == 0)); then echo "bench: keyring: $i of $entries entries each" >&2; fi
		if [ -z "$smoke" ] && { ((i == 10)) || ((i == 100)); } && ((i < entries - 1)); then
			list_at "$i"
		fi
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
		$(ours_env)
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
		$(ours_env)
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
	status=0
	"$SPAWN" -k -n "$runs" -w "$warmup" -r "$rss_runs" -o "$W/results.tsv" "$W/spec" \
		>"$W/table.md" || status=$?
	# Instruction counts of our commands and the floors (the reference
	# is Go, whose runtime does not run under valgrind).
	count_ir "floor (minimal C program)" X=1 -- "$FLOOR"
	for f in "file1 1" "fileN $entries"; do
		set -- $f
		count_ir "EVP floor ($2)" X=1 -- "$EVP_FLOOR" "$W/$1/credentials"
		count_ir "ghcr file get ($2)" HOME="$W/home" $(file_env "$W/$1") -- "$HELPER" get
	done
	# The kubelet provider on the same 1-entry store: the image's owner
	# (none stored) and then the host are looked up.
	IR_IN=$W/kubelet.in count_ir "ghcr kubelet (1)" $(file_env "$W/file1") -- "$HELPER" kubelet
	count_ir "ghcr get, Actions path" HOME="$W/home" GITHUB_ACTIONS=true RUNNER_TEMP="$W/runner" \
		GITHUB_TOKEN="$ACTIONS_SECRET" GITHUB_ACTOR="$TARGET_USER" -- "$HELPER" get
	for op in get list; do
		count_ir "ghcr secretservice $op ($entries)" DOCKER_CREDENTIAL_GHCR_BACKEND=secretservice \
			DOCKER_CREDENTIAL_GHCR_MODULE_DIR="$MODULE_DIR" \
			DOCKER_CREDENTIAL_GHCR_SECRETSERVICE_TIMEOUT=60000 -- "$HELPER" "$op"
	done
	exit "$status"
fi

# --- stage 1: fixtures that need no bus ---------------------------------------
for f in "$HELPER" "$FLOOR" "$EVP_FLOOR" "$SPAWN" "$REF_SS" "$REF_PASS"; do
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
printf '{"kind":"CredentialProviderRequest","apiVersion":"credentialprovider.kubelet.k8s.io/v1","image":"%s/%s/app"}' \
	"$TARGET" "$TARGET_USER" >"$W/kubelet.in"
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
cp "$EVP_FLOOR" "$W/bin/evp_floor" && EVP_FLOOR=$W/bin/evp_floor
cp "$SPAWN" "$W/bin/spawn" && SPAWN=$W/bin/spawn
start=$SECONDS

# Our file stores, through our own `store`, each with its own key file.
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
	for store in "file1 1" "fileN $entries"; do
		set -- $store
		echo "cmd EVP floor ($2)"
		echo "arg $EVP_FLOOR"
		echo "arg $W/$1/credentials"
	done
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
	echo "cmd ghcr kubelet (1)"
	echo "arg $HELPER"
	echo "arg kubelet"
	env_lines $(file_env "$W/file1")
	echo "stdin $W/kubelet.in"
	echo "expect-contains $FILE_SECRET"
} >"$W/spec.file"
echo "bench: pass store ready in $((SECONDS - start)) s; filling the keyring" >&2

# --- stage 2 runs in a private D-Bus session with an unlocked gnome-keyring.
set +e
"$ROOT/tests/keyring-session.sh" --keyring env BENCH_HELPER="$HELPER" \
	BENCH_MODULE_DIR="$MODULE_DIR" BENCH_FLOOR="$FLOOR" BENCH_SPAWN="$SPAWN" \
	BENCH_EVP_FLOOR="$EVP_FLOOR" bash "${BASH_SOURCE[0]}" --inside "$W" --runs "$runs" --entries "$entries" \
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

# --- stage 3: the burst, each round in a fresh keyring --------------------------
echo "bench: bursts of $(echo $burst | awk '{print $1 + $2 + $3 + $4}') processes, $burst_rounds rounds per helper" >&2
: >"$W/burst.tsv"
for ((r = 0; r < burst_rounds; r++)); do
	for who in ours reference; do
		if [ "$who" = ours ]; then
			set -- "$HELPER" $burst DOCKER_CREDENTIAL_GHCR_BACKEND=secretservice \
				DOCKER_CREDENTIAL_GHCR_MODULE_DIR="$MODULE_DIR"
		else
			set -- "$REF_SS" $burst
		fi
		line=$("$ROOT/tests/keyring-session.sh" --keyring bash "$ROOT/bench/burst.sh" "$@" 2>/dev/null | tail -1)
		printf '%s\t%s\n' "$who" "$line" >>"$W/burst.tsv"
	done
done

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
	if [ -s "$W/list10.tsv" ] || [ -s "$W/list100.tsv" ]; then
		echo "### list at 10 and 100 items (measured while the keyring filled)"
		echo
		for n in 10 100; do [ -s "$W/list$n.md" ] && sed -n '3,$p' "$W/list$n.md" | grep -v floor | grep '^|'; done |
			{ echo "| command | runs | median ms | p10–p90 ms | × floor | CPU ms | CPU × floor | peak RSS KiB |"
			  echo "|---|--:|--:|--:|--:|--:|--:|--:|"; cat; }
		echo
	fi
	echo "### Burst: $(echo $burst | awk '{print $1 + $2 + $3 + $4 " concurrent processes (" $1 " store, " $2 " erase, " $3 " get, " $4 " list)"}'), fresh keyring each round, default settings"
	echo
	echo "| helper | rounds | median wall ms | wall ms per round | failed processes | lost updates |"
	echo "|---|--:|--:|--:|--:|--:|"
	for who in ours reference; do
		awk -F'\t' -v who="$who" '$1 == who { split($2, f, " "); n++; w[n] = f[1]; fail += f[2]; lost += f[3]; all = all (all == "" ? "" : ", ") f[1] }
			END { if (n == 0) { printf "| %s | 0 | | | | |\n", who; exit }
			      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (w[j] < w[i]) { t = w[i]; w[i] = w[j]; w[j] = t }
			      printf "| %s | %d | %d | %s | %d | %d |\n", (who == "ours" ? "docker-credential-ghcr" : "reference secretservice"), n, w[int((n + 1) / 2)], all, fail, lost }' "$W/burst.tsv"
	done
	echo
	if [ -s "$W/ir.tsv" ]; then
		echo "### Instructions (callgrind, one run each; the reference is Go and does not run under valgrind)"
		echo
		echo "| command | instructions |"
		echo "|---|--:|"
		awk -F'\t' '{ printf "| %s | %s |\n", $1, $2 }' "$W/ir.tsv"
		echo
	fi
	echo "### Targets: ratios of medians from this run; met/MISSED judges the wall ratio (and the instruction ratio where the goal says so)"
	echo
	{ cat "$W/results.tsv"; cat "$W"/list*.tsv 2>/dev/null || true; } | awk -F'\t' -v size="$helper_size" -v n="$entries" \
		-v irfile="$W/ir.tsv" -v burstfile="$W/burst.tsv" '
		# The main table first: the list tables repeat the floor.
		!($1 in med) { med[$1] = $3; cpu[$1] = $6; rss[$1] = $7 }
		# WHAT A B GOAL CMP LIMIT [BYIR]: A/B on wall-clock medians, on
		# CPU medians, and on instructions when both were counted; BYIR:
		# the goal holds for the instruction ratio too.
		function ratio(what, a, b, goal, cmp, limit, byir,   r, ri, ok, rs) {
			if (med[a] == 0 || med[b] == 0 || cpu[b] == 0) {
				printf "| %s | | | | %s | FAILED |\n", what, goal
				return
			}
			r = med[a] / med[b]
			ri = (ir[a] > 0 && ir[b] > 0) ? ir[a] / ir[b] : 0
			ok = (cmp == "le" ? r <= limit : r >= limit)
			if (byir && ri > 0) ok = ok && (cmp == "le" ? ri <= limit : ri >= limit)
			rs = ""
			if (ri > 0) rs = sprintf("%.3f×", ri)
			printf "| %s | %.2f× | %.2f× | %s | %s | %s |\n", what, r, cpu[a] / cpu[b],
			    rs, goal, (ok ? "met" : "MISSED")
		}
		function row(what, value, goal, ok) {
			printf "| %s | %s | | | %s | %s |\n", what, value, goal, (ok ? "met" : "MISSED")
		}
		END {
			while ((getline line < irfile) > 0) { split(line, p, "\t"); ir[p[1]] = p[2] }
			while ((getline line < burstfile) > 0) { split(line, p, "\t"); split(p[2], q, " ")
				if (p[1] == "ours") { bf += q[2]; bl += q[3]; br++ } }
			f = "floor (minimal C program)"; a = "ghcr get, Actions path"
			f1 = "ghcr file get (1)"; fn = "ghcr file get (" n ")"
			e1 = "EVP floor (1)"; en = "EVP floor (" n ")"
			sg = "ghcr secretservice get (" n ")"; rg = "reference secretservice get (" n ")"
			print "| target | wall ratio | CPU ratio | instruction ratio | goal | |"
			print "|---|--:|--:|--:|--:|---|"
			ratio("Actions-path get / floor", a, f, "≤ 1.5×", "le", 1.5)
			ratio("file get (1) / EVP floor (1)", f1, e1, "≤ 1.1× (wall and instructions)", "le", 1.1, 1)
			ratio("file get (" n ") / EVP floor (" n ")", fn, en, "≤ 1.1× (wall and instructions)", "le", 1.1, 1)
			ratio("file get (" n ") / file get (1)", fn, f1, "≤ 2×", "le", 2)
			ratio("kubelet call (1) / file get (1)", "ghcr kubelet (1)", f1, "≤ 1.5× (wall and instructions)", "le", 1.5, 1)
			ratio("reference SS get / our SS get", rg, sg, "≥ 1.5×", "ge", 1.5)
			for (k = 0; k < 3; k++) {
				m = (k == 0 ? 10 : k == 1 ? 100 : n)
				if (k < 2 && (m >= n || med["ghcr secretservice list (" m ")"] == "")) continue
				ratio("reference SS list / our SS list (" m " items)", "reference secretservice list (" m ")",
				    "ghcr secretservice list (" m ")", "≥ 2×", "ge", 2)
			}
			row("burst: our failed processes, lost updates", sprintf("%d, %d in %d rounds", bf, bl, br), "0, 0", br > 0 && bf == 0 && bl == 0)
			row("stripped helper", sprintf("%.0f KiB", size / 1024), "≤ 200 KiB", size <= 200 * 1024)
			row("Actions-path peak RSS", sprintf("%d KiB", rss[a]), "≤ 2048 KiB", rss[a] > 0 && rss[a] <= 2048)
		}'
}
report >"$W/report.md"
if [ -n "$out" ]; then
	mkdir -p "$out"
	cp "$W/report.md" "$W/results.tsv" "$out/"
	for f in "$W/ir.tsv" "$W/burst.tsv" "$W"/list*.tsv; do [ ! -f "$f" ] || cp "$f" "$out/"; done
fi
cat "$W/report.md"
if [ "$status" -ne 0 ]; then
	echo "bench: a command failed its check (FAILED rows above; details on stderr)" >&2
	exit "$status"
fi
echo "bench: done in $((SECONDS - start)) s" >&2
