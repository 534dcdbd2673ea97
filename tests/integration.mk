# Integration suites: the real binary through its protocol on the file
# backend (tests/integration/cli.sh file; check-secretservice runs the same
# script on the Secret Service), a real `docker login` on both backends, and
# the embedded build (WITH_SECRETSERVICE=0: file store only, no GLib)
# through the same protocol.
FAST_TARGETS += check-integration check-embedded

.PHONY: check-integration check-embedded
check-integration: $(TARGETS)
	$(HELPER_ENV) bash tests/integration/cli.sh file
	$(HELPER_ENV) bash tests/integration/docker_login.sh

check-embedded:
	$(MAKE) --no-print-directory O=build/embedded WITH_SECRETSERVICE=0
	@if nm -D build/embedded/docker-credential-ghcr | grep -qi 'secret_\|g_main'; then \
		echo "FAIL: the embedded helper references libsecret/GLib"; exit 1; fi
	GHCR_HELPER=$(abspath build/embedded/docker-credential-ghcr) \
		bash tests/integration/cli.sh file
