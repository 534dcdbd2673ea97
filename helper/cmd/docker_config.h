/*
 * Docker's config.json and containers' auth.json, read as Docker reads them
 * and edited the way a person would want: every key, value and the key
 * order kept, only `credHelpers` entries added and plaintext `auths` logins
 * taken out.  docker_config.c holds the model (load, the fields Docker
 * reads, save); docker_config_logins.c finds the logins in it; what to do
 * with them is configure's policy (migrate.h).  A file that is not valid
 * JSON, or that spells one of Docker's keys twice, is refused and left
 * untouched; a rewrite is atomic, happens only if the file is still what
 * was read, keeps the file's mode and owner, and goes through a symlinked
 * config to its target.
 */
#ifndef GHCR_DOCKER_CONFIG_H
#define GHCR_DOCKER_CONFIG_H

#include <jansson.h>
#include <limits.h>
#include <sys/types.h>

#include "server.h"
#include "store.h"

/* The helper name Docker runs as docker-credential-<name>. */
#define DOCKER_CONFIG_HELPER_NAME "ghcr"

/* Largest config file read; Docker's are a few KiB. */
#define DOCKER_CONFIG_MAX_SIZE (16 * 1024 * 1024)

struct docker_config {
	char path[PATH_MAX];  /* the file as named (for messages) */
	char target[PATH_MAX];/* the file written: symlinks resolved */
	json_t *root;         /* the whole document, an object */
	int exists;           /* the file existed (possibly empty) */
	mode_t mode;          /* its permission bits, kept on rewrite */
	uid_t uid;            /* its owner, kept on rewrite */
	gid_t gid;
	int changed;          /* root differs from the file */
	char *text;           /* the bytes read (secmem), NULL when none:
			       * save checks the file still holds them */
	size_t textlen;
};

/*
 * Docker's config file: $DOCKER_CONFIG/config.json, else
 * ~/.docker/config.json.  Returns GHCR_OK or GHCR_ERR_CONFIG (no home).
 */
int docker_config_default_path(char out[PATH_MAX]);

/*
 * The containers (podman, skopeo, buildah) auth files configure edits:
 * $REGISTRY_AUTH_FILE alone when set; else $XDG_RUNTIME_DIR/containers/
 * auth.json (podman login's file) when it exists, and the persistent
 * $XDG_CONFIG_HOME/containers/auth.json (~/.config/...), which survives a
 * reboot.  Writes up to 2 paths, sets *n.  GHCR_OK or GHCR_ERR_CONFIG.
 */
int containers_auth_paths(char out[2][PATH_MAX], int *n);

/*
 * Reads `path` into *cfg (free with docker_config_free).  A missing file
 * or an empty one is an empty object.  Returns GHCR_OK; GHCR_ERR_BAD_INPUT
 * for invalid JSON (the detail names file, line and column, never the
 * text there, which may be a password), for a key written twice in one
 * object, for "auths", "credHelpers" or "credsStore" spelled in two letter
 * cases (Docker would merge them), or for a document that is not an
 * object; GHCR_ERR_SYSTEM when it cannot be read.
 */
int docker_config_load(const char *path, struct docker_config *cfg);

/* Releases *cfg; accepts a zeroed or already freed one. */
void docker_config_free(struct docker_config *cfg);

/*
 * The member of `obj` Docker reads as the field `name`: Go's decoder
 * matches keys to fields ignoring letter case, so "Auths" is "auths".
 * Returns how many members match (more than 1 when the file spells the
 * field twice); *value and *key, when not NULL, get the first (NULL when
 * none).  Pointers into obj.
 */
int docker_config_field(json_t *obj, const char *name, json_t **value,
			const char **key);

/*
 * The helper credHelpers names for `host`, or NULL; points into cfg.  An
 * auths key or credHelpers key with a scheme or path ("https://ghcr.io")
 * counts for its host.
 */
const char *docker_config_helper_for(const struct docker_config *cfg,
				     const char *host);

/* The credsStore value, or NULL; points into cfg. */
const char *docker_config_creds_store(const struct docker_config *cfg);

/*
 * Makes credHelpers[host] = helper.  *was gets the previous helper's name
 * (empty when there was none) so the caller can say what it replaced.
 * Returns GHCR_OK, or GHCR_ERR_BAD_INPUT when credHelpers is not an object.
 */
int docker_config_set_helper(struct docker_config *cfg, const char *host,
			     const char *helper, char was[64]);

/* What happened to one plaintext login during a migration. */
enum login_outcome {
	LOGIN_FOUND = 0,   /* not migrated (yet) */
	LOGIN_MOVED,       /* stored, and removed from the file */
	LOGIN_DUPLICATE,   /* same as one already moved: removed */
	LOGIN_CONFLICT,    /* a different login for a host already moved: kept */
	LOGIN_UNREADABLE,  /* no usable credential in it: kept */
	LOGIN_FAILED,      /* the store refused it: kept */
	LOGIN_LEFT,        /* not moved on purpose (see why): kept */
};

/* A plaintext login found in `auths`. */
struct plaintext_login {
	char key[SERVER_MAX + 16]; /* the auths key as written */
	struct credential cred;    /* server (normalised host), username,
				    * secret; all NULL when unreadable */
	enum login_outcome outcome;
	char why[160];             /* detail for UNREADABLE, FAILED, LEFT */
};

/*
 * Finds the plaintext logins in `auths` for any of hosts[0..nhosts):
 * entries with "auth" (base64 user:secret), "username"/"password", or an
 * "identitytoken" (username "<token>").  Keys with a repository path
 * (podman's "ghcr.io/owner") are left alone; Docker's empty "{}" markers
 * are no login.  Exact host keys come first.  *out (free with
 * docker_config_logins_free) gets *n entries.  GHCR_OK, GHCR_ERR_NO_MEMORY
 * or GHCR_ERR_BAD_INPUT when auths is not an object.
 */
int docker_config_logins(const struct docker_config *cfg,
			 const char (*hosts)[SERVER_MAX], int nhosts,
			 struct plaintext_login **out, int *n);

/* Wipes and frees what docker_config_logins() returned; NULL accepted. */
void docker_config_logins_free(struct plaintext_login *logins, int n);

/*
 * Removes the auths entry `key` (a plaintext_login's key) from cfg and
 * marks cfg changed.
 */
void docker_config_remove_login(struct docker_config *cfg, const char *key);

/*
 * GHCR_OK when docker_config_save() may rewrite the file; else
 * GHCR_ERR_SYSTEM with a detail (read-only file, directory not writable).
 */
int docker_config_check_writable(const struct docker_config *cfg);

/*
 * Writes cfg->root back atomically to cfg->target (creating the file and
 * its directory, mode 0700, when missing), indented with tabs as Docker
 * writes it.  A new file gets mode 0600: it may hold secrets.  Just before
 * the rename the file is read again: when it no longer holds what load
 * read (a `docker login` wrote it meanwhile), nothing is written and
 * GHCR_ERR_CHANGED is returned, so the caller loads and edits it again.
 * Returns GHCR_OK, GHCR_ERR_CHANGED, or GHCR_ERR_SYSTEM with a detail; on
 * failure the file is as it was.
 */
int docker_config_save(struct docker_config *cfg);

/*
 * Test seam: a test program that defines this function is called with the
 * target once the new text is on disk and before the check that the file
 * is unchanged, so it can play the concurrent writer.  The helper does not
 * define it: a weak, hidden symbol, resolved to NULL when it is linked,
 * with nothing left for the dynamic linker to look up.
 */
void docker_config_test_before_replace(const char *target)
	__attribute__((weak, visibility("hidden")));

/*
 * Decodes standard base64 (padding optional) into a NUL-terminated secmem
 * buffer.  GHCR_OK, GHCR_ERR_BAD_INPUT or GHCR_ERR_NO_MEMORY.
 */
int docker_config_base64_decode(const char *in, char **out, size_t *outlen);

#endif
