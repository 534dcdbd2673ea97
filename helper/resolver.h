/*
 * The credential store behind the sources: the backend the settings
 * choose, opened on first use so a run that never needs it never loads
 * it.  Every call into a backend goes through here; nothing else touches
 * res->backend's slots.
 */
#ifndef GHCR_RESOLVER_H
#define GHCR_RESOLVER_H

#include "settings.h"
#include "store.h"

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
 * The backend's operations (see store.h for their contract), each opening
 * the backend first.  resolver_get() fills *out (free with
 * credential_clear); GHCR_ERR_NOT_FOUND when nothing is stored.
 */
int resolver_get(struct resolver *res, const char *server,
		 struct credential *out);
int resolver_put(struct resolver *res, const struct credential *cred);
int resolver_erase(struct resolver *res, const char *server);
int resolver_list(struct resolver *res, store_list_fn fn, void *ctx);

/*
 * Records `expires` beside the stored credential for cred->server, as
 * check and login learn it, provided the store still holds exactly `cred`
 * (same user name and token), checked and written in one step by the
 * backend's note_expiry() (see store.h): a login stored meanwhile by
 * someone else is neither overwritten with an old token nor given its
 * date.  GHCR_OK also when nothing needed recording (nothing stored, or
 * another login now); else the backend's error.
 */
int resolver_note_expiry(struct resolver *res, const struct credential *cred,
			 time_t expires);

/* The chosen backend's title for people ("the encrypted file store"), or
 * "the credential store" before one is chosen.  Never NULL. */
const char *resolver_title(const struct resolver *res);

#endif
