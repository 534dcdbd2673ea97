/*
 * The GitHub API's view of a token (see github_api.h).  Only headers are
 * read, and the body only for GitHub's own error message; nothing is
 * written.
 */
#include "github_api.h"
#include "errors.h"
#include "registry_probe.h"
#include "secmem.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void
github_api_base(const char *github_host, char *out, size_t size)
{
	const char *env = settings_getenv(GITHUB_API_ENV);
	size_t n = strlen(github_host), ghe = strlen(".ghe.com");

	if (env != NULL)
		snprintf(out, size, "%s%s", env,
		    env[strlen(env) - 1] == '/' ? "" : "/");
	else if (strcmp(github_host, "github.com") == 0)
		snprintf(out, size, "https://api.github.com/");
	else if (n > ghe && strcmp(github_host + n - ghe, ".ghe.com") == 0)
		snprintf(out, size, "https://api.%s/", github_host);
	else
		snprintf(out, size, "https://%s/api/v3/", github_host);
}

int
github_scope_has(const char *scopes, const char *scope)
{
	size_t len = strlen(scope);

	/* Entries end at a comma or a space, as check shows them (GitHub
	 * sends "a, b"); the next entry starts after this one, not after the
	 * next comma, or "repo read:packages" would hide its second scope. */
	for (const char *p = scopes; p != NULL && *p != '\0'; ) {
		size_t n;

		p += strspn(p, ", ");
		n = strcspn(p, ", ");
		if (n > 0 && n == len && strncmp(p, scope, len) == 0)
			return 1;
		p += n;
	}
	return 0;
}

time_t
github_parse_expiration(const char *text)
{
	struct tm tm = { 0 };
	int y, mo, d, h, mi, s, consumed = 0, off = 0;
	char zone[8] = "";
	time_t t;

	if (text == NULL ||
	    sscanf(text, "%4d-%2d-%2d %2d:%2d:%2d %n", &y, &mo, &d, &h, &mi, &s,
	    &consumed) != 6 || consumed == 0)
		return (time_t)-1;
	if (sscanf(text + consumed, "%7s", zone) != 1)
		return (time_t)-1;
	if (strcmp(zone, "UTC") == 0 || strcmp(zone, "Z") == 0)
		off = 0;
	else if ((zone[0] == '+' || zone[0] == '-') && strlen(zone) == 5 &&
	    strspn(zone + 1, "0123456789") == 4)
		off = (zone[0] == '-' ? -1 : 1) *
		    ((zone[1] - '0') * 600 + (zone[2] - '0') * 60 +
		    (zone[3] - '0') * 10 + (zone[4] - '0')) * 60;
	else
		return (time_t)-1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
		return (time_t)-1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	if ((t = timegm(&tm)) == (time_t)-1)
		return t;
	return t - off;
}

/* "required; url=https://..." -> the address. */
static void
sso_url(const char *header, char *out, size_t size)
{
	const char *u;

	out[0] = '\0';
	if (header == NULL || strncasecmp(header, "required", 8) != 0 ||
	    (u = strstr(header, "url=")) == NULL)
		return;
	u += 4;
	snprintf(out, size, "%.*s", (int)strcspn(u, "; \t"), u);
	/* Only ever an address to open, never something to run: plain
	 * printable ASCII, no quote, no shell character. */
	if (strncmp(out, "https://", 8) != 0 || strcspn(out, "\"'`$\\") != strlen(out))
		out[0] = '\0';
	for (const char *p = out; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			out[0] = '\0';
}

int
github_api_check(struct http_client *c, const char *base, const char *secret,
		 const char *const *orgs, int norgs, struct github_api_result *out)
{
	static const char *const extra[] = {
		"Accept: application/vnd.github+json",
		"X-GitHub-Api-Version: 2022-11-28",
		NULL,
	};
	struct http_response resp = { 0 };
	char *auth, url[768];
	const char *h;
	int r;

	memset(out, 0, sizeof(*out));
	snprintf(out->url, sizeof(out->url), "%s", base);
	if ((auth = http_authorization(NULL, secret)) == NULL)
		return GHCR_ERR_NO_MEMORY;
	if ((r = http_request(c, "GET", base, auth, extra, &resp)) == GHCR_ERR_NO_MEMORY)
		goto out;
	r = GHCR_OK;
	if (resp.status == 0) {
		snprintf(out->message, sizeof(out->message), "%s", resp.error);
		goto out;
	}
	out->reached = 1;
	out->status = resp.status;
	out->valid = resp.status >= 200 && resp.status < 300;
	if (!out->valid)
		registry_error_words(resp.body, resp.body_len, out->message,
		    sizeof(out->message));
	if ((h = resp.headers[HTTP_H_OAUTH_SCOPES]) != NULL) {
		/* Shown as sent, but only in the one safe form (text.h). */
		out->has_scopes = 1;
		(void)text_sanitise(out->scopes, sizeof(out->scopes), h, strlen(h), 0);
	}
	if ((h = resp.headers[HTTP_H_TOKEN_EXPIRATION]) != NULL) {
		time_t t = github_parse_expiration(h);

		(void)text_sanitise(out->expiry_text, sizeof(out->expiry_text), h,
		    strlen(h), 0);
		out->expiry = t == (time_t)-1 ? 0 : t;
	}
	sso_url(resp.headers[HTTP_H_GITHUB_SSO], out->sso_url, sizeof(out->sso_url));
	/* The organizations of the images: one that enforces SSO says so
	 * (and where to authorize) when asked about itself. */
	for (int i = 0; out->valid && out->sso_url[0] == '\0' && i < norgs; i++) {
		http_response_clear(&resp);
		snprintf(url, sizeof(url), "%sorgs/%s", base, orgs[i]);
		if ((r = http_request(c, "GET", url, auth, extra, &resp)) == GHCR_ERR_NO_MEMORY)
			goto out;
		r = GHCR_OK;
		sso_url(resp.headers[HTTP_H_GITHUB_SSO], out->sso_url,
		    sizeof(out->sso_url));
		if (out->sso_url[0] != '\0')
			snprintf(out->sso_org, sizeof(out->sso_org), "%s", orgs[i]);
	}
out:
	secmem_free(auth);
	http_response_clear(&resp);
	return r;
}
