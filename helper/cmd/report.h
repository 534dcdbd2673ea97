/*
 * The documents `status` and `check` build and print: one JSON object
 * whose "problems" list holds {id, level, [subject,] problem, fix}, printed
 * as JSON (--json) or rendered for people.  Shared here so both commands
 * build and print problems alike; the check module reaches these through
 * helper/check/check.exports.
 */
#ifndef GHCR_REPORT_H
#define GHCR_REPORT_H

#include <jansson.h>

#include "token_kind.h"

/* A JSON string of text that is not ours, sanitised (common/text.h): JSON
 * null for NULL.  --json carries the same safe form as the tables: JSON
 * escapes would protect the document, but not a reader's `jq -r`, which
 * turns them back into the bytes themselves (and jansson writes C1
 * controls unescaped).  NULL when out of memory. */
json_t *report_str(const char *s);

/*
 * Appends {id, level, subject, problem, fix} to `problems`; `subject` may
 * be NULL (then left out).  `fix` is a printf format for the arguments
 * that follow, so one call can name a path in both.
 */
void report_problem(json_t *problems, const char *id, const char *level,
		    const char *subject, const char *problem, const char *fix, ...)
	__attribute__((format(printf, 6, 7)));

/* Puts a credential's "username", "token_kind", "token_kind_name" and
 * "token" (its mask, never the token) into `h`; returns the kind. */
enum token_kind report_put_credential(json_t *h, const char *username,
				      const char *secret);

/* The string member `key` of `obj`, or NULL. */
const char *report_get(json_t *obj, const char *key);

/* Prints text from the network, a store or a file through the sanitiser
 * (common/text.h), so a crafted name or message cannot drive the terminal
 * or the Actions runner; pads to `width` characters. */
void report_put_clean(const char *s, int width);

/* Prints `doc` as indented JSON on stdout.  GHCR_OK or GHCR_ERR_NO_MEMORY. */
int report_print_json(json_t *doc);

#endif
