/*
 * Fuzz target: the kubelet provider's request parser, image splitter and
 * response writer, and login's HOST/OWNER parser.  The input is the
 * request as the kubelet would send it on stdin; it is also tried as an
 * image reference and as a login argument.
 * Invariants checked (abort() on violation, so libFuzzer reports a crash):
 *  - a refused request says BAD_INPUT with a one-line detail and leaves no
 *    apiVersion; an accepted one has one of the three apiVersions and an
 *    image of printable ASCII;
 *  - an image that matches has a host that normalises to itself, and an
 *    owner GitHub could have (or none);
 *  - a scoped login key is "host/owner", the owner lower case and valid;
 *  - a response for the parsed request, with the image as every string,
 *    is one line of JSON with exactly the kubelet's members, the asked
 *    apiVersion, and the strings back unchanged.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "kubelet.h"
#include "scope.h"
#include "secmem.h"
#include "server.h"
#include "settings.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what, const char *detail)
{
	fprintf(stderr, "invariant violated: %s\n  [%s]\n", what,
	    detail != NULL ? detail : "(null)");
	abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	json_set_alloc_funcs(secmem_alloc, secmem_free);
	return 0;
}

static void
check_image(const char *image)
{
	struct scope_image img;
	char again[SERVER_MAX];

	if (!scope_parse_image(image, &img))
		return;
	if (server_normalise(img.host, again) != GHCR_OK || strcmp(again, img.host) != 0)
		fail("a matched image's host is not in normal form", image);
	if (img.owner[0] != '\0' && !scope_owner_valid(img.owner, strlen(img.owner)))
		fail("a matched image's owner is not a valid owner", image);
	ghcr_error_clear();
}

static void
check_login(const char *arg)
{
	struct settings s;
	char key[SERVER_MAX], host[SERVER_MAX];
	const char *owner;
	int scoped = 0;

	memset(&s, 0, sizeof(s));
	snprintf(s.github_host, sizeof(s.github_host), "github.example.com");
	if (scope_parse_login(&s, arg, key, &scoped) != GHCR_OK) {
		ghcr_error_clear();
		return;
	}
	if (scoped != (strchr(key, '/') != NULL))
		fail("scoped login key and flag disagree", key);
	if (scoped && (!scope_split_key(key, host, &owner) ||
	    !scope_owner_valid(owner, strlen(owner))))
		fail("scoped login key has a bad owner", key);
}

static void
check_response(const struct kubelet_request *req)
{
	struct kubelet_auth auth[2];
	json_error_t jerr;
	json_t *doc, *a, *v;
	const char *k;
	char *out;
	size_t len;

	for (int i = 0; i < 2; i++) {
		snprintf(auth[i].key, sizeof(auth[i].key), "%s%s", i == 0 ? "k/" : "",
		    req->image);
		auth[i].username = req->image;
		auth[i].secret = req->image;
	}
	if (kubelet_format_response(req->api_version, auth, 2, 45000, &out, &len) != GHCR_OK)
		fail("formatting a response failed", req->image);
	if (len == 0 || out[len - 1] != '\n' || memchr(out, '\n', len - 1) != NULL)
		fail("the response is not one line", out);
	if ((doc = json_loadb(out, len, JSON_REJECT_DUPLICATES, &jerr)) == NULL)
		fail("the response is not JSON", out);
	json_object_foreach(doc, k, v)
		if (strcmp(k, "kind") != 0 && strcmp(k, "apiVersion") != 0 &&
		    strcmp(k, "cacheKeyType") != 0 && strcmp(k, "cacheDuration") != 0 &&
		    strcmp(k, "auth") != 0)
			fail("the response has a member the kubelet does not know", k);
	if (strcmp(json_string_value(json_object_get(doc, "apiVersion")), req->api_version) != 0)
		fail("the response's apiVersion is not the request's", out);
	a = json_object_get(doc, "auth");
	if (json_object_size(a) != 2)
		fail("the response lost an auth entry", out);
	json_object_foreach(a, k, v)
		if (json_object_size(v) != 2 ||
		    strcmp(json_string_value(json_object_get(v, "password")), req->image) != 0)
			fail("an auth entry changed on the way", out);
	json_decref(doc);
	secmem_free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kubelet_request req;
	char *text;
	int r;

	r = kubelet_parse_request((const char *)data, size, &req);
	if (r != GHCR_OK) {
		if (r != GHCR_ERR_BAD_INPUT || ghcr_error_detail() == NULL ||
		    strchr(ghcr_error_detail(), '\n') != NULL || req.api_version != NULL)
			fail("a refused request is not one BAD_INPUT line", ghcr_error_detail());
	} else {
		if (strncmp(req.api_version, "credentialprovider.kubelet.k8s.io/v", 35) != 0)
			fail("an accepted request has an unknown apiVersion", req.api_version);
		for (const char *p = req.image; *p != '\0'; p++)
			if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
				fail("an accepted image holds a byte that is not printable ASCII", req.image);
		check_image(req.image);
		check_response(&req);
	}
	ghcr_error_clear();

	/* The raw input as an image and as a login argument. */
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (strlen(text) == size) {
		check_image(text);
		check_login(text);
	}
	free(text);
	return 0;
}
