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

/* The most registries one GitHub server has: its two, and the added hosts. */
#define GITHUB_SERVER_REGISTRIES (SETTINGS_MAX_HOSTS + 2)

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

/*
 * The GitHub servers whose tokens may be handed out: github.com, then the
 * configured server when it is another one.  Points servers[0..2) at
 * static text or into `s`; returns how many (1 or 2).
 */
int github_servers(const struct settings *s, const char *servers[2]);

/*
 * Every GitHub registry host, each once: github.com's (ghcr.io,
 * docker.pkg.github.com), then the configured server's (GHES, GHE.com)
 * and the added hosts.  The one list status, configure and list act on.
 * Returns how many were written to hosts[0..max).
 */
/*
 * Appends to hosts[0..n) the registries of the GitHub server `github_host`
 * that are not listed yet, up to `max`; returns the new count.
 */
int github_add_registries(const struct settings *s, const char *github_host,
			  char hosts[][SERVER_MAX], int n, int max);

int github_all_registries(const struct settings *s, char hosts[][SERVER_MAX],
			  int max);

/*
 * For a normalised server key, the GitHub server it is a registry of by
 * its name alone, whatever server is configured: "github.com" for ghcr.io
 * and docker.pkg.github.com, HOST for containers.HOST and docker.HOST,
 * SUB.ghe.com for containers.SUB.ghe.com.  Writes it into out[SERVER_MAX]
 * and returns 1, else 0.  Exact: the server must be one of the registries
 * github_registries() gives that GitHub server (without added hosts), and
 * HOST a plain host name.  Only a source holding a login for exactly that
 * GitHub server may answer with it (the GitHub CLI source: gh is logged
 * in to HOST).
 */
int github_server_by_name(const char *server, char out[SERVER_MAX]);

/* 1 when `host` is a plain lower-case DNS name with at least one dot
 * (letters, digits, '-', '.'; no empty label, no port), as gh writes the
 * servers it is logged in to. */
int github_host_is_plain(const char *host);

/* 1 when `host` ends in ".ghe.com" (GitHub Enterprise Cloud with data
 * residency), which has only a containers. registry. */
int github_is_ghe_com(const char *host);

#endif
