/*
 * The store behind the sources (see resolver.h): one backend per run,
 * chosen by store_choose_open() and opened lazily.
 */
#include "resolver.h"
#include "errors.h"

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
	struct store_choice choice;
	int r;

	if (res->handle != NULL)
		return GHCR_OK;
	settings_file_location(res->settings, &where);
	if (res->backend != NULL) /* chosen before, but it failed to open */
		return res->backend->open(&where, &res->handle);
	r = store_choose_open(res->settings->backend_setting,
	    res->settings->job_scoped, &where, &choice);
	res->backend = choice.backend;
	res->backend_reason = choice.reason;
	res->handle = choice.handle;
	return r;
}

int
resolver_get(struct resolver *res, const char *server, struct credential *out)
{
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = resolver_open_backend(res)) != GHCR_OK)
		return r;
	return res->backend->get(res->handle, server, out);
}

int
resolver_put(struct resolver *res, const struct credential *cred)
{
	int r;

	if ((r = resolver_open_backend(res)) != GHCR_OK)
		return r;
	return res->backend->put(res->handle, cred);
}

int
resolver_erase(struct resolver *res, const char *server)
{
	int r;

	if ((r = resolver_open_backend(res)) != GHCR_OK)
		return r;
	return res->backend->erase(res->handle, server);
}

int
resolver_list(struct resolver *res, store_list_fn fn, void *ctx)
{
	int r;

	if ((r = resolver_open_backend(res)) != GHCR_OK)
		return r;
	return res->backend->list(res->handle, fn, ctx);
}

int
resolver_note_expiry(struct resolver *res, const struct credential *cred,
		     time_t expires)
{
	int r;

	if ((r = resolver_open_backend(res)) != GHCR_OK)
		return r;
	/* The backend compares and records in one step (see store.h):
	 * reading here and writing back would undo a login that landed in
	 * between. */
	r = res->backend->note_expiry(res->handle, cred, expires);
	if (r == GHCR_ERR_NOT_FOUND) {
		/* Gone, or another login now: nothing of ours to date. */
		ghcr_error_clear();
		r = GHCR_OK;
	}
	return r;
}

const char *
resolver_title(const struct resolver *res)
{
	return res->backend != NULL ? res->backend->title : "the credential store";
}
