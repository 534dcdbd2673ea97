/*
 * struct credential's two helpers, shared by every backend and by the
 * Secret Service module (which calls them back through
 * store/secretservice/module.exports): fill copies into wiping memory,
 * clear wipes and frees.
 */
#include "store.h"
#include "errors.h"
#include "secmem.h"

void
credential_clear(struct credential *c)
{
	if (c == NULL)
		return;
	secmem_free(c->server);
	secmem_free(c->username);
	secmem_free(c->secret);
	c->server = c->username = c->secret = NULL;
	c->expires = 0;
}

int
credential_fill(struct credential *c, const char *server,
		const char *username, const char *secret)
{
	c->server = secmem_strdup(server);
	c->username = secmem_strdup(username);
	c->secret = secmem_strdup(secret);
	if (c->server == NULL || c->username == NULL || c->secret == NULL) {
		credential_clear(c);
		return GHCR_ERR_NO_MEMORY;
	}
	return GHCR_OK;
}
