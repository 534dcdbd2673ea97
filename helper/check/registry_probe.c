/*
 * Registry probes (see registry_probe.h).  The credential goes only to the
 * registry host itself and to a token realm on the same host name; the
 * registry token that comes back lives in wiped memory and is only ever
 * put into an Authorization header for that registry.
 */
#include "registry_probe.h"
#include "errors.h"
#include "secmem.h"
#include "server.h"
#include "text.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Copies text into out as one line: sanitised (text.h), white space as
 * single spaces, trimmed. */
static void
one_line(const char *text, size_t len, char *out, size_t size)
{
	size_t n, o = 0;

	if (size == 0)
		return;
	n = text_sanitise(out, size, text, len, TEXT_SPACES);
	for (size_t i = 0; i < n; i++) {
		if (out[i] == ' ' && (o == 0 || out[o - 1] == ' '))
			continue;
		out[o++] = out[i];
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
}

/* Appends "sep text" to out (truncating, never overflowing). */
static void
append(char *out, size_t size, const char *sep, const char *text)
{
	size_t len = strlen(out);

	if (text == NULL || text[0] == '\0' || len + 1 >= size)
		return;
	snprintf(out + len, size - len, "%s%s", len > 0 ? sep : "", text);
}

static void
append_json(char *out, size_t size, const char *sep, json_t *v)
{
	char *text;
	json_malloc_t jmalloc;
	json_free_t jfree;

	if (v == NULL || json_is_null(v))
		return;
	if (json_is_string(v)) {
		append(out, size, sep, json_string_value(v));
		return;
	}
	if ((text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL)
		return;
	append(out, size, sep, text);
	json_get_alloc_funcs(&jmalloc, &jfree);
	jfree(text);
}

void
registry_error_words(const char *body, size_t len, char *out, size_t size)
{
	char words[1024] = "";
	json_t *doc, *errors, *e, *v;
	size_t i;

	out[0] = '\0';
	if (body == NULL || len == 0)
		return;
	doc = json_loadb(body, len, 0, NULL);
	if (json_is_object(doc)) {
		errors = json_object_get(doc, "errors");
		json_array_foreach(errors, i, e) {
			char one[512] = "";

			append(one, sizeof(one), "", json_string_value(json_object_get(e, "code")));
			append(one, sizeof(one), ": ", json_string_value(json_object_get(e, "message")));
			if ((v = json_object_get(e, "detail")) != NULL && !json_is_null(v)) {
				size_t before = strlen(one);

				append_json(one, sizeof(one), " (", v);
				if (strlen(one) > before && strlen(one) + 1 < sizeof(one))
					strcat(one, ")");
			}
			append(words, sizeof(words), "; ", one);
		}
		if (words[0] == '\0') {
			append(words, sizeof(words), "", json_string_value(json_object_get(doc, "error")));
			append(words, sizeof(words), ": ",
			    json_string_value(json_object_get(doc, "error_description")));
			append_json(words, sizeof(words), "; ", json_object_get(doc, "details"));
			append(words, sizeof(words), "; ", json_string_value(json_object_get(doc, "message")));
		}
	}
	json_decref(doc);
	if (words[0] == '\0') {
		/* Not JSON: the start of what came, as text. */
		one_line(body, len < 200 ? len : 200, out, size);
		return;
	}
	one_line(words, strlen(words), out, size);
}

int
registry_parse_challenge(const char *value, struct registry_auth *auth)
{
	const char *p = value;

	memset(auth, 0, sizeof(*auth));
	if (strncasecmp(p, "Basic", 5) == 0 && (p[5] == '\0' || p[5] == ' ')) {
		auth->scheme = REGISTRY_AUTH_BASIC;
		return 0;
	}
	if (strncasecmp(p, "Bearer ", 7) != 0)
		return -1;
	auth->scheme = REGISTRY_AUTH_BEARER;
	p += 7;
	while (*p != '\0') {
		char key[32], val[512];
		size_t k = 0, n = 0;

		while (*p == ' ' || *p == ',')
			p++;
		while (*p != '\0' && *p != '=' && *p != ',' && k + 1 < sizeof(key))
			key[k++] = *p++;
		key[k] = '\0';
		if (*p != '=')
			return -1;
		p++;
		if (*p == '"') {
			for (p++; *p != '\0' && *p != '"'; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				if (n + 1 >= sizeof(val))
					return -1;
				val[n++] = *p;
			}
			if (*p != '"')
				return -1;
			p++;
		} else {
			while (*p != '\0' && *p != ',' && *p != ' ') {
				if (n + 1 >= sizeof(val))
					return -1;
				val[n++] = *p++;
			}
		}
		val[n] = '\0';
		if (strcasecmp(key, "realm") == 0)
			snprintf(auth->realm, sizeof(auth->realm), "%s", val);
		else if (strcasecmp(key, "service") == 0)
			snprintf(auth->service, sizeof(auth->service), "%s", val);
	}
	return auth->realm[0] != '\0' ? 0 : -1;
}

int
registry_realm_allowed(const char *realm, const char *host)
{
	const char *a, *end;
	size_t hlen, alen;

	if (strncasecmp(realm, "https://", 8) != 0)
		return 0;
	a = realm + 8;
	end = a + strcspn(a, "/?#");
	/* No user info, no look-alike: the host name must match exactly. */
	if (memchr(a, '@', (size_t)(end - a)) != NULL)
		return 0;
	alen = (size_t)(end - a);
	if (alen > 0 && a[0] != '[') {
		const char *colon = memchr(a, ':', alen);

		if (colon != NULL)
			alen = (size_t)(colon - a);
	}
	hlen = strlen(host);
	if (host[0] != '[' && strchr(host, ':') != NULL)
		hlen = (size_t)(strchr(host, ':') - host);
	return alen == hlen && strncasecmp(a, host, hlen) == 0;
}

/* Fills st for an HTTP failure to reach anything. */
static void
unreachable(struct probe_step *st, const struct http_response *resp)
{
	st->outcome = PROBE_FAILED;
	st->status = 0;
	snprintf(st->reason, sizeof(st->reason), "%s", resp->error);
}

/* Fills st for an answer that is not the one hoped for. */
static void
refused(struct probe_step *st, const struct http_response *resp, const char *what)
{
	char words[512];

	registry_error_words(resp->body, resp->body_len, words, sizeof(words));
	st->status = resp->status;
	st->outcome = resp->status >= 500 || resp->status < 400 ? PROBE_FAILED : PROBE_REFUSED;
	snprintf(st->reason, sizeof(st->reason), "%s: HTTP %ld%s%s", what,
	    resp->status, words[0] != '\0' ? ": " : "", words);
}

static void
works(struct probe_step *st, long status)
{
	st->outcome = PROBE_WORKS;
	st->status = status;
	st->reason[0] = '\0';
	st->note[0] = '\0';
}

int
registry_challenge(struct http_client *c, const char *host,
		   struct registry_auth *auth, struct probe_step *st)
{
	struct http_response resp;
	char url[SERVER_MAX + 16];
	const char *www;
	int r;

	memset(st, 0, sizeof(*st));
	memset(auth, 0, sizeof(*auth));
	snprintf(url, sizeof(url), "https://%s/v2/", host);
	if ((r = http_request(c, "GET", url, NULL, NULL, &resp)) == GHCR_ERR_NO_MEMORY)
		goto out;
	r = GHCR_OK;
	if (resp.status == 0) {
		unreachable(st, &resp);
		goto out;
	}
	if (resp.status == 200) {
		auth->scheme = REGISTRY_AUTH_NONE;
		works(st, resp.status);
		goto out;
	}
	www = resp.headers[HTTP_H_WWW_AUTHENTICATE];
	if (resp.status != 401 || www == NULL) {
		refused(st, &resp, "GET /v2/ (expected 401 with a challenge)");
		st->outcome = PROBE_FAILED;
		goto out;
	}
	if (registry_parse_challenge(www, auth) != 0) {
		st->outcome = PROBE_FAILED;
		snprintf(st->reason, sizeof(st->reason), "GET /v2/: a challenge "
		    "this helper does not understand: %.200s", www);
		goto out;
	}
	if (auth->scheme == REGISTRY_AUTH_BEARER &&
	    !registry_realm_allowed(auth->realm, host)) {
		st->outcome = PROBE_FAILED;
		snprintf(st->reason, sizeof(st->reason), "the registry sends "
		    "logins to %.200s, not to an https:// address on %s itself; "
		    "the credential was not sent there", auth->realm, host);
		goto out;
	}
	works(st, resp.status);
out:
	http_response_clear(&resp);
	return r;
}

/* Percent-encodes s into out; 0 when it fits. */
static int
url_encode(const char *s, char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (o + 4 > size)
			return -1;
		if (isalnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~') {
			out[o++] = (char)ch;
		} else {
			out[o++] = '%';
			out[o++] = hex[ch >> 4];
			out[o++] = hex[ch & 15];
		}
	}
	out[o] = '\0';
	return 0;
}

int
registry_login(struct http_client *c, const char *host,
	       const struct registry_auth *auth, const char *scope,
	       const char *username, const char *secret,
	       char **authorization, struct probe_step *st)
{
	struct http_response resp = { 0 };
	char url[4096], service[1536], scope_enc[1536];
	char *basic = NULL;
	const char *token;
	json_t *doc = NULL;
	int r = GHCR_OK, n;

	memset(st, 0, sizeof(*st));
	*authorization = NULL;
	if ((basic = http_authorization(username, secret)) == NULL)
		return GHCR_ERR_NO_MEMORY;
	if (auth->scheme == REGISTRY_AUTH_NONE) {
		/* Nothing asked: the credential is not sent at all. */
		secmem_free(basic);
		works(st, 0);
		snprintf(st->note, sizeof(st->note), "the registry asks for no login");
		return GHCR_OK;
	}
	if (auth->scheme == REGISTRY_AUTH_BASIC) {
		/* A Basic registry takes the credential on every request: ask
		 * /v2/ with it. */
		snprintf(url, sizeof(url), "https://%s/v2/", host);
		if ((r = http_request(c, "GET", url, basic, NULL, &resp)) == GHCR_ERR_NO_MEMORY)
			goto out;
		r = GHCR_OK;
		if (resp.status == 0)
			unreachable(st, &resp);
		else if (resp.status != 200)
			refused(st, &resp, "the registry refused the login");
		else {
			works(st, resp.status);
			*authorization = basic;
			basic = NULL;
		}
		goto out;
	}
	if (url_encode(auth->service, service, sizeof(service)) != 0 ||
	    (scope != NULL && url_encode(scope, scope_enc, sizeof(scope_enc)) != 0)) {
		st->outcome = PROBE_FAILED;
		snprintf(st->reason, sizeof(st->reason), "service or scope too long");
		goto out;
	}
	n = snprintf(url, sizeof(url), "%s%cservice=%s%s%s", auth->realm,
	    strchr(auth->realm, '?') != NULL ? '&' : '?', service,
	    scope != NULL ? "&scope=" : "", scope != NULL ? scope_enc : "");
	if (n < 0 || (size_t)n >= sizeof(url)) {
		st->outcome = PROBE_FAILED;
		snprintf(st->reason, sizeof(st->reason), "token address too long");
		goto out;
	}
	if ((r = http_request(c, "GET", url, basic, NULL, &resp)) == GHCR_ERR_NO_MEMORY)
		goto out;
	r = GHCR_OK;
	if (resp.status == 0) {
		unreachable(st, &resp);
		goto out;
	}
	if (resp.status != 200) {
		refused(st, &resp, "the token server refused the login");
		goto out;
	}
	doc = json_loadb(resp.body, resp.body_len, 0, NULL);
	token = json_string_value(json_object_get(doc, "token"));
	if (token == NULL || token[0] == '\0')
		token = json_string_value(json_object_get(doc, "access_token"));
	if (token == NULL || token[0] == '\0') {
		st->outcome = PROBE_FAILED;
		st->status = resp.status;
		snprintf(st->reason, sizeof(st->reason), "the token server "
		    "answered 200 without a token");
		goto out;
	}
	if ((*authorization = http_authorization(NULL, token)) == NULL) {
		r = GHCR_ERR_NO_MEMORY;
		goto out;
	}
	works(st, resp.status);
out:
	/* jansson's copy of the registry token is in secmem, wiped here. */
	json_decref(doc);
	secmem_free(basic);
	http_response_clear(&resp);
	return r;
}

int
registry_pull_probe(struct http_client *c, const char *host, const char *name,
		    const char *authorization, struct probe_step *st)
{
	struct http_response resp;
	char url[SERVER_MAX + 600];
	int r;

	memset(st, 0, sizeof(*st));
	snprintf(url, sizeof(url), "https://%s/v2/%s/tags/list?n=1", host, name);
	if ((r = http_request(c, "GET", url, authorization, NULL, &resp)) == GHCR_ERR_NO_MEMORY)
		goto out;
	r = GHCR_OK;
	if (resp.status == 0)
		unreachable(st, &resp);
	else if (resp.status == 200)
		works(st, resp.status);
	else if (resp.status == 404) {
		works(st, resp.status);
		snprintf(st->note, sizeof(st->note), "no such image yet; a push creates it");
	} else
		refused(st, &resp, "pull refused");
out:
	http_response_clear(&resp);
	return r;
}

/* Where to send the DELETE: the Location, on this registry only. */
static int
upload_url(const char *host, const char *location, char *out, size_t size)
{
	size_t hlen = strlen(host);
	int n;

	if (location == NULL)
		return -1;
	if (location[0] == '/' && location[1] != '/')
		n = snprintf(out, size, "https://%s%s", host, location);
	else if (strncmp(location, "https://", 8) == 0 &&
	    strncasecmp(location + 8, host, hlen) == 0 && location[8 + hlen] == '/')
		n = snprintf(out, size, "%s", location);
	else
		return -1;
	return n > 0 && (size_t)n < size ? 0 : -1;
}

int
registry_push_probe(struct http_client *c, const char *host, const char *name,
		    const char *authorization, struct probe_step *st)
{
	struct http_response resp, del = { 0 };
	char url[2048];
	int r;

	memset(st, 0, sizeof(*st));
	snprintf(url, sizeof(url), "https://%s/v2/%s/blobs/uploads/", host, name);
	if ((r = http_request(c, "POST", url, authorization, NULL, &resp)) == GHCR_ERR_NO_MEMORY)
		goto out;
	r = GHCR_OK;
	if (resp.status == 0) {
		unreachable(st, &resp);
		goto out;
	}
	if (resp.status != 202) {
		refused(st, &resp, "push refused");
		goto out;
	}
	works(st, resp.status);
	/* Cancel the upload at once: nothing is left behind. */
	if (upload_url(host, resp.headers[HTTP_H_LOCATION], url, sizeof(url)) != 0) {
		snprintf(st->note, sizeof(st->note), "the upload could not be "
		    "cancelled (no usable Location); the registry drops it later");
		goto out;
	}
	if ((r = http_request(c, "DELETE", url, authorization, NULL, &del)) == GHCR_ERR_NO_MEMORY)
		goto out;
	r = GHCR_OK;
	if (del.status == 401 || del.status == 403)
		snprintf(st->upload, sizeof(st->upload), "%s", url);
	if (del.status < 200 || del.status >= 300)
		snprintf(st->note, sizeof(st->note), "the upload could not be "
		    "cancelled (%s%ld); the registry drops it later",
		    del.status == 0 ? "no answer, " : "HTTP ", del.status);
out:
	http_response_clear(&del);
	http_response_clear(&resp);
	return r;
}

int
registry_cancel_upload(struct http_client *c, const char *authorization,
		       struct probe_step *st)
{
	struct http_response del;
	int r;

	if (st->upload[0] == '\0')
		return GHCR_OK;
	if ((r = http_request(c, "DELETE", st->upload, authorization, NULL, &del)) != GHCR_ERR_NO_MEMORY) {
		r = GHCR_OK;
		if (del.status >= 200 && del.status < 300) {
			st->upload[0] = '\0';
			st->note[0] = '\0';
		}
	}
	http_response_clear(&del);
	return r;
}
