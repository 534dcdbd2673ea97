################################################################################
#
# docker-credential-ghcr
#
# The embedded build: the file store only (WITH_SECRETSERVICE=0), so neither
# libsecret nor GLib is needed on the target.  Use this directory as a
# Buildroot external tree: make BR2_EXTERNAL=/path/to/packaging/buildroot
# (DOCKER_CREDENTIAL_GHCR_OVERRIDE_SRCDIR in local.mk builds a checkout).
#
################################################################################

DOCKER_CREDENTIAL_GHCR_VERSION = 0.1.0
DOCKER_CREDENTIAL_GHCR_SITE = https://github.com/docker-credential-ghcr/docker-credential-ghcr/releases/download/v$(DOCKER_CREDENTIAL_GHCR_VERSION)
DOCKER_CREDENTIAL_GHCR_LICENSE = MIT
DOCKER_CREDENTIAL_GHCR_DEPENDENCIES = host-pkgconf jansson openssl

# HARDENING_CFLAGS and HARDENING_CPPFLAGS (_FORTIFY_SOURCE) are emptied because Buildroot's toolchain wrapper applies
# the hardening chosen in the configuration (BR2_SSP_*, BR2_FORTIFY_SOURCE_*,
# BR2_RELRO_*), and some of the Makefile's own (-fcf-protection) exist only
# on x86.
# JANSSON_LINK=shared: how libraries are linked is the configuration's
# choice (BR2_STATIC_LIBS, BR2_SHARED_LIBS), not the Makefile's, whose
# archive lookup (pkg-config --variable=libdir) does not see the sysroot.
DOCKER_CREDENTIAL_GHCR_MAKE_OPTS = \
	$(TARGET_CONFIGURE_OPTS) \
	JANSSON_LINK=shared \
	WITH_SECRETSERVICE=0 \
	PREFIX=/usr \
	VERSION=$(DOCKER_CREDENTIAL_GHCR_VERSION) \
	HARDENING_CFLAGS= \
	HARDENING_CPPFLAGS=

# `check` (its module dlopen()s libcurl) only when the target has libcurl.
ifeq ($(BR2_PACKAGE_LIBCURL),y)
DOCKER_CREDENTIAL_GHCR_DEPENDENCIES += libcurl
DOCKER_CREDENTIAL_GHCR_MAKE_OPTS += WITH_CURL=1
else
DOCKER_CREDENTIAL_GHCR_MAKE_OPTS += WITH_CURL=0
endif

define DOCKER_CREDENTIAL_GHCR_BUILD_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(DOCKER_CREDENTIAL_GHCR_MAKE_OPTS)
endef

define DOCKER_CREDENTIAL_GHCR_INSTALL_TARGET_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(DOCKER_CREDENTIAL_GHCR_MAKE_OPTS) \
		DESTDIR=$(TARGET_DIR) install
endef

$(eval $(generic-package))
