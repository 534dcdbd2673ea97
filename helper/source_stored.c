/*
 * The first source: what was stored with `store` or `login`, in the
 * backend the settings choose.  Any registry, GitHub or not.
 */
#include "sources.h"
#include "errors.h"

static int
stored_get(const struct source_query *q, struct credential *out,
	   struct source_hit *hit)
{
	(void)hit;
	/* The backend hands out the secret whether asked or not. */
	return resolver_get(q->res, q->server, out);
}

static int
add_stored(const char *server, const char *username, void *ctx)
{
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
