/*
 * Helpers shared by the unit tests: a fresh private temporary directory per
 * test (checked fixture style), reading a whole file, and environment
 * scrubbing (test_scrub_env(), the C twin of tests/lib.sh's t_scrub_env).
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

extern char **environ;

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

/*
 * Nothing of the person or runner running the tests reaches the code under
 * test: unsets every DOCKER_CREDENTIAL_GHCR_*, GITHUB_*, GH_*, XDG_*,
 * DBUS_*, DOCKER_*, RUNNER_* and CONTAINERS_* variable and
 * REGISTRY_AUTH_FILE, as t_scrub_env does for the shell suites, but keeps
 * DOCKER_CREDENTIAL_GHCR_MODULE_DIR (the modules under test).  A test sets
 * what it needs afterwards.  Tests run forked, so this stays in the test.
 */
static void __attribute__((unused))
test_scrub_env(void)
{
	static const char *const prefixes[] = {
		"DOCKER_CREDENTIAL_GHCR_", "GITHUB_", "GH_", "XDG_", "DBUS_",
		"DOCKER_", "RUNNER_", "CONTAINERS_", "REGISTRY_AUTH_FILE=",
	};
	static const char keep[] = "DOCKER_CREDENTIAL_GHCR_MODULE_DIR=";
	char name[256];
	int again = 1;

	/* unsetenv() reshuffles environ: start over after each one. */
	while (again) {
		again = 0;
		for (char **e = environ; *e != NULL && !again; e++) {
			size_t n = strcspn(*e, "=");

			if (strncmp(*e, keep, sizeof(keep) - 1) == 0 ||
			    n >= sizeof(name))
				continue;
			for (size_t i = 0; i < sizeof(prefixes) /
			    sizeof(prefixes[0]) && !again; i++) {
				if (strncmp(*e, prefixes[i],
				    strlen(prefixes[i])) != 0)
					continue;
				memcpy(name, *e, n);
				name[n] = '\0';
				ck_assert(unsetenv(name) == 0);
				again = 1;
			}
		}
	}
}

#endif
