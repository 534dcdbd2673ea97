/*
 * Credential resolution: which source answers for a server.  In order:
 * what was stored, the ambient GitHub token of the environment (GitHub
 * registry hosts only), the GitHub CLI's stored login.  The backend is
 * opened lazily, so a run that never needs it never loads it.
 */
#ifndef GHCR_SOURCES_H
#define GHCR_SOURCES_H

#include <jansson.h>

#include "settings.h"
#include "store.h"

enum source_kind {
	SOURCE_NONE = 0,
	SOURCE_STORED,
	SOURCE_AMBIENT,
	SOURCE_GH_CLI,
};

struct resolver {
	const struct settings *settings;
	const struct store_backend *backend; /* chosen on first use */
	const char *backend_reason;          /* static text, for status */
	void *handle;                        /* open backend, or NULL */
};

/* Prepares a resolver over `s` (borrowed); opens nothing yet. */
void resolver_init(struct resolver *res, const struct settings *s);

/* Closes the backend if it was opened; accepts a never-used resolver. */
void resolver_close(struct resolver *res);

/* Chooses and opens the backend, once.  GHCR_OK or the backend's error. */
int resolver_open_backend(struct resolver *res);

/*
 * Answers `get` for the normalised server: fills *out (free with
 * credential_clear) and *from.  GHCR_ERR_NOT_FOUND when no source has a
 * credential; a backend error otherwise stops the search, so a damaged
 * store is reported instead of being papered over by another source.
 */
int sources_get(struct resolver *res, const char *server,
		struct credential *out, enum source_kind *from);

/*
 * Adds every server `get` would answer for to the JSON object `listing`
 * (server -> username), stored entries first.  Reads no secret.
 */
int sources_list(struct resolver *res, json_t *listing);

/* The ambient token variable that is set ("GITHUB_TOKEN", "GH_TOKEN"), or
 * NULL; *value points into the environment. */
const char *sources_ambient_token(const char **value);

/* The username sent with the ambient token; never empty. */
const char *sources_ambient_username(void);

/* Human name of a source, for status. */
const char *sources_kind_name(enum source_kind kind);

#endif
