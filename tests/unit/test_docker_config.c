/*
 * Editing Docker's config.json (and containers' auth.json) on real files in
 * a fresh temporary directory per test: every other key kept in its order,
 * empty and missing files, invalid JSON refused and left byte-for-byte
 * untouched, read-only files, symlinks, modes, idempotence, finding
 * plaintext logins, and moving them into the real file store; the file
 * read as Docker's decoder reads it (duplicate keys, keys in any letter
 * case), parse errors that never quote the file, and a file another
 * program writes while it is being edited.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "commands.h"
#include "docker_config.h"
#include "migrate.h"
#include "errors.h"
#include "resolver.h"
#include "secmem.h"
#include "settings.h"
#include "sources.h"
#include "store.h"
#include "testutil.h"

#define PATHSZ (PATH_MAX + 64)

static char cfg_path[PATHSZ];

static const char github_hosts[2][SERVER_MAX] = { "ghcr.io", "docker.pkg.github.com" };

static void
setup(void)
{
	test_tmpdir_setup();
	snprintf(cfg_path, sizeof(cfg_path), "%s/config.json", test_tmpdir);
	ghcr_error_clear();
}

static void
teardown(void)
{
	test_tmpdir_teardown();
}

static void
write_text(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f != NULL, "cannot create %s: %s", path, strerror(errno));
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
}

/* The file's bytes, malloc()ed (empty string for an empty file). */
static char *
read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot read %s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	ck_assert(buf != NULL);
	ck_assert_int_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

static mode_t
mode_of(const char *path)
{
	struct stat st;

	ck_assert_msg(stat(path, &st) == 0, "stat %s: %s", path, strerror(errno));
	return st.st_mode & 07777;
}

/* load, add both GitHub credHelpers, save: the configure round trip. */
static void
configure_once(const char *path)
{
	struct docker_config cfg;
	char was[64];
	int r;

	r = docker_config_load(path, &cfg);
	ck_assert_msg(r == GHCR_OK, "load %s: expected success, got %d (%s)",
	    path, r, ghcr_error_message(r));
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(docker_config_set_helper(&cfg, github_hosts[i],
		    "ghcr", was), GHCR_OK);
	r = docker_config_save(&cfg);
	ck_assert_msg(r == GHCR_OK, "save: expected success, got %d (%s)", r,
	    ghcr_error_message(r));
	docker_config_free(&cfg);
}

static json_t *
load_json(const char *path)
{
	json_error_t err;
	json_t *j = json_load_file(path, 0, &err);

	ck_assert_msg(j != NULL, "%s is not valid JSON after the rewrite: %s",
	    path, err.text);
	return j;
}

static const char *const original_config =
	"{\n"
	"\t\"auths\": {\n"
	"\t\t\"quay.io\": {\"auth\": \"eDp5\"},\n"
	"\t\t\"https://index.docker.io/v1/\": {}\n"
	"\t},\n"
	"\t\"zzz-first-after-auths\": [1, 2.5, \"three\", null, true, {\"n\": {\"deep\": [[]]}}],\n"
	"\t\"psFormat\": \"table {{.ID}}\\t{{.Names}}\",\n"
	"\t\"proxies\": {\"default\": {\"httpProxy\": \"http://p:3128\", \"noProxy\": \"*.local\"}},\n"
	"\t\"credHelpers\": {\"gcr.io\": \"gcloud\"},\n"
	"\t\"unicode\": \"h\\u00e9llo \\u2603\",\n"
	"\t\"aaa-last\": {}\n"
	"}\n";

START_TEST(test_keeps_every_other_key_value_and_order)
{
	json_t *before, *after, *v;
	const char *key;
	const char *order[] = { "auths", "zzz-first-after-auths", "psFormat",
	    "proxies", "credHelpers", "unicode", "aaa-last" };
	size_t i = 0;

	write_text(cfg_path, original_config, 0600);
	before = load_json(cfg_path);
	configure_once(cfg_path);
	after = load_json(cfg_path);

	json_object_foreach(after, key, v) {
		ck_assert_msg(i < 7, "unexpected extra key '%s'", key);
		ck_assert_msg(strcmp(key, order[i]) == 0,
		    "key %zu: expected '%s', got '%s'", i, order[i], key);
		if (strcmp(key, "credHelpers") != 0)
			ck_assert_msg(json_equal(v, json_object_get(before, key)),
			    "the value of '%s' changed", key);
		i++;
	}
	ck_assert_msg(i == 7, "expected 7 keys, got %zu", i);
	v = json_object_get(after, "credHelpers");
	ck_assert_str_eq(json_string_value(json_object_get(v, "gcr.io")), "gcloud");
	ck_assert_str_eq(json_string_value(json_object_get(v, "ghcr.io")), "ghcr");
	ck_assert_str_eq(json_string_value(json_object_get(v,
	    "docker.pkg.github.com")), "ghcr");
	json_decref(before);
	json_decref(after);
}
END_TEST

START_TEST(test_written_with_tabs_like_docker)
{
	char *text;

	write_text(cfg_path, "{\"a\": {\"b\": 1}}", 0600);
	configure_once(cfg_path);
	text = read_text(cfg_path);
	ck_assert_msg(strstr(text, "\n\t\"a\": {\n\t\t\"b\": 1\n\t},") != NULL,
	    "expected Docker's tab indentation, got:\n%s", text);
	free(text);
}
END_TEST

START_TEST(test_empty_file_is_an_empty_config)
{
	static const char *const blanks[] = { "", "\n", "  \t\r\n" };
	json_t *j;

	write_text(cfg_path, blanks[_i], 0600);
	configure_once(cfg_path);
	j = load_json(cfg_path);
	ck_assert_msg(json_object_size(j) == 1, "expected only credHelpers, got "
	    "%zu keys", json_object_size(j));
	ck_assert_int_eq(json_object_size(json_object_get(j, "credHelpers")), 2);
	json_decref(j);
}
END_TEST

START_TEST(test_missing_file_and_directory_are_created_private)
{
	char dir[PATHSZ], path[PATHSZ + 16];
	json_t *j;

	snprintf(dir, sizeof(dir), "%s/home/.docker", test_tmpdir);
	snprintf(path, sizeof(path), "%s/config.json", dir);
	configure_once(path);
	ck_assert_msg(mode_of(dir) == 0700, "expected directory mode 0700, got %04o",
	    (unsigned)mode_of(dir));
	ck_assert_msg(mode_of(path) == 0600, "expected file mode 0600, got %04o",
	    (unsigned)mode_of(path));
	j = load_json(path);
	ck_assert_int_eq(json_object_size(json_object_get(j, "credHelpers")), 2);
	json_decref(j);
}
END_TEST

static const char *const invalid_documents[] = {
	"{\"auths\": {}",             /* truncated */
	"{\"a\": 1,}",                /* trailing comma */
	"{'a': 1}",                   /* not JSON quotes */
	"[\"an\", \"array\"]",        /* not an object */
	"\"just a string\"",
	"{\"a\": \"\xff\xfe\"}",      /* invalid UTF-8 */
	"{\"a\": 1} trailing",
};

START_TEST(test_invalid_json_is_refused_and_left_untouched)
{
	struct docker_config cfg;
	struct stat before, after;
	char *text;
	int r;

	write_text(cfg_path, invalid_documents[_i], 0644);
	ck_assert_int_eq(stat(cfg_path, &before), 0);
	r = docker_config_load(cfg_path, &cfg);
	ck_assert_msg(r == GHCR_ERR_BAD_INPUT, "'%s': expected GHCR_ERR_BAD_INPUT, "
	    "got %d", invalid_documents[_i], r);
	ck_assert_msg(ghcr_error_detail() != NULL &&
	    strstr(ghcr_error_detail(), cfg_path) != NULL &&
	    strstr(ghcr_error_detail(), "nothing was changed") != NULL,
	    "the error should name the file and say nothing changed, got '%s'",
	    ghcr_error_detail());
	ck_assert(cfg.root == NULL);
	text = read_text(cfg_path);
	ck_assert_msg(strcmp(text, invalid_documents[_i]) == 0,
	    "the file changed: expected '%s', got '%s'", invalid_documents[_i], text);
	free(text);
	ck_assert_int_eq(stat(cfg_path, &after), 0);
	ck_assert_msg(before.st_ino == after.st_ino && after.st_mode == before.st_mode,
	    "the file was replaced or its mode changed");
}
END_TEST

START_TEST(test_invalid_json_error_names_line_and_column)
{
	struct docker_config cfg;

	write_text(cfg_path, "{\n  \"a\": 1,\n  \"b\": oops\n}\n", 0600);
	ck_assert_int_eq(docker_config_load(cfg_path, &cfg), GHCR_ERR_BAD_INPUT);
	ck_assert_msg(strstr(ghcr_error_detail(), "config.json:3:") != NULL,
	    "expected 'config.json:3:' (the line), got '%s'", ghcr_error_detail());
}
END_TEST

START_TEST(test_cred_helpers_not_an_object_is_refused)
{
	struct docker_config cfg;
	char was[64];

	write_text(cfg_path, "{\"credHelpers\": [\"ghcr.io\"]}", 0600);
	ck_assert_int_eq(docker_config_load(cfg_path, &cfg), GHCR_OK);
	ck_assert_int_eq(docker_config_set_helper(&cfg, "ghcr.io", "ghcr", was),
	    GHCR_ERR_BAD_INPUT);
	docker_config_free(&cfg);
}
END_TEST

START_TEST(test_read_only_file_is_refused_and_left_untouched)
{
	struct docker_config cfg;
	char was[64], *text;

	write_text(cfg_path, "{\"keep\": true}", 0444);
	ck_assert_int_eq(docker_config_load(cfg_path, &cfg), GHCR_OK);
	ck_assert_int_eq(docker_config_set_helper(&cfg, "ghcr.io", "ghcr", was), GHCR_OK);
	ck_assert_msg(docker_config_check_writable(&cfg) == GHCR_ERR_SYSTEM,
	    "a read-only config must be reported before anything is done");
	ck_assert_msg(docker_config_save(&cfg) == GHCR_ERR_SYSTEM,
	    "saving a read-only config must fail");
	ck_assert_msg(strstr(ghcr_error_detail(), "read-only") != NULL &&
	    strstr(ghcr_error_detail(), "chmod u+w") != NULL,
	    "expected the fix (chmod u+w) in the detail, got '%s'", ghcr_error_detail());
	docker_config_free(&cfg);
	text = read_text(cfg_path);
	ck_assert_str_eq(text, "{\"keep\": true}");
	free(text);
	ck_assert_int_eq(mode_of(cfg_path), 0444);
}
END_TEST

START_TEST(test_mode_is_kept)
{
	write_text(cfg_path, "{}", 0640);
	configure_once(cfg_path);
	ck_assert_msg(mode_of(cfg_path) == 0640, "expected mode 0640 kept, got %04o",
	    (unsigned)mode_of(cfg_path));
}
END_TEST

START_TEST(test_symlinked_config_is_edited_at_its_target)
{
	char dotfiles[PATHSZ], target[PATHSZ + 16], link[PATHSZ];
	struct stat st;
	json_t *j;

	snprintf(dotfiles, sizeof(dotfiles), "%s/dotfiles", test_tmpdir);
	ck_assert_int_eq(mkdir(dotfiles, 0700), 0);
	snprintf(target, sizeof(target), "%s/docker.json", dotfiles);
	write_text(target, "{\"mine\": 1}", 0600);
	/* A relative link, as dotfile managers make them. */
	ck_assert_int_eq(symlink(_i == 0 ? "dotfiles/docker.json" : target, cfg_path), 0);
	snprintf(link, sizeof(link), "%s", cfg_path);

	configure_once(link);
	ck_assert_int_eq(lstat(link, &st), 0);
	ck_assert_msg(S_ISLNK(st.st_mode), "the link was replaced by a file");
	j = load_json(target);
	ck_assert_msg(json_integer_value(json_object_get(j, "mine")) == 1 &&
	    json_object_get(j, "credHelpers") != NULL,
	    "the target should keep 'mine' and gain credHelpers");
	json_decref(j);
}
END_TEST

START_TEST(test_second_run_changes_nothing)
{
	struct docker_config cfg;
	char was[64], *first, *second;

	write_text(cfg_path, original_config, 0600);
	configure_once(cfg_path);
	first = read_text(cfg_path);
	ck_assert_int_eq(docker_config_load(cfg_path, &cfg), GHCR_OK);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(docker_config_set_helper(&cfg, github_hosts[i],
		    "ghcr", was), GHCR_OK);
		ck_assert_msg(was[0] == '\0', "nothing should be replaced, got '%s'", was);
	}
	ck_assert_msg(!cfg.changed, "setting the same helpers again must not "
	    "count as a change");
	docker_config_free(&cfg);
	configure_once(cfg_path);
	second = read_text(cfg_path);
	ck_assert_msg(strcmp(first, second) == 0, "the second run changed the "
	    "file:\n%s\n---\n%s", first, second);
	free(first);
	free(second);
}
END_TEST

START_TEST(test_other_helper_is_replaced_and_reported)
{
	struct docker_config cfg;
	char was[64];

	write_text(cfg_path, "{\"credHelpers\": {\"ghcr.io\": \"secretservice\"}}", 0600);
	ck_assert_int_eq(docker_config_load(cfg_path, &cfg), GHCR_OK);
	ck_assert_int_eq(docker_config_set_helper(&cfg, "ghcr.io", "ghcr", was), GHCR_OK);
	ck_assert_str_eq(was, "secretservice");
	ck_assert_str_eq(docker_config_helper_for(&cfg, "ghcr.io"), "ghcr");
	docker_config_free(&cfg);
}
END_TEST

/* --- plaintext logins ---------------------------------------------------- */

static const char *const auths_config =
	"{\"auths\": {\n"
	/* "octocat:ghp_AAAAbbbbCCCCddddEEEEffffGGGGhhhh1234" */
	"  \"https://ghcr.io\": {\"auth\": \"b2N0b2NhdDpnaHBfQUFBQWJiYmJDQ0NDZGRkZEVFRUVmZmZmR0dHR2hoaGgxMjM0\"},\n"
	"  \"ghcr.io/some-owner\": {\"auth\": \"eDp5\"},\n"
	"  \"quay.io\": {\"auth\": \"eDp5\"},\n"
	"  \"ghcr.io\": {\"auth\": \"b2N0b2NhdDpnaHBfQUFBQWJiYmJDQ0NDZGRkZEVFRUVmZmZmR0dHR2hoaGgxMjM0\", \"email\": \"x\"},\n"
	"  \"docker.pkg.github.com\": {\"identitytoken\": \"idtok-123\", \"auth\": \"dTo=\"},\n"
	"  \"containers.example.com\": {\"username\": \"u\", \"password\": \"p\"}\n"
	"},\n"
	"\"other\": 1}\n";

START_TEST(test_finds_plaintext_logins_for_the_hosts_only)
{
	struct docker_config cfg;
	struct plaintext_login *l = NULL;
	int n = 0;

	write_text(cfg_path, auths_config, 0600);
	ck_assert_int_eq(docker_config_load(cfg_path, &cfg), GHCR_OK);
	ck_assert_int_eq(docker_config_logins(&cfg, github_hosts, 2, &l, &n), GHCR_OK);
	ck_assert_msg(n == 3, "expected 3 GitHub logins (ghcr.io, "
	    "https://ghcr.io, docker.pkg.github.com), got %d", n);
	/* Exact host keys first, as Docker's own lookup prefers them. */
	ck_assert_str_eq(l[0].key, "ghcr.io");
	ck_assert_str_eq(l[1].key, "docker.pkg.github.com");
	ck_assert_str_eq(l[2].key, "https://ghcr.io");
	ck_assert_str_eq(l[0].cred.server, "ghcr.io");
	ck_assert_str_eq(l[0].cred.username, "octocat");
	ck_assert_str_eq(l[0].cred.secret, "ghp_AAAAbbbbCCCCddddEEEEffffGGGGhhhh1234");
	ck_assert_str_eq(l[2].cred.server, "ghcr.io");
	/* An identity token wins, under Docker's "<token>" name. */
	ck_assert_str_eq(l[1].cred.username, "<token>");
	ck_assert_str_eq(l[1].cred.secret, "idtok-123");
	docker_config_logins_free(l, n);
	docker_config_free(&cfg);
}
END_TEST

START_TEST(test_username_password_entries_and_empty_markers)
{
	static const char hosts[2][SERVER_MAX] = { "containers.example.com", "docker.io" };
	struct docker_config cfg;
	struct plaintext_login *l = NULL;
	int n = 0;

	write_text(cfg_path, "{\"auths\": {\"containers.example.com\": "
	    "{\"username\": \"u\", \"password\": \"p\"}, \"docker.io\": {}}}", 0600);
	ck_assert_int_eq(docker_config_load(cfg_path, &cfg), GHCR_OK);
	ck_assert_int_eq(docker_config_logins(&cfg, hosts, 2, &l, &n), GHCR_OK);
	ck_assert_msg(n == 1, "Docker's {} marker is no login: expected 1, got %d", n);
	ck_assert_str_eq(l[0].cred.username, "u");
	ck_assert_str_eq(l[0].cred.secret, "p");
	docker_config_logins_free(l, n);
	docker_config_free(&cfg);
}
END_TEST

START_TEST(test_unreadable_login_is_reported_not_dropped)
{
	struct docker_config cfg;
	struct plaintext_login *l = NULL;
	int n = 0;

	write_text(cfg_path, "{\"auths\": {\"ghcr.io\": {\"auth\": \"!!notbase64\"}, "
	    "\"docker.pkg.github.com\": {\"auth\": \"bm9jb2xvbg==\"}}}", 0600);
	ck_assert_int_eq(docker_config_load(cfg_path, &cfg), GHCR_OK);
	ck_assert_int_eq(docker_config_logins(&cfg, github_hosts, 2, &l, &n), GHCR_OK);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(l[0].outcome, LOGIN_UNREADABLE);
	ck_assert_msg(strstr(l[0].why, "base64") != NULL, "got why '%s'", l[0].why);
	ck_assert_int_eq(l[1].outcome, LOGIN_UNREADABLE);
	ck_assert_msg(strstr(l[1].why, "user:token") != NULL, "got why '%s'", l[1].why);
	ck_assert_int_eq(migrate_logins(&cfg, l, n, NULL, 0, NULL), GHCR_OK);
	ck_assert_msg(!cfg.changed, "an unreadable login must stay in the file");
	docker_config_logins_free(l, n);
	docker_config_free(&cfg);
}
END_TEST

static const struct store_backend *
open_file_store(void **h)
{
	const struct store_backend *fb = store_backend_find("file");
	char store[PATHSZ + 16], key[PATHSZ + 16];
	struct store_location where = { 0 };
	int r;

	ck_assert_msg(fb != NULL, "expected a backend named \"file\"");
	snprintf(store, sizeof(store), "%s/data/credentials", test_tmpdir);
	snprintf(key, sizeof(key), "%s/config/key", test_tmpdir);
	where.store_path = store;
	where.key_path = key;
	r = fb->open(&where, h);
	ck_assert_msg(r == GHCR_OK, "opening the file store: %s", ghcr_error_message(r));
	return fb;
}

START_TEST(test_migration_moves_logins_into_the_real_store)
{
	const struct store_backend *fb;
	struct docker_config cfg;
	struct plaintext_login *l = NULL;
	struct credential got = { 0 };
	json_t *j, *auths;
	void *h = NULL;
	int n = 0;

	write_text(cfg_path, auths_config, 0600);
	fb = open_file_store(&h);
	ck_assert_int_eq(docker_config_load(cfg_path, &cfg), GHCR_OK);
	ck_assert_int_eq(docker_config_logins(&cfg, github_hosts, 2, &l, &n), GHCR_OK);
	ck_assert_int_eq(migrate_logins(&cfg, l, n,
	    &(struct resolver){ .backend = fb, .handle = h }, 0, NULL), GHCR_OK);
	ck_assert_int_eq(l[0].outcome, LOGIN_MOVED);
	ck_assert_int_eq(l[1].outcome, LOGIN_MOVED);
	ck_assert_msg(l[2].outcome == LOGIN_DUPLICATE, "the identical "
	    "https://ghcr.io login should be removed as a duplicate, got %d",
	    l[2].outcome);
	ck_assert_int_eq(docker_config_save(&cfg), GHCR_OK);

	ck_assert_int_eq(fb->get(h, "ghcr.io", &got), GHCR_OK);
	ck_assert_str_eq(got.username, "octocat");
	ck_assert_str_eq(got.secret, "ghp_AAAAbbbbCCCCddddEEEEffffGGGGhhhh1234");
	credential_clear(&got);
	ck_assert_int_eq(fb->get(h, "docker.pkg.github.com", &got), GHCR_OK);
	ck_assert_str_eq(got.username, "<token>");
	ck_assert_str_eq(got.secret, "idtok-123");
	credential_clear(&got);

	j = load_json(cfg_path);
	auths = json_object_get(j, "auths");
	ck_assert_msg(json_object_get(auths, "ghcr.io") == NULL &&
	    json_object_get(auths, "https://ghcr.io") == NULL &&
	    json_object_get(auths, "docker.pkg.github.com") == NULL,
	    "the moved plaintext logins must be gone from the file");
	ck_assert_msg(json_object_get(auths, "quay.io") != NULL &&
	    json_object_get(auths, "ghcr.io/some-owner") != NULL &&
	    json_object_get(auths, "containers.example.com") != NULL &&
	    json_integer_value(json_object_get(j, "other")) == 1,
	    "logins for other registries and repositories must stay");
	json_decref(j);
	docker_config_logins_free(l, n);
	docker_config_free(&cfg);
	fb->close(h);
}
END_TEST

START_TEST(test_migration_keeps_a_conflicting_second_login)
{
	const struct store_backend *fb;
	struct docker_config cfg;
	struct plaintext_login *l = NULL;
	void *h = NULL;
	int n = 0;

	/* "a:ghp_one" under ghcr.io, "b:ghp_two" under https://ghcr.io/ */
	write_text(cfg_path, "{\"auths\": {\"https://ghcr.io/\": {\"auth\": \"YjpnaHBfdHdv\"}, "
	    "\"ghcr.io\": {\"auth\": \"YTpnaHBfb25l\"}}}", 0600);
	fb = open_file_store(&h);
	ck_assert_int_eq(docker_config_load(cfg_path, &cfg), GHCR_OK);
	ck_assert_int_eq(docker_config_logins(&cfg, github_hosts, 2, &l, &n), GHCR_OK);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(migrate_logins(&cfg, l, n,
	    &(struct resolver){ .backend = fb, .handle = h }, 0, NULL), GHCR_OK);
	ck_assert_str_eq(l[0].key, "ghcr.io");
	ck_assert_int_eq(l[0].outcome, LOGIN_MOVED);
	ck_assert_msg(l[1].outcome == LOGIN_CONFLICT, "a different login for the "
	    "same host must be kept, got outcome %d", l[1].outcome);
	ck_assert(json_object_get(json_object_get(cfg.root, "auths"), "https://ghcr.io/") != NULL);
	docker_config_logins_free(l, n);
	docker_config_free(&cfg);
	fb->close(h);
}
END_TEST

START_TEST(test_dry_run_migration_changes_nothing)
{
	struct docker_config cfg;
	struct plaintext_login *l = NULL;
	int n = 0;

	write_text(cfg_path, auths_config, 0600);
	ck_assert_int_eq(docker_config_load(cfg_path, &cfg), GHCR_OK);
	ck_assert_int_eq(docker_config_logins(&cfg, github_hosts, 2, &l, &n), GHCR_OK);
	/* No store at all: a dry run must not touch one. */
	ck_assert_int_eq(migrate_logins(&cfg, l, n, NULL, 1, NULL), GHCR_OK);
	ck_assert_int_eq(l[0].outcome, LOGIN_FOUND);
	ck_assert_msg(!cfg.changed, "a dry run must not change the document");
	docker_config_logins_free(l, n);
	docker_config_free(&cfg);
}
END_TEST

/* A store that refuses every write: the one failure a real backend cannot
 * be made to produce on demand when the tests run as root. */
static int
refuse_put(void *h, const struct credential *c)
{
	(void)h, (void)c;
	return ghcr_fail(GHCR_ERR_UNAVAILABLE, "test store refuses writes");
}

START_TEST(test_login_stays_when_the_store_refuses_it)
{
	struct store_backend refusing = { .name = "refusing", .put = refuse_put };
	struct docker_config cfg;
	struct plaintext_login *l = NULL;
	int n = 0;

	write_text(cfg_path, auths_config, 0600);
	ck_assert_int_eq(docker_config_load(cfg_path, &cfg), GHCR_OK);
	ck_assert_int_eq(docker_config_logins(&cfg, github_hosts, 2, &l, &n), GHCR_OK);
	ck_assert_int_eq(migrate_logins(&cfg, l, n,
	    &(struct resolver){ .backend = &refusing, .handle = &refusing }, 0, NULL), GHCR_OK);
	for (int i = 0; i < n; i++)
		ck_assert_msg(l[i].outcome == LOGIN_FAILED, "login %d: expected "
		    "LOGIN_FAILED, got %d", i, l[i].outcome);
	ck_assert_msg(strstr(l[0].why, "refuses") != NULL, "got why '%s'", l[0].why);
	ck_assert_msg(!cfg.changed, "nothing may leave the file when the store "
	    "did not take it");
	docker_config_logins_free(l, n);
	docker_config_free(&cfg);
}
END_TEST

/* --- base64 and paths ---------------------------------------------------- */

static const struct {
	const char *in, *out;
} base64_cases[] = {
	{ "b2N0b2NhdDpnaHBfeA==", "octocat:ghp_x" },
	{ "b2N0b2NhdDpnaHBfeA", "octocat:ghp_x" }, /* padding optional */
	{ "eDp5", "x:y" },
	{ "", "" },
	{ "YQ==", "a" },
	{ "YWI=", "ab" },
	{ "Pz8/", "???" },
	{ "+/+/", "\xfb\xff\xbf" },
};

START_TEST(test_base64_decodes)
{
	char *out = NULL;
	size_t len = 0;

	ck_assert_int_eq(docker_config_base64_decode(base64_cases[_i].in, &out, &len), GHCR_OK);
	ck_assert_msg(len == strlen(base64_cases[_i].out) &&
	    memcmp(out, base64_cases[_i].out, len) == 0,
	    "'%s': expected '%s', got '%s'", base64_cases[_i].in,
	    base64_cases[_i].out, out);
	secmem_free(out);
}
END_TEST

static const char *const bad_base64[] = { "e", "eDp5e", "a=b=", "eD p5", "eDp5!", "YQ===" };

START_TEST(test_base64_refuses_garbage)
{
	char *out = NULL;
	size_t len;

	ck_assert_msg(docker_config_base64_decode(bad_base64[_i], &out, &len) ==
	    GHCR_ERR_BAD_INPUT, "'%s' should be refused", bad_base64[_i]);
	ck_assert(out == NULL);
}
END_TEST

START_TEST(test_default_path_honours_docker_config)
{
	char path[PATH_MAX];

	setenv("DOCKER_CONFIG", "/somewhere/docker", 1);
	ck_assert_int_eq(docker_config_default_path(path), GHCR_OK);
	ck_assert_str_eq(path, "/somewhere/docker/config.json");
	unsetenv("DOCKER_CONFIG");
	setenv("HOME", "/home/octocat", 1);
	ck_assert_int_eq(docker_config_default_path(path), GHCR_OK);
	ck_assert_str_eq(path, "/home/octocat/.docker/config.json");
}
END_TEST

START_TEST(test_containers_auth_paths)
{
	char paths[2][PATH_MAX], runtime[PATHSZ], file[PATHSZ + 32];
	int n;

	setenv("REGISTRY_AUTH_FILE", "/x/auth.json", 1);
	ck_assert_int_eq(containers_auth_paths(paths, &n), GHCR_OK);
	ck_assert_msg(n == 1 && strcmp(paths[0], "/x/auth.json") == 0,
	    "REGISTRY_AUTH_FILE alone is used: got %d paths, first '%s'", n, paths[0]);
	unsetenv("REGISTRY_AUTH_FILE");

	snprintf(runtime, sizeof(runtime), "%s/run", test_tmpdir);
	setenv("XDG_RUNTIME_DIR", runtime, 1);
	setenv("XDG_CONFIG_HOME", "/cfg", 1);
	ck_assert_int_eq(containers_auth_paths(paths, &n), GHCR_OK);
	ck_assert_msg(n == 1 && strcmp(paths[0], "/cfg/containers/auth.json") == 0,
	    "without a runtime auth.json only the persistent one: got %d, '%s'",
	    n, paths[0]);

	snprintf(file, sizeof(file), "%s/containers", runtime);
	ck_assert_int_eq(mkdir(runtime, 0700), 0);
	ck_assert_int_eq(mkdir(file, 0700), 0);
	snprintf(file, sizeof(file), "%s/containers/auth.json", runtime);
	write_text(file, "{}", 0600);
	ck_assert_int_eq(containers_auth_paths(paths, &n), GHCR_OK);
	ck_assert_msg(n == 2 && strcmp(paths[0], file) == 0 &&
	    strcmp(paths[1], "/cfg/containers/auth.json") == 0,
	    "expected podman login's runtime file, then the persistent one; got "
	    "%d: '%s'", n, paths[0]);
}
END_TEST

/* --- read as Docker reads it ---------------------------------------------- */

/* Each document breaks right at a secret; the message may not quote it. */
static const char *const secret_breaking_documents[] = {
	"{\"auths\": {\"ghcr.io\": {\"password\" \"S3cr3t-Pa55w0rd!\"}}}",
	"{\"auths\": {\"ghcr.io\": {\"password\": S3cr3t-Pa55w0rd!}}}",
	"{\"auths\": {\"ghcr.io\": {\"password\": \"S3cr3t-Pa55w0rd!",
	"{\"auths\": {\"ghcr.io\": {\"password\": \"S3cr3t-Pa55w0rd!\\q\"}}}",
	"{\"auths\": {}} S3cr3t-Pa55w0rd!",
	"{\"S3cr3t-Pa55w0rd!\": 1, \"S3cr3t-Pa55w0rd!\": 2}",
	"{\"auths\": {\"ghcr.io\": {\"password\": \"S3cr3t-Pa55w0rd!\", \"password\": \"x\"}}}",
};

START_TEST(test_parse_error_names_file_line_and_column_but_never_quotes_the_text)
{
	struct docker_config cfg;
	const char *detail;
	char where[PATHSZ + 8];

	write_text(cfg_path, secret_breaking_documents[_i], 0600);
	ck_assert_int_eq(docker_config_load(cfg_path, &cfg), GHCR_ERR_BAD_INPUT);
	detail = ghcr_error_detail();
	ck_assert(detail != NULL);
	snprintf(where, sizeof(where), "%s:1:", cfg_path);
	ck_assert_msg(strstr(detail, where) != NULL, "expected the file and line "
	    "'%s', got '%s'", where, detail);
	ck_assert_msg(strstr(detail, "S3cr3t") == NULL && strstr(detail, "Pa55") == NULL,
	    "document %d: the message quotes the file: '%s'", _i, detail);
}
END_TEST

static void
assert_refused_untouched(const char *text, const char *expect)
{
	struct docker_config cfg;
	char *after;
	int r;

	write_text(cfg_path, text, 0600);
	r = docker_config_load(cfg_path, &cfg);
	ck_assert_msg(r == GHCR_ERR_BAD_INPUT, "expected the file to be refused, "
	    "got %d", r);
	ck_assert_msg(strstr(ghcr_error_detail(), expect) != NULL &&
	    strstr(ghcr_error_detail(), "nothing was changed") != NULL,
	    "expected '%s' and 'nothing was changed', got '%s'", expect,
	    ghcr_error_detail());
	after = read_text(cfg_path);
	ck_assert_msg(strcmp(after, text) == 0, "the refused file changed");
	free(after);
}

START_TEST(test_auths_written_twice_is_refused_not_half_read)
{
	/* Docker merges the two; jansson would keep only the second, and a
	 * rewrite would lose quay.io's login. */
	assert_refused_untouched("{\"auths\": {\"quay.io\": {\"auth\": \"eDp5\"}},\n"
	    " \"auths\": {\"ghcr.io\": {\"auth\": \"eDp5\"}}}", "written twice");
}
END_TEST

static const char *const two_spellings[] = {
	"{\"auths\": {\"quay.io\": {\"auth\": \"eDp5\"}}, \"Auths\": {}}",
	"{\"credHelpers\": {}, \"CredHelpers\": {\"gcr.io\": \"gcloud\"}}",
	"{\"credsStore\": \"desktop\", \"CREDSSTORE\": \"pass\"}",
	/* U+017F LATIN SMALL LETTER LONG S folds to 's' in Go's decoder */
	"{\"auths\": {}, \"auth\xc5\xbf\": {}}",
};

START_TEST(test_a_docker_key_in_two_letter_cases_is_refused)
{
	assert_refused_untouched(two_spellings[_i], "different letter cases");
}
END_TEST

START_TEST(test_plaintext_login_under_a_case_variant_key_is_found_and_moved)
{
	const struct store_backend *fb;
	struct docker_config cfg;
	struct plaintext_login *l = NULL;
	struct credential got = { 0 };
	char was[64];
	json_t *j;
	void *h = NULL;
	int n = 0;

	/* "octocat:ghp_x" under "Auths", its field spelled "Auth". */
	write_text(cfg_path, "{\"Auths\": {\"ghcr.io\": {\"Auth\": \"b2N0b2NhdDpnaHBfeA==\"},"
	    " \"quay.io\": {\"auth\": \"eDp5\"}},"
	    " \"CredHelpers\": {\"gcr.io\": \"gcloud\"}, \"CredsStore\": \"pass\"}", 0600);
	fb = open_file_store(&h);
	ck_assert_int_eq(docker_config_load(cfg_path, &cfg), GHCR_OK);
	ck_assert_str_eq(docker_config_creds_store(&cfg), "pass");
	ck_assert_str_eq(docker_config_helper_for(&cfg, "gcr.io"), "gcloud");
	ck_assert_int_eq(docker_config_logins(&cfg, github_hosts, 2, &l, &n), GHCR_OK);
	ck_assert_msg(n == 1 && l[0].outcome == LOGIN_FOUND, "expected the login "
	    "under \"Auths\" to be found, got %d", n);
	ck_assert_int_eq(migrate_logins(&cfg, l, n,
	    &(struct resolver){ .backend = fb, .handle = h }, 0, NULL), GHCR_OK);
	ck_assert_int_eq(l[0].outcome, LOGIN_MOVED);
	ck_assert_int_eq(docker_config_set_helper(&cfg, "ghcr.io", "ghcr", was), GHCR_OK);
	ck_assert_int_eq(docker_config_save(&cfg), GHCR_OK);

	ck_assert_int_eq(fb->get(h, "ghcr.io", &got), GHCR_OK);
	ck_assert_str_eq(got.username, "octocat");
	ck_assert_str_eq(got.secret, "ghp_x");
	credential_clear(&got);
	j = load_json(cfg_path);
	ck_assert_msg(json_object_get(j, "credHelpers") == NULL &&
	    json_object_get(j, "auths") == NULL, "a second spelling was added");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j,
	    "CredHelpers"), "ghcr.io")), "ghcr");
	ck_assert_msg(json_object_get(json_object_get(j, "Auths"), "ghcr.io") == NULL,
	    "the moved login must leave \"Auths\"");
	ck_assert_msg(json_object_get(json_object_get(j, "Auths"), "quay.io") != NULL,
	    "another registry's login must stay");
	json_decref(j);
	docker_config_logins_free(l, n);
	docker_config_free(&cfg);
	fb->close(h);
}
END_TEST

START_TEST(test_login_field_spelled_twice_is_kept_not_guessed)
{
	struct docker_config cfg;
	struct plaintext_login *l = NULL;
	int n = 0;

	write_text(cfg_path, "{\"auths\": {\"ghcr.io\": {\"auth\": \"YTpiCg==\", "
	    "\"AUTH\": \"b2N0b2NhdDpnaHBfeA==\"}}}", 0600);
	ck_assert_int_eq(docker_config_load(cfg_path, &cfg), GHCR_OK);
	ck_assert_int_eq(docker_config_logins(&cfg, github_hosts, 2, &l, &n), GHCR_OK);
	ck_assert_int_eq(n, 1);
	ck_assert_msg(l[0].outcome == LOGIN_UNREADABLE && strstr(l[0].why, "twice"),
	    "expected an unreadable login saying why, got %d '%s'", l[0].outcome,
	    l[0].why);
	docker_config_logins_free(l, n);
	docker_config_free(&cfg);
}
END_TEST

/* --- a file written by another program meanwhile --------------------------- */

/* What the concurrent writer does, from the test seam below. */
enum writer { WRITER_NONE, WRITER_IN_PLACE, WRITER_RENAME, WRITER_REMOVE,
	WRITER_CREATE, WRITER_ONCE_LOGIN, WRITER_ONCE_LOGOUT,
	WRITER_ONCE_DOCKER_LOGOUT };
static enum writer writer;
static int writer_calls;

/* What `docker login quay.io` leaves: the ghcr.io login read first is
 * still there. */
static const char *const docker_login_config =
	"{\"auths\": {\"ghcr.io\": {\"auth\": \"b2N0b2NhdDpnaHBfeA==\"}, "
	"\"quay.io\": {\"auth\": \"cTpxdWF5\"}}, \"credHelpers\": {}}";
/* What `docker logout ghcr.io` leaves, as Docker writes it. */
static const char *const docker_logout_config = "{\n\t\"auths\": {}\n}";

void
docker_config_test_before_replace(const char *target)
{
	char tmp[PATHSZ + 16];

	writer_calls++;
	switch (writer) {
	case WRITER_NONE:
		break;
	case WRITER_IN_PLACE: /* same size, written in place */
		write_text(target, "{\"b\": 2}", 0600);
		break;
	case WRITER_RENAME:   /* how Docker writes: a new file renamed over */
	case WRITER_CREATE:
		snprintf(tmp, sizeof(tmp), "%s.docker", target);
		write_text(tmp, "{\"auths\": {\"quay.io\": {}}}", 0600);
		ck_assert_int_eq(rename(tmp, target), 0);
		break;
	case WRITER_REMOVE:
		ck_assert_int_eq(unlink(target), 0);
		break;
	case WRITER_ONCE_LOGIN: /* `docker login quay.io`, once */
		if (writer_calls == 1)
			write_text(target, docker_login_config, 0600);
		break;
	case WRITER_ONCE_LOGOUT: /* `docker logout ghcr.io`, once */
		if (writer_calls == 1)
			write_text(target, docker_logout_config, 0600);
		break;
	case WRITER_ONCE_DOCKER_LOGOUT: /* the docker CLI itself, once */
		if (writer_calls == 1)
			ck_assert_msg(system("docker logout ghcr.io >/dev/null 2>&1") == 0,
			    "docker logout failed (is the docker CLI installed?)");
		break;
	}
}

START_TEST(test_save_never_overwrites_a_file_changed_since_it_was_read)
{
	static const enum writer writers[] = { WRITER_IN_PLACE, WRITER_RENAME,
	    WRITER_REMOVE, WRITER_CREATE };
	struct docker_config cfg;
	struct stat st;
	char was[64], *before = NULL, *after;
	int r;

	writer = writers[_i];
	if (writer != WRITER_CREATE) {
		write_text(cfg_path, "{\"a\": 1}", 0600);
		before = read_text(cfg_path);
	}
	ck_assert_int_eq(docker_config_load(cfg_path, &cfg), GHCR_OK);
	ck_assert_int_eq(docker_config_set_helper(&cfg, "ghcr.io", "ghcr", was), GHCR_OK);
	r = docker_config_save(&cfg);
	ck_assert_msg(r == GHCR_ERR_CHANGED, "writer %d: expected GHCR_ERR_CHANGED, "
	    "got %d (%s)", writer, r, ghcr_error_message(r));
	ck_assert_int_eq(writer_calls, 1);
	if (writer == WRITER_REMOVE) {
		ck_assert_msg(stat(cfg_path, &st) == -1, "the removed file came back");
	} else {
		after = read_text(cfg_path);
		ck_assert_msg(strstr(after, "ghcr") == NULL, "writer %d: the other "
		    "program's file was overwritten: '%s'", writer, after);
		free(after);
	}
	free(before);
	docker_config_free(&cfg);
}
END_TEST

START_TEST(test_save_of_an_unchanged_file_passes_the_check)
{
	writer = WRITER_NONE;
	write_text(cfg_path, "{\"a\": 1}", 0600);
	configure_once(cfg_path); /* each save asserts success */
	configure_once(cfg_path); /* the second one checks what the first wrote */
	ck_assert_int_eq(writer_calls, 2);
}
END_TEST

START_TEST(test_configure_reads_again_and_keeps_a_concurrent_docker_login)
{
	char arg0[] = "configure", *argv[] = { arg0, NULL }, path[PATHSZ], *out;
	struct credential got = { 0 };
	struct settings s;
	struct resolver res;
	json_t *j, *auths;

	test_scrub_env();
	setenv("HOME", test_tmpdir, 1);
	setenv("DOCKER_CONFIG", test_tmpdir, 1);
	snprintf(path, sizeof(path), "%s/xdg-config", test_tmpdir);
	setenv("XDG_CONFIG_HOME", path, 1);
	snprintf(path, sizeof(path), "%s/xdg-data", test_tmpdir);
	setenv("XDG_DATA_HOME", path, 1);
	setenv("DOCKER_CREDENTIAL_GHCR_BACKEND", "file", 1);
	setenv("DOCKER_CREDENTIAL_GHCR_GH_CLI", "off", 1);
	/* "octocat:ghp_x" for ghcr.io, to be moved into the store */
	write_text(cfg_path, "{\"auths\": {\"ghcr.io\": {\"auth\": "
	    "\"b2N0b2NhdDpnaHBfeA==\"}}}", 0600);
	writer = WRITER_ONCE_LOGIN;

	ck_assert_int_eq(settings_load(&s), GHCR_OK);
	resolver_init(&res, &s);
	/* What configure says goes to a file (each test runs in its own
	 * process, so this redirect ends with it). */
	snprintf(path, sizeof(path), "%s/out", test_tmpdir);
	ck_assert(freopen(path, "w", stdout) != NULL);
	ck_assert(freopen("/dev/null", "w", stderr) != NULL);
	ck_assert_int_eq(cmd_configure(1, argv, &res), GHCR_OK);
	fflush(stdout);
	out = read_text(path);
	ck_assert_msg(strstr(out, "read again") != NULL, "configure should say "
	    "it read the file again, said:\n%s", out);
	free(out);
	ck_assert_msg(writer_calls == 2, "expected one save refused and one "
	    "after reading again, got %d saves", writer_calls);
	j = load_json(cfg_path);
	auths = json_object_get(j, "auths");
	ck_assert_msg(json_object_get(auths, "quay.io") != NULL, "the login "
	    "docker wrote meanwhile was lost");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j,
	    "credHelpers"), "ghcr.io")), "ghcr");
	json_decref(j);
	/* The ghcr.io login moved on the first pass stays in the store. */
	ck_assert_int_eq(resolver_open_backend(&res), GHCR_OK);
	ck_assert_int_eq(res.backend->get(res.handle, "ghcr.io", &got), GHCR_OK);
	ck_assert_str_eq(got.secret, "ghp_x");
	credential_clear(&got);
	resolver_close(&res);
}
END_TEST

/*
 * configure moves the plaintext ghcr.io login into the store, then finds
 * that a `docker logout ghcr.io` rewrote the file meanwhile (issue 20,
 * point 6): the login must not stay in the store (the helper would answer
 * with the logged-out token), the store holds what it held before, and
 * configure says so.  _i: the logout as Docker writes it, with nothing in
 * the store before; the same with an older login there; the docker CLI
 * itself as the writer.
 */
START_TEST(test_configure_undoes_a_move_that_a_concurrent_logout_removed)
{
	static const char *const cleared[] = {
		"GITHUB_TOKEN", "GH_TOKEN", "GITHUB_ACTOR", "GITHUB_ACTIONS",
		"RUNNER_TEMP", "GITHUB_SERVER_URL", "DOCKER_CREDENTIAL_GHCR_STORE",
		"DOCKER_CREDENTIAL_GHCR_KEY_FILE", "DOCKER_CREDENTIAL_GHCR_PASSPHRASE_FILE",
		"DOCKER_CREDENTIAL_GHCR_HOSTS", "DOCKER_CREDENTIAL_GHCR_GITHUB_SERVER",
		"DOCKER_CREDENTIAL_GHCR_CONFIG", "REGISTRY_AUTH_FILE",
	};
	const int with_prior = _i == 1;
	char arg0[] = "configure", *argv[] = { arg0, NULL }, path[PATHSZ], *out;
	struct credential got = { 0 };
	struct settings s;
	struct resolver res;
	json_t *j;
	int r;

	for (size_t i = 0; i < sizeof(cleared) / sizeof(cleared[0]); i++)
		unsetenv(cleared[i]);
	setenv("HOME", test_tmpdir, 1);
	setenv("DOCKER_CONFIG", test_tmpdir, 1);
	snprintf(path, sizeof(path), "%s/xdg-config", test_tmpdir);
	setenv("XDG_CONFIG_HOME", path, 1);
	snprintf(path, sizeof(path), "%s/xdg-data", test_tmpdir);
	setenv("XDG_DATA_HOME", path, 1);
	setenv("DOCKER_CREDENTIAL_GHCR_BACKEND", "file", 1);
	setenv("DOCKER_CREDENTIAL_GHCR_GH_CLI", "off", 1);
	/* "octocat:ghp_x" for ghcr.io, to be moved into the store */
	write_text(cfg_path, "{\"auths\": {\"ghcr.io\": {\"auth\": "
	    "\"b2N0b2NhdDpnaHBfeA==\"}}}", 0600);
	writer = _i == 2 ? WRITER_ONCE_DOCKER_LOGOUT : WRITER_ONCE_LOGOUT;

	ck_assert_int_eq(settings_load(&s), GHCR_OK);
	resolver_init(&res, &s);
	if (with_prior) {
		struct credential prior = { (char *)"ghcr.io", (char *)"octocat",
		    (char *)"ghp_prior", 0 };

		ck_assert_int_eq(resolver_put(&res, &prior), GHCR_OK);
	}
	snprintf(path, sizeof(path), "%s/out", test_tmpdir);
	ck_assert(freopen(path, "w", stdout) != NULL);
	ck_assert(freopen("/dev/null", "w", stderr) != NULL);
	ck_assert_int_eq(cmd_configure(1, argv, &res), GHCR_OK);
	fflush(stdout);
	out = read_text(path);
	ck_assert_msg(writer_calls == 2, "expected one save refused and one "
	    "after reading again, got %d saves", writer_calls);
	j = load_json(cfg_path);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j,
	    "credHelpers"), "ghcr.io")), "ghcr");
	ck_assert_msg(json_object_get(json_object_get(j, "auths"), "ghcr.io") ==
	    NULL, "the logout's removal was overwritten");
	json_decref(j);
	ck_assert_int_eq(resolver_open_backend(&res), GHCR_OK);
	r = res.backend->get(res.handle, "ghcr.io", &got);
	if (with_prior) {
		ck_assert_msg(r == GHCR_OK && strcmp(got.secret, "ghp_prior") == 0,
		    "the store's earlier login was not given back (get: %d)", r);
	} else {
		ck_assert_msg(r == GHCR_ERR_NOT_FOUND, "the logged-out login "
		    "stayed in the store (get: %d)", r);
	}
	credential_clear(&got);
	ck_assert_msg(strstr(out, "did not move the plaintext login for ghcr.io "
	    "(user octocat): another program removed it from the file meanwhile")
	    != NULL, "configure should say the login was not moved, said:\n%s",
	    out);
	ck_assert_msg(strstr(out, "moved the plaintext login for ghcr.io (user "
	    "octocat) into") == NULL, "configure claims the move, said:\n%s", out);
	free(out);
	resolver_close(&res);
}
END_TEST

Suite *suite_docker_config(void);

Suite *
suite_docker_config(void)
{
	Suite *s = suite_create("docker_config");
	TCase *tc;

	tc = tcase_create("rewrite");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_keeps_every_other_key_value_and_order);
	tcase_add_test(tc, test_written_with_tabs_like_docker);
	tcase_add_loop_test(tc, test_empty_file_is_an_empty_config, 0, 3);
	tcase_add_test(tc, test_missing_file_and_directory_are_created_private);
	tcase_add_loop_test(tc, test_invalid_json_is_refused_and_left_untouched, 0,
	    (int)(sizeof(invalid_documents) / sizeof(invalid_documents[0])));
	tcase_add_test(tc, test_invalid_json_error_names_line_and_column);
	tcase_add_test(tc, test_cred_helpers_not_an_object_is_refused);
	tcase_add_test(tc, test_read_only_file_is_refused_and_left_untouched);
	tcase_add_test(tc, test_mode_is_kept);
	tcase_add_loop_test(tc, test_symlinked_config_is_edited_at_its_target, 0, 2);
	tcase_add_test(tc, test_second_run_changes_nothing);
	tcase_add_test(tc, test_other_helper_is_replaced_and_reported);
	suite_add_tcase(s, tc);

	tc = tcase_create("logins");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_finds_plaintext_logins_for_the_hosts_only);
	tcase_add_test(tc, test_username_password_entries_and_empty_markers);
	tcase_add_test(tc, test_unreadable_login_is_reported_not_dropped);
	tcase_add_test(tc, test_migration_moves_logins_into_the_real_store);
	tcase_add_test(tc, test_migration_keeps_a_conflicting_second_login);
	tcase_add_test(tc, test_dry_run_migration_changes_nothing);
	tcase_add_test(tc, test_login_stays_when_the_store_refuses_it);
	suite_add_tcase(s, tc);

	tc = tcase_create("helpers");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_base64_decodes, 0,
	    (int)(sizeof(base64_cases) / sizeof(base64_cases[0])));
	tcase_add_loop_test(tc, test_base64_refuses_garbage, 0,
	    (int)(sizeof(bad_base64) / sizeof(bad_base64[0])));
	tcase_add_test(tc, test_default_path_honours_docker_config);
	tcase_add_test(tc, test_containers_auth_paths);
	suite_add_tcase(s, tc);

	tc = tcase_create("read as Docker reads it");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc,
	    test_parse_error_names_file_line_and_column_but_never_quotes_the_text, 0,
	    sizeof(secret_breaking_documents) / sizeof(secret_breaking_documents[0]));
	tcase_add_test(tc, test_auths_written_twice_is_refused_not_half_read);
	tcase_add_loop_test(tc, test_a_docker_key_in_two_letter_cases_is_refused, 0,
	    sizeof(two_spellings) / sizeof(two_spellings[0]));
	tcase_add_test(tc, test_plaintext_login_under_a_case_variant_key_is_found_and_moved);
	tcase_add_test(tc, test_login_field_spelled_twice_is_kept_not_guessed);
	suite_add_tcase(s, tc);

	tc = tcase_create("written by another program meanwhile");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_save_never_overwrites_a_file_changed_since_it_was_read,
	    0, 4);
	tcase_add_test(tc, test_save_of_an_unchanged_file_passes_the_check);
	tcase_add_test(tc, test_configure_reads_again_and_keeps_a_concurrent_docker_login);
	tcase_add_loop_test(tc, test_configure_undoes_a_move_that_a_concurrent_logout_removed, 0, 3);
	suite_add_tcase(s, tc);
	return s;
}
