# The kubelet provider from the outside (tests/kubelet/cli.sh): real binary,
# real file store, no registry.  put_login is its fixture: it stores a login
# with a recorded expiry through the helper's own resolver, which `login`
# does only when GitHub tells it over the network.
CHECK_TARGETS += check-kubelet

KUBELET_PUT_LOGIN = $(B)/tests/kubelet/put_login

$(KUBELET_PUT_LOGIN): tests/kubelet/put_login.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(LIBS)

.PHONY: check-kubelet
check-kubelet: $(TARGETS) $(KUBELET_PUT_LOGIN)
	$(HELPER_ENV) KUBELET_PUT_LOGIN=$(abspath $(KUBELET_PUT_LOGIN)) bash tests/kubelet/cli.sh
