/*
 * Server-address normalisation (see server.h).  The key decides which
 * credential a client gets, and whether a GitHub token may be sent at all,
 * so anything that could make one host look like another is refused
 * instead of being "cleaned up": "ghcr.io@evil.com", "ghcr.io%2eevil.com",
 * "ghcr.io\evil.com" are errors, never "ghcr.io".
 */
#include "server.h"
#include "errors.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\f' || c == '\v';
}

/* Host-name characters; '_' is allowed because private registries use it. */
static int
is_host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

static int
check_ipv6_literal(const char *p, size_t n)
{
	/* "[" hex digits, colons and dots (IPv4-mapped) "]"; a zone id
	 * ("%eth0") is refused with every other percent sign. */
	if (n < 3 || p[0] != '[' || p[n - 1] != ']')
		return -1;
	for (size_t i = 1; i + 1 < n; i++)
		if (!isxdigit((unsigned char)p[i]) && p[i] != ':' && p[i] != '.')
			return -1;
	return 0;
}

static int
check_port(const char *p, size_t n)
{
	unsigned long port = 0;

	if (n == 0 || n > 5)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		port = port * 10 + (unsigned long)(p[i] - '0');
	}
	return port >= 1 && port <= 65535 ? 0 : -1;
}

static int
check_host_name(const char *p, size_t n)
{
	if (n == 0 || n > 253 || p[0] == '.' || p[0] == '-')
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!is_host_char(p[i]))
			return -1;
		if (p[i] == '.' && i + 1 < n && p[i + 1] == '.')
			return -1;
	}
	return 0;
}

int
server_normalise(const char *url, char out[SERVER_MAX])
{
	const char *start, *end, *authority, *colon;
	size_t len, host_len;

	out[0] = '\0';
	if (url == NULL)
		return GHCR_ERR_NO_SERVER;
	start = url;
	while (is_space(*start))
		start++;
	end = start + strlen(start);
	while (end > start && is_space(end[-1]))
		end--;
	if (end == start)
		return GHCR_ERR_NO_SERVER;

	for (const char *p = start; p < end; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x21 || c >= 0x7f)
			return ghcr_fail(GHCR_ERR_BAD_SERVER, "invalid server URL: "
			    "white space, control or non-ASCII character");
		if (c == '@' || c == '?' || c == '#' || c == '%' || c == '\\')
			return ghcr_fail(GHCR_ERR_BAD_SERVER, "invalid server URL: "
			    "'%c' is not allowed in a registry address", c);
	}

	authority = start;
	if (end - start >= 3 && memmem(start, (size_t)(end - start), "://", 3) != NULL) {
		if ((size_t)(end - start) > 8 && strncasecmp(start, "https://", 8) == 0)
			authority = start + 8;
		else if ((size_t)(end - start) > 7 && strncasecmp(start, "http://", 7) == 0)
			authority = start + 7;
		else
			return ghcr_fail(GHCR_ERR_BAD_SERVER, "invalid server URL: "
			    "only http:// and https:// are registry schemes");
	}
	/* Everything from the first '/' on is a path: dropped. */
	len = strcspn(authority, "/");
	if (authority + len > end)
		len = (size_t)(end - authority);
	if (len == 0)
		return ghcr_fail(GHCR_ERR_BAD_SERVER,
		    "invalid server URL: no host name");
	if (len >= SERVER_MAX)
		return ghcr_fail(GHCR_ERR_BAD_SERVER,
		    "invalid server URL: host name too long");

	if (authority[0] == '[') {
		const char *close = memchr(authority, ']', len);

		if (close == NULL)
			return ghcr_fail(GHCR_ERR_BAD_SERVER,
			    "invalid server URL: unterminated IPv6 address");
		host_len = (size_t)(close - authority) + 1;
		if (check_ipv6_literal(authority, host_len) != 0)
			return ghcr_fail(GHCR_ERR_BAD_SERVER,
			    "invalid server URL: bad IPv6 address");
		colon = host_len < len ? authority + host_len : NULL;
		if (colon != NULL && *colon != ':')
			return ghcr_fail(GHCR_ERR_BAD_SERVER,
			    "invalid server URL: junk after IPv6 address");
	} else {
		colon = memchr(authority, ':', len);
		host_len = colon != NULL ? (size_t)(colon - authority) : len;
		if (check_host_name(authority, host_len) != 0)
			return ghcr_fail(GHCR_ERR_BAD_SERVER,
			    "invalid server URL: bad host name");
	}
	if (colon != NULL &&
	    check_port(colon + 1, len - (size_t)(colon + 1 - authority)) != 0)
		return ghcr_fail(GHCR_ERR_BAD_SERVER,
		    "invalid server URL: bad port");

	for (size_t i = 0; i < len; i++)
		out[i] = (char)tolower((unsigned char)authority[i]);
	out[len] = '\0';
	return GHCR_OK;
}
