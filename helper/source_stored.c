/*
 * The first source: what was stored with `store` or `login`, in the
 * backend the settings choose.  Any registry, GitHub or not.  A stored
 * token known to have expired does not answer: sent anyway, it would make
 * the registry refuse even pulls of public images, which it serves to
 * anyone who sends nothing.
 */
#include "sources.h"
#include "errors.h"
#include "utc.h"

#include <string.h>

static int
stored_get(const struct source_query *q, struct credential *out,
	   struct source_hit *hit)
{
	int r;

	/* The backend hands out the secret whether asked or not. */
	if ((r = resolver_get(q->res, q->server, out)) != GHCR_OK)
		return r;
	/* The date rides in what the backend read anyway: a credential
	 * without one costs a comparison, not a clock read. */
	if (out->expires != 0 && out->expires <= utc_now()) {
		hit->stored_expired = out->expires;
		credential_clear(out);
		return GHCR_ERR_NOT_FOUND;
	}
	return GHCR_OK;
}

/* An expired login is still listed: see README ("Where a credential comes
 * from") for why list does not hide it.  A login scoped to a namespace
 * ("ghcr.io/org") is not: Docker reads list's keys as registry addresses
 * and asks get for each, and get names a host, so it answers such a key
 * with the host-wide login; list -> get would not round-trip. */
static int
add_stored(const char *server, const char *username, void *ctx)
{
	if (strchr(server, '/') != NULL)
		return 0;
	return json_object_set_new(ctx, server, json_string(username)) == 0 ?
	    0 : GHCR_ERR_NO_MEMORY;
}

static int
stored_list(struct resolver *res, const struct source *self, json_t *listing)
{
	(void)self;
	return resolver_list(res, add_stored, listing);
}

const struct source source_stored = {
	.id = "stored",
	.name = "stored",
	.flags = SOURCE_STORE,
	.get = stored_get,
	.list = stored_list,
};
