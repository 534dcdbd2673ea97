/*
 * The "file" backend: every credential in one AES-256-GCM encrypted file
 * (format in file_format.h), keyed by a random key file or a passphrase.
 * Readers decrypt once and scan; writers read, modify and atomically
 * replace the file under an exclusive lock, so concurrent helpers lose no
 * update.  libcrypto is loaded only when a store file has to be opened or
 * written: asking a store that does not exist costs a failed open().
 */
#include "store.h"
#include "errors.h"
#include "file_crypto.h"
#include "file_format.h"
#include "file_io.h"
#include "secmem.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct file_handle {
	char *store_path;
	char *key_path;             /* NULL in passphrase mode */
	char *passphrase_path;      /* NULL unless given */
	char *passphrase;           /* secmem; from the text or, lazily, the file */
	size_t passphrase_len;
	struct file_key *key;       /* the key file and derived keys; made on first use */
};

/* Puts the store's path (and a fix) in front of the decoder's detail. */
static int
fail_store(int r, const char *path)
{
	char detail[400];
	const char *d = ghcr_error_detail();

	snprintf(detail, sizeof(detail), "%s", d != NULL ? d : ghcr_strerror(r));
	if (r == GHCR_ERR_CORRUPT)
		return ghcr_fail(r, "store %s: %s; restore it from a backup, or remove it and log in again",
		    path, detail);
	if (r == GHCR_ERR_BAD_KEY)
		return ghcr_fail(r, "store %s: %s", path, detail);
	return r;
}

/* Best effort: keep key material out of swap (RLIMIT_MEMLOCK permitting). */
static void
lock_secret(void *p, size_t n)
{
	if (p != NULL)
		(void)mlock(p, n);
}

static void
free_secret(void *p, size_t n)
{
	if (p == NULL)
		return;
	secmem_wipe(p, n);
	(void)munlock(p, n);
	secmem_free(p);
}

static void
file_close(void *handle)
{
	struct file_handle *h = handle;

	if (h == NULL)
		return;
	free(h->store_path);
	free(h->key_path);
	free(h->passphrase_path);
	free_secret(h->passphrase, h->passphrase_len);
	file_key_free(h->key);
	free(h);
}

static int
file_open(const struct store_location *where, void **out)
{
	struct file_handle *h = NULL;
	int r;

	*out = NULL;
	if (where == NULL || where->store_path == NULL || *where->store_path == '\0')
		return ghcr_fail(GHCR_ERR_CONFIG, "no path for the file store");
	if (where->passphrase == NULL && where->passphrase_path == NULL &&
	    (where->key_path == NULL || *where->key_path == '\0'))
		return ghcr_fail(GHCR_ERR_CONFIG,
		    "the file store needs a key file or a passphrase");
	if (where->passphrase != NULL && *where->passphrase == '\0')
		return ghcr_fail(GHCR_ERR_CONFIG, "the store passphrase is empty");
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return GHCR_ERR_NO_MEMORY;
	r = GHCR_ERR_NO_MEMORY;
	if ((h->store_path = strdup(where->store_path)) == NULL)
		goto out;
	/* A passphrase wins over the key file: the user asked for it. */
	if (where->passphrase != NULL) {
		if ((h->passphrase = secmem_strdup(where->passphrase)) == NULL)
			goto out;
		h->passphrase_len = strlen(h->passphrase);
		lock_secret(h->passphrase, h->passphrase_len);
	} else if (where->passphrase_path != NULL) {
		if ((h->passphrase_path = strdup(where->passphrase_path)) == NULL)
			goto out;
	} else if ((h->key_path = strdup(where->key_path)) == NULL)
		goto out;
	*out = h;
	h = NULL;
	r = GHCR_OK;
out:
	file_close(h);
	return r;
}

/* Creates a new random key file into h->key; when another helper made one
 * first, h->key->have_key_file stays 0 and the caller reads theirs. */
static int
create_key_file(struct file_handle *h)
{
	struct file_key *key = h->key;
	int existed, r;

	if ((r = file_io_prepare_dir(h->key_path)) != 0 ||
	    (r = file_crypto_random(key->key_file, FILE_CRYPTO_KEY_LEN)) != 0 ||
	    (r = file_io_create_secret(h->key_path, key->key_file,
	    FILE_CRYPTO_KEY_LEN, &existed)) != 0 || existed)
		secmem_wipe(key->key_file, FILE_CRYPTO_KEY_LEN);
	else
		key->have_key_file = 1;
	return r;
}

/* Reads the key file's 32 bytes into h->key, making the file first when
 * `create` and there is none. */
static int
read_key_file(struct file_handle *h, int create)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	int r;

	r = file_io_read_private(h->key_path, "key file", 4096, 1, &buf, &len);
	if (r == GHCR_ERR_NOT_FOUND && create) {
		if ((r = create_key_file(h)) != 0 || h->key->have_key_file)
			return r;
		/* another helper made it first */
		r = file_io_read_private(h->key_path, "key file", 4096, 1, &buf,
		    &len);
	}
	if (r == GHCR_ERR_NOT_FOUND)
		return ghcr_fail(GHCR_ERR_BAD_KEY,
		    "key file %s is missing, so store %s cannot be decrypted: restore the key file, or remove the store to start over",
		    h->key_path, h->store_path);
	if (r != 0)
		return r;
	if (len != FILE_CRYPTO_KEY_LEN)
		r = ghcr_fail(GHCR_ERR_BAD_KEY,
		    "key file %s holds %zu bytes, a key has %d: it is not a docker-credential-ghcr key",
		    h->key_path, len, FILE_CRYPTO_KEY_LEN);
	else {
		memcpy(h->key->key_file, buf, FILE_CRYPTO_KEY_LEN);
		h->key->have_key_file = 1;
	}
	secmem_free(buf);
	return r;
}

/*
 * Fills *src with the key or passphrase, reading it on first use.  A key
 * file is created only when `create` (a write to a store that does not
 * exist yet): for an existing store a missing key file is an error.
 */
static int
key_source(struct file_handle *h, int create, struct file_key_source *src)
{
	int r;

	memset(src, 0, sizeof(*src));
	/* Made here, not in open(): a get with no store never needs it (and
	 * its mlock()). */
	if (h->key == NULL && (h->key = file_key_new()) == NULL)
		return GHCR_ERR_NO_MEMORY;
	if (h->passphrase == NULL && h->passphrase_path != NULL &&
	    (r = file_io_read_passphrase(h->passphrase_path, &h->passphrase,
	    &h->passphrase_len)) != 0)
		return r;
	if (h->passphrase_path != NULL)
		lock_secret(h->passphrase, h->passphrase_len);
	if (h->passphrase != NULL) {
		src->passphrase = h->passphrase;
		src->passphrase_len = h->passphrase_len;
		return GHCR_OK;
	}
	if (!h->key->have_key_file && (r = read_key_file(h, create)) != 0)
		return r;
	src->key = h->key->key_file;
	return GHCR_OK;
}

/*
 * Reads and decrypts the store into *e; *exists is 0 (and *e empty) when
 * there is no store file.  With `create`, a missing key file is made.
 * With `only`, *e holds just that server's entry (see file_format_decode).
 */
static int
load(struct file_handle *h, int create, const char *only,
     struct file_entries *e, int *exists)
{
	struct file_key_source src;
	unsigned char *buf = NULL;
	size_t len = 0;
	int r;

	memset(e, 0, sizeof(*e));
	*exists = 0;
	r = file_io_read_private(h->store_path, "store", FILE_FORMAT_MAX_SIZE, 0,
	    &buf, &len);
	if (r == GHCR_ERR_NOT_FOUND) {
		/* No store, no libcrypto; but a writer needs the key now. */
		if (create && (r = key_source(h, 1, &src)) != 0)
			return r;
		return GHCR_OK;
	}
	if (r != 0)
		return r;
	*exists = 1;
	/* A foreign or damaged file says so before any key is looked for
	 * (damage to what the header's fields do not show: see damaged). */
	if ((r = file_format_check(buf, len)) != 0) {
		r = fail_store(r, h->store_path);
		goto out;
	}
	if (buf[9] == FILE_KDF_SCRYPT && h->passphrase == NULL &&
	    h->passphrase_path == NULL) {
		r = ghcr_fail(GHCR_ERR_BAD_KEY,
		    "store %s is protected by a passphrase, but none was given",
		    h->store_path);
		goto damaged;
	}
	if ((r = key_source(h, 0, &src)) != 0)
		goto damaged;
	if ((r = file_format_decode(buf, len, &src, h->key, only, e)) != 0)
		r = fail_store(r, h->store_path);
	goto out;
damaged:
	/* The checksum was not computed (file_format_check): a damaged file
	 * says so before any key problem, as it always has. */
	{
		int rs = file_format_checksum(buf, len);

		if (rs != 0)
			r = fail_store(rs, h->store_path);
	}
out:
	free(buf);
	return r;
}

static int
file_get(void *handle, const char *server, struct credential *out)
{
	struct file_handle *h = handle;
	struct file_entries e;
	const struct file_entry *en;
	int exists, r;

	memset(out, 0, sizeof(*out));
	if ((r = load(h, 0, server, &e, &exists)) != 0)
		goto out;
	if ((en = file_entries_find(&e, server)) == NULL) {
		/* The client matches the fixed message: no stale detail. */
		ghcr_error_clear();
		r = GHCR_ERR_NOT_FOUND;
		goto out;
	}
	if ((r = credential_fill(out, en->server, en->username, en->secret)) == 0)
		out->expires = (time_t)en->expires;
out:
	file_entries_clear(&e);
	return r;
}

static int
file_list(void *handle, store_list_fn fn, void *ctx)
{
	struct file_handle *h = handle;
	struct file_entries e;
	int exists, r;

	if ((r = load(h, 0, NULL, &e, &exists)) != 0)
		goto out;
	for (size_t i = 0; i < e.n; i++) {
		int stop = fn(e.v[i].server, e.v[i].username, ctx);

		if (stop != 0) {
			/* A negative stop is the callback's error: pass it on. */
			r = stop < 0 ? stop : GHCR_OK;
			goto out;
		}
	}
	r = GHCR_OK;
out:
	file_entries_clear(&e);
	return r;
}

/* Encrypts *e and replaces the store with it. */
static int
save(struct file_handle *h, const struct file_entries *e)
{
	struct file_key_source src;
	unsigned char *buf = NULL;
	size_t len = 0;
	int r;

	if ((r = key_source(h, 0, &src)) != 0 ||
	    (r = file_format_encode(e, &src, h->key, &buf, &len)) != 0 ||
	    (r = file_io_replace(h->store_path, buf, len)) != 0)
		goto out;
	r = GHCR_OK;
out:
	free(buf);
	return r;
}

static int
file_put(void *handle, const struct credential *cred)
{
	struct file_handle *h = handle;
	struct file_entries e;
	int lock = -1, exists, r;

	memset(&e, 0, sizeof(e));
	if (cred == NULL || cred->server == NULL || *cred->server == '\0')
		return ghcr_fail(GHCR_ERR_NO_SERVER, "no server to store");
	if (cred->username == NULL)
		return ghcr_fail(GHCR_ERR_NO_USERNAME, "no username to store");
	if (cred->secret == NULL)
		return ghcr_fail(GHCR_ERR_BAD_INPUT, "no secret to store");
	/* Read, modify and write all under the lock: no lost update. */
	if ((r = file_io_prepare_dir(h->store_path)) != 0 ||
	    (r = file_io_lock(h->store_path, &lock)) != 0)
		goto out;
	file_io_remove_stale(h->store_path);
	if ((r = load(h, 1, NULL, &e, &exists)) != 0 ||
	    (r = file_entries_set(&e, cred->server, cred->username,
	    cred->secret, cred->expires > 0 ? (int64_t)cred->expires : 0)) != 0 ||
	    (r = save(h, &e)) != 0)
		goto out;
	r = GHCR_OK;
out:
	file_entries_clear(&e);
	file_io_unlock(lock);
	return r;
}

/* Whether entry `en` holds exactly `c`'s username and secret (the secret
 * compared in constant time). */
static int
entry_is(const struct file_entry *en, const struct credential *c)
{
	size_t ulen = strlen(c->username), slen = strlen(c->secret);

	return en->username_len == ulen && en->secret_len == slen &&
	    memcmp(en->username, c->username, ulen) == 0 &&
	    secmem_compare(en->secret, c->secret, slen) == 0;
}

/* The compare and the write happen under the one lock every writer
 * takes, so no login can land between them. */
static int
file_note_expiry(void *handle, const struct credential *checked,
		 time_t expires)
{
	struct file_handle *h = handle;
	struct file_entries e;
	const struct file_entry *en;
	struct stat st;
	int lock = -1, exists, r;

	memset(&e, 0, sizeof(e));
	if (lstat(h->store_path, &st) == -1 && errno == ENOENT)
		return GHCR_ERR_NOT_FOUND;
	if ((r = file_io_lock(h->store_path, &lock)) != 0 ||
	    (r = load(h, 0, NULL, &e, &exists)) != 0)
		goto out;
	if ((en = file_entries_find(&e, checked->server)) == NULL ||
	    !entry_is(en, checked)) {
		r = GHCR_ERR_NOT_FOUND;
		goto out;
	}
	if (en->expires == (expires > 0 ? (int64_t)expires : 0)) {
		r = GHCR_OK;
		goto out;
	}
	/* The three strings are the entry's own, just compared equal. */
	if ((r = file_entries_set(&e, checked->server, checked->username,
	    checked->secret, expires > 0 ? (int64_t)expires : 0)) != 0 ||
	    (r = save(h, &e)) != 0)
		goto out;
	r = GHCR_OK;
out:
	file_entries_clear(&e);
	file_io_unlock(lock);
	return r;
}

static int
file_erase(void *handle, const char *server)
{
	struct file_handle *h = handle;
	struct file_entries e;
	struct stat st;
	int lock = -1, exists, r;

	memset(&e, 0, sizeof(e));
	/* Nothing stored: nothing to lock, create or decrypt. */
	if (lstat(h->store_path, &st) == -1 && errno == ENOENT)
		return GHCR_OK;
	if ((r = file_io_prepare_dir(h->store_path)) != 0 ||
	    (r = file_io_lock(h->store_path, &lock)) != 0 ||
	    (r = load(h, 0, NULL, &e, &exists)) != 0)
		goto out;
	if (exists && file_entries_remove(&e, server) > 0 &&
	    (r = save(h, &e)) != 0)
		goto out;
	r = GHCR_OK;
out:
	file_entries_clear(&e);
	file_io_unlock(lock);
	return r;
}

#define APP_DIR "docker-credential-ghcr"

int
store_file_default_paths(const char *data_dir, const char *config_dir,
			 const char *job_dir, char *out, size_t size,
			 const char **store_path, const char **key_path)
{
	int n, m = -1;

	/* Inside an Actions job, everything stored lives and dies with it. */
	if (job_dir != NULL)
		data_dir = config_dir = job_dir;
	n = snprintf(out, size, "%s/" APP_DIR "/credentials", data_dir);
	if (n >= 0 && (size_t)n < size)
		m = snprintf(out + n + 1, size - (size_t)n - 1,
		    "%s/" APP_DIR "/key", config_dir);
	if (m < 0 || (size_t)m >= size - (size_t)n - 1)
		return ghcr_fail(GHCR_ERR_CONFIG, "path too long");
	*store_path = out;
	*key_path = out + n + 1;
	return GHCR_OK;
}

/* Reports `path` (a file, or a directory when is_dir) when the store
 * would refuse it: a symlink, someone else's, or open to others. */
static void
describe_private(const struct store_report *report, const char *path,
		 int is_dir)
{
	char text[PATH_MAX + 128], fix[PATH_MAX + 32];
	struct stat st;

	if (path == NULL || path[0] == '\0' || lstat(path, &st) == -1)
		return;
	if (S_ISLNK(st.st_mode)) {
		snprintf(text, sizeof(text), "%s is a symlink; the file store "
		    "refuses it", path);
		report->problem(report->ctx, "store-symlink", "error", text,
		    "replace the link with the file it points to (mv)");
	} else if (st.st_uid != geteuid()) {
		snprintf(text, sizeof(text), "%s belongs to user id %u, not you",
		    path, (unsigned)st.st_uid);
		snprintf(fix, sizeof(fix), "chown %u %s", (unsigned)geteuid(), path);
		report->problem(report->ctx, "store-permissions", "error", text,
		    fix);
	} else if ((st.st_mode & 077) != 0) {
		snprintf(text, sizeof(text), "%s can be %s by others (mode %04o)",
		    path, (st.st_mode & 022) ? "changed" : "read",
		    (unsigned)(st.st_mode & 07777));
		snprintf(fix, sizeof(fix), "chmod %s %s", is_dir ? "700" : "600",
		    path);
		report->problem(report->ctx, "store-permissions", "error", text,
		    fix);
	}
}

/*
 * For `status`: the store's files when in use, and, in use or not (a
 * store left on disk must stay private), whichever of its directory,
 * store, key file and passphrase file the store would refuse.  Only
 * lstat(): no libcrypto, no decryption.
 */
static void
file_describe(const struct store_location *where, int in_use,
	      const struct store_report *report)
{
	const char *store = where->store_path, *slash;
	char dir[PATH_MAX];

	if (in_use) {
		report->fact(report->ctx, "store", store);
		report->fact(report->ctx, "key_file",
		    where->passphrase_path != NULL ? NULL : where->key_path);
		report->fact(report->ctx, "passphrase_file",
		    where->passphrase_path);
	}
	if (store == NULL)
		return;
	slash = strrchr(store, '/');
	snprintf(dir, sizeof(dir), "%.*s",
	    slash == NULL ? 0 : (int)(slash - store), store);
	describe_private(report, dir, 1);
	describe_private(report, store, 0);
	describe_private(report, where->key_path, 0);
	describe_private(report, where->passphrase_path, 0);
}

const struct store_backend store_file_backend = {
	.name = "file",
	.title = "the encrypted file store",
	.open = file_open,
	.get = file_get,
	.put = file_put,
	.note_expiry = file_note_expiry,
	.erase = file_erase,
	.list = file_list,
	.close = file_close,
	.describe = file_describe,
};
