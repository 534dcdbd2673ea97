/*
 * Moving plaintext logins out of Docker's config into the credential store
 * (see migrate.h): configure's policy, kept apart from the config model.
 * A login leaves the file only once the store holds it, so no run,
 * however interrupted, loses one.
 */
#include "migrate.h"
#include "errors.h"
#include "secmem.h"

#include <stdio.h>
#include <string.h>

const char *
migrate_refusal(const struct settings *s)
{
	if (s->job_scoped)
		return "the store here is job-scoped (under RUNNER_TEMP) and is "
		    "deleted when the job ends; run configure outside the job";
	return NULL;
}

void
migrate_leave(struct plaintext_login *logins, int n, const char *why)
{
	for (int i = 0; i < n; i++)
		if (logins[i].cred.secret != NULL) {
			logins[i].outcome = LOGIN_LEFT;
			snprintf(logins[i].why, sizeof(logins[i].why), "%s", why);
		}
}

static int
same_login(const struct credential *a, const struct credential *b)
{
	size_t la = strlen(a->secret), lb = strlen(b->secret);

	return strcmp(a->username, b->username) == 0 && la == lb &&
	    secmem_compare(a->secret, b->secret, la) == 0;
}

int
migrate_logins(struct docker_config *cfg, struct plaintext_login *logins,
	       int n, struct resolver *res, int dry_run)
{
	int r;

	for (int i = 0; i < n; i++) {
		struct plaintext_login *l = &logins[i], *first = NULL;

		if (l->cred.secret == NULL) {
			l->outcome = LOGIN_UNREADABLE;
			continue;
		}
		for (int j = 0; j < i && first == NULL; j++)
			if (logins[j].cred.secret != NULL &&
			    strcmp(logins[j].cred.server, l->cred.server) == 0)
				first = &logins[j];
		if (first != NULL) {
			if (first->outcome == LOGIN_FAILED) {
				l->outcome = LOGIN_FAILED;
				snprintf(l->why, sizeof(l->why), "the login under "
				    "\"%.*s\" could not be stored first", 100, first->key);
			} else if (!same_login(&first->cred, &l->cred)) {
				l->outcome = LOGIN_CONFLICT;
			} else {
				l->outcome = LOGIN_DUPLICATE;
				if (!dry_run)
					docker_config_remove_login(cfg, l->key);
			}
			continue;
		}
		if (dry_run) {
			l->outcome = LOGIN_FOUND;
			continue;
		}
		/* The plaintext goes only once the store holds the login. */
		if ((r = resolver_put(res, &l->cred)) != GHCR_OK) {
			l->outcome = LOGIN_FAILED;
			snprintf(l->why, sizeof(l->why), "%s", ghcr_error_message(r));
			ghcr_error_clear();
			continue;
		}
		docker_config_remove_login(cfg, l->key);
		l->outcome = LOGIN_MOVED;
	}
	return GHCR_OK;
}

