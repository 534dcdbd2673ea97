/*
 * Commands for people: configure, login, logout, status.  Each
 * takes the command's own argv (argv[0] is the command name) and the
 * resolver, prints for a person, and returns a ghcr_status.
 */
#ifndef GHCR_COMMANDS_H
#define GHCR_COMMANDS_H

#include "sources.h"

int cmd_configure(int argc, char **argv, struct resolver *res);
int cmd_login(int argc, char **argv, struct resolver *res);
int cmd_logout(int argc, char **argv, struct resolver *res);
int cmd_status(int argc, char **argv, struct resolver *res);

#endif
