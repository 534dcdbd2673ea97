/*
 * Fuzz target: the reader of the GitHub CLI's hosts.yml, a file another
 * program writes and the helper trusts only as far as its own narrow
 * grammar goes.  The input is "GITHUB-HOST\nFILE".  Invariants checked
 * (abort() on violation): the reader answers OK or NOT_FOUND; an answer
 * has a non-empty user and token on one line each, with no NUL, taken
 * from inside the file; a listing (want_token 0) copies no token.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "ghcli.h"
#include "secmem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what)
{
	fprintf(stderr, "invariant violated: %s\n", what);
	abort();
}

static void
check_value(const char *v, const char *file, size_t flen, int may_default)
{
	if (v == NULL || v[0] == '\0')
		fail("empty user or token");
	if (strchr(v, '\n') != NULL)
		fail("user or token spans lines");
	if (!may_default && memmem(file, flen, v, strlen(v)) == NULL)
		fail("token is not a substring of the file");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	struct ghcli_login login;
	char host[256], *file;
	size_t hlen, flen;
	int r;

	if (nl == NULL || (hlen = (size_t)(nl - data)) >= sizeof(host) ||
	    memchr(data, '\0', hlen) != NULL)
		return 0;
	memcpy(host, data, hlen);
	host[hlen] = '\0';
	flen = size - hlen - 1;
	/* ghcli_login() hands the parser a NUL-terminated secmem buffer. */
	if ((file = secmem_alloc(flen + 1)) == NULL)
		abort();
	memcpy(file, nl + 1, flen);

	for (int want = 0; want <= 1; want++) {
		memset(&login, 0, sizeof(login));
		r = ghcli_parse_hosts(file, flen, host, want, &login);
		if (r == GHCR_ERR_NOT_FOUND) {
			if (login.user != NULL || login.token != NULL)
				fail("not found, yet strings handed out");
			continue;
		}
		if (r != GHCR_OK)
			fail("unexpected status");
		check_value(login.user, file, flen, 1);
		if (login.token != NULL) {
			if (!want)
				fail("a listing copied the token");
			if (!login.in_file)
				fail("a token handed out from a file that holds none");
			check_value(login.token, file, flen, 0);
		} else if (want && login.in_file)
			fail("the file holds the token, yet none was handed out");
		ghcli_login_clear(&login);
	}
	secmem_free(file);
	return 0;
}
