/*
 * What the two halves of the check module share, and nothing else: the
 * images named, one run (its settings, its HTTPS client, its budget, the
 * problems found) and one host's job, with the checks check_run.c offers
 * to cmd_check.c.  Private to the module: the helper sees only
 * check_module.h, and none of these symbols leaves the module.
 */
#ifndef GHCR_CHECK_PRIVATE_H
#define GHCR_CHECK_PRIVATE_H

#include <jansson.h>
#include <stddef.h>
#include <time.h>

#include "check_module.h"
#include "http.h"
#include "report.h"
#include "server.h"
#include "settings.h"
#include "sources.h"

#define CHECK_MAX_IMAGES 32
#define CHECK_NAME_MAX 256

struct image_ref {
	const char *arg;               /* as given */
	char host[SERVER_MAX];
	char name[CHECK_NAME_MAX];     /* OWNER/NAME, OWNER/REPO/NAME */
	char owner[CHECK_NAME_MAX];
	char key[SERVER_MAX];          /* whose login answers: "HOST/OWNER"
					* when one is stored for the owner,
					* else HOST */
};

struct check_run {
	const struct settings *s;
	struct http_client http;
	int http_state;                /* 0 not tried, 1 open, -1 failed */
	char http_error[320];          /* why it failed */
	int budget_s;
	json_t *problems;
};

/* What is checked for one host, and with what. */
struct host_job {
	const char *host;
	const char *username;
	const char *secret;
	const char *from;              /* the answering source's id */
	char github[SERVER_MAX];       /* its GitHub server, "" when none */
	const struct image_ref *images[CHECK_MAX_IMAGES];
	int nimages;
};

#pragma GCC visibility push(hidden)

/* Adds {id, level, subject, problem, fix} to the run; `fix` is a format. */
#define add_problem(run, ...) report_problem((run)->problems, __VA_ARGS__)

/*
 * Checks one credential for one host, adding the findings to `h` and the
 * problems to the run.  Returns an enum check_verdict, or a negative
 * ghcr_status; *expiry gets what GitHub said (0 when nothing), `reason`
 * the refusal or failure.
 */
int check_credential(struct check_run *run, const struct host_job *job,
		     json_t *h, time_t *expiry, char *reason, size_t reason_size);

/* Resolves and checks one host as `get` would, appending its object to
 * `list`; `images` may be empty, `explicit` says the host was asked for.
 * `host` may be a key scoped to an owner ("ghcr.io/octo-org"): that login
 * is checked against its registry. */
int check_host(struct check_run *run, struct resolver *res, const char *host,
	       const struct image_ref *const *images, int nimages, int explicit,
	       json_t *list, int *checked);

#pragma GCC visibility pop

#endif
