/*
 * configure's policy for the plaintext logins found in Docker's config
 * (docker_config_logins()): whether they may leave the file here at all,
 * and moving them into the credential store so that none is ever lost.
 */
#ifndef GHCR_MIGRATE_H
#define GHCR_MIGRATE_H

#include "docker_config.h"
#include "settings.h"
#include "resolver.h"
#include "store.h"

/*
 * Why plaintext logins must stay in the file in this context, one line
 * (static storage), or NULL when they may move into the store.  Inside a
 * GitHub Actions job with a job-scoped store the store is deleted when the
 * job ends, so a login moved there (a self-hosted runner's own login,
 * say) would be lost for good.
 */
const char *migrate_refusal(const struct settings *s);

/* Marks every readable login LOGIN_LEFT with `why`; cfg is not touched. */
void migrate_leave(struct plaintext_login *logins, int n, const char *why);

/*
 * What configure's attempts on one file put into the store, and what the
 * store held for each host before the first of them.  A login is put
 * before the file is saved (so no run, however interrupted, loses one),
 * but the save can find the file changed and the next attempt read it
 * again: a login another program removed meanwhile (docker logout) must
 * then not stay in the store, and migrate_settle() undoes its move.
 */
struct migrate_put {
	char server[SERVER_MAX];   /* the host */
	char key[SERVER_MAX + 16]; /* the auths key it came from */
	struct credential put;     /* what was stored (secmem copies); all
				    * NULL until a put succeeded */
	struct credential prior;   /* what the store held; server NULL: none */
	int settled;               /* MIGRATE_KEPT, MIGRATE_UNDONE, ... */
};

enum {
	MIGRATE_KEPT,           /* in the file finally written: moved */
	MIGRATE_UNDONE,         /* not there: the store is as it was */
	MIGRATE_STORE_CHANGED,  /* not there, but the store holds another
				 * login now (stored meanwhile): left */
	MIGRATE_UNDO_FAILED,    /* not there, and the store kept it */
};

struct migrate_journal {
	struct migrate_put *v;
	int n, cap;
};

/* Wipes and frees what *j holds and zeroes it; NULL accepted. */
void migrate_journal_free(struct migrate_journal *j);

/*
 * Moves logins[0..n) into the store through `res`: each is put,
 * and only once the store has it is its key removed from cfg.  The first
 * login per host wins; an identical one later is removed too, a different
 * one is kept (LOGIN_CONFLICT).  Sets each outcome; when `dry_run` is set,
 * nothing is stored or removed and readable logins stay LOGIN_FOUND.
 * Each put is written in `j` (may be NULL), with what the store held for
 * that host before the journal's first put for it.  Returns GHCR_OK or
 * GHCR_ERR_NO_MEMORY; a store error is recorded per login, not returned.
 */
int migrate_logins(struct docker_config *cfg, struct plaintext_login *logins,
		   int n, struct resolver *res, int dry_run,
		   struct migrate_journal *j);

/*
 * Once configure is done with a file: every put in `j` stays only when
 * `saved` and the last attempt's logins[0..n) moved that host (it was in
 * the file finally written); any other is undone, the store given back
 * what it held before, provided it still holds what was put.  Sets each
 * entry's `settled`; returns how many entries were not kept.
 */
int migrate_settle(struct migrate_journal *j,
		   const struct plaintext_login *logins, int n, int saved,
		   struct resolver *res);

#endif
