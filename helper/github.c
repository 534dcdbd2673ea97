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
github_host_is_plain(const char *host)
{
	size_t n = strlen(host);
	int dots = 0;

	if (n == 0 || n > 253 || host[0] == '.' || host[0] == '-' ||
	    host[n - 1] == '.' || host[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = host[i];

		if (c == '.') {
			if (host[i + 1] == '.')
				return 0;
			dots++;
		} else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-'))
			return 0;
	}
	return dots > 0;
}

/* A GitHub server's own registries, without the added hosts. */
static int
fixed_registries(const char *github_host, char hosts[][SERVER_MAX], int max)
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
#undef ADD_HOST
	return n;
}

int
github_registries(const struct settings *s, const char *github_host,
		  char hosts[][SERVER_MAX], int max)
{
	int n = fixed_registries(github_host, hosts, max);

#define ADD_HOST(...) do { \
		if (n < max && snprintf(hosts[n], SERVER_MAX, __VA_ARGS__) < SERVER_MAX) \
			n++; \
	} while (0)

	/* Hosts the user added are registries of the configured server. */
	if (strcmp(github_host, s->github_host) == 0)
		for (int i = 0; i < s->n_extra_hosts; i++)
			ADD_HOST("%s", s->extra_hosts[i]);
#undef ADD_HOST
	return n;
}

int
github_servers(const struct settings *s, const char *servers[2])
{
	servers[0] = "github.com";
	if (strcmp(s->github_host, servers[0]) == 0)
		return 1;
	servers[1] = s->github_host;
	return 2;
}

int
github_all_registries(const struct settings *s, char hosts[][SERVER_MAX],
		      int max)
{
	char more[GITHUB_SERVER_REGISTRIES][SERVER_MAX];
	const char *servers[2];
	int n, m, k;

	n = github_registries(s, "github.com", hosts, max);
	if (github_servers(s, servers) == 1)
		return n;
	m = github_registries(s, servers[1], more, GITHUB_SERVER_REGISTRIES);
	for (int i = 0; i < m && n < max; i++) {
		for (k = 0; k < n; k++)
			if (strcmp(hosts[k], more[i]) == 0)
				break;
		if (k == n)
			memcpy(hosts[n++], more[i], SERVER_MAX);
	}
	return n;
}

static int
is_registry_of(const struct settings *s, const char *github_host,
	       const char *server)
{
	char hosts[GITHUB_SERVER_REGISTRIES][SERVER_MAX];
	int n = github_registries(s, github_host, hosts, GITHUB_SERVER_REGISTRIES);

	for (int i = 0; i < n; i++)
		if (strcmp(hosts[i], server) == 0)
			return 1;
	return 0;
}

int
github_server_by_name(const char *server, char out[SERVER_MAX])
{
	char hosts[2][SERVER_MAX], candidate[SERVER_MAX];
	const char *rest = NULL;
	int n;

	out[0] = '\0';
	if (strcmp(server, "ghcr.io") == 0 ||
	    strcmp(server, "docker.pkg.github.com") == 0)
		rest = "github.com";
	else if (strncmp(server, "containers.", 11) == 0)
		rest = server + 11;
	else if (strncmp(server, "docker.", 7) == 0)
		rest = server + 7;
	if (rest == NULL || strlen(rest) >= sizeof(candidate) ||
	    !github_host_is_plain(rest))
		return 0;
	memcpy(candidate, rest, strlen(rest) + 1);
	/* The way back must give the very same name: containers.github.com
	 * and docker.SUB.ghe.com are no GitHub registries. */
	n = fixed_registries(candidate, hosts, 2);
	for (int i = 0; i < n; i++)
		if (strcmp(hosts[i], server) == 0) {
			memcpy(out, candidate, strlen(candidate) + 1);
			return 1;
		}
	return 0;
}

int
github_server_for_registry(const struct settings *s, const char *server,
			   char out[SERVER_MAX])
{
	const char *servers[2];
	int n = github_servers(s, servers);

	out[0] = '\0';
	/* github.com's registries come first and always count, so a
	 * github.com login in the GitHub CLI serves ghcr.io even on a GHES
	 * runner. */
	for (int i = 0; i < n; i++)
		if (is_registry_of(s, servers[i], server)) {
			snprintf(out, SERVER_MAX, "%s", servers[i]);
			return 1;
		}
	return 0;
}
