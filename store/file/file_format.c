/*
 * Encoding and decoding of the encrypted store file (layout in
 * file_format.h).  Decoding refuses, in this order of precedence: size and
 * magic, version, checksum (accidental damage), header fields, key check
 * value (wrong key), GCM tag (tampering); only then is the plaintext
 * parsed.  The checksum is computed only to word a refusal: the GCM tag
 * already authenticates every byte it covers, and hashing the store on
 * every read costs more than decrypting it.  Every secret buffer is secmem
 * memory.
 */
#include "file_format.h"
#include "errors.h"
#include "secmem.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Labels bind each derived key to its use.  They say v1 for both format
 * versions: the version byte is authenticated as part of the header, and
 * one key serving both lets a store move to version 2 without a KDF. */
static const char label_encrypt[] = "docker-credential-ghcr file store v1 encrypt";
static const char label_check[] = "docker-credential-ghcr file store v1 key check";

/* Bounds on header KDF parameters, so a hostile file cannot ask for 1 TiB. */
#define SCRYPT_LOG2N_MIN 10
#define SCRYPT_LOG2N_MAX 20
#define SCRYPT_R_MAX 16
#define SCRYPT_P_MAX 4
#define SCRYPT_MEM_MAX (256ull << 20)

static void
put_u32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static uint32_t
get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void
put_u64(unsigned char *p, uint64_t v)
{
	put_u32(p, (uint32_t)(v >> 32));
	put_u32(p + 4, (uint32_t)v);
}

static uint64_t
get_u64(const unsigned char *p)
{
	return (uint64_t)get_u32(p) << 32 | get_u32(p + 4);
}

/* Bytes an entry takes beyond its strings' own: three lengths, three NULs
 * and, in version 2, the expiry. */
static size_t
entry_overhead(unsigned version)
{
	return version >= FILE_FORMAT_VERSION_EXPIRY ? 15 + 8 : 15;
}

struct file_key *
file_key_new(void)
{
	struct file_key *key = secmem_alloc(sizeof(*key));

	/* Best effort: keep the key out of swap; failure is not fatal. */
	if (key != NULL)
		(void)mlock(key, sizeof(*key));
	return key;
}

void
file_key_free(struct file_key *key)
{
	if (key == NULL)
		return;
	secmem_wipe(key, sizeof(*key));
	(void)munlock(key, sizeof(*key));
	secmem_free(key);
}

/* --- plaintext ------------------------------------------------------------ */

/* The table itself (find, set, remove) is file_entries.c's. */
unsigned
file_format_version_for(const struct file_entries *e)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->v[i].expires != 0)
			return FILE_FORMAT_VERSION_EXPIRY;
	return FILE_FORMAT_VERSION_PLAIN;
}

/* Reads one length-prefixed, NUL-terminated string at *pos. */
static int
parse_string(const unsigned char *p, size_t len, size_t *pos,
	     const char **s, size_t *slen)
{
	uint32_t n;

	if (len - *pos < 4)
		return ghcr_fail(GHCR_ERR_CORRUPT, "entry list is truncated");
	n = get_u32(p + *pos);
	*pos += 4;
	if (n >= len - *pos)
		return ghcr_fail(GHCR_ERR_CORRUPT, "entry string runs past the end");
	if (p[*pos + n] != '\0' || memchr(p + *pos, '\0', n) != NULL)
		return ghcr_fail(GHCR_ERR_CORRUPT, "entry string is not terminated");
	*s = (const char *)p + *pos;
	*slen = n;
	*pos += (size_t)n + 1;
	return GHCR_OK;
}

/* Parses plain[len] of format `version`, taking ownership of `plain` (a
 * secmem buffer); with `only`, keeps just the first entry for that server. */
static int
parse_owned(unsigned char *plain, size_t len, unsigned version,
	    const char *only, struct file_entries *out)
{
	struct file_entries e = { .plain = plain, .plain_len = len };
	size_t pos = 4, only_len = only != NULL ? strlen(only) : 0;
	uint32_t count, table;
	int r;

	if (version != FILE_FORMAT_VERSION_PLAIN &&
	    version != FILE_FORMAT_VERSION_EXPIRY) {
		r = ghcr_fail(GHCR_ERR_CORRUPT, "unknown format version %u", version);
		goto out;
	}
	if (len < 4) {
		r = ghcr_fail(GHCR_ERR_CORRUPT, "entry list is truncated");
		goto out;
	}
	count = get_u32(plain);
	/* Each entry takes at least its overhead: bound the count before
	 * trusting it. */
	if (count > (len - 4) / entry_overhead(version)) {
		r = ghcr_fail(GHCR_ERR_CORRUPT, "entry count %u is impossible", count);
		goto out;
	}
	/* The bounded count sizes the table once: no realloc() chain. */
	table = only != NULL && count > 0 ? 1 : count;
	if (table > 0 && (e.v = malloc(table * sizeof(*e.v))) == NULL) {
		r = GHCR_ERR_NO_MEMORY;
		goto out;
	}
	e.cap = table;
	for (uint32_t i = 0; i < count; i++) {
		struct file_entry entry, *en = &entry;

		if ((r = parse_string(plain, len, &pos, &en->server, &en->server_len)) != 0 ||
		    (r = parse_string(plain, len, &pos, &en->username, &en->username_len)) != 0 ||
		    (r = parse_string(plain, len, &pos, &en->secret, &en->secret_len)) != 0)
			goto out;
		if (en->server_len == 0) {
			r = ghcr_fail(GHCR_ERR_CORRUPT, "entry %u has an empty server", i);
			goto out;
		}
		en->expires = 0;
		if (version >= FILE_FORMAT_VERSION_EXPIRY) {
			uint64_t when;

			if (len - pos < 8) {
				r = ghcr_fail(GHCR_ERR_CORRUPT, "entry list is truncated");
				goto out;
			}
			when = get_u64(plain + pos);
			pos += 8;
			if (when > INT64_MAX) {
				r = ghcr_fail(GHCR_ERR_CORRUPT, "entry %u has an "
				    "impossible expiry", i);
				goto out;
			}
			en->expires = (int64_t)when;
		}
		if (only == NULL || (e.n == 0 && en->server_len == only_len &&
		    memcmp(en->server, only, only_len) == 0))
			e.v[e.n++] = entry;
	}
	if (pos != len) {
		r = ghcr_fail(GHCR_ERR_CORRUPT, "%zu stray bytes after the entries",
		    len - pos);
		goto out;
	}
	*out = e;
	memset(&e, 0, sizeof(e));
	r = GHCR_OK;
out:
	file_entries_clear(&e);
	return r;
}

int
file_format_parse(const unsigned char *plain, size_t len, unsigned version,
		  const char *only, struct file_entries *out)
{
	unsigned char *copy;

	memset(out, 0, sizeof(*out));
	if (len > FILE_FORMAT_MAX_SIZE)
		return ghcr_fail(GHCR_ERR_CORRUPT, "entry list too large");
	if ((copy = secmem_alloc(len + 1)) == NULL)
		return GHCR_ERR_NO_MEMORY;
	if (len > 0)
		memcpy(copy, plain, len);
	return parse_owned(copy, len, version, only, out);
}

int
file_format_serialize(const struct file_entries *e, unsigned version,
		      unsigned char **out, size_t *outlen)
{
	unsigned char *buf, *p;
	size_t len = 4;

	for (size_t i = 0; i < e->n; i++) {
		const struct file_entry *en = &e->v[i];

		if (en->server_len > UINT32_MAX - 1 ||
		    en->username_len > UINT32_MAX - 1 ||
		    en->secret_len > UINT32_MAX - 1)
			return ghcr_fail(GHCR_ERR_TOO_LARGE, "credential too large");
		len += entry_overhead(version) + en->server_len +
		    en->username_len + en->secret_len;
		if (len > FILE_FORMAT_MAX_SIZE - FILE_FORMAT_OVERHEAD)
			return ghcr_fail(GHCR_ERR_TOO_LARGE,
			    "the store would exceed %u MiB", FILE_FORMAT_MAX_SIZE >> 20);
	}
	if (e->n > UINT32_MAX)
		return ghcr_fail(GHCR_ERR_TOO_LARGE, "too many credentials");
	if ((buf = secmem_alloc(len)) == NULL)
		return GHCR_ERR_NO_MEMORY;
	put_u32(buf, (uint32_t)e->n);
	p = buf + 4;
	for (size_t i = 0; i < e->n; i++) {
		const struct file_entry *en = &e->v[i];
		const char *s[3] = { en->server, en->username, en->secret };
		size_t n[3] = { en->server_len, en->username_len, en->secret_len };

		for (int k = 0; k < 3; k++) {
			put_u32(p, (uint32_t)n[k]);
			memcpy(p + 4, s[k], n[k]);
			p[4 + n[k]] = '\0';
			p += 5 + n[k];
		}
		if (version >= FILE_FORMAT_VERSION_EXPIRY) {
			put_u64(p, en->expires > 0 ? (uint64_t)en->expires : 0);
			p += 8;
		}
	}
	*out = buf;
	*outlen = len;
	return GHCR_OK;
}

/* --- keys ----------------------------------------------------------------- */

/* Derives the encryption and check keys for the parameters in *key. */
static int
key_derive(const struct file_key_source *src, struct file_key *key)
{
	unsigned char *master = key->master, mac[FILE_CRYPTO_HASH_LEN];
	int r;

	key->valid = 0;
	if (key->kdf == FILE_KDF_NONE) {
		if (src->key == NULL) {
			r = ghcr_fail(GHCR_ERR_BAD_KEY,
			    "the store is encrypted with a key file, but a passphrase was given");
			goto out;
		}
		memcpy(master, src->key, FILE_CRYPTO_KEY_LEN);
	} else {
		if (src->passphrase == NULL) {
			r = ghcr_fail(GHCR_ERR_BAD_KEY,
			    "the store is protected by a passphrase, but none was given");
			goto out;
		}
		if ((r = file_crypto_scrypt(src->passphrase, src->passphrase_len,
		    key->salt, sizeof(key->salt), key->log2n, key->r, key->p,
		    master, FILE_CRYPTO_KEY_LEN)) != 0)
			goto out;
	}
	if ((r = file_crypto_hmac(master, FILE_CRYPTO_KEY_LEN, label_encrypt,
	    sizeof(label_encrypt) - 1, key->salt, sizeof(key->salt), key->enc)) != 0 ||
	    (r = file_crypto_hmac(master, FILE_CRYPTO_KEY_LEN, label_check,
	    sizeof(label_check) - 1, key->salt, sizeof(key->salt), mac)) != 0)
		goto out;
	memcpy(key->check, mac, sizeof(key->check));
	key->valid = 1;
	r = GHCR_OK;
out:
	secmem_wipe(mac, sizeof(mac));
	secmem_wipe(master, FILE_CRYPTO_KEY_LEN);
	return r;
}

/* --- whole file ----------------------------------------------------------- */

/* What is checked before the checksum: the file is ours, whole enough to
 * hold one, of a version this helper reads. */
static int
check_outline(const unsigned char *h, size_t len)
{
	if (len < FILE_FORMAT_MAGIC_LEN ||
	    memcmp(h, FILE_FORMAT_MAGIC, FILE_FORMAT_MAGIC_LEN) != 0)
		return ghcr_fail(GHCR_ERR_CORRUPT,
		    "not a docker-credential-ghcr store (no %s header)",
		    FILE_FORMAT_MAGIC);
	if (len < FILE_FORMAT_OVERHEAD + 4)
		return ghcr_fail(GHCR_ERR_CORRUPT, "truncated (%zu bytes)", len);
	if (h[8] != FILE_FORMAT_VERSION_PLAIN && h[8] != FILE_FORMAT_VERSION_EXPIRY)
		return ghcr_fail(GHCR_ERR_CORRUPT,
		    "format version %u, but this helper reads versions %u and %u (written by a newer helper?)",
		    h[8], FILE_FORMAT_VERSION_PLAIN, FILE_FORMAT_VERSION_EXPIRY);
	if (len > FILE_FORMAT_MAX_SIZE)
		return ghcr_fail(GHCR_ERR_CORRUPT, "too large (%zu bytes)", len);
	return GHCR_OK;
}

/* The header fields, still unauthenticated: only validated here. */
static int
check_fields(const unsigned char *h, size_t len)
{
	size_t ctlen = get_u32(h + 60);

	if (ctlen != len - FILE_FORMAT_OVERHEAD)
		return ghcr_fail(GHCR_ERR_CORRUPT,
		    "length field says %zu bytes of data, the file has %zu",
		    ctlen, len - FILE_FORMAT_OVERHEAD);
	if (h[13] != 0 || h[14] != 0 || h[15] != 0)
		return ghcr_fail(GHCR_ERR_CORRUPT, "reserved header bytes are set");
	if (h[9] == FILE_KDF_NONE) {
		if (h[10] != 0 || h[11] != 0 || h[12] != 0)
			return ghcr_fail(GHCR_ERR_CORRUPT,
			    "KDF parameters set for a key-file store");
	} else if (h[9] == FILE_KDF_SCRYPT) {
		if (h[10] < SCRYPT_LOG2N_MIN || h[10] > SCRYPT_LOG2N_MAX ||
		    h[11] < 1 || h[11] > SCRYPT_R_MAX ||
		    h[12] < 1 || h[12] > SCRYPT_P_MAX ||
		    128ull * h[11] * (1ull << h[10]) > SCRYPT_MEM_MAX)
			return ghcr_fail(GHCR_ERR_CORRUPT,
			    "scrypt parameters out of range (N=2^%u, r=%u, p=%u)",
			    h[10], h[11], h[12]);
	} else
		return ghcr_fail(GHCR_ERR_CORRUPT, "unknown key derivation %u", h[9]);
	return GHCR_OK;
}

/* Whether the trailing SHA-256 matches: GHCR_OK and *match, or an error. */
static int
checksum_matches(const unsigned char *buf, size_t len, int *match)
{
	unsigned char sum[FILE_CRYPTO_HASH_LEN];
	int r;

	*match = 0;
	if ((r = file_crypto_sha256(buf, len - FILE_CRYPTO_HASH_LEN, sum)) != 0)
		return r;
	*match = memcmp(sum, buf + len - FILE_CRYPTO_HASH_LEN, sizeof(sum)) == 0;
	return GHCR_OK;
}

static int
fail_checksum(void)
{
	return ghcr_fail(GHCR_ERR_CORRUPT,
	    "checksum mismatch: the file is damaged (truncated or changed)");
}

int
file_format_checksum(const unsigned char *buf, size_t len)
{
	int match, r;

	if ((r = check_outline(buf, len)) != 0 ||
	    (r = checksum_matches(buf, len, &match)) != 0)
		return r;
	return match ? GHCR_OK : fail_checksum();
}

/* r, unless r is a refusal that a checksum mismatch takes precedence over. */
static int
explain(const unsigned char *buf, size_t len, int r)
{
	int rs;

	if (r == GHCR_OK)
		return r;
	return (rs = file_format_checksum(buf, len)) != 0 ? rs : r;
}

int
file_format_check(const unsigned char *buf, size_t len)
{
	int match, r;

	if ((r = check_outline(buf, len)) != 0)
		return r;
	/* A passphrase store is about to cost a 0.1 s scrypt: next to that
	 * the checksum is free, and it spares the scrypt on a damaged file. */
	if (buf[9] == FILE_KDF_SCRYPT) {
		if ((r = checksum_matches(buf, len, &match)) != 0)
			return r;
		return match ? check_fields(buf, len) : fail_checksum();
	}
	return explain(buf, len, check_fields(buf, len));
}

/* file_format_decode() once the header fields have been validated. */
static int
decode_checked(const unsigned char *buf, size_t len,
	       const struct file_key_source *src, struct file_key *key,
	       const char *only, struct file_entries *out)
{
	unsigned char *plain = NULL;
	const unsigned char *h = buf;
	size_t ctlen = len - FILE_FORMAT_OVERHEAD;
	int r;

	/* Derive, unless the cached key is for this very salt and KDF. */
	if (!key->valid || key->kdf != h[9] || key->log2n != h[10] ||
	    key->r != h[11] || key->p != h[12] ||
	    memcmp(key->salt, h + 16, FILE_FORMAT_SALT_LEN) != 0) {
		key->kdf = h[9];
		key->log2n = h[10];
		key->r = h[11];
		key->p = h[12];
		memcpy(key->salt, h + 16, FILE_FORMAT_SALT_LEN);
		if ((r = key_derive(src, key)) != 0)
			return r;
	}
	if (secmem_compare(key->check, h + 44, FILE_FORMAT_CHECK_LEN) != 0)
		return ghcr_fail(GHCR_ERR_BAD_KEY, h[9] == FILE_KDF_NONE ?
		    "the key file does not match the store (key check failed)" :
		    "wrong passphrase (key check failed)");

	if ((plain = secmem_alloc(ctlen + 1)) == NULL)
		return GHCR_ERR_NO_MEMORY;
	r = file_crypto_gcm_open(key->enc, h + 32, h, FILE_FORMAT_HEADER_LEN,
	    buf + FILE_FORMAT_HEADER_LEN, ctlen,
	    buf + FILE_FORMAT_HEADER_LEN + ctlen, plain);
	if (r == GHCR_ERR_CORRUPT)
		r = ghcr_fail(GHCR_ERR_CORRUPT,
		    "authentication failed: the contents were changed");
	if (r != 0) {
		secmem_free(plain);
		return r;
	}
	if ((r = parse_owned(plain, ctlen, h[8], only, out)) != 0)
		return r;
	return GHCR_OK;
}

int
file_format_decode(const unsigned char *buf, size_t len,
		   const struct file_key_source *src, struct file_key *key,
		   const char *only, struct file_entries *out)
{
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = check_outline(buf, len)) != 0)
		return r;
	if (buf[9] == FILE_KDF_SCRYPT)
		r = file_format_check(buf, len);
	else
		r = check_fields(buf, len);
	/* The GCM tag authenticates every byte the checksum covers: only a
	 * refusal needs the checksum, to say "damaged" when it is. */
	if (r == GHCR_OK)
		r = decode_checked(buf, len, src, key, only, out);
	return explain(buf, len, r);
}

int
file_format_encode(const struct file_entries *e,
		   const struct file_key_source *src, struct file_key *key,
		   unsigned char **out, size_t *outlen)
{
	unsigned char *plain = NULL, *buf = NULL, *h;
	unsigned version = file_format_version_for(e);
	size_t plen = 0, len;
	int r;

	*out = NULL;
	*outlen = 0;
	if (!key->valid) {
		/* A fresh salt and KDF; the key file's bytes (src->key may
		 * point at them) stay. */
		key->kdf = FILE_KDF_NONE;
		key->log2n = key->r = key->p = 0;
		if (src->key == NULL) {
			key->kdf = FILE_KDF_SCRYPT;
			key->log2n = FILE_SCRYPT_LOG2N;
			key->r = FILE_SCRYPT_R;
			key->p = FILE_SCRYPT_P;
		}
		if ((r = file_crypto_random(key->salt, sizeof(key->salt))) != 0 ||
		    (r = key_derive(src, key)) != 0)
			goto out;
	}
	if ((r = file_format_serialize(e, version, &plain, &plen)) != 0)
		goto out;
	len = FILE_FORMAT_OVERHEAD + plen;
	if ((buf = malloc(len)) == NULL) {
		r = GHCR_ERR_NO_MEMORY;
		goto out;
	}
	h = buf;
	memset(h, 0, FILE_FORMAT_HEADER_LEN);
	memcpy(h, FILE_FORMAT_MAGIC, FILE_FORMAT_MAGIC_LEN);
	h[8] = (unsigned char)version;
	h[9] = key->kdf;
	h[10] = key->log2n;
	h[11] = key->r;
	h[12] = key->p;
	memcpy(h + 16, key->salt, FILE_FORMAT_SALT_LEN);
	/* A random 96-bit nonce per write: collisions are negligible here. */
	if ((r = file_crypto_random(h + 32, FILE_CRYPTO_NONCE_LEN)) != 0)
		goto out;
	memcpy(h + 44, key->check, FILE_FORMAT_CHECK_LEN);
	put_u32(h + 60, (uint32_t)plen);
	if ((r = file_crypto_gcm_seal(key->enc, h + 32, h, FILE_FORMAT_HEADER_LEN,
	    plain, plen, buf + FILE_FORMAT_HEADER_LEN,
	    buf + FILE_FORMAT_HEADER_LEN + plen)) != 0)
		goto out;
	if ((r = file_crypto_sha256(buf, len - FILE_CRYPTO_HASH_LEN,
	    buf + len - FILE_CRYPTO_HASH_LEN)) != 0)
		goto out;
	*out = buf;
	*outlen = len;
	buf = NULL;
	r = GHCR_OK;
out:
	free(buf);
	secmem_free(plain);
	return r;
}
