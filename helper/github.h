/*
 * Which registry hosts belong to GitHub, and to which GitHub server.  This
 * is the gate in front of every GitHub token the helper hands out: a token
 * goes to a registry only when the registry is an exact match here.
 */
#ifndef GHCR_GITHUB_H
#define GHCR_GITHUB_H

#include <stddef.h>

#include "server.h"
#include "settings.h"

/*
 * For a normalised server key, writes the GitHub server it belongs to
 * ("github.com" for ghcr.io and docker.pkg.github.com, "HOST" for
 * containers.HOST and docker.HOST when HOST is the configured enterprise
 * server, "SUB.ghe.com" for containers.SUB.ghe.com) into out[SERVER_MAX]
 * and returns 1; returns 0 for every other host.  Comparison is exact:
 * "ghcr.io.evil.com", "evilghcr.io", "ghcr.io:443" are not GitHub.
 */
int github_server_for_registry(const struct settings *s, const char *server,
			       char out[SERVER_MAX]);

/*
 * Writes the registry hosts of the GitHub server `github_host` into
 * hosts[0..max), returning how many: ghcr.io and docker.pkg.github.com for
 * github.com, containers.HOST and docker.HOST for a GHES host,
 * containers.SUB.ghe.com for GHE.com; added hosts count for the
 * configured server.
 */
int github_registries(const struct settings *s, const char *github_host,
		      char hosts[][SERVER_MAX], int max);

/* 1 when `host` ends in ".ghe.com" (GitHub Enterprise Cloud with data
 * residency), which has only a containers. registry. */
int github_is_ghe_com(const char *host);

#endif
