/*
 * Reading gh's hosts.yml: the host's own login only, never a neighbour's;
 * both layouts (before and since gh 2.40); a login whose token gh keeps
 * in the keyring is the account without a token.
 */
#include <check.h>
#include <string.h>

#include "errors.h"
#include "ghcli.h"
#include "secmem.h"

static const char hosts_yml[] =
	"github.com:\n"
	"    users:\n"
	"        octocat:\n"
	"            oauth_token: gho_nested\n"
	"    oauth_token: gho_top\n"
	"    git_protocol: https\n"
	"    user: octocat\n"
	"github.example.com:\n"
	"    user: \"enterprise-user\"\n"
	"    oauth_token: 'ghp_enterprise'\n"
	"github.com.evil.com:\n"
	"    user: evil\n"
	"    oauth_token: evil_token\n"
	"keyring-only.example:\n"
	"    user: someone\n";

static struct ghcli_login login;

static void
teardown(void)
{
	ghcli_login_clear(&login);
}

static int
parse(const char *buf, size_t len, const char *host, int want_token)
{
	ghcli_login_clear(&login);
	return ghcli_parse_hosts(buf, len, host, want_token, &login);
}

START_TEST(test_login_of_the_host_is_found)
{
	ck_assert_int_eq(parse(hosts_yml, strlen(hosts_yml), "github.com", 1), GHCR_OK);
	ck_assert_str_eq(login.user, "octocat");
	ck_assert_str_eq(login.token, "gho_top");
	ck_assert_int_eq(login.in_file, 1);

	ck_assert_int_eq(parse(hosts_yml, strlen(hosts_yml), "github.example.com", 1),
	    GHCR_OK);
	ck_assert_str_eq(login.user, "enterprise-user");
	ck_assert_str_eq(login.token, "ghp_enterprise");
}
END_TEST

START_TEST(test_values_with_control_bytes_are_not_logins)
{
	static const char nul_user[] = "github.com:\n    oauth_token: gho_x\n    user: \0\0s\n";
	static const char nul_token[] = "github.com:\n    oauth_token: gho\0x\n";

	ck_assert_int_eq(parse(nul_user, sizeof(nul_user) - 1, "github.com", 1), GHCR_OK);
	ck_assert_msg(strcmp(login.user, "x-access-token") == 0,
	    "a user with NUL bytes must fall back, got '%s'", login.user);
	ck_assert_int_eq(parse(nul_token, sizeof(nul_token) - 1, "github.com", 1),
	    GHCR_ERR_NOT_FOUND);
}
END_TEST

START_TEST(test_listing_copies_no_token)
{
	ck_assert_int_eq(parse(hosts_yml, strlen(hosts_yml), "github.com", 0), GHCR_OK);
	ck_assert_str_eq(login.user, "octocat");
	ck_assert_ptr_null(login.token);
	ck_assert_int_eq(login.in_file, 1);
}
END_TEST

START_TEST(test_keyring_login_is_the_account_without_a_token)
{
	ck_assert_int_eq(parse(hosts_yml, strlen(hosts_yml), "keyring-only.example", 1),
	    GHCR_OK);
	ck_assert_str_eq(login.user, "someone");
	ck_assert_ptr_null(login.token);
	ck_assert_int_eq(login.in_file, 0);
}
END_TEST

/* gh 2.40 and later: users: holds every account, user: the active one;
 * with the keyring, no token anywhere in the file. */
START_TEST(test_multi_account_layout_names_the_active_account)
{
	static const char keyring[] =
		"github.com:\n"
		"    users:\n"
		"        octocat:\n"
		"        hubot: {}\n"
		"    git_protocol: https\n"
		"    user: hubot\n";
	static const char in_file[] =
		"github.com:\n"
		"    git_protocol: ssh\n"
		"    users:\n"
		"        octocat:\n"
		"            oauth_token: gho_octocat\n"
		"        hubot:\n"
		"            oauth_token: gho_hubot\n"
		"    user: hubot\n";

	ck_assert_int_eq(parse(keyring, sizeof(keyring) - 1, "github.com", 1), GHCR_OK);
	ck_assert_str_eq(login.user, "hubot");
	ck_assert_ptr_null(login.token);
	ck_assert_int_eq(login.in_file, 0);
	/* No host-level token: the active account's own. */
	ck_assert_int_eq(parse(in_file, sizeof(in_file) - 1, "github.com", 1), GHCR_OK);
	ck_assert_str_eq(login.user, "hubot");
	ck_assert_str_eq(login.token, "gho_hubot");
	ck_assert_int_eq(login.in_file, 1);
}
END_TEST

START_TEST(test_absent_logins_are_not_found)
{
	static const char no_login[] = "github.com:\n    git_protocol: https\n";

	ck_assert_int_eq(parse(hosts_yml, strlen(hosts_yml), "github", 1), GHCR_ERR_NOT_FOUND);
	ck_assert_int_eq(parse(hosts_yml, strlen(hosts_yml), "example.com", 1),
	    GHCR_ERR_NOT_FOUND);
	ck_assert_int_eq(parse(hosts_yml, strlen(hosts_yml), "octocat", 1),
	    GHCR_ERR_NOT_FOUND);
	ck_assert_int_eq(parse("", 0, "github.com", 1), GHCR_ERR_NOT_FOUND);
	ck_assert_int_eq(parse(no_login, sizeof(no_login) - 1, "github.com", 1),
	    GHCR_ERR_NOT_FOUND);
	ck_assert_ptr_null(login.user);
	ck_assert_ptr_null(login.token);
}
END_TEST

START_TEST(test_servers_are_the_plain_hosts_with_a_login)
{
	static const char yml[] =
		"github.com:\n    user: a\n"
		"Bad.Example.com:\n    user: b\n"
		"nologin.example:\n    git_protocol: https\n"
		"acme.ghe.com:\n    users:\n        c:\n    user: c\n"
		"localhost:\n    user: d\n";
	char servers[8][SERVER_MAX];
	int n = ghcli_parse_servers(yml, sizeof(yml) - 1, servers, 8);

	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(servers[0], "github.com");
	ck_assert_str_eq(servers[1], "acme.ghe.com");
}
END_TEST

Suite *suite_ghcli(void);

Suite *
suite_ghcli(void)
{
	Suite *s = suite_create("ghcli");
	TCase *tc = tcase_create("hosts.yml");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_login_of_the_host_is_found);
	tcase_add_test(tc, test_listing_copies_no_token);
	tcase_add_test(tc, test_values_with_control_bytes_are_not_logins);
	tcase_add_test(tc, test_keyring_login_is_the_account_without_a_token);
	tcase_add_test(tc, test_multi_account_layout_names_the_active_account);
	tcase_add_test(tc, test_absent_logins_are_not_found);
	tcase_add_test(tc, test_servers_are_the_plain_hosts_with_a_login);
	suite_add_tcase(s, tc);
	return s;
}
