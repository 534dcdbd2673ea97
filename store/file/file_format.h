/*
 * The encrypted store file's format: encoding and decoding between bytes
 * and a list of entries, with no filesystem involved, so that the decoder
 * can be unit-tested and fuzzed on its own.
 *
 * Layout (integers big-endian; all offsets in bytes):
 *
 *    0  magic     8   "GHCRSTOR"
 *    8  version   1   1 or 2 (see Plaintext)
 *    9  kdf       1   0 = random key file, 1 = scrypt(passphrase)
 *   10  log2 N    1   scrypt cost (0 with a key file)
 *   11  r         1   scrypt block size (0 with a key file)
 *   12  p         1   scrypt parallelism (0 with a key file)
 *   13  reserved  3   zero
 *   16  salt     16   random, fixed when the store is created
 *   32  nonce    12   random, fresh for every write
 *   44  check    16   key check value: HMAC-SHA256(master, label||salt)
 *   60  length    4   ciphertext length L
 *   64  ciphertext L  AES-256-GCM, AAD = bytes 0..63 (the whole header)
 * 64+L  tag      16   GCM tag
 * 80+L  checksum 32   SHA-256 of bytes 0..80+L-1
 *
 * The checksum is not a security measure (anyone can recompute it): it lets
 * accidental damage read as "damaged" rather than as "wrong key".  The key
 * check value tells a wrong key or passphrase apart from tampering; the GCM
 * tag authenticates everything before a byte of plaintext is looked at.
 * Since the tag covers every byte the checksum does, a reader computes the
 * checksum only to word a refusal (a key-file store whose tag verifies is
 * read without hashing it, so damage to the checksum alone goes unseen
 * until the next write replaces it); writers always write it.
 *
 * Plaintext: u32 count, then per entry three strings (server, username,
 * secret), each u32 length, the bytes (no NUL among them), and one NUL byte,
 * so entries can point straight into the decrypted buffer.  Version 2 adds,
 * after each entry's strings, a u64: when the token expires (seconds since
 * the epoch, UTC; 0 = unknown).  A store is written as version 1 while no
 * entry has a date, so an older helper still reads it, and as version 2
 * once one has; both are read.  The version byte is in the GCM's AAD, so
 * it cannot be changed unnoticed, and the derived keys do not depend on it.
 */
#ifndef GHCR_FILE_FORMAT_H
#define GHCR_FILE_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "file_crypto.h"

#define FILE_FORMAT_MAGIC "GHCRSTOR"
#define FILE_FORMAT_MAGIC_LEN 8
#define FILE_FORMAT_VERSION_PLAIN 1   /* no expiry dates */
#define FILE_FORMAT_VERSION_EXPIRY 2  /* a u64 expiry per entry */
#define FILE_FORMAT_HEADER_LEN 64
#define FILE_FORMAT_SALT_LEN 16
#define FILE_FORMAT_CHECK_LEN 16
#define FILE_FORMAT_OVERHEAD \
	(FILE_FORMAT_HEADER_LEN + FILE_CRYPTO_TAG_LEN + FILE_CRYPTO_HASH_LEN)
/* A store is a few KiB; anything near this is not ours. */
#define FILE_FORMAT_MAX_SIZE (64u << 20)

enum file_kdf {
	FILE_KDF_NONE = 0,   /* the key is the 32 bytes of a key file */
	FILE_KDF_SCRYPT = 1, /* the key is scrypt(passphrase, salt) */
};

/* scrypt for new stores: 2^15 * 8 * 128 = 32 MiB, about 0.1 s. */
#define FILE_SCRYPT_LOG2N 15
#define FILE_SCRYPT_R 8
#define FILE_SCRYPT_P 1

/* Where the key comes from: exactly one of key / passphrase is set. */
struct file_key_source {
	const unsigned char *key; /* FILE_CRYPTO_KEY_LEN bytes, or NULL */
	const char *passphrase;   /* or NULL */
	size_t passphrase_len;
};

/*
 * The key material of one store: the keys derived for its salt and KDF
 * parameters, kept so that a read-modify-write runs the KDF once, and
 * beside them the key file's bytes and the KDF's scratch, so that one
 * mlock() covers every key (each mlock() of heap memory splits the heap's
 * mapping, and munlock() merges it back).  Allocate with file_key_new():
 * it is in wiped, best-effort mlock()ed memory.
 */
struct file_key {
	int valid;
	uint8_t kdf, log2n, r, p;
	unsigned char salt[FILE_FORMAT_SALT_LEN];
	unsigned char enc[FILE_CRYPTO_KEY_LEN];
	unsigned char check[FILE_FORMAT_CHECK_LEN];
	int have_key_file;
	unsigned char key_file[FILE_CRYPTO_KEY_LEN]; /* once read or made */
	unsigned char master[FILE_CRYPTO_KEY_LEN];   /* key derivation's scratch */
};

/* A fresh, not yet valid key; NULL when out of memory. */
struct file_key *file_key_new(void);
/* Wipes, unlocks and frees; NULL is accepted. */
void file_key_free(struct file_key *key);

/* One credential; the strings are NUL-terminated and never NULL. */
struct file_entry {
	const char *server;
	const char *username;
	const char *secret;
	size_t server_len, username_len, secret_len;
	int64_t expires; /* seconds since the epoch; 0 = unknown */
};

/* The decoded store; entries point into `plain` or into caller strings. */
struct file_entries {
	unsigned char *plain; /* secmem: the decrypted payload, or NULL */
	size_t plain_len;
	struct file_entry *v;
	size_t n, cap;
};

/* The table's operations (file_entries.c). */

/* Wipes and frees what *e owns and zeroes it; NULL is accepted. */
void file_entries_clear(struct file_entries *e);

/* The entry for `server`, or NULL. */
const struct file_entry *file_entries_find(const struct file_entries *e,
					   const char *server);

/*
 * Sets the entry for `server` (replacing it, and any duplicate, expiry
 * included), borrowing the three strings: they must outlive *e or the
 * next encode.
 */
int file_entries_set(struct file_entries *e, const char *server,
		     const char *username, const char *secret, int64_t expires);

/* Removes every entry for `server`; returns how many were removed. */
size_t file_entries_remove(struct file_entries *e, const char *server);

/* The version *e is written as: 1 unless an entry has an expiry. */
unsigned file_format_version_for(const struct file_entries *e);

/*
 * Checks everything that needs no key: size, magic, version, checksum and
 * header fields.  GHCR_OK or GHCR_ERR_CORRUPT (detail without a path).
 * The checksum is computed only when a header field is wrong (to say
 * "damaged" when it is), or for a passphrase store (next to its scrypt it
 * is free): on success a key-file store costs no hashing.
 */
int file_format_check(const unsigned char *buf, size_t len);

/*
 * The checksum alone (and size, magic and version, which come before it):
 * GHCR_OK when it matches, else GHCR_ERR_CORRUPT.  For a refusal after
 * file_format_check(): a damaged file says so rather than what the damage
 * happened to break.  Leaves the error detail alone when it matches.
 */
int file_format_checksum(const unsigned char *buf, size_t len);

/*
 * Decodes a whole store file in buf[len] with the key from `src`, deriving
 * into *key (reused when its salt and parameters match the header).  Fills
 * *out (which the caller clears) and returns GHCR_OK, GHCR_ERR_CORRUPT for
 * a damaged or tampered file, GHCR_ERR_BAD_KEY for a wrong key, passphrase
 * or key kind, or a system/memory error; the detail never names a path.
 * Nothing of the plaintext is parsed before the GCM tag has verified.  A
 * refusal is "checksum mismatch" whenever the checksum does not match.
 * With `only`, every entry is still validated, but *out holds only the
 * first entry for that server, if any: a lookup builds no table of the
 * whole store.
 */
int file_format_decode(const unsigned char *buf, size_t len,
		       const struct file_key_source *src, struct file_key *key,
		       const char *only, struct file_entries *out);

/*
 * Encodes *e into a new malloc()ed *out / *outlen (ciphertext only, no
 * secret in the clear), with a fresh nonce.  Uses *key when valid; else
 * makes a new salt, derives from `src`, and leaves *key valid.
 */
int file_format_encode(const struct file_entries *e,
		       const struct file_key_source *src, struct file_key *key,
		       unsigned char **out, size_t *outlen);

/* Parses a plaintext payload of format `version` (a copy is taken) into
 * *out, keeping only `only`'s entry when it is not NULL (as the decoder
 * does); for tests and fuzzing. */
int file_format_parse(const unsigned char *plain, size_t len, unsigned version,
		      const char *only, struct file_entries *out);

/* Serializes *e as format `version` into a new secmem buffer *out /
 * *outlen; version 1 drops the expiry dates. */
int file_format_serialize(const struct file_entries *e, unsigned version,
			  unsigned char **out, size_t *outlen);

#endif
