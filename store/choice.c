/*
 * Which backend serves a run, and why: the configured one, or for "auto"
 * the job-scoped file store inside GitHub Actions, the Secret Service where
 * one answers, else the file store.  The policy lives here, beside the
 * backend table, so settings only passes the name through.
 */
#include "store.h"
#include "errors.h"

#include <string.h>

#define BACKEND_VARIABLE "DOCKER_CREDENTIAL_GHCR_BACKEND"

int
store_setting_check(const char *setting)
{
	if (strcmp(setting, "auto") == 0 || store_backend_find(setting) != NULL)
		return GHCR_OK;
	/* A name a fuller build knows gets its own advice. */
	if (strcmp(setting, "secretservice") == 0)
		return GHCR_OK;
	return ghcr_fail(GHCR_ERR_CONFIG, BACKEND_VARIABLE " must be "
	    "auto, secretservice or file, not '%.32s'", setting);
}

static int
open_chosen(const struct store_location *where, struct store_choice *out)
{
	return out->backend->open(where, &out->handle);
}

int
store_choose_open(const char *setting, int job_scoped,
		  const struct store_location *where, struct store_choice *out)
{
	const struct store_backend *ss;

	memset(out, 0, sizeof(*out));
	if (strcmp(setting, "auto") != 0) {
		out->backend = store_backend_find(setting);
		out->reason = "chosen by " BACKEND_VARIABLE " or the config file";
		if (out->backend == NULL)
			return ghcr_fail(GHCR_ERR_CONFIG, "this build has no %s "
			    "backend (built with WITH_SECRETSERVICE=0); use "
			    BACKEND_VARIABLE "=file", setting);
		return open_chosen(where, out);
	}
	if (job_scoped) {
		out->backend = store_backend_find("file");
		out->reason = "GitHub Actions: job-scoped file store under RUNNER_TEMP";
		return open_chosen(where, out);
	}
	ss = store_backend_find("secretservice");
	if (ss != NULL && ss->probe != NULL && ss->probe(where) == GHCR_OK) {
		out->backend = ss;
		out->reason = "a Secret Service answers on the session bus";
		return open_chosen(where, out);
	}
	ghcr_error_clear();
	out->backend = store_backend_find("file");
	out->reason = ss != NULL ? "no Secret Service answers here: encrypted file store"
	    : "built without Secret Service support: encrypted file store";
	return open_chosen(where, out);
}
