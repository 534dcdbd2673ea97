/*
 * The Secret Service backend as the helper sees it: a forwarding table that
 * dlopen()s the libsecret module (store/secretservice/) the first time it
 * is really needed.  Keeping libsecret and GLib out of the helper's own
 * link keeps file-store and ambient-token answers as cheap as a minimal C
 * program, and lets the helper run where libsecret is not installed.  open()
 * answers "unavailable" without loading anything when there is plainly no
 * session bus, which is the common case on servers and in CI.  A build
 * without the Secret Service (WITH_SECRETSERVICE=0) compiles this file to
 * nothing, so the Makefile can take every file of store/ as it is.
 */
#ifdef WITH_SECRETSERVICE
#include "secretservice.h"
#include "errors.h"
#include "store.h"

#include <dlfcn.h>

#define FILE_BACKEND_HINT \
	"the file backend works without it (DOCKER_CREDENTIAL_GHCR_BACKEND=file)"

/* The module's tables once loaded; the handle stays open for the process. */
static const struct store_backend *module_backend;
static secretservice_lookup_fn module_lookup;

static int
load_module(const struct store_backend **out)
{
	/*
	 * RTLD_LAZY, not RTLD_NOW: RTLD_NOW would also bind every symbol of
	 * libsecret, GIO, GLib and libgcrypt up front, which costs more than
	 * the rest of a `get`.  The module itself is linked with -z now, so
	 * its callbacks into the helper are still all resolved at load, once,
	 * and a mismatch fails with a message instead of mid-operation.
	 * GLib and libgcrypt will hold secrets in their own stack frames:
	 * main() wipes the stack before exit once the module is loaded.
	 */
	static const struct module_spec spec = {
		.file = SECRETSERVICE_MODULE_FILE,
		.symbol = SECRETSERVICE_MODULE_SYMBOL,
		.name = "Secret Service module",
		.hint = "; " FILE_BACKEND_HINT,
		.dlopen_flags = RTLD_LAZY | RTLD_LOCAL,
		.taints_stack = 1,
		.stamp = SECRETSERVICE_MODULE_STAMP,
	};
	const struct secretservice_module *mod;
	const void *table;
	int r;

	if (module_backend == NULL) {
		if ((r = module_load(&spec, &table)) != GHCR_OK)
			return r;
		mod = table;
		module_backend = mod->backend;
		module_lookup = mod->lookup;
	}
	*out = module_backend;
	return GHCR_OK;
}

/* The cheap gate before open(): no bus, no dlopen. */
static int
need_bus(void)
{
	const char *why = secretservice_no_bus_reason();

	if (why != NULL)
		return ghcr_fail(GHCR_ERR_UNAVAILABLE, "Secret Service: %s; %s",
		    why, FILE_BACKEND_HINT);
	return GHCR_OK;
}

static int
loader_open(const struct store_location *where, void **out)
{
	const struct store_backend *b;
	int r;

	*out = NULL;
	if ((r = need_bus()) != 0 || (r = load_module(&b)) != 0)
		return r;
	return b->open(where, out);
}

/* The remaining slots only ever see a handle from loader_open(), so the
 * module is loaded by then. */
static int
loader_get(void *handle, const char *server, struct credential *out)
{
	return module_backend->get(handle, server, out);
}

static int
loader_put(void *handle, const struct credential *cred)
{
	return module_backend->put(handle, cred);
}

static int
loader_note_expiry(void *handle, const struct credential *checked,
		   time_t expires)
{
	return module_backend->note_expiry(handle, checked, expires);
}

static int
loader_erase(void *handle, const char *server)
{
	return module_backend->erase(handle, server);
}

static int
loader_list(void *handle, store_list_fn fn, void *ctx)
{
	return module_backend->list(handle, fn, ctx);
}

static void
loader_close(void *handle)
{
	if (handle != NULL && module_backend != NULL)
		module_backend->close(handle);
}

int
secretservice_lookup(const char *service, const char *const *usernames,
		     char **secret, int *which)
{
	const struct store_backend *b;
	int r;

	*secret = NULL;
	*which = -1;
	if ((r = need_bus()) != 0 || (r = load_module(&b)) != 0)
		return r;
	return module_lookup(service, usernames, secret, which);
}

const struct store_backend store_secretservice_backend = {
	.name = "secretservice",
	.title = "the Secret Service keyring",
	.open = loader_open,
	.get = loader_get,
	.put = loader_put,
	.note_expiry = loader_note_expiry,
	.erase = loader_erase,
	.list = loader_list,
	.close = loader_close,
};

#endif /* WITH_SECRETSERVICE */
