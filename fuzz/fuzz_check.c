/*
 * Fuzz target: what `check` (and login's verification) reads from a
 * registry and from GitHub, and the sanitiser every such text goes
 * through before a terminal sees it.  The check module's files are not in
 * the helper's library: fuzz/fuzz.mk compiles the three it needs into this
 * target.  The input is one byte of parameters, then "HOST\nVALUE": HOST is
 * the registry (normalised as the helper does), VALUE is given to each
 * parser in turn.  Invariants checked (abort() on violation):
 *  - the WWW-Authenticate parser gives Basic with no realm, or Bearer with
 *    a non-empty realm, each field NUL-terminated in its buffer; a Bearer
 *    challenge written back with quoting parses to the same realm and
 *    service;
 *  - the realm rule: a realm allowed for HOST, with the query login adds,
 *    is a URL that libcurl's own parser (the one the request uses) reads
 *    as https on HOST's name; else the credential could leave the host;
 *  - a registry's error words are one clean line (below), trimmed, with
 *    no double space, inside the buffer whatever its size;
 *  - the expiry header: a parsed date, written back in GitHub's form,
 *    parses to the same time;
 *  - the scope list: github_scope_has() agrees with a split of the list at
 *    commas and spaces, for each entry and for prefixes of one;
 *  - the sanitiser, in every mode and buffer size: the output is valid
 *    UTF-8 (checked by a decoder written here) with no C0 control but LF
 *    where allowed, no DEL, no C1, no bidi or line-separator character,
 *    no "##[" and no line opening with "::"; it is never longer than the
 *    input, cleaning it again changes nothing, in place gives the same,
 *    and an input that is already clean comes out unchanged.
 */
#include <curl/curl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "errors.h"
#include "github_api.h"
#include "registry_probe.h"
#include "server.h"
#include "text.h"

#define VALUE_MAX 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what, const char *a, const char *b)
{
	fprintf(stderr, "invariant violated: %s\n  [%s]\n  [%s]\n", what,
	    a != NULL ? a : "(null)", b != NULL ? b : "(null)");
	abort();
}

/* --- the sanitiser's promise, checked independently of text.c -------------- */

/* Length of the RFC 3629 character at s (code point in *cp), 0 if none. */
static size_t
utf8_one(const unsigned char *s, size_t len, long *cp)
{
	static const long least[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t want = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 :
	    (s[0] & 0xf0) == 0xe0 ? 3 : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
	long c;

	if (want == 0 || want > len)
		return 0;
	c = want == 1 ? s[0] : s[0] & (0x7f >> want);
	for (size_t k = 1; k < want; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[k] & 0x3f);
	}
	if (c < least[want] || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return want;
}

/* NULL when s[0..len) keeps the promise, else what breaks it. */
static const char *
unsafe(const char *text, size_t len, int lines)
{
	const unsigned char *s = (const unsigned char *)text;
	int line_start = 1;
	size_t n;
	long cp = 0;

	for (size_t i = 0; i < len; i += n) {
		if ((n = utf8_one(s + i, len - i, &cp)) == 0)
			return "not UTF-8";
		if ((cp < 0x20 && !(cp == '\n' && lines)) || (cp >= 0x7f && cp <= 0x9f))
			return "a control character";
		if (cp == 0x061c || cp == 0x200e || cp == 0x200f ||
		    (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
			return "a bidi or line-separator character";
		if (line_start && cp == ':' && i + 1 < len && s[i + 1] == ':')
			return "a line opening with \"::\"";
		if (cp == '[' && i >= 2 && s[i - 1] == '#' && s[i - 2] == '#')
			return "\"##[\"";
		line_start = cp == '\n' || (line_start && (cp == ' ' || cp == 0xa0 ||
		    cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x202f ||
		    cp == 0x205f || cp == 0x3000));
	}
	return NULL;
}

static void
check_sanitiser(const char *in, size_t len, size_t size, unsigned int flags)
{
	char *out = malloc(size), *again = malloc(len + 1), *inplace = malloc(len + 1);
	const char *why;
	size_t n;

	if (out == NULL || again == NULL || inplace == NULL)
		abort();
	n = text_sanitise(out, size, in, len, flags);
	if (size > 0 && (n >= size || out[n] != '\0' || strlen(out) != n))
		fail("sanitised text not terminated where it says", out, NULL);
	if (size > 0 && (why = unsafe(out, n, (flags & TEXT_LINES) != 0)) != NULL)
		fail(why, out, NULL);
	if (n > len)
		fail("sanitised text grew", out, NULL);
	if (size > len) {
		(void)text_sanitise(again, len + 1, out, n, flags);
		if (strcmp(again, out) != 0)
			fail("sanitising twice changed the text", out, again);
		memcpy(inplace, in, len);
		(void)text_sanitise(inplace, len + 1, inplace, len, flags);
		if (strcmp(inplace, out) != 0)
			fail("in place differs", out, inplace);
		if (unsafe(in, len, (flags & TEXT_LINES) != 0) == NULL &&
		    (n != len || memcmp(out, in, len) != 0))
			fail("clean text was changed", out, NULL);
	}
	free(out);
	free(again);
	free(inplace);
}

/* --- the registry's answers ------------------------------------------------- */

/* The rule that keeps a credential on its registry's host, against the
 * URL parser the request itself goes through. */
static void
check_realm(const char *realm, const char *host)
{
	char url[VALUE_MAX + 64], name[SERVER_MAX];
	char *scheme = NULL, *got = NULL;
	CURLU *u;

	if (host[0] == '\0' || !registry_realm_allowed(realm, host))
		return;
	/* What registry_login() asks: the realm and its query. */
	snprintf(url, sizeof(url), "%s%cservice=x&scope=y", realm,
	    strchr(realm, '?') != NULL ? '&' : '?');
	/* The host without its port: "[::1]:5000" is "[::1]" to libcurl. */
	snprintf(name, sizeof(name), "%s", host);
	if (name[0] == '[' && strchr(name, ']') != NULL)
		strchr(name, ']')[1] = '\0';
	else if (name[0] != '[' && strchr(name, ':') != NULL)
		*strchr(name, ':') = '\0';
	if ((u = curl_url()) == NULL)
		abort();
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &got, 0) == CURLUE_OK) {
		if (strcasecmp(scheme, "https") != 0)
			fail("an allowed realm is not https to libcurl", realm, scheme);
		if (strcasecmp(got, name) != 0)
			fail("an allowed realm sends the credential to another host", realm, got);
	}
	curl_free(scheme);
	curl_free(got);
	curl_url_cleanup(u);
}

/* value with '"' and '\' escaped, as a quoted-string. */
static void
quote(const char *v, char *out, size_t size)
{
	size_t o = 0;

	out[o++] = '"';
	for (; *v != '\0' && o + 3 < size; v++) {
		if (*v == '"' || *v == '\\')
			out[o++] = '\\';
		out[o++] = *v;
	}
	out[o++] = '"';
	out[o] = '\0';
}

static void
check_challenge(const char *value, const char *host)
{
	struct registry_auth a, b;
	char again[2200], realm[1040], service[1040];

	if (registry_parse_challenge(value, &a) != 0)
		return;
	if (memchr(a.realm, '\0', sizeof(a.realm)) == NULL ||
	    memchr(a.service, '\0', sizeof(a.service)) == NULL)
		fail("challenge field not terminated", value, NULL);
	if (a.scheme == REGISTRY_AUTH_BASIC) {
		if (a.realm[0] != '\0')
			fail("Basic challenge with a token realm", value, a.realm);
		return;
	}
	if (a.scheme != REGISTRY_AUTH_BEARER || a.realm[0] == '\0')
		fail("accepted challenge is neither Basic nor Bearer with a realm", value, a.realm);
	quote(a.realm, realm, sizeof(realm));
	quote(a.service, service, sizeof(service));
	snprintf(again, sizeof(again), "Bearer realm=%s,service=%s", realm, service);
	if (registry_parse_challenge(again, &b) != 0 || strcmp(a.realm, b.realm) != 0 ||
	    strcmp(a.service, b.service) != 0)
		fail("a challenge written back parses differently", value, again);
	check_realm(a.realm, host);
}

static void
check_error_words(const char *body, size_t len, size_t size)
{
	char *out = malloc(size);
	const char *why;
	size_t n;

	if (out == NULL)
		abort();
	memset(out, 'x', size);
	registry_error_words(body, len, out, size);
	if (memchr(out, '\0', size) == NULL)
		fail("error words not terminated inside the buffer", NULL, NULL);
	n = strlen(out);
	if ((why = unsafe(out, n, 0)) != NULL)
		fail(why, out, NULL);
	if (n > 0 && (out[0] == ' ' || out[n - 1] == ' '))
		fail("error words not trimmed", out, NULL);
	if (strstr(out, "  ") != NULL)
		fail("error words hold a double space", out, NULL);
	free(out);
}

/* --- GitHub's headers ------------------------------------------------------- */

static void
check_expiry(const char *value)
{
	time_t t = github_parse_expiration(value), again;
	struct tm tm;
	char text[64];

	if (t == (time_t)-1 || gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 > 9999 ||
	    tm.tm_year + 1900 < 0)
		return;
	strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S UTC", &tm);
	if ((again = github_parse_expiration(text)) != t)
		fail("an expiry written back parses to another time", value, text);
}

/* The list split at commas and spaces, as check shows it. */
static int
scope_listed(const char *scopes, const char *scope, size_t len)
{
	for (const char *p = scopes; *p != '\0'; ) {
		size_t n;

		p += strspn(p, ", ");
		n = strcspn(p, ", ");
		if (n == len && strncmp(p, scope, len) == 0)
			return 1;
		p += n;
	}
	return 0;
}

static void
check_scopes(const char *scopes)
{
	char one[VALUE_MAX + 1];

	/* Every entry, and the first half of each (a near miss). */
	for (const char *p = scopes; *p != '\0'; ) {
		size_t n;

		p += strspn(p, ", ");
		if ((n = strcspn(p, ", ")) == 0)
			break;
		for (size_t k = n; k > 0; k = k == n ? n / 2 : 0) {
			memcpy(one, p, k);
			one[k] = '\0';
			if (github_scope_has(scopes, one) != scope_listed(scopes, one, k))
				fail(scope_listed(scopes, one, k) ? "a listed scope is not found" :
				    "a scope not listed is found", scopes, one);
		}
		p += n;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned int modes[] = { 0, TEXT_SPACES, TEXT_LINES, TEXT_SPACES | TEXT_LINES };
	const uint8_t *nl;
	char rawhost[SERVER_MAX], host[SERVER_MAX], *value;
	size_t hlen, vlen, outsize;

	if (size < 2 || (nl = memchr(data + 1, '\n', size - 1)) == NULL)
		return 0;
	/* The first byte: the output buffer's size for the sanitiser and the
	 * error words (1 to 256, or 0 meaning "large"). */
	outsize = data[0] == 0 ? VALUE_MAX * 2 : data[0];
	hlen = (size_t)(nl - data - 1);
	vlen = size - hlen - 2;
	if (hlen >= sizeof(rawhost) || vlen > VALUE_MAX)
		return 0;
	memcpy(rawhost, data + 1, hlen);
	rawhost[hlen] = '\0';
	if ((value = malloc(vlen + 1)) == NULL)
		abort();
	memcpy(value, nl + 1, vlen);
	value[vlen] = '\0';
	/* The registry host as check has it: normalised, else ghcr.io. */
	if (memchr(rawhost, '\0', hlen) != NULL || server_normalise(rawhost, host) != GHCR_OK)
		snprintf(host, sizeof(host), "ghcr.io");
	ghcr_error_clear();

	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		check_sanitiser(value, vlen, outsize, modes[m]);
		check_sanitiser(value, vlen, vlen + 1, modes[m]);
	}
	check_error_words(value, vlen, outsize);
	/* The parsers take C strings: a NUL inside ends the header. */
	check_challenge(value, host);
	check_realm(value, host);
	check_expiry(value);
	check_scopes(value);
	free(value);
	return 0;
}
