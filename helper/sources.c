/*
 * Credential resolution (see sources.h).  The GitHub gate is here: the
 * ambient token and gh's login are only ever considered after
 * github_server_for_registry() has matched the server exactly, and the
 * ambient token only for the GitHub server it was issued by.
 */
#include "sources.h"
#include "errors.h"
#include "ghcli.h"
#include "github.h"
#include "secmem.h"

#include <stdlib.h>
#include <string.h>

void
resolver_init(struct resolver *res, const struct settings *s)
{
	memset(res, 0, sizeof(*res));
	res->settings = s;
}

void
resolver_close(struct resolver *res)
{
	if (res->backend != NULL && res->handle != NULL)
		res->backend->close(res->handle);
	res->handle = NULL;
}

int
resolver_open_backend(struct resolver *res)
{
	struct store_location where;
	int r;

	if (res->handle != NULL)
		return GHCR_OK;
	if (res->backend == NULL &&
	    (r = settings_choose_backend(res->settings, &res->backend,
	    &res->backend_reason)) != GHCR_OK)
		return r;
	settings_file_location(res->settings, &where);
	return res->backend->open(&where, &res->handle);
}

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

const char *
sources_ambient_username(void)
{
	const char *actor = getenv("GITHUB_ACTOR");

	/* Registries want a non-empty name; with a token any name logs in,
	 * and this is the one GitHub itself uses for app tokens. */
	return actor != NULL && actor[0] != '\0' ? actor : "x-access-token";
}

const char *
sources_kind_name(enum source_kind kind)
{
	switch (kind) {
	case SOURCE_STORED: return "stored";
	case SOURCE_AMBIENT: return "ambient token";
	case SOURCE_GH_CLI: return "GitHub CLI login";
	default: return "none";
	}
}

int
sources_get(struct resolver *res, const char *server, struct credential *out,
	    enum source_kind *from)
{
	char github_host[SERVER_MAX], *user = NULL, *token = NULL;
	const char *ambient;
	int r;

	memset(out, 0, sizeof(*out));
	*from = SOURCE_NONE;
	if ((r = resolver_open_backend(res)) != GHCR_OK)
		return r;
	r = res->backend->get(res->handle, server, out);
	if (r == GHCR_OK)
		*from = SOURCE_STORED;
	if (r != GHCR_ERR_NOT_FOUND)
		return r;

	if (!github_server_for_registry(res->settings, server, github_host))
		return GHCR_ERR_NOT_FOUND;
	if (strcmp(github_host, res->settings->github_host) == 0 &&
	    sources_ambient_token(&ambient) != NULL) {
		if ((r = credential_fill(out, server, sources_ambient_username(),
		    ambient)) == GHCR_OK)
			*from = SOURCE_AMBIENT;
		return r;
	}
	if (!res->settings->gh_cli)
		return GHCR_ERR_NOT_FOUND;
	if ((r = ghcli_login(github_host, 1, &user, &token)) != GHCR_OK)
		return r;
	r = credential_fill(out, server, user, token);
	if (r == GHCR_OK)
		*from = SOURCE_GH_CLI;
	secmem_free(user);
	secmem_free(token);
	return r;
}

static int
add_stored(const char *server, const char *username, void *ctx)
{
	return json_object_set_new(ctx, server, json_string(username)) == 0 ?
	    0 : GHCR_ERR_NO_MEMORY;
}

/* Adds the registries of one GitHub server, unless already listed. */
static int
add_github_hosts(struct resolver *res, json_t *listing, const char *github_host,
		 const char *username)
{
	char hosts[SETTINGS_MAX_HOSTS + 2][SERVER_MAX];
	int n = github_registries(res->settings, github_host, hosts,
	    SETTINGS_MAX_HOSTS + 2);

	for (int i = 0; i < n; i++)
		if (json_object_get(listing, hosts[i]) == NULL &&
		    json_object_set_new(listing, hosts[i], json_string(username)) != 0)
			return GHCR_ERR_NO_MEMORY;
	return GHCR_OK;
}

int
sources_list(struct resolver *res, json_t *listing)
{
	const char *ambient, *servers[2];
	char *user = NULL, *token = NULL;
	int r;

	if ((r = resolver_open_backend(res)) != GHCR_OK)
		return r;
	if ((r = res->backend->list(res->handle, add_stored, listing)) != GHCR_OK)
		return r;
	if (sources_ambient_token(&ambient) != NULL &&
	    (r = add_github_hosts(res, listing, res->settings->github_host,
	    sources_ambient_username())) != GHCR_OK)
		return r;
	if (!res->settings->gh_cli)
		return GHCR_OK;
	servers[0] = "github.com";
	servers[1] = res->settings->github_host;
	for (int i = 0; i < 2; i++) {
		if (i == 1 && strcmp(servers[1], servers[0]) == 0)
			break;
		if (ghcli_login(servers[i], 0, &user, &token) != GHCR_OK)
			continue;
		r = add_github_hosts(res, listing, servers[i], user);
		secmem_free(user);
		if (r != GHCR_OK)
			return r;
	}
	return GHCR_OK;
}
