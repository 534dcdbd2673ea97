/*
 * The GitHub CLI's login, the last source: the token gh keeps in its
 * hosts.yml for the GitHub server the registry belongs to.  Off with
 * DOCKER_CREDENTIAL_GHCR_GH_CLI=off.
 */
#include "sources.h"
#include "errors.h"
#include "ghcli.h"

static int
ghcli_get(const struct source_query *q, struct credential *out,
	  struct source_hit *hit)
{
	(void)hit;
	if (!q->res->settings->gh_cli)
		return GHCR_ERR_NOT_FOUND;
	return ghcli_login(q->github, q->want_secret, &out->username,
	    &out->secret);
}

static void
ghcli_still_answers(FILE *out, const struct source_hit *hit,
		    const struct credential *cred)
{
	(void)hit;
	fprintf(out, "Note: the GitHub CLI's login (user %s) still answers for "
	    "%s; 'gh auth logout' removes it, or set "
	    "DOCKER_CREDENTIAL_GHCR_GH_CLI=off.\n", cred->username, cred->server);
}

const struct source source_ghcli = {
	.id = "gh-cli",
	.name = "GitHub CLI login",
	.flags = SOURCE_GITHUB,
	.get = ghcli_get,
	.list = sources_list_github,
	.still_answers = ghcli_still_answers,
};
