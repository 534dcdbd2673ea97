/*
 * The one rule for loading a module (common/module_load.c), through the
 * two real loaders: a module from another build (another ABI number, or a
 * struct that changed size under the same number) is refused with one
 * line that names the file and the fix, and so is a module file others
 * could have written.  The stale modules are built by the Makefile from
 * tests/unit/stale_module.c into GHCR_TEST_STALE_DIR/<case>/.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check_module.h"
#include "errors.h"
#include "secretservice.h"
#include "store.h"
#include "testutil.h"

#ifndef GHCR_TEST_STALE_DIR
#error "the Makefile passes GHCR_TEST_STALE_DIR"
#endif

/* The detail is one line, and says each of `want` (NULL-terminated). */
static void
assert_one_line_saying(int r, const char *const *want)
{
	const char *detail = ghcr_error_detail();

	ck_assert_msg(r == GHCR_ERR_UNAVAILABLE, "expected UNAVAILABLE, got %d", r);
	ck_assert_msg(detail != NULL, "a refusal without a detail line");
	ck_assert_msg(strchr(detail, '\n') == NULL, "more than one line: %s", detail);
	for (; *want != NULL; want++)
		ck_assert_msg(strstr(detail, *want) != NULL,
		    "expected the line to say '%s', got: %s", *want, detail);
}

static int
check_with_modules_in(const char *dir)
{
	char arg0[] = "check", *argv[] = { arg0, NULL };

	setenv("DOCKER_CREDENTIAL_GHCR_MODULE_DIR", dir, 1);
	ghcr_error_clear();
	/* The module is refused before the resolver is looked at. */
	return cmd_check(1, argv, NULL);
}

static int
secretservice_with_modules_in(const char *dir)
{
	const struct store_backend *b = store_backend_find("secretservice");
	void *h = NULL;
	int r;

	ck_assert(b != NULL);
	setenv("DOCKER_CREDENTIAL_GHCR_MODULE_DIR", dir, 1);
	/* A bus address, so the loader gets as far as the module. */
	setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/ghcr-bus", 1);
	ghcr_error_clear();
	r = b->open(NULL, &h);
	ck_assert_msg(h == NULL, "a refused module gave a handle");
	return r;
}

#ifdef WITH_CURL
START_TEST(test_a_check_module_of_another_abi_is_refused_in_one_line)
{
	static const char *const want[] = { GHCR_TEST_STALE_DIR "/check-abi/"
	    CHECK_MODULE_FILE, "does not match this helper", "ABI", "reinstall",
	    NULL };

	assert_one_line_saying(check_with_modules_in(GHCR_TEST_STALE_DIR
	    "/check-abi"), want);
}
END_TEST

START_TEST(test_a_check_module_whose_structs_changed_size_is_refused)
{
	static const char *const want[] = { GHCR_TEST_STALE_DIR "/check-size/"
	    CHECK_MODULE_FILE, "does not match this helper", "struct sizes",
	    "reinstall", NULL };

	assert_one_line_saying(check_with_modules_in(GHCR_TEST_STALE_DIR
	    "/check-size"), want);
}
END_TEST
#endif

#ifdef WITH_SECRETSERVICE
START_TEST(test_a_secretservice_module_of_another_abi_is_refused_in_one_line)
{
	static const char *const want[] = { GHCR_TEST_STALE_DIR
	    "/secretservice-abi/" SECRETSERVICE_MODULE_FILE,
	    "does not match this helper", "ABI", "reinstall",
	    "DOCKER_CREDENTIAL_GHCR_BACKEND=file", NULL };

	assert_one_line_saying(secretservice_with_modules_in(GHCR_TEST_STALE_DIR
	    "/secretservice-abi"), want);
}
END_TEST

START_TEST(test_a_secretservice_module_whose_structs_changed_size_is_refused)
{
	static const char *const want[] = { GHCR_TEST_STALE_DIR
	    "/secretservice-size/" SECRETSERVICE_MODULE_FILE,
	    "does not match this helper", "struct sizes", "reinstall", NULL };

	assert_one_line_saying(secretservice_with_modules_in(GHCR_TEST_STALE_DIR
	    "/secretservice-size"), want);
}
END_TEST
#endif

#if defined(WITH_CURL) || defined(WITH_SECRETSERVICE)
/* Checked before the file is opened at all: an empty file will do. */
START_TEST(test_a_module_file_others_can_write_is_refused)
{
	static const char *const want[] = { "writable by others", "0666",
	    "chmod go-w", NULL };
	char path[sizeof(test_tmpdir) + 64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", test_tmpdir,
#ifdef WITH_CURL
	    CHECK_MODULE_FILE
#else
	    SECRETSERVICE_MODULE_FILE
#endif
	    );
	ck_assert((f = fopen(path, "w")) != NULL);
	fclose(f);
	ck_assert_int_eq(chmod(path, 0666), 0);
#ifdef WITH_CURL
	assert_one_line_saying(check_with_modules_in(test_tmpdir), want);
#else
	assert_one_line_saying(secretservice_with_modules_in(test_tmpdir), want);
#endif
}
END_TEST
#endif

Suite *suite_module_load(void);

Suite *
suite_module_load(void)
{
	Suite *s = suite_create("module_load");
	struct {
		const char *name;
		const TTest *test;
	} cases[] = {
#define T(fn) { #fn, fn }
#ifdef WITH_CURL
		T(test_a_check_module_of_another_abi_is_refused_in_one_line),
		T(test_a_check_module_whose_structs_changed_size_is_refused),
#endif
#ifdef WITH_SECRETSERVICE
		T(test_a_secretservice_module_of_another_abi_is_refused_in_one_line),
		T(test_a_secretservice_module_whose_structs_changed_size_is_refused),
#endif
#if defined(WITH_CURL) || defined(WITH_SECRETSERVICE)
		T(test_a_module_file_others_can_write_is_refused),
#endif
#undef T
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TCase *tc = tcase_create(cases[i].name + 5);

		tcase_add_checked_fixture(tc, test_tmpdir_setup, test_tmpdir_teardown);
		tcase_add_test(tc, cases[i].test);
		suite_add_tcase(s, tc);
	}
	return s;
}
