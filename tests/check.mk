# `check` suite (tests/check/run.sh): docker-credential-ghcr check against
# Debian's docker-registry with token auth answering as ghcr.io, a token
# server and a GitHub API stand-in, inside private namespaces with a test CA.
FAST_TARGETS += check-check
TEST_DEPS += libcurl4 docker-registry openssl python3 iproute2 util-linux

.PHONY: check-check
check-check: $(TARGETS)
	$(HELPER_ENV) bash tests/check/run.sh
