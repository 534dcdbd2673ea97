# Packaging: `make dist`, `make deb`, `make rpm`, and the check-packages and
# check-actions suites.  Included by the top-level Makefile.
#
# Every package is built from the same source tarball (`make dist`): the
# files git knows of in the working tree, tracked or new but not ignored, so
# uncommitted work is packaged too and build outputs never are.  The Debian
# and RPM builds run in a copy under $(B)/deb and $(B)/rpm, never in this
# tree: debian/ lives in packaging/debian and is copied in place there.

PKG_NAME = docker-credential-ghcr
PKG_DIST = $(PKG_NAME)-$(VERSION)
PKG_TARBALL = $(B)/dist/$(PKG_DIST).tar.gz
PKG_DOC_MAN = doc/$(PKG_NAME).1
PKG_DOC_COMPLETION = doc/$(PKG_NAME).bash-completion

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
		find . -path ./$(B) -prune -o -path ./.git -prune -o \
			-type f ! -name '*.o' ! -name '*.d' ! -name $(PKG_NAME) \
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

# The man page and the bash completion are required by the packages.  Until
# doc/ has them, the packages are built without them, loudly; once the files
# exist, a package that lacks them fails to build.
PKG_DEB_PROFILES = $(if $(wildcard $(PKG_DOC_MAN)),,nodoc)
PKG_RPM_WITHOUT = $(if $(wildcard $(PKG_DOC_MAN)),,--without man) \
	$(if $(wildcard $(PKG_DOC_COMPLETION)),,--without completion)
define pkg_doc_warning
	@if [ ! -f $(PKG_DOC_MAN) ]; then echo "warning: $(PKG_DOC_MAN) does not exist yet: building $(1) without a man page" >&2; fi
	@if [ ! -f $(PKG_DOC_COMPLETION) ]; then echo "warning: $(PKG_DOC_COMPLETION) does not exist yet: building $(1) without bash completion" >&2; fi
endef

PKG_DEB_DIR = $(B)/deb/$(PKG_DIST)
deb: dist
	$(call pkg_version_check,packaging/debian/changelog,$(shell dpkg-parsechangelog -l packaging/debian/changelog -SVersion | sed 's/-[^-]*$$//'))
	$(call pkg_doc_warning,the .deb)
	rm -rf $(B)/deb
	mkdir -p $(B)/deb
	cp $(PKG_TARBALL) $(B)/deb/$(PKG_NAME)_$(VERSION).orig.tar.gz
	tar -xzf $(PKG_TARBALL) -C $(B)/deb
	cp -a packaging/debian $(PKG_DEB_DIR)/debian
	cd $(PKG_DEB_DIR) && $(PKG_ENV) \
		$(if $(PKG_DEB_PROFILES),DEB_BUILD_OPTIONS="$$DEB_BUILD_OPTIONS nodoc") \
		dpkg-buildpackage -b -us -uc -jauto \
		$(if $(PKG_DEB_PROFILES),-P$(PKG_DEB_PROFILES))
	@ls -1 $(B)/deb/*.deb

PKG_RPM_TOP = $(abspath $(B))/rpm
# Extra rpmbuild options, e.g. --nocheck.
PKG_RPMBUILD_OPTS ?=
rpm: dist
	$(call pkg_version_check,packaging/rpm/$(PKG_NAME).spec,$(shell sed -n 's/^Version:[[:space:]]*//p' packaging/rpm/$(PKG_NAME).spec))
	$(call pkg_doc_warning,the .rpm)
	rm -rf $(B)/rpm
	mkdir -p $(B)/rpm/SOURCES
	cp $(PKG_TARBALL) $(B)/rpm/SOURCES/
	# --nodeps: on a Debian build machine the rpm database is empty and
	# knows nothing of the -dev packages dpkg installed.
	$(PKG_ENV) rpmbuild -bb --nodeps --define '_topdir $(PKG_RPM_TOP)' \
		$(PKG_RPM_WITHOUT) $(PKG_RPMBUILD_OPTS) packaging/rpm/$(PKG_NAME).spec
	@find $(B)/rpm/RPMS -name '*.rpm'

check-packages:
	MAKE='$(MAKE)' VERSION='$(VERSION)' bash packaging/tests/check-packages.sh

check-actions:
	MAKE='$(MAKE)' VERSION='$(VERSION)' bash packaging/tests/check-actions.sh

CHECK_TARGETS += check-packages check-actions
