# docker-credential-ghcr — build, test and install.
#
# Distribution flags (CFLAGS, CPPFLAGS, LDFLAGS) come after ours on every
# command line, so they reach the build and win where they conflict; a
# macro they define (_FORTIFY_SOURCE) we then leave alone.  `make WITH_SECRETSERVICE=0`
# builds the embedded helper: file store only, no libsecret, no GLib.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
MODULEDIR ?= $(LIBDIR)/docker-credential-ghcr
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share
DOCDIR ?= $(DATADIR)/doc/docker-credential-ghcr
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
DESTDIR ?=

VERSION ?= 0.1.0
PACKAGE ?= github.com/docker-credential-ghcr
WITH_SECRETSERVICE ?= 1

CC ?= cc
PKG_CONFIG ?= pkg-config
INSTALL ?= install

# O= puts every output in another directory, so an instrumented build
# (`make O=build/asan SANITIZE=address,undefined`) sits beside the normal one.
O ?= .
PROGRAM = $(O)/docker-credential-ghcr
MODULE = $(O)/docker-credential-ghcr-secretservice.so
B = $(O)/build

WARNINGS = -Wall -Wextra -Wformat-security -Wstrict-prototypes \
	-Wmissing-prototypes -Wvla -Wwrite-strings -Wshadow
# CI sets CI=true: there every warning is an error.
ifneq ($(CI),)
WARNINGS += -Werror
endif
# Flags not every compiler or target has are asked for only where they work
# (-fcf-protection is x86-only, -fstack-clash-protection needs GCC 8/Clang 11).
cc_supports = $(shell $(CC) -Werror $(1) -E -x c /dev/null -o /dev/null >/dev/null 2>&1 && echo $(1))
HARDENING_CFLAGS := -fstack-protector-strong -fno-strict-overflow \
	$(call cc_supports,-fstack-clash-protection) $(call cc_supports,-fcf-protection)
# _FORTIFY_SOURCE=2 unless the distribution's flags say otherwise: a second
# -D of a macro is a "redefined" warning (an error with CI=true) whichever
# comes first, so ours is left out when theirs is there.  The -U drops a
# compiler's built-in default, so ours is the one in force.
HARDENING_CPPFLAGS = $(if $(filter -D_FORTIFY_SOURCE% -U_FORTIFY_SOURCE,$(CPPFLAGS) $(CFLAGS)),,\
	-U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2)
HARDENING_LDFLAGS = -Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack

CFLAGS ?= -O2 -g
# The libcrypto soname the file store dlopen()s: libcrypto.so.3 for OpenSSL 3.
CRYPTO_VERSION := $(shell $(PKG_CONFIG) --modversion libcrypto 2>/dev/null)
CRYPTO_SONAME ?= libcrypto.so.$(if $(filter 1.%,$(CRYPTO_VERSION)),1.1,$(firstword $(subst ., ,$(CRYPTO_VERSION))))

# libcurl, dlopen()ed by the check module only (helper/check/http.c): its headers
# at build time, its soname at run time.  Without libcurl's headers the
# check module is not built and `check` says so (`make WITH_CURL=0` forces
# that, as for an embedded build).
WITH_CURL ?= $(if $(shell $(PKG_CONFIG) --exists libcurl && echo y),1,0)
CURL_SONAME ?= libcurl.so.4

BASE_CPPFLAGS = -D_GNU_SOURCE -Icommon -Ihelper -Ihelper/cmd -Istore \
	-DGHCR_VERSION='"$(VERSION)"' -DGHCR_PACKAGE='"$(PACKAGE)"' \
	-DGHCR_MODULEDIR='"$(MODULEDIR)"' -DGHCR_CRYPTO_SONAME='"$(CRYPTO_SONAME)"'
ifeq ($(WITH_SECRETSERVICE),1)
BASE_CPPFLAGS += -DWITH_SECRETSERVICE
endif
ifeq ($(WITH_CURL),1)
BASE_CPPFLAGS += -DWITH_CURL -DGHCR_CURL_SONAME='"$(CURL_SONAME)"' \
	$(shell $(PKG_CONFIG) --cflags libcurl)
endif
JANSSON_CFLAGS := $(shell $(PKG_CONFIG) --cflags jansson)
JANSSON_LIBS := $(shell $(PKG_CONFIG) --libs jansson)
CRYPTO_CFLAGS := $(shell $(PKG_CONFIG) --cflags libcrypto)
SECRET_CFLAGS = $(shell $(PKG_CONFIG) --cflags libsecret-1)
# The module also calls libgcrypt (libsecret's own dependency) for the
# Secret Service transfer session it negotiates itself; see the README.
SECRET_LIBS = $(shell $(PKG_CONFIG) --libs libsecret-1 libgcrypt)
CHECK_CFLAGS = $(shell $(PKG_CONFIG) --cflags check)
CHECK_LIBS = $(shell $(PKG_CONFIG) --libs check)

ALL_CPPFLAGS = $(HARDENING_CPPFLAGS) $(BASE_CPPFLAGS) $(JANSSON_CFLAGS) $(CRYPTO_CFLAGS) $(CPPFLAGS)
ALL_CFLAGS = -std=c11 $(WARNINGS) $(HARDENING_CFLAGS) -fPIE $(SANITIZE_FLAGS) $(CFLAGS)
ALL_LDFLAGS = -pie $(HARDENING_LDFLAGS) $(SANITIZE_FLAGS) \
	-Wl,--dynamic-list=$(MODULE_DIR)/module.exports -Wl,--dynamic-list=$(CHECK_MODULE_DIR)/check.exports $(LDFLAGS)
# jansson is linked into the helper from its archive when one is installed
# (Debian's libjansson-dev ships it): a shared libjansson costs every
# protocol call a library load, and every symbol libcrypto's loader later
# looks up one more library to search (bench/RESULTS.md has the figures).
# JANSSON_LINK=shared links the shared library instead.  The check module
# keeps the shared one (it calls json_set_alloc_funcs() on it itself).
JANSSON_ARCHIVE := $(shell $(PKG_CONFIG) --variable=libdir jansson)/libjansson.a
JANSSON_LINK ?= $(if $(wildcard $(JANSSON_ARCHIVE)),static,shared)
ifeq ($(JANSSON_LINK),static)
HELPER_JANSSON_LIBS = $(JANSSON_ARCHIVE)
else
HELPER_JANSSON_LIBS = $(JANSSON_LIBS)
endif
LIBS = $(HELPER_JANSSON_LIBS) -ldl

# `make SANITIZE=address,undefined` builds everything instrumented.
ifneq ($(SANITIZE),)
SANITIZE_FLAGS = -fsanitize=$(SANITIZE) -fno-omit-frame-pointer
endif

# The tree is the architecture: a part's sources are every .c in its
# folders, so a new file lands in the right binary without touching this
# Makefile.
#
#   the helper           common/ helper/ helper/cmd/ store/ store/file/
#   the check module     helper/check/          (dlopen()ed by `check`, `login`)
#   the Secret Service   store/secretservice/   (dlopen()ed by that backend)
#
# A module's private headers sit in its folder, which is on no include path:
# its own files reach them by the quoted #include's same-folder rule, and
# nothing else can.  Three files are named here, each for a reason: main.c
# is the program, so it stays out of the library the tests link; the check
# module carries its own copy of helper/cmd/report.c (also in the helper, for
# status) and of common/text.c (the one sanitiser), and both modules one of
# common/utc.c (the one writer of an ISO-8601 date), rather than growing the helper's exported symbols, which
# every protocol command's loader walks.  The copies are hidden in the
# module (-fvisibility=hidden), so its exported symbols stay its table.
HELPER_DIRS = common helper helper/cmd store store/file
CHECK_MODULE_DIR = helper/check
MODULE_DIR = store/secretservice
MODULE_SRCS = $(sort $(wildcard $(MODULE_DIR)/*.c))
MODULE_OBJS = $(MODULE_SRCS:%.c=$(B)/%.pic.o) $(B)/common/utc.pic.o
CHECK_MODULE = $(O)/docker-credential-ghcr-check.so
CHECK_MODULE_SRCS = $(sort $(wildcard $(CHECK_MODULE_DIR)/*.c))
CHECK_MODULE_OBJS = $(CHECK_MODULE_SRCS:%.c=$(B)/%.pic.o) $(B)/helper/cmd/report.pic.o \
	$(B)/common/utc.pic.o $(B)/common/text.pic.o
$(B)/helper/cmd/report.pic.o $(B)/common/utc.pic.o $(B)/common/text.pic.o: \
	ALL_CFLAGS += -fvisibility=hidden
# The stack wipe writes only resident pages; the probes of stack-clash
# protection would fault in every page of its 32 KiB frame (see the file).
$(B)/common/secmem_stack.o: ALL_CFLAGS += -fno-stack-clash-protection
# store/secretservice_loader.c compiles to nothing without WITH_SECRETSERVICE.
LIB_SRCS = $(filter-out helper/main.c,$(sort $(wildcard $(addsuffix /*.c,$(HELPER_DIRS)))))
# What tests and fuzzers of a module's insides include from its folder.
MODULE_TEST_INCLUDES = -I$(CHECK_MODULE_DIR) -I$(MODULE_DIR) -Istore/file
LIB_OBJS = $(LIB_SRCS:%.c=$(B)/%.o)
LIB = $(B)/libghcr.a

TARGETS = $(PROGRAM)
ifeq ($(WITH_CURL),1)
TARGETS += $(CHECK_MODULE)
endif
ifeq ($(WITH_SECRETSERVICE),1)
TARGETS += $(MODULE)
endif

.PHONY: all clean install uninstall check
all: $(TARGETS)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(LIB): $(LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(PROGRAM): $(B)/helper/main.o $(LIB) $(MODULE_DIR)/module.exports $(CHECK_MODULE_DIR)/check.exports
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(filter-out %.exports,$^) $(LIBS)

# The module resolves ghcr_fail()/secmem_*() from the helper that loads it
# (see store/secretservice/module.exports), so it is linked with unresolved
# symbols.  Its files call one another directly: only
# ghcr_secretservice_module is exported (-fvisibility=hidden).
$(B)/$(MODULE_DIR)/%.pic.o: $(MODULE_DIR)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(SECRET_CFLAGS) $(ALL_CFLAGS) -fPIC -fvisibility=hidden -MMD -MP -c -o $@ $<

$(MODULE): $(MODULE_OBJS)
	$(CC) $(ALL_CFLAGS) -shared -fPIC $(HARDENING_LDFLAGS) $(SANITIZE_FLAGS) \
		$(LDFLAGS) -o $@ $^ $(SECRET_LIBS)

# The check module calls back into the helper (helper/check/check.exports) and
# dlopen()s libcurl itself; it links the shared jansson.
$(B)/helper/%.pic.o: helper/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -fPIC -MMD -MP -c -o $@ $<

$(B)/common/%.pic.o: common/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -fPIC -MMD -MP -c -o $@ $<

$(CHECK_MODULE): $(CHECK_MODULE_OBJS)
	$(CC) $(ALL_CFLAGS) -shared -fPIC $(HARDENING_LDFLAGS) $(SANITIZE_FLAGS) \
		$(LDFLAGS) -o $@ $^ $(JANSSON_LIBS)

-include $(shell find $(B) -name '*.d' 2>/dev/null)

# --- tests -----------------------------------------------------------------
# Each tests/unit/test_NAME.c defines `Suite *suite_NAME(void)`; the runner's
# list of suites is generated from the file names.
UNIT_SRCS = $(sort $(wildcard tests/unit/test_*.c))
# The backend contract (one suite for every backend) is compiled into the
# unit runner (file backend) and the Secret Service program.
CONTRACT_OBJ = $(B)/tests/contract/backend_contract.o
UNIT_OBJS = $(UNIT_SRCS:%.c=$(B)/%.o) $(B)/tests/unit/main.o $(CONTRACT_OBJ)
UNIT_RUNNER = $(B)/tests/unit-tests

$(B)/tests/unit/suites.h: $(UNIT_SRCS)
	@mkdir -p $(dir $@)
	printf 'SUITE(%s)\n' $(patsubst tests/unit/test_%.c,%,$(UNIT_SRCS)) > $@

$(B)/tests/unit/main.o: tests/unit/main.c $(B)/tests/unit/suites.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -I$(B)/tests/unit $(CHECK_CFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(B)/tests/unit/test_%.o: tests/unit/test_%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -Itests/unit -Itests/contract $(MODULE_TEST_INCLUDES) $(CHECK_CFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(CONTRACT_OBJ): tests/contract/backend_contract.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -Itests/contract $(CHECK_CFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# Modules from another build for test_module_load.c, one per directory:
# the check or the Secret Service module, with another ABI number or
# another struct size (tests/unit/stale_module.c).
STALE_DIR = $(B)/tests/stale
STALE_MODULES = $(foreach m,check secretservice,$(foreach w,abi size,\
	$(STALE_DIR)/$(m)-$(w)/docker-credential-ghcr-$(m).so))
$(STALE_MODULES): tests/unit/stale_module.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(if $(findstring /check-,$@),-DSTALE_CHECK) \
		$(if $(findstring -abi/,$@),-DSTALE_ABI) -std=c11 $(WARNINGS) \
		-Wno-override-init -fPIC -shared -MMD -MP -o $@ $<
$(B)/tests/unit/test_module_load.o: ALL_CPPFLAGS += \
	-DGHCR_TEST_STALE_DIR='"$(abspath $(STALE_DIR))"'

$(UNIT_RUNNER): $(UNIT_OBJS) $(CHECK_MODULE_OBJS) $(LIB) $(STALE_MODULES)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(filter-out %.so,$^) $(LIBS) $(CHECK_LIBS)

# Every suite is a target check-NAME that prints its own summary line.  The
# fragment that defines it (tests/*.mk, packaging/*.mk, bench/*.mk,
# fuzz/*.mk) puts it in one of two tiers:
#
#   FAST_TARGETS += check-NAME   behaviour: no sanitizer, valgrind, fuzzing,
#                                package or container build; the whole tier
#                                stays under 3 minutes on 2 cores
#   SLOW_TARGETS += check-NAME   everything else (ASan, valgrind, fuzz,
#                                packages, static builds, e2e, benchmarks)
#
# `make check-fast` runs the fast tier; `make check` (the README's and CI's
# command) the fast tier, then the slow one, so a behaviour regression
# fails within minutes.  CHECK_TARGETS is that order; a fragment that still
# appends to CHECK_TARGETS itself is run after both tiers.
FAST_TARGETS = check-unit
SLOW_TARGETS =
CHECK_TARGETS :=
-include $(sort $(wildcard tests/*.mk)) $(wildcard packaging/*.mk) \
	$(wildcard bench/*.mk) $(wildcard fuzz/*.mk)
CHECK_TARGETS := $(FAST_TARGETS) $(SLOW_TARGETS) \
	$(filter-out $(FAST_TARGETS) $(SLOW_TARGETS),$(CHECK_TARGETS))

# What every suite that runs the helper is given: the helper under test and
# the directory of its Secret Service module (found without installing it).
HELPER_ENV = GHCR_HELPER=$(abspath $(PROGRAM)) DOCKER_CREDENTIAL_GHCR_MODULE_DIR=$(abspath $(O))

.PHONY: check-unit check-fast
check-unit: $(UNIT_RUNNER) $(TARGETS)
	$(HELPER_ENV) $(UNIT_RUNNER)

# Runs each suite of $(1) with its time; later suites still run when one
# fails, and the exit status reports any failure.
run_suites = @failed=; all=$$(date +%s); for t in $(1); do \
		echo "=== $$t"; start=$$(date +%s); \
		$(MAKE) --no-print-directory $$t || failed="$$failed $$t"; \
		echo "=== $$t: $$(( $$(date +%s) - start )) s"; \
	done; \
	echo "=== $(2): $$(( $$(date +%s) - all )) s"; \
	if [ -n "$$failed" ]; then echo "FAILED:$$failed"; exit 1; fi; echo "all suites passed"

# The behaviour suites only: the loop to run while working.
check-fast: $(TARGETS)
	$(call run_suites,$(FAST_TARGETS),check-fast)

# The README's test command: every suite, the fast tier first.
check: $(TARGETS)
	$(call run_suites,$(CHECK_TARGETS),check)

# --- install ---------------------------------------------------------------
install: $(TARGETS)
	$(INSTALL) -d $(DESTDIR)$(BINDIR)
	$(INSTALL) -m 0755 $(PROGRAM) $(DESTDIR)$(BINDIR)/docker-credential-ghcr
ifeq ($(WITH_SECRETSERVICE),1)
	$(INSTALL) -d $(DESTDIR)$(MODULEDIR)
	$(INSTALL) -m 0644 $(MODULE) $(DESTDIR)$(MODULEDIR)/docker-credential-ghcr-secretservice.so
endif
ifeq ($(WITH_CURL),1)
	$(INSTALL) -d $(DESTDIR)$(MODULEDIR)
	$(INSTALL) -m 0644 $(CHECK_MODULE) $(DESTDIR)$(MODULEDIR)/docker-credential-ghcr-check.so
endif
	if [ -f doc/docker-credential-ghcr.1 ]; then \
		$(INSTALL) -d $(DESTDIR)$(MANDIR)/man1 && \
		$(INSTALL) -m 0644 doc/docker-credential-ghcr.1 $(DESTDIR)$(MANDIR)/man1/docker-credential-ghcr.1; fi
	if [ -f doc/docker-credential-ghcr.bash-completion ]; then \
		$(INSTALL) -d $(DESTDIR)$(BASHCOMPDIR) && \
		$(INSTALL) -m 0644 doc/docker-credential-ghcr.bash-completion $(DESTDIR)$(BASHCOMPDIR)/docker-credential-ghcr; fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/docker-credential-ghcr
	rm -f $(DESTDIR)$(MODULEDIR)/docker-credential-ghcr-secretservice.so
	rm -f $(DESTDIR)$(MODULEDIR)/docker-credential-ghcr-check.so
	-rmdir $(DESTDIR)$(MODULEDIR) 2>/dev/null
	rm -f $(DESTDIR)$(MANDIR)/man1/docker-credential-ghcr.1
	rm -f $(DESTDIR)$(BASHCOMPDIR)/docker-credential-ghcr

clean:
	rm -rf $(B) $(PROGRAM) $(MODULE) $(CHECK_MODULE)

# --- set-up on Debian --------------------------------------------------------
# `make setup` (as root or a sudoer) installs the build dependencies,
# builds, installs, and configures Docker for the invoking user; `make
# test-deps` installs what `make check` needs (fragments add theirs with
# `TEST_DEPS +=`).  CI runs the latter.
SUDO = $(if $(filter 0,$(shell id -u)),,sudo)
BUILD_DEPS = build-essential pkg-config libjansson-dev libssl-dev libsecret-1-dev \
	libcurl4-openssl-dev
TEST_DEPS += $(BUILD_DEPS) check gnome-keyring dbus dbus-bin libglib2.0-bin libsecret-tools \
	docker-registry apache2-utils skopeo podman uidmap iproute2 util-linux \
	openssl curl jq python3 python3-yaml clang libclang-rt-14-dev valgrind \
	hyperfine golang-docker-credential-helpers pass gnupg time tmux shellcheck gdb strace \
	rpm debhelper dpkg-dev fakeroot lintian groff-base man-db

.PHONY: deps test-deps setup
deps:
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(BUILD_DEPS)

# test-deps installs packages of this machine's architecture only; what
# needs another (the arm64 static build) has its own target, which that
# suite alone calls (packaging/static.mk, test-deps-arm64).
test-deps:
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(TEST_DEPS)
	command -v docker >/dev/null || $(SUDO) env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q docker.io

setup:
	$(SUDO) apt-get update -q
	$(MAKE) deps
	$(MAKE) all
	$(SUDO) $(MAKE) install
	$(DESTDIR)$(BINDIR)/docker-credential-ghcr configure
