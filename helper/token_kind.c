/*
 * GitHub token kinds by prefix (see token_kind.h).  The prefixes are the
 * ones GitHub documents for its token formats; a secret without one is a
 * plain registry password or something new, and is not judged.
 */
#include "token_kind.h"

#include <stdio.h>
#include <string.h>

static const struct {
	enum token_kind kind;
	const char *prefix;
	const char *id;
	const char *name;
	const char *warning;
} kinds[] = {
	{ TOKEN_CLASSIC, "ghp_", "classic", "classic personal access token", NULL },
	{ TOKEN_FINE_GRAINED, "github_pat_", "fine-grained",
	  "fine-grained personal access token",
	  "GitHub Packages does not accept fine-grained tokens (github_pat_); "
	  "create a classic personal access token with the read:packages "
	  "(and write:packages to push) scope" },
	{ TOKEN_OAUTH, "gho_", "oauth", "OAuth token",
	  "GitHub Packages may refuse OAuth tokens (gho_, e.g. the GitHub "
	  "CLI's) that lack the read:packages scope; run "
	  "'gh auth refresh --scopes read:packages,write:packages' or use a "
	  "classic personal access token" },
	{ TOKEN_INSTALLATION, "ghs_", "installation",
	  "installation token (GitHub Actions GITHUB_TOKEN)", NULL },
	{ TOKEN_USER_TO_SERVER, "ghu_", "user-to-server",
	  "GitHub App user-to-server token", NULL },
	{ TOKEN_REFRESH, "ghr_", "refresh", "refresh token",
	  "a refresh token (ghr_) is not an access token and cannot log in; "
	  "store the access token it was issued with, or a classic personal "
	  "access token" },
};

/* Below this many characters after the prefix, even the last 4 would
 * give away too large a share of the secret. */
#define MASK_MIN_BODY 16

enum token_kind
token_kind_of(const char *token)
{
	if (token == NULL)
		return TOKEN_UNKNOWN;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strncmp(token, kinds[i].prefix, strlen(kinds[i].prefix)) == 0)
			return kinds[i].kind;
	return TOKEN_UNKNOWN;
}

static int
kind_index(enum token_kind kind)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].kind == kind)
			return (int)i;
	return -1;
}

const char *
token_kind_id(enum token_kind kind)
{
	int i = kind_index(kind);

	return i < 0 ? "unknown" : kinds[i].id;
}

const char *
token_kind_name(enum token_kind kind)
{
	int i = kind_index(kind);

	return i < 0 ? "unknown kind" : kinds[i].name;
}

const char *
token_kind_warning(enum token_kind kind)
{
	int i = kind_index(kind);

	return i < 0 ? NULL : kinds[i].warning;
}

void
token_mask(const char *token, char out[TOKEN_MASK_MAX])
{
	enum token_kind kind = token_kind_of(token);
	int i = kind_index(kind);
	const char *prefix = i < 0 ? "" : kinds[i].prefix;
	size_t len = token != NULL ? strlen(token) : 0;

	int printable = len >= 4;

	/* The tail goes to a terminal or a log: only plain ASCII is shown. */
	for (size_t k = len >= 4 ? len - 4 : 0; k < len; k++)
		if (token[k] <= 0x20 || token[k] >= 0x7f)
			printable = 0;
	if (len < strlen(prefix) + MASK_MIN_BODY || !printable) {
		snprintf(out, TOKEN_MASK_MAX, "<%s>", token_kind_id(kind));
		return;
	}
	snprintf(out, TOKEN_MASK_MAX, "%s\xe2\x80\xa6%s", prefix, token + len - 4);
}
