/*
 * The one rule for the code this helper loads at run time, which both
 * dlopen()ed modules follow (the check module, helper/check_loader.c; the
 * Secret Service module, store/secretservice_loader.c): which directory
 * (DOCKER_CREDENTIAL_GHCR_MODULE_DIR, unless the process is privileged,
 * else the built-in GHCR_MODULEDIR), which files (a regular file owned by
 * root or by us, writable by no one else), and which builds (the table the
 * module exports opens with a stamp that must equal the helper's: the
 * interface's ABI number and the size of every struct the two sides pass,
 * struct credential included).  A module that fails any of it is refused
 * with one line naming the file and the fix, never half-used.
 */
#ifndef GHCR_MODULE_LOAD_H
#define GHCR_MODULE_LOAD_H

#include <stddef.h>

#ifndef GHCR_MODULEDIR
#define GHCR_MODULEDIR "/usr/local/lib/docker-credential-ghcr"
#endif

/* Struct sizes a stamp carries; unused entries are 0. */
#define MODULE_STAMP_SIZES 5

/*
 * What every module's exported table opens with, so that a loader can tell
 * a stale module before it reads any other field.  The sizes are compared
 * only once the ABI numbers are equal, and this struct never changes
 * shape, so that even a module of another era is read no further than its
 * first field.
 */
struct module_stamp {
	unsigned int abi;                  /* the interface's ABI number */
	size_t sizes[MODULE_STAMP_SIZES];  /* sizeof of each shared struct */
};

/* One module, as its loader describes it (a static const in the loader). */
struct module_spec {
	const char *file;   /* its file name in the module directory */
	const char *symbol; /* its table, which opens with a struct module_stamp */
	const char *name;   /* how a failure line names it ("check: module") */
	const char *hint;   /* ends every failure line ("; ..."), or "" */
	int dlopen_flags;   /* RTLD_NOW or RTLD_LAZY, with RTLD_LOCAL */
	int taints_stack;   /* its libraries hold secrets on the stack: call
			     * secmem_taint_stack() before loading it */
	struct module_stamp stamp; /* what the table must open with */
};

/*
 * Loads spec->file by the rule above and sets *table to its spec->symbol.
 * The module stays loaded for the life of the process.  GHCR_OK, or
 * GHCR_ERR_UNAVAILABLE with one line of detail (ghcr_error_detail()) and
 * *table NULL.
 */
int module_load(const struct module_spec *spec, const void **table);

#endif
