/*
 * The backend contract (tests/contract/backend_contract.c) run against the
 * file backend: each test gets a fresh temporary directory with the store
 * and its key file in nested directories that do not exist yet.  The
 * many-entries case writes all but one entry with the file format itself
 * (a thousand puts would be a thousand fsyncs), then works through the
 * backend.
 */
#include <errno.h>
#include <fcntl.h>

#include "backend_contract.h"
#include "errors.h"
#include "file_format.h"
#include "testutil.h"

#define PATHSZ (PATH_MAX + 128)
static char store_path[PATHSZ], key_path[PATHSZ];
static struct store_location where = {
	.store_path = store_path,
	.key_path = key_path,
};

static void
setup(void)
{
	test_tmpdir_setup();
	snprintf(store_path, sizeof(store_path), "%s/data/ghcr/store.enc", test_tmpdir);
	snprintf(key_path, sizeof(key_path), "%s/config/ghcr/key", test_tmpdir);
	ghcr_error_clear();
}

static void
teardown(void)
{
	test_tmpdir_teardown();
}

/* The first entry through the backend (which makes the key), then all of
 * them written as one store file with that key. */
static void
prefill(const struct credential *c, size_t n)
{
	const struct store_backend *fb = store_backend_find("file");
	struct file_key_source src = { 0 };
	struct file_entries e = { 0 };
	struct file_key *key;
	unsigned char *buf, *keybytes;
	size_t len, klen;
	void *h = NULL;
	int fd;

	ck_assert_int_eq(fb->open(&where, &h), GHCR_OK);
	ck_assert_int_eq(fb->put(h, &c[0]), GHCR_OK);
	fb->close(h);
	keybytes = slurp(key_path, &klen);
	src.key = keybytes;
	key = file_key_new();
	ck_assert(key != NULL);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(file_entries_set(&e, c[i].server, c[i].username,
		    c[i].secret, 0), GHCR_OK);
	ck_assert_int_eq(file_format_encode(&e, &src, key, &buf, &len), GHCR_OK);
	fd = open(store_path, O_WRONLY | O_TRUNC);
	ck_assert_msg(fd != -1, "cannot write %s: %s", store_path, strerror(errno));
	ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
	close(fd);
	free(buf);
	file_entries_clear(&e);
	file_key_free(key);
	free(keybytes);
}

static const struct contract_fixture file_fixture = {
	.name = "file",
	.setup = setup,
	.teardown = teardown,
	.where = &where,
	.many = 1000,
	.prefill = prefill,
	.timeout = 60,
};

Suite *suite_file_store_contract(void);

Suite *
suite_file_store_contract(void)
{
	return suite_backend_contract(store_backend_find("file"), &file_fixture);
}
