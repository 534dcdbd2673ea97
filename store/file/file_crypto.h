/*
 * The few cryptographic primitives the file store needs, backed by OpenSSL's
 * libcrypto loaded with dlopen() on first use.  The helper does not link
 * libcrypto: a `get` for a store that does not exist, an ambient token or a
 * Secret Service lookup never pays for loading it.  Every function here
 * loads it when needed and fails with GHCR_ERR_UNAVAILABLE (detail: which
 * library, why) when it cannot be loaded.
 */
#ifndef GHCR_FILE_CRYPTO_H
#define GHCR_FILE_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define FILE_CRYPTO_KEY_LEN 32   /* AES-256 */
#define FILE_CRYPTO_NONCE_LEN 12 /* 96-bit GCM nonce */
#define FILE_CRYPTO_TAG_LEN 16   /* full-length GCM tag */
#define FILE_CRYPTO_HASH_LEN 32  /* SHA-256 */

/* Loads libcrypto and resolves every symbol; GHCR_OK or UNAVAILABLE. */
int file_crypto_load(void);

/* Non-zero once file_crypto_load() has succeeded (for tests). */
int file_crypto_loaded(void);

/* Fills buf with n bytes from the CSPRNG. */
int file_crypto_random(void *buf, size_t n);

/* out = SHA-256(data); out has FILE_CRYPTO_HASH_LEN bytes. */
int file_crypto_sha256(const void *data, size_t len, unsigned char *out);

/* out = HMAC-SHA256(key, a || b); b may be NULL with blen 0. */
int file_crypto_hmac(const unsigned char *key, size_t keylen,
		     const void *a, size_t alen, const void *b, size_t blen,
		     unsigned char *out);

/*
 * scrypt(pass, salt, N = 2^log2n, r, p) into out[outlen].  The caller has
 * bounded the parameters; the memory limit passed to OpenSSL follows them.
 */
int file_crypto_scrypt(const char *pass, size_t passlen,
		       const unsigned char *salt, size_t saltlen,
		       unsigned log2n, unsigned r, unsigned p,
		       unsigned char *out, size_t outlen);

/*
 * AES-256-GCM.  seal writes len bytes of ciphertext to ct and the tag to
 * tag; open writes len bytes of plaintext to pt only when the tag verifies
 * and returns GHCR_ERR_CORRUPT otherwise (pt is then wiped).  pt/ct may
 * not overlap.
 */
int file_crypto_gcm_seal(const unsigned char *key, const unsigned char *nonce,
			 const void *aad, size_t aadlen,
			 const void *pt, size_t len,
			 unsigned char *ct, unsigned char *tag);
int file_crypto_gcm_open(const unsigned char *key, const unsigned char *nonce,
			 const void *aad, size_t aadlen,
			 const unsigned char *ct, size_t len,
			 const unsigned char *tag, void *pt);

#endif
