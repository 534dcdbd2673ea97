/*
 * Small pieces the commands for people share: the GitHub registry hosts
 * they act on, whether Docker can find this helper on PATH, and the
 * backend's human name.
 */
#ifndef GHCR_CMD_COMMON_H
#define GHCR_CMD_COMMON_H

#include <limits.h>

#include "server.h"
#include "settings.h"

#define PROGRAM_NAME "docker-credential-ghcr"
#define CMD_MAX_HOSTS (2 * SETTINGS_MAX_HOSTS + 4)

/*
 * The GitHub registry hosts: github.com's (ghcr.io,
 * docker.pkg.github.com), then the configured server's (GHES, GHE.com)
 * and the added hosts, each once.  Returns how many were written.
 */
int cmd_github_hosts(const struct settings *s, char hosts[][SERVER_MAX], int max);

/*
 * Looks for PROGRAM_NAME in $PATH the way Docker does (the first
 * executable regular file).  Returns 1 and fills found[] when there is
 * one, else 0.  *same is set to 1 when it is this very program.
 */
int cmd_helper_on_path(char found[PATH_MAX], int *same);

/* 1 when argv[1..] asks for the command's help (-h, --help). */
int cmd_wants_help(int argc, char **argv);

#endif
