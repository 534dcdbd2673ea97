/*
 * gh's keyring token (see ghcli_keyring.h).  gh writes it with go-keyring
 * as service "gh:HOST", username LOGIN; since gh 2.40 the active account's
 * token is also kept under username "".  The embedded build has no Secret
 * Service module: there a keyring login is unreadable, said once.
 */
#include "ghcli_keyring.h"
#include "errors.h"
#include "server.h"

#include <stdio.h>

#ifdef WITH_SECRETSERVICE
#include "secretservice.h"
#endif

int
ghcli_keyring_token(const char *github_host, const char *login, char **token)
{
#ifdef WITH_SECRETSERVICE
	const char *names[] = { login, "", NULL };
	char service[SERVER_MAX + 3], why[512];
	const char *no_bus;
	int which, r;

	*token = NULL;
	/* Nothing is loaded when there is plainly no bus to ask. */
	if ((no_bus = secretservice_no_bus_reason()) != NULL)
		return ghcr_fail(GHCR_ERR_UNAVAILABLE, "gh keeps its token for %s "
		    "in the system keyring, which cannot be read here: %s",
		    github_host, no_bus);
	if (snprintf(service, sizeof(service), "gh:%s", github_host) >=
	    (int)sizeof(service))
		return GHCR_ERR_NOT_FOUND;
	/* The active account's own item first: `user:` in hosts.yml is
	 * what gh switches. */
	if (login[0] == '\0')
		names[1] = NULL;
	r = secretservice_lookup(service, names, token, &which);
	if (r == GHCR_ERR_NOT_FOUND) {
		ghcr_error_clear();
		return r;
	}
	if (r != GHCR_OK) {
		/* The detail lives where ghcr_fail() writes: copy it first. */
		snprintf(why, sizeof(why), "%s", ghcr_error_message(r));
		return ghcr_fail(r, "gh keeps its token for %s in the system "
		    "keyring, which cannot be read here: %s", github_host, why);
	}
	return GHCR_OK;
#else
	(void)login;
	*token = NULL;
	return ghcr_fail(GHCR_ERR_UNAVAILABLE, "gh keeps its token for %s in "
	    "the system keyring, and this build has no Secret Service support "
	    "(WITH_SECRETSERVICE=0); run 'gh auth login --insecure-storage' "
	    "to keep it in hosts.yml", github_host);
#endif
}
