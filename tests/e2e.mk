# End-to-end suite (tests/e2e/run.sh): the docker CLI, skopeo and podman go
# through the built helper against Debian's docker-registry answering as
# ghcr.io and docker.pkg.github.com, inside private namespaces.
SLOW_TARGETS += check-e2e

.PHONY: check-e2e
check-e2e: $(TARGETS)
	$(HELPER_ENV) bash tests/e2e/run.sh
