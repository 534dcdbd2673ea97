/*
 * Which backend serves a run, and why: the configured one, or for "auto"
 * the job-scoped file store inside GitHub Actions, the Secret Service where
 * one answers, else the file store.  The policy lives here, beside the
 * backend table, so settings only passes the name through and `status`
 * only shows what the backends describe.
 */
#include "store.h"
#include "errors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BACKEND_VARIABLE "DOCKER_CREDENTIAL_GHCR_BACKEND"
#define FILE_NAME "file"
#define SECRETSERVICE_NAME "secretservice"

int
store_setting_check(const char *setting)
{
	if (strcmp(setting, "auto") == 0 || store_backend_find(setting) != NULL)
		return GHCR_OK;
	/* A name a fuller build knows gets its own advice. */
	if (strcmp(setting, SECRETSERVICE_NAME) == 0)
		return GHCR_OK;
	return ghcr_fail(GHCR_ERR_CONFIG, BACKEND_VARIABLE " must be "
	    "auto, " SECRETSERVICE_NAME " or " FILE_NAME ", not '%.32s'", setting);
}

static int
open_chosen(const struct store_location *where, struct store_choice *out)
{
	return out->backend->open(where, &out->handle);
}

/* Whether `path` lies under $RUNNER_TEMP, where a job's files die with it. */
static int
under_runner_temp(const char *path)
{
	const char *dir = getenv("RUNNER_TEMP");
	size_t n;

	if (path == NULL || dir == NULL || dir[0] != '/')
		return 0;
	n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	return strncmp(path, dir, n) == 0 && path[n] == '/';
}

int
store_choose_open(const char *setting, int job_scoped,
		  const struct store_location *where, struct store_choice *out)
{
	const struct store_backend *ss;
	struct store_location confirmed;
	int r;

	memset(out, 0, sizeof(*out));
	if (strcmp(setting, "auto") != 0) {
		out->backend = store_backend_find(setting);
		out->reason = "chosen by " BACKEND_VARIABLE " or the config file";
		if (out->backend == NULL)
			return ghcr_fail(GHCR_ERR_CONFIG, "this build has no %s "
			    "backend (built with WITH_SECRETSERVICE=0); use "
			    BACKEND_VARIABLE "=" FILE_NAME, setting);
		return open_chosen(where, out);
	}
	if (job_scoped) {
		out->backend = store_backend_find(FILE_NAME);
		/* The workflow's own environment may still move the store. */
		out->reason = under_runner_temp(where->store_path) ?
		    "GitHub Actions: job-scoped file store under RUNNER_TEMP" :
		    "GitHub Actions: file store at the path the workflow's "
		    "environment sets";
		return open_chosen(where, out);
	}
	/*
	 * The Secret Service where it answers: its open() is asked to
	 * confirm a provider is there, and says GHCR_ERR_UNAVAILABLE (no
	 * bus, no module, no provider, nothing answering in time) when auto
	 * should fall back.  A locked keyring still answers, so it is
	 * chosen; its unlock (or the failure to) comes with the operation.
	 */
	if ((ss = store_backend_find(SECRETSERVICE_NAME)) != NULL) {
		confirmed = *where;
		confirmed.confirm = 1;
		out->backend = ss;
		out->reason = "a Secret Service answers on the session bus";
		if ((r = ss->open(&confirmed, &out->handle)) != GHCR_ERR_UNAVAILABLE)
			return r;
		ghcr_error_clear();
	}
	out->backend = store_backend_find(FILE_NAME);
	out->reason = ss != NULL ? "no Secret Service answers here: encrypted file store"
	    : "built without Secret Service support: encrypted file store";
	return open_chosen(where, out);
}

void
store_describe(const char *setting, int job_scoped,
	       const struct store_backend *in_use,
	       const struct store_location *where,
	       const struct store_report *report)
{
	const struct store_backend *const *b;
	char text[4200];

	for (b = store_backends(); *b != NULL; b++)
		if ((*b)->describe != NULL)
			(*b)->describe(where, in_use == NULL || *b == in_use,
			    report);
	/* auto fell back to the file store: worth a note on a desktop. */
	if (in_use != NULL && strcmp(in_use->name, FILE_NAME) == 0 &&
	    strcmp(setting, "auto") == 0 && !job_scoped &&
	    store_backend_find(SECRETSERVICE_NAME) != NULL) {
		snprintf(text, sizeof(text), "no Secret Service answers on the "
		    "session bus: logins are kept in the encrypted file store %s",
		    where->store_path != NULL ? where->store_path : "");
		report->problem(report->ctx, "no-secret-service", "note", text,
		    "fine on a server or in CI; on a desktop, start or unlock the "
		    "keyring (GNOME Keyring, KeePassXC), or set "
		    BACKEND_VARIABLE "=" FILE_NAME " to make the choice explicit");
	}
}
