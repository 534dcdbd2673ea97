/*
 * The backend contract (store/store.h) as Check cases written once against
 * struct store_backend: round trip through a second handle, an exact
 * lookup that answers NOT_FOUND, replace, erase (of an entry and of
 * nothing), list without secrets, the identity-token username "<token>",
 * a 100 KiB secret, non-ASCII usernames, many entries, and keys scoped
 * to a namespace beside the host-wide one.  Each backend's
 * own test file runs it with a fixture that gives every test an empty
 * store; what only one backend does (the file format, the D-Bus schema)
 * stays in that backend's file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_contract.h"
#include "errors.h"

/* Tests run forked from the process that built the suite: one backend per
 * program, so statics are enough. */
static const struct store_backend *b;
static const struct contract_fixture *fx;

/* --- helpers ------------------------------------------------------------- */

static void *
open_store(void)
{
	void *h = NULL;
	int r = b->open(fx->where, &h);

	ck_assert_msg(r == GHCR_OK, "%s: open: expected OK, got %d (%s)", b->name,
	    r, ghcr_error_message(r));
	return h;
}

static int
put(void *h, const char *server, const char *user, const char *secret)
{
	struct credential c = {
		.server = (char *)server,
		.username = (char *)user,
		.secret = (char *)secret,
	};

	return b->put(h, &c);
}

static void
put_ok(void *h, const char *server, const char *user, const char *secret)
{
	int r = put(h, server, user, secret);

	ck_assert_msg(r == GHCR_OK, "%s: put %s: expected OK, got %d (%s)",
	    b->name, server, r, ghcr_error_message(r));
}

static void
expect_get(void *h, const char *server, const char *user, const char *secret)
{
	struct credential c = { 0 };
	int r = b->get(h, server, &c);

	ck_assert_msg(r == GHCR_OK, "%s: get %s: expected OK, got %d (%s)",
	    b->name, server, r, ghcr_error_message(r));
	ck_assert_str_eq(c.server, server);
	ck_assert_str_eq(c.username, user);
	/* Never the secret itself in a failure message. */
	ck_assert_msg(strcmp(c.secret, secret) == 0,
	    "%s: get %s: expected a secret of %zu bytes, got a different one of %zu",
	    b->name, server, strlen(secret), strlen(c.secret));
	credential_clear(&c);
}

static int
get_status(void *h, const char *server)
{
	struct credential c = { 0 };
	int r = b->get(h, server, &c);

	credential_clear(&c);
	return r;
}

static void
expect_not_found(void *h, const char *server)
{
	int r = get_status(h, server);

	ck_assert_msg(r == GHCR_ERR_NOT_FOUND,
	    "%s: get %s: expected NOT_FOUND, got %d (%s)", b->name, server, r,
	    ghcr_error_message(r));
}

/* What list() reported: "server=username" lines, in the order given. */
struct listed {
	char **pairs;
	size_t n, cap;
};

static int
collect(const char *server, const char *username, void *ctx)
{
	struct listed *l = ctx;
	size_t len = strlen(server) + strlen(username) + 2;

	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 16 : 2 * l->cap;
		l->pairs = realloc(l->pairs, l->cap * sizeof(*l->pairs));
		ck_assert(l->pairs != NULL);
	}
	l->pairs[l->n] = malloc(len);
	ck_assert(l->pairs[l->n] != NULL);
	snprintf(l->pairs[l->n], len, "%s=%s", server, username);
	l->n++;
	return 0;
}

static void
list_ok(void *h, struct listed *l)
{
	int r;

	memset(l, 0, sizeof(*l));
	r = b->list(h, collect, l);
	ck_assert_msg(r == GHCR_OK, "%s: list: expected OK, got %d (%s)", b->name,
	    r, ghcr_error_message(r));
}

static int
listed_has(const struct listed *l, const char *server, const char *user)
{
	char want[1024];

	snprintf(want, sizeof(want), "%s=%s", server, user);
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->pairs[i], want) == 0)
			return 1;
	return 0;
}

static void
listed_free(struct listed *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->pairs[i]);
	free(l->pairs);
	memset(l, 0, sizeof(*l));
}

static void
expect_listed(const struct listed *l, const char *server, const char *user)
{
	ck_assert_msg(listed_has(l, server, user),
	    "%s: list: expected %s=%s among its %zu entries", b->name, server, user,
	    l->n);
}

/* --- the cases ------------------------------------------------------------ */

START_TEST(test_round_trip_through_a_second_handle)
{
	void *h = open_store();

	put_ok(h, "ghcr.io", "octocat", "ghp_0123456789abcdefABCDEF0123456789ab");
	put_ok(h, "registry.example.com:5000", "alice", "s3cret");
	expect_get(h, "ghcr.io", "octocat", "ghp_0123456789abcdefABCDEF0123456789ab");
	expect_get(h, "registry.example.com:5000", "alice", "s3cret");
	b->close(h);

	/* A second handle (a second helper process) sees the same store. */
	h = open_store();
	expect_get(h, "ghcr.io", "octocat", "ghp_0123456789abcdefABCDEF0123456789ab");
	expect_get(h, "registry.example.com:5000", "alice", "s3cret");
	b->close(h);
}
END_TEST

START_TEST(test_get_of_absent_is_not_found_and_lookup_is_exact)
{
	void *h = open_store();

	expect_not_found(h, "never-stored.example:5000");
	put_ok(h, "ghcr.io", "u", "s");
	expect_not_found(h, "ghcr.i");
	expect_not_found(h, "ghcr.io.evil.com");
	expect_not_found(h, "GHCR.IO");
	ghcr_error_clear();
	expect_not_found(h, "ghcr.io:443");
	/* NOT_FOUND carries no detail: clients match the fixed message. */
	ck_assert_msg(ghcr_error_detail() == NULL,
	    "%s: expected no detail with NOT_FOUND, got \"%s\"", b->name,
	    ghcr_error_detail());
	b->close(h);
}
END_TEST

START_TEST(test_second_put_replaces)
{
	void *h = open_store();
	struct listed l;

	put_ok(h, "replace.example", "alice", "first-token");
	put_ok(h, "replace.example", "alice", "second-token");
	expect_get(h, "replace.example", "alice", "second-token");
	/* Another username for the same registry replaces too. */
	put_ok(h, "replace.example", "bob", "third-token");
	expect_get(h, "replace.example", "bob", "third-token");
	list_ok(h, &l);
	ck_assert_msg(l.n == 1, "%s: expected one entry after replacing, got %zu",
	    b->name, l.n);
	expect_listed(&l, "replace.example", "bob");
	listed_free(&l);
	b->close(h);
}
END_TEST

START_TEST(test_erase_removes_one_and_erase_of_nothing_is_ok)
{
	void *h = open_store();
	struct listed l;
	int r;

	/* On an empty store. */
	r = b->erase(h, "absent.example");
	ck_assert_msg(r == GHCR_OK, "%s: erase of nothing on an empty store: "
	    "expected OK, got %d (%s)", b->name, r, ghcr_error_message(r));
	put_ok(h, "erase.example", "u", "s");
	put_ok(h, "keep.example", "k", "kept");
	/* Beside other entries. */
	r = b->erase(h, "absent.example");
	ck_assert_msg(r == GHCR_OK, "%s: erase of nothing: expected OK, got %d (%s)",
	    b->name, r, ghcr_error_message(r));
	r = b->erase(h, "erase.example");
	ck_assert_msg(r == GHCR_OK, "%s: erase: expected OK, got %d (%s)", b->name,
	    r, ghcr_error_message(r));
	expect_not_found(h, "erase.example");
	expect_get(h, "keep.example", "k", "kept");
	/* Twice is fine. */
	ck_assert_int_eq(b->erase(h, "erase.example"), GHCR_OK);
	b->close(h);

	h = open_store();
	expect_not_found(h, "erase.example");
	list_ok(h, &l);
	ck_assert_msg(l.n == 1, "%s: list after erase: expected 1 entry, got %zu",
	    b->name, l.n);
	expect_listed(&l, "keep.example", "k");
	listed_free(&l);
	b->close(h);
}
END_TEST

START_TEST(test_list_gives_every_pair_and_no_secret)
{
	static const char *const secrets[] = {
		"ghp_listSecretA0123456789", "ghp_listSecretB0123456789",
		"identity-listSecretC",
	};
	void *h = open_store();
	struct listed l;

	list_ok(h, &l);
	ck_assert_msg(l.n == 0, "%s: list of an empty store: expected 0 entries, got %zu",
	    b->name, l.n);
	listed_free(&l);
	put_ok(h, "list-a.example", "ann", secrets[0]);
	put_ok(h, "list-b.example:5000", "ben", secrets[1]);
	put_ok(h, "list-c.example", "<token>", secrets[2]);
	list_ok(h, &l);
	ck_assert_msg(l.n == 3, "%s: list: expected 3 entries, got %zu", b->name, l.n);
	expect_listed(&l, "list-a.example", "ann");
	expect_listed(&l, "list-b.example:5000", "ben");
	expect_listed(&l, "list-c.example", "<token>");
	for (size_t i = 0; i < l.n; i++)
		for (size_t k = 0; k < sizeof(secrets) / sizeof(secrets[0]); k++)
			ck_assert_msg(strstr(l.pairs[i], secrets[k]) == NULL,
			    "%s: list handed out a secret (entry %zu)", b->name, i);
	listed_free(&l);
	b->close(h);
}
END_TEST

START_TEST(test_identity_token_username_is_kept_as_is)
{
	void *h = open_store();
	struct listed l;

	put_ok(h, "identity.example:5000", "<token>", "eyJhbGciOi.identity.token");
	b->close(h);
	h = open_store();
	expect_get(h, "identity.example:5000", "<token>", "eyJhbGciOi.identity.token");
	list_ok(h, &l);
	expect_listed(&l, "identity.example:5000", "<token>");
	listed_free(&l);
	b->close(h);
}
END_TEST

START_TEST(test_hundred_kib_secret_comes_back_whole)
{
	const size_t len = 100 * 1024;
	char *secret = malloc(len + 1);
	void *h = open_store();

	ck_assert(secret != NULL);
	for (size_t i = 0; i < len; i++)
		secret[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."[i % 65];
	secret[len] = '\0';
	put_ok(h, "big.example", "u", secret);
	b->close(h);
	h = open_store();
	expect_get(h, "big.example", "u", secret);
	b->close(h);
	free(secret);
}
END_TEST

START_TEST(test_non_ascii_usernames_round_trip)
{
	static const char *const users[] = {
		"Jürgen-测试-🔑", "zoë-名前-🐳", "Ωμέγα", "\xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd",
	};
	const size_t n = sizeof(users) / sizeof(users[0]);
	void *h = open_store();
	char server[64];
	struct listed l;

	for (size_t i = 0; i < n; i++) {
		snprintf(server, sizeof(server), "unicode-%zu.example", i);
		put_ok(h, server, users[i], "–ünïcødé–🐳 secret");
	}
	b->close(h);
	h = open_store();
	list_ok(h, &l);
	for (size_t i = 0; i < n; i++) {
		snprintf(server, sizeof(server), "unicode-%zu.example", i);
		expect_get(h, server, users[i], "–ünïcødé–🐳 secret");
		expect_listed(&l, server, users[i]);
	}
	listed_free(&l);
	b->close(h);
}
END_TEST

static void
many_names(size_t i, char *server, size_t ssz, char *secret, size_t ksz)
{
	snprintf(server, ssz, "registry-%04zu.example:%zu", i, 1000 + i);
	snprintf(secret, ksz, "ghp_%040zu", i);
}

START_TEST(test_many_entries_round_trip)
{
	const size_t n = fx->many;
	char server[64], secret[64];
	struct listed l;
	void *h;

	ck_assert_msg(n >= 2, "the fixture asks for %zu entries", n);
	if (fx->prefill != NULL) {
		/* All but the last at once; the last through put(). */
		struct credential *c = calloc(n - 1, sizeof(*c));

		ck_assert(c != NULL);
		for (size_t i = 0; i < n - 1; i++) {
			many_names(i, server, sizeof(server), secret, sizeof(secret));
			c[i].server = strdup(server);
			c[i].username = strdup("user");
			c[i].secret = strdup(secret);
			ck_assert(c[i].server && c[i].username && c[i].secret);
		}
		fx->prefill(c, n - 1);
		for (size_t i = 0; i < n - 1; i++) {
			free(c[i].server);
			free(c[i].username);
			free(c[i].secret);
		}
		free(c);
		h = open_store();
	} else {
		h = open_store();
		for (size_t i = 0; i < n - 1; i++) {
			many_names(i, server, sizeof(server), secret, sizeof(secret));
			put_ok(h, server, "user", secret);
		}
	}
	many_names(n - 1, server, sizeof(server), secret, sizeof(secret));
	put_ok(h, server, "user", secret);
	b->close(h);

	/* What a lookup costs is measured by `make bench`, never asserted. */
	h = open_store();
	for (size_t i = 0; i < n; i++) {
		many_names(i, server, sizeof(server), secret, sizeof(secret));
		expect_get(h, server, "user", secret);
	}
	list_ok(h, &l);
	ck_assert_msg(l.n == n, "%s: list: expected %zu entries, got %zu", b->name,
	    n, l.n);
	for (size_t i = 0; i < n; i++) {
		many_names(i, server, sizeof(server), secret, sizeof(secret));
		expect_listed(&l, server, "user");
	}
	listed_free(&l);
	many_names(n / 2, server, sizeof(server), secret, sizeof(secret));
	ck_assert_int_eq(b->erase(h, server), GHCR_OK);
	expect_not_found(h, server);
	many_names(n - 1, server, sizeof(server), secret, sizeof(secret));
	expect_get(h, server, "user", secret);
	list_ok(h, &l);
	ck_assert_msg(l.n == n - 1, "%s: list after one erase: expected %zu, got %zu",
	    b->name, n - 1, l.n);
	listed_free(&l);
	b->close(h);
}
END_TEST

/*
 * Identities scoped to a namespace are stored under "HOST/OWNER" beside the
 * host-wide "HOST" (helper/scope.h): a key like any other to a backend,
 * one credential per key, matched byte for byte, so a scoped login never
 * replaces or answers for the host-wide one, nor one owner for another.
 */
START_TEST(test_scoped_keys_round_trip_beside_the_host)
{
	void *h = open_store();
	struct listed l;

	put_ok(h, "ghcr.io", "me", "ghp_host");
	put_ok(h, "ghcr.io/octo-org", "bot", "ghp_org");
	put_ok(h, "ghcr.io/octo-orgab", "other", "ghp_orgab");
	put_ok(h, "containers.ghes.example.com/octo-org", "ghes", "ghp_ghes");
	expect_get(h, "ghcr.io", "me", "ghp_host");
	expect_get(h, "ghcr.io/octo-org", "bot", "ghp_org");
	expect_get(h, "ghcr.io/octo-orgab", "other", "ghp_orgab");
	expect_get(h, "containers.ghes.example.com/octo-org", "ghes", "ghp_ghes");
	expect_not_found(h, "ghcr.io/octo");
	expect_not_found(h, "ghcr.io/octo-org/app");
	expect_not_found(h, "containers.ghes.example.com");

	/* A second scoped login replaces that owner's only. */
	put_ok(h, "ghcr.io/octo-org", "bot2", "ghp_org2");
	expect_get(h, "ghcr.io/octo-org", "bot2", "ghp_org2");
	expect_get(h, "ghcr.io", "me", "ghp_host");
	/* And a host-wide one replaces no scoped login. */
	put_ok(h, "ghcr.io", "me2", "ghp_host2");
	expect_get(h, "ghcr.io/octo-org", "bot2", "ghp_org2");

	list_ok(h, &l);
	expect_listed(&l, "ghcr.io", "me2");
	expect_listed(&l, "ghcr.io/octo-org", "bot2");
	expect_listed(&l, "ghcr.io/octo-orgab", "other");
	expect_listed(&l, "containers.ghes.example.com/octo-org", "ghes");
	ck_assert_msg(l.n == 4, "%s: list: expected 4 entries, got %zu", b->name, l.n);
	listed_free(&l);

	/* Erasing the scoped login leaves the host's, and the other way. */
	ck_assert_int_eq(b->erase(h, "ghcr.io/octo-org"), GHCR_OK);
	expect_not_found(h, "ghcr.io/octo-org");
	expect_get(h, "ghcr.io", "me2", "ghp_host2");
	expect_get(h, "ghcr.io/octo-orgab", "other", "ghp_orgab");
	ck_assert_int_eq(b->erase(h, "ghcr.io"), GHCR_OK);
	expect_not_found(h, "ghcr.io");
	expect_get(h, "ghcr.io/octo-orgab", "other", "ghp_orgab");
	b->close(h);

	/* What was left is there for the next process too. */
	h = open_store();
	expect_get(h, "ghcr.io/octo-orgab", "other", "ghp_orgab");
	expect_get(h, "containers.ghes.example.com/octo-org", "ghes", "ghp_ghes");
	b->close(h);
}
END_TEST

/* Stands in for every case when the backend under test is not built in. */
START_TEST(test_backend_is_built)
{
	ck_abort_msg("the %s backend is not built in", fx->name);
}
END_TEST

Suite *
suite_backend_contract(const struct store_backend *backend,
    const struct contract_fixture *fixture)
{
	static char name[64];
	struct {
		const char *name;
		const TTest *test;
	} cases[] = {
#define T(fn) { #fn, fn }
		T(test_round_trip_through_a_second_handle),
		T(test_get_of_absent_is_not_found_and_lookup_is_exact),
		T(test_second_put_replaces),
		T(test_erase_removes_one_and_erase_of_nothing_is_ok),
		T(test_list_gives_every_pair_and_no_secret),
		T(test_identity_token_username_is_kept_as_is),
		T(test_hundred_kib_secret_comes_back_whole),
		T(test_non_ascii_usernames_round_trip),
		T(test_many_entries_round_trip),
		T(test_scoped_keys_round_trip_beside_the_host),
#undef T
	};
	Suite *s;

	b = backend;
	fx = fixture;
	snprintf(name, sizeof(name), "contract_%s", fixture->name);
	s = suite_create(name);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TCase *tc = tcase_create(cases[i].name + 5);

		tcase_add_checked_fixture(tc, fixture->setup, fixture->teardown);
		tcase_set_timeout(tc, fixture->timeout > 0 ? fixture->timeout : 60);
		tcase_add_test(tc, backend != NULL ? cases[i].test : test_backend_is_built);
		suite_add_tcase(s, tc);
	}
	return s;
}
