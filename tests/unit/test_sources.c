/*
 * Credential resolution with the real file backend in a temporary
 * directory: stored beats ambient beats the GitHub CLI, and a GitHub token
 * only ever reaches an exact GitHub registry of its own server.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "errors.h"
#include "secmem.h"
#include "settings.h"
#include "sources.h"
#include "testutil.h"

static struct settings settings;
static struct resolver res;

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f != NULL, "cannot write %s", path);
	fputs(text, f);
	fclose(f);
}

static void
setup(void)
{
	char path[PATH_MAX];
	static const char *const cleared[] = {
		"GITHUB_TOKEN", "GH_TOKEN", "GITHUB_ACTOR", "GITHUB_ACTIONS",
		"RUNNER_TEMP", "GITHUB_SERVER_URL", "GH_CONFIG_DIR",
		"DOCKER_CREDENTIAL_GHCR_STORE", "DOCKER_CREDENTIAL_GHCR_KEY_FILE",
		"DOCKER_CREDENTIAL_GHCR_PASSPHRASE_FILE", "DOCKER_CREDENTIAL_GHCR_HOSTS",
		"DOCKER_CREDENTIAL_GHCR_GH_CLI", "DOCKER_CREDENTIAL_GHCR_GITHUB_SERVER",
		"DOCKER_CREDENTIAL_GHCR_CONFIG",
	};

	test_tmpdir_setup();
	for (size_t i = 0; i < sizeof(cleared) / sizeof(cleared[0]); i++)
		unsetenv(cleared[i]);
	setenv("HOME", test_tmpdir, 1);
	snprintf(path, sizeof(path), "%s/config", test_tmpdir);
	setenv("XDG_CONFIG_HOME", path, 1);
	snprintf(path, sizeof(path), "%s/data", test_tmpdir);
	setenv("XDG_DATA_HOME", path, 1);
	setenv("DOCKER_CREDENTIAL_GHCR_BACKEND", "file", 1);
}

static void
teardown(void)
{
	resolver_close(&res);
	test_tmpdir_teardown();
}

static void
load(void)
{
	ck_assert_int_eq(settings_load(&settings), GHCR_OK);
	resolver_init(&res, &settings);
}

static void
store(const char *server, const char *user, const char *secret)
{
	struct credential c = { (char *)server, (char *)user, (char *)secret };

	ck_assert_int_eq(resolver_open_backend(&res), GHCR_OK);
	ck_assert_int_eq(res.backend->put(res.handle, &c), GHCR_OK);
}

static void
assert_answer(const char *server, enum source_kind kind, const char *user,
	      const char *secret)
{
	struct credential c;
	enum source_kind from;
	int r = sources_get(&res, server, &c, &from);

	ck_assert_msg(r == GHCR_OK, "get %s: expected OK, got %d (%s)", server,
	    r, ghcr_error_message(r));
	ck_assert_msg(from == kind, "get %s: expected source %s, got %s", server,
	    sources_kind_name(kind), sources_kind_name(from));
	ck_assert_str_eq(c.username, user);
	ck_assert_str_eq(c.secret, secret);
	credential_clear(&c);
}

static void
assert_not_found(const char *server)
{
	struct credential c;
	enum source_kind from;
	int r = sources_get(&res, server, &c, &from);

	ck_assert_msg(r == GHCR_ERR_NOT_FOUND, "get %s: expected not found, got "
	    "%d with secret '%s'", server, r, r == GHCR_OK ? c.secret : "");
	ck_assert_ptr_null(c.secret);
}

static void
write_gh_hosts(void)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/gh", test_tmpdir);
	mkdir(path, 0700);
	setenv("GH_CONFIG_DIR", path, 1);
	snprintf(path, sizeof(path), "%s/gh/hosts.yml", test_tmpdir);
	write_file(path, "github.com:\n    oauth_token: gho_from_cli\n    user: cli-user\n");
}

START_TEST(test_stored_credential_wins_over_ambient_token)
{
	setenv("GITHUB_TOKEN", "ghs_ambient", 1);
	setenv("GITHUB_ACTOR", "actor", 1);
	load();
	store("ghcr.io", "stored-user", "ghp_stored");
	assert_answer("ghcr.io", SOURCE_STORED, "stored-user", "ghp_stored");
	assert_answer("docker.pkg.github.com", SOURCE_AMBIENT, "actor", "ghs_ambient");
}
END_TEST

START_TEST(test_github_token_comes_before_gh_token)
{
	setenv("GH_TOKEN", "gho_second", 1);
	load();
	assert_answer("ghcr.io", SOURCE_AMBIENT, "x-access-token", "gho_second");
	setenv("GITHUB_TOKEN", "ghs_first", 1);
	assert_answer("ghcr.io", SOURCE_AMBIENT, "x-access-token", "ghs_first");
}
END_TEST

START_TEST(test_ambient_token_never_reaches_other_hosts)
{
	static const char *const others[] = {
		"ghcr.io.evil.com", "evilghcr.io", "ghcr.io:443", "ghcr.io.",
		"index.docker.io", "github.com", "127.0.0.1:5000",
	};

	setenv("GITHUB_TOKEN", "ghs_ambient", 1);
	write_gh_hosts();
	load();
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		assert_not_found(others[i]);
}
END_TEST

START_TEST(test_gh_cli_login_is_the_last_source)
{
	write_gh_hosts();
	load();
	assert_answer("ghcr.io", SOURCE_GH_CLI, "cli-user", "gho_from_cli");
	setenv("GH_TOKEN", "gho_env", 1);
	assert_answer("ghcr.io", SOURCE_AMBIENT, "x-access-token", "gho_env");
}
END_TEST

START_TEST(test_gh_cli_source_can_be_turned_off)
{
	write_gh_hosts();
	setenv("DOCKER_CREDENTIAL_GHCR_GH_CLI", "off", 1);
	load();
	assert_not_found("ghcr.io");
}
END_TEST

START_TEST(test_enterprise_token_stays_on_its_server)
{
	setenv("GITHUB_SERVER_URL", "https://github.example.com", 1);
	setenv("GITHUB_TOKEN", "ghs_enterprise", 1);
	load();
	assert_answer("containers.github.example.com", SOURCE_AMBIENT,
	    "x-access-token", "ghs_enterprise");
	assert_answer("docker.github.example.com", SOURCE_AMBIENT,
	    "x-access-token", "ghs_enterprise");
	/* A GHES token is no use on github.com and must not leak there. */
	assert_not_found("ghcr.io");
}
END_TEST

START_TEST(test_actions_store_is_job_scoped)
{
	char runner_temp[128], expected[PATH_MAX];
	struct stat st;

	snprintf(runner_temp, sizeof(runner_temp), "%s/runner-temp", test_tmpdir);
	mkdir(runner_temp, 0700);
	setenv("GITHUB_ACTIONS", "true", 1);
	setenv("RUNNER_TEMP", runner_temp, 1);
	unsetenv("DOCKER_CREDENTIAL_GHCR_BACKEND");
	load();
	ck_assert_int_eq(settings.job_scoped, 1);
	store("ghcr.io", "u", "ghp_job");
	snprintf(expected, sizeof(expected), "%s/docker-credential-ghcr/credentials",
	    runner_temp);
	ck_assert_msg(stat(expected, &st) == 0, "expected the store at %s", expected);
	snprintf(expected, sizeof(expected), "%s/data", test_tmpdir);
	ck_assert_msg(stat(expected, &st) != 0, "nothing may be written under HOME");
	assert_answer("ghcr.io", SOURCE_STORED, "u", "ghp_job");
}
END_TEST

START_TEST(test_list_names_every_server_get_answers_for)
{
	json_t *listing = json_object();
	const char *key;
	json_t *value;

	setenv("GITHUB_TOKEN", "ghs_ambient", 1);
	setenv("GITHUB_ACTOR", "actor", 1);
	load();
	store("127.0.0.1:5000", "local", "pw");
	store("ghcr.io", "stored-user", "ghp_stored");
	ck_assert_int_eq(sources_list(&res, listing), GHCR_OK);
	ck_assert_uint_eq(json_object_size(listing), 3);
	ck_assert_str_eq(json_string_value(json_object_get(listing, "ghcr.io")), "stored-user");
	ck_assert_str_eq(json_string_value(json_object_get(listing, "docker.pkg.github.com")), "actor");
	json_object_foreach(listing, key, value) {
		struct credential c;
		enum source_kind from;

		ck_assert_msg(sources_get(&res, key, &c, &from) == GHCR_OK,
		    "listed %s but get does not answer for it", key);
		ck_assert_str_eq(c.username, json_string_value(value));
		credential_clear(&c);
	}
	json_decref(listing);
}
END_TEST

START_TEST(test_unknown_backend_setting_is_refused)
{
	setenv("DOCKER_CREDENTIAL_GHCR_BACKEND", "pass", 1);
	ck_assert_int_eq(settings_load(&settings), GHCR_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(ghcr_error_message(GHCR_ERR_CONFIG), "pass"));
}
END_TEST

START_TEST(test_config_file_sets_hosts_and_env_wins)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/config", test_tmpdir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/config/docker-credential-ghcr", test_tmpdir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/config/docker-credential-ghcr/config", test_tmpdir);
	write_file(path, "# comment\nhosts = mirror.example.org\nbackend = secretservice\n"
	    "gh-cli = off\n");
	load();
	ck_assert_str_eq(settings.backend_setting, "file");
	ck_assert_int_eq(settings.gh_cli, 0);
	ck_assert_int_eq(settings.n_extra_hosts, 1);
	ck_assert_str_eq(settings.extra_hosts[0], "mirror.example.org");
	write_file(path, "colour = blue\n");
	ck_assert_int_eq(settings_load(&settings), GHCR_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(ghcr_error_message(GHCR_ERR_CONFIG), "colour"));
}
END_TEST

Suite *suite_sources(void);

Suite *
suite_sources(void)
{
	Suite *s = suite_create("sources");
	TCase *tc = tcase_create("precedence");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_stored_credential_wins_over_ambient_token);
	tcase_add_test(tc, test_github_token_comes_before_gh_token);
	tcase_add_test(tc, test_ambient_token_never_reaches_other_hosts);
	tcase_add_test(tc, test_gh_cli_login_is_the_last_source);
	tcase_add_test(tc, test_gh_cli_source_can_be_turned_off);
	tcase_add_test(tc, test_enterprise_token_stays_on_its_server);
	tcase_add_test(tc, test_actions_store_is_job_scoped);
	tcase_add_test(tc, test_list_names_every_server_get_answers_for);
	tcase_add_test(tc, test_unknown_backend_setting_is_refused);
	tcase_add_test(tc, test_config_file_sets_hosts_and_env_wins);
	suite_add_tcase(s, tc);
	return s;
}
