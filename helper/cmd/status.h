/*
 * The facts `status` shows, as one JSON document: what cmd_status prints
 * with --json and renders as text otherwise.
 */
#ifndef GHCR_STATUS_H
#define GHCR_STATUS_H

#include <jansson.h>

#include "sources.h"

/*
 * Gathers everything status knows into *doc (members program, backend,
 * github, docker, hosts, scoped (the logins for one owner's images),
 * problems; free with json_decref).  Opens the
 * backend; a failure there is a fact (a problem), not an error.  Returns
 * GHCR_OK or GHCR_ERR_NO_MEMORY.
 */
int status_collect(struct resolver *res, json_t **doc);

#endif
