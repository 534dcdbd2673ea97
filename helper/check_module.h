/*
 * check: tries each credential against its registry for real before a
 * build needs it (token exchange, pull and push probes that write nothing,
 * and for personal tokens the GitHub API's scopes, expiry and SSO), one
 * line per problem with its fix.  The same verification is offered to
 * login through check_token_for_login().
 *
 * All of it lives in a module (docker-credential-ghcr-check.so, next to
 * the Secret Service one) that helper/check_loader.c dlopen()s on first
 * use, and which dlopen()s libcurl in turn: the helper binary gains no
 * import, relocation or page, so the protocol commands cost exactly what
 * they did.  The module calls back into the helper through the symbols
 * listed in helper/check/check.exports.
 */
#ifndef GHCR_CMD_CHECK_H
#define GHCR_CMD_CHECK_H

#include <time.h>

#include "settings.h"
#include "sources.h"

/* Whole-run budget, overridable with DOCKER_CREDENTIAL_GHCR_CHECK_TIMEOUT. */
#define CHECK_DEFAULT_BUDGET_S 20

/* `check [--json] [IMAGE...]`: exit status 0 when every checked
 * credential works for what was asked (the JSON shape is documented in the man page). */
int cmd_check(int argc, char **argv, struct resolver *res);

enum check_verdict {
	CHECK_WORKS = 0,       /* the registry took the login */
	CHECK_REFUSED = 1,     /* the registry (or GitHub) refused it: do not store */
	CHECK_UNREACHABLE = 2, /* no answer: store it, and warn */
};

/*
 * Verifies a login before it is stored: the registry's token exchange for
 * `server` (normalised) with username/secret and, for a personal token on
 * a GitHub registry, the GitHub API.  Returns an enum check_verdict, with
 * the reason as the error detail (ghcr_error_detail()) unless it works,
 * or a negative ghcr_status (out of memory, libcurl missing).  *expiry is
 * set to the token's expiry as GitHub reported it, or 0 when unknown.
 */
int check_token_for_login(const char *server, const char *username,
			  const char *secret, time_t *expiry,
			  const struct settings *s);

#define CHECK_MODULE_FILE "docker-credential-ghcr-check.so"
#define CHECK_MODULE_SYMBOL "ghcr_check_module"
/* Bumped whenever struct check_module, struct resolver, struct settings,
 * struct credential or struct source_hit change shape, so a stale
 * installed module is refused, not misread (2: expiry; 3: settings.system). */
#define CHECK_ABI 3

struct check_module {
	unsigned int abi;       /* CHECK_ABI of the module's build */
	size_t resolver_size;   /* sizeof(struct resolver) there */
	size_t settings_size;   /* sizeof(struct settings) there */
	int (*cmd)(int argc, char **argv, struct resolver *res);
	int (*login)(const char *server, const char *username,
		     const char *secret, time_t *expiry,
		     const struct settings *s);
};

#endif
