#!/usr/bin/env bash
# check-static: the static helper (packaging/static.mk).  `make static` gives
# a binary that needs no shared library (no NEEDED entry, no interpreter; ldd
# has nothing to list) and passes the protocol suite (tests/integration/cli.sh)
# on the file store, whose libcrypto is now linked in; a second build in
# another directory has the same bytes (the action's checksums depend on it);
# `make static-arm64` cross-builds the arm64 one, which runs `version` and a
# store/get round trip under qemu-user.  Prints both sizes beside the dynamic
# build's.  Outside CI a missing cross compiler or qemu is a skip; in CI
# (CI=true, where `make test-deps` installs them) a failure.
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib.sh
. tests/lib.sh
t_scrub_env

MAKE=${MAKE:-make}
NAME=docker-credential-ghcr
S=build/static/$NAME
A=build/static-arm64/$NAME
OUT=$PWD/build/check-static
rm -rf "$OUT" && mkdir -p "$OUT"

missing() {
	if [ "${CI:-}" = true ]; then t_fail "$1" "$2 (CI installs it)"
	else t_skip "$1" "$2"; fi
}

# self_contained NAME BINARY: no dynamic section entries that need a loader.
self_contained() {
	local needed interp
	needed=$(readelf -d "$2" 2>/dev/null | grep -c '(NEEDED)')
	interp=$(readelf -l "$2" 2>/dev/null | grep -c 'INTERP')
	if [ "$needed" = 0 ] && [ "$interp" = 0 ]; then t_pass "$1: no NEEDED library, no ELF interpreter"
	else t_fail "$1: no NEEDED library, no ELF interpreter" "$needed NEEDED, $interp INTERP"; fi
}

if "$MAKE" -s --no-print-directory static >"$OUT/build.log" 2>&1; then
	t_pass "make static builds"
else
	t_fail "make static builds" "$(tail -5 "$OUT/build.log")"
fi
if [ -x "$S" ]; then
	self_contained "static" "$S"
	# ldd says "not a dynamic executable" for -static and "statically
	# linked" for -static-pie; either way it lists no library.
	l=$(ldd "$S" 2>&1)
	case $l in *"not a dynamic executable"* | *"statically linked"*) t_pass "static: ldd lists no library ($(echo "$l" | tr -d '\t'))" ;;
	*) t_fail "static: ldd lists no library" "$l" ;; esac
	t_check "static: WITH_SECRETSERVICE=0 (no Secret Service module to load)" \
		sh -c "! strings '$S' | grep -q secretservice.so"
	# The protocol suite, file store included: libcrypto is linked in.
	if GHCR_HELPER=$PWD/$S bash tests/integration/cli.sh >"$OUT/cli.log" 2>&1; then
		t_pass "static: protocol suite ($(tail -1 "$OUT/cli.log"))"
	else
		t_fail "static: protocol suite" "$(grep -E '^FAIL' "$OUT/cli.log" | head -5; tail -1 "$OUT/cli.log")"
	fi
	# Reproducible: the same source built in another directory.
	rm -rf build/static-again
	if env -u MAKEFLAGS "$MAKE" -s --no-print-directory O=build/static-again \
		WITH_SECRETSERVICE=0 WITH_CURL=0 PREFIX=/usr/local CFLAGS='-O2 -ffunction-sections -fdata-sections' \
		CPPFLAGS=-DGHCR_CRYPTO_STATIC LDFLAGS='-static-pie -Wl,--gc-sections -Wl,--build-id=sha1 -s' \
		LIBS='-ljansson -lcrypto' >"$OUT/again.log" 2>&1; then
		t_equal "static: a second build elsewhere has the same bytes" \
			"$(sha256sum <"$S")" "$(sha256sum <build/static-again/$NAME)"
	else
		t_fail "static: a second build elsewhere" "$(tail -3 "$OUT/again.log")"
	fi
	rm -rf build/static-again
fi

# --- arm64 -------------------------------------------------------------------
if ! t_need aarch64-linux-gnu-gcc || ! [ -e /usr/lib/aarch64-linux-gnu/libcrypto.a ] ||
	! [ -e /usr/lib/aarch64-linux-gnu/libjansson.a ]; then
	missing "make static-arm64" "gcc-aarch64-linux-gnu, libjansson-dev:arm64 or libssl-dev:arm64 not installed"
elif "$MAKE" -s --no-print-directory static-arm64 >"$OUT/arm64.log" 2>&1; then
	t_pass "make static-arm64 cross-builds"
	case $(file -b "$A") in *"ARM aarch64"*) t_pass "static-arm64: an aarch64 executable" ;;
	*) t_fail "static-arm64: an aarch64 executable" "$(file -b "$A")" ;; esac
	self_contained "static-arm64" "$A"
	if t_need qemu-aarch64; then
		t_equal "static-arm64 under qemu: version" \
			"$NAME (github.com/docker-credential-ghcr) $VERSION" "$(qemu-aarch64 "$A" version 2>&1)"
		# A store/get round trip on the file store (AES-GCM from the
		# linked-in libcrypto), in a private HOME.
		h=$OUT/arm64-home && mkdir -p "$h"
		secret=ghp_$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' | head -c 36)
		arm() { env -i HOME="$h" PATH=/usr/bin:/bin DOCKER_CREDENTIAL_GHCR_BACKEND=file \
			DOCKER_CREDENTIAL_GHCR_GH_CLI=off qemu-aarch64 "$A" "$@"; }
		if printf '{"ServerURL":"ghcr.io","Username":"octocat","Secret":"%s"}' "$secret" | arm store; then
			t_pass "static-arm64 under qemu: store"
		else t_fail "static-arm64 under qemu: store" "exit status $?"; fi
		t_equal "static-arm64 under qemu: get answers what store stored" \
			"{\"ServerURL\":\"ghcr.io\",\"Username\":\"octocat\",\"Secret\":\"$secret\"}" \
			"$(printf ghcr.io | arm get 2>&1)"
		if grep -rqF "$secret" "$h"; then t_fail "static-arm64 under qemu: the store holds no plaintext token"
		else t_pass "static-arm64 under qemu: the store holds no plaintext token"; fi
		# The native static helper reads what the arm64 one wrote: one format.
		if [ -x "$S" ]; then
			t_equal "the x86_64 static helper reads the arm64 one's store" "$secret" \
				"$(printf ghcr.io | env -i HOME="$h" PATH=/usr/bin:/bin DOCKER_CREDENTIAL_GHCR_BACKEND=file \
					DOCKER_CREDENTIAL_GHCR_GH_CLI=off "$S" get | sed -n 's/.*"Secret":"\([^"]*\)".*/\1/p')"
		fi
	else
		missing "static-arm64 under qemu" "qemu-user not installed"
	fi
else
	t_fail "make static-arm64 cross-builds" "$(tail -5 "$OUT/arm64.log")"
fi

# --- sizes -------------------------------------------------------------------
# The dynamic embedded build, stripped like the static ones, for comparison.
if "$MAKE" -s --no-print-directory O=build/embedded WITH_SECRETSERVICE=0 >"$OUT/dyn.log" 2>&1; then
	strip -o "$OUT/dynamic" build/embedded/$NAME
	size_of() { [ -f "$1" ] && printf '%s KiB' $(($(stat -c %s "$1") / 1024)) || printf 'not built'; }
	echo "sizes (stripped): dynamic $(size_of "$OUT/dynamic") (+ libjansson, libcrypto loaded at run time)," \
		"static x86_64 $(size_of "$S"), static arm64 $(size_of "$A")"
fi
t_summary
