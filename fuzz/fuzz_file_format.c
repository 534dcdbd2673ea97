/*
 * Fuzz target: the file-store decoder, fed whatever an attacker with write
 * access to the store file could put there.  A random input almost never
 * passes the SHA-256 checksum, the key check or the GCM tag, so the first
 * input byte picks how far the harness helps it along:
 *   0  the bytes as they are;
 *   1  the checksum recomputed (reaches header validation and the KDF);
 *   2  a valid header and tag for the harness's own key around the rest
 *      as plaintext (reaches the entry parser through the real decoder);
 *   3  the plaintext parser alone, then every entry operation on it;
 * and its bit 2 the format version of the plaintext (1, or 2 with expiry
 * dates) for modes 2 and 3.
 * Invariants checked (abort() on violation, so libFuzzer reports a crash):
 *  - decoding fails only with CORRUPT or BAD_KEY (never NOT_FOUND) and
 *    leaves no entries; the message is one line;
 *  - a decoded store agrees with parsing its plaintext directly, and
 *    serialising the entries gives back exactly the plaintext;
 *  - entries are non-empty servers, with no NUL inside any string.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "file_crypto.h"
#include "file_format.h"
#include "secmem.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The harness's own store key and the key state derived from it. */
static const unsigned char fixed_key[FILE_CRYPTO_KEY_LEN] = "fuzz-key-0123456789abcdefghijkl";
static struct file_key *mine;
/* The plaintext format of the current input (modes 2 and 3). */
static unsigned fuzz_version = FILE_FORMAT_VERSION_PLAIN;

static void
fail(const char *what, const char *detail)
{
	fprintf(stderr, "invariant violated: %s [%s]\n", what,
	    detail != NULL ? detail : "(null)");
	abort();
}

static void
put_u32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static void
check_entries(const struct file_entries *e)
{
	for (size_t i = 0; i < e->n; i++) {
		const struct file_entry *en = &e->v[i];

		if (en->server == NULL || en->username == NULL || en->secret == NULL)
			fail("entry with a NULL string", NULL);
		if (en->server_len == 0)
			fail("entry with an empty server", NULL);
		if (strlen(en->server) != en->server_len ||
		    strlen(en->username) != en->username_len ||
		    strlen(en->secret) != en->secret_len)
			fail("entry string length disagrees with its NUL", en->server);
		if (file_entries_find(e, en->server) == NULL)
			fail("entry cannot be found by its own server", en->server);
	}
}

/* Serialising what was parsed must give back the plaintext exactly. */
static void
check_round_trip(const struct file_entries *e, const unsigned char *plain,
		 size_t len)
{
	unsigned char *out = NULL;
	size_t outlen;

	if (file_format_serialize(e, fuzz_version, &out, &outlen) != GHCR_OK)
		fail("cannot serialise parsed entries", ghcr_error_detail());
	if (outlen != len || memcmp(out, plain, len) != 0)
		fail("parse then serialise changed the entry list", NULL);
	secmem_free(out);
}

static void
check_failure(int r, const struct file_entries *e, const char *where)
{
	if (r == GHCR_ERR_NOT_FOUND)
		fail("a damaged store reads as 'not found'", where);
	if (r != GHCR_ERR_CORRUPT && r != GHCR_ERR_BAD_KEY &&
	    r != GHCR_ERR_NO_MEMORY)
		fail("unexpected status from the decoder", ghcr_strerror(r));
	if (e->n != 0 || e->v != NULL || e->plain != NULL)
		fail("failed decode left entries behind", where);
	if (strchr(ghcr_error_message(r), '\n') != NULL)
		fail("decoder message is not one line", ghcr_error_message(r));
}

static void
decode(const unsigned char *buf, size_t len, const unsigned char *plain,
       size_t plen)
{
	struct file_key_source src = { .key = fixed_key };
	struct file_entries e, direct;
	struct file_key *key = file_key_new();
	int r, rd;

	if (key == NULL)
		abort();
	ghcr_error_clear();
	r = file_format_decode(buf, len, &src, key, NULL, &e);
	if (r != GHCR_OK)
		check_failure(r, &e, "decode");
	else
		check_entries(&e);
	if (plain != NULL) {
		/* The real decoder and the bare parser must agree. */
		rd = file_format_parse(plain, plen, fuzz_version, NULL, &direct);
		if ((r == GHCR_OK) != (rd == GHCR_OK))
			fail("decoder and parser disagree on a valid file",
			    ghcr_strerror(r));
		if (r == GHCR_OK) {
			if (e.n != direct.n)
				fail("decoder and parser found different entries", NULL);
			check_round_trip(&e, plain, plen);
		}
		file_entries_clear(&direct);
	}
	file_entries_clear(&e);
	file_key_free(key);
}

/* Wraps plain[plen] in a header sealed with the harness key. */
static void
decode_sealed(const unsigned char *plain, size_t plen)
{
	size_t len = FILE_FORMAT_OVERHEAD + plen;
	unsigned char *buf = malloc(len), *h = buf;

	if (buf == NULL)
		abort();
	memset(h, 0, FILE_FORMAT_HEADER_LEN);
	memcpy(h, FILE_FORMAT_MAGIC, FILE_FORMAT_MAGIC_LEN);
	h[8] = (unsigned char)fuzz_version;
	h[9] = FILE_KDF_NONE;
	memcpy(h + 16, mine->salt, FILE_FORMAT_SALT_LEN);
	memset(h + 32, 0x5a, FILE_CRYPTO_NONCE_LEN);
	memcpy(h + 44, mine->check, FILE_FORMAT_CHECK_LEN);
	put_u32(h + 60, (uint32_t)plen);
	if (file_crypto_gcm_seal(mine->enc, h + 32, h, FILE_FORMAT_HEADER_LEN,
	    plain, plen, buf + FILE_FORMAT_HEADER_LEN,
	    buf + FILE_FORMAT_HEADER_LEN + plen) != GHCR_OK ||
	    file_crypto_sha256(buf, len - FILE_CRYPTO_HASH_LEN,
	    buf + len - FILE_CRYPTO_HASH_LEN) != GHCR_OK)
		fail("harness could not seal", ghcr_error_detail());
	decode(buf, len, plain, plen);
	free(buf);
}

/* A lookup (`only`) agrees with the full parse: the same verdict, and the
 * entry file_entries_find() gives, or none. */
static void
check_lookup(const unsigned char *plain, size_t plen, int full_r,
	     const struct file_entries *full, const char *server)
{
	const struct file_entry *want = full_r == GHCR_OK ?
	    file_entries_find(full, server) : NULL;
	struct file_entries one;
	int r = file_format_parse(plain, plen, fuzz_version, server, &one);

	if ((r == GHCR_OK) != (full_r == GHCR_OK))
		fail("a lookup and the full parse disagree on the payload", server);
	if (r == GHCR_OK && (one.n != (want != NULL) || (want != NULL &&
	    (strcmp(one.v[0].username, want->username) != 0 ||
	    strcmp(one.v[0].secret, want->secret) != 0 ||
	    one.v[0].expires != want->expires))))
		fail("a lookup found another entry than the full parse", server);
	file_entries_clear(&one);
}

static void
parse_and_edit(const unsigned char *plain, size_t plen)
{
	struct file_entries e;
	size_t n;
	int r;

	ghcr_error_clear();
	r = file_format_parse(plain, plen, fuzz_version, NULL, &e);
	check_lookup(plain, plen, r, &e, "ghcr.io");
	if (r != GHCR_OK) {
		check_failure(r, &e, "parse");
		return;
	}
	if (e.n > 0)
		check_lookup(plain, plen, r, &e, e.v[e.n - 1].server);
	check_entries(&e);
	check_round_trip(&e, plain, plen);
	if (e.n > 0) {
		/* Replacing the first server leaves exactly one entry for it. */
		const char *server = e.v[0].server;

		n = e.n;
		if (file_entries_set(&e, server, "fuzz-user", "fuzz-secret",
		    1700000000) != GHCR_OK)
			fail("cannot replace an entry", server);
		if (file_entries_remove(&e, server) != 1)
			fail("replacing an entry left duplicates", server);
		if (file_entries_find(&e, server) != NULL || e.n > n - 1)
			fail("removed entry is still there", server);
		check_entries(&e);
	}
	file_entries_clear(&e);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct file_key_source src = { .key = fixed_key };
	struct file_entries none = { 0 };
	unsigned char *out = NULL;
	size_t outlen;

	(void)argc, (void)argv;
	if ((mine = file_key_new()) == NULL ||
	    file_format_encode(&none, &src, mine, &out, &outlen) != GHCR_OK) {
		fprintf(stderr, "cannot set up the harness key: %s\n",
		    ghcr_error_message(GHCR_ERR_UNAVAILABLE));
		abort();
	}
	free(out);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *buf;
	int mode;

	if (size == 0 || size > (1u << 20))
		return 0;
	mode = data[0] & 3;
	fuzz_version = (data[0] & 4) ? FILE_FORMAT_VERSION_EXPIRY :
	    FILE_FORMAT_VERSION_PLAIN;
	data++;
	size--;
	/* An exact-size heap copy, so ASan sees every overread. */
	if ((buf = malloc(size > 0 ? size : 1)) == NULL)
		abort();
	if (size > 0)
		memcpy(buf, data, size);
	switch (mode) {
	case 0:
		decode(buf, size, NULL, 0);
		break;
	case 1:
		if (size >= FILE_CRYPTO_HASH_LEN &&
		    file_crypto_sha256(buf, size - FILE_CRYPTO_HASH_LEN,
		    buf + size - FILE_CRYPTO_HASH_LEN) != GHCR_OK)
			abort();
		decode(buf, size, NULL, 0);
		break;
	case 2:
		decode_sealed(buf, size);
		break;
	default:
		parse_and_edit(buf, size);
		break;
	}
	free(buf);
	return 0;
}
