# Secret Service backend tests: a Check program (and a CLI shell part) run
# against a real gnome-keyring-daemon on a private bus through
# tests/keyring-session.sh.  Outside CI a machine without dbus or
# gnome-keyring reports the suite skipped; with CI=true that is a failure.
FAST_TARGETS += check-secretservice

SS_TEST = $(B)/tests/secretservice-tests
GIO_CFLAGS = $(shell $(PKG_CONFIG) --cflags gio-2.0)
GIO_LIBS = $(shell $(PKG_CONFIG) --libs gio-2.0)

$(B)/tests/secretservice/%.o: tests/secretservice/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -Itests/unit -Itests/contract $(MODULE_TEST_INCLUDES) $(GIO_CFLAGS) $(CHECK_CFLAGS) \
		$(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# $(ALL_LDFLAGS) carries --dynamic-list, so the dlopen()ed module finds
# ghcr_fail()/secmem_*() in the test program as it does in the helper; the
# program also exports its g_dbus_connection_call_sync(), which puts a
# concurrent writer inside an operation (see the test's race case).
$(SS_TEST): $(B)/tests/secretservice/test_secretservice.o $(CONTRACT_OBJ) $(LIB)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) \
		-Wl,--export-dynamic-symbol=g_dbus_connection_call_sync \
		-o $@ $^ $(LIBS) $(CHECK_LIBS) $(GIO_LIBS)

.PHONY: check-secretservice
ifeq ($(WITH_SECRETSERVICE),1)
check-secretservice: $(SS_TEST) $(TARGETS)
	@$(HELPER_ENV) tests/secretservice/run.sh $(abspath $(SS_TEST))
else
check-secretservice:
	@echo "secretservice: not built (WITH_SECRETSERVICE=0)"
	@echo "0 passed, 0 failed, 1 skipped"
endif

# The GitHub CLI source with gh's login in the keyring (items written as
# gh writes them, by tests/secretservice/gh_keyring_item.py): a keyring
# session, then a bus without a Secret Service.
FAST_TARGETS += check-ghcli-keyring
TEST_DEPS += python3-gi

.PHONY: check-ghcli-keyring
ifeq ($(WITH_SECRETSERVICE),1)
check-ghcli-keyring: $(TARGETS)
	@export $(HELPER_ENV); \
	status=0; \
	for mode in --keyring --bare; do \
		tests/keyring-session.sh $$mode bash tests/secretservice/ghcli_keyring.sh; \
		rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 77 ] || status=1; \
	done; exit $$status
else
check-ghcli-keyring:
	@echo "ghcli-keyring: not built (WITH_SECRETSERVICE=0)"
	@echo "0 passed, 0 failed, 1 skipped"
endif
