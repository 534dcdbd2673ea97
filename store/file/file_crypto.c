/*
 * libcrypto, loaded lazily (see file_crypto.h).  The symbols are resolved
 * into one static table whose member types come from OpenSSL's own
 * prototypes, so a mismatch is a compile error rather than a crash.  The
 * library is never dlclose()d: OpenSSL registers exit handlers of its own.
 */
#include "file_crypto.h"
#include "errors.h"
#include "secmem.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

/* SHA-256's low-level functions are deprecated in OpenSSL 3 but exported
 * by every libcrypto.so.3 built with its default API level: they hash with
 * no provider fetch (see sha_fn below). */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#ifndef GHCR_CRYPTO_SONAME
#define GHCR_CRYPTO_SONAME "libcrypto.so.3"
#endif

/* Every function the file store calls, in one list. */
#define CRYPTO_SYMBOLS(X)          \
	X(EVP_CIPHER_CTX_new)      \
	X(EVP_CIPHER_CTX_free)     \
	X(EVP_CIPHER_CTX_ctrl)     \
	X(EVP_aes_256_gcm)         \
	X(EVP_EncryptInit_ex)      \
	X(EVP_EncryptUpdate)       \
	X(EVP_EncryptFinal_ex)     \
	X(EVP_DecryptInit_ex)      \
	X(EVP_DecryptUpdate)       \
	X(EVP_DecryptFinal_ex)     \
	X(EVP_sha256)              \
	X(EVP_Digest)              \
	X(HMAC)                    \
	X(EVP_PBE_scrypt)          \
	X(RAND_bytes)

static struct {
#define X(name) __typeof__(name) *name;
	CRYPTO_SYMBOLS(X)
#undef X
} fn;
static int crypto_ready;

/*
 * SHA-256 without EVP: an EVP digest or HMAC fetches its algorithm from
 * the provider first, and that fetch costs more than a `get`'s whole
 * decryption (about a million instructions; the file store's target is
 * 1.1x a bare EVP decrypt).  Optional: a libcrypto built without the
 * deprecated API lacks them, and then EVP_Digest() and HMAC() serve.
 */
#define SHA_SYMBOLS(X) \
	X(SHA256_Init)  \
	X(SHA256_Update) \
	X(SHA256_Final)

static struct {
#define X(name) __typeof__(name) *name;
	SHA_SYMBOLS(X)
#undef X
	int ready;
} sha_fn;

int
file_crypto_loaded(void)
{
	return crypto_ready;
}

int
file_crypto_load(void)
{
	void *lib;
	void *sym;

	if (crypto_ready)
		return GHCR_OK;
#ifdef GHCR_CRYPTO_STATIC
	/* The static build (make static) links libcrypto in; it reads no
	 * system openssl.cnf, which could name provider modules it cannot
	 * load, and skips OpenSSL's exit-time teardown as below. */
	(void)lib;
	(void)sym;
#define X(name) fn.name = name;
	CRYPTO_SYMBOLS(X)
#undef X
#define X(name) sha_fn.name = name;
	SHA_SYMBOLS(X)
#undef X
	sha_fn.ready = 1;
	(void)OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT | OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
#else
	if ((lib = dlopen(GHCR_CRYPTO_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL)
		return ghcr_fail(GHCR_ERR_UNAVAILABLE,
		    "cannot load %s for the file store: %s (install OpenSSL's libcrypto)",
		    GHCR_CRYPTO_SONAME, dlerror());
	/* dlsym() returns void *; memcpy into the typed slot is portable. */
#define X(name)                                                              \
	if ((sym = dlsym(lib, #name)) == NULL)                               \
		return ghcr_fail(GHCR_ERR_UNAVAILABLE,                       \
		    "%s has no %s: OpenSSL too old or built without it",     \
		    GHCR_CRYPTO_SONAME, #name);                              \
	memcpy(&fn.name, &sym, sizeof(sym));
	CRYPTO_SYMBOLS(X)
#undef X
	sha_fn.ready = 1;
#define X(name)                                                              \
	if ((sym = dlsym(lib, #name)) == NULL)                               \
		sha_fn.ready = 0;                                            \
	else                                                                 \
		memcpy(&sha_fn.name, &sym, sizeof(sym));
	SHA_SYMBOLS(X)
#undef X
#ifdef OPENSSL_INIT_NO_ATEXIT
	/* The helper exits right after its one request: OpenSSL's exit-time
	 * teardown is a million instructions of nothing (our own buffers
	 * are wiped by secmem_free before that).  Optional: init may be
	 * missing or the flag unknown; then OpenSSL simply cleans up. */
	if ((sym = dlsym(lib, "OPENSSL_init_crypto")) != NULL) {
		__typeof__(OPENSSL_init_crypto) *init_crypto;

		memcpy(&init_crypto, &sym, sizeof(sym));
		(void)init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL);
	}
#endif
#endif /* GHCR_CRYPTO_STATIC */
	crypto_ready = 1;
	secmem_taint_stack();
	return GHCR_OK;
}

int
file_crypto_random(void *buf, size_t n)
{
	int r;

	if ((r = file_crypto_load()) != 0)
		return r;
	if (n > INT_MAX || fn.RAND_bytes(buf, (int)n) != 1)
		return ghcr_fail(GHCR_ERR_SYSTEM, "the random generator failed");
	return GHCR_OK;
}

/* out = SHA-256(a || b) with the low-level functions (sha_fn.ready). */
static int
sha256_2(const void *a, size_t alen, const void *b, size_t blen,
	 unsigned char *out)
{
	SHA256_CTX c;
	int ok;

	ok = sha_fn.SHA256_Init(&c) == 1 &&
	    (alen == 0 || sha_fn.SHA256_Update(&c, a, alen) == 1) &&
	    (blen == 0 || sha_fn.SHA256_Update(&c, b, blen) == 1) &&
	    sha_fn.SHA256_Final(out, &c) == 1;
	secmem_wipe(&c, sizeof(c)); /* holds key-derived state in an HMAC */
	return ok ? GHCR_OK : ghcr_fail(GHCR_ERR_SYSTEM, "SHA-256 failed");
}

/* HMAC-SHA256(key, msg) as RFC 2104 builds it, on sha256_2(). */
static int
hmac_sha256(const unsigned char *key, size_t keylen, const void *msg,
	    size_t msglen, unsigned char *out)
{
	unsigned char *pad, inner[FILE_CRYPTO_HASH_LEN];
	int r;

	/* Key-derived blocks: secmem, wiped when freed. */
	if ((pad = secmem_alloc(2 * 64)) == NULL)
		return GHCR_ERR_NO_MEMORY;
	memset(pad, 0, 64);
	if (keylen > 64)
		r = sha256_2(key, keylen, NULL, 0, pad);
	else {
		if (keylen > 0)
			memcpy(pad, key, keylen);
		r = GHCR_OK;
	}
	if (r == GHCR_OK) {
		for (int i = 0; i < 64; i++) {
			pad[64 + i] = pad[i] ^ 0x5c; /* opad */
			pad[i] ^= 0x36;              /* ipad */
		}
		r = sha256_2(pad, 64, msg, msglen, inner);
	}
	if (r == GHCR_OK)
		r = sha256_2(pad + 64, 64, inner, sizeof(inner), out);
	secmem_wipe(inner, sizeof(inner));
	secmem_free(pad);
	return r;
}

int
file_crypto_sha256(const void *data, size_t len, unsigned char *out)
{
	unsigned int outlen = 0;
	int r;

	if ((r = file_crypto_load()) != 0)
		return r;
	if (sha_fn.ready)
		return sha256_2(data, len, NULL, 0, out);
	if (fn.EVP_Digest(data, len, out, &outlen, fn.EVP_sha256(), NULL) != 1 ||
	    outlen != FILE_CRYPTO_HASH_LEN)
		return ghcr_fail(GHCR_ERR_SYSTEM, "SHA-256 failed");
	return GHCR_OK;
}

int
file_crypto_hmac(const unsigned char *key, size_t keylen,
		 const void *a, size_t alen, const void *b, size_t blen,
		 unsigned char *out)
{
	unsigned char *msg = NULL;
	unsigned int outlen = 0;
	int r;

	if ((r = file_crypto_load()) != 0)
		return r;
	/* Callers hash short labels and salts: concatenating is simplest. */
	if (keylen > INT_MAX || alen > 4096 || blen > 4096)
		return ghcr_fail(GHCR_ERR_SYSTEM, "HMAC input too long");
	if ((msg = secmem_alloc(alen + blen + 1)) == NULL)
		return GHCR_ERR_NO_MEMORY;
	if (alen > 0)
		memcpy(msg, a, alen);
	if (blen > 0)
		memcpy(msg + alen, b, blen);
	if (sha_fn.ready)
		r = hmac_sha256(key, keylen, msg, alen + blen, out);
	else if (fn.HMAC(fn.EVP_sha256(), key, (int)keylen, msg, alen + blen,
	    out, &outlen) == NULL || outlen != FILE_CRYPTO_HASH_LEN)
		r = ghcr_fail(GHCR_ERR_SYSTEM, "HMAC-SHA256 failed");
	else
		r = GHCR_OK;
	secmem_free(msg);
	return r;
}

int
file_crypto_scrypt(const char *pass, size_t passlen,
		   const unsigned char *salt, size_t saltlen,
		   unsigned log2n, unsigned r, unsigned p,
		   unsigned char *out, size_t outlen)
{
	uint64_t n, maxmem;
	int rc;

	if ((rc = file_crypto_load()) != 0)
		return rc;
	if (log2n < 1 || log2n > 30 || r == 0 || p == 0)
		return ghcr_fail(GHCR_ERR_CORRUPT, "invalid scrypt parameters");
	n = (uint64_t)1 << log2n;
	/* scrypt needs 128*r*(N+p) bytes; OpenSSL's default cap is 32 MiB. */
	maxmem = 128 * (uint64_t)r * (n + p + 2) + (1u << 20);
	if (fn.EVP_PBE_scrypt(pass, passlen, salt, saltlen, n, r, p, maxmem,
	    out, outlen) != 1)
		return ghcr_fail(GHCR_ERR_NO_MEMORY,
		    "scrypt key derivation failed (N=2^%u, r=%u, p=%u)", log2n, r, p);
	return GHCR_OK;
}

int
file_crypto_gcm_seal(const unsigned char *key, const unsigned char *nonce,
		     const void *aad, size_t aadlen,
		     const void *pt, size_t len,
		     unsigned char *ct, unsigned char *tag)
{
	EVP_CIPHER_CTX *ctx = NULL;
	int outl, r;

	if ((r = file_crypto_load()) != 0)
		return r;
	if (len > INT_MAX || aadlen > INT_MAX)
		return ghcr_fail(GHCR_ERR_TOO_LARGE, "store contents too large");
	r = GHCR_ERR_SYSTEM;
	if ((ctx = fn.EVP_CIPHER_CTX_new()) == NULL)
		goto out;
	if (fn.EVP_EncryptInit_ex(ctx, fn.EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    fn.EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN,
	    FILE_CRYPTO_NONCE_LEN, NULL) != 1 ||
	    fn.EVP_EncryptInit_ex(ctx, NULL, NULL, key, nonce) != 1)
		goto out;
	if (aadlen > 0 &&
	    fn.EVP_EncryptUpdate(ctx, NULL, &outl, aad, (int)aadlen) != 1)
		goto out;
	if (len > 0 &&
	    (fn.EVP_EncryptUpdate(ctx, ct, &outl, pt, (int)len) != 1 ||
	    (size_t)outl != len))
		goto out;
	if (fn.EVP_EncryptFinal_ex(ctx, ct + len, &outl) != 1 || outl != 0 ||
	    fn.EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG,
	    FILE_CRYPTO_TAG_LEN, tag) != 1)
		goto out;
	r = GHCR_OK;
out:
	fn.EVP_CIPHER_CTX_free(ctx); /* wipes the key schedule */
	if (r != GHCR_OK)
		r = ghcr_fail(r, "AES-256-GCM encryption failed");
	return r;
}

int
file_crypto_gcm_open(const unsigned char *key, const unsigned char *nonce,
		     const void *aad, size_t aadlen,
		     const unsigned char *ct, size_t len,
		     const unsigned char *tag, void *pt)
{
	EVP_CIPHER_CTX *ctx = NULL;
	unsigned char tagcopy[FILE_CRYPTO_TAG_LEN];
	unsigned char final[32];
	int outl, r;

	if ((r = file_crypto_load()) != 0)
		return r;
	if (len > INT_MAX || aadlen > INT_MAX)
		return ghcr_fail(GHCR_ERR_CORRUPT, "store contents too large");
	/* The ctrl takes a non-const pointer. */
	memcpy(tagcopy, tag, sizeof(tagcopy));
	r = GHCR_ERR_SYSTEM;
	if ((ctx = fn.EVP_CIPHER_CTX_new()) == NULL)
		goto out;
	if (fn.EVP_DecryptInit_ex(ctx, fn.EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    fn.EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN,
	    FILE_CRYPTO_NONCE_LEN, NULL) != 1 ||
	    fn.EVP_DecryptInit_ex(ctx, NULL, NULL, key, nonce) != 1)
		goto out;
	if (aadlen > 0 &&
	    fn.EVP_DecryptUpdate(ctx, NULL, &outl, aad, (int)aadlen) != 1)
		goto out;
	if (len > 0 &&
	    (fn.EVP_DecryptUpdate(ctx, pt, &outl, ct, (int)len) != 1 ||
	    (size_t)outl != len))
		goto out;
	if (fn.EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG,
	    FILE_CRYPTO_TAG_LEN, tagcopy) != 1)
		goto out;
	/* Only a verified tag releases the plaintext to the caller. */
	if (fn.EVP_DecryptFinal_ex(ctx, final, &outl) != 1) {
		r = GHCR_ERR_CORRUPT; /* the caller names the file */
		goto out;
	}
	r = GHCR_OK;
out:
	fn.EVP_CIPHER_CTX_free(ctx);
	if (r != GHCR_OK)
		secmem_wipe(pt, len);
	if (r == GHCR_ERR_SYSTEM)
		r = ghcr_fail(r, "AES-256-GCM decryption failed");
	return r;
}
