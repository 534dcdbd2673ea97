/*
 * The contract every storage backend keeps, as one Check suite run against
 * each backend that is built (the way git's t/lib-credential.sh runs one
 * helper_test over every credential helper): the file backend in the unit
 * runner (tests/unit/test_file_store_contract.c), the Secret Service in
 * its own program under a private gnome-keyring
 * (tests/secretservice/test_secretservice.c).
 */
#ifndef GHCR_BACKEND_CONTRACT_H
#define GHCR_BACKEND_CONTRACT_H

#include <check.h>
#include <stddef.h>

#include "store.h"

/* How a backend's tests get a store to work on. */
struct contract_fixture {
	/* The suite is called "contract_<name>". */
	const char *name;
	/* Checked fixture: an empty store before each test, and after it. */
	void (*setup)(void);
	void (*teardown)(void);
	/* What open() is given; setup may fill it in.  NULL is passed on. */
	const struct store_location *where;
	/* Entries in the many-entries case (a slow backend takes fewer). */
	size_t many;
	/* Optional: puts n entries faster than n calls of put() would (the
	 * backend's own format written directly); the case still puts, gets,
	 * lists and erases through the backend. */
	void (*prefill)(const struct credential *entries, size_t n);
	/* Seconds a test may take before Check calls it hung. */
	int timeout;
};

Suite *suite_backend_contract(const struct store_backend *backend,
    const struct contract_fixture *fixture);

#endif
