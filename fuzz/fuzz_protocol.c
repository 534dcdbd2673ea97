/*
 * Fuzz target: everything a client can send on stdin, as the helper sees
 * it after protocol_read_all() (a NUL-terminated buffer of `size` bytes):
 * the `store` JSON parser and the `get`/`erase` server parser.  Invariants
 * checked (abort() on violation, so libFuzzer reports a crash):
 *  - a refused request leaves the credential cleared and the key empty,
 *    with a status from the documented set and a one-line message;
 *  - an accepted store request has a normalised server, a non-empty
 *    username and secret without control characters, and survives the
 *    round trip through the `get` answer (format, then parse again);
 *  - the server key of get/erase is normalised (normalising it again
 *    changes nothing).
 * jansson allocates through secmem as in the helper, so ASan also watches
 * the wiping allocator.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "protocol.h"
#include "secmem.h"
#include "server.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what, const char *detail)
{
	fprintf(stderr, "invariant violated: %s [%s]\n", what,
	    detail != NULL ? detail : "(null)");
	abort();
}

static int
has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

static void
check_message(int r)
{
	const char *msg = ghcr_error_message(r);

	if (msg == NULL || msg[0] == '\0' || strchr(msg, '\n') != NULL)
		fail("failure message is not exactly one line", msg);
}

static void
check_store(const char *buf, size_t size)
{
	struct credential cred, again;
	char key[SERVER_MAX], *answer = NULL;
	size_t alen;
	int r;

	ghcr_error_clear();
	r = protocol_parse_store(buf, size, &cred);
	if (r != GHCR_OK) {
		if (r != GHCR_ERR_BAD_INPUT && r != GHCR_ERR_NO_SERVER &&
		    r != GHCR_ERR_NO_USERNAME && r != GHCR_ERR_BAD_SERVER &&
		    r != GHCR_ERR_NO_MEMORY)
			fail("unexpected status from protocol_parse_store",
			    ghcr_strerror(r));
		if (cred.server != NULL || cred.username != NULL ||
		    cred.secret != NULL)
			fail("refused store request left strings behind", NULL);
		check_message(r);
		return;
	}
	if (cred.server == NULL || cred.username == NULL || cred.secret == NULL)
		fail("accepted store request with a NULL field", NULL);
	if (cred.username[0] == '\0' || cred.secret[0] == '\0')
		fail("accepted store request with an empty field", cred.username);
	if (has_control(cred.username) || has_control(cred.secret))
		fail("control character accepted in username or secret", NULL);
	if (server_normalise(cred.server, key) != GHCR_OK ||
	    strcmp(key, cred.server) != 0)
		fail("stored server key is not normalised", cred.server);

	/* What `get` would print must read back as the same credential. */
	if (protocol_format_credential(&cred, &answer, &alen) != GHCR_OK)
		fail("cannot format an accepted credential", NULL);
	if (alen == 0 || answer[alen - 1] != '\n' ||
	    memchr(answer, '\n', alen - 1) != NULL)
		fail("get answer is not one line", NULL);
	if (protocol_parse_store(answer, alen, &again) != GHCR_OK)
		fail("get answer does not parse as the same credential",
		    ghcr_error_message(GHCR_ERR_BAD_INPUT));
	if (strcmp(again.server, cred.server) != 0 ||
	    strcmp(again.username, cred.username) != 0 ||
	    strcmp(again.secret, cred.secret) != 0)
		fail("credential changed in the get round trip", again.server);
	credential_clear(&again);
	secmem_free(answer);
	credential_clear(&cred);
	if (cred.server != NULL || cred.username != NULL || cred.secret != NULL)
		fail("credential_clear left pointers behind", NULL);
}

static void
check_server(const char *buf, size_t size)
{
	char key[SERVER_MAX], again[SERVER_MAX];
	int r;

	ghcr_error_clear();
	key[0] = 'x';
	r = protocol_parse_server(buf, size, key);
	if (r != GHCR_OK) {
		if (r != GHCR_ERR_BAD_INPUT && r != GHCR_ERR_NO_SERVER &&
		    r != GHCR_ERR_BAD_SERVER)
			fail("unexpected status from protocol_parse_server",
			    ghcr_strerror(r));
		if (key[0] != '\0')
			fail("refused server left a key behind", key);
		check_message(r);
		return;
	}
	if (server_normalise(key, again) != GHCR_OK || strcmp(key, again) != 0)
		fail("server key is not normalised", key);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	/* As in main(): jansson's copies of secrets are wiped on free. */
	json_set_alloc_funcs(secmem_alloc, secmem_free);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf;

	/* protocol_read_all() never returns more than this. */
	if (size > PROTOCOL_MAX_INPUT)
		return 0;
	if ((buf = secmem_alloc(size + 1)) == NULL)
		abort();
	if (size > 0)
		memcpy(buf, data, size);
	check_store(buf, size);
	check_server(buf, size);
	secmem_free(buf);
	return 0;
}
