/*
 * Every file the helper reads, read the one safe way: the settings file,
 * gh's hosts.yml, Docker's config.json and the passphrase file.  A line
 * is never split (an overlong one fails the whole file, naming the line,
 * so nothing hidden in its tail takes effect), and a FIFO or a device at
 * the path is refused at once instead of hanging the helper (and Docker
 * waiting on it).  Each case goes through the reader's own interface, as
 * the commands use it.
 */
#include <check.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

#include "docker_config.h"
#include "errors.h"
#include "ghcli.h"
#include "secmem.h"
#include "settings.h"
#include "store.h"
#include "testutil.h"

#define PATHSZ (sizeof(test_tmpdir) + 32)

/* The bytes the settings reader reads a line in before 0c054a2's fix
 * split it (fgets() into PATH_MAX + 64). */
#define OLD_SPLIT (PATH_MAX + 64 - 1)

static char cfg_path[PATHSZ];
static struct timespec started;

static void
setup(void)
{
	static const char *const cleared[] = {
		"GITHUB_ACTIONS", "RUNNER_TEMP", "GITHUB_SERVER_URL",
		"DOCKER_CREDENTIAL_GHCR_BACKEND", "DOCKER_CREDENTIAL_GHCR_STORE",
		"DOCKER_CREDENTIAL_GHCR_KEY_FILE",
		"DOCKER_CREDENTIAL_GHCR_PASSPHRASE_FILE",
		"DOCKER_CREDENTIAL_GHCR_HOSTS", "DOCKER_CREDENTIAL_GHCR_GH_CLI",
		"DOCKER_CREDENTIAL_GHCR_GITHUB_SERVER", "XDG_DATA_HOME",
	};

	test_tmpdir_setup();
	for (size_t i = 0; i < sizeof(cleared) / sizeof(cleared[0]); i++)
		unsetenv(cleared[i]);
	setenv("HOME", test_tmpdir, 1);
	setenv("XDG_CONFIG_HOME", test_tmpdir, 1);
	snprintf(cfg_path, sizeof(cfg_path), "%s/settings", test_tmpdir);
	setenv("DOCKER_CREDENTIAL_GHCR_CONFIG", cfg_path, 1);
	setenv("GH_CONFIG_DIR", test_tmpdir, 1);
	ghcr_error_clear();
	clock_gettime(CLOCK_MONOTONIC, &started);
}

static void
teardown(void)
{
	test_tmpdir_teardown();
}

/* Whatever the path held, the reader answered at once. */
static void
assert_no_wait(const char *what)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ck_assert_msg(now.tv_sec - started.tv_sec < 3, "%s: took %lds", what,
	    (long)(now.tv_sec - started.tv_sec));
}

static void
write_file(const char *path, const char *text, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	ck_assert_msg(fd != -1, "cannot create %s: %s", path, strerror(errno));
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

/* A '#' comment of `n` bytes immediately followed by `then`; malloc()ed. */
static char *
long_comment(size_t n, const char *then)
{
	size_t tlen = strlen(then);
	char *text = malloc(n + tlen + 1);

	ck_assert(text != NULL);
	text[0] = '#';
	memset(text + 1, 'x', n - 1);
	memcpy(text + n, then, tlen + 1);
	return text;
}

static const char *
message(int r)
{
	return ghcr_error_message(r);
}

/* --- the settings file ---------------------------------------------------- */

START_TEST(test_setting_hidden_in_an_overlong_comment_never_takes_effect)
{
	static const char *const hidden[] = {
		"hosts = evil.example\n",
		"store = /tmp/evil-store\n",
		"key-file = /tmp/evil-key\n",
	};
	struct settings s;
	char where[PATHSZ + 8];
	int r;

	snprintf(where, sizeof(where), "%s:1:", cfg_path);
	for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++) {
		/* One comment line that ends in the setting, right where the
		 * old reader cut its buffer. */
		char *text = long_comment(OLD_SPLIT, hidden[i]);

		write_file(cfg_path, text, strlen(text), 0644);
		free(text);

		ghcr_error_clear();
		r = settings_load(&s);
		ck_assert_msg(r == GHCR_ERR_CONFIG, "%.*s: expected the file refused "
		    "(CONFIG), got %d; extra hosts %d, store %s",
		    (int)strcspn(hidden[i], "\n"), hidden[i], r,
		    s.n_extra_hosts, s.store_path);
		ck_assert_msg(strstr(message(r), where) != NULL &&
		    strstr(message(r), "line longer than") != NULL,
		    "the detail should name %s and say the line is too long, "
		    "got \"%s\"", where, message(r));
	}
}
END_TEST

START_TEST(test_a_line_of_the_limit_is_one_line)
{
	/* Exactly the limit (PATH_MAX + 64 bytes, the old buffer): still
	 * one comment, and the setting on the next line takes effect. */
	char *text = long_comment(PATH_MAX + 64, "\ngh-cli = off\n");
	struct settings s;
	int r;

	write_file(cfg_path, text, strlen(text), 0644);
	free(text);
	r = settings_load(&s);
	ck_assert_msg(r == GHCR_OK, "expected OK, got %d (%s)", r, message(r));
	ck_assert_int_eq(s.gh_cli, 0);
}
END_TEST

START_TEST(test_a_value_too_long_to_keep_is_refused_not_cut)
{
	char text[PATH_MAX + 32];
	struct settings s;
	int r;

	/* A path one byte longer than a path can be. */
	memcpy(text, "store = /", 9);
	memset(text + 9, 'a', PATH_MAX - 1);
	memcpy(text + 9 + PATH_MAX - 1, "\n", 2);
	write_file(cfg_path, text, strlen(text), 0644);
	r = settings_load(&s);
	ck_assert_msg(r == GHCR_ERR_CONFIG, "expected CONFIG, got %d (store "
	    "%.40s... of %zu bytes)", r, s.store_path,
	    r == GHCR_OK ? strlen(s.store_path) : 0);
	ck_assert_msg(strstr(message(r), ":1:") != NULL, "got \"%s\"", message(r));
}
END_TEST

START_TEST(test_nul_or_cr_inside_a_settings_line_is_refused)
{
	static const char with_nul[] = "gh-cli = on\0\nhosts = x.example\n";
	static const char with_cr[] = "# a note\rhosts = evil.example\n";
	struct settings s;
	int r;

	write_file(cfg_path, with_nul, sizeof(with_nul) - 1, 0644);
	r = settings_load(&s);
	ck_assert_msg(r == GHCR_ERR_CONFIG, "NUL: expected CONFIG, got %d", r);
	write_file(cfg_path, with_cr, sizeof(with_cr) - 1, 0644);
	r = settings_load(&s);
	ck_assert_msg(r == GHCR_ERR_CONFIG, "CR: expected CONFIG, got %d", r);
	ck_assert_msg(strstr(message(r), ":1:") != NULL, "got \"%s\"", message(r));
}
END_TEST

START_TEST(test_settings_fifo_or_device_is_refused_at_once)
{
	static const char *const devices[] = { "/dev/zero", "/dev/null" };
	struct settings s;
	int r;

	ck_assert_int_eq(mkfifo(cfg_path, 0600), 0);
	r = settings_load(&s);
	assert_no_wait("settings FIFO");
	ck_assert_msg(r == GHCR_ERR_CONFIG && strstr(message(r), "FIFO") != NULL,
	    "expected CONFIG saying FIFO, got %d (%s)", r, message(r));
	for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
		ck_assert_int_eq(unlink(cfg_path), 0);
		ck_assert_int_eq(symlink(devices[i], cfg_path), 0);
		r = settings_load(&s);
		assert_no_wait(devices[i]);
		ck_assert_msg(r == GHCR_ERR_CONFIG &&
		    strstr(message(r), "character device") != NULL,
		    "%s: expected CONFIG saying character device, got %d (%s)",
		    devices[i], r, message(r));
	}
}
END_TEST

/* --- gh's hosts.yml ------------------------------------------------------- */

START_TEST(test_hosts_yml_fifo_is_passed_over_at_once)
{
	char path[PATHSZ], servers[4][SERVER_MAX];
	struct ghcli_login login;
	int r;

	snprintf(path, sizeof(path), "%s/hosts.yml", test_tmpdir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	r = ghcli_login("github.com", 1, &login);
	assert_no_wait("hosts.yml FIFO");
	ck_assert_msg(r == GHCR_ERR_UNAVAILABLE && strstr(message(r), "FIFO") != NULL,
	    "expected UNAVAILABLE saying FIFO, got %d (%s)", r, message(r));
	ghcr_error_clear();
	ck_assert_int_eq(ghcli_servers(servers, 4), 0);
	ck_assert_ptr_null(ghcr_error_detail());
}
END_TEST

START_TEST(test_hosts_yml_with_an_overlong_line_is_not_used)
{
	char path[PATHSZ], *text;
	struct ghcli_login login = { 0 };
	int r;

	snprintf(path, sizeof(path), "%s/hosts.yml", test_tmpdir);
	text = long_comment(8192, "\ngithub.com:\n    user: octocat\n"
	    "    oauth_token: gho_hidden\n");
	write_file(path, text, strlen(text), 0600);
	free(text);
	r = ghcli_login("github.com", 1, &login);
	ck_assert_msg(r == GHCR_ERR_UNAVAILABLE, "expected UNAVAILABLE, got %d "
	    "(token %s)", r, login.token != NULL ? "found" : "none");
	ck_assert_msg(strstr(message(r), "hosts.yml:1: line longer than") != NULL,
	    "got \"%s\"", message(r));
	ghcli_login_clear(&login);
}
END_TEST

/* --- Docker's config.json ------------------------------------------------- */

START_TEST(test_config_json_fifo_is_refused_at_once)
{
	struct docker_config cfg;
	char path[PATHSZ];
	int r;

	snprintf(path, sizeof(path), "%s/config.json", test_tmpdir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	r = docker_config_load(path, &cfg);
	assert_no_wait("config.json FIFO");
	ck_assert_msg(r == GHCR_ERR_BAD_INPUT && strstr(message(r), "FIFO") != NULL,
	    "expected BAD_INPUT saying FIFO, got %d (%s)", r, message(r));
}
END_TEST

/* --- the passphrase file -------------------------------------------------- */

/* A put into a fresh passphrase store with the file `text`. */
static int
put_with_passphrase_file(const char *text, size_t len)
{
	const struct store_backend *fb = store_backend_find("file");
	char store[PATHSZ], pass[PATHSZ];
	struct store_location where = { 0 };
	struct credential c = { .server = (char *)"ghcr.io",
	    .username = (char *)"u", .secret = (char *)"s" };
	void *h = NULL;
	int r;

	snprintf(store, sizeof(store), "%s/store/credentials", test_tmpdir);
	snprintf(pass, sizeof(pass), "%s/passphrase", test_tmpdir);
	if (text != NULL)
		write_file(pass, text, len, 0600);
	where.store_path = store;
	where.passphrase_path = pass;
	ck_assert_int_eq(fb->open(&where, &h), GHCR_OK);
	r = fb->put(h, &c);
	fb->close(h);
	unlink(store);
	return r;
}

START_TEST(test_passphrase_file_of_two_lines_is_refused)
{
	static const char two[] = "correct horse\nbattery staple\n";
	int r = put_with_passphrase_file(two, sizeof(two) - 1);

	ck_assert_msg(r == GHCR_ERR_CONFIG, "expected CONFIG, got %d (%s)", r,
	    message(r));
	ck_assert_msg(strstr(message(r), "passphrase:2:") != NULL,
	    "the detail should name line 2, got \"%s\"", message(r));
	r = put_with_passphrase_file("one line\n\n", 10);
	ck_assert_msg(r == GHCR_ERR_CONFIG, "an empty second line: expected "
	    "CONFIG, got %d", r);
	r = put_with_passphrase_file("one line\r\n", 10);
	ck_assert_msg(r == GHCR_OK, "one line and CRLF: expected OK, got %d (%s)",
	    r, message(r));
	r = put_with_passphrase_file("no newline", 10);
	ck_assert_msg(r == GHCR_OK, "no newline: expected OK, got %d (%s)", r,
	    message(r));
}
END_TEST

START_TEST(test_passphrase_fifo_is_refused_at_once)
{
	char pass[PATHSZ];
	int r;

	snprintf(pass, sizeof(pass), "%s/passphrase", test_tmpdir);
	ck_assert_int_eq(mkfifo(pass, 0600), 0);
	r = put_with_passphrase_file(NULL, 0);
	assert_no_wait("passphrase FIFO");
	ck_assert_msg(r == GHCR_ERR_UNSAFE, "expected UNSAFE, got %d (%s)", r,
	    message(r));
}
END_TEST

Suite *suite_file_readers(void);

Suite *
suite_file_readers(void)
{
	Suite *s = suite_create("file_readers");
	TCase *tc;

	tc = tcase_create("settings file");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc,
	    test_setting_hidden_in_an_overlong_comment_never_takes_effect);
	tcase_add_test(tc, test_a_line_of_the_limit_is_one_line);
	tcase_add_test(tc, test_a_value_too_long_to_keep_is_refused_not_cut);
	tcase_add_test(tc, test_nul_or_cr_inside_a_settings_line_is_refused);
	tcase_add_test(tc, test_settings_fifo_or_device_is_refused_at_once);
	suite_add_tcase(s, tc);

	tc = tcase_create("gh hosts.yml");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_hosts_yml_fifo_is_passed_over_at_once);
	tcase_add_test(tc, test_hosts_yml_with_an_overlong_line_is_not_used);
	suite_add_tcase(s, tc);

	tc = tcase_create("docker config.json");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_config_json_fifo_is_refused_at_once);
	suite_add_tcase(s, tc);

	tc = tcase_create("passphrase file");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60); /* scrypt */
	tcase_add_test(tc, test_passphrase_file_of_two_lines_is_refused);
	tcase_add_test(tc, test_passphrase_fifo_is_refused_at_once);
	suite_add_tcase(s, tc);
	return s;
}
