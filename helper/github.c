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
github_add_registries(const struct settings *s, const char *github_host,
		      char hosts[][SERVER_MAX], int n, int max)
{
	char more[GITHUB_SERVER_REGISTRIES][SERVER_MAX];
	int m = github_registries(s, github_host, more, GITHUB_SERVER_REGISTRIES), k;

	for (int i = 0; i < m && n < max; i++) {
		for (k = 0; k < n; k++)
			if (strcmp(hosts[k], more[i]) == 0)
				break;
		if (k == n)
			memcpy(hosts[n++], more[i], SERVER_MAX);
	}
	return n;
}

int
github_all_registries(const struct settings *s, char hosts[][SERVER_MAX],
		      int max)
{
	const char *servers[2];
	int n = github_registries(s, "github.com", hosts, max);

	if (github_servers(s, servers) == 1)
		return n;
	return github_add_registries(s, servers[1], hosts, n, max);
}

/* 1 when `s` is `prefix` followed by exactly `host`. */
static int
is_prefixed(const char *s, const char *prefix, const char *host)
{
	size_t n = strlen(prefix);

	return strlen(s) > n && memcmp(s, prefix, n) == 0 &&
	    strcmp(s + n, host) == 0;
}

/*
 * Whether `server` is one of github_registries(s, github_host), compared
 * in place rather than by building the list: the gate runs on every
 * GitHub `get`, and formatting the names costs more than the rest of it.
 */
static int
is_registry_of(const struct settings *s, const char *github_host,
	       const char *server)
{
	if (strcmp(github_host, "github.com") == 0) {
		if (strcmp(server, "ghcr.io") == 0 ||
		    strcmp(server, "docker.pkg.github.com") == 0)
			return 1;
	} else if (github_host[0] != '\0' &&
	    (is_prefixed(server, "containers.", github_host) ||
	    (!github_is_ghe_com(github_host) &&
	    is_prefixed(server, "docker.", github_host))))
		return 1;
	if (strcmp(github_host, s->github_host) == 0)
		for (int i = 0; i < s->n_extra_hosts; i++)
			if (strcmp(s->extra_hosts[i], server) == 0)
				return 1;
	return 0;
}

/* 1 when `s` starts with `prefix`; *rest is what follows. */
static int
has_prefix(const char *s, const char *prefix, const char **rest)
{
	size_t n = strlen(prefix);

	if (strlen(s) <= n || memcmp(s, prefix, n) != 0)
		return 0;
	*rest = s + n;
	return 1;
}

int
github_server_by_name(const char *server, char out[SERVER_MAX])
{
	const char *host;

	out[0] = '\0';
	if (strcmp(server, "ghcr.io") == 0 ||
	    strcmp(server, "docker.pkg.github.com") == 0) {
		memcpy(out, "github.com", sizeof("github.com"));
		return 1;
	}
	/* The inverse of github_registries(): containers.HOST for any
	 * server, docker.HOST for an enterprise server only; github.com's
	 * registries have other names. */
	if (!(has_prefix(server, "containers.", &host) ||
	    (has_prefix(server, "docker.", &host) && !github_is_ghe_com(host))) ||
	    strcmp(host, "github.com") == 0 || !github_host_is_plain(host))
		return 0;
	memcpy(out, host, strlen(host) + 1);
	return 1;
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
