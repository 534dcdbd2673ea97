/*
 * A module from another build, for test_module_load.c: it exports the
 * table a loader looks up (STALE_CHECK: the check module's, else the
 * Secret Service module's) with a stamp one step off this build's
 * (STALE_ABI: the ABI number; else the size of struct credential, as if a
 * field had been added without bumping the number).  The Makefile builds
 * all four.  Its slots are empty: a loader must refuse it before it could
 * call one.  Designated initialisers override the stamp's one field, hence
 * -Wno-override-init for this file.
 */
#include "check_module.h"
#include "secretservice.h"

#ifdef STALE_CHECK
#define STALE_TABLE struct check_module
#define STALE_SYMBOL ghcr_check_module
#define STALE_STAMP CHECK_MODULE_STAMP
#define STALE_ABI_NUMBER CHECK_ABI
#else
#define STALE_TABLE struct secretservice_module
#define STALE_SYMBOL ghcr_secretservice_module
#define STALE_STAMP SECRETSERVICE_MODULE_STAMP
#define STALE_ABI_NUMBER SECRETSERVICE_ABI
#endif

extern const STALE_TABLE STALE_SYMBOL;

const STALE_TABLE STALE_SYMBOL = {
	.stamp = STALE_STAMP,
#ifdef STALE_ABI
	.stamp.abi = STALE_ABI_NUMBER - 1,
#else
	.stamp.sizes[1] = sizeof(struct credential) + sizeof(long),
#endif
};
