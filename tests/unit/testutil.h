/*
 * Helpers shared by the unit tests: a fresh private temporary directory per
 * test (checked fixture style), reading a whole file, and environment
 * scrubbing.
 */
#ifndef GHCR_TESTUTIL_H
#define GHCR_TESTUTIL_H

#include <check.h>
#include <errno.h>
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

/* The whole of `path` in a malloc()ed buffer (one spare byte), *len its
 * size; fails the test when it cannot be read. */
static __attribute__((unused)) unsigned char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert(buf != NULL);
	ck_assert_int_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

#endif
