/*
 * Helpers shared by the unit tests: a fresh private temporary directory per
 * test (checked fixture style) and environment scrubbing.
 */
#ifndef GHCR_TESTUTIL_H
#define GHCR_TESTUTIL_H

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A per-test temporary directory; tests run forked, so a static is fine. */
static char test_tmpdir[64] __attribute__((unused));

static void __attribute__((unused))
test_tmpdir_setup(void)
{
	snprintf(test_tmpdir, sizeof(test_tmpdir), "/tmp/ghcr-test-XXXXXX");
	ck_assert_msg(mkdtemp(test_tmpdir) != NULL, "mkdtemp failed");
}

static void __attribute__((unused))
test_tmpdir_teardown(void)
{
	char cmd[sizeof(test_tmpdir) + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", test_tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", test_tmpdir);
}

#endif
