# Packaging: `make dist`, `make deb`, `make rpm`, and the check-packages and
# check-actions suites.  Included by the top-level Makefile.
#
# Every package is built from the same source tarball (`make dist`): the
# files git knows of in the working tree, tracked or new but not ignored, so
# uncommitted work is packaged too and build outputs never are.  The Debian
# and RPM builds run in a copy under $(B)/deb and $(B)/rpm, never in this
# tree: debian/ lives in packaging/debian and is copied in place there.
# Both packages list the man page and the bash completion from doc/, so a
# tree without them fails to package, loudly.

PKG_NAME = docker-credential-ghcr
PKG_DIST = $(PKG_NAME)-$(VERSION)
PKG_TARBALL = $(B)/dist/$(PKG_DIST).tar.gz

# Sub-builds start from a clean make: neither this make's command-line
# variables (`make WITH_SECRETSERVICE=0 deb`) nor its jobserver may leak into
# the distribution build.
PKG_ENV = env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES

.PHONY: dist deb rpm check-packages check-actions

# Git's view of the source when there is one; else every file but the
# outputs (a tree unpacked from a tarball has no .git).
PKG_LIST_FILES = if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git ls-files -z --cached --others --exclude-standard; \
	else \
		find . -path './$(patsubst ./%,%,$(B))' -prune -o -path ./.git -prune -o \
			-type f ! -name '*.[oda]' ! -name $(PKG_NAME) \
			! -name '$(PKG_NAME)-*.so' -printf '%P\0'; \
	fi

dist:
	@mkdir -p $(B)/dist
	rm -f $(PKG_TARBALL)
	$(PKG_LIST_FILES) | xargs -0 sh -c 'for f; do [ -f "$$f" ] && printf "%s\0" "$$f"; done' sh \
		| LC_ALL=C sort -z \
		| tar --null -T - --transform 's,^,$(PKG_DIST)/,' \
			--owner=0 --group=0 --numeric-owner --mode=u+w,go-w \
			-czf $(PKG_TARBALL)
	@echo "wrote $(PKG_TARBALL)"

# Each packaging file states the version; it must be the Makefile's.
# pkg_version_check FILE FOUND
define pkg_version_check
	@if [ "$(2)" != "$(VERSION)" ]; then \
		echo "error: $(1) says version '$(2)', the Makefile says '$(VERSION)'; update $(1)" >&2; \
		exit 1; fi
endef

PKG_DEB_DIR = $(B)/deb/$(PKG_DIST)
deb: dist
	@command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null || { \
		echo "error: make deb needs dpkg-buildpackage and debhelper: apt-get install dpkg-dev debhelper fakeroot" >&2; exit 1; }
	$(call pkg_version_check,packaging/debian/changelog,$(shell dpkg-parsechangelog -l packaging/debian/changelog -SVersion | sed 's/-[^-]*$$//'))
	rm -rf $(B)/deb
	mkdir -p $(B)/deb
	cp $(PKG_TARBALL) $(B)/deb/$(PKG_NAME)_$(VERSION).orig.tar.gz
	tar -xzf $(PKG_TARBALL) -C $(B)/deb
	cp -a packaging/debian $(PKG_DEB_DIR)/debian
	cd $(PKG_DEB_DIR) && $(PKG_ENV) dpkg-buildpackage -b -us -uc -jauto
	@ls -1 $(B)/deb/*.deb

PKG_RPM_TOP = $(abspath $(B))/rpm
# Extra rpmbuild options, e.g. --nocheck.
PKG_RPMBUILD_OPTS ?=
# On a Debian build machine rpm's database is empty and knows nothing of the
# -dev packages dpkg installed, so BuildRequires cannot be checked there.
PKG_RPM_NODEPS = $(if $(shell command -v dpkg 2>/dev/null),--nodeps)
rpm: dist
	@command -v rpmbuild >/dev/null || { \
		echo "error: make rpm needs rpmbuild: apt-get install rpm (or dnf install rpm-build)" >&2; exit 1; }
	$(call pkg_version_check,packaging/rpm/$(PKG_NAME).spec,$(shell sed -n 's/^Version:[[:space:]]*//p' packaging/rpm/$(PKG_NAME).spec))
	rm -rf $(B)/rpm
	mkdir -p $(B)/rpm/SOURCES
	cp $(PKG_TARBALL) $(B)/rpm/SOURCES/
	$(PKG_ENV) rpmbuild -bb $(PKG_RPM_NODEPS) --define '_topdir $(PKG_RPM_TOP)' \
		$(PKG_RPMBUILD_OPTS) packaging/rpm/$(PKG_NAME).spec
	@find $(B)/rpm/RPMS -name '*.rpm'

check-packages:
	MAKE='$(MAKE)' VERSION='$(VERSION)' bash packaging/tests/check-packages.sh

check-actions:
	MAKE='$(MAKE)' VERSION='$(VERSION)' bash packaging/tests/check-actions.sh

FAST_TARGETS += check-actions
SLOW_TARGETS += check-packages
# check-actions asks buildah too whether it uses the helper.
TEST_DEPS += buildah
