/*
 * Moving plaintext logins out of Docker's config into the credential store
 * (see migrate.h): configure's policy, kept apart from the config model.
 * A login leaves the file only once the store holds it, so no run,
 * however interrupted, loses one; and it stays in the store only if it
 * is still in the file configure finally writes (migrate_settle()).
 */
#include "migrate.h"
#include "errors.h"
#include "secmem.h"

#include <stdio.h>
#include <stdlib.h>
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

void
migrate_journal_free(struct migrate_journal *j)
{
	if (j == NULL)
		return;
	for (int i = 0; i < j->n; i++) {
		credential_clear(&j->v[i].put);
		credential_clear(&j->v[i].prior);
	}
	free(j->v);
	memset(j, 0, sizeof(*j));
}

/* The journal's entry for `server`, or NULL. */
static struct migrate_put *
journal_find(struct migrate_journal *j, const char *server)
{
	for (int i = 0; i < j->n; i++)
		if (strcmp(j->v[i].server, server) == 0)
			return &j->v[i];
	return NULL;
}

/*
 * The entry for l's host, made (with what the store holds for it now)
 * when this is the journal's first put there.  NULL with *r set when the
 * store cannot say what it holds, or no memory.
 */
static struct migrate_put *
journal_entry(struct migrate_journal *j, struct resolver *res,
	      const struct plaintext_login *l, int *r)
{
	struct migrate_put *e;

	*r = GHCR_OK;
	if ((e = journal_find(j, l->cred.server)) != NULL)
		return e;
	if (j->n == j->cap) {
		int cap = j->cap == 0 ? 8 : 2 * j->cap;
		struct migrate_put *v = realloc(j->v, (size_t)cap * sizeof(*v));

		if (v == NULL) {
			*r = GHCR_ERR_NO_MEMORY;
			return NULL;
		}
		j->v = v;
		j->cap = cap;
	}
	e = &j->v[j->n];
	memset(e, 0, sizeof(*e));
	*r = resolver_get(res, l->cred.server, &e->prior);
	if (*r == GHCR_ERR_NOT_FOUND) {
		ghcr_error_clear();
		*r = GHCR_OK;
	}
	if (*r != GHCR_OK) {
		credential_clear(&e->prior);
		return NULL;
	}
	snprintf(e->server, sizeof(e->server), "%s", l->cred.server);
	j->n++;
	return e;
}

/* Writes in e that `l` is what the store now holds for its host. */
static int
journal_put(struct migrate_put *e, const struct plaintext_login *l)
{
	credential_clear(&e->put);
	snprintf(e->key, sizeof(e->key), "%s", l->key);
	return credential_fill(&e->put, l->cred.server, l->cred.username,
	    l->cred.secret);
}

int
migrate_logins(struct docker_config *cfg, struct plaintext_login *logins,
	       int n, struct resolver *res, int dry_run,
	       struct migrate_journal *journal)
{
	struct migrate_put *e = NULL;
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
		/* The plaintext goes only once the store holds the login;
		 * what the store held before is noted first, to undo. */
		if ((journal != NULL &&
		    (e = journal_entry(journal, res, l, &r)) == NULL) ||
		    (r = resolver_put(res, &l->cred)) != GHCR_OK) {
			if (r == GHCR_ERR_NO_MEMORY)
				return r;
			l->outcome = LOGIN_FAILED;
			snprintf(l->why, sizeof(l->why), "%s", ghcr_error_message(r));
			ghcr_error_clear();
			continue;
		}
		if (e != NULL && (r = journal_put(e, l)) != GHCR_OK)
			return r;
		docker_config_remove_login(cfg, l->key);
		l->outcome = LOGIN_MOVED;
	}
	return GHCR_OK;
}

/*
 * Gives the store back what it held before e's put, if it still holds
 * what was put.  The compare and the write are two backend calls: a
 * login stored between them (within the same moment as the docker
 * logout that made this necessary) would be undone with it.
 */
static int
undo_put(struct migrate_put *e, struct resolver *res)
{
	struct credential now = { 0 };
	int r;

	r = resolver_get(res, e->put.server, &now);
	if (r == GHCR_ERR_NOT_FOUND ||
	    (r == GHCR_OK && !same_login(&now, &e->put))) {
		ghcr_error_clear();
		credential_clear(&now);
		return MIGRATE_STORE_CHANGED;
	}
	credential_clear(&now);
	if (r == GHCR_OK)
		r = e->prior.server != NULL ? resolver_put(res, &e->prior) :
		    resolver_erase(res, e->put.server);
	if (r != GHCR_OK) {
		ghcr_error_clear();
		return MIGRATE_UNDO_FAILED;
	}
	return MIGRATE_UNDONE;
}

int
migrate_settle(struct migrate_journal *j,
	       const struct plaintext_login *logins, int n, int saved,
	       struct resolver *res)
{
	int undone = 0;

	for (int i = 0; i < j->n; i++) {
		struct migrate_put *e = &j->v[i];
		int kept = 0;

		if (e->put.server == NULL) { /* every put failed */
			e->settled = MIGRATE_KEPT;
			continue;
		}
		for (int k = 0; saved && k < n && !kept; k++)
			kept = logins[k].outcome == LOGIN_MOVED &&
			    strcmp(logins[k].cred.server, e->put.server) == 0;
		e->settled = kept ? MIGRATE_KEPT : undo_put(e, res);
		if (!kept)
			undone++;
	}
	return undone;
}

