/*
 * Server-address normalisation: every spelling of one registry gives one
 * key, and nothing that could make one host pass for another gets through.
 */
#include <check.h>
#include <string.h>

#include "errors.h"
#include "server.h"

static const struct {
	const char *input;
	const char *key;
} same_registry[] = {
	{ "ghcr.io", "ghcr.io" },
	{ "GHCR.IO", "ghcr.io" },
	{ "https://ghcr.io", "ghcr.io" },
	{ "https://ghcr.io/", "ghcr.io" },
	{ "ghcr.io/v2/", "ghcr.io" },
	{ "HTTPS://Ghcr.Io/v2/", "ghcr.io" },
	{ "  ghcr.io\n", "ghcr.io" },
	{ "ghcr.io\r\n", "ghcr.io" },
	{ "http://127.0.0.1:5000", "127.0.0.1:5000" },
	{ "127.0.0.1:5000/v2/", "127.0.0.1:5000" },
	{ "https://index.docker.io/v1/", "index.docker.io" },
	{ "[::1]:5000", "[::1]:5000" },
	{ "https://[::1]/v2/", "[::1]" },
	{ "ghcr.io:443", "ghcr.io:443" },
	{ "my_registry.internal", "my_registry.internal" },
	{ "docker.pkg.github.com/owner/repo/image", "docker.pkg.github.com" },
};

START_TEST(test_spellings_of_one_registry_give_one_key)
{
	char out[SERVER_MAX];
	int r = server_normalise(same_registry[_i].input, out);

	ck_assert_msg(r == GHCR_OK, "'%s': expected OK, got %d",
	    same_registry[_i].input, r);
	ck_assert_msg(strcmp(out, same_registry[_i].key) == 0,
	    "'%s': expected key '%s', got '%s'", same_registry[_i].input,
	    same_registry[_i].key, out);
}
END_TEST

static const char *const not_a_host[] = {
	"ghcr.io@evil.com", "user:pass@ghcr.io", "ghcr.io%2eevil.com",
	"ghcr.io\\evil.com", "ghcr.io?x=1", "ghcr.io#frag", "ghcr .io",
	"ghcr.io\nevil.com", "ftp://ghcr.io", "https://", "https:///v2/",
	"ghcr.io:", "ghcr.io:0", "ghcr.io:65536", "ghcr.io:12a", ".ghcr.io",
	"ghcr..io", "-ghcr.io", "[::1", "[fe80::1%eth0]", "gh\xc3\xa7r.io",
	"ghcr.io\x7f", "\tghcr.io\x01",
};

START_TEST(test_non_hosts_are_refused)
{
	char out[SERVER_MAX];
	int r = server_normalise(not_a_host[_i], out);

	ck_assert_msg(r == GHCR_ERR_BAD_SERVER,
	    "input %d: expected BAD_SERVER (%d), got %d with key '%s'", _i,
	    GHCR_ERR_BAD_SERVER, r, out);
	ck_assert_msg(out[0] == '\0', "input %d: key must stay empty", _i);
}
END_TEST

START_TEST(test_blank_input_is_no_server)
{
	char out[SERVER_MAX];

	ck_assert_int_eq(server_normalise("", out), GHCR_ERR_NO_SERVER);
	ck_assert_int_eq(server_normalise(" \n\t ", out), GHCR_ERR_NO_SERVER);
	ck_assert_int_eq(server_normalise(NULL, out), GHCR_ERR_NO_SERVER);
}
END_TEST

START_TEST(test_normalising_a_key_is_idempotent)
{
	char once[SERVER_MAX], twice[SERVER_MAX];

	ck_assert_int_eq(server_normalise(same_registry[_i].input, once), GHCR_OK);
	ck_assert_int_eq(server_normalise(once, twice), GHCR_OK);
	ck_assert_str_eq(once, twice);
}
END_TEST

START_TEST(test_overlong_host_is_refused)
{
	char input[600], out[SERVER_MAX];

	memset(input, 'a', sizeof(input) - 1);
	input[sizeof(input) - 1] = '\0';
	ck_assert_int_eq(server_normalise(input, out), GHCR_ERR_BAD_SERVER);
}
END_TEST

Suite *suite_server(void);

Suite *
suite_server(void)
{
	Suite *s = suite_create("server");
	TCase *tc;

	tc = tcase_create("one key per registry");
	tcase_add_loop_test(tc, test_spellings_of_one_registry_give_one_key, 0,
	    sizeof(same_registry) / sizeof(same_registry[0]));
	tcase_add_loop_test(tc, test_normalising_a_key_is_idempotent, 0,
	    sizeof(same_registry) / sizeof(same_registry[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("refusals");
	tcase_add_loop_test(tc, test_non_hosts_are_refused, 0,
	    sizeof(not_a_host) / sizeof(not_a_host[0]));
	tcase_add_test(tc, test_blank_input_is_no_server);
	tcase_add_test(tc, test_overlong_host_is_refused);
	suite_add_tcase(s, tc);
	return s;
}
