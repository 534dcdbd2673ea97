/*
 * Identities scoped to a namespace: a login for the images under one
 * GitHub owner (user or organisation) on one registry, stored under the
 * key "HOST/OWNER" beside the host-wide "HOST".  This is where those keys
 * are made and read, where `login HOST/OWNER` is parsed, and where an
 * image reference (as the kubelet or `check` names it) is split into its
 * registry host and owner.  The owner is always lower case: GitHub owners
 * are case-insensitive and image paths are lower case, so "ghcr.io/Org"
 * and "ghcr.io/org" are one identity.
 */
#ifndef GHCR_SCOPE_H
#define GHCR_SCOPE_H

#include <stddef.h>

#include "server.h"
#include "settings.h"

/* A GitHub owner name: at most 39 characters, plus the terminator. */
#define SCOPE_OWNER_MAX 40

/*
 * 1 when s[0..n) is a GitHub owner name as it appears in an image path:
 * lower-case letters, digits and '-', 1 to 39 characters, not starting
 * or ending with '-'.  "v1" and "v2" are refused too: a kubelet reads a
 * match key "HOST/v2/" as the API path of HOST itself (keyring.go strips
 * a leading /v1/ or /v2/), so an identity for them would catch every
 * image of the registry.
 */
int scope_owner_valid(const char *s, size_t n);

/*
 * The stored key of `owner`'s identity on `host` ("ghcr.io/octo-org")
 * into key[SERVER_MAX].  GHCR_OK, or GHCR_ERR_BAD_SERVER when it does not
 * fit.
 */
int scope_key(const char *host, const char *owner, char key[SERVER_MAX]);

/*
 * For a stored key: 1 when it is scoped ("HOST/OWNER"), with the host
 * copied to host[SERVER_MAX] and *owner pointing into `key`; 0 for a
 * host-wide key.
 */
int scope_split_key(const char *key, char host[SERVER_MAX], const char **owner);

/*
 * Parses the SERVER argument of login and logout: a registry address as
 * server_normalise() takes it ("ghcr.io", "https://ghcr.io/v2/") gives
 * the host-wide key; "HOST/OWNER" (a trailing '/' allowed, any case) gives
 * the scoped key "host/owner", for a GitHub registry host only.  Writes
 * the key to key[SERVER_MAX] and sets *scoped.  GHCR_OK, or an error with
 * one line saying what is wrong (an image path, a bad owner name, a
 * namespace on another registry).
 */
int scope_parse_login(const struct settings *s, const char *arg,
		      char key[SERVER_MAX], int *scoped);

/* What scope_parse_image() makes of an image reference. */
struct scope_image {
	char host[SERVER_MAX];         /* registry host[:port], normal form */
	char owner[SCOPE_OWNER_MAX];   /* first path component when it is a
					* valid owner with more path after
					* it; "" otherwise */
};

/*
 * Splits `image` ("ghcr.io/octo-org/app", with or without a tag or
 * digest) into *out.  Returns 1 when its host is a registry host written
 * in normal form (lower case, no scheme, user info or other disguise:
 * server_normalise() would give it back unchanged) and a path follows;
 * 0 otherwise (a Docker Hub short name, a look-alike, "GHCR.IO/x"): such
 * an image matches no identity.  The caller has refused control
 * characters, white space and non-ASCII bytes already.
 */
int scope_parse_image(const char *image, struct scope_image *out);

#endif
