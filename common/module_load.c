/*
 * Loading a module by the one rule (see module_load.h).  The file checks
 * are a policy against mistakes and shared directories, made on the path
 * just before dlopen() opens it again: whoever can replace the file in
 * between owns the directory, which the rule leaves to the installer
 * (root) or to the environment a privileged process never reads.  Costs
 * one stat() beyond the access() each loader made before.
 */
#include "module_load.h"
#include "errors.h"
#include "secmem.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MODULE_REINSTALL "reinstall the helper and its modules from one build"

/* Whether the file at `path` may be loaded; one line of detail if not. */
static int
module_file_safe(const struct module_spec *spec, const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return ghcr_fail(GHCR_ERR_UNAVAILABLE, "%s %s: %s (install it, "
		    "or set DOCKER_CREDENTIAL_GHCR_MODULE_DIR)%s", spec->name,
		    path, strerror(errno), spec->hint);
	if (!S_ISREG(st.st_mode))
		return ghcr_fail(GHCR_ERR_UNAVAILABLE, "%s %s is not a regular "
		    "file: refusing to load it%s", spec->name, path, spec->hint);
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return ghcr_fail(GHCR_ERR_UNAVAILABLE, "%s %s belongs to uid %u, "
		    "neither root nor this user: refusing to load it%s",
		    spec->name, path, (unsigned)st.st_uid, spec->hint);
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return ghcr_fail(GHCR_ERR_UNAVAILABLE, "%s %s is writable by "
		    "others (mode %04o): refusing to load it (chmod go-w it)%s",
		    spec->name, path, (unsigned)(st.st_mode & 07777), spec->hint);
	return GHCR_OK;
}

/* The stamp's sizes as "a/b/c/d/e" into buf[size]. */
static void
module_sizes_text(const struct module_stamp *s, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < MODULE_STAMP_SIZES && used < size; i++) {
		int n = snprintf(buf + used, size - used, "%s%zu",
		    i > 0 ? "/" : "", s->sizes[i]);

		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* Whether the table's stamp is the helper's; one line of detail if not.
 * The sizes are read only once the ABI numbers agree (see the header). */
static int
module_stamp_matches(const struct module_spec *spec, const char *path,
		     const struct module_stamp *got)
{
	char theirs[128], ours[128];

	if (got == NULL)
		return ghcr_fail(GHCR_ERR_UNAVAILABLE, "%s %s has no %s: it is "
		    "not this helper's (%s)%s", spec->name, path, spec->symbol,
		    MODULE_REINSTALL, spec->hint);
	if (got->abi != spec->stamp.abi)
		return ghcr_fail(GHCR_ERR_UNAVAILABLE, "%s %s does not match "
		    "this helper (ABI %u, expected %u): %s%s", spec->name, path,
		    got->abi, spec->stamp.abi, MODULE_REINSTALL, spec->hint);
	if (memcmp(got->sizes, spec->stamp.sizes, sizeof(got->sizes)) != 0) {
		module_sizes_text(got, theirs, sizeof(theirs));
		module_sizes_text(&spec->stamp, ours, sizeof(ours));
		return ghcr_fail(GHCR_ERR_UNAVAILABLE, "%s %s does not match "
		    "this helper (struct sizes %s, expected %s): %s%s",
		    spec->name, path, theirs, ours, MODULE_REINSTALL,
		    spec->hint);
	}
	return GHCR_OK;
}

int
module_load(const struct module_spec *spec, const void **table)
{
	const struct module_stamp *stamp;
	const char *dir;
	char path[4096];
	void *handle;
	int n, r;

	*table = NULL;
	/* secure_getenv: a privileged caller never loads code named by the
	 * environment. */
	dir = secure_getenv("DOCKER_CREDENTIAL_GHCR_MODULE_DIR");
	if (dir == NULL || *dir == '\0')
		dir = GHCR_MODULEDIR;
	n = snprintf(path, sizeof(path), "%s/%s", dir, spec->file);
	if (n < 0 || (size_t)n >= sizeof(path))
		return ghcr_fail(GHCR_ERR_UNAVAILABLE, "%s directory name is "
		    "too long%s", spec->name, spec->hint);
	if ((r = module_file_safe(spec, path)) != GHCR_OK)
		return r;
	if (spec->taints_stack)
		secmem_taint_stack();
	if ((handle = dlopen(path, spec->dlopen_flags)) == NULL)
		return ghcr_fail(GHCR_ERR_UNAVAILABLE, "%s cannot be loaded "
		    "(%s)%s", spec->name, dlerror(), spec->hint);
	stamp = dlsym(handle, spec->symbol);
	if ((r = module_stamp_matches(spec, path, stamp)) != GHCR_OK) {
		dlclose(handle);
		return r;
	}
	*table = stamp;
	return GHCR_OK;
}
