/*
 * The helper's side of `check` (see check_module.h): cmd_check() and
 * check_token_for_login() load the check module the first time one is
 * called and forward to it, after common/module_load.c's rule has
 * accepted the file and its stamp.  Nothing here calls a library function the
 * helper did not already import, so get/store/erase/list pay nothing for
 * check, not even a relocation.
 */
#include "check_module.h"
#include "errors.h"
#include "module_load.h"

#include <dlfcn.h>

static const struct check_module *check_mod;

static int
load_check_module(void)
{
#ifdef WITH_CURL
	static const struct module_spec spec = {
		.file = CHECK_MODULE_FILE,
		.symbol = CHECK_MODULE_SYMBOL,
		.name = "check: module",
		.hint = "",
		.dlopen_flags = RTLD_NOW | RTLD_LOCAL,
		.stamp = CHECK_MODULE_STAMP,
	};
	const void *table;
	int r;

	if (check_mod != NULL)
		return GHCR_OK;
	if ((r = module_load(&spec, &table)) != GHCR_OK)
		return r;
	check_mod = table;
	return GHCR_OK;
#else
	return ghcr_fail(GHCR_ERR_UNAVAILABLE, "check: this helper was built "
	    "without libcurl (its headers were missing: install "
	    "libcurl4-openssl-dev and rebuild)");
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
