#!/usr/bin/env bash
# check-packages: builds the .deb and the .rpm the way a user would (`make deb`,
# `make rpm`) and checks what they hold: the helper, the Secret Service module
# where the helper looks for it, the man page, the bash completion, the
# README and the example workflows, the libcrypto dependency no ELF scan can see, no lintian
# error, and a packaged helper that runs.  It also builds the Alpine APKBUILD's
# and the Buildroot recipe's commands in stand-in environments, and checks
# that every packaging file states the Makefile's version.
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib.sh
. tests/lib.sh
t_scrub_env

MAKE=${MAKE:-make}
NAME=docker-credential-ghcr
# shellcheck disable=SC2016 # make expands it
VERSION=${VERSION:-$("$MAKE" -s --no-print-directory --eval='pv: ; @echo $(VERSION)' pv)}
OUT=build/check-packages
rm -rf "$OUT" && mkdir -p "$OUT"

# run NAME LOG COMMAND...: runs COMMAND with its output in LOG; on failure
# says so with the log's tail, so a broken build explains itself.
run() {
	local name=$1 log=$2 rc=0; shift 2
	"$@" >"$log" 2>&1 || rc=$?
	if [ "$rc" -eq 0 ]; then t_pass "$name"; return 0; fi
	t_fail "$name" "exit status $rc; last lines of $log:"
	tail -n 25 "$log" | sed 's/^/    /'
	return 1
}

# has_line NAME FILE LINE: FILE (a listing) has exactly LINE.
has_line() {
	if grep -qxF -- "$3" "$2"; then t_pass "$1"
	else t_fail "$1" "expected '$3' in $2, which has: $(tr '\n' ' ' <"$2" | cut -c1-400)"; fi
}

# check_helper PKG ROOT MODULEDIR: the unpacked helper runs, says the version,
# and looks for its module where the package put it.
check_helper() {
	local pkg=$1 root=$2 moduledir=$3 out
	out=$("$root/usr/bin/$NAME" version 2>&1)
	if [[ $out =~ ^$NAME\ \(.+\)\ $VERSION$ ]]; then t_pass "$pkg: the packaged helper runs 'version'"
	else t_fail "$pkg: the packaged helper runs 'version'" "expected '$NAME (…) $VERSION', got '$out'"; fi
	if grep -qaF "$moduledir" "$root/usr/bin/$NAME"; then
		t_pass "$pkg: the helper looks for its module in $moduledir, where the package puts it"
	else t_fail "$pkg: the helper looks for its module in $moduledir" "the string is not in the binary"; fi
	out=$(ldd "$root$moduledir/$NAME-secretservice.so" 2>&1 | grep 'not found')
	t_equal "$pkg: every library the module needs is installed" "" "$out"
}

# --- versions ------------------------------------------------------------------
t_equal "debian/changelog states the Makefile's version" "$VERSION" \
	"$(dpkg-parsechangelog -l packaging/debian/changelog -SVersion 2>/dev/null | sed 's/-[^-]*$//')"
t_equal "the RPM spec states the Makefile's version" "$VERSION" \
	"$(sed -n 's/^Version:[[:space:]]*//p' packaging/rpm/$NAME.spec)"
t_equal "the APKBUILD states the Makefile's version" "$VERSION" \
	"$(sed -n 's/^pkgver=//p' packaging/alpine/APKBUILD)"
t_equal "the Buildroot recipe states the Makefile's version" "$VERSION" \
	"$(sed -n 's/^DOCKER_CREDENTIAL_GHCR_VERSION = //p' packaging/buildroot/package/$NAME/$NAME.mk)"

# --- Debian --------------------------------------------------------------------
if ! t_need dpkg-buildpackage dh; then
	t_skip ".deb" "dpkg-buildpackage or debhelper is not installed (apt-get install dpkg-dev debhelper fakeroot)"
elif run "make deb builds the package, unit tests included" "$OUT/deb.log" "$MAKE" --no-print-directory deb; then
	deb=build/deb/${NAME}_${VERSION}-1_$(dpkg --print-architecture).deb
	dpkg-deb -c "$deb" | awk '{ print $1, $NF }' | sed 's, \./, /,' >"$OUT/deb.list"
	has_line ".deb: the helper, executable" "$OUT/deb.list" "-rwxr-xr-x /usr/bin/$NAME"
	has_line ".deb: the Secret Service module" "$OUT/deb.list" \
		"-rw-r--r-- /usr/lib/$NAME/$NAME-secretservice.so"
	has_line ".deb: the man page" "$OUT/deb.list" "-rw-r--r-- /usr/share/man/man1/$NAME.1.gz"
	has_line ".deb: the bash completion" "$OUT/deb.list" \
		"-rw-r--r-- /usr/share/bash-completion/completions/$NAME"
	if grep -qE " /usr/share/doc/$NAME/README.md(.gz)?$" "$OUT/deb.list"; then t_pass ".deb: the README"
	else t_fail ".deb: the README" "no /usr/share/doc/$NAME/README.md[.gz] in $OUT/deb.list"; fi
	if grep -qE " /usr/share/doc/$NAME/examples/workflows/push-on-tag.yml$" "$OUT/deb.list"; then
		t_pass ".deb: the example workflows"
	else t_fail ".deb: the example workflows" "no /usr/share/doc/$NAME/examples/workflows/push-on-tag.yml in $OUT/deb.list"; fi
	depends=$(dpkg-deb -f "$deb" Depends)
	if [[ $depends =~ libssl3(t64)?\ \(\>= ]]; then t_pass ".deb: depends on the libcrypto it dlopen()s"
	else t_fail ".deb: depends on the libcrypto it dlopen()s" "expected libssl3 in Depends, got '$depends'"; fi
	recommends=$(dpkg-deb -f "$deb" Recommends)
	case $recommends in
	*libcurl4*) t_pass ".deb: recommends the libcurl its check module dlopen()s" ;;
	*) t_fail ".deb: recommends the libcurl its check module dlopen()s" "expected libcurl4 in Recommends, got '$recommends'" ;;
	esac
	if [[ $depends =~ libsecret-1-0 ]]; then t_pass ".deb: depends on libsecret (the module's)"
	else t_fail ".deb: depends on libsecret (the module's)" "got '$depends'"; fi
	if t_need lintian; then
		run ".deb: no lintian error" "$OUT/lintian.log" lintian --fail-on error "$deb" &&
			sed 's/^/    /' "$OUT/lintian.log" | grep -v 'root privileges'
	else t_skip ".deb: no lintian error" "lintian is not installed"; fi
	mkdir -p "$OUT/deb-root" && dpkg-deb -x "$deb" "$OUT/deb-root"
	check_helper ".deb" "$OUT/deb-root" /usr/lib/$NAME
fi

# --- RPM -----------------------------------------------------------------------
if ! t_need rpmbuild; then
	t_skip ".rpm" "rpmbuild is not installed (apt-get install rpm)"
# --nocheck: the .deb build has just run the same unit tests on the same
# source; a second run would add its time and nothing else.
elif run "make rpm builds the package" "$OUT/rpm.log" "$MAKE" --no-print-directory rpm PKG_RPMBUILD_OPTS=--nocheck; then
	rpm=$(find build/rpm/RPMS -name "$NAME-$VERSION-1*.rpm" ! -name '*debug*' | head -n 1)
	libdir=$(rpm --eval '%{_libdir}')
	rpm -qlpv "$rpm" 2>/dev/null | awk '{ print $1, $NF }' >"$OUT/rpm.list"
	has_line ".rpm: the helper, executable" "$OUT/rpm.list" "-rwxr-xr-x /usr/bin/$NAME"
	has_line ".rpm: the Secret Service module" "$OUT/rpm.list" \
		"-rw-r--r-- $libdir/$NAME/$NAME-secretservice.so"
	if grep -qE "^-rw-r--r-- /usr/share/man/man1/$NAME\.1(\.gz|\.bz2|\.xz|\.zst)?$" "$OUT/rpm.list"; then
		t_pass ".rpm: the man page"
	else t_fail ".rpm: the man page" "no /usr/share/man/man1/$NAME.1* in $OUT/rpm.list"; fi
	has_line ".rpm: the bash completion" "$OUT/rpm.list" \
		"-rw-r--r-- /usr/share/bash-completion/completions/$NAME"
	rpm -qp --requires "$rpm" 2>/dev/null >"$OUT/rpm.requires"
	has_line ".rpm: requires the libcrypto it dlopen()s" "$OUT/rpm.requires" "libcrypto.so.3()(64bit)"
	has_line ".rpm: requires libsecret (the module's)" "$OUT/rpm.requires" "libsecret-1.so.0()(64bit)"
	# Installed for real, into a scratch root with its own rpm database
	# (--nodeps: that database knows none of the libraries dpkg installed).
	run ".rpm: installs with rpm" "$OUT/rpm-install.log" \
		rpm -i --nodeps --noscripts --root "$PWD/$OUT/rpm-root" "$rpm" &&
		check_helper ".rpm" "$OUT/rpm-root" "$libdir/$NAME"
fi

# --- Alpine APKBUILD -------------------------------------------------------------
# No abuild here: the APKBUILD is parsed by a POSIX shell and its build() and
# package() run on the unpacked source, as abuild would run them.
run "APKBUILD: POSIX shell syntax" "$OUT/apk-syntax.log" sh -n packaging/alpine/APKBUILD
apk_src=$OUT/apk-src && mkdir -p "$apk_src" "$OUT/apk-pkg"
"$MAKE" --no-print-directory -s dist >/dev/null 2>&1
if tar -xzf "build/dist/$NAME-$VERSION.tar.gz" -C "$apk_src"; then
	(
		set -e
		# shellcheck disable=SC1091
		. packaging/alpine/APKBUILD
		[ -n "$pkgname" ] && [ -n "$pkgver" ] && [ -n "$source" ]
		builddir=$PWD/$apk_src/$pkgname-$pkgver pkgdir=$PWD/$OUT/apk-pkg
		cd "$builddir"
		unset MAKELEVEL MFLAGS
		MAKEFLAGS=-j$(nproc) && export MAKEFLAGS # as abuild does
		build
		package
	) >"$OUT/apk.log" 2>&1
	# Not `if ( … )`: set -e is ignored inside an if condition.
	# shellcheck disable=SC2181
	if [ $? -eq 0 ]; then t_pass "APKBUILD: build() and package() run"
	else t_fail "APKBUILD: build() and package() run" "last lines of $OUT/apk.log:"; tail -n 20 "$OUT/apk.log"; fi
	for f in usr/bin/$NAME usr/lib/$NAME/$NAME-secretservice.so usr/lib/$NAME/$NAME-check.so \
		usr/share/doc/$NAME/README.md \
		usr/share/man/man1/$NAME.1 usr/share/bash-completion/completions/$NAME; do
		t_check "APKBUILD: package() installs /$f" test -f "$OUT/apk-pkg/$f"
	done
else
	t_fail "APKBUILD: the source tarball unpacks" "make dist did not write build/dist/$NAME-$VERSION.tar.gz"
fi

# --- Buildroot -------------------------------------------------------------------
# Buildroot's package infrastructure stood in for by a few lines of make: the
# recipe's own build and install commands run with $(@D) the unpacked source
# and $(TARGET_DIR) a scratch root, as generic-package runs them.
br_src=$PWD/$OUT/br-src br_target=$PWD/$OUT/br-target
mkdir -p "$br_src" "$br_target"
tar -xzf "build/dist/$NAME-$VERSION.tar.gz" -C "$br_src" --strip-components=1
cat >"$OUT/buildroot-harness.mk" <<MK
TARGET_DIR = $br_target
TARGET_CONFIGURE_OPTS = CC="$(command -v cc)" CFLAGS="-O2" LDFLAGS="" PKG_CONFIG=pkg-config
TARGET_MAKE_ENV = PATH="\$(PATH)"
generic-package =
include $PWD/packaging/buildroot/package/$NAME/$NAME.mk
$br_src/.stamp_installed:
	\$(DOCKER_CREDENTIAL_GHCR_BUILD_CMDS)
	\$(DOCKER_CREDENTIAL_GHCR_INSTALL_TARGET_CMDS)
MK
run "Buildroot: the recipe builds and installs" "$OUT/buildroot.log" \
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -j"$(nproc)" -f "$OUT/buildroot-harness.mk" "$br_src/.stamp_installed"
t_check "Buildroot: the helper is installed" test -x "$br_target/usr/bin/$NAME"
t_check "Buildroot: no Secret Service module (WITH_SECRETSERVICE=0)" test ! -e "$br_target/usr/lib/$NAME"
needed=$(readelf -d "$br_target/usr/bin/$NAME" 2>/dev/null | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | tr '\n' ' ')
if [ -n "$needed" ] && ! [[ $needed =~ secret|glib|gio|gobject ]]; then
	t_pass "Buildroot: the helper links no libsecret or GLib ($needed)"
else t_fail "Buildroot: the helper links no libsecret or GLib" "NEEDED: '$needed'"; fi
if grep -q '^config BR2_PACKAGE_DOCKER_CREDENTIAL_GHCR$' packaging/buildroot/package/$NAME/Config.in &&
	grep -q "package/$NAME/Config.in" packaging/buildroot/Config.in; then
	t_pass "Buildroot: Config.in declares the package and the external tree sources it"
else t_fail "Buildroot: Config.in declares the package and the external tree sources it"; fi

t_summary
