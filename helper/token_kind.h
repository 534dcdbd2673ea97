/*
 * What kind of GitHub token a secret is, told by its documented prefix, and
 * how to show it to a person without revealing it.  GitHub Packages accepts
 * some kinds and refuses others, so login and status warn before a push
 * fails with an unhelpful "denied".
 */
#ifndef GHCR_TOKEN_KIND_H
#define GHCR_TOKEN_KIND_H

#include <stddef.h>

enum token_kind {
	TOKEN_UNKNOWN = 0,
	TOKEN_CLASSIC,        /* ghp_: classic personal access token */
	TOKEN_FINE_GRAINED,   /* github_pat_: not accepted by GitHub Packages */
	TOKEN_OAUTH,          /* gho_: OAuth app token (the GitHub CLI's) */
	TOKEN_INSTALLATION,   /* ghs_: installation token, Actions' GITHUB_TOKEN */
	TOKEN_USER_TO_SERVER, /* ghu_: GitHub App user-to-server token */
	TOKEN_REFRESH,        /* ghr_: refresh token, never a credential */
};

/* Room for a masked token: the longest prefix, an ellipsis, 4 characters. */
#define TOKEN_MASK_MAX 32

/* The kind of `token` (NULL is TOKEN_UNKNOWN). */
enum token_kind token_kind_of(const char *token);

/* Short machine name ("classic", "fine-grained", ...), static storage. */
const char *token_kind_id(enum token_kind kind);

/* Human name ("classic personal access token", ...), static storage. */
const char *token_kind_name(enum token_kind kind);

/*
 * Why this kind may not work with GitHub Packages, with the fix, or NULL
 * when it works; static storage.
 */
const char *token_kind_warning(enum token_kind kind);

/*
 * Writes the masked form of `token` to out[TOKEN_MASK_MAX]: the kind's
 * prefix, "…" and the last 4 characters ("ghp_…abcd"), never more.  A
 * token too short for that to hide it gets only the kind's name in angle
 * brackets ("<unknown>"), so nothing of it is shown.
 */
void token_mask(const char *token, char out[TOKEN_MASK_MAX]);

#endif
