/*
 * The storage backend interface.  A backend is a const struct of function
 * pointers with a name; store/backends.c lists the ones built in.
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
#include <time.h>

struct credential {
	char *server;   /* normalised registry host[:port] */
	char *username; /* "<token>" marks an identity token, kept as is */
	char *secret;   /* secmem memory; never logged */
	/* When the token stops working (seconds since the epoch, UTC), as
	 * check or login learnt it from GitHub; 0 when unknown.  Not secret:
	 * a backend keeps it beside the credential (the file store in its
	 * entry, the Secret Service as the item's `expires` attribute), get
	 * hands it out, and put() replaces it with what it is given, so a
	 * new `store` (docker login) clears an old date. */
	time_t expires;
};

/* Wipes and frees the three strings (any may be NULL) and zeroes *c,
 * expiry included. */
void credential_clear(struct credential *c);

/* Sets *c to secmem copies of the three strings (none may be NULL), which
 * the caller frees with credential_clear(); c->expires is left as it is.  GHCR_OK, or
 * GHCR_ERR_NO_MEMORY with *c cleared. */
int credential_fill(struct credential *c, const char *server,
		    const char *username, const char *secret);

/* Where the file backend keeps its data; strings owned by the caller. */
struct store_location {
	const char *store_path;      /* the encrypted store file */
	const char *key_path;        /* random key file, created on first use */
	const char *passphrase_path; /* optional: derive the key from this file */
	const char *passphrase;      /* optional: derive the key from this text */
	/* Set by `auto`, which falls back when open() says
	 * GHCR_ERR_UNAVAILABLE: open() then also confirms that the backend
	 * can serve here (a provider answers), rather than leaving that to
	 * the first operation. */
	int confirm;
};

/*
 * What describe() hands to `status`: facts to show ("store" -> a path; a
 * NULL value is a fact that does not apply here, shown as null) and
 * problems a person should fix, each with a stable id (for --json), a level
 * ("error", "warning" or "note"), one sentence and its fix.
 */
struct store_report {
	void (*fact)(void *ctx, const char *key, const char *value);
	void (*problem)(void *ctx, const char *id, const char *level,
			const char *problem, const char *fix);
	void *ctx;
};

/* Called once per entry by list(); a non-zero return stops the walk, and a
 * negative one (a ghcr_status) is what list() then returns. */
typedef int (*store_list_fn)(const char *server, const char *username,
			     void *ctx);

struct store_backend {
	const char *name;  /* for settings: DOCKER_CREDENTIAL_GHCR_BACKEND */
	const char *title; /* for people: "the encrypted file store" */

	/* Prepares a handle in *out; must not hang (fails fast instead).
	 * GHCR_ERR_UNAVAILABLE means "cannot serve here at all" (no session
	 * bus, no provider), which is what lets `auto` fall back; with
	 * where->confirm set, open() finds that out before it returns. */
	int (*open)(const struct store_location *where, void **out);

	/* Fills *out for `server`, its expiry included (whether passed or
	 * not: what an expired date means is the caller's business);
	 * GHCR_ERR_NOT_FOUND when nothing is stored. */
	int (*get)(void *handle, const char *server, struct credential *out);

	/* Stores `cred` with its expiry, replacing any credential for the
	 * same server (and so its date). */
	int (*put)(void *handle, const struct credential *cred);

	/*
	 * Records `expires` beside the login stored for checked->server, but
	 * only while that login is still `checked` (the same username and
	 * secret): a compare-and-set, so a login stored meanwhile (docker
	 * login) is neither replaced nor given another token's date.  Changes
	 * nothing but the date.  GHCR_OK when the date is recorded (or already
	 * was); GHCR_ERR_NOT_FOUND when nothing is stored for the server or
	 * it now holds another login.  What "atomic" means differs: the file
	 * store compares and writes under its lock; the Secret Service has
	 * no transactions (see its module).
	 */
	int (*note_expiry)(void *handle, const struct credential *checked,
			   time_t expires);

	/* Removes the credential for `server`; GHCR_OK also when none. */
	int (*erase)(void *handle, const char *server);

	/* Walks server/username pairs without reading any secret, expired
	 * ones included (see README, "Where a credential comes from"). */
	int (*list)(void *handle, store_list_fn fn, void *ctx);

	/* Releases the handle; accepts NULL. */
	void (*close)(void *handle);

	/* optional: for `status`, what this backend keeps where (facts, only
	 * when in_use) and what a person should fix there (problems, whether
	 * in use or not, so a store left on disk is still checked).  Opens
	 * nothing that can hang. */
	void (*describe)(const struct store_location *where, int in_use,
			 const struct store_report *report);
};

/* The backend chosen for a run, and why. */
struct store_choice {
	const struct store_backend *backend; /* NULL: the setting names none */
	const char *reason;                  /* static sentence, for status */
	void *handle;                        /* open handle, or NULL */
};

/* GHCR_OK when `setting` is "auto" or names a backend built in; else
 * GHCR_ERR_CONFIG with a detail saying what is valid. */
int store_setting_check(const char *setting);

/*
 * Chooses the backend for `setting` and opens it, filling *out.  For
 * "auto": the file store when `job_scoped` (inside GitHub Actions), the
 * Secret Service where it opens, the file store where it is unavailable.
 * out->backend and out->reason are set even when opening fails, so status
 * can say which backend failed.  Returns GHCR_OK or the open's error.
 */
int store_choose_open(const char *setting, int job_scoped,
		      const struct store_location *where,
		      struct store_choice *out);

/*
 * Everything the built-in backends tell `status` (see describe()), plus
 * auto's own note when it fell back to the file store for want of a
 * Secret Service.  `in_use` is the chosen backend (NULL when none could be
 * chosen: each backend then shows what it would use); `setting` and
 * `job_scoped` are what store_choose_open() was given.
 */
void store_describe(const char *setting, int job_scoped,
		    const struct store_backend *in_use,
		    const struct store_location *where,
		    const struct store_report *report);

/*
 * The file store's default paths, DATA_DIR/docker-credential-ghcr/credentials
 * and CONFIG_DIR/docker-credential-ghcr/key, or both under `job_dir` (a
 * GitHub Actions job's RUNNER_TEMP) when it is not NULL, so nothing stored
 * inside a job outlives it.  Both strings are written one after the other
 * into out[size]; *store_path and *key_path point at them.  GHCR_OK, or
 * GHCR_ERR_CONFIG when they do not fit.
 */
int store_file_default_paths(const char *data_dir, const char *config_dir,
			     const char *job_dir, char *out, size_t size,
			     const char **store_path, const char **key_path);

/* The built-in backend called `name`, or NULL when not built in. */
const struct store_backend *store_backend_find(const char *name);

/* NULL-terminated list of the backends built in, for --help and status. */
const struct store_backend *const *store_backends(void);

#endif
