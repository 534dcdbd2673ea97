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
 * Moves logins[0..n) into the store through `res`: each is put,
 * and only once the store has it is its key removed from cfg.  The first
 * login per host wins; an identical one later is removed too, a different
 * one is kept (LOGIN_CONFLICT).  Sets each outcome; when `dry_run` is set,
 * nothing is stored or removed and readable logins stay LOGIN_FOUND.
 * Returns GHCR_OK; a store error is recorded per login, not returned.
 */
int migrate_logins(struct docker_config *cfg, struct plaintext_login *logins,
		   int n, struct resolver *res, int dry_run);

#endif
