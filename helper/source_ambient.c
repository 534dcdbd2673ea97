/*
 * The ambient token: GITHUB_TOKEN or GH_TOKEN in the environment, as in a
 * GitHub Actions job.  It goes only to the registries of the GitHub server
 * it was issued by (the configured one), never to github.com's from a
 * GHES runner.
 */
#include "sources.h"
#include "errors.h"
#include "secmem.h"

#include <stdlib.h>
#include <string.h>

const char *
sources_ambient_token(const char **value)
{
	static const char *const names[] = { "GITHUB_TOKEN", "GH_TOKEN" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *v = getenv(names[i]);

		if (v != NULL && v[0] != '\0') {
			*value = v;
			return names[i];
		}
	}
	*value = NULL;
	return NULL;
}

/* The username sent with the token; never empty. */
static const char *
ambient_username(void)
{
	const char *actor = getenv("GITHUB_ACTOR");

	/* Registries want a non-empty name; with a token any name logs in,
	 * and this is the one GitHub itself uses for app tokens. */
	return actor != NULL && actor[0] != '\0' ? actor : "x-access-token";
}

static int
ambient_get(const struct source_query *q, struct credential *out,
	    struct source_hit *hit)
{
	const char *value, *var;

	if (strcmp(q->github, q->res->settings->github_host) != 0 ||
	    (var = sources_ambient_token(&value)) == NULL)
		return GHCR_ERR_NOT_FOUND;
	if ((out->username = secmem_strdup(ambient_username())) == NULL ||
	    (q->want_secret && (out->secret = secmem_strdup(value)) == NULL)) {
		credential_clear(out);
		return GHCR_ERR_NO_MEMORY;
	}
	hit->detail = var;
	return GHCR_OK;
}

static void
ambient_still_answers(FILE *out, const struct source_hit *hit,
		      const struct credential *cred)
{
	fprintf(out, "Note: %s in the environment still answers for %s.\n",
	    hit->detail, cred->server);
}

const struct source source_ambient = {
	.id = "ambient",
	.name = "ambient token",
	.detail_key = "variable",
	.flags = SOURCE_GITHUB | SOURCE_AMBIENT,
	.get = ambient_get,
	.list = sources_list_github,
	.still_answers = ambient_still_answers,
};
