/*
 * The table of credential sources and the walks over it (see sources.h).
 * The order of the table is the order of precedence.
 */
#include "sources.h"
#include "errors.h"
#include "github.h"
#include "secmem.h"

#include <stdio.h>
#include <string.h>

extern const struct source source_stored;
extern const struct source source_ambient;
extern const struct source source_ghcli;

static const struct source *const sources[] = {
	&source_stored,
	&source_ambient,
	&source_ghcli,
	NULL,
};

const struct source *
sources_find(const char *id)
{
	for (size_t i = 0; sources[i] != NULL; i++)
		if (strcmp(sources[i]->id, id) == 0)
			return sources[i];
	return NULL;
}

int
sources_github_server(const struct settings *s, const struct source *src,
		      const char *server, char out[SERVER_MAX])
{
	if (github_server_for_registry(s, server, out))
		return 1;
	return (src->flags & SOURCE_OWN_SERVERS) &&
	    github_server_by_name(server, out);
}

int
sources_get(struct resolver *res, const char *server, unsigned how,
	    struct credential *out, struct source_hit *hit)
{
	struct source_query q = { res, server, NULL, !(how & SOURCES_NO_SECRET) };
	char github[SERVER_MAX], named[SERVER_MAX];
	int r = GHCR_ERR_NOT_FOUND, gate = -1, by_name = -1;

	memset(out, 0, sizeof(*out));
	hit->source = NULL;
	hit->detail = NULL;
	hit->skipped[0] = '\0';
	hit->stored_expired = 0;
	for (size_t i = 0; sources[i] != NULL; i++) {
		const struct source *src = sources[i];

		if (((how & SOURCES_SKIP_STORE) && (src->flags & SOURCE_STORE)) ||
		    ((how & SOURCES_SKIP_AMBIENT) && (src->flags & SOURCE_AMBIENT)) ||
		    ((how & SOURCES_SKIP_PERSONAL) && (src->flags & SOURCE_PERSONAL)))
			continue;
		if (src->flags & SOURCE_GITHUB) {
			/* The gate: an exact GitHub registry, or no token. */
			if (gate == -1)
				gate = github_server_for_registry(res->settings,
				    server, github);
			q.github = github;
			if (!gate) {
				/* A source with logins of its own for named
				 * GitHub servers may hold this one's. */
				if (!(src->flags & SOURCE_OWN_SERVERS))
					continue;
				if (by_name == -1)
					by_name = github_server_by_name(server, named);
				if (!by_name)
					continue;
				q.github = named;
			}
		}
		hit->detail = NULL;
		if ((r = src->get(&q, out, hit)) == GHCR_ERR_NOT_FOUND)
			continue;
		if (r != GHCR_OK) {
			if ((r != GHCR_ERR_UNAVAILABLE && r != GHCR_ERR_LOCKED) ||
			    !(src->flags & SOURCE_SKIPPABLE))
				goto out;
			/* Say why once, and let the next source answer. */
			snprintf(hit->skipped, sizeof(hit->skipped), "%s skipped: %s",
			    src->name, ghcr_error_message(r));
			ghcr_error_clear();
			credential_clear(out);
			r = GHCR_ERR_NOT_FOUND;
			continue;
		}
		if (out->server == NULL &&
		    (out->server = secmem_strdup(server)) == NULL) {
			r = GHCR_ERR_NO_MEMORY;
			goto out;
		}
		hit->source = src;
		return GHCR_OK;
	}
out:
	credential_clear(out);
	hit->detail = NULL;
	return r;
}

int
sources_list(struct resolver *res, json_t *listing)
{
	int r;

	for (size_t i = 0; sources[i] != NULL; i++)
		if ((r = sources[i]->list(res, sources[i], listing)) != GHCR_OK)
			return r;
	return GHCR_OK;
}

int
sources_list_github(struct resolver *res, const struct source *self,
		    json_t *listing)
{
	char servers[2][SERVER_MAX];
	const char *names[2];
	int n = github_servers(res->settings, names);

	for (int g = 0; g < n; g++)
		snprintf(servers[g], SERVER_MAX, "%s", names[g]);
	return sources_list_servers(res, self, (const char (*)[SERVER_MAX])servers,
	    n, listing);
}

int
sources_list_servers(struct resolver *res, const struct source *self,
		     const char (*servers)[SERVER_MAX], int nservers,
		     json_t *listing)
{
	char hosts[GITHUB_SERVER_REGISTRIES][SERVER_MAX];
	struct credential cred = { 0 };
	struct source_hit hit;
	int n, r;

	for (int g = 0; g < nservers; g++) {
		struct source_query q = { res, NULL, servers[g], 0 };

		/* A source that cannot say lists nothing; get will tell. */
		if (self->get(&q, &cred, &hit) != GHCR_OK) {
			ghcr_error_clear();
			continue;
		}
		n = github_registries(res->settings, servers[g], hosts,
		    GITHUB_SERVER_REGISTRIES);
		for (int i = 0; i < n; i++)
			if (json_object_get(listing, hosts[i]) == NULL &&
			    json_object_set_new(listing, hosts[i],
			    json_string(cred.username)) != 0) {
				r = GHCR_ERR_NO_MEMORY;
				goto out;
			}
		credential_clear(&cred);
	}
	r = GHCR_OK;
out:
	credential_clear(&cred);
	return r;
}
