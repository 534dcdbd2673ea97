/*
 * The backends built into this helper.  The Secret Service entry is a thin
 * loader that dlopen()s the libsecret module only when it is used, so the
 * helper itself never links GLib.
 */
#include "store.h"
#include "errors.h"
#include "secmem.h"

#include <stdlib.h>
#include <string.h>

extern const struct store_backend store_file_backend;
#ifdef WITH_SECRETSERVICE
extern const struct store_backend store_secretservice_backend;
#endif

static const struct store_backend *const backends[] = {
#ifdef WITH_SECRETSERVICE
	&store_secretservice_backend,
#endif
	&store_file_backend,
	NULL,
};

const struct store_backend *const *
store_backends(void)
{
	return backends;
}

const struct store_backend *
store_backend_find(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; backends[i] != NULL; i++)
		if (strcmp(backends[i]->name, name) == 0)
			return backends[i];
	return NULL;
}

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
