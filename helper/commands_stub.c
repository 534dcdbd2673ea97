/*
 * Placeholder for the commands for people until helper/commands*.c land:
 * each says plainly that it is not available yet.
 */
#include "commands.h"
#include "errors.h"

#define NOT_YET(name) \
	int name(int argc, char **argv, struct resolver *res) \
	{ (void)argc; (void)res; \
	  return ghcr_fail(GHCR_ERR_BAD_INPUT, "'%s' is not implemented yet", argv[0]); }

NOT_YET(cmd_configure)
NOT_YET(cmd_login)
NOT_YET(cmd_logout)
NOT_YET(cmd_status)
