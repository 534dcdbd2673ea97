/*
 * The backends built into this helper.  The Secret Service entry is a thin
 * loader that dlopen()s the libsecret module only when it is used, so the
 * helper itself never links GLib.
 */
#include "store.h"
#include "errors.h"

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
