/*
 * Credential sources: who answers for a server.  One ordered table (in
 * sources.c): what was stored, the ambient GitHub token of the
 * environment, the GitHub CLI's login.  `get` takes the first source that
 * answers; `list`, `status` and `logout` walk the same table, so a new
 * source is one entry in the table and one file.
 *
 * The GitHub gate is in the walk, not in the sources: a source marked
 * SOURCE_GITHUB is asked only after github_server_for_registry() matched
 * the server exactly, and is told which GitHub server it matched.
 */
#ifndef GHCR_SOURCES_H
#define GHCR_SOURCES_H

#include <jansson.h>
#include <stdio.h>
#include <time.h>

#include "resolver.h"
#include "server.h"

/* What a source is asked. */
struct source_query {
	struct resolver *res;
	const char *server; /* normalised registry key; NULL when `list`
			     * asks a GitHub source about a whole server */
	const char *github; /* its GitHub server ("github.com", a GHES
			     * host); set for SOURCE_GITHUB sources only */
	int want_secret;    /* 0: the user name only (list, logout), so no
			     * secret is copied and no keyring is asked */
};

/* Which source answered, for status and logout. */
struct source_hit {
	const struct source *source; /* NULL: none answered */
	const char *detail;          /* optional sub-kind for status: the
				      * variable holding the ambient token;
				      * static or environment text */
	time_t stored_expired;       /* a stored credential was passed over
				      * because it expired at this time (it
				      * is still stored); else 0.  Kept
				      * whether a later source answered or
				      * none did. */
};

struct source {
	const char *id;         /* stable, for status --json: "ambient" */
	const char *name;       /* for people: "ambient token" */
	const char *detail_key; /* status --json's member for hit.detail
				 * ("variable"), or NULL */
	unsigned flags;         /* SOURCE_STORE, SOURCE_GITHUB */

	/*
	 * Fills out->username and, when q->want_secret, out->secret
	 * (secmem strings; the walk fills out->server when left NULL); may
	 * set hit->detail.  GHCR_ERR_NOT_FOUND, with *out left empty, when
	 * this source has nothing; any other error stops the walk.
	 */
	int (*get)(const struct source_query *q, struct credential *out,
		   struct source_hit *hit);

	/* Adds server -> username to `listing` for every registry this
	 * source answers for, unless listed already; reads no secret.
	 * GitHub sources use sources_list_github. */
	int (*list)(struct resolver *res, const struct source *self,
		    json_t *listing);

	/* optional: for logout, one line saying this source still answers
	 * for cred->server (its username, never its secret). */
	void (*still_answers)(FILE *out, const struct source_hit *hit,
			      const struct credential *cred);
};

#define SOURCE_STORE  0x1u /* reads the credential store */
#define SOURCE_GITHUB 0x2u /* a GitHub token: only behind the gate */

/* How sources_get() walks the table. */
#define SOURCES_SKIP_STORE 0x1u /* the store cannot or must not answer */
#define SOURCES_NO_SECRET  0x2u /* who answers, not with what */

/*
 * Answers for the normalised `server`: the first source in the table with
 * a credential fills *out (free with credential_clear) and *hit.
 * GHCR_ERR_NOT_FOUND when none has one; any other error stops the walk,
 * so a damaged store is reported instead of being papered over by the
 * next source.  A stored credential whose expiry has passed does not
 * answer (a client then pulls public images anonymously instead of
 * sending a dead token); hit->stored_expired says so.  out->expires is
 * the answering credential's expiry, 0 when unknown.
 */
int sources_get(struct resolver *res, const char *server, unsigned how,
		struct credential *out, struct source_hit *hit);

/*
 * Adds every server `get` would answer for to the JSON object `listing`
 * (server -> username), each source in table order.  Reads no secret.
 */
int sources_list(struct resolver *res, json_t *listing);

/* The list slot of GitHub sources: for each GitHub server the source
 * answers for (asked without the secret), all of that server's
 * registries. */
int sources_list_github(struct resolver *res, const struct source *self,
			json_t *listing);

/* The source with this id, or NULL. */
const struct source *sources_find(const char *id);

/* The ambient token variable that is set ("GITHUB_TOKEN", "GH_TOKEN"), or
 * NULL; *value points into the environment. */
const char *sources_ambient_token(const char **value);

#endif
