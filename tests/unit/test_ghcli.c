/*
 * Reading gh's hosts.yml: the host's own login only, never a neighbour's.
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

START_TEST(test_login_of_the_host_is_found)
{
	char *user, *token;

	ck_assert_int_eq(ghcli_parse_hosts(hosts_yml, strlen(hosts_yml),
	    "github.com", 1, &user, &token), GHCR_OK);
	ck_assert_str_eq(user, "octocat");
	ck_assert_str_eq(token, "gho_top");
	secmem_free(user);
	secmem_free(token);

	ck_assert_int_eq(ghcli_parse_hosts(hosts_yml, strlen(hosts_yml),
	    "github.example.com", 1, &user, &token), GHCR_OK);
	ck_assert_str_eq(user, "enterprise-user");
	ck_assert_str_eq(token, "ghp_enterprise");
	secmem_free(user);
	secmem_free(token);
}
END_TEST

START_TEST(test_values_with_control_bytes_are_not_logins)
{
	static const char nul_user[] = "github.com:\n    oauth_token: gho_x\n    user: \0\0s\n";
	static const char nul_token[] = "github.com:\n    oauth_token: gho\0x\n    user: u\n";
	char *user, *token;

	ck_assert_int_eq(ghcli_parse_hosts(nul_user, sizeof(nul_user) - 1,
	    "github.com", 1, &user, &token), GHCR_OK);
	ck_assert_msg(strcmp(user, "x-access-token") == 0,
	    "a user with NUL bytes must fall back, got '%s'", user);
	secmem_free(user);
	secmem_free(token);
	ck_assert_int_eq(ghcli_parse_hosts(nul_token, sizeof(nul_token) - 1,
	    "github.com", 1, &user, &token), GHCR_ERR_NOT_FOUND);
}
END_TEST

START_TEST(test_listing_copies_no_token)
{
	char *user, *token;

	ck_assert_int_eq(ghcli_parse_hosts(hosts_yml, strlen(hosts_yml),
	    "github.com", 0, &user, &token), GHCR_OK);
	ck_assert_str_eq(user, "octocat");
	ck_assert_ptr_null(token);
	secmem_free(user);
}
END_TEST

START_TEST(test_absent_or_keyring_logins_are_not_found)
{
	char *user, *token;

	ck_assert_int_eq(ghcli_parse_hosts(hosts_yml, strlen(hosts_yml),
	    "keyring-only.example", 1, &user, &token), GHCR_ERR_NOT_FOUND);
	ck_assert_int_eq(ghcli_parse_hosts(hosts_yml, strlen(hosts_yml),
	    "github", 1, &user, &token), GHCR_ERR_NOT_FOUND);
	ck_assert_int_eq(ghcli_parse_hosts(hosts_yml, strlen(hosts_yml),
	    "example.com", 1, &user, &token), GHCR_ERR_NOT_FOUND);
	ck_assert_int_eq(ghcli_parse_hosts("", 0, "github.com", 1, &user, &token),
	    GHCR_ERR_NOT_FOUND);
	ck_assert_ptr_null(user);
	ck_assert_ptr_null(token);
}
END_TEST

Suite *suite_ghcli(void);

Suite *
suite_ghcli(void)
{
	Suite *s = suite_create("ghcli");
	TCase *tc = tcase_create("hosts.yml");

	tcase_add_test(tc, test_login_of_the_host_is_found);
	tcase_add_test(tc, test_listing_copies_no_token);
	tcase_add_test(tc, test_values_with_control_bytes_are_not_logins);
	tcase_add_test(tc, test_absent_or_keyring_logins_are_not_found);
	suite_add_tcase(s, tc);
	return s;
}
