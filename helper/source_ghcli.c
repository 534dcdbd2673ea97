/*
 * The GitHub CLI's login, the last source: for the registries of every
 * GitHub server gh is logged in to, gh's active account and its token,
 * from hosts.yml when gh keeps the token there, else from the system
 * keyring.  The keyring is asked only when hosts.yml names an account
 * without a token, so a machine without gh never loads the Secret
 * Service module for it; a keyring that cannot answer (no bus, locked)
 * is passed over with one line.  Off with DOCKER_CREDENTIAL_GHCR_GH_CLI=off.
 */
#include "sources.h"
#include "errors.h"
#include "ghcli.h"
#include "ghcli_keyring.h"
#include "secmem.h"

#include <stdio.h>

/* How many GitHub servers of hosts.yml list names. */
#define GHCLI_MAX_SERVERS 16

/* The GitHub server of the last answer, for still_answers' advice. */
static char answered_for[SERVER_MAX];

static int
ghcli_get(const struct source_query *q, struct credential *out,
	  struct source_hit *hit)
{
	struct ghcli_login login;
	int r;

	if (!q->res->settings->gh_cli)
		return GHCR_ERR_NOT_FOUND;
	if ((r = ghcli_login(q->github, q->want_secret, &login)) != GHCR_OK)
		return r;
	snprintf(answered_for, sizeof(answered_for), "%s", q->github);
	hit->detail = login.in_file ? "hosts.yml" : "keyring";
	/* Who answers, not with what (list, logout): the file's word. */
	if (login.in_file || !q->want_secret) {
		out->username = login.user;
		out->secret = login.token;
		return GHCR_OK;
	}
	if ((r = ghcli_keyring_token(q->github, login.user, &out->secret)) != GHCR_OK) {
		ghcli_login_clear(&login);
		return r;
	}
	out->username = login.user;
	return GHCR_OK;
}

static int
ghcli_list(struct resolver *res, const struct source *self, json_t *listing)
{
	char servers[GHCLI_MAX_SERVERS][SERVER_MAX];
	int n;

	if (!res->settings->gh_cli)
		return GHCR_OK;
	/* hosts.yml's word only: a list asks no keyring, so it can never
	 * prompt or wait. */
	n = ghcli_servers(servers, GHCLI_MAX_SERVERS);
	return sources_list_servers(res, self, (const char (*)[SERVER_MAX])servers,
	    n, listing);
}

static void
ghcli_still_answers(FILE *out, const struct source_hit *hit,
		    const struct credential *cred)
{
	fprintf(out, "Note: the GitHub CLI's login (user %s, token in %s) "
	    "still answers for %s; to stop it, run 'gh auth logout -h %s', or "
	    "set DOCKER_CREDENTIAL_GHCR_GH_CLI=off.\n", cred->username,
	    hit->detail != NULL ? hit->detail : "hosts.yml", cred->server,
	    answered_for);
}

const struct source source_ghcli = {
	.id = "gh-cli",
	.name = "GitHub CLI login",
	.detail_key = "storage",
	.detail_label = "GitHub CLI (%s)",
	.flags = SOURCE_GITHUB | SOURCE_OWN_SERVERS | SOURCE_SKIPPABLE |
	    SOURCE_PERSONAL,
	.get = ghcli_get,
	.list = ghcli_list,
	.still_answers = ghcli_still_answers,
};
