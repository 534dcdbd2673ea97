/*
 * The helper's side of `check` (see check_module.h): cmd_check() and
 * check_token_for_login() load the check module the first time one is
 * called and forward to it.  Nothing here calls a library function the
 * helper did not already import, so get/store/erase/list pay nothing for
 * check, not even a relocation.
 */
#include "check_module.h"
#include "errors.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef GHCR_MODULEDIR
#define GHCR_MODULEDIR "/usr/local/lib/docker-credential-ghcr"
#endif

static const struct check_module *check_mod;

static int
load_check_module(void)
{
	const struct check_module *mod;
	const char *dir;
	char path[4096];
	void *handle;
	int n;

	if (check_mod != NULL)
		return GHCR_OK;
#ifndef WITH_CURL
	(void)mod, (void)dir, (void)path, (void)handle, (void)n;
	return ghcr_fail(GHCR_ERR_UNAVAILABLE, "check: this helper was built "
	    "without libcurl (its headers were missing: install "
	    "libcurl4-openssl-dev and rebuild)");
#else
	/* secure_getenv: a privileged caller never loads code named by the
	 * environment. */
	dir = secure_getenv("DOCKER_CREDENTIAL_GHCR_MODULE_DIR");
	if (dir == NULL || *dir == '\0')
		dir = GHCR_MODULEDIR;
	n = snprintf(path, sizeof(path), "%s/%s", dir, CHECK_MODULE_FILE);
	if (n < 0 || (size_t)n >= sizeof(path))
		return ghcr_fail(GHCR_ERR_UNAVAILABLE, "check: module directory "
		    "name is too long");
	if (access(path, R_OK) != 0)
		return ghcr_fail(GHCR_ERR_UNAVAILABLE, "check: module %s: %s "
		    "(install it, or set DOCKER_CREDENTIAL_GHCR_MODULE_DIR)",
		    path, strerror(errno));
	if ((handle = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL)
		return ghcr_fail(GHCR_ERR_UNAVAILABLE, "check: cannot load "
		    "module: %s", dlerror());
	mod = dlsym(handle, CHECK_MODULE_SYMBOL);
	if (mod == NULL || mod->abi != CHECK_ABI ||
	    mod->resolver_size != sizeof(struct resolver) ||
	    mod->settings_size != sizeof(struct settings) ||
	    mod->cmd == NULL || mod->login == NULL) {
		dlclose(handle);
		return ghcr_fail(GHCR_ERR_UNAVAILABLE, "check: module %s does "
		    "not match this helper (reinstall both from one build)", path);
	}
	check_mod = mod;
	return GHCR_OK;
#endif
}

int
cmd_check(int argc, char **argv, struct resolver *res)
{
	int r;

	if ((r = load_check_module()) != GHCR_OK)
		return r;
	return check_mod->cmd(argc, argv, res);
}

int
check_token_for_login(const char *server, const char *username,
		      const char *secret, time_t *expiry, const struct settings *s)
{
	int r;

	*expiry = 0;
	if ((r = load_check_module()) != GHCR_OK)
		return r;
	return check_mod->login(server, username, secret, expiry, s);
}
