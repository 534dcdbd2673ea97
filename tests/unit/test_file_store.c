/*
 * What only the file backend does, on real files in a fresh temporary
 * directory per test: reads that create nothing and load no libcrypto,
 * private modes, atomic replace, key and passphrase modes, wrong keys,
 * every kind of damage, permissions and symlinks, odd bytes, concurrent
 * and killed writers, old stores, and the decoder on its own.  What every
 * backend does (round trip, replace, erase, list, many entries) is the
 * backend contract: tests/unit/test_file_store_contract.c.
 */
#include <check.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <stdint.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "errors.h"
#include "file_crypto.h"
#include "file_format.h"
#include "secmem.h"
#include "store.h"
#include "testutil.h"

#ifndef GHCR_CRYPTO_SONAME
#define GHCR_CRYPTO_SONAME "libcrypto.so.3"
#endif

static const struct store_backend *fb;
/* Room for the temporary directory plus the names below it. */
#define DIRSZ (PATH_MAX + 64)
#define PATHSZ (PATH_MAX + 128)
static char store_path[PATHSZ], key_path[PATHSZ], pass_path[PATHSZ];
static char store_dir[DIRSZ], key_dir[DIRSZ];

static void
setup(void)
{
	test_tmpdir_setup();
	fb = store_backend_find("file");
	ck_assert_msg(fb != NULL, "expected a backend named \"file\"");
	/* Nested, missing directories: the backend creates them. */
	snprintf(store_dir, sizeof(store_dir), "%s/data/ghcr", test_tmpdir);
	snprintf(key_dir, sizeof(key_dir), "%s/config/ghcr", test_tmpdir);
	snprintf(store_path, sizeof(store_path), "%s/store.enc", store_dir);
	snprintf(key_path, sizeof(key_path), "%s/key", key_dir);
	snprintf(pass_path, sizeof(pass_path), "%s/passphrase", test_tmpdir);
	ghcr_error_clear();
}

static void
teardown(void)
{
	test_tmpdir_teardown();
}

/* --- helpers ------------------------------------------------------------- */

static void *
open_with(const char *passphrase, const char *passfile)
{
	struct store_location where = {
		.store_path = store_path,
		.key_path = key_path,
		.passphrase = passphrase,
		.passphrase_path = passfile,
	};
	void *h = NULL;
	int r = fb->open(&where, &h);

	ck_assert_msg(r == GHCR_OK, "open: expected OK, got %d (%s)", r,
	    ghcr_error_message(r));
	return h;
}

static void *
open_keyfile(void)
{
	return open_with(NULL, NULL);
}

static int
put(void *h, const char *server, const char *user, const char *secret)
{
	struct credential c = {
		.server = (char *)server,
		.username = (char *)user,
		.secret = (char *)secret,
	};

	return fb->put(h, &c);
}

static void
put_ok(void *h, const char *server, const char *user, const char *secret)
{
	int r = put(h, server, user, secret);

	ck_assert_msg(r == GHCR_OK, "put %s: expected OK, got %d (%s)", server,
	    r, ghcr_error_message(r));
}

static void
expect_get(void *h, const char *server, const char *user, const char *secret)
{
	struct credential c;
	int r = fb->get(h, server, &c);

	ck_assert_msg(r == GHCR_OK, "get %s: expected OK, got %d (%s)", server,
	    r, ghcr_error_message(r));
	ck_assert_str_eq(c.server, server);
	ck_assert_str_eq(c.username, user);
	ck_assert_msg(strcmp(c.secret, secret) == 0,
	    "get %s: the secret differs from the one stored", server);
	credential_clear(&c);
}

static int
get_status(void *h, const char *server)
{
	struct credential c;
	int r = fb->get(h, server, &c);

	credential_clear(&c);
	return r;
}

struct listed {
	size_t n;
	char seen[64][64];
};

static int
collect(const char *server, const char *username, void *ctx)
{
	struct listed *l = ctx;

	if (l->n < 64)
		snprintf(l->seen[l->n], sizeof(l->seen[0]), "%s=%s", server,
		    username);
	l->n++;
	return 0;
}

static int
list_status(void *h, struct listed *l)
{
	memset(l, 0, sizeof(*l));
	return fb->list(h, collect, l);
}

/* Rewrites path (keeping its 0600 inode) with buf[len]. */
static void
spew(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CREAT, 0600);

	ck_assert_msg(fd != -1, "cannot write %s: %s", path, strerror(errno));
	ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

static mode_t
mode_of(const char *path)
{
	struct stat st;

	ck_assert_msg(stat(path, &st) == 0, "expected %s to exist", path);
	return st.st_mode & 07777;
}

static int
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static int
crypto_in_process(void)
{
	void *lib = dlopen(GHCR_CRYPTO_SONAME, RTLD_NOW | RTLD_NOLOAD);

	if (lib != NULL)
		dlclose(lib);
	return lib != NULL || file_crypto_loaded();
}

/* Recomputes the trailing SHA-256 after a deliberate edit. */
static void
fix_checksum(unsigned char *buf, size_t len)
{
	ck_assert_int_eq(file_crypto_sha256(buf, len - FILE_CRYPTO_HASH_LEN,
	    buf + len - FILE_CRYPTO_HASH_LEN), GHCR_OK);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* --- round trips ---------------------------------------------------------- */

START_TEST(test_erase_of_nothing_creates_nothing)
{
	/* Only a forked test starts without libcrypto (CK_FORK=no shares it). */
	int fresh = !crypto_in_process();
	void *h = open_keyfile();

	/* No store at all: OK, and nothing created, no libcrypto.  (Erase of
	 * nothing beside other entries is in the backend contract.) */
	ck_assert_int_eq(fb->erase(h, "ghcr.io"), GHCR_OK);
	ck_assert_msg(!exists(store_dir), "erase created %s", store_dir);
	ck_assert_msg(!exists(key_path), "erase created the key file");
	ck_assert_msg(!fresh || !crypto_in_process(),
	    "erase on no store loaded libcrypto");
	fb->close(h);
}
END_TEST

START_TEST(test_missing_store_is_not_found_without_libcrypto)
{
	int fresh = !crypto_in_process(); /* see test_erase_of_nothing_creates_nothing */
	void *h = open_keyfile();
	struct listed l;

	ck_assert_int_eq(get_status(h, "ghcr.io"), GHCR_ERR_NOT_FOUND);
	ck_assert_int_eq(list_status(h, &l), GHCR_OK);
	ck_assert_msg(l.n == 0, "list of no store: expected 0, got %zu", l.n);
	ck_assert_msg(!fresh || !crypto_in_process(),
	    "get/list on a missing store loaded %s", GHCR_CRYPTO_SONAME);
	ck_assert_msg(!exists(key_path), "a read created the key file");
	ck_assert_msg(!exists(store_dir), "a read created %s", store_dir);
	fb->close(h);
}
END_TEST

START_TEST(test_files_are_private_whatever_the_umask)
{
	void *h = open_keyfile();
	mode_t old = umask(0);

	put_ok(h, "ghcr.io", "u", "s");
	umask(old);
	ck_assert_msg(mode_of(key_path) == 0600, "key file: expected 0600, got %04o",
	    (unsigned)mode_of(key_path));
	ck_assert_msg(mode_of(key_dir) == 0700, "key dir: expected 0700, got %04o",
	    (unsigned)mode_of(key_dir));
	ck_assert_msg(mode_of(store_path) == 0600, "store: expected 0600, got %04o",
	    (unsigned)mode_of(store_path));
	ck_assert_msg(mode_of(store_dir) == 0700, "store dir: expected 0700, got %04o",
	    (unsigned)mode_of(store_dir));
	{
		char parent[PATHSZ];

		snprintf(parent, sizeof(parent), "%s/data", test_tmpdir);
		ck_assert_msg(mode_of(parent) == 0700,
		    "created parent: expected 0700, got %04o", (unsigned)mode_of(parent));
	}
	{
		size_t len;
		unsigned char *key = slurp(key_path, &len);

		ck_assert_msg(len == 32, "key file: expected 32 bytes, got %zu", len);
		free(key);
	}
	fb->close(h);
}
END_TEST

START_TEST(test_no_temporary_files_left)
{
	void *h = open_keyfile();
	DIR *d;
	struct dirent *de;

	for (int i = 0; i < 5; i++)
		put_ok(h, "ghcr.io", "u", "s");
	ck_assert_int_eq(fb->erase(h, "ghcr.io"), GHCR_OK);
	ck_assert((d = opendir(store_dir)) != NULL);
	while ((de = readdir(d)) != NULL)
		ck_assert_msg(strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    strcmp(de->d_name, "store.enc") == 0 ||
		    strcmp(de->d_name, "store.enc.lock") == 0,
		    "unexpected file left in the store directory: %s", de->d_name);
	closedir(d);
	fb->close(h);
}
END_TEST

START_TEST(test_crashed_writer_leftovers_are_removed)
{
	void *h = open_keyfile();
	char stale[PATHSZ + 16];

	put_ok(h, "ghcr.io", "u", "s");
	/* What a writer killed between creating its temp file and rename leaves. */
	snprintf(stale, sizeof(stale), "%s.tmp.AbC123", store_path);
	spew(stale, "partial", 7);
	expect_get(h, "ghcr.io", "u", "s"); /* readers ignore it */
	put_ok(h, "other.example", "u", "s");
	ck_assert_msg(!exists(stale), "the next writer should remove %s", stale);
	expect_get(h, "ghcr.io", "u", "s");
	fb->close(h);
}
END_TEST

START_TEST(test_strict_umask_still_works)
{
	void *h = open_keyfile();
	mode_t old = umask(0277);

	put_ok(h, "ghcr.io", "u", "s");
	put_ok(h, "ghcr.io", "u", "s2");
	umask(old);
	expect_get(h, "ghcr.io", "u", "s2");
	ck_assert_msg(mode_of(store_path) == 0600, "store: expected 0600, got %04o",
	    (unsigned)mode_of(store_path));
	ck_assert_msg(mode_of(key_path) == 0600, "key: expected 0600, got %04o",
	    (unsigned)mode_of(key_path));
	fb->close(h);
}
END_TEST

/* --- keys and passphrases ------------------------------------------------- */

START_TEST(test_passphrase_store)
{
	void *h = open_with("correct horse battery staple", NULL);
	unsigned char *buf;
	size_t len;
	FILE *f;

	put_ok(h, "ghcr.io", "u", "s3cret");
	expect_get(h, "ghcr.io", "u", "s3cret");
	fb->close(h);
	ck_assert_msg(!exists(key_path), "passphrase mode created a key file");
	buf = slurp(store_path, &len);
	ck_assert_msg(buf[9] == FILE_KDF_SCRYPT, "expected scrypt in the header, got %u",
	    buf[9]);
	ck_assert_msg(buf[10] == FILE_SCRYPT_LOG2N && buf[11] == FILE_SCRYPT_R &&
	    buf[12] == FILE_SCRYPT_P, "unexpected scrypt parameters %u/%u/%u",
	    buf[10], buf[11], buf[12]);
	free(buf);

	/* The same passphrase from a file, with a trailing newline stripped. */
	ck_assert((f = fopen(pass_path, "w")) != NULL);
	fputs("correct horse battery staple\n", f);
	fclose(f);
	chmod(pass_path, 0600);
	h = open_with(NULL, pass_path);
	expect_get(h, "ghcr.io", "u", "s3cret");
	put_ok(h, "docker.pkg.github.com", "u2", "s2");
	fb->close(h);
	h = open_with("correct horse battery staple", NULL);
	expect_get(h, "docker.pkg.github.com", "u2", "s2");
	fb->close(h);
}
END_TEST

START_TEST(test_wrong_key_is_bad_key)
{
	void *h = open_keyfile();
	unsigned char other[32], *before, *after;
	size_t blen, alen;
	struct listed l;
	int r;

	put_ok(h, "ghcr.io", "u", "s");
	fb->close(h);
	memset(other, 0x5a, sizeof(other));
	spew(key_path, other, sizeof(other));
	before = slurp(store_path, &blen);

	h = open_keyfile();
	r = get_status(h, "ghcr.io");
	ck_assert_msg(r == GHCR_ERR_BAD_KEY, "get: expected BAD_KEY, got %d (%s)", r,
	    ghcr_error_message(r));
	ck_assert_msg(strstr(ghcr_error_message(r), store_path) != NULL,
	    "detail should name the store, got \"%s\"", ghcr_error_message(r));
	ck_assert_int_eq(list_status(h, &l), GHCR_ERR_BAD_KEY);
	ck_assert_int_eq(put(h, "new.example", "u", "s"), GHCR_ERR_BAD_KEY);
	ck_assert_int_eq(fb->erase(h, "ghcr.io"), GHCR_ERR_BAD_KEY);
	fb->close(h);

	after = slurp(store_path, &alen);
	ck_assert_msg(blen == alen && memcmp(before, after, blen) == 0,
	    "a write with the wrong key changed the store");
	free(before);
	free(after);
}
END_TEST

START_TEST(test_wrong_passphrase_is_bad_key)
{
	void *h = open_with("right", NULL);
	int r;

	put_ok(h, "ghcr.io", "u", "s");
	fb->close(h);
	h = open_with("wrong", NULL);
	r = get_status(h, "ghcr.io");
	ck_assert_msg(r == GHCR_ERR_BAD_KEY, "expected BAD_KEY, got %d (%s)", r,
	    ghcr_error_message(r));
	ck_assert_msg(strstr(ghcr_error_message(r), "passphrase") != NULL,
	    "detail should say passphrase, got \"%s\"", ghcr_error_message(r));
	fb->close(h);
}
END_TEST

START_TEST(test_key_kind_mismatch_is_bad_key)
{
	void *h = open_with("a passphrase", NULL);
	int r;

	put_ok(h, "ghcr.io", "u", "s");
	fb->close(h);
	h = open_keyfile();
	r = get_status(h, "ghcr.io");
	ck_assert_msg(r == GHCR_ERR_BAD_KEY, "key file on a passphrase store: expected BAD_KEY, got %d (%s)",
	    r, ghcr_error_message(r));
	fb->close(h);
	ck_assert_msg(!exists(key_path), "a read created the key file");
}
END_TEST

START_TEST(test_missing_key_file_is_bad_key_and_not_recreated)
{
	void *h = open_keyfile();
	int r;

	put_ok(h, "ghcr.io", "u", "s");
	fb->close(h);
	ck_assert_int_eq(unlink(key_path), 0);
	h = open_keyfile();
	r = put(h, "ghcr.io", "u", "s2");
	ck_assert_msg(r == GHCR_ERR_BAD_KEY, "expected BAD_KEY, got %d (%s)", r,
	    ghcr_error_message(r));
	ck_assert_msg(strstr(ghcr_error_message(r), key_path) != NULL,
	    "detail should name the key file, got \"%s\"", ghcr_error_message(r));
	ck_assert_msg(!exists(key_path),
	    "a new key file was made for a store encrypted with another");
	fb->close(h);
}
END_TEST

START_TEST(test_short_key_file_is_bad_key)
{
	void *h = open_keyfile();
	int r;

	put_ok(h, "ghcr.io", "u", "s");
	fb->close(h);
	spew(key_path, "short", 5);
	h = open_keyfile();
	r = get_status(h, "ghcr.io");
	ck_assert_msg(r == GHCR_ERR_BAD_KEY, "expected BAD_KEY, got %d (%s)", r,
	    ghcr_error_message(r));
	fb->close(h);
}
END_TEST

/* --- damage --------------------------------------------------------------- */

START_TEST(test_every_flipped_byte_is_detected)
{
	void *h = open_keyfile();
	unsigned char *orig, *buf;
	size_t len;

	put_ok(h, "ghcr.io", "octocat", "ghp_x");
	fb->close(h);
	orig = slurp(store_path, &len);
	buf = malloc(len);
	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit += 7) {
			int r;

			memcpy(buf, orig, len);
			buf[i] ^= (unsigned char)(1u << bit);
			spew(store_path, buf, len);
			h = open_keyfile();
			r = get_status(h, "ghcr.io");
			fb->close(h);
			/* The checksum alone: the GCM tag vouches for every
			 * byte it covers, and a read does not hash the store
			 * (the next write replaces it). */
			if (i >= len - FILE_CRYPTO_HASH_LEN) {
				ck_assert_msg(r == GHCR_OK,
				    "checksum byte %zu bit %d flipped: expected the contents, got %d (%s)",
				    i, bit, r, ghcr_error_message(r));
				continue;
			}
			ck_assert_msg(r == GHCR_ERR_CORRUPT || r == GHCR_ERR_BAD_KEY,
			    "byte %zu bit %d flipped: expected CORRUPT or BAD_KEY, got %d (%s)",
			    i, bit, r, ghcr_error_message(r));
		}
	}
	free(buf);
	free(orig);
}
END_TEST

START_TEST(test_every_truncation_is_corrupt)
{
	void *h = open_keyfile();
	unsigned char *orig;
	size_t len;
	int r;

	put_ok(h, "ghcr.io", "octocat", "ghp_x");
	fb->close(h);
	orig = slurp(store_path, &len);
	for (size_t n = 0; n < len; n++) {
		spew(store_path, orig, n);
		h = open_keyfile();
		r = get_status(h, "ghcr.io");
		fb->close(h);
		ck_assert_msg(r == GHCR_ERR_CORRUPT,
		    "truncated to %zu of %zu bytes: expected CORRUPT, got %d (%s)",
		    n, len, r, ghcr_error_message(r));
	}
	/* A byte appended is damage too. */
	orig = realloc(orig, len + 1);
	orig[len] = 0;
	spew(store_path, orig, len + 1);
	h = open_keyfile();
	ck_assert_int_eq(get_status(h, "ghcr.io"), GHCR_ERR_CORRUPT);
	fb->close(h);
	free(orig);
}
END_TEST

/* HMAC-SHA256 against RFC 4231 (cases 2 and 6: a short key, a key longer
 * than a block), whichever way libcrypto computes it. */
START_TEST(test_hmac_sha256_vectors)
{
	static const unsigned char want2[] = {
		0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24,
		0x26, 0x08, 0x95, 0x75, 0xc7, 0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27,
		0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43,
	};
	static const unsigned char want6[] = {
		0x60, 0xe4, 0x31, 0x59, 0x1e, 0xe0, 0xb6, 0x7f, 0x0d, 0x8a, 0x26,
		0xaa, 0xcb, 0xf5, 0xb7, 0x7f, 0x8e, 0x0b, 0xc6, 0x21, 0x37, 0x28,
		0xc5, 0x14, 0x05, 0x46, 0x04, 0x0f, 0x0e, 0xe3, 0x7f, 0x54,
	};
	static const char msg6[] = "Test Using Larger Than Block-Size Key - Hash Key First";
	unsigned char key6[131], out[FILE_CRYPTO_HASH_LEN];

	/* Split in two as key_derive does (label || salt). */
	ck_assert_int_eq(file_crypto_hmac((const unsigned char *)"Jefe", 4,
	    "what do ya", 10, " want for nothing?", 18, out), GHCR_OK);
	ck_assert(memcmp(out, want2, sizeof(out)) == 0);
	memset(key6, 0xaa, sizeof(key6));
	ck_assert_int_eq(file_crypto_hmac(key6, sizeof(key6), msg6,
	    sizeof(msg6) - 1, NULL, 0, out), GHCR_OK);
	ck_assert(memcmp(out, want6, sizeof(out)) == 0);
}
END_TEST

/* Edits that also fix the checksum reach the authenticated checks. */
START_TEST(test_tampering_behind_a_valid_checksum)
{
	static const struct {
		size_t offset; /* from the start; SIZE_MAX = first ciphertext byte */
		int expect;
		const char *what;
	} cases[] = {
		{ 13, GHCR_ERR_CORRUPT, "reserved byte" },
		{ 16, GHCR_ERR_BAD_KEY, "salt" },
		{ 32, GHCR_ERR_CORRUPT, "nonce" },
		{ 43, GHCR_ERR_CORRUPT, "last nonce byte" },
		{ 44, GHCR_ERR_BAD_KEY, "key check value" },
		{ 63, GHCR_ERR_CORRUPT, "length" },
		{ SIZE_MAX, GHCR_ERR_CORRUPT, "ciphertext" },
		{ SIZE_MAX - 1, GHCR_ERR_CORRUPT, "tag" },
	};
	void *h = open_keyfile();
	unsigned char *orig, *buf;
	size_t len;

	put_ok(h, "ghcr.io", "octocat", "ghp_x");
	fb->close(h);
	orig = slurp(store_path, &len);
	buf = malloc(len);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t off = cases[i].offset;
		int r;

		if (off == SIZE_MAX)
			off = FILE_FORMAT_HEADER_LEN;
		else if (off == SIZE_MAX - 1)
			off = len - FILE_CRYPTO_HASH_LEN - 1;
		memcpy(buf, orig, len);
		buf[off] ^= 0x01;
		fix_checksum(buf, len);
		spew(store_path, buf, len);
		h = open_keyfile();
		r = get_status(h, "ghcr.io");
		fb->close(h);
		ck_assert_msg(r == cases[i].expect,
		    "%s changed (byte %zu): expected %d, got %d (%s)",
		    cases[i].what, off, cases[i].expect, r, ghcr_error_message(r));
	}
	free(buf);
	free(orig);
}
END_TEST

START_TEST(test_corrupt_store_is_not_overwritten)
{
	void *h = open_keyfile();
	unsigned char *orig, *after;
	size_t len, alen;
	int r;

	put_ok(h, "ghcr.io", "u", "s");
	fb->close(h);
	orig = slurp(store_path, &len);
	orig[len / 2] ^= 0xff;
	spew(store_path, orig, len);
	h = open_keyfile();
	r = put(h, "ghcr.io", "u", "replacement");
	ck_assert_msg(r == GHCR_ERR_CORRUPT, "put on a damaged store: expected CORRUPT, got %d (%s)",
	    r, ghcr_error_message(r));
	ck_assert_msg(strstr(ghcr_error_message(r), store_path) != NULL,
	    "detail should name the store, got \"%s\"", ghcr_error_message(r));
	fb->close(h);
	after = slurp(store_path, &alen);
	ck_assert_msg(alen == len && memcmp(orig, after, len) == 0,
	    "the damaged store was overwritten");
	free(orig);
	free(after);
}
END_TEST

START_TEST(test_foreign_file_is_corrupt)
{
	void *h;
	int r;

	char parent[PATHSZ];

	snprintf(parent, sizeof(parent), "%s/data", test_tmpdir);
	ck_assert_int_eq(mkdir(parent, 0700), 0);
	ck_assert_int_eq(mkdir(store_dir, 0700), 0);
	spew(store_path, "{\"auths\":{}}\n", 13);
	h = open_keyfile();
	r = get_status(h, "ghcr.io");
	ck_assert_msg(r == GHCR_ERR_CORRUPT, "expected CORRUPT, got %d (%s)", r,
	    ghcr_error_message(r));
	fb->close(h);
}
END_TEST

/* --- permissions ---------------------------------------------------------- */

START_TEST(test_group_readable_store_is_unsafe)
{
	void *h = open_keyfile();
	int r;

	put_ok(h, "ghcr.io", "u", "s");
	ck_assert_int_eq(chmod(store_path, 0640), 0);
	r = get_status(h, "ghcr.io");
	ck_assert_msg(r == GHCR_ERR_UNSAFE, "expected UNSAFE, got %d (%s)", r,
	    ghcr_error_message(r));
	ck_assert_msg(strstr(ghcr_error_message(r), "chmod 600") != NULL &&
	    strstr(ghcr_error_message(r), store_path) != NULL,
	    "detail should give the fix with the path, got \"%s\"",
	    ghcr_error_message(r));
	ck_assert_int_eq(put(h, "ghcr.io", "u", "s"), GHCR_ERR_UNSAFE);
	ck_assert_int_eq(chmod(store_path, 0602), 0);
	ck_assert_int_eq(get_status(h, "ghcr.io"), GHCR_ERR_UNSAFE);
	ck_assert_int_eq(chmod(store_path, 0600), 0);
	expect_get(h, "ghcr.io", "u", "s");
	fb->close(h);
}
END_TEST

START_TEST(test_symlinked_store_is_unsafe)
{
	void *h = open_keyfile();
	char real[PATHSZ];
	int r;

	put_ok(h, "ghcr.io", "u", "s");
	snprintf(real, sizeof(real), "%s/real-store", test_tmpdir);
	ck_assert_int_eq(rename(store_path, real), 0);
	ck_assert_int_eq(symlink(real, store_path), 0);
	r = get_status(h, "ghcr.io");
	ck_assert_msg(r == GHCR_ERR_UNSAFE, "expected UNSAFE, got %d (%s)", r,
	    ghcr_error_message(r));
	ck_assert_msg(strstr(ghcr_error_message(r), "symbolic link") != NULL,
	    "detail should say symbolic link, got \"%s\"", ghcr_error_message(r));
	r = put(h, "ghcr.io", "u", "s2");
	ck_assert_msg(r == GHCR_ERR_UNSAFE, "put through a symlink: expected UNSAFE, got %d", r);
	fb->close(h);
}
END_TEST

START_TEST(test_group_readable_key_file_is_unsafe)
{
	void *h = open_keyfile();
	int r;

	put_ok(h, "ghcr.io", "u", "s");
	fb->close(h);
	ck_assert_int_eq(chmod(key_path, 0640), 0);
	h = open_keyfile();
	r = get_status(h, "ghcr.io");
	ck_assert_msg(r == GHCR_ERR_UNSAFE, "expected UNSAFE, got %d (%s)", r,
	    ghcr_error_message(r));
	ck_assert_msg(strstr(ghcr_error_message(r), key_path) != NULL,
	    "detail should name the key file, got \"%s\"", ghcr_error_message(r));
	fb->close(h);
}
END_TEST

START_TEST(test_symlinked_key_file_is_unsafe)
{
	void *h = open_keyfile();
	char real[PATHSZ];

	put_ok(h, "ghcr.io", "u", "s");
	fb->close(h);
	snprintf(real, sizeof(real), "%s/real-key", test_tmpdir);
	ck_assert_int_eq(rename(key_path, real), 0);
	ck_assert_int_eq(symlink(real, key_path), 0);
	h = open_keyfile();
	ck_assert_int_eq(get_status(h, "ghcr.io"), GHCR_ERR_UNSAFE);
	fb->close(h);
}
END_TEST

START_TEST(test_store_owned_by_another_user_is_unsafe)
{
	void *h = open_keyfile();
	int r;

	if (geteuid() != 0)
		return; /* only root can give a file away */
	put_ok(h, "ghcr.io", "u", "s");
	ck_assert_int_eq(chown(store_path, 4242, 4242), 0);
	r = get_status(h, "ghcr.io");
	ck_assert_msg(r == GHCR_ERR_UNSAFE, "expected UNSAFE, got %d (%s)", r,
	    ghcr_error_message(r));
	fb->close(h);
}
END_TEST

START_TEST(test_world_writable_directory_is_unsafe)
{
	void *h = open_keyfile();
	int r;

	put_ok(h, "ghcr.io", "u", "s");
	ck_assert_int_eq(chmod(store_dir, 0777), 0);
	r = put(h, "ghcr.io", "u", "s2");
	ck_assert_msg(r == GHCR_ERR_UNSAFE, "expected UNSAFE, got %d (%s)", r,
	    ghcr_error_message(r));
	ck_assert_msg(strstr(ghcr_error_message(r), "chmod 700") != NULL,
	    "detail should give the fix, got \"%s\"", ghcr_error_message(r));
	fb->close(h);
}
END_TEST

START_TEST(test_open_passphrase_file_is_unsafe)
{
	void *h;
	FILE *f;
	int r;

	ck_assert((f = fopen(pass_path, "w")) != NULL);
	fputs("pw\n", f);
	fclose(f);
	ck_assert_int_eq(chmod(pass_path, 0644), 0);
	h = open_with(NULL, pass_path);
	r = put(h, "ghcr.io", "u", "s");
	ck_assert_msg(r == GHCR_ERR_UNSAFE, "expected UNSAFE, got %d (%s)", r,
	    ghcr_error_message(r));
	fb->close(h);
}
END_TEST

/* --- contents ------------------------------------------------------------- */

START_TEST(test_arbitrary_bytes_and_utf8)
{
	void *h = open_keyfile();
	char secret[300], user[] = "Jürgen-测试-🔑";
	size_t n = 0;

	/* Every byte value but NUL, which a C string cannot hold. */
	for (int c = 1; c < 256; c++)
		secret[n++] = (char)c;
	memcpy(secret + n, "–ünïcødé–🐳", sizeof("–ünïcødé–🐳"));
	put_ok(h, "ghcr.io", user, secret);
	put_ok(h, "empty.example", "", "");
	fb->close(h);
	h = open_keyfile();
	expect_get(h, "ghcr.io", user, secret);
	expect_get(h, "empty.example", "", "");
	fb->close(h);
}
END_TEST

START_TEST(test_concurrent_writers_lose_nothing)
{
	/* Under valgrind every writer is ~50x slower and the lock wait is
	 * bounded (10 s): fewer writers keep the race without the timeout. */
	const int N = getenv("GHCR_UNDER_VALGRIND") != NULL ? 8 : 50;
	pid_t pids[50];
	struct listed l;
	void *h;

	for (int i = 0; i < N; i++) {
		pids[i] = fork();
		ck_assert_msg(pids[i] != -1, "fork: %s", strerror(errno));
		if (pids[i] == 0) {
			char server[64];
			void *ch = NULL;
			struct store_location where = {
				.store_path = store_path, .key_path = key_path,
			};
			int r;

			snprintf(server, sizeof(server), "writer-%02d.example", i);
			r = fb->open(&where, &ch);
			if (r == 0)
				r = put(ch, server, "user", server);
			fb->close(ch);
			_exit(r == 0 ? 0 : 100 - r);
		}
	}
	for (int i = 0; i < N; i++) {
		int status;

		ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "writer %d failed (exit %d)", i, WEXITSTATUS(status));
	}
	h = open_keyfile();
	ck_assert_int_eq(list_status(h, &l), GHCR_OK);
	ck_assert_msg(l.n == (size_t)N, "expected %d entries after %d writers, got %zu",
	    N, N, l.n);
	for (int i = 0; i < N; i++) {
		char server[64];

		snprintf(server, sizeof(server), "writer-%02d.example", i);
		expect_get(h, server, "user", server);
	}
	fb->close(h);
}
END_TEST

/* Stores written by format version 1 stay readable: samples in the tree. */
START_TEST(test_reads_committed_v1_samples)
{
	const char *root = getenv("GHCR_BUILD_DIR");
	char src[PATHSZ], parent[PATHSZ];
	unsigned char *buf;
	size_t len;
	void *h;

	if (root == NULL)
		root = ".";
	snprintf(parent, sizeof(parent), "%s/data", test_tmpdir);
	ck_assert_int_eq(mkdir(parent, 0700), 0);
	ck_assert_int_eq(mkdir(store_dir, 0700), 0);
	snprintf(parent, sizeof(parent), "%s/config", test_tmpdir);
	ck_assert_int_eq(mkdir(parent, 0700), 0);
	ck_assert_int_eq(mkdir(key_dir, 0700), 0);

	snprintf(src, sizeof(src), "%s/tests/file_store_samples/v1-keyfile.store", root);
	buf = slurp(src, &len);
	spew(store_path, buf, len);
	free(buf);
	snprintf(src, sizeof(src), "%s/tests/file_store_samples/v1.key", root);
	buf = slurp(src, &len);
	spew(key_path, buf, len);
	free(buf);
	h = open_keyfile();
	expect_get(h, "ghcr.io", "octocat", "ghp_sampleTOKEN0123456789abcdefghijklmn");
	expect_get(h, "registry.example.com:5000", "<token>",
	    "identity \xe2\x9c\x93 token");
	fb->close(h);

	snprintf(src, sizeof(src), "%s/tests/file_store_samples/v1-passphrase.store", root);
	buf = slurp(src, &len);
	spew(store_path, buf, len);
	free(buf);
	h = open_with("sample passphrase", NULL);
	expect_get(h, "ghcr.io", "octocat", "ghp_sampleTOKEN0123456789abcdefghijklmn");
	expect_get(h, "registry.example.com:5000", "<token>",
	    "identity \xe2\x9c\x93 token");
	fb->close(h);
}
END_TEST

/* A writer killed at any instant leaves a whole store; readers never see
 * a partial one while writers run. */
START_TEST(test_killed_writer_leaves_a_whole_store)
{
	void *h = open_keyfile();
	struct timespec pause;

	put_ok(h, "ghcr.io", "u", "initial");
	srand((unsigned)getpid());
	for (int iter = 0; iter < 25; iter++) {
		struct credential c;
		pid_t pid = fork();
		int r;

		ck_assert_msg(pid != -1, "fork: %s", strerror(errno));
		if (pid == 0) {
			void *ch = open_keyfile();
			char secret[32];

			for (unsigned k = 0;; k++) {
				snprintf(secret, sizeof(secret), "v%u", k);
				if (put(ch, "ghcr.io", "u", secret) != 0)
					_exit(1);
			}
		}
		/* Read until the writer has replaced the store at least once
		 * (so it is mid-stream), then a little more, then kill it. */
		char last[32];
		int changes = 0;
		double start = now_ms();

		r = fb->get(h, "ghcr.io", &c);
		ck_assert_int_eq(r, GHCR_OK);
		snprintf(last, sizeof(last), "%s", c.secret);
		credential_clear(&c);
		while (changes < 1 + rand() % 3 && now_ms() - start < 5000) {
			pause.tv_sec = 0;
			pause.tv_nsec = (long)(rand() % 500) * 1000;
			nanosleep(&pause, NULL);
			r = fb->get(h, "ghcr.io", &c);
			ck_assert_msg(r == GHCR_OK,
			    "a reader during writes got %d (%s)", r, ghcr_error_message(r));
			if (strcmp(c.secret, last) != 0) {
				changes++;
				snprintf(last, sizeof(last), "%s", c.secret);
			}
			credential_clear(&c);
		}
		ck_assert_msg(changes > 0, "the writer made no progress in 5 s");
		pause.tv_nsec = (long)(rand() % 2000) * 1000;
		nanosleep(&pause, NULL);
		kill(pid, SIGKILL);
		ck_assert_int_eq(waitpid(pid, &r, 0), pid);
		ck_assert_msg(WIFSIGNALED(r), "the writer stopped by itself (status %d)", r);
		r = fb->get(h, "ghcr.io", &c);
		ck_assert_msg(r == GHCR_OK, "after killing a writer: got %d (%s)", r,
		    ghcr_error_message(r));
		ck_assert_msg(strcmp(c.secret, "initial") == 0 || c.secret[0] == 'v',
		    "after killing a writer: unexpected secret");
		credential_clear(&c);
	}
	/* The lock died with its holder: a new writer gets in at once. */
	put_ok(h, "ghcr.io", "u", "final");
	expect_get(h, "ghcr.io", "u", "final");
	fb->close(h);
}
END_TEST

/* --- the decoder on its own ----------------------------------------------- */

START_TEST(test_decoder_rejects_malformed_plaintext)
{
	static const struct {
		const char *bytes;
		size_t len;
	} cases[] = {
		{ "", 0 },
		{ "\0\0", 2 },
		{ "\xff\xff\xff\xff", 4 },
		{ "\0\0\0\1", 4 },
		{ "\0\0\0\1\0\0\0\1a", 9 },
		{ "\0\0\0\1\0\0\0\1ab\0\0\0\0\0\0\0\0\0\0\0", 21 },
		{ "\0\0\0\1\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 19 }, /* empty server */
		{ "\0\0\0\0x", 5 }, /* stray byte */
		{ "\0\0\0\1\0\0\0\2a\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 22 }, /* NUL inside */
	};
	struct file_entries e;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = file_format_parse((const unsigned char *)cases[i].bytes,
		    cases[i].len, FILE_FORMAT_VERSION_PLAIN, NULL, &e);

		ck_assert_msg(r == GHCR_ERR_CORRUPT, "case %zu: expected CORRUPT, got %d",
		    i, r);
		file_entries_clear(&e);
	}
	ck_assert_int_eq(file_format_parse((const unsigned char *)
	    "\0\0\0\1\0\0\0\1a\0\0\0\0\1b\0\0\0\0\0\0", 21,
	    FILE_FORMAT_VERSION_PLAIN, NULL, &e), GHCR_OK);
	ck_assert_msg(e.n == 1 && strcmp(e.v[0].server, "a") == 0 &&
	    strcmp(e.v[0].username, "b") == 0 && e.v[0].secret_len == 0,
	    "a well-formed one-entry payload did not parse as expected");
	file_entries_clear(&e);
}
END_TEST

START_TEST(test_decoder_round_trip_in_memory)
{
	unsigned char rawkey[32], *buf;
	struct file_key_source src = { .key = rawkey };
	struct file_entries in = { 0 }, out;
	struct file_key *k1 = file_key_new(), *k2 = file_key_new();
	size_t len;
	const struct file_entry *en;

	memset(rawkey, 7, sizeof(rawkey));
	ck_assert_int_eq(file_entries_set(&in, "a.example", "ua", "sa", 0), GHCR_OK);
	ck_assert_int_eq(file_entries_set(&in, "b.example", "ub", "sb", 0), GHCR_OK);
	ck_assert_int_eq(file_format_encode(&in, &src, k1, &buf, &len), GHCR_OK);
	ck_assert_int_eq(file_format_decode(buf, len, &src, k2, NULL, &out), GHCR_OK);
	ck_assert_uint_eq(out.n, 2);
	en = file_entries_find(&out, "b.example");
	ck_assert(en != NULL);
	ck_assert_str_eq(en->secret, "sb");
	file_entries_clear(&out);
	{
		/* Two writes of the same entries never share a nonce. */
		unsigned char *buf2;
		size_t len2;

		ck_assert_int_eq(file_format_encode(&in, &src, k1, &buf2, &len2), GHCR_OK);
		ck_assert_msg(memcmp(buf + 32, buf2 + 32, 12) != 0,
		    "two writes used the same nonce");
		free(buf2);
	}
	file_entries_clear(&in);
	file_key_free(k1);
	file_key_free(k2);
	free(buf);
}
END_TEST

/* A lookup keeps only the asked server's entry, yet still refuses a payload
 * that is damaged after it. */
START_TEST(test_decoder_lookup_keeps_one_entry)
{
	static const char two[] = "\0\0\0\2" "\0\0\0\1a\0" "\0\0\0\1b\0"
	    "\0\0\0\1c\0" "\0\0\0\1d\0" "\0\0\0\1e\0" "\0\0\0\1f\0";
	struct file_entries e;

	ck_assert_int_eq(file_format_parse((const unsigned char *)two,
	    sizeof(two) - 1, FILE_FORMAT_VERSION_PLAIN, "d", &e), GHCR_OK);
	ck_assert_uint_eq(e.n, 1);
	ck_assert_str_eq(e.v[0].username, "e");
	ck_assert_str_eq(e.v[0].secret, "f");
	file_entries_clear(&e);
	ck_assert_int_eq(file_format_parse((const unsigned char *)two,
	    sizeof(two) - 1, FILE_FORMAT_VERSION_PLAIN, "x", &e), GHCR_OK);
	ck_assert_uint_eq(e.n, 0);
	file_entries_clear(&e);
	/* The match comes first; the second entry is cut short. */
	ck_assert_int_eq(file_format_parse((const unsigned char *)two,
	    sizeof(two) - 3, FILE_FORMAT_VERSION_PLAIN, "a", &e), GHCR_ERR_CORRUPT);
	ck_assert_uint_eq(e.n, 0);
	file_entries_clear(&e);
}
END_TEST

/* put with an expiry (what get does with it is the contract's case:
 * tests/contract/backend_contract.c). */
static void
put_expiring(void *h, const char *server, const char *secret, time_t expires)
{
	struct credential c = {
		.server = (char *)server, .username = (char *)"octocat",
		.secret = (char *)secret, .expires = expires,
	};
	int r = fb->put(h, &c);

	ck_assert_msg(r == GHCR_OK, "put %s with an expiry: expected OK, got %d (%s)",
	    server, r, ghcr_error_message(r));
}

/* The store's format version byte, read from the file. */
static int
store_version(void)
{
	size_t len;
	unsigned char *buf = slurp(store_path, &len);
	int v = len > 8 ? buf[8] : -1;

	free(buf);
	return v;
}

/* The store stays version 1 (readable by older helpers) until an entry
 * has an expiry, and then becomes version 2. */
START_TEST(test_the_store_is_version_1_until_an_entry_has_an_expiry)
{
	void *h = open_keyfile();

	put_ok(h, "ghcr.io", "octocat", "ghp_first");
	put_ok(h, "other.example", "u", "s");
	ck_assert_int_eq(store_version(), FILE_FORMAT_VERSION_PLAIN);
	put_expiring(h, "ghcr.io", "ghp_first", (time_t)1900000000);
	ck_assert_int_eq(store_version(), FILE_FORMAT_VERSION_EXPIRY);
	expect_get(h, "other.example", "u", "s");
	fb->close(h);
}
END_TEST

/* A new login (a plain put) of the last dated entry takes the store back
 * to version 1, so an older helper can read it again. */
START_TEST(test_a_new_login_takes_the_store_back_to_version_1)
{
	void *h = open_keyfile();

	put_expiring(h, "ghcr.io", "ghp_first", (time_t)1900000000);
	put_expiring(h, "other.example", "ghp_other", (time_t)1900000000);
	ck_assert_int_eq(store_version(), FILE_FORMAT_VERSION_EXPIRY);
	put_ok(h, "ghcr.io", "octocat", "ghp_second");
	ck_assert_int_eq(store_version(), FILE_FORMAT_VERSION_EXPIRY);
	put_ok(h, "other.example", "octocat", "ghp_other2");
	ck_assert_int_eq(store_version(), FILE_FORMAT_VERSION_PLAIN);
	expect_get(h, "ghcr.io", "octocat", "ghp_second");
	fb->close(h);
}
END_TEST

/* A version 2 payload with its dates parses; a truncated date is corrupt;
 * a version the store does not know is refused. */
START_TEST(test_decoder_reads_version_2_entries)
{
	static const char good[] = "\0\0\0\1" "\0\0\0\1a\0" "\0\0\0\1b\0"
	    "\0\0\0\1c\0" "\0\0\0\0\x71\x3f\xb3\x00";
	struct file_entries e;

	ck_assert_int_eq(file_format_parse((const unsigned char *)good,
	    sizeof(good) - 1, FILE_FORMAT_VERSION_EXPIRY, NULL, &e), GHCR_OK);
	ck_assert_uint_eq(e.n, 1);
	ck_assert_msg(e.v[0].expires == 0x713fb300, "expected expiry 0x713fb300, "
	    "got %#llx", (long long)e.v[0].expires);
	file_entries_clear(&e);
	ck_assert_int_eq(file_format_parse((const unsigned char *)good,
	    sizeof(good) - 2, FILE_FORMAT_VERSION_EXPIRY, NULL, &e), GHCR_ERR_CORRUPT);
	file_entries_clear(&e);
	/* Read as version 1, the date is stray bytes. */
	ck_assert_int_eq(file_format_parse((const unsigned char *)good,
	    sizeof(good) - 1, FILE_FORMAT_VERSION_PLAIN, NULL, &e), GHCR_ERR_CORRUPT);
	file_entries_clear(&e);
	ck_assert_int_eq(file_format_parse((const unsigned char *)good,
	    sizeof(good) - 1, 3, NULL, &e), GHCR_ERR_CORRUPT);
	file_entries_clear(&e);
}
END_TEST

Suite *suite_file_store(void);

Suite *
suite_file_store(void)
{
	Suite *s = suite_create("file_store");
	struct {
		const char *name;
		const TTest *test;
	} cases[] = {
#define T(fn) { #fn, fn }
		T(test_erase_of_nothing_creates_nothing),
		T(test_missing_store_is_not_found_without_libcrypto),
		T(test_files_are_private_whatever_the_umask),
		T(test_no_temporary_files_left),
		T(test_crashed_writer_leftovers_are_removed),
		T(test_strict_umask_still_works),
		T(test_passphrase_store),
		T(test_wrong_key_is_bad_key),
		T(test_wrong_passphrase_is_bad_key),
		T(test_key_kind_mismatch_is_bad_key),
		T(test_missing_key_file_is_bad_key_and_not_recreated),
		T(test_short_key_file_is_bad_key),
		T(test_every_flipped_byte_is_detected),
		T(test_every_truncation_is_corrupt),
		T(test_tampering_behind_a_valid_checksum),
		T(test_hmac_sha256_vectors),
		T(test_corrupt_store_is_not_overwritten),
		T(test_foreign_file_is_corrupt),
		T(test_group_readable_store_is_unsafe),
		T(test_symlinked_store_is_unsafe),
		T(test_group_readable_key_file_is_unsafe),
		T(test_symlinked_key_file_is_unsafe),
		T(test_store_owned_by_another_user_is_unsafe),
		T(test_world_writable_directory_is_unsafe),
		T(test_open_passphrase_file_is_unsafe),
		T(test_arbitrary_bytes_and_utf8),
		T(test_concurrent_writers_lose_nothing),
		T(test_killed_writer_leaves_a_whole_store),
		T(test_reads_committed_v1_samples),
		T(test_decoder_rejects_malformed_plaintext),
		T(test_decoder_round_trip_in_memory),
		T(test_decoder_lookup_keeps_one_entry),
		T(test_the_store_is_version_1_until_an_entry_has_an_expiry),
		T(test_a_new_login_takes_the_store_back_to_version_1),
		T(test_decoder_reads_version_2_entries),
#undef T
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TCase *tc = tcase_create(cases[i].name + 5);

		tcase_add_checked_fixture(tc, setup, teardown);
		tcase_set_timeout(tc, 60);
		tcase_add_test(tc, cases[i].test);
		suite_add_tcase(s, tc);
	}
	return s;
}
