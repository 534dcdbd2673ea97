# Kubelet pull suite (tests/kubelet/pulls.sh): a stand-in kubelet written
# after the kubelet's plugin.go and keyring.go runs `docker-credential-ghcr
# kubelet` and pulls with skopeo from token-auth registries answering as
# ghcr.io, a GHES host and a foreign host, inside private namespaces; the
# token server's log proves which credential each pull presented.
FAST_TARGETS += check-kubelet-pulls
TEST_DEPS += docker-registry skopeo openssl python3 python3-yaml iproute2 util-linux coreutils \
	golang-go

.PHONY: check-kubelet-pulls
check-kubelet-pulls: $(TARGETS)
	$(HELPER_ENV) bash tests/kubelet/pulls.sh
