/*
 * GitHub registry host classification (see github.h).  Every answer is an
 * exact string comparison against a list built from fixed names and the
 * configured server: no suffix, prefix or pattern matching, so no
 * look-alike host can ever receive a token.
 */
#include "github.h"

#include <stdio.h>
#include <string.h>

int
github_is_ghe_com(const char *host)
{
	size_t n = strlen(host), suffix = strlen(".ghe.com");

	return n > suffix && strcmp(host + n - suffix, ".ghe.com") == 0;
}

int
github_registries(const struct settings *s, const char *github_host,
		  char hosts[][SERVER_MAX], int max)
{
	int n = 0;

#define ADD_HOST(...) do { \
		if (n < max && snprintf(hosts[n], SERVER_MAX, __VA_ARGS__) < SERVER_MAX) \
			n++; \
	} while (0)

	if (strcmp(github_host, "github.com") == 0) {
		ADD_HOST("ghcr.io");
		ADD_HOST("docker.pkg.github.com");
	} else if (github_is_ghe_com(github_host)) {
		ADD_HOST("containers.%s", github_host);
	} else if (github_host[0] != '\0') {
		ADD_HOST("containers.%s", github_host);
		ADD_HOST("docker.%s", github_host);
	}
	/* Hosts the user added are registries of the configured server. */
	if (strcmp(github_host, s->github_host) == 0)
		for (int i = 0; i < s->n_extra_hosts; i++)
			ADD_HOST("%s", s->extra_hosts[i]);
#undef ADD_HOST
	return n;
}

static int
is_registry_of(const struct settings *s, const char *github_host,
	       const char *server)
{
	char hosts[SETTINGS_MAX_HOSTS + 2][SERVER_MAX];
	int n = github_registries(s, github_host, hosts,
	    SETTINGS_MAX_HOSTS + 2);

	for (int i = 0; i < n; i++)
		if (strcmp(hosts[i], server) == 0)
			return 1;
	return 0;
}

int
github_server_for_registry(const struct settings *s, const char *server,
			   char out[SERVER_MAX])
{
	out[0] = '\0';
	/* github.com's registries always count, so a github.com login in the
	 * GitHub CLI serves ghcr.io even on a GHES runner. */
	if (is_registry_of(s, "github.com", server)) {
		snprintf(out, SERVER_MAX, "github.com");
		return 1;
	}
	if (s->github_host[0] != '\0' &&
	    is_registry_of(s, s->github_host, server)) {
		snprintf(out, SERVER_MAX, "%s", s->github_host);
		return 1;
	}
	return 0;
}
