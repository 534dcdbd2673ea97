/*
 * libcurl, loaded lazily (see http.h).  Like the file store's libcrypto,
 * the library is dlopen()ed by soname and its functions resolved into one
 * table typed from curl's own prototypes, so a mismatch is a compile
 * error; the helper itself links nothing new, and get/store/erase/list
 * never reach this file.  libcurl is pointed at the wiping allocator
 * before its first use: the copies it keeps of an Authorization header
 * (and of everything else) are wiped when freed.  TLS buffers inside
 * OpenSSL are not ours to wipe (see the README's Security section); the
 * stack is wiped before exit.
 */
#include "http.h"
#include "errors.h"
#include "secmem.h"

#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#ifdef WITH_CURL
#include <curl/curl.h>
#endif

#ifdef WITH_CURL
#ifndef GHCR_CURL_SONAME
#define GHCR_CURL_SONAME "libcurl.so.4"
#endif
#ifndef GHCR_VERSION
#define GHCR_VERSION "0"
#endif

/* Every libcurl function used, in one list. */
#define CURL_SYMBOLS(X)              \
	X(curl_global_init_mem)      \
	X(curl_easy_init)            \
	X(curl_easy_cleanup)         \
	X(curl_easy_reset)           \
	X(curl_easy_setopt)          \
	X(curl_easy_perform)         \
	X(curl_easy_getinfo)         \
	X(curl_easy_strerror)        \
	X(curl_slist_append)         \
	X(curl_slist_free_all)

/* Member names differ from the functions' own: curl.h makes some of them
 * function-like macros, which would expand after "fn.". */
static struct {
#define X(name) __typeof__(name) *p_##name;
	CURL_SYMBOLS(X)
#undef X
} fn;
static int curl_ready;

static const char *const header_names[HTTP_H_COUNT] = {
	[HTTP_H_WWW_AUTHENTICATE] = "WWW-Authenticate",
	[HTTP_H_LOCATION] = "Location",
	[HTTP_H_OAUTH_SCOPES] = "X-OAuth-Scopes",
	[HTTP_H_TOKEN_EXPIRATION] = "GitHub-Authentication-Token-Expiration",
	[HTTP_H_GITHUB_SSO] = "X-GitHub-SSO",
};

/*
 * libcurl's allocator: the wiping one.  Each block carries its own size
 * ahead of the payload, so realloc can copy without knowing secmem's
 * layout.
 */
union curl_block {
	size_t size;
	max_align_t align;
};

static void *
curl_mem_malloc(size_t n)
{
	union curl_block *b;

	if (n > SIZE_MAX - sizeof(*b) || (b = secmem_alloc(sizeof(*b) + n)) == NULL)
		return NULL;
	b->size = n;
	return b + 1;
}

static void
curl_mem_free(void *p)
{
	if (p != NULL)
		secmem_free((union curl_block *)p - 1);
}

static void *
curl_mem_realloc(void *p, size_t n)
{
	size_t old;
	void *q;

	if (p == NULL)
		return curl_mem_malloc(n);
	if ((q = curl_mem_malloc(n)) == NULL)
		return NULL;
	old = ((union curl_block *)p - 1)->size;
	memcpy(q, p, old < n ? old : n);
	curl_mem_free(p);
	return q;
}

static char *
curl_mem_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *copy = curl_mem_malloc(n);

	if (copy != NULL)
		memcpy(copy, s, n);
	return copy;
}

static void *
curl_mem_calloc(size_t n, size_t size)
{
	/* secmem_alloc() zeroes. */
	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	return curl_mem_malloc(n * size);
}

int
http_loaded(void)
{
	return curl_ready;
}

static int
curl_load(void)
{
	void *lib, *sym;

	if (curl_ready)
		return GHCR_OK;
	if ((lib = dlopen(GHCR_CURL_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL)
		return ghcr_fail(GHCR_ERR_UNAVAILABLE,
		    "cannot load %s: %s (install libcurl: apt-get install libcurl4)",
		    GHCR_CURL_SONAME, dlerror());
#define X(name)                                                              \
	if ((sym = dlsym(lib, #name)) == NULL)                               \
		return ghcr_fail(GHCR_ERR_UNAVAILABLE,                       \
		    "%s has no %s: libcurl too old", GHCR_CURL_SONAME, #name); \
	memcpy(&fn.p_##name, &sym, sizeof(sym));
	CURL_SYMBOLS(X)
#undef X
	if (fn.p_curl_global_init_mem(CURL_GLOBAL_DEFAULT, curl_mem_malloc,
	    curl_mem_free, curl_mem_realloc, curl_mem_strdup,
	    curl_mem_calloc) != CURLE_OK)
		return ghcr_fail(GHCR_ERR_UNAVAILABLE, "%s failed to initialise",
		    GHCR_CURL_SONAME);
	/* OpenSSL encrypts the request (Authorization included) through
	 * stack buffers: main() wipes the stack before exit. */
	secmem_taint_stack();
	curl_ready = 1;
	return GHCR_OK;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
http_client_open(struct http_client *c, int budget_s)
{
	int r;

	memset(c, 0, sizeof(*c));
	if ((r = curl_load()) != GHCR_OK)
		return r;
	if ((c->curl = fn.p_curl_easy_init()) == NULL)
		return GHCR_ERR_NO_MEMORY;
	c->budget_s = budget_s;
	c->deadline_ms = now_ms() + (long long)budget_s * 1000;
	return GHCR_OK;
}

void
http_client_close(struct http_client *c)
{
	if (c->curl != NULL)
		fn.p_curl_easy_cleanup(c->curl);
	c->curl = NULL;
}

/* The body, growing in wiped memory up to HTTP_MAX_BODY. */
struct sink {
	struct http_response *resp;
	size_t cap;
	int too_large;
};

static size_t
on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct sink *s = ctx;
	struct http_response *r = s->resp;
	size_t n = size * nmemb;
	char *grown;

	if (n > HTTP_MAX_BODY - r->body_len) {
		s->too_large = 1;
		return 0;
	}
	if (r->body_len + n + 1 > s->cap) {
		size_t cap = s->cap == 0 ? 4096 : s->cap;

		while (cap < r->body_len + n + 1)
			cap *= 2;
		if ((grown = secmem_alloc(cap)) == NULL)
			return 0;
		if (r->body != NULL)
			memcpy(grown, r->body, r->body_len);
		secmem_free(r->body);
		r->body = grown;
		s->cap = cap;
	}
	memcpy(r->body + r->body_len, data, n);
	r->body_len += n;
	r->body[r->body_len] = '\0';
	return n;
}

static size_t
on_header(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct http_response *r = ctx;
	size_t n = size * nmemb, name_len, vlen;
	const char *colon, *v;

	/* A new status line (after a 100 Continue) starts a new header set. */
	if (n >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		for (int i = 0; i < HTTP_H_COUNT; i++) {
			secmem_free(r->headers[i]);
			r->headers[i] = NULL;
		}
		return n;
	}
	if ((colon = memchr(data, ':', n)) == NULL)
		return n;
	name_len = (size_t)(colon - data);
	v = colon + 1;
	vlen = n - name_len - 1;
	while (vlen > 0 && (*v == ' ' || *v == '\t'))
		v++, vlen--;
	while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' ||
	    v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
		vlen--;
	for (int i = 0; i < HTTP_H_COUNT; i++) {
		if (strlen(header_names[i]) != name_len ||
		    strncasecmp(data, header_names[i], name_len) != 0)
			continue;
		/* Of several challenges, the Bearer one is the one we want. */
		if (r->headers[i] != NULL && !(i == HTTP_H_WWW_AUTHENTICATE &&
		    strncasecmp(r->headers[i], "Bearer", 6) != 0 &&
		    vlen >= 6 && strncasecmp(v, "Bearer", 6) == 0))
			break;
		secmem_free(r->headers[i]);
		r->headers[i] = secmem_strndup(v, vlen);
		break;
	}
	return n;
}

/* host[:port] of an https URL, for messages. */
static void
url_host(const char *url, char *out, size_t size)
{
	const char *p = strncmp(url, "https://", 8) == 0 ? url + 8 : url;
	size_t n = strcspn(p, "/?#");

	snprintf(out, size, "%.*s", (int)(n < 200 ? n : 200), p);
}

static int
proxy_in_use(void)
{
	static const char *const vars[] = { "https_proxy", "HTTPS_PROXY",
	    "all_proxy", "ALL_PROXY" };

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);

		if (v != NULL && v[0] != '\0')
			return 1;
	}
	return 0;
}

/* One line for a transfer that got no HTTP answer. */
static void
describe_failure(struct http_client *c, CURLcode code, const char *errbuf,
		 const char *url, int too_large, char *out, size_t size)
{
	const char *detail = errbuf[0] != '\0' ? errbuf : fn.p_curl_easy_strerror(code);
	const char *via = proxy_in_use() ? " (through the proxy set in HTTPS_PROXY)" : "";
	char host[224];
	long os_errno = 0;

	url_host(url, host, sizeof(host));
	switch (code) {
	case CURLE_COULDNT_RESOLVE_HOST:
		snprintf(out, size, "%.100s: name not found (%.200s)", host, detail);
		break;
	case CURLE_COULDNT_RESOLVE_PROXY:
		snprintf(out, size, "%.100s: the proxy's name is not found (%.200s; "
		    "check HTTPS_PROXY)", host, detail);
		break;
	case CURLE_COULDNT_CONNECT:
		fn.p_curl_easy_getinfo(c->curl, CURLINFO_OS_ERRNO, &os_errno);
		snprintf(out, size, "%.100s: cannot connect%s: %.200s", host, via,
		    os_errno != 0 ? strerror((int)os_errno) : detail);
		break;
	case CURLE_OPERATION_TIMEDOUT:
		snprintf(out, size, "%.100s: timed out%s (%.200s; %d s to connect, "
		    "%d s for the whole check)", host, via, detail,
		    HTTP_CONNECT_TIMEOUT_MS / 1000, c->budget_s);
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		snprintf(out, size, "%.100s: TLS certificate not trusted (%.200s); the "
		    "system CA store is used, plus SSL_CERT_FILE or "
		    "CURL_CA_BUNDLE when set", host, detail);
		break;
	case CURLE_SSL_CONNECT_ERROR:
		snprintf(out, size, "%.100s: TLS handshake failed (%.200s)", host, detail);
		break;
	case CURLE_WRITE_ERROR:
		if (too_large) {
			snprintf(out, size, "%.100s: answer larger than %d KiB, "
			    "refused", host, HTTP_MAX_BODY / 1024);
			break;
		}
		/* fall through */
	default:
		snprintf(out, size, "%.100s: %.200s%s", host, detail, via);
		break;
	}
}

static void
setopt_long(CURL *h, CURLoption opt, long v)
{
	(void)fn.p_curl_easy_setopt(h, opt, v);
}

static void
setopt_ptr(CURL *h, CURLoption opt, const void *v)
{
	(void)fn.p_curl_easy_setopt(h, opt, v);
}

int
http_request(struct http_client *c, const char *method, const char *url,
	     const char *authorization, const char *const *extra,
	     struct http_response *out)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *list = NULL, *grown;
	struct sink sink = { out, 0, 0 };
	const char *ca;
	long long left;
	CURLcode code;
	CURL *h = c->curl;

	memset(out, 0, sizeof(*out));
	if ((out->body = secmem_alloc(1)) == NULL)
		return GHCR_ERR_NO_MEMORY;
	if (strncmp(url, "https://", 8) != 0) {
		snprintf(out->error, sizeof(out->error), "%.200s: not an https:// "
		    "address, not asked", url);
		return GHCR_ERR_UNAVAILABLE;
	}
	if ((left = c->deadline_ms - now_ms()) <= 0) {
		char host[224];

		url_host(url, host, sizeof(host));
		snprintf(out->error, sizeof(out->error), "%s: not asked: the "
		    "check's %d s were spent", host, c->budget_s);
		return GHCR_ERR_UNAVAILABLE;
	}
	/* curl copies each line into its (wiping) allocator. */
	if (authorization != NULL &&
	    (list = fn.p_curl_slist_append(list, authorization)) == NULL)
		return GHCR_ERR_NO_MEMORY;
	for (size_t i = 0; extra != NULL && extra[i] != NULL; i++) {
		if ((grown = fn.p_curl_slist_append(list, extra[i])) == NULL) {
			fn.p_curl_slist_free_all(list);
			return GHCR_ERR_NO_MEMORY;
		}
		list = grown;
	}

	fn.p_curl_easy_reset(h);
	setopt_ptr(h, CURLOPT_URL, url);
	setopt_ptr(h, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "HEAD") == 0)
		setopt_long(h, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "POST") == 0) {
		/* An empty POST, as a registry's upload start expects. */
		setopt_long(h, CURLOPT_POST, 1L);
		setopt_ptr(h, CURLOPT_POSTFIELDS, "");
		setopt_long(h, CURLOPT_POSTFIELDSIZE, 0L);
	}
	setopt_ptr(h, CURLOPT_HTTPHEADER, list);
	setopt_ptr(h, CURLOPT_USERAGENT, "docker-credential-ghcr/" GHCR_VERSION);
	setopt_ptr(h, CURLOPT_ERRORBUFFER, errbuf);
	/* Never a redirect, never another protocol: a token goes only where
	 * the caller sent it. */
	setopt_long(h, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	setopt_ptr(h, CURLOPT_PROTOCOLS_STR, "https");
#else
	setopt_long(h, CURLOPT_PROTOCOLS, CURLPROTO_HTTPS);
#endif
	setopt_long(h, CURLOPT_VERBOSE, 0L);
	setopt_long(h, CURLOPT_NOSIGNAL, 1L);
	setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS,
	    left < HTTP_CONNECT_TIMEOUT_MS ? (long)left : HTTP_CONNECT_TIMEOUT_MS);
	setopt_long(h, CURLOPT_TIMEOUT_MS, (long)left);
	setopt_long(h, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
	/* libcurl does not read these by itself (the curl program does). */
	if ((ca = secure_getenv("CURL_CA_BUNDLE")) != NULL && ca[0] != '\0')
		setopt_ptr(h, CURLOPT_CAINFO, ca);
	else if ((ca = secure_getenv("SSL_CERT_FILE")) != NULL && ca[0] != '\0')
		setopt_ptr(h, CURLOPT_CAINFO, ca);
	if ((ca = secure_getenv("SSL_CERT_DIR")) != NULL && ca[0] != '\0')
		setopt_ptr(h, CURLOPT_CAPATH, ca);
	setopt_ptr(h, CURLOPT_WRITEFUNCTION, (void *)on_body);
	setopt_ptr(h, CURLOPT_WRITEDATA, &sink);
	setopt_ptr(h, CURLOPT_HEADERFUNCTION, (void *)on_header);
	setopt_ptr(h, CURLOPT_HEADERDATA, out);

	code = fn.p_curl_easy_perform(h);
	/* The list held the Authorization line; curl's copy is wiped on free. */
	setopt_ptr(h, CURLOPT_HTTPHEADER, NULL);
	fn.p_curl_slist_free_all(list);
	if (code != CURLE_OK) {
		describe_failure(c, code, errbuf, url, sink.too_large,
		    out->error, sizeof(out->error));
		out->status = 0;
		return GHCR_ERR_UNAVAILABLE;
	}
	fn.p_curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
	return GHCR_OK;
}
#else /* !WITH_CURL */

/* Built without libcurl's headers: check says so and how to get it. */
int
http_loaded(void)
{
	return 0;
}

int
http_client_open(struct http_client *c, int budget_s)
{
	memset(c, 0, sizeof(*c));
	c->budget_s = budget_s;
	return ghcr_fail(GHCR_ERR_UNAVAILABLE, "this helper was built without "
	    "libcurl, so it cannot reach a registry (install libcurl4-openssl-dev "
	    "and rebuild)");
}

void
http_client_close(struct http_client *c)
{
	c->curl = NULL;
}

int
http_request(struct http_client *c, const char *method, const char *url,
	     const char *authorization, const char *const *extra,
	     struct http_response *out)
{
	(void)c, (void)method, (void)authorization, (void)extra;
	memset(out, 0, sizeof(*out));
	snprintf(out->error, sizeof(out->error), "%.200s: built without libcurl", url);
	return GHCR_ERR_UNAVAILABLE;
}
#endif

void
http_response_clear(struct http_response *r)
{
	secmem_free(r->body);
	for (int i = 0; i < HTTP_H_COUNT; i++)
		secmem_free(r->headers[i]);
	memset(r, 0, sizeof(*r));
}

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *
http_authorization(const char *user, const char *secret)
{
	static const char basic[] = "Authorization: Basic ";
	static const char bearer[] = "Authorization: Bearer ";
	size_t ulen, slen, n, i, o;
	unsigned char *plain;
	char *out;

	if (user == NULL) {
		slen = strlen(secret);
		if ((out = secmem_alloc(sizeof(bearer) + slen)) == NULL)
			return NULL;
		memcpy(out, bearer, sizeof(bearer) - 1);
		memcpy(out + sizeof(bearer) - 1, secret, slen);
		return out;
	}
	ulen = strlen(user);
	slen = strlen(secret);
	n = ulen + 1 + slen;
	if ((plain = secmem_alloc(n)) == NULL)
		return NULL;
	memcpy(plain, user, ulen);
	plain[ulen] = ':';
	memcpy(plain + ulen + 1, secret, slen);
	if ((out = secmem_alloc(sizeof(basic) + (n + 2) / 3 * 4)) == NULL) {
		secmem_free(plain);
		return NULL;
	}
	memcpy(out, basic, sizeof(basic) - 1);
	o = sizeof(basic) - 1;
	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)plain[i] << 16 | (uint32_t)plain[i + 1] << 8 | plain[i + 2];

		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = b64[v >> 6 & 63];
		out[o++] = b64[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)plain[i] << 16 |
		    (i + 1 < n ? (uint32_t)plain[i + 1] << 8 : 0);

		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
		out[o++] = '=';
	}
	secmem_free(plain);
	return out;
}

