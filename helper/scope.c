/*
 * Namespace-scoped identity keys and image references (see scope.h).
 * Like server.c, anything that could make one owner or host look like
 * another is refused rather than cleaned up: an image whose host is not
 * written exactly as a registry host matches nothing, and an owner name
 * outside GitHub's alphabet is never looked up.
 */
#include "scope.h"
#include "errors.h"
#include "github.h"

#include <stdio.h>
#include <string.h>

int
scope_owner_valid(const char *s, size_t n)
{
	if (n == 0 || n >= SCOPE_OWNER_MAX || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '-'))
			return 0;
	/* keyring.go turns "HOST/v1/" and "HOST/v2/" into "HOST". */
	return !(n == 2 && s[0] == 'v' && (s[1] == '1' || s[1] == '2'));
}

int
scope_key(const char *host, const char *owner, char key[SERVER_MAX])
{
	int n = snprintf(key, SERVER_MAX, "%s/%s", host, owner);

	if (n < 0 || n >= SERVER_MAX) {
		key[0] = '\0';
		return ghcr_fail(GHCR_ERR_BAD_SERVER, "registry host and owner "
		    "too long for a key");
	}
	return GHCR_OK;
}

int
scope_split_key(const char *key, char host[SERVER_MAX], const char **owner)
{
	const char *slash = strchr(key, '/');
	size_t n;

	if (slash == NULL || (n = (size_t)(slash - key)) >= SERVER_MAX)
		return 0;
	memcpy(host, key, n);
	host[n] = '\0';
	*owner = slash + 1;
	return 1;
}

/* The path of a registry address server_normalise() accepted: from the
 * first '/' after the scheme to the end, white space trimmed. */
static void
address_path(const char *arg, const char **path, size_t *n)
{
	const char *p = strstr(arg, "://"), *end;

	p = strchr(p != NULL ? p + 3 : arg, '/');
	if (p == NULL) {
		*path = "";
		*n = 0;
		return;
	}
	end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' ||
	    end[-1] == '\r' || end[-1] == '\f' || end[-1] == '\v'))
		end--;
	*path = p;
	*n = (size_t)(end - p);
}

/* The paths clients put after a registry host to mean the host itself. */
static int
is_api_path(const char *p, size_t n)
{
	static const char *const paths[] = { "", "/", "/v1", "/v1/", "/v2", "/v2/" };

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (n == strlen(paths[i]) && memcmp(p, paths[i], n) == 0)
			return 1;
	return 0;
}

int
scope_parse_login(const struct settings *s, const char *arg,
		  char key[SERVER_MAX], int *scoped)
{
	char host[SERVER_MAX], owner[SCOPE_OWNER_MAX], github[SERVER_MAX];
	const char *path;
	size_t n;
	int r;

	*scoped = 0;
	if ((r = server_normalise(arg, host)) != GHCR_OK)
		return r;
	address_path(arg, &path, &n);
	if (is_api_path(path, n)) {
		memcpy(key, host, strlen(host) + 1);
		return GHCR_OK;
	}
	/* "/OWNER" or "/OWNER/": one path component, nothing after it. */
	path++, n--;
	if (n > 0 && path[n - 1] == '/')
		n--;
	if (memchr(path, '/', n) != NULL)
		return ghcr_fail(GHCR_ERR_BAD_INPUT, "'%.100s' names an image; a "
		    "login is for HOST (every image) or HOST/OWNER (the images "
		    "of one user or organisation)", arg);
	for (size_t i = 0; i < n && i < sizeof(owner); i++)
		owner[i] = (path[i] >= 'A' && path[i] <= 'Z') ?
		    (char)(path[i] - 'A' + 'a') : path[i];
	if (!scope_owner_valid(owner, n))
		return ghcr_fail(GHCR_ERR_BAD_INPUT, "'%.*s' is not a GitHub user "
		    "or organisation name (letters, digits and '-', at most 39, "
		    "not v1 or v2)", (int)(n < 64 ? n : 64), path);
	owner[n] = '\0';
	if (!github_server_for_registry(s, host, github))
		return ghcr_fail(GHCR_ERR_BAD_INPUT, "%s is not a GitHub registry: "
		    "a login for one namespace (HOST/OWNER) is only for GitHub's "
		    "registries; give the host alone for every image", host);
	if ((r = scope_key(host, owner, key)) != GHCR_OK)
		return r;
	*scoped = 1;
	return GHCR_OK;
}

int
scope_parse_image(const char *image, struct scope_image *out)
{
	const char *slash = strchr(image, '/'), *owner, *end;
	char written[SERVER_MAX];
	size_t n;
	int r;

	memset(out, 0, sizeof(*out));
	/* No '/': a Docker Hub short name ("nginx"), never a GitHub image. */
	if (slash == NULL || (n = (size_t)(slash - image)) == 0 || n >= SERVER_MAX)
		return 0;
	memcpy(written, image, n);
	written[n] = '\0';
	/* The kubelet matches the host as written: only a host already in
	 * normal form is the registry it names. */
	r = server_normalise(written, out->host);
	ghcr_error_clear();
	if (r != GHCR_OK || strcmp(out->host, written) != 0) {
		out->host[0] = '\0';
		return 0;
	}
	owner = slash + 1;
	if (*owner == '\0')
		return 0;
	/* An owner needs a repository under it ("org/app"): a key
	 * "HOST/org/" cannot match the image "HOST/org". */
	if ((end = strchr(owner, '/')) != NULL && end[1] != '\0' &&
	    scope_owner_valid(owner, (size_t)(end - owner))) {
		memcpy(out->owner, owner, (size_t)(end - owner));
		out->owner[end - owner] = '\0';
	}
	return 1;
}
