/*
 * The backend choice and what the backends tell `status`, through
 * store.h: settings names checked against the table, the file store's
 * default paths (and the job-scoped ones), auto's choice inside a job, and
 * the file store's describe() (facts in use, unsafe files as problems).
 */
#include <check.h>
#include <sys/stat.h>

#include "errors.h"
#include "store.h"
#include "testutil.h"

#define PATHSZ (PATH_MAX + 128)

static void
setup(void)
{
	test_tmpdir_setup();
	test_scrub_env();
}

static void
teardown(void)
{
	test_tmpdir_teardown();
}

/* What describe() reported, as "key=value;" and "id|level|problem|fix;". */
struct seen {
	char facts[4 * PATHSZ];
	char problems[8 * PATHSZ];
};

static void
seen_fact(void *ctx, const char *key, const char *value)
{
	struct seen *s = ctx;
	size_t n = strlen(s->facts);

	snprintf(s->facts + n, sizeof(s->facts) - n, "%s=%s;", key,
	    value != NULL ? value : "(null)");
}

static void
seen_problem(void *ctx, const char *id, const char *level,
	     const char *problem, const char *fix)
{
	struct seen *s = ctx;
	size_t n = strlen(s->problems);

	snprintf(s->problems + n, sizeof(s->problems) - n, "%s|%s|%s|%s;", id,
	    level, problem, fix);
}

static void
touch(const char *path, mode_t mode)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fclose(f);
	ck_assert_int_eq(chmod(path, mode), 0);
}

START_TEST(test_setting_names_come_from_the_table)
{
	ck_assert_int_eq(store_setting_check("auto"), GHCR_OK);
	ck_assert_int_eq(store_setting_check("file"), GHCR_OK);
	ck_assert_int_eq(store_setting_check("secretservice"), GHCR_OK);
	ck_assert_int_eq(store_setting_check("keychain"), GHCR_ERR_CONFIG);
	ck_assert_msg(strstr(ghcr_error_message(GHCR_ERR_CONFIG), "'keychain'") != NULL,
	    "expected the detail to name the bad value, got: %s",
	    ghcr_error_message(GHCR_ERR_CONFIG));
	for (const struct store_backend *const *b = store_backends(); *b != NULL; b++)
		ck_assert_msg((*b)->title != NULL && (*b)->title[0] != '\0',
		    "backend %s has no title", (*b)->name);
}
END_TEST

START_TEST(test_file_store_default_paths_and_job_scoped_ones)
{
	char out[PATHSZ];
	const char *store, *key;

	ck_assert_int_eq(store_file_default_paths("/d", "/c", NULL, out,
	    sizeof(out), &store, &key), GHCR_OK);
	ck_assert_str_eq(store, "/d/docker-credential-ghcr/credentials");
	ck_assert_str_eq(key, "/c/docker-credential-ghcr/key");
	ck_assert_int_eq(store_file_default_paths("/d", "/c", "/runner/tmp", out,
	    sizeof(out), &store, &key), GHCR_OK);
	ck_assert_str_eq(store, "/runner/tmp/docker-credential-ghcr/credentials");
	ck_assert_str_eq(key, "/runner/tmp/docker-credential-ghcr/key");
	/* Too small for the first path, then for the second. */
	ck_assert_int_eq(store_file_default_paths("/d", "/c", NULL, out, 16,
	    &store, &key), GHCR_ERR_CONFIG);
	ck_assert_int_eq(store_file_default_paths("/d", "/c", NULL, out, 50,
	    &store, &key), GHCR_ERR_CONFIG);
}
END_TEST

START_TEST(test_auto_inside_a_job_opens_the_file_store_and_says_where)
{
	char out[PATHSZ];
	struct store_location where = { 0 };
	struct store_choice c;

	setenv("RUNNER_TEMP", test_tmpdir, 1);
	ck_assert_int_eq(store_file_default_paths("/d", "/c", test_tmpdir, out,
	    sizeof(out), &where.store_path, &where.key_path), GHCR_OK);
	ck_assert_int_eq(store_choose_open("auto", 1, &where, &c), GHCR_OK);
	ck_assert_ptr_eq(c.backend, store_backend_find("file"));
	ck_assert_ptr_nonnull(c.handle);
	ck_assert_msg(strstr(c.reason, "under RUNNER_TEMP") != NULL, "reason: %s", c.reason);
	c.backend->close(c.handle);

	where.store_path = "/elsewhere/credentials";
	ck_assert_int_eq(store_choose_open("auto", 1, &where, &c), GHCR_OK);
	ck_assert_msg(strstr(c.reason, "RUNNER_TEMP") == NULL,
	    "a store moved out of RUNNER_TEMP must not be said to be there: %s",
	    c.reason);
	c.backend->close(c.handle);
}
END_TEST

START_TEST(test_file_describe_reports_facts_in_use_and_unsafe_files)
{
	const struct store_backend *fb = store_backend_find("file");
	char store[PATHSZ], key[PATHSZ], fix[PATHSZ + 16];
	struct store_location where = { .store_path = store, .key_path = key };
	struct seen s = { "", "" };
	const struct store_report report = { seen_fact, seen_problem, &s };

	snprintf(store, sizeof(store), "%s/credentials", test_tmpdir);
	snprintf(key, sizeof(key), "%s/key", test_tmpdir);
	ck_assert_int_eq(chmod(test_tmpdir, 0700), 0);
	touch(store, 0600);
	touch(key, 0600);
	fb->describe(&where, 0, &report);
	ck_assert_str_eq(s.facts, "");
	ck_assert_str_eq(s.problems, "");

	fb->describe(&where, 1, &report);
	ck_assert_msg(strstr(s.facts, "store=") != NULL && strstr(s.facts, store) != NULL &&
	    strstr(s.facts, "key_file=") != NULL && strstr(s.facts, "passphrase_file=(null)") != NULL,
	    "facts: %s", s.facts);

	/* Not in use, a store left on disk is still checked. */
	ck_assert_int_eq(chmod(store, 0644), 0);
	fb->describe(&where, 0, &report);
	snprintf(fix, sizeof(fix), "|chmod 600 %s;", store);
	ck_assert_msg(strstr(s.problems, "store-permissions|error|") != NULL &&
	    strstr(s.problems, "can be read by others (mode 0644)") != NULL &&
	    strstr(s.problems, fix) != NULL, "problems: %s", s.problems);

	s.problems[0] = '\0';
	ck_assert_int_eq(unlink(key), 0);
	ck_assert_int_eq(symlink(store, key), 0);
	ck_assert_int_eq(chmod(store, 0600), 0);
	fb->describe(&where, 0, &report);
	ck_assert_msg(strstr(s.problems, "store-symlink|error|") != NULL &&
	    strstr(s.problems, "is a symlink") != NULL, "problems: %s", s.problems);
}
END_TEST

Suite *suite_store_choice(void);

Suite *
suite_store_choice(void)
{
	Suite *s = suite_create("store_choice");
	TCase *tc = tcase_create("choice");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_setting_names_come_from_the_table);
	tcase_add_test(tc, test_file_store_default_paths_and_job_scoped_ones);
	tcase_add_test(tc, test_auto_inside_a_job_opens_the_file_store_and_says_where);
	tcase_add_test(tc, test_file_describe_reports_facts_in_use_and_unsafe_files);
	suite_add_tcase(s, tc);
	return s;
}
