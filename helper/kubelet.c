/*
 * The kubelet credential provider (see kubelet.h).  The rules followed
 * here are the kubelet's own, read from kubernetes/kubernetes:
 *
 *  - plugin.go decodes the response strictly (serializer.EnableStrict):
 *    an unknown or duplicate member anywhere drops the whole answer, so
 *    the response has exactly the members of CredentialProviderResponse
 *    we use, and auth entries exactly username and password;
 *  - plugin.go compares the response's apiVersion with the configured
 *    one and its kind with "CredentialProviderResponse", and refuses a
 *    cacheKeyType other than Image, Registry or Global;
 *  - plugin.go caches nothing for a cacheDuration of "0s", and uses the
 *    configuration's defaultCacheDuration when it is left out;
 *  - keyring.go's Add() keys a credential by the URL host plus path (a
 *    trailing '/' kept; a leading /v1/ or /v2/ dropped), and Lookup()
 *    matches a key when the host labels match, the port is equal and the
 *    key's path is a string prefix of the image's path, trying the keys
 *    in reverse sorted order.  So an owner's identity is keyed
 *    "HOST/OWNER/": a prefix of "HOST/OWNER/app", never of
 *    "HOST/OWNERab/app", and sorted before the host-wide "HOST".
 *
 * cacheKeyType is Image: the kubelet then caches per image (types.go:
 * the image as sent, without tag or digest), so two owners' images never
 * share an entry, as Registry would make them.
 */
#include "kubelet.h"
#include "errors.h"
#include "github.h"
#include "secmem.h"
#include "sources.h"
#include "utc.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const char *const api_versions[] = {
	"credentialprovider.kubelet.k8s.io/v1",
	"credentialprovider.kubelet.k8s.io/v1beta1",
	"credentialprovider.kubelet.k8s.io/v1alpha1",
};

/* The string member `key` of `obj`: NULL when absent; an error when it
 * is there but not a string (JSON null included: the kubelet never sends
 * one, and a string field is never null in its types). */
static int
string_member(json_t *obj, const char *key, const char **out)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL)
		return GHCR_OK;
	if (!json_is_string(v))
		return ghcr_fail(GHCR_ERR_BAD_INPUT, "invalid request: %s must "
		    "be a string", key);
	*out = json_string_value(v);
	if (strlen(*out) != json_string_length(v))
		return ghcr_fail(GHCR_ERR_BAD_INPUT, "invalid request: %s "
		    "contains a NUL character", key);
	return GHCR_OK;
}

static int
check_annotations(json_t *root)
{
	json_t *a = json_object_get(root, "serviceAccountAnnotations"), *v;
	const char *k;

	if (a == NULL || json_is_null(a))
		return GHCR_OK;
	if (!json_is_object(a))
		return ghcr_fail(GHCR_ERR_BAD_INPUT, "invalid request: "
		    "serviceAccountAnnotations must be an object");
	json_object_foreach(a, k, v)
		if (!json_is_string(v))
			return ghcr_fail(GHCR_ERR_BAD_INPUT, "invalid request: "
			    "serviceAccountAnnotations values must be strings");
	return GHCR_OK;
}

static int
check_image(const char *image, struct kubelet_request *req)
{
	size_t n;

	if (image == NULL || image[0] == '\0')
		return ghcr_fail(GHCR_ERR_BAD_INPUT, "invalid request: no image");
	if ((n = strlen(image)) >= sizeof(req->image))
		return ghcr_fail(GHCR_ERR_BAD_INPUT, "invalid request: image "
		    "longer than %zu bytes", sizeof(req->image) - 1);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)image[i] < 0x21 || (unsigned char)image[i] > 0x7e)
			return ghcr_fail(GHCR_ERR_BAD_INPUT, "invalid request: "
			    "image is not an image reference (white space, control "
			    "or non-ASCII character)");
	memcpy(req->image, image, n + 1);
	return GHCR_OK;
}

/* What is wrong with input jansson refused, in words that quote none
 * of it. */
static const char *
json_problem(const json_error_t *jerr)
{
	switch (json_error_code(jerr)) {
	case json_error_invalid_utf8:
		return "not valid UTF-8";
	case json_error_duplicate_key:
		return "a member given twice";
	case json_error_null_character:
	case json_error_null_byte_in_key:
		return "a NUL character";
	default:
		return "not valid JSON";
	}
}

int
kubelet_parse_request(const char *buf, size_t len, struct kubelet_request *req)
{
	const char *kind, *version, *image, *token;
	json_error_t jerr;
	json_t *root = NULL;
	size_t i;
	int r;

	memset(req, 0, sizeof(*req));
	if (buf == NULL || len == 0)
		return ghcr_fail(GHCR_ERR_BAD_INPUT, "invalid request: empty, "
		    "expected a CredentialProviderRequest (JSON) on standard input");
	if (memchr(buf, '\0', len) != NULL)
		return ghcr_fail(GHCR_ERR_BAD_INPUT, "invalid request: NUL byte");
	/* Positions only: jansson's text may quote the input, and the
	 * input may hold a service account token. */
	if ((root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr)) == NULL)
		return ghcr_fail(GHCR_ERR_BAD_INPUT, "invalid request: %s (line "
		    "%d, column %d)", json_problem(&jerr), jerr.line, jerr.column);
	if (!json_is_object(root)) {
		r = ghcr_fail(GHCR_ERR_BAD_INPUT, "invalid request: expected a "
		    "JSON object (a CredentialProviderRequest)");
		goto out;
	}
	if ((r = string_member(root, "kind", &kind)) != GHCR_OK ||
	    (r = string_member(root, "apiVersion", &version)) != GHCR_OK ||
	    (r = string_member(root, "image", &image)) != GHCR_OK ||
	    (r = string_member(root, "serviceAccountToken", &token)) != GHCR_OK ||
	    (r = check_annotations(root)) != GHCR_OK)
		goto out;
	if (kind == NULL || strcmp(kind, "CredentialProviderRequest") != 0) {
		r = ghcr_fail(GHCR_ERR_BAD_INPUT, "invalid request: kind is "
		    "'%.64s', expected CredentialProviderRequest",
		    kind != NULL ? kind : "");
		goto out;
	}
	for (i = 0; version != NULL && i < sizeof(api_versions) / sizeof(api_versions[0]); i++)
		if (strcmp(version, api_versions[i]) == 0)
			req->api_version = api_versions[i];
	if (req->api_version == NULL) {
		r = ghcr_fail(GHCR_ERR_BAD_INPUT, "invalid request: unknown "
		    "apiVersion '%.64s', expected credentialprovider.kubelet.k8s.io/"
		    "v1, v1beta1 or v1alpha1", version != NULL ? version : "");
		goto out;
	}
	r = check_image(image, req);
out:
	/* jansson allocates through secmem: the token is wiped with it. */
	json_decref(root);
	if (r != GHCR_OK)
		req->api_version = NULL;
	return r;
}

void
kubelet_format_duration(long long seconds, char buf[32])
{
	long long h = seconds / 3600, m = seconds % 3600 / 60, s = seconds % 60;

	/* Go's time.Duration.String(), which ParseDuration reads back. */
	if (h > 0)
		snprintf(buf, 32, "%lldh%lldm%llds", h, m, s);
	else if (m > 0)
		snprintf(buf, 32, "%lldm%llds", m, s);
	else
		snprintf(buf, 32, "%llds", s < 0 ? 0 : s);
}

long long
kubelet_cache_seconds(int n, time_t earliest, time_t now)
{
	long long half;

	if (n == 0)
		return 0;
	if (earliest == 0)
		return -1;
	half = earliest > now ? (long long)(earliest - now) / 2 : 0;
	return half < KUBELET_CACHE_MAX_S ? half : KUBELET_CACHE_MAX_S;
}

/* A JSON string literal, quotes included, in secmem memory. */
static char *
json_literal(const char *value)
{
	json_t *v = json_string(value);
	char *text = v != NULL ? json_dumps(v, JSON_ENCODE_ANY) : NULL;

	json_decref(v);
	return text;
}

int
kubelet_format_response(const char *api_version, const struct kubelet_auth *auth,
			int n, long long cache_seconds, char **out, size_t *outlen)
{
	static const char entry[] = ":{\"username\":,\"password\":}";
	char head[256], duration[32], *lit[2][3];
	size_t size, used;
	int r = GHCR_ERR_NO_MEMORY;

	*out = NULL;
	*outlen = 0;
	memset(lit, 0, sizeof(lit));
	if (n < 0 || n > 2)
		return ghcr_fail(GHCR_ERR_SYSTEM, "kubelet: %d credentials", n);
	kubelet_format_duration(cache_seconds, duration);
	size = (size_t)snprintf(head, sizeof(head), "{\"kind\":"
	    "\"CredentialProviderResponse\",\"apiVersion\":\"%s\","
	    "\"cacheKeyType\":\"Image\",%s%s%s\"auth\":{", api_version,
	    cache_seconds >= 0 ? "\"cacheDuration\":\"" : "",
	    cache_seconds >= 0 ? duration : "", cache_seconds >= 0 ? "\"," : "");
	/* Built as text, not a JSON object: an object would make jansson
	 * seed its hash table from /dev/urandom on every call. */
	for (int i = 0; i < n; i++) {
		const char *text[3] = { auth[i].key, auth[i].username, auth[i].secret };

		for (int k = 0; k < 3; k++) {
			if ((lit[i][k] = json_literal(text[k])) == NULL)
				goto out;
			size += strlen(lit[i][k]);
		}
		size += sizeof(entry) - 1 + (i > 0);
	}
	size += sizeof("}}\n");
	if ((*out = secmem_alloc(size)) == NULL)
		goto out;
	used = (size_t)snprintf(*out, size, "%s", head);
	for (int i = 0; i < n; i++)
		used += (size_t)snprintf(*out + used, size - used,
		    "%s%s:{\"username\":%s,\"password\":%s}", i > 0 ? "," : "",
		    lit[i][0], lit[i][1], lit[i][2]);
	used += (size_t)snprintf(*out + used, size - used, "}}\n");
	*outlen = used;
	r = GHCR_OK;
out:
	for (int i = 0; i < 2; i++)
		for (int k = 0; k < 3; k++)
			secmem_free(lit[i][k]);
	return r;
}

/*
 * Asks the sources for `key` as a node's provider may: the store, and the
 * ambient token only inside GitHub Actions, never a person's GitHub CLI
 * login.  *cred is left empty when nothing (unexpired) answers; an
 * expired login passed over is noted in *outcome.
 */
static int
lookup(struct resolver *res, const char *key, struct credential *cred,
       struct kubelet_outcome *outcome)
{
	unsigned how = SOURCES_SKIP_PERSONAL |
	    (res->settings->in_actions ? 0 : SOURCES_SKIP_AMBIENT);
	struct source_hit hit;
	int r;

	r = sources_get(res, key, how, cred, &hit);
	if (hit.stored_expired != 0 && outcome->expired_on == 0) {
		snprintf(outcome->expired_key, sizeof(outcome->expired_key), "%s", key);
		outcome->expired_on = hit.stored_expired;
	}
	if (r == GHCR_ERR_NOT_FOUND) {
		ghcr_error_clear();
		return GHCR_OK;
	}
	return r;
}

int
kubelet_answer(struct resolver *res, const char *buf, size_t len,
	       char **out, size_t *outlen, struct kubelet_outcome *outcome)
{
	struct kubelet_request req;
	struct scope_image img;
	struct credential cred[2];
	struct kubelet_auth auth[2];
	char github[SERVER_MAX], key[SERVER_MAX];
	time_t earliest = 0;
	int n = 0, r;

	memset(cred, 0, sizeof(cred));
	memset(outcome, 0, sizeof(*outcome));
	*out = NULL;
	*outlen = 0;
	if ((r = kubelet_parse_request(buf, len, &req)) != GHCR_OK)
		return r;
	/* The gate: nothing for an image whose host is not, exactly, a
	 * GitHub registry (a GHES login is keyed by its own host, so it
	 * never reaches ghcr.io). */
	if (scope_parse_image(req.image, &img) &&
	    github_server_for_registry(res->settings, img.host, github)) {
		if (img.owner[0] != '\0' &&
		    ((r = scope_key(img.host, img.owner, key)) != GHCR_OK ||
		    (r = lookup(res, key, &cred[0], outcome)) != GHCR_OK))
			goto out;
		if ((r = lookup(res, img.host, &cred[1], outcome)) != GHCR_OK)
			goto out;
	}
	for (int i = 0; i < 2; i++) {
		if (cred[i].secret == NULL)
			continue;
		/* "HOST/OWNER/" for the owner's identity, "HOST" for the
		 * host's (see the top of this file). */
		snprintf(auth[n].key, sizeof(auth[n].key), "%s%s", i == 0 ? key :
		    img.host, i == 0 ? "/" : "");
		auth[n].username = cred[i].username;
		auth[n].secret = cred[i].secret;
		if (cred[i].expires != 0 && (earliest == 0 || cred[i].expires < earliest))
			earliest = cred[i].expires;
		n++;
	}
	outcome->offered = n;
	/* An answer that passed over an expired login is cached by nobody
	 * ("0s"): the login that replaces it then serves the very next pull,
	 * not the next one after defaultCacheDuration. */
	r = kubelet_format_response(req.api_version, auth, n,
	    outcome->expired_on != 0 ? 0 : kubelet_cache_seconds(n, earliest,
	    n > 0 && earliest != 0 ? utc_now() : 0), out, outlen);
out:
	credential_clear(&cred[0]);
	credential_clear(&cred[1]);
	return r;
}
