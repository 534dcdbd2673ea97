/*
 * The pieces of `check` that read what a registry and GitHub answer: the
 * WWW-Authenticate challenge, which token realms a credential may go to,
 * the registry's error words, GitHub's expiry header and scope list, and
 * the Basic header built in wiped memory.  The network part is tested for
 * real by tests/check/run.sh.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "github_api.h"
#include "http.h"
#include "registry_probe.h"
#include "secmem.h"

START_TEST(test_a_bearer_challenge_gives_realm_and_service)
{
	struct registry_auth a;

	ck_assert_int_eq(registry_parse_challenge("Bearer realm=\"https://ghcr.io/token\","
	    "service=\"ghcr.io\",scope=\"repository:user/image:pull\"", &a), 0);
	ck_assert_int_eq(a.scheme, REGISTRY_AUTH_BEARER);
	ck_assert_str_eq(a.realm, "https://ghcr.io/token");
	ck_assert_str_eq(a.service, "ghcr.io");
	ck_assert_int_eq(registry_parse_challenge("bearer realm=https://r.example/t", &a), 0);
	ck_assert_str_eq(a.realm, "https://r.example/t");
	ck_assert_int_eq(registry_parse_challenge("Basic realm=\"Registry\"", &a), 0);
	ck_assert_int_eq(a.scheme, REGISTRY_AUTH_BASIC);
}
END_TEST

START_TEST(test_a_challenge_without_realm_or_broken_is_refused)
{
	struct registry_auth a;

	ck_assert_int_ne(registry_parse_challenge("Bearer service=\"ghcr.io\"", &a), 0);
	ck_assert_int_ne(registry_parse_challenge("Bearer realm=\"https://x", &a), 0);
	ck_assert_int_ne(registry_parse_challenge("Negotiate abc", &a), 0);
}
END_TEST

static const struct {
	const char *realm;
	const char *host;
	int allowed;
} realms[] = {
	{ "https://ghcr.io/token", "ghcr.io", 1 },
	{ "https://GHCR.IO/token", "ghcr.io", 1 },
	{ "https://ghcr.io:5001/token", "ghcr.io", 1 },
	{ "https://docker.pkg.github.com/v2/token", "docker.pkg.github.com", 1 },
	{ "https://ghcr.io/token", "ghcr.io:443", 1 },
	{ "http://ghcr.io/token", "ghcr.io", 0 },
	{ "https://ghcr.io.evil.com/token", "ghcr.io", 0 },
	{ "https://evilghcr.io/token", "ghcr.io", 0 },
	{ "https://ghcr.io@evil.com/token", "ghcr.io", 0 },
	{ "https://evil.com/ghcr.io", "ghcr.io", 0 },
	{ "https://evil.com?ghcr.io", "ghcr.io", 0 },
	{ "ftp://ghcr.io/token", "ghcr.io", 0 },
};

START_TEST(test_a_credential_goes_only_to_a_realm_on_the_registry_host)
{
	ck_assert_msg(registry_realm_allowed(realms[_i].realm, realms[_i].host) ==
	    realms[_i].allowed, "realm %s for %s: expected %s", realms[_i].realm,
	    realms[_i].host, realms[_i].allowed ? "allowed" : "refused");
}
END_TEST

START_TEST(test_the_registry_error_words_are_one_line)
{
	char out[512];
	const char *body;

	body = "{\"errors\":[{\"code\":\"DENIED\",\"message\":\"permission_denied: write_package\"}]}";
	registry_error_words(body, strlen(body), out, sizeof(out));
	ck_assert_str_eq(out, "DENIED: permission_denied: write_package");
	body = "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"auth\\nrequired\","
	    "\"detail\":[{\"Action\":\"push\"}]}]}";
	registry_error_words(body, strlen(body), out, sizeof(out));
	ck_assert_str_eq(out, "UNAUTHORIZED: auth required ([{\"Action\":\"push\"}])");
	body = "{\"error\":\"invalid_grant\",\"error_description\":\"expired\"}";
	registry_error_words(body, strlen(body), out, sizeof(out));
	ck_assert_str_eq(out, "invalid_grant: expired");
	body = "{\"message\":\"Bad credentials\",\"documentation_url\":\"x\"}";
	registry_error_words(body, strlen(body), out, sizeof(out));
	ck_assert_str_eq(out, "Bad credentials");
	body = "<html>\r\n<b>502</b>\x1b[31m</html>";
	registry_error_words(body, strlen(body), out, sizeof(out));
	ck_assert_str_eq(out, "<html> <b>502</b>?[31m</html>");
}
END_TEST

START_TEST(test_github_expiry_header_is_parsed_in_utc_or_an_offset)
{
	ck_assert_int_eq(github_parse_expiration("2021-10-07 19:07:53 UTC"), 1633633673);
	ck_assert_int_eq(github_parse_expiration("2021-10-07 21:07:53 +0200"), 1633633673);
	ck_assert_int_eq(github_parse_expiration("2021-10-07 12:07:53 -0700"), 1633633673);
	ck_assert_int_eq(github_parse_expiration("2021-10-07"), (time_t)-1);
	ck_assert_int_eq(github_parse_expiration("2021-13-07 19:07:53 UTC"), (time_t)-1);
	ck_assert_int_eq(github_parse_expiration("2021-10-07 19:07:53 PST"), (time_t)-1);
	ck_assert_int_eq(github_parse_expiration(NULL), (time_t)-1);
}
END_TEST

START_TEST(test_a_scope_list_is_matched_exactly)
{
	ck_assert(github_scope_has("read:packages, repo, write:packages", "write:packages"));
	ck_assert(github_scope_has("write:packages", "write:packages"));
	ck_assert(!github_scope_has("read:packages", "write:packages"));
	ck_assert(!github_scope_has("write:packages_x, repo", "write:packages"));
	ck_assert(!github_scope_has("", "repo"));
	/* Found by fuzz_check: an entry after a space, not a comma. */
	ck_assert(github_scope_has("repo read:packages", "read:packages"));
	ck_assert(!github_scope_has("read:packages x, y", "read:packages x"));
	ck_assert(!github_scope_has("a, ", ""));
}
END_TEST

START_TEST(test_the_api_base_follows_the_github_server)
{
	char base[256];

	unsetenv(GITHUB_API_ENV);
	github_api_base("github.com", base, sizeof(base));
	ck_assert_str_eq(base, "https://api.github.com/");
	github_api_base("ghes.example.com", base, sizeof(base));
	ck_assert_str_eq(base, "https://ghes.example.com/api/v3/");
	github_api_base("octo.ghe.com", base, sizeof(base));
	ck_assert_str_eq(base, "https://api.octo.ghe.com/");
	setenv(GITHUB_API_ENV, "https://127.0.0.1:8443", 1);
	github_api_base("github.com", base, sizeof(base));
	ck_assert_str_eq(base, "https://127.0.0.1:8443/");
	unsetenv(GITHUB_API_ENV);
}
END_TEST

START_TEST(test_the_authorization_header_is_basic_or_bearer)
{
	char *h = http_authorization("octocat", "ghp_x");

	/* base64("octocat:ghp_x") */
	ck_assert_str_eq(h, "Authorization: Basic b2N0b2NhdDpnaHBfeA==");
	secmem_free(h);
	h = http_authorization("ab", "c");
	ck_assert_str_eq(h, "Authorization: Basic YWI6Yw==");
	secmem_free(h);
	h = http_authorization("a", "bc");
	ck_assert_str_eq(h, "Authorization: Basic YTpiYw==");
	secmem_free(h);
	h = http_authorization(NULL, "jwt.token.here");
	ck_assert_str_eq(h, "Authorization: Bearer jwt.token.here");
	secmem_free(h);
}
END_TEST

START_TEST(test_nothing_loads_libcurl_until_a_client_is_opened)
{
	ck_assert_int_eq(http_loaded(), 0);
}
END_TEST

Suite *suite_check(void);

Suite *
suite_check(void)
{
	Suite *s = suite_create("check");
	TCase *tc = tcase_create("challenge");

	tcase_add_test(tc, test_a_bearer_challenge_gives_realm_and_service);
	tcase_add_test(tc, test_a_challenge_without_realm_or_broken_is_refused);
	tcase_add_loop_test(tc, test_a_credential_goes_only_to_a_realm_on_the_registry_host,
	    0, sizeof(realms) / sizeof(realms[0]));
	suite_add_tcase(s, tc);
	tc = tcase_create("answers");
	tcase_add_test(tc, test_the_registry_error_words_are_one_line);
	tcase_add_test(tc, test_github_expiry_header_is_parsed_in_utc_or_an_offset);
	tcase_add_test(tc, test_a_scope_list_is_matched_exactly);
	tcase_add_test(tc, test_the_api_base_follows_the_github_server);
	suite_add_tcase(s, tc);
	tc = tcase_create("http");
	tcase_add_test(tc, test_the_authorization_header_is_basic_or_bearer);
	tcase_add_test(tc, test_nothing_loads_libcurl_until_a_client_is_opened);
	suite_add_tcase(s, tc);
	return s;
}
