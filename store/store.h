/*
 * The storage backend interface.  A backend is a const struct of function
 * pointers with a name; store/registry.c lists the ones built in.
 *
 * Contract, for every slot:
 *  - return GHCR_OK (0) or a negative enum ghcr_status, with a detail line
 *    recorded through ghcr_fail() whenever a person needs more than the
 *    fixed message (which file, which fix);
 *  - `server` arguments are already normalised (see helper/server.h), so a
 *    backend compares them byte for byte;
 *  - a backend never prints and never exits;
 *  - strings handed out in a struct credential are owned by the caller and
 *    are freed with credential_clear(); the secret is in secmem memory.
 */
#ifndef GHCR_STORE_H
#define GHCR_STORE_H

#include <stddef.h>

struct credential {
	char *server;   /* normalised registry host[:port] */
	char *username; /* "<token>" marks an identity token, kept as is */
	char *secret;   /* secmem memory; never logged */
};

/* Wipes and frees the three strings (any may be NULL) and zeroes *c. */
void credential_clear(struct credential *c);

/* Sets *c to secmem copies of the three strings (none may be NULL), which
 * the caller frees with credential_clear().  GHCR_OK, or
 * GHCR_ERR_NO_MEMORY with *c cleared. */
int credential_fill(struct credential *c, const char *server,
		    const char *username, const char *secret);

/* Where the file backend keeps its data; strings owned by the caller. */
struct store_location {
	const char *store_path;      /* the encrypted store file */
	const char *key_path;        /* random key file, created on first use */
	const char *passphrase_path; /* optional: derive the key from this file */
	const char *passphrase;      /* optional: derive the key from this text */
};

/* Called once per entry by list(); a non-zero return stops the walk, and a
 * negative one (a ghcr_status) is what list() then returns. */
typedef int (*store_list_fn)(const char *server, const char *username,
			     void *ctx);

struct store_backend {
	const char *name;

	/* Prepares a handle in *out; must not hang (fails fast instead). */
	int (*open)(const struct store_location *where, void **out);

	/* Fills *out for `server`; GHCR_ERR_NOT_FOUND when nothing is stored. */
	int (*get)(void *handle, const char *server, struct credential *out);

	/* Stores `cred`, replacing any credential for the same server. */
	int (*put)(void *handle, const struct credential *cred);

	/* Removes the credential for `server`; GHCR_OK also when none. */
	int (*erase)(void *handle, const char *server);

	/* Walks server/username pairs without reading any secret. */
	int (*list)(void *handle, store_list_fn fn, void *ctx);

	/* Releases the handle; accepts NULL. */
	void (*close)(void *handle);

	/* optional: GHCR_OK when the backend can serve here, else why not. */
	int (*probe)(const struct store_location *where);
};

/* The built-in backend called `name`, or NULL when not built in. */
const struct store_backend *store_backend_find(const char *name);

/* NULL-terminated list of the backends built in, for --help and status. */
const struct store_backend *const *store_backends(void);

#endif
