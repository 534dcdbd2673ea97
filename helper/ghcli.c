/*
 * Reads gh's hosts.yml (see ghcli.h).  The file is simple, machine-written
 * YAML: a top-level "HOST:" line per server and "key: value" lines indented
 * under it.  This reader understands exactly that shape and nothing more;
 * anything else is "not found", never a guess.  The file holds tokens, so
 * it is read into secmem memory and wiped.
 */
#include "ghcli.h"
#include "errors.h"
#include "protocol.h"
#include "secmem.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* hosts.yml is a few hundred bytes; refuse anything absurd. */
#define GHCLI_MAX_FILE (64 * 1024)

static size_t
line_length(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	return nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
}

static int
is_blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return 0;
	return 1;
}

/* Value of "key: value" on a line, unquoted; NULL when the key differs. */
static const char *
match_key(const char *line, size_t n, const char *key, size_t *vlen)
{
	size_t klen = strlen(key);
	const char *v, *e;

	if (n <= klen + 1 || memcmp(line, key, klen) != 0 || line[klen] != ':')
		return NULL;
	v = line + klen + 1;
	e = line + n;
	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	while (e > v && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	if (e - v >= 2 && ((*v == '"' && e[-1] == '"') || (*v == '\'' && e[-1] == '\''))) {
		v++;
		e--;
	}
	*vlen = (size_t)(e - v);
	/* gh writes plain printable values; anything else is not a login we
	 * could pass on (a NUL would also cut the copy short). */
	for (const char *c = v; c < e; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return NULL;
	return *vlen > 0 ? v : NULL;
}

int
ghcli_parse_hosts(const char *buf, size_t len, const char *github_host,
		  int want_token, char **user, char **token)
{
	const char *p = buf, *end = buf + len, *u = NULL, *t = NULL;
	size_t hlen = strlen(github_host), ulen = 0, tlen = 0, child_indent = 0;
	int in_host = 0;

	*user = *token = NULL;
	while (p < end) {
		size_t n = line_length(p, end), indent = 0;
		const char *v;
		size_t vlen;

		while (indent < n && p[indent] == ' ')
			indent++;
		if (indent == 0 && n > 0) {
			/* A top-level key: is it our host? */
			in_host = n >= hlen + 1 && memcmp(p, github_host, hlen) == 0 &&
			    p[hlen] == ':' && is_blank(p + hlen + 1, n - hlen - 1);
			child_indent = 0;
		} else if (in_host && indent < n) {
			/* Only the host's own keys, not those of nested users. */
			if (child_indent == 0)
				child_indent = indent;
			if (indent == child_indent) {
				if ((v = match_key(p + indent, n - indent, "oauth_token", &vlen)) != NULL) {
					t = v;
					tlen = vlen;
				} else if ((v = match_key(p + indent, n - indent, "user", &vlen)) != NULL) {
					u = v;
					ulen = vlen;
				}
			}
		}
		p += n + 1;
	}
	if (t == NULL)
		return GHCR_ERR_NOT_FOUND;
	*user = u != NULL ? secmem_strndup(u, ulen) : secmem_strdup("x-access-token");
	if (want_token)
		*token = secmem_strndup(t, tlen);
	if (*user == NULL || (want_token && *token == NULL)) {
		secmem_free(*user);
		secmem_free(*token);
		*user = *token = NULL;
		return GHCR_ERR_NO_MEMORY;
	}
	return GHCR_OK;
}

static int
hosts_file_path(char *out, size_t outlen)
{
	const char *dir = getenv("GH_CONFIG_DIR"), *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	int n;

	if (dir != NULL && dir[0] != '\0')
		n = snprintf(out, outlen, "%s/hosts.yml", dir);
	else if (xdg != NULL && xdg[0] == '/')
		n = snprintf(out, outlen, "%s/gh/hosts.yml", xdg);
	else if (home != NULL && home[0] != '\0')
		n = snprintf(out, outlen, "%s/.config/gh/hosts.yml", home);
	else
		return -1;
	return n > 0 && (size_t)n < outlen ? 0 : -1;
}

int
ghcli_login(const char *github_host, int want_token, char **user, char **token)
{
	char path[PATH_MAX], *buf = NULL;
	size_t len;
	int fd, r;

	*user = *token = NULL;
	if (hosts_file_path(path, sizeof(path)) != 0)
		return GHCR_ERR_NOT_FOUND;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return GHCR_ERR_NOT_FOUND;
	r = protocol_read_all(fd, GHCLI_MAX_FILE, &buf, &len);
	close(fd);
	/* An unreadable or oversized gh file is gh's business: not found. */
	if (r != GHCR_OK) {
		ghcr_error_clear();
		return GHCR_ERR_NOT_FOUND;
	}
	r = ghcli_parse_hosts(buf, len, github_host, want_token, user, token);
	secmem_free(buf);
	return r;
}
