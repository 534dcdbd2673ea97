/*
 * The kubelet provider and namespace-scoped identities: the request
 * parser, the response writer (exactly the members the kubelet's strict
 * decoder knows), the Go durations, the cache duration, the key choice
 * for images and look-alikes, login's HOST/OWNER, and one answer end to
 * end over a real file store.
 */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "kubelet.h"
#include "resolver.h"
#include "scope.h"
#include "secmem.h"
#include "settings.h"
#include "testutil.h"

#define V1 "credentialprovider.kubelet.k8s.io/v1"

static int
parse(const char *text, struct kubelet_request *req)
{
	return kubelet_parse_request(text, strlen(text), req);
}

START_TEST(test_request_of_each_api_version_is_answered_in_kind)
{
	static const char *const versions[] = { V1, V1 "beta1", V1 "alpha1" };
	struct kubelet_request req;
	char text[256];

	for (size_t i = 0; i < 3; i++) {
		snprintf(text, sizeof(text), "{\"kind\":\"CredentialProviderRequest\","
		    "\"apiVersion\":\"%s\",\"image\":\"ghcr.io/o/app\"}", versions[i]);
		ck_assert_int_eq(parse(text, &req), GHCR_OK);
		ck_assert_str_eq(req.api_version, versions[i]);
		ck_assert_str_eq(req.image, "ghcr.io/o/app");
	}
}
END_TEST

START_TEST(test_service_account_fields_and_unknown_members_are_accepted)
{
	struct kubelet_request req;

	ck_assert_int_eq(parse("{\"kind\":\"CredentialProviderRequest\",\"apiVersion\":"
	    "\"" V1 "\",\"image\":\"ghcr.io/o/app\",\"serviceAccountToken\":\"eyJ.x.y\","
	    "\"serviceAccountAnnotations\":{\"a\":\"b\"},\"newerField\":[1]}", &req),
	    GHCR_OK);
	ck_assert_str_eq(req.image, "ghcr.io/o/app");
}
END_TEST

static const struct {
	const char *input;
	const char *says;        /* in the detail */
} bad_requests[] = {
	{ "", "empty" },
	{ "not json", "not valid JSON" },
	{ "[]", "expected a JSON object" },
	{ "{\"kind\":\"CredentialProviderResponse\",\"apiVersion\":\"" V1 "\",\"image\":\"ghcr.io/o/a\"}", "kind" },
	{ "{\"apiVersion\":\"" V1 "\",\"image\":\"ghcr.io/o/a\"}", "kind" },
	{ "{\"kind\":\"CredentialProviderRequest\",\"apiVersion\":\"credentialprovider.kubelet.k8s.io/v2\",\"image\":\"ghcr.io/o/a\"}", "apiVersion" },
	{ "{\"kind\":\"CredentialProviderRequest\",\"image\":\"ghcr.io/o/a\"}", "apiVersion" },
	{ "{\"kind\":\"CredentialProviderRequest\",\"apiVersion\":\"" V1 "\"}", "no image" },
	{ "{\"kind\":\"CredentialProviderRequest\",\"apiVersion\":\"" V1 "\",\"image\":\"\"}", "no image" },
	{ "{\"kind\":\"CredentialProviderRequest\",\"apiVersion\":\"" V1 "\",\"image\":7}", "image must be a string" },
	{ "{\"kind\":\"CredentialProviderRequest\",\"apiVersion\":\"" V1 "\",\"image\":null}", "image must be a string" },
	{ "{\"kind\":\"CredentialProviderRequest\",\"apiVersion\":\"" V1 "\",\"image\":\"ghcr.io/o a\"}", "not an image reference" },
	{ "{\"kind\":\"CredentialProviderRequest\",\"apiVersion\":\"" V1 "\",\"image\":\"ghcr.io/\\u00e9\"}", "not an image reference" },
	{ "{\"kind\":\"CredentialProviderRequest\",\"apiVersion\":\"" V1 "\",\"image\":\"ghcr.io/o/a\\u0000x\"}", "" },
	{ "{\"kind\":\"CredentialProviderRequest\",\"apiVersion\":\"" V1 "\",\"image\":\"a\",\"image\":\"b\"}", "twice" },
	{ "{\"kind\":\"CredentialProviderRequest\",\"apiVersion\":\"" V1 "\",\"image\":\"ghcr.io/o/a\",\"serviceAccountToken\":5}", "serviceAccountToken" },
	{ "{\"kind\":\"CredentialProviderRequest\",\"apiVersion\":\"" V1 "\",\"image\":\"ghcr.io/o/a\",\"serviceAccountAnnotations\":{\"a\":1}}", "serviceAccountAnnotations" },
	{ "{\"kind\":\"CredentialProviderRequest\",\"apiVersion\":\"" V1 "\",\"image\":\"ghcr.io/\xff\"}", "UTF-8" },
};

START_TEST(test_malformed_requests_are_refused_with_one_line)
{
	struct kubelet_request req;
	const char *detail;

	ghcr_error_clear();
	ck_assert_int_eq(parse(bad_requests[_i].input, &req), GHCR_ERR_BAD_INPUT);
	detail = ghcr_error_detail();
	ck_assert_ptr_nonnull(detail);
	ck_assert_msg(strstr(detail, bad_requests[_i].says) != NULL,
	    "case %d: expected '%s' in '%s'", _i, bad_requests[_i].says, detail);
	ck_assert_ptr_null(strchr(detail, '\n'));
	ck_assert_ptr_null(req.api_version);
}
END_TEST

START_TEST(test_nul_byte_and_oversized_image_are_refused)
{
	static const char nul[] = "{\"kind\":\"CredentialProviderRequest\"\0}";
	struct kubelet_request req;
	size_t n = KUBELET_IMAGE_MAX + 100;
	char *big = malloc(n + 200);

	ck_assert_int_eq(kubelet_parse_request(nul, sizeof(nul) - 1, &req),
	    GHCR_ERR_BAD_INPUT);
	ck_assert_ptr_nonnull(strstr(ghcr_error_detail(), "NUL"));
	ck_assert_ptr_nonnull(big);
	strcpy(big, "{\"kind\":\"CredentialProviderRequest\",\"apiVersion\":\"" V1
	    "\",\"image\":\"ghcr.io/");
	memset(big + strlen(big), 'a', n);
	big[strlen("{\"kind\":\"CredentialProviderRequest\",\"apiVersion\":\"" V1
	    "\",\"image\":\"ghcr.io/") + n] = '\0';
	strcat(big, "\"}");
	ck_assert_int_eq(parse(big, &req), GHCR_ERR_BAD_INPUT);
	ck_assert_ptr_nonnull(strstr(ghcr_error_detail(), "longer than"));
	free(big);
}
END_TEST

static const struct {
	long long seconds;
	const char *go;
} durations[] = {
	{ 0, "0s" }, { 45, "45s" }, { 60, "1m0s" }, { 1500, "25m0s" },
	{ 3599, "59m59s" }, { 3600, "1h0m0s" }, { 45000, "12h30m0s" },
	{ 90061, "25h1m1s" },
};

START_TEST(test_durations_are_written_as_go_does)
{
	char buf[32];

	kubelet_format_duration(durations[_i].seconds, buf);
	ck_assert_str_eq(buf, durations[_i].go);
}
END_TEST

START_TEST(test_cache_duration_follows_what_is_returned)
{
	/* Nothing offered: "0s", so a login made later serves the next pull. */
	ck_assert_int_eq(kubelet_cache_seconds(0, 0, 1000), 0);
	/* No recorded expiry: left out (the defaultCacheDuration applies). */
	ck_assert_int_eq(kubelet_cache_seconds(1, 0, 1000), -1);
	/* Half the time left, never past the expiry ... */
	ck_assert_int_eq(kubelet_cache_seconds(2, 1000 + 1200, 1000), 600);
	ck_assert_int_eq(kubelet_cache_seconds(1, 1001, 1000), 0);
	/* ... and at most an hour, so a rotated token is picked up. */
	ck_assert_int_eq(kubelet_cache_seconds(1, 1000 + 30 * 86400, 1000),
	    KUBELET_CACHE_MAX_S);
}
END_TEST

/* Parses a response and checks its shape: exactly the members the
 * kubelet's strict decoder knows. */
static json_t *
parse_response(const char *text)
{
	json_error_t jerr;
	json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES, &jerr), *v;
	const char *k;

	ck_assert_msg(doc != NULL, "not JSON: %s (%s)", text, jerr.text);
	json_object_foreach(doc, k, v)
		ck_assert_msg(strcmp(k, "kind") == 0 || strcmp(k, "apiVersion") == 0 ||
		    strcmp(k, "cacheKeyType") == 0 || strcmp(k, "cacheDuration") == 0 ||
		    strcmp(k, "auth") == 0, "unexpected member %s", k);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "kind")),
	    "CredentialProviderResponse");
	ck_assert_str_eq(json_string_value(json_object_get(doc, "cacheKeyType")), "Image");
	ck_assert(json_is_object(json_object_get(doc, "auth")));
	json_object_foreach(json_object_get(doc, "auth"), k, v) {
		ck_assert_int_eq(json_object_size(v), 2);
		ck_assert(json_is_string(json_object_get(v, "username")));
		ck_assert(json_is_string(json_object_get(v, "password")));
	}
	return doc;
}

START_TEST(test_response_has_exactly_the_kubelets_members)
{
	struct kubelet_auth auth[2] = {
		{ "ghcr.io/octo-org/", "bot", "ghp_\"quoted\"\\" },
		{ "ghcr.io", "me", "ghp_plain" },
	};
	char *out;
	size_t len;
	json_t *doc, *a;

	ck_assert_int_eq(kubelet_format_response(V1 "beta1", auth, 2, 1500, &out, &len), GHCR_OK);
	ck_assert_uint_eq(len, strlen(out));
	ck_assert_int_eq(out[len - 1], '\n');
	ck_assert_ptr_null(memchr(out, '\n', len - 1));
	doc = parse_response(out);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "apiVersion")), V1 "beta1");
	ck_assert_str_eq(json_string_value(json_object_get(doc, "cacheDuration")), "25m0s");
	a = json_object_get(doc, "auth");
	ck_assert_int_eq(json_object_size(a), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(a,
	    "ghcr.io/octo-org/"), "password")), "ghp_\"quoted\"\\");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(a,
	    "ghcr.io"), "username")), "me");
	json_decref(doc);
	secmem_free(out);

	ck_assert_int_eq(kubelet_format_response(V1, auth, 1, -1, &out, &len), GHCR_OK);
	doc = parse_response(out);
	ck_assert_ptr_null(json_object_get(doc, "cacheDuration"));
	json_decref(doc);
	secmem_free(out);
}
END_TEST

START_TEST(test_empty_answer_is_an_empty_auth_not_cached)
{
	char *out;
	size_t len;

	ck_assert_int_eq(kubelet_format_response(V1, NULL, 0, 0, &out, &len), GHCR_OK);
	ck_assert_str_eq(out, "{\"kind\":\"CredentialProviderResponse\",\"apiVersion\":\""
	    V1 "\",\"cacheKeyType\":\"Image\",\"cacheDuration\":\"0s\",\"auth\":{}}\n");
	secmem_free(out);
}
END_TEST

static const struct {
	const char *image;
	int matched;             /* scope_parse_image()'s return */
	const char *host, *owner;
} images[] = {
	{ "ghcr.io/octo-org/app", 1, "ghcr.io", "octo-org" },
	{ "ghcr.io/octo-org/app:1.0", 1, "ghcr.io", "octo-org" },
	{ "ghcr.io/octo-org/app@sha256:0123abcd", 1, "ghcr.io", "octo-org" },
	{ "ghcr.io/octo-org/team/app", 1, "ghcr.io", "octo-org" },
	{ "docker.pkg.github.com/octo-org/repo/app", 1, "docker.pkg.github.com", "octo-org" },
	{ "registry.local:5000/octo-org/app", 1, "registry.local:5000", "octo-org" },
	/* An owner needs a repository under it. */
	{ "ghcr.io/octo-org", 1, "ghcr.io", "" },
	{ "ghcr.io/octo-org/", 1, "ghcr.io", "" },
	{ "ghcr.io/app:1.0", 1, "ghcr.io", "" },
	/* Not an owner name: no scoped lookup, the host's only. */
	{ "ghcr.io/Octo-Org/app", 1, "ghcr.io", "" },
	{ "ghcr.io/-octo/app", 1, "ghcr.io", "" },
	{ "ghcr.io/octo_org/app", 1, "ghcr.io", "" },
	{ "ghcr.io/v2/app", 1, "ghcr.io", "" },
	{ "ghcr.io/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/app", 1, "ghcr.io", "" },
	/* Not a registry host in normal form: nothing at all. */
	{ "nginx", 0, "", "" },
	{ "library/nginx", 1, "library", "" },
	{ "GHCR.IO/octo-org/app", 0, "", "" },
	{ "ghcr.io@evil.com/octo-org/app", 0, "", "" },
	{ "https://ghcr.io/octo-org/app", 0, "", "" },
	{ "ghcr.io%2eevil.com/octo-org/app", 0, "", "" },
	{ "/octo-org/app", 0, "", "" },
	{ "ghcr.io:443/octo-org/app", 1, "ghcr.io:443", "octo-org" },
	{ "ghcr.io/", 0, "ghcr.io", "" },
};

START_TEST(test_images_split_into_host_and_owner)
{
	struct scope_image img;

	ck_assert_int_eq(scope_parse_image(images[_i].image, &img), images[_i].matched);
	if (images[_i].matched) {
		ck_assert_str_eq(img.host, images[_i].host);
		ck_assert_str_eq(img.owner, images[_i].owner);
	}
}
END_TEST

static const struct {
	const char *arg;
	int status, scoped;
	const char *key;
} logins[] = {
	{ "ghcr.io", GHCR_OK, 0, "ghcr.io" },
	{ "https://GHCR.io/v2/", GHCR_OK, 0, "ghcr.io" },
	{ "ghcr.io/", GHCR_OK, 0, "ghcr.io" },
	{ "ghcr.io/v1", GHCR_OK, 0, "ghcr.io" },
	{ "ghcr.io/Octo-Org", GHCR_OK, 1, "ghcr.io/octo-org" },
	{ "ghcr.io/octo-org/", GHCR_OK, 1, "ghcr.io/octo-org" },
	{ "https://ghcr.io/octo-org", GHCR_OK, 1, "ghcr.io/octo-org" },
	{ "docker.pkg.github.com/octocat", GHCR_OK, 1, "docker.pkg.github.com/octocat" },
	{ "ghcr.io/octo-org/app", GHCR_ERR_BAD_INPUT, 0, "" },
	{ "ghcr.io/octo_org", GHCR_ERR_BAD_INPUT, 0, "" },
	{ "ghcr.io/-octo", GHCR_ERR_BAD_INPUT, 0, "" },
	{ "ghcr.io/octo-", GHCR_ERR_BAD_INPUT, 0, "" },
	{ "ghcr.io/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", GHCR_ERR_BAD_INPUT, 0, "" },
	{ "quay.io/octo-org", GHCR_ERR_BAD_INPUT, 0, "" },
	{ "ghcr.io.evil.com/octo-org", GHCR_ERR_BAD_INPUT, 0, "" },
	{ "ghcr.io@evil.com/octo-org", GHCR_ERR_BAD_SERVER, 0, "" },
};

START_TEST(test_login_names_a_host_or_an_owner_on_a_github_host)
{
	struct settings s;
	char key[SERVER_MAX];
	int scoped = -1;

	memset(&s, 0, sizeof(s));
	snprintf(s.github_host, sizeof(s.github_host), "github.com");
	ghcr_error_clear();
	ck_assert_int_eq(scope_parse_login(&s, logins[_i].arg, key, &scoped),
	    logins[_i].status);
	if (logins[_i].status == GHCR_OK) {
		ck_assert_str_eq(key, logins[_i].key);
		ck_assert_int_eq(scoped, logins[_i].scoped);
	} else
		ck_assert_ptr_nonnull(ghcr_error_detail());
}
END_TEST

START_TEST(test_scoped_keys_split_back)
{
	char host[SERVER_MAX];
	const char *owner;

	ck_assert_int_eq(scope_split_key("ghcr.io/octo-org", host, &owner), 1);
	ck_assert_str_eq(host, "ghcr.io");
	ck_assert_str_eq(owner, "octo-org");
	ck_assert_int_eq(scope_split_key("ghcr.io", host, &owner), 0);
}
END_TEST

/* --- one answer end to end, over a real file store ------------------------ */

static struct settings kube_settings;
static struct resolver kube_res;

static void
kube_setup(void)
{
	char path[128];

	test_tmpdir_setup();
	snprintf(path, sizeof(path), "%s/credentials", test_tmpdir);
	setenv("DOCKER_CREDENTIAL_GHCR_STORE", path, 1);
	snprintf(path, sizeof(path), "%s/key", test_tmpdir);
	setenv("DOCKER_CREDENTIAL_GHCR_KEY_FILE", path, 1);
	snprintf(path, sizeof(path), "%s/config", test_tmpdir);
	setenv("DOCKER_CREDENTIAL_GHCR_CONFIG", path, 1);
	unsetenv("DOCKER_CREDENTIAL_GHCR_BACKEND");
	unsetenv("DOCKER_CREDENTIAL_GHCR_HOSTS");
	unsetenv("GITHUB_ACTIONS");
	unsetenv("GITHUB_SERVER_URL");
	unsetenv("DOCKER_CREDENTIAL_GHCR_GITHUB_SERVER");
	setenv("GITHUB_TOKEN", "ghs_ambientTokenOutsideActions", 1);
	ck_assert_int_eq(settings_load_system(&kube_settings), GHCR_OK);
	resolver_init(&kube_res, &kube_settings);
}

static void
kube_teardown(void)
{
	resolver_close(&kube_res);
	unsetenv("GITHUB_TOKEN");
	test_tmpdir_teardown();
}

static void
put(const char *key, const char *user, const char *secret, time_t expires)
{
	struct credential c = { 0 };

	ck_assert_int_eq(credential_fill(&c, key, user, secret), GHCR_OK);
	c.expires = expires;
	ck_assert_int_eq(resolver_put(&kube_res, &c), GHCR_OK);
	credential_clear(&c);
}

/* Answers a request for `image` and returns the parsed response. */
static json_t *
answer(const char *image, struct kubelet_outcome *o)
{
	char req[512], *out;
	size_t len;
	json_t *doc;

	snprintf(req, sizeof(req), "{\"kind\":\"CredentialProviderRequest\","
	    "\"apiVersion\":\"" V1 "\",\"image\":\"%s\"}", image);
	ck_assert_int_eq(kubelet_answer(&kube_res, req, strlen(req), &out, &len, o),
	    GHCR_OK);
	doc = parse_response(out);
	secmem_free(out);
	return doc;
}

static const char *
password_for(json_t *doc, const char *key)
{
	return json_string_value(json_object_get(json_object_get(
	    json_object_get(doc, "auth"), key), "password"));
}

START_TEST(test_owner_identity_comes_with_the_host_fallback)
{
	struct kubelet_outcome o;
	json_t *doc;

	put("ghcr.io", "me", "ghp_host", 0);
	put("ghcr.io/octo-org", "bot", "ghp_org", 0);
	put("ghcr.io/other-org", "bot2", "ghp_other", 0);
	doc = answer("ghcr.io/octo-org/app", &o);
	ck_assert_int_eq(json_object_size(json_object_get(doc, "auth")), 2);
	ck_assert_str_eq(password_for(doc, "ghcr.io/octo-org/"), "ghp_org");
	ck_assert_str_eq(password_for(doc, "ghcr.io"), "ghp_host");
	/* No recorded expiry: the defaultCacheDuration applies. */
	ck_assert_ptr_null(json_object_get(doc, "cacheDuration"));
	json_decref(doc);

	/* A look-alike owner gets the host's login, never another's. */
	doc = answer("ghcr.io/octo-orgab/app", &o);
	ck_assert_int_eq(json_object_size(json_object_get(doc, "auth")), 1);
	ck_assert_str_eq(password_for(doc, "ghcr.io"), "ghp_host");
	json_decref(doc);
}
END_TEST

START_TEST(test_foreign_and_look_alike_hosts_get_nothing)
{
	static const char *const foreign[] = {
		"quay.io/octo-org/app", "ghcr.io.evil.com/octo-org/app",
		"evilghcr.io/octo-org/app", "GHCR.IO/octo-org/app", "nginx",
		"ghcr.io@evil.com/octo-org/app",
	};
	struct kubelet_outcome o;
	json_t *doc;

	put("ghcr.io", "me", "ghp_host", 0);
	put("quay.io", "q", "quay_secret", 0);
	for (size_t i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++) {
		doc = answer(foreign[i], &o);
		ck_assert_msg(json_object_size(json_object_get(doc, "auth")) == 0,
		    "%s got a credential", foreign[i]);
		ck_assert_str_eq(json_string_value(json_object_get(doc, "cacheDuration")), "0s");
		json_decref(doc);
	}
}
END_TEST

START_TEST(test_expired_identities_are_never_offered)
{
	struct kubelet_outcome o;
	time_t now = time(NULL);
	json_t *doc;

	put("ghcr.io", "me", "ghp_host", now + 7200);
	put("ghcr.io/octo-org", "bot", "ghp_org", now - 10);
	doc = answer("ghcr.io/octo-org/app", &o);
	ck_assert_int_eq(json_object_size(json_object_get(doc, "auth")), 1);
	ck_assert_str_eq(password_for(doc, "ghcr.io"), "ghp_host");
	/* An answer that passed over an expired login is cached by nobody,
	 * so the login that replaces it serves the next pull. */
	ck_assert_str_eq(json_string_value(json_object_get(doc, "cacheDuration")), "0s");
	ck_assert_str_eq(o.expired_key, "ghcr.io/octo-org");
	json_decref(doc);

	/* Another owner's image: half of the two hours left, capped at an hour. */
	doc = answer("ghcr.io/other-org/app", &o);
	ck_assert_str_eq(password_for(doc, "ghcr.io"), "ghp_host");
	ck_assert_str_eq(json_string_value(json_object_get(doc, "cacheDuration")), "1h0m0s");
	ck_assert_int_eq(o.expired_on, 0);
	json_decref(doc);

	put("ghcr.io", "me", "ghp_host", now - 1);
	doc = answer("ghcr.io/octo-org/app", &o);
	ck_assert_int_eq(json_object_size(json_object_get(doc, "auth")), 0);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "cacheDuration")), "0s");
	ck_assert_int_eq(o.offered, 0);
	ck_assert_int_ne(o.expired_on, 0);
	json_decref(doc);
}
END_TEST

START_TEST(test_cache_duration_is_half_the_earliest_expiry)
{
	struct kubelet_outcome o;
	time_t now = time(NULL);
	const char *d;
	json_t *doc;

	put("ghcr.io", "me", "ghp_host", now + 1800);
	put("ghcr.io/octo-org", "bot", "ghp_org", now + 86400);
	doc = answer("ghcr.io/octo-org/app", &o);
	d = json_string_value(json_object_get(doc, "cacheDuration"));
	/* 900 s, give or take the second the test may straddle. */
	ck_assert_msg(strcmp(d, "15m0s") == 0 || strcmp(d, "14m59s") == 0, "got %s", d);
	json_decref(doc);
}
END_TEST

START_TEST(test_ambient_token_answers_only_inside_actions)
{
	struct kubelet_outcome o;
	json_t *doc;

	doc = answer("ghcr.io/octo-org/app", &o);
	ck_assert_int_eq(json_object_size(json_object_get(doc, "auth")), 0);
	json_decref(doc);

	setenv("GITHUB_ACTIONS", "true", 1);
	resolver_close(&kube_res);
	ck_assert_int_eq(settings_load_system(&kube_settings), GHCR_OK);
	resolver_init(&kube_res, &kube_settings);
	doc = answer("ghcr.io/octo-org/app", &o);
	ck_assert_str_eq(password_for(doc, "ghcr.io"), "ghs_ambientTokenOutsideActions");
	json_decref(doc);
}
END_TEST

START_TEST(test_system_settings_need_no_home)
{
	struct settings s;

	unsetenv("DOCKER_CREDENTIAL_GHCR_STORE");
	unsetenv("DOCKER_CREDENTIAL_GHCR_KEY_FILE");
	unsetenv("DOCKER_CREDENTIAL_GHCR_CONFIG");
	unsetenv("HOME");
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("XDG_DATA_HOME");
	ck_assert_int_eq(settings_load_system(&s), GHCR_OK);
	ck_assert_str_eq(s.store_path, "/var/lib/docker-credential-ghcr/credentials");
	ck_assert_str_eq(s.key_path, "/etc/docker-credential-ghcr/key");
	ck_assert_str_eq(s.config_path, "/etc/docker-credential-ghcr/config");
	ck_assert_str_eq(s.backend_setting, "file");
	ck_assert_int_eq(s.gh_cli, 0);
	ck_assert_int_eq(s.system, 1);
}
END_TEST

Suite *suite_kubelet(void);

Suite *
suite_kubelet(void)
{
	Suite *s = suite_create("kubelet");
	TCase *tc = tcase_create("request");

	tcase_add_test(tc, test_request_of_each_api_version_is_answered_in_kind);
	tcase_add_test(tc, test_service_account_fields_and_unknown_members_are_accepted);
	tcase_add_loop_test(tc, test_malformed_requests_are_refused_with_one_line, 0,
	    sizeof(bad_requests) / sizeof(bad_requests[0]));
	tcase_add_test(tc, test_nul_byte_and_oversized_image_are_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("response");
	tcase_add_loop_test(tc, test_durations_are_written_as_go_does, 0,
	    sizeof(durations) / sizeof(durations[0]));
	tcase_add_test(tc, test_cache_duration_follows_what_is_returned);
	tcase_add_test(tc, test_response_has_exactly_the_kubelets_members);
	tcase_add_test(tc, test_empty_answer_is_an_empty_auth_not_cached);
	suite_add_tcase(s, tc);

	tc = tcase_create("scope");
	tcase_add_loop_test(tc, test_images_split_into_host_and_owner, 0,
	    sizeof(images) / sizeof(images[0]));
	tcase_add_loop_test(tc, test_login_names_a_host_or_an_owner_on_a_github_host, 0,
	    sizeof(logins) / sizeof(logins[0]));
	tcase_add_test(tc, test_scoped_keys_split_back);
	suite_add_tcase(s, tc);

	tc = tcase_create("answer");
	tcase_add_checked_fixture(tc, kube_setup, kube_teardown);
	tcase_add_test(tc, test_owner_identity_comes_with_the_host_fallback);
	tcase_add_test(tc, test_foreign_and_look_alike_hosts_get_nothing);
	tcase_add_test(tc, test_expired_identities_are_never_offered);
	tcase_add_test(tc, test_cache_duration_is_half_the_earliest_expiry);
	tcase_add_test(tc, test_ambient_token_answers_only_inside_actions);
	tcase_add_test(tc, test_system_settings_need_no_home);
	suite_add_tcase(s, tc);
	return s;
}
