# The Secret Service backend's deadline (tests/secretservice/deadline.sh):
# it fails with one line within its deadline where nothing will answer (no
# bus, no provider, a provider that never answers, a locked keyring with
# no prompter) and waits where the keyring is only busy.  The stand-in
# provider is a small GIO program (tests/secretservice/standin.c).
FAST_TARGETS += check-secretservice-deadline

SS_STANDIN = $(B)/tests/secretservice-standin

$(SS_STANDIN): tests/secretservice/standin.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(GIO_CFLAGS) $(ALL_CFLAGS) -o $@ $< $(GIO_LIBS)

# Preloaded into the helper: a bus handshake stuck holding malloc's lock.
SS_STUCK = $(B)/tests/secretservice-stuck-in-malloc.so

$(SS_STUCK): tests/secretservice/stuck_in_malloc.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -std=c11 $(WARNINGS) -O2 -fPIC -shared -o $@ $<

.PHONY: check-secretservice-deadline
ifeq ($(WITH_SECRETSERVICE),1)
check-secretservice-deadline: $(SS_STANDIN) $(SS_STUCK) $(TARGETS)
	@$(HELPER_ENV) bash tests/secretservice/deadline.sh $(abspath $(SS_STANDIN)) \
		$(abspath $(SS_STUCK))
else
check-secretservice-deadline:
	@echo "secretservice-deadline: not built (WITH_SECRETSERVICE=0)"
	@echo "0 passed, 0 failed, 1 skipped"
endif
