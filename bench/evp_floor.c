/*
 * The benchmark's EVP floor: the least a file-store `get` could cost while
 * keeping OpenSSL's EVP.  It loads libcrypto the way the helper does
 * (store/file/file_crypto.c: dlopen() of the soname, RTLD_NOW | RTLD_LOCAL,
 * dlsym() of each function, OPENSSL_init_crypto() without exit handlers),
 * reads the store file named by its argument, and AES-256-GCM decrypts its
 * bytes once with EVP (a fixed key and nonce: the tag will not match, but
 * every byte goes through the cipher and the tag is computed and compared).
 * Built with the helper's own compiler, flags and hardening.
 *
 *   evp_floor STORE-FILE
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#ifndef GHCR_CRYPTO_SONAME
#define GHCR_CRYPTO_SONAME "libcrypto.so.3"
#endif

#define SYMBOLS(X)             \
	X(EVP_CIPHER_CTX_new)  \
	X(EVP_CIPHER_CTX_free) \
	X(EVP_CIPHER_CTX_ctrl) \
	X(EVP_aes_256_gcm)     \
	X(EVP_DecryptInit_ex)  \
	X(EVP_DecryptUpdate)   \
	X(EVP_DecryptFinal_ex)

static struct {
#define X(name) __typeof__(name) *name;
	SYMBOLS(X)
#undef X
} fn;

int
main(int argc, char **argv)
{
	static const unsigned char key[32], nonce[12];
	unsigned char tag[16] = { 0 }, *buf, *out, final[16];
	struct stat st;
	void *lib, *sym;
	EVP_CIPHER_CTX *ctx;
	size_t len = 0;
	ssize_t n;
	int fd, outl;

	if (argc != 2) {
		fprintf(stderr, "usage: evp_floor STORE-FILE\n");
		return 2;
	}
	if ((fd = open(argv[1], O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) != 0 ||
	    (buf = malloc((size_t)st.st_size + 1)) == NULL ||
	    (out = malloc((size_t)st.st_size + 1)) == NULL) {
		perror(argv[1]);
		return 1;
	}
	while ((n = read(fd, buf + len, (size_t)st.st_size - len)) > 0)
		len += (size_t)n;
	close(fd);

	if ((lib = dlopen(GHCR_CRYPTO_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		fprintf(stderr, "evp_floor: %s\n", dlerror());
		return 1;
	}
#define X(name)                                                        \
	if ((sym = dlsym(lib, #name)) == NULL)                         \
		return 1;                                              \
	memcpy(&fn.name, &sym, sizeof(sym));
	SYMBOLS(X)
#undef X
	if ((sym = dlsym(lib, "OPENSSL_init_crypto")) != NULL) {
		__typeof__(OPENSSL_init_crypto) *init_crypto;

		memcpy(&init_crypto, &sym, sizeof(sym));
		(void)init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL);
	}

	if ((ctx = fn.EVP_CIPHER_CTX_new()) == NULL ||
	    fn.EVP_DecryptInit_ex(ctx, fn.EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    fn.EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, sizeof(nonce), NULL) != 1 ||
	    fn.EVP_DecryptInit_ex(ctx, NULL, NULL, key, nonce) != 1 ||
	    fn.EVP_DecryptUpdate(ctx, out, &outl, buf, (int)len) != 1 ||
	    fn.EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, sizeof(tag), tag) != 1)
		return 1;
	/* Fails (wrong tag) by design; the work is done either way. */
	(void)fn.EVP_DecryptFinal_ex(ctx, final, &outl);
	fn.EVP_CIPHER_CTX_free(ctx);
	free(out);
	free(buf);
	return 0;
}
