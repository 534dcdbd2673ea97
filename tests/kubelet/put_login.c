/*
 * Test fixture for tests/kubelet/cli.sh: stores one login with a recorded
 * expiry in the node's store, through the helper's own resolver and file
 * backend (settings_load_system(), so the same DOCKER_CREDENTIAL_GHCR_*
 * variables apply).  `login` records an expiry only when GitHub tells it
 * over the network; this suite runs without one, and needs logins that
 * expired an hour ago or expire in two.
 *
 *   put_login KEY USER EXPIRES <SECRET      (EXPIRES: seconds since the epoch)
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "resolver.h"
#include "secmem.h"
#include "settings.h"

int
main(int argc, char **argv)
{
	struct credential cred = { 0 };
	struct settings s;
	struct resolver res;
	char secret[256];
	size_t n;
	int r;

	json_set_alloc_funcs(secmem_alloc, secmem_free);
	if (argc != 4 || fgets(secret, sizeof(secret), stdin) == NULL) {
		fprintf(stderr, "usage: put_login KEY USER EXPIRES <SECRET\n");
		return 2;
	}
	n = strcspn(secret, "\r\n");
	secret[n] = '\0';
	if ((r = settings_load_system(&s)) != GHCR_OK ||
	    (r = credential_fill(&cred, argv[1], argv[2], secret)) != GHCR_OK)
		goto out;
	cred.expires = (time_t)strtoll(argv[3], NULL, 10);
	resolver_init(&res, &s);
	r = resolver_put(&res, &cred);
	resolver_close(&res);
out:
	credential_clear(&cred);
	secmem_wipe(secret, sizeof(secret));
	if (r != GHCR_OK)
		fprintf(stderr, "put_login: %s\n", ghcr_error_message(r));
	return r == GHCR_OK ? 0 : 1;
}
