/*
 * Credential sources: who answers for a server.  One ordered table (in
 * sources.c): what was stored, the ambient GitHub token of the
 * environment, the GitHub CLI's login.  `get` takes the first source that
 * answers; `list`, `status` and `logout` walk the same table, so a new
 * source is one entry in the table and one file.
 *
 * The GitHub gate is in the walk, not in the sources: a source marked
 * SOURCE_GITHUB is asked only after github_server_for_registry() matched
 * the server exactly, and is told which GitHub server it matched.  A
 * source also marked SOURCE_OWN_SERVERS keeps logins of its own for named
 * GitHub servers (the GitHub CLI's hosts.yml): it is also asked for a
 * server github_server_by_name() maps exactly to a GitHub server, and
 * answers only when it holds a login for exactly that one.
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
				      * variable holding the ambient token,
				      * where gh keeps its token; static or
				      * environment text */
	char skipped[512];           /* why a SOURCE_SKIPPABLE source was
				      * passed over ("" when none was): one
				      * line for stderr, never a secret */
	time_t stored_expired;       /* a stored credential was passed over
				      * because it expired at this time (it
				      * is still stored); else 0.  Kept
				      * whether a later source answered or
				      * none did. */
};

struct source {
	const char *id;         /* stable, for status --json: "ambient" */
	const char *name;       /* for people: "ambient token" */
	/* Arrays, not pointers: a pointer in this table is one more
	 * load-time relocation on every run, and `get` is short. */
	char detail_key[12];    /* status --json's member for hit.detail
				 * ("variable"), or "" */
	char detail_label[20];  /* printf format turning hit.detail into
				 * status's SOURCE column ("GitHub CLI
				 * (%s)"), or "" */
	unsigned flags;         /* SOURCE_STORE, SOURCE_GITHUB */

	/*
	 * Fills out->username and, when q->want_secret, out->secret
	 * (secmem strings; the walk fills out->server when left NULL); may
	 * set hit->detail.  GHCR_ERR_NOT_FOUND, with *out left empty, when
	 * this source has nothing; any other error stops the walk, except
	 * GHCR_ERR_UNAVAILABLE and GHCR_ERR_LOCKED from a SOURCE_SKIPPABLE
	 * source, which pass it over (hit->skipped says why).
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
#define SOURCE_OWN_SERVERS 0x4u /* also asked for any GitHub server by
				 * name (see above) */
#define SOURCE_SKIPPABLE 0x8u /* unreachable (no bus, locked keyring):
			       * passed over, not fatal */
#define SOURCE_AMBIENT 0x10u  /* the environment's token */
#define SOURCE_PERSONAL 0x20u /* a person's own login (the GitHub CLI's),
			       * never a node's */

/* How sources_get() walks the table. */
#define SOURCES_SKIP_STORE 0x1u /* the store cannot or must not answer */
#define SOURCES_NO_SECRET  0x2u /* who answers, not with what */
#define SOURCES_SKIP_AMBIENT 0x4u  /* not the environment's token (a node's
				    * provider outside GitHub Actions) */
#define SOURCES_SKIP_PERSONAL 0x8u /* not a person's login (a node's
				    * provider) */

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

/* The same over the GitHub servers servers[0..n), for a source marked
 * SOURCE_OWN_SERVERS that names its own. */
int sources_list_servers(struct resolver *res, const struct source *self,
			 const char (*servers)[SERVER_MAX], int n,
			 json_t *listing);

/* The GitHub server a SOURCE_GITHUB source would be asked about for
 * `server` (as sources_get() decides it), into out; 0 when none. */
int sources_github_server(const struct settings *s, const struct source *src,
			  const char *server, char out[SERVER_MAX]);

/* The source with this id, or NULL. */
const struct source *sources_find(const char *id);

/* The ambient token variable that is set ("GITHUB_TOKEN", "GH_TOKEN"), or
 * NULL; *value points into the environment. */
const char *sources_ambient_token(const char **value);

#endif
