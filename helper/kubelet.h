/*
 * The kubelet image credential provider protocol: the kubelet runs
 * `docker-credential-ghcr kubelet` with a CredentialProviderRequest on
 * stdin and reads a CredentialProviderResponse from stdout (the kubelet's
 * client is pkg/credentialprovider/plugin/plugin.go in kubernetes/kubernetes,
 * the types k8s.io/kubelet/pkg/apis/credentialprovider/v1/types.go).  As in
 * protocol.h, parsing and formatting work on buffers, so they can be
 * unit-tested; kubelet_answer() does one request from input to output.
 */
#ifndef GHCR_KUBELET_H
#define GHCR_KUBELET_H

#include <stddef.h>
#include <time.h>

#include "resolver.h"
#include "scope.h"

/* An image reference is at most a few hundred bytes (a name of 255, a tag
 * of 128, a digest); anything near this is not one. */
#define KUBELET_IMAGE_MAX 4096

/* The longest cacheDuration offered for a credential with a recorded
 * expiry: half its remaining lifetime, but no more than this, so a token
 * rotated on the node is picked up by the kubelet within the hour. */
#define KUBELET_CACHE_MAX_S 3600

/* What a request asks. */
struct kubelet_request {
	const char *api_version;      /* static text: the request's own */
	char image[KUBELET_IMAGE_MAX];
};

/*
 * Parses a CredentialProviderRequest from buf[0..len) into *req.  The
 * kind must be CredentialProviderRequest and the apiVersion
 * credentialprovider.kubelet.k8s.io/v1, /v1beta1 or /v1alpha1; image a
 * non-empty string of printable ASCII; serviceAccountToken (a string,
 * never copied out of the wiped input and parse tree) and
 * serviceAccountAnnotations (an object of strings) are optional; other
 * members are ignored (see the README: a newer kubelet's additions must
 * not fail every pull).  Returns GHCR_OK, or GHCR_ERR_BAD_INPUT with a
 * one-line detail naming the problem and holding no secret.
 */
int kubelet_parse_request(const char *buf, size_t len,
			  struct kubelet_request *req);

/* One credential offered under a match key. */
struct kubelet_auth {
	char key[SERVER_MAX + 1];     /* "ghcr.io/org/" or "ghcr.io" */
	const char *username;
	const char *secret;
};

/*
 * Writes a Go duration string ("0s", "45s", "25m0s", "1h0m0s") for
 * `seconds` (>= 0) into buf[32].
 */
void kubelet_format_duration(long long seconds, char buf[32]);

/*
 * The cacheDuration for an answer of `n` credentials whose earliest
 * recorded expiry is `earliest` (0 when none has one), at time `now`:
 * 0 when n is 0 (the kubelet then caches nothing, so a login made later
 * serves the very next pull), -1 (leave it out: the configuration's
 * defaultCacheDuration applies) when no credential has an expiry, else
 * half the time left, at most KUBELET_CACHE_MAX_S.
 */
long long kubelet_cache_seconds(int n, time_t earliest, time_t now);

/*
 * Serialises a CredentialProviderResponse with exactly the members kind,
 * apiVersion, cacheKeyType ("Image"), cacheDuration (left out when
 * cache_seconds < 0) and auth (the n credentials; {} when none), one line
 * with a trailing newline, into a secmem buffer (*out, length *outlen).
 * GHCR_OK or GHCR_ERR_NO_MEMORY.
 */
int kubelet_format_response(const char *api_version,
			    const struct kubelet_auth *auth, int n,
			    long long cache_seconds, char **out, size_t *outlen);

/* What kubelet_answer() passed over, for main's one stderr line. */
struct kubelet_outcome {
	int offered;                  /* credentials in the answer */
	char expired_key[SERVER_MAX]; /* a stored login skipped as expired */
	time_t expired_on;            /* ... and when it expired; else 0 */
};

/*
 * Answers one request: parses buf[0..len), looks up the identities for
 * the image (only for a GitHub registry host: the scoped one of the
 * image's owner, then the host-wide one; from the store, and from the
 * ambient token only inside GitHub Actions; never one whose recorded
 * expiry has passed) and formats the response into *out (secmem; free
 * with secmem_free).  Returns GHCR_OK, the parser's error, or the store's.
 */
int kubelet_answer(struct resolver *res, const char *buf, size_t len,
		   char **out, size_t *outlen, struct kubelet_outcome *outcome);

#endif
