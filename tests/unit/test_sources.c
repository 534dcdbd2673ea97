/*
 * Credential resolution with the real file backend in a temporary
 * directory: stored beats ambient beats the GitHub CLI, and a GitHub token
 * only ever reaches an exact GitHub registry of its own server.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

	test_tmpdir_setup();
	test_scrub_env();
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
	struct credential c = { (char *)server, (char *)user, (char *)secret, 0 };

	ck_assert_int_eq(resolver_put(&res, &c), GHCR_OK);
}

static void
store_expiring(const char *server, const char *user, const char *secret,
	       time_t expires)
{
	struct credential c = { (char *)server, (char *)user, (char *)secret,
	    expires };

	ck_assert_int_eq(resolver_put(&res, &c), GHCR_OK);
}

/* What the backend itself holds for `server`, date included. */
static time_t
stored_expiry(const char *server, const char *secret)
{
	struct credential c;
	time_t when;

	ck_assert_int_eq(resolver_get(&res, server, &c), GHCR_OK);
	ck_assert_str_eq(c.secret, secret);
	when = c.expires;
	credential_clear(&c);
	return when;
}

static void
assert_answer(const char *server, const char *source, const char *user,
	      const char *secret)
{
	struct credential c;
	struct source_hit hit;
	int r = sources_get(&res, server, 0, &c, &hit);

	ck_assert_msg(r == GHCR_OK, "get %s: expected OK, got %d (%s)", server,
	    r, ghcr_error_message(r));
	ck_assert_msg(hit.source != NULL && strcmp(hit.source->id, source) == 0,
	    "get %s: expected source %s, got %s", server, source,
	    hit.source != NULL ? hit.source->id : "none");
	ck_assert_str_eq(c.server, server);
	ck_assert_str_eq(c.username, user);
	ck_assert_str_eq(c.secret, secret);
	credential_clear(&c);
}

static void
assert_not_found(const char *server)
{
	struct credential c;
	struct source_hit hit;
	int r = sources_get(&res, server, 0, &c, &hit);

	ck_assert_msg(r == GHCR_ERR_NOT_FOUND, "get %s: expected not found, got "
	    "%d with secret '%s'", server, r, r == GHCR_OK ? c.secret : "");
	ck_assert_ptr_null(c.secret);
	ck_assert_ptr_null(hit.source);
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
	assert_answer("ghcr.io", "stored", "stored-user", "ghp_stored");
	assert_answer("docker.pkg.github.com", "ambient", "actor", "ghs_ambient");
}
END_TEST

START_TEST(test_github_token_comes_before_gh_token)
{
	setenv("GH_TOKEN", "gho_second", 1);
	load();
	assert_answer("ghcr.io", "ambient", "x-access-token", "gho_second");
	setenv("GITHUB_TOKEN", "ghs_first", 1);
	assert_answer("ghcr.io", "ambient", "x-access-token", "ghs_first");
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
	assert_answer("ghcr.io", "gh-cli", "cli-user", "gho_from_cli");
	setenv("GH_TOKEN", "gho_env", 1);
	assert_answer("ghcr.io", "ambient", "x-access-token", "gho_env");
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
	assert_answer("containers.github.example.com", "ambient",
	    "x-access-token", "ghs_enterprise");
	assert_answer("docker.github.example.com", "ambient",
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
	assert_answer("ghcr.io", "stored", "u", "ghp_job");
}
END_TEST

/* (An expired stored login is the one exception, on purpose: see
 * test_list_still_names_an_expired_stored_login.) */
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
		struct source_hit hit;

		ck_assert_msg(sources_get(&res, key, 0, &c, &hit) == GHCR_OK,
		    "listed %s but get does not answer for it", key);
		ck_assert_str_eq(c.username, json_string_value(value));
		credential_clear(&c);
	}
	json_decref(listing);
}
END_TEST

START_TEST(test_ambient_answer_names_its_variable)
{
	struct credential c;
	struct source_hit hit;

	setenv("GH_TOKEN", "gho_env", 1);
	load();
	ck_assert_int_eq(sources_get(&res, "ghcr.io", 0, &c, &hit), GHCR_OK);
	ck_assert_str_eq(hit.source->detail_key, "variable");
	ck_assert_str_eq(hit.detail, "GH_TOKEN");
	credential_clear(&c);
}
END_TEST

START_TEST(test_who_answers_past_the_store_without_the_secret)
{
	struct credential c;
	struct source_hit hit;

	setenv("GITHUB_TOKEN", "ghs_ambient", 1);
	setenv("GITHUB_ACTOR", "actor", 1);
	load();
	store("ghcr.io", "stored-user", "ghp_stored");
	ck_assert_int_eq(sources_get(&res, "ghcr.io", SOURCES_SKIP_STORE |
	    SOURCES_NO_SECRET, &c, &hit), GHCR_OK);
	ck_assert_str_eq(hit.source->id, "ambient");
	ck_assert_str_eq(c.server, "ghcr.io");
	ck_assert_str_eq(c.username, "actor");
	ck_assert_msg(c.secret == NULL, "asked without the secret, got one");
	credential_clear(&c);
	/* The gate still holds on a walk that skips the store. */
	ck_assert_int_eq(sources_get(&res, "ghcr.io.evil.com", SOURCES_SKIP_STORE,
	    &c, &hit), GHCR_ERR_NOT_FOUND);
}
END_TEST

START_TEST(test_list_on_enterprise_names_each_server_once)
{
	json_t *listing = json_object();

	setenv("GITHUB_SERVER_URL", "https://github.example.com", 1);
	setenv("GITHUB_TOKEN", "ghs_enterprise", 1);
	write_gh_hosts();
	load();
	ck_assert_int_eq(sources_list(&res, listing), GHCR_OK);
	ck_assert_uint_eq(json_object_size(listing), 4);
	ck_assert_str_eq(json_string_value(json_object_get(listing,
	    "containers.github.example.com")), "x-access-token");
	ck_assert_str_eq(json_string_value(json_object_get(listing, "ghcr.io")),
	    "cli-user");
	json_decref(listing);
}
END_TEST

START_TEST(test_sources_are_found_by_their_status_id)
{
	static const char *const ids[] = { "stored", "ambient", "gh-cli" };

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		ck_assert_msg(sources_find(ids[i]) != NULL, "no source %s", ids[i]);
	ck_assert_ptr_null(sources_find("none"));
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

/* gh answers for the registries of every server it is logged in to, and
 * only its own: an ambient token stays with the configured server. */
START_TEST(test_gh_cli_answers_for_each_server_it_is_logged_in_to)
{
	char path[PATH_MAX];
	json_t *listing;

	write_gh_hosts();
	snprintf(path, sizeof(path), "%s/gh/hosts.yml", test_tmpdir);
	write_file(path,
	    "github.com:\n    oauth_token: gho_dotcom\n    user: a\n"
	    "github.example.com:\n    users:\n        b:\n"
	    "            oauth_token: ghp_ent\n    user: b\n"
	    "acme.ghe.com:\n    oauth_token: gho_acme\n    user: c\n");
	setenv("GITHUB_TOKEN", "ghs_ambient", 1);
	load();
	assert_answer("ghcr.io", "ambient", "x-access-token", "ghs_ambient");
	assert_answer("containers.github.example.com", "gh-cli", "b", "ghp_ent");
	assert_answer("docker.github.example.com", "gh-cli", "b", "ghp_ent");
	assert_answer("containers.acme.ghe.com", "gh-cli", "c", "gho_acme");
	assert_not_found("docker.acme.ghe.com");
	assert_not_found("containers.other.example.com");
	assert_not_found("containers.github.com");
	listing = json_object();
	ck_assert_int_eq(sources_list(&res, listing), GHCR_OK);
	ck_assert_str_eq(json_string_value(json_object_get(listing,
	    "containers.github.example.com")), "b");
	ck_assert_str_eq(json_string_value(json_object_get(listing,
	    "containers.acme.ghe.com")), "c");
	ck_assert_ptr_null(json_object_get(listing, "docker.acme.ghe.com"));
	json_decref(listing);
}
END_TEST

/* Without a bus, a keyring login is passed over with a reason, and the
 * walk goes on to "not found" rather than failing. */
START_TEST(test_gh_keyring_login_without_a_bus_is_skipped)
{
	char path[PATH_MAX];
	struct credential c;
	struct source_hit hit;

	write_gh_hosts();
	snprintf(path, sizeof(path), "%s/gh/hosts.yml", test_tmpdir);
	write_file(path, "github.com:\n    users:\n        a:\n    user: a\n");
	unsetenv("DBUS_SESSION_BUS_ADDRESS");
	snprintf(path, sizeof(path), "%s/run", test_tmpdir);
	setenv("XDG_RUNTIME_DIR", path, 1);
	load();
	ck_assert_int_eq(sources_get(&res, "ghcr.io", 0, &c, &hit), GHCR_ERR_NOT_FOUND);
	ck_assert_ptr_null(hit.source);
	ck_assert_msg(strstr(hit.skipped, "system keyring") != NULL &&
	    strstr(hit.skipped, "no D-Bus session bus") != NULL,
	    "expected the reason for skipping, got '%s'", hit.skipped);
	/* Who answers, without the secret (logout): the file's word. */
	ck_assert_int_eq(sources_get(&res, "ghcr.io", SOURCES_NO_SECRET, &c, &hit),
	    GHCR_OK);
	ck_assert_str_eq(hit.source->id, "gh-cli");
	ck_assert_str_eq(hit.detail, "keyring");
	ck_assert_str_eq(c.username, "a");
	ck_assert_ptr_null(c.secret);
	credential_clear(&c);
}
END_TEST

Suite *suite_sources(void);

/* A stored token whose date has passed does not answer: get says not
 * found (so a client pulls public images anonymously), the walk says why,
 * and the store still holds it. */
START_TEST(test_expired_stored_token_does_not_answer)
{
	struct credential c;
	struct source_hit hit;
	time_t past = time(NULL) - 3600;

	load();
	store_expiring("ghcr.io", "octocat", "ghp_expired", past);
	ck_assert_int_eq(sources_get(&res, "ghcr.io", 0, &c, &hit), GHCR_ERR_NOT_FOUND);
	ck_assert_ptr_null(c.secret);
	ck_assert_ptr_null(hit.source);
	ck_assert_msg(hit.stored_expired == past, "expected stored_expired %lld, "
	    "got %lld", (long long)past, (long long)hit.stored_expired);
	ck_assert_msg(stored_expiry("ghcr.io", "ghp_expired") == past,
	    "the expired login is no longer stored as it was");
}
END_TEST

/* Past an expired stored token, the next source answers, and the walk
 * still says the stored one expired. */
START_TEST(test_expired_stored_token_gives_way_to_the_ambient_token)
{
	struct credential c;
	struct source_hit hit;

	setenv("GITHUB_TOKEN", "ghs_ambient", 1);
	setenv("GITHUB_ACTOR", "actor", 1);
	load();
	store_expiring("ghcr.io", "octocat", "ghp_expired", time(NULL) - 10);
	ck_assert_int_eq(sources_get(&res, "ghcr.io", 0, &c, &hit), GHCR_OK);
	ck_assert_str_eq(hit.source->id, "ambient");
	ck_assert_str_eq(c.secret, "ghs_ambient");
	ck_assert_msg(c.expires == 0, "the ambient token got the stored one's date");
	ck_assert(hit.stored_expired != 0);
	credential_clear(&c);
}
END_TEST

/* A date still ahead: the stored token answers, with its date. */
START_TEST(test_stored_token_answers_until_its_expiry)
{
	struct credential c;
	struct source_hit hit;
	time_t ahead = time(NULL) + 3 * 86400;

	load();
	store_expiring("ghcr.io", "octocat", "ghp_valid", ahead);
	ck_assert_int_eq(sources_get(&res, "ghcr.io", 0, &c, &hit), GHCR_OK);
	ck_assert_str_eq(c.secret, "ghp_valid");
	ck_assert_msg(c.expires == ahead, "expected expires %lld, got %lld",
	    (long long)ahead, (long long)c.expires);
	ck_assert_msg(hit.stored_expired == 0, "a valid login read as expired");
	credential_clear(&c);
}
END_TEST

/* list keeps naming an expired stored login (nothing is hidden or
 * deleted); get then answers "not found", which Docker's GetAll takes as
 * "no credentials" for that registry. */
START_TEST(test_list_still_names_an_expired_stored_login)
{
	json_t *listing = json_object();

	load();
	store_expiring("ghcr.io", "octocat", "ghp_expired", time(NULL) - 10);
	ck_assert_int_eq(sources_list(&res, listing), GHCR_OK);
	ck_assert_str_eq(json_string_value(json_object_get(listing, "ghcr.io")),
	    "octocat");
	assert_not_found("ghcr.io");
	json_decref(listing);
}
END_TEST

/* check and login record a date only beside the very token they checked,
 * and a new store (docker login) clears it. */
START_TEST(test_expiry_is_recorded_beside_the_same_token_only)
{
	struct credential checked = { (char *)"ghcr.io", (char *)"octocat",
	    (char *)"ghp_checked", 0 };
	struct credential other = { (char *)"ghcr.io", (char *)"octocat",
	    (char *)"ghp_replaced", 0 };
	time_t when = time(NULL) + 40 * 86400;

	load();
	store("ghcr.io", "octocat", "ghp_checked");
	ck_assert_int_eq(resolver_note_expiry(&res, &checked, when), GHCR_OK);
	ck_assert_msg(stored_expiry("ghcr.io", "ghp_checked") == when,
	    "the checked token's expiry was not recorded");

	/* A login stored after the check is not overwritten. */
	store("ghcr.io", "octocat", "ghp_replaced");
	ck_assert_int_eq(resolver_note_expiry(&res, &checked, when + 1), GHCR_OK);
	ck_assert_msg(stored_expiry("ghcr.io", "ghp_replaced") == 0,
	    "a date for another token was recorded, or store kept the old date");
	ck_assert_int_eq(resolver_note_expiry(&res, &other, when), GHCR_OK);
	ck_assert(stored_expiry("ghcr.io", "ghp_replaced") == when);
	/* Nothing stored: nothing recorded, no error. */
	ck_assert_int_eq(resolver_note_expiry(&res, &(struct credential){
	    (char *)"docker.pkg.github.com", (char *)"u", (char *)"s", 0 }, when),
	    GHCR_OK);
}
END_TEST

/*
 * The race the file store's lock must close, made certain instead of
 * rare: defined here, this flock() is what the unit runner's file store
 * calls (a test-only interposition; the helper is unchanged).  When a
 * hook is armed, it runs once just before the next flock() reaches the
 * kernel, which is where the review widened the window with
 * `strace -e inject=flock:delay_enter=...`.
 */
static void (*before_next_flock)(void);

int
flock(int fd, int operation)
{
	void (*hook)(void) = before_next_flock;

	before_next_flock = NULL;
	if (hook != NULL)
		hook();
	return (int)syscall(SYS_flock, fd, operation);
}

static int login_meanwhile_ran;

/* `docker login` in another process: a real put through a resolver of its
 * own, taking and releasing the store's lock. */
static void
login_meanwhile(void)
{
	int status = -1;
	pid_t pid = fork();

	ck_assert_msg(pid >= 0, "fork failed");
	if (pid == 0) {
		struct resolver other;
		struct credential c = { (char *)"ghcr.io", (char *)"octocat",
		    (char *)"ghp_new_login", 0 };
		int r;

		resolver_init(&other, &settings);
		r = resolver_put(&other, &c);
		resolver_close(&other);
		_exit(r == GHCR_OK ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "the concurrent login failed (status %d)", status);
	login_meanwhile_ran = 1;
}

/* check learns a token's expiry and records it; a docker login lands
 * while it does (issue 20, point 5).  Reading outside the lock and
 * writing the checked login back would replace the new login with the
 * old token. */
START_TEST(test_a_login_landing_while_the_expiry_is_recorded_is_kept)
{
	struct credential checked = { (char *)"ghcr.io", (char *)"octocat",
	    (char *)"ghp_checked", 0 };
	struct credential now;
	time_t when = time(NULL) + 40 * 86400;

	load();
	store("ghcr.io", "octocat", "ghp_checked");
	before_next_flock = login_meanwhile;
	ck_assert_int_eq(resolver_note_expiry(&res, &checked, when), GHCR_OK);
	ck_assert_msg(login_meanwhile_ran, "the store took no lock: the "
	    "concurrent login never ran");
	ck_assert_int_eq(resolver_get(&res, "ghcr.io", &now), GHCR_OK);
	ck_assert_msg(strcmp(now.secret, "ghp_new_login") == 0,
	    "the login stored meanwhile was replaced by the checked token");
	ck_assert_msg(now.expires == 0, "the new login got the checked token's "
	    "date %lld", (long long)now.expires);
	credential_clear(&now);
}
END_TEST

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
	tcase_add_test(tc, test_ambient_answer_names_its_variable);
	tcase_add_test(tc, test_who_answers_past_the_store_without_the_secret);
	tcase_add_test(tc, test_list_on_enterprise_names_each_server_once);
	tcase_add_test(tc, test_sources_are_found_by_their_status_id);
	tcase_add_test(tc, test_unknown_backend_setting_is_refused);
	tcase_add_test(tc, test_config_file_sets_hosts_and_env_wins);
	tcase_add_test(tc, test_gh_cli_answers_for_each_server_it_is_logged_in_to);
	tcase_add_test(tc, test_gh_keyring_login_without_a_bus_is_skipped);
	tcase_add_test(tc, test_expired_stored_token_does_not_answer);
	tcase_add_test(tc, test_expired_stored_token_gives_way_to_the_ambient_token);
	tcase_add_test(tc, test_stored_token_answers_until_its_expiry);
	tcase_add_test(tc, test_list_still_names_an_expired_stored_login);
	tcase_add_test(tc, test_expiry_is_recorded_beside_the_same_token_only);
	tcase_add_test(tc, test_a_login_landing_while_the_expiry_is_recorded_is_kept);
	suite_add_tcase(s, tc);
	return s;
}
