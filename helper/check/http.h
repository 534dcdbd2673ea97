/*
 * HTTPS for the commands that talk to a registry or to GitHub (check, and
 * later login): a thin wrapper over libcurl, which is dlopen()ed on first
 * use so that the protocol commands (get, store, erase, list) never load
 * it.  One client holds one curl handle (connections are reused between
 * requests) and one deadline for the whole run.  Every failure becomes one
 * line for a person; no request or answer is ever logged, and everything
 * libcurl allocates lives in wiped memory (secmem), so the Authorization
 * header's copies are wiped too.
 */
#ifndef GHCR_HTTP_H
#define GHCR_HTTP_H

#include <stddef.h>

/* Connecting gets at most this long; the whole client gets its budget. */
#define HTTP_CONNECT_TIMEOUT_MS 5000
/* Answers longer than this are refused (a registry error is a few KiB). */
#define HTTP_MAX_BODY (256 * 1024)

/* The response headers a caller can read, by index. */
enum http_header {
	HTTP_H_WWW_AUTHENTICATE,
	HTTP_H_LOCATION,
	HTTP_H_OAUTH_SCOPES,        /* X-OAuth-Scopes */
	HTTP_H_TOKEN_EXPIRATION,    /* GitHub-Authentication-Token-Expiration */
	HTTP_H_GITHUB_SSO,          /* X-GitHub-SSO */
	HTTP_H_COUNT
};

struct http_response {
	long status;                 /* HTTP status, 0 when no answer came */
	char *body;                  /* NUL-terminated, secmem; never NULL after a request */
	size_t body_len;
	char *headers[HTTP_H_COUNT]; /* values (trimmed), or NULL when absent */
	char error[512];             /* one line when status is 0 */
};

struct http_client {
	void *curl;                  /* CURL *, once loaded */
	long long deadline_ms;       /* CLOCK_MONOTONIC */
	int budget_s;
};

/*
 * Loads libcurl (once per process) and prepares a client whose requests
 * must all finish within budget_s seconds from now.  GHCR_OK, or
 * GHCR_ERR_UNAVAILABLE with a detail naming the library.
 */
int http_client_open(struct http_client *c, int budget_s);

/* Releases the client; accepts a client that was never opened. */
void http_client_close(struct http_client *c);

/*
 * Sends `method` to `url` (https:// only) with the header line
 * `authorization` ("Authorization: ...", secmem, or NULL) and any extra
 * header lines in `extra` (NULL-terminated, or NULL).  Fills *out, which
 * the caller releases with http_response_clear().  Returns GHCR_OK when
 * an HTTP answer came, whatever its status; otherwise GHCR_ERR_UNAVAILABLE
 * with out->error saying why in one line (name not found, connection
 * refused, TLS, time-out, proxy), or GHCR_ERR_NO_MEMORY.
 */
int http_request(struct http_client *c, const char *method, const char *url,
		 const char *authorization, const char *const *extra,
		 struct http_response *out);

/* Wipes and frees what a request filled in; accepts a zeroed response. */
void http_response_clear(struct http_response *r);

/*
 * Builds "Authorization: Basic base64(user:secret)" or, when user is NULL,
 * "Authorization: Bearer secret" in secmem memory.  NULL when out of memory.
 */
char *http_authorization(const char *user, const char *secret);

/* 1 once libcurl has been loaded into this process (tests, status). */
int http_loaded(void);

#endif
