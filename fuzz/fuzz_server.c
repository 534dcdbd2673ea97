/*
 * Fuzz target: server-address normalisation and the GitHub host gate, the
 * two functions that decide whether a GitHub token may leave the process.
 * The input is "CONFIGURED-GITHUB-SERVER\nURL": the fuzzer chooses both the
 * enterprise server the settings name and the address a client asks for.
 * Invariants checked (abort() on violation, so libFuzzer reports a crash):
 *  - a failed normalisation leaves an empty key and says NO_SERVER or
 *    BAD_SERVER;
 *  - a key is short, lower-case, and made only of host-name characters;
 *  - normalising a key again gives the same key, and so does the key
 *    wrapped in a scheme and a registry path, or in upper case;
 *  - a host classified as GitHub equals, byte for byte, one of the
 *    registry hosts this file computes on its own from the configured
 *    server, and every such host is classified as GitHub.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "github.h"
#include "server.h"
#include "settings.h"

#define KNOWN_MAX 4

static void
fail(const char *what, const char *a, const char *b)
{
	fprintf(stderr, "invariant violated: %s\n  [%s]\n  [%s]\n", what,
	    a != NULL ? a : "(null)", b != NULL ? b : "(null)");
	abort();
}

/* The registry hosts of github.com and of the configured server, derived
 * independently of github.c from the README's list of GitHub registry
 * hosts. */
static int
known_hosts(const char *configured, char known[KNOWN_MAX][SERVER_MAX])
{
	size_t n = strlen(configured), sfx = strlen(".ghe.com");
	int k = 0;

	snprintf(known[k++], SERVER_MAX, "ghcr.io");
	snprintf(known[k++], SERVER_MAX, "docker.pkg.github.com");
	if (strcmp(configured, "github.com") == 0)
		return k;
	if (strlen("containers.") + n < SERVER_MAX)
		snprintf(known[k++], SERVER_MAX, "containers.%s", configured);
	if (n > sfx && strcmp(configured + n - sfx, ".ghe.com") == 0)
		return k;
	if (strlen("docker.") + n < SERVER_MAX)
		snprintf(known[k++], SERVER_MAX, "docker.%s", configured);
	return k;
}

static int
is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    c == '-' || c == '.' || c == '_' || c == ':' || c == '[' || c == ']';
}

static void
check_key(const char *url, const char *key)
{
	char again[SERVER_MAX], wrapped[SERVER_MAX + 32], upper[SERVER_MAX];
	size_t len = strlen(key);

	if (len == 0 || len >= SERVER_MAX)
		fail("normalised key has a bad length", url, key);
	for (size_t i = 0; i < len; i++)
		if (!is_key_char(key[i]))
			fail("normalised key has a character no host has", url, key);
	if (server_normalise(key, again) != GHCR_OK || strcmp(key, again) != 0)
		fail("normalising twice is not idempotent", key, again);

	snprintf(wrapped, sizeof(wrapped), "  HTTPS://%s/v2/\n", key);
	if (server_normalise(wrapped, again) != GHCR_OK || strcmp(key, again) != 0)
		fail("scheme, path or white space changed the key", wrapped, again);
	for (size_t i = 0; i <= len; i++)
		upper[i] = (key[i] >= 'a' && key[i] <= 'z') ?
		    (char)(key[i] - 'a' + 'A') : key[i];
	if (server_normalise(upper, again) != GHCR_OK || strcmp(key, again) != 0)
		fail("upper case changed the key", upper, again);
}

static void
check_classification(const struct settings *s, const char *server)
{
	char known[KNOWN_MAX][SERVER_MAX], gh[SERVER_MAX];
	int n = known_hosts(s->github_host, known), hit = -1;

	/* First match: github.com's own registries win when an enterprise
	 * server's name would make one of them its registry too. */
	for (int i = 0; i < n && hit < 0; i++)
		if (strcmp(known[i], server) == 0)
			hit = i;
	if (github_server_for_registry(s, server, gh)) {
		if (hit < 0)
			fail("a host that is not a GitHub registry was classified as one",
			    server, gh);
		if (strcmp(gh, hit < 2 ? "github.com" : s->github_host) != 0)
			fail("GitHub registry attributed to the wrong server",
			    server, gh);
	} else {
		if (hit >= 0)
			fail("a GitHub registry host was not recognised", server,
			    s->github_host);
		if (gh[0] != '\0')
			fail("unclassified host left a GitHub server behind", server, gh);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	char key[SERVER_MAX], *configured, *url;
	struct settings s;
	size_t clen, ulen;
	int r;

	if (nl == NULL)
		return 0;
	clen = (size_t)(nl - data);
	ulen = size - clen - 1;
	configured = malloc(clen + 1);
	url = malloc(ulen + 1);
	if (configured == NULL || url == NULL)
		abort();
	memcpy(configured, data, clen);
	configured[clen] = '\0';
	memcpy(url, nl + 1, ulen);
	url[ulen] = '\0';

	memset(&s, 0, sizeof(s));
	snprintf(s.github_host, sizeof(s.github_host), "github.com");
	/* An empty first line keeps github.com; otherwise the enterprise
	 * server is configured exactly as settings.c would: normalised. */
	if (clen > 0 && server_normalise(configured, s.github_host) != GHCR_OK)
		goto out;

	ghcr_error_clear();
	key[0] = 'x';
	r = server_normalise(url, key);
	if (r != GHCR_OK) {
		if (r != GHCR_ERR_NO_SERVER && r != GHCR_ERR_BAD_SERVER)
			fail("unexpected status from server_normalise", url,
			    ghcr_strerror(r));
		if (key[0] != '\0')
			fail("failed normalisation left a key behind", url, key);
		if (strchr(ghcr_error_message(r), '\n') != NULL)
			fail("error message is not one line", url,
			    ghcr_error_message(r));
	} else {
		check_key(url, key);
		check_classification(&s, key);
	}
	/* The gate must hold even for a caller that forgot to normalise. */
	check_classification(&s, url);
out:
	free(configured);
	free(url);
	return 0;
}
