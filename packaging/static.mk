# The static helper: `make static` (this machine's architecture) and `make
# static-arm64` (cross-built with Debian's aarch64-linux-gnu compiler and the
# arm64 jansson and OpenSSL libraries of a multiarch install).  It is the
# embedded build (WITH_SECRETSERVICE=0: file store only; WITH_CURL=0: no
# check module, which a static binary could not load) with jansson and
# libcrypto linked in (GHCR_CRYPTO_STATIC: no dlopen of libcrypto, see
# store/file/file_crypto.c), linked -static-pie so it keeps ASLR: it needs no
# shared library at all, so one file runs on any Linux of its architecture.
# The release workflow publishes both, and the GitHub action installs the
# one for its own version after checking it against packaging/action/prebuilt.sha256.
#
# The build is reproducible (no debug info, no paths or dates in the
# binary): the same source and the same Debian packages give the same bytes,
# which is what lets the action carry the checksums of binaries built later
# by the release workflow.  `make static-checksums` writes that table.
# check-static builds both, checks they are self-contained, runs the protocol
# suite on the native one, runs `version` and a store/get round trip on the
# arm64 one under qemu-user, and prints their sizes beside the dynamic build's.

STATIC_ARCH := $(shell uname -m)
STATIC_CROSS = aarch64-linux-gnu
STATIC_CROSS_PKGCONFIG = /usr/lib/$(STATIC_CROSS)/pkgconfig:/usr/share/pkgconfig
# Everything that decides the binary's bytes; the action recomputes the same
# digest over its own copy to know whether it is the released source.
STATIC_SOURCE_DIGEST = bash packaging/action/source-digest.sh .

# Sub-makes start clean (see PKG_ENV): only these variables reach them.
STATIC_VARS = WITH_SECRETSERVICE=0 WITH_CURL=0 PREFIX=/usr/local \
	CFLAGS='-O2 -ffunction-sections -fdata-sections' \
	CPPFLAGS=-DGHCR_CRYPTO_STATIC \
	LDFLAGS='-static-pie -Wl,--gc-sections -Wl,--build-id=sha1 -s' \
	LIBS='-ljansson -lcrypto' $(if $(CI),CI=$(CI))

TEST_DEPS += file
# What the arm64 build needs: Debian's arm64 jansson and OpenSSL come from
# the arm64 archive, which only test-deps-arm64 adds to dpkg's
# architectures; `make test-deps` leaves them as they are.
ARM64_DEPS = gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user \
	libjansson-dev:arm64 libssl-dev:arm64

.PHONY: static static-arm64 static-checksums check-static test-deps-arm64

static:
	$(PKG_ENV) $(MAKE) --no-print-directory O=build/static $(STATIC_VARS)

static-arm64:
	@command -v $(STATIC_CROSS)-gcc >/dev/null || { \
		echo "error: make static-arm64 needs Debian's cross compiler and arm64 libraries:" >&2; \
		echo "  make test-deps-arm64 (adds the arm64 architecture to dpkg and installs them)" >&2; \
		exit 1; }
	$(PKG_ENV) PKG_CONFIG_LIBDIR=$(STATIC_CROSS_PKGCONFIG) $(MAKE) --no-print-directory \
		O=build/static-arm64 CC=$(STATIC_CROSS)-gcc AR=$(STATIC_CROSS)-ar $(STATIC_VARS)

# The action's table: one line per architecture for this version.
static-checksums: static static-arm64
	@{ sed -n '/^#/p' packaging/action/prebuilt.sha256; \
	src=$$($(STATIC_SOURCE_DIGEST)); \
	printf '%s %s %s %s\n' $(VERSION) x86_64 "$$src" \
		"$$(sha256sum build/static/docker-credential-ghcr | cut -d' ' -f1)"; \
	printf '%s %s %s %s\n' $(VERSION) aarch64 "$$src" \
		"$$(sha256sum build/static-arm64/docker-credential-ghcr | cut -d' ' -f1)"; \
	} > packaging/action/prebuilt.sha256.new
	mv packaging/action/prebuilt.sha256.new packaging/action/prebuilt.sha256
	@cat packaging/action/prebuilt.sha256

# In CI (CI=true, where a missing arm64 toolchain is a failure) the suite
# installs it first; elsewhere it is a skip, and nothing is installed.
check-static: $(if $(filter true,$(CI)),test-deps-arm64)
	MAKE='$(MAKE)' VERSION='$(VERSION)' bash packaging/tests/check-static.sh

# The only target that changes dpkg's architectures: adds arm64 (and
# fetches its index) when missing, then installs ARM64_DEPS.
test-deps-arm64:
	@if ! dpkg --print-foreign-architectures | grep -qx arm64; then \
		$(SUDO) dpkg --add-architecture arm64 && $(SUDO) apt-get update -q; fi
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(ARM64_DEPS)

SLOW_TARGETS += check-static
