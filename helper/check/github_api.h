/*
 * What the GitHub API of a server says about a personal token, read from
 * the headers of one authenticated request to the API's root: the OAuth
 * scopes of a classic or OAuth token (X-OAuth-Scopes), when the token
 * expires (GitHub-Authentication-Token-Expiration), and whether an
 * organization wants it authorized for SSO (X-GitHub-SSO).  The token goes
 * only to the API of the GitHub server its registry belongs to.
 */
#ifndef GHCR_GITHUB_API_H
#define GHCR_GITHUB_API_H

#include <time.h>

#include "http.h"
#include "settings.h"

/* Overrides every server's API base address (tests, proxies in front). */
#define GITHUB_API_ENV "DOCKER_CREDENTIAL_GHCR_GITHUB_API"

struct github_api_result {
	char url[512];        /* the address asked */
	int reached;          /* 1 when an HTTP answer came */
	long status;          /* of the root request */
	int valid;            /* 1 when the API took the token (2xx) */
	int has_scopes;       /* X-OAuth-Scopes was sent (classic, OAuth) */
	char scopes[512];     /* its value, as sent but sanitised (text.h) */
	time_t expiry;        /* 0: no expiry given (or none) */
	char expiry_text[64]; /* the header's value, as sent but sanitised */
	char sso_url[512];    /* from "X-GitHub-SSO: required; url=..." */
	char sso_org[128];    /* the organization that asked, when known */
	char message[512];    /* the failure line, or the API's words */
};

/*
 * Writes the API base address for `github_host` into out (with a final
 * slash): DOCKER_CREDENTIAL_GHCR_GITHUB_API when set, else
 * https://api.github.com/ for github.com, https://api.SUB.ghe.com/ for
 * GHE.com, https://HOST/api/v3/ for an enterprise server.
 */
void github_api_base(const char *github_host, char *out, size_t size);

/*
 * Asks the API at `base` with `secret` (GET base, then GET base/orgs/ORG
 * for each of the `norgs` organizations, for X-GitHub-SSO).  Fills *out;
 * returns GHCR_OK whatever GitHub said, GHCR_ERR_NO_MEMORY otherwise.
 */
int github_api_check(struct http_client *c, const char *base,
		     const char *secret, const char *const *orgs, int norgs,
		     struct github_api_result *out);

/* 1 when the scope list ("a, b", entries split at commas and spaces)
 * holds `scope` exactly. */
int github_scope_has(const char *scopes, const char *scope);

/*
 * Parses "2026-12-31 23:59:59 UTC" (or a "+hhmm"/"-hhmm" offset) into a
 * time_t; (time_t)-1 when it is not that.
 */
time_t github_parse_expiration(const char *text);

#endif
