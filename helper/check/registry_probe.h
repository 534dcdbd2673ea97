/*
 * Asking a registry, for real and without writing anything, whether a
 * credential works: the token exchange of the Docker registry token
 * protocol (the 401 challenge on /v2/, then the realm with Basic auth and a
 * scope), a pull probe (the repository's tag list) and a push probe (a blob
 * upload started and cancelled at once).  Every refusal is reported in the
 * registry's own words (its JSON errors[].message and detail).
 */
#ifndef GHCR_REGISTRY_PROBE_H
#define GHCR_REGISTRY_PROBE_H

#include "http.h"

enum probe_outcome {
	PROBE_FAILED = -1,  /* no usable answer: network, TLS, a 5xx */
	PROBE_REFUSED = 0,  /* the registry said no */
	PROBE_WORKS = 1,
};

/* The result of one step; reason is one line (no secret, ever). */
struct probe_step {
	int outcome;        /* enum probe_outcome */
	long status;        /* the HTTP status, 0 when none came */
	char reason[640];
	char note[160];     /* optional remark on success ("no such image yet") */
	char upload[2048];  /* push probe: an upload the registry would not
	                     * cancel with the push token (see below) */
};

/* What /v2/ asked for. */
struct registry_auth {
	int scheme;              /* REGISTRY_AUTH_* */
	char realm[512];
	char service[512];
};

enum {
	REGISTRY_AUTH_NONE,      /* /v2/ answered without credentials */
	REGISTRY_AUTH_BASIC,     /* Basic on every request */
	REGISTRY_AUTH_BEARER,    /* token exchange at realm */
};

/*
 * GET https://HOST/v2/ and read the challenge into *auth.  A Bearer realm
 * must be https:// on the registry's own host name (any port), or it is
 * refused: the credential is never sent anywhere else.  GHCR_OK (see
 * st->outcome) or GHCR_ERR_NO_MEMORY.
 */
int registry_challenge(struct http_client *c, const char *host,
		       struct registry_auth *auth, struct probe_step *st);

/*
 * Logs in for `scope` ("repository:NAME:pull", or NULL for a plain login
 * check as docker login does) and writes the header line for the next
 * requests into *authorization (secmem; free with secmem_free): the
 * registry token as Bearer, or Basic credentials for a Basic registry.
 * GHCR_OK (see st->outcome) or GHCR_ERR_NO_MEMORY.
 */
int registry_login(struct http_client *c, const char *host,
		   const struct registry_auth *auth, const char *scope,
		   const char *username, const char *secret,
		   char **authorization, struct probe_step *st);

/*
 * DELETE on a blob upload: the cancel a push probe could not do with its
 * push token (a registry that asks for the "delete" action to cancel, as
 * distribution does, is given a token for that scope by the caller).
 * Clears st->upload and the note when it worked.
 */
int registry_cancel_upload(struct http_client *c, const char *authorization,
			   struct probe_step *st);

/* GET /v2/NAME/tags/list with the header: can this credential pull? */
int registry_pull_probe(struct http_client *c, const char *host,
			const char *name, const char *authorization,
			struct probe_step *st);

/*
 * POST /v2/NAME/blobs/uploads/, then DELETE on the upload's Location:
 * can this credential push?  Writes no blob and no manifest.
 */
int registry_push_probe(struct http_client *c, const char *host,
			const char *name, const char *authorization,
			struct probe_step *st);

/*
 * The error words of a registry or GitHub answer, in one line: the
 * errors[].code, message and detail of the registry API, or error /
 * error_description, or message; else the start of the body.  For tests.
 */
void registry_error_words(const char *body, size_t len, char *out, size_t size);

/* Parses a WWW-Authenticate value into *auth; 0 on success.  For tests. */
int registry_parse_challenge(const char *value, struct registry_auth *auth);

/* 1 when realm is https:// on host `host` (port ignored); for tests. */
int registry_realm_allowed(const char *realm, const char *host);

#endif
