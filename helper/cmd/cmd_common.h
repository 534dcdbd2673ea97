/*
 * Small pieces the commands for people share: whether Docker can find
 * this helper on PATH, and asking for help.
 */
#ifndef GHCR_CMD_COMMON_H
#define GHCR_CMD_COMMON_H

#include <limits.h>

#include "program.h"
#include "server.h"
#include "settings.h"

/* The most registries a command acts on: the GitHub ones, or those given. */
#define CMD_MAX_HOSTS (2 * SETTINGS_MAX_HOSTS + 4)

/*
 * Looks for PROGRAM_NAME in $PATH the way Docker does (the first
 * executable regular file).  Returns 1 and fills found[] when there is
 * one, else 0.  *same is set to 1 when it is this very program.
 */
int cmd_helper_on_path(char found[PATH_MAX], int *same);

/* 1 when argv[1..] asks for the command's help (-h, --help). */
int cmd_wants_help(int argc, char **argv);

#endif
