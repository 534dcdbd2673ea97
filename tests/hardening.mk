# Hardening suites (tests/hardening/*.sh): bad input, look-alike hosts,
# concurrency, crash safety, tampering, secret hygiene, hostile files (a
# FIFO, a device, an overlong line where a file is read).  Each prints its
# own `N passed, N failed` line; the target fails if any suite failed.
# HARDENING_SUITES picks some: make check-hardening HARDENING_SUITES=tamper
SLOW_TARGETS += check-hardening

HARDENING_SUITES ?= bad-input lookalike tamper crash concurrency hygiene files

.PHONY: check-hardening
check-hardening: $(TARGETS)
	@failed=; for s in $(HARDENING_SUITES); do \
		echo "--- hardening/$$s"; \
		$(HELPER_ENV) $(if $(GHCR_HELPER),GHCR_HELPER=$(GHCR_HELPER)) \
			bash tests/hardening/$$s.sh || failed="$$failed $$s"; \
	done; \
	if [ -n "$$failed" ]; then echo "hardening: failed:$$failed"; exit 1; fi
