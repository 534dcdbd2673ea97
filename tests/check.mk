# `check` suite (tests/check/run.sh): docker-credential-ghcr check against
# Debian's docker-registry with token auth answering as ghcr.io, a token
# server and a GitHub API stand-in, inside private namespaces with a test CA.
CHECK_TARGETS += check-check
TEST_DEPS += libcurl4 docker-registry openssl python3 iproute2 util-linux

.PHONY: check-check
check-check: $(TARGETS)
	GHCR_HELPER=$(abspath $(PROGRAM)) DOCKER_CREDENTIAL_GHCR_MODULE_DIR=$(abspath $(O)) \
		bash tests/check/run.sh
