/*
 * The GitHub gate: which registry hosts may ever receive a GitHub token,
 * and for which GitHub server.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "github.h"
#include "settings.h"
#include "testutil.h"

static struct settings settings;

static void
settings_for(const char *server_url, const char *extra_hosts)
{
	test_scrub_env();
	setenv("XDG_CONFIG_HOME", "/nonexistent-ghcr-test", 1);
	if (server_url != NULL)
		setenv("GITHUB_SERVER_URL", server_url, 1);
	if (extra_hosts != NULL)
		setenv("DOCKER_CREDENTIAL_GHCR_HOSTS", extra_hosts, 1);
	ck_assert_int_eq(settings_load(&settings), GHCR_OK);
}

static void
assert_github(const char *server, const char *expected)
{
	char out[SERVER_MAX];
	int is = github_server_for_registry(&settings, server, out);

	if (expected == NULL) {
		ck_assert_msg(!is, "'%s' must not be a GitHub registry, got '%s'",
		    server, out);
	} else {
		ck_assert_msg(is, "'%s' should be a registry of %s", server, expected);
		ck_assert_msg(strcmp(out, expected) == 0,
		    "'%s': expected GitHub server '%s', got '%s'", server, expected, out);
	}
}

START_TEST(test_github_com_registries)
{
	settings_for(NULL, NULL);
	assert_github("ghcr.io", "github.com");
	assert_github("docker.pkg.github.com", "github.com");
}
END_TEST

static const char *const look_alikes[] = {
	"ghcr.io.evil.com", "evilghcr.io", "ghcr.iox", "xghcr.io", "ghcr.io:443",
	"ghcr.io.", "docker.pkg.github.com.evil.com", "pkg.github.com",
	"github.com", "evil.com", "ghcr", "io", "containers.github.com",
	"docker.github.com", "xn--ghcr-io", "ghcr-io", "ghcr.io:5000",
	"gcr.io", "docker.pkg.github.co", "docker.pkg.github.com:80",
};

START_TEST(test_look_alikes_are_not_github)
{
	settings_for(NULL, NULL);
	assert_github(look_alikes[_i], NULL);
}
END_TEST

START_TEST(test_enterprise_server_registries)
{
	settings_for("https://github.example.com", NULL);
	assert_github("containers.github.example.com", "github.example.com");
	assert_github("docker.github.example.com", "github.example.com");
	assert_github("ghcr.io", "github.com");
	assert_github("github.example.com", NULL);
	assert_github("containers.github.example.com.evil.com", NULL);
	assert_github("evil.containers.github.example.com", NULL);
}
END_TEST

START_TEST(test_ghe_com_has_only_a_containers_registry)
{
	settings_for("https://octo.ghe.com", NULL);
	assert_github("containers.octo.ghe.com", "octo.ghe.com");
	assert_github("docker.octo.ghe.com", NULL);
	assert_github("containers.ghe.com", NULL);
}
END_TEST

START_TEST(test_added_hosts_belong_to_the_configured_server)
{
	settings_for(NULL, "registry.example.org, mirror.example.org:5000");
	assert_github("registry.example.org", "github.com");
	assert_github("mirror.example.org:5000", "github.com");
	assert_github("mirror.example.org", NULL);
	assert_github("registry.example.org.evil.com", NULL);
}
END_TEST

/* By name alone: a GitHub server the GitHub CLI may be logged in to.
 * docker.pkg.github.com.evil.com does name one (pkg.github.com.evil.com):
 * only a login gh holds for exactly that server would answer for it. */
static void
assert_by_name(const char *server, const char *expected)
{
	char out[SERVER_MAX];
	int is = github_server_by_name(server, out);

	if (expected == NULL)
		ck_assert_msg(!is, "'%s' is no registry of a GitHub server, got '%s'",
		    server, out);
	else {
		ck_assert_msg(is, "'%s' should be a registry of %s", server, expected);
		ck_assert_msg(strcmp(out, expected) == 0,
		    "'%s': expected GitHub server '%s', got '%s'", server, expected, out);
	}
}

START_TEST(test_registries_name_their_github_server)
{
	assert_by_name("ghcr.io", "github.com");
	assert_by_name("docker.pkg.github.com", "github.com");
	assert_by_name("containers.github.example.com", "github.example.com");
	assert_by_name("docker.github.example.com", "github.example.com");
	assert_by_name("containers.acme.ghe.com", "acme.ghe.com");
	/* GHE.com has no docker. registry; github.com none of these. */
	assert_by_name("docker.acme.ghe.com", NULL);
	assert_by_name("containers.github.com", NULL);
	assert_by_name("docker.github.com", NULL);
	/* Plain host names only: no port, no empty label, no dotless host. */
	assert_by_name("containers.github.example.com:443", NULL);
	assert_by_name("containers..example.com", NULL);
	assert_by_name("containers.example.com.", NULL);
	assert_by_name("docker.io", NULL);
	assert_by_name("containers.", NULL);
	assert_by_name("registry.example.com", NULL);
	assert_by_name("xcontainers.github.example.com", NULL);
}
END_TEST

Suite *suite_github(void);

Suite *
suite_github(void)
{
	Suite *s = suite_create("github");
	TCase *tc = tcase_create("classification");

	tcase_add_test(tc, test_github_com_registries);
	tcase_add_loop_test(tc, test_look_alikes_are_not_github, 0,
	    sizeof(look_alikes) / sizeof(look_alikes[0]));
	tcase_add_test(tc, test_enterprise_server_registries);
	tcase_add_test(tc, test_ghe_com_has_only_a_containers_registry);
	tcase_add_test(tc, test_added_hosts_belong_to_the_configured_server);
	tcase_add_test(tc, test_registries_name_their_github_server);
	suite_add_tcase(s, tc);
	return s;
}
