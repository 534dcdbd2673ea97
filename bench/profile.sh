#!/bin/bash
# bench/profile.sh — where one call's cost goes, path by path, in figures
# that do not depend on how busy the machine is: instructions
# (valgrind --tool=callgrind), minor page faults and peak RSS
# (/usr/bin/time), system calls (strace -c), resident memory by mapping at
# exit (gdb + /proc/PID/smaps) and the loader's relocation count
# (LD_DEBUG=statistics).  On the VMs this project runs on an anonymous page
# fault costs tens of microseconds, so pages touched matter as much as
# instructions.
#
#   bench/profile.sh [--out DIR] [PATH...]
#
# PATH is any of: floor actions file secretservice-get secretservice-list
# (default: all).  Reports go to DIR (default: a temporary directory that
# is printed); the summary is printed on stdout.  Uses the same binaries as
# bench/run.sh (GHCR_HELPER or BENCH_HELPER, DOCKER_CREDENTIAL_GHCR_MODULE_DIR
# or BENCH_MODULE_DIR, BENCH_FLOOR).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HELPER=${BENCH_HELPER:-${GHCR_HELPER:-$ROOT/docker-credential-ghcr}}
MODULE_DIR=${BENCH_MODULE_DIR:-${DOCKER_CREDENTIAL_GHCR_MODULE_DIR:-$(dirname "$HELPER")}}
FLOOR=${BENCH_FLOOR:-$ROOT/build/bench/floor}

out= inside=
paths=()
while [ $# -gt 0 ]; do
	case $1 in
	--out) out=$2; shift ;;
	--inside) inside=$2; shift ;;
	floor|actions|file|secretservice-get|secretservice-list) paths+=("$1") ;;
	*) echo "usage: $0 [--out DIR] [floor|actions|file|secretservice-get|secretservice-list]..." >&2; exit 2 ;;
	esac
	shift
done
[ ${#paths[@]} -gt 0 ] || paths=(floor actions file secretservice-get secretservice-list)
# Nothing of the caller's set-up reaches what is measured (see bench/run.sh).
. "$ROOT/tests/lib.sh"
[ -n "$inside" ] || t_scrub_env DOCKER_CREDENTIAL_GHCR_MODULE_DIR="$MODULE_DIR"

# profile NAME ENV... -- CMD... : every measurement of one command.
profile() {
	local name=$1; shift
	local envs=()
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	local d=$W/out/$name
	mkdir -p "$d"
	env "${envs[@]}" "$@" <"$W/get.in" >"$d/stdout" 2>"$d/stderr" ||
		echo "profile: $name: exit $? ($(head -c 200 "$d/stderr"))" >&2
	# valgrind cannot run every program (Go's runtime dies under it): no
	# count rather than a wrong one.
	env "${envs[@]}" valgrind --tool=callgrind --callgrind-out-file="$d/callgrind.out" \
		"$@" <"$W/get.in" >/dev/null 2>"$d/valgrind.log" || : >"$d/valgrind.log"
	callgrind_annotate --inclusive=yes "$d/callgrind.out" 2>/dev/null | head -80 >"$d/callgrind.txt" || true
	env "${envs[@]}" /usr/bin/time -f '%R %M' -o "$d/time" "$@" <"$W/get.in" >/dev/null 2>&1 || true
	env "${envs[@]}" strace -f -c -o "$d/strace.txt" "$@" <"$W/get.in" >/dev/null 2>&1 || true
	env "${envs[@]}" LD_DEBUG=statistics "$@" <"$W/get.in" 2>"$d/ld-statistics.txt" >/dev/null || true
	if command -v gdb >/dev/null; then
		env "${envs[@]}" gdb -q -batch -ex 'set startup-with-shell off' \
			-ex 'catch syscall exit_group' -ex run \
			-ex "python import gdb; open('$d/smaps','w').write(open('/proc/%d/smaps' % gdb.selected_inferior().pid).read())" \
			--args "$@" <"$W/get.in" >/dev/null 2>&1 || true
	fi
	local ir faults rss syscalls relocs anon
	ir=$(sed -n 's/.*Collected : //p' "$d/valgrind.log")
	read -r faults rss <"$d/time" || true
	syscalls=$(awk '$NF == "total" {print $(NF-2) + 0}' "$d/strace.txt" 2>/dev/null)
	relocs=$(sed -n 's/.*final number of relocations: //p' "$d/ld-statistics.txt" | tail -1)
	[ -n "$relocs" ] || relocs=$(sed -n 's/.*number of relocations: //p' "$d/ld-statistics.txt" | head -1)
	anon=$(awk '/^Anonymous:/ {a += $2} END {print a + 0}' "$d/smaps" 2>/dev/null || echo ?)
	printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$name" "${ir:-?}" "${faults:-?}" \
		"${rss:-?}" "${anon:-?}" "${syscalls:-?}" "${relocs:-?}" >>"$W/summary.md"
}

if [ -n "$inside" ]; then
	W=$inside
	for p in "${paths[@]}"; do
		case $p in
		secretservice-get) profile "ghcr secretservice get" DOCKER_CREDENTIAL_GHCR_BACKEND=secretservice \
			DOCKER_CREDENTIAL_GHCR_MODULE_DIR="$MODULE_DIR" DOCKER_CREDENTIAL_GHCR_SECRETSERVICE_TIMEOUT=60000 \
			-- "$HELPER" get
			profile "reference secretservice get" X=1 -- /usr/bin/docker-credential-secretservice get ;;
		secretservice-list) profile "ghcr secretservice list" DOCKER_CREDENTIAL_GHCR_BACKEND=secretservice \
			DOCKER_CREDENTIAL_GHCR_MODULE_DIR="$MODULE_DIR" DOCKER_CREDENTIAL_GHCR_SECRETSERVICE_TIMEOUT=60000 \
			-- "$HELPER" list
			profile "reference secretservice list" X=1 -- /usr/bin/docker-credential-secretservice list ;;
		esac
	done
	exit 0
fi

for tool in valgrind callgrind_annotate strace /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "profile: $tool not found (apt-get install valgrind strace time)" >&2; exit 1; }
done
W=$(mktemp -d "${TMPDIR:-/tmp}/ghcr-profile.XXXXXX")
mkdir -p "$W/home" "$W/runner" "$W/file" "$W/out"
echo ghcr.io >"$W/get.in"
{
	echo "| path | instructions | minor faults | peak RSS KiB | anon KiB at exit | syscalls | relocations |"
	echo "|---|--:|--:|--:|--:|--:|--:|"
} >"$W/summary.md"
FILE_ENV=(HOME="$W/home" DOCKER_CREDENTIAL_GHCR_BACKEND=file
	DOCKER_CREDENTIAL_GHCR_STORE="$W/file/credentials" DOCKER_CREDENTIAL_GHCR_KEY_FILE="$W/file/key")
ss=
for p in "${paths[@]}"; do
	case $p in
	floor) profile floor X=1 -- "$FLOOR" ;;
	actions) profile "ghcr get, Actions path" HOME="$W/home" GITHUB_ACTIONS=true \
		RUNNER_TEMP="$W/runner" GITHUB_TOKEN=ghs_profile GITHUB_ACTOR=octocat -- "$HELPER" get ;;
	file)
		echo '{"ServerURL":"ghcr.io","Username":"octocat","Secret":"ghp_profile"}' |
			env "${FILE_ENV[@]}" "$HELPER" store
		profile "ghcr file get (1)" "${FILE_ENV[@]}" -- "$HELPER" get ;;
	secretservice-*) ss="$ss $p" ;;
	esac
done
if [ -n "$ss" ]; then
	"$ROOT/tests/keyring-session.sh" --keyring bash -c '
		echo "{\"ServerURL\":\"ghcr.io\",\"Username\":\"octocat\",\"Secret\":\"ghp_profile\"}" |
			DOCKER_CREDENTIAL_GHCR_BACKEND=secretservice DOCKER_CREDENTIAL_GHCR_MODULE_DIR="$2" \
			DOCKER_CREDENTIAL_GHCR_SECRETSERVICE_TIMEOUT=60000 "$1" store &&
		echo "{\"ServerURL\":\"ghcr.io\",\"Username\":\"octocat\",\"Secret\":\"ghp_profile\"}" |
			/usr/bin/docker-credential-secretservice store &&
		shift 2 && exec "$@"' _ "$HELPER" "$MODULE_DIR" \
		env BENCH_HELPER="$HELPER" BENCH_MODULE_DIR="$MODULE_DIR" \
		bash "${BASH_SOURCE[0]}" --inside "$W" $ss
fi
if [ -n "$out" ]; then
	mkdir -p "$out" && cp -r "$W/out/." "$W/summary.md" "$out/"
	rm -rf "$W"
	echo "profile: details in $out" >&2
else
	echo "profile: details in $W/out" >&2
fi
cat "${out:-$W}/summary.md"
