/*
 * Reads gh's hosts.yml (see ghcli.h).  The file is simple, machine-written
 * YAML: a top-level "HOST:" line per server and "key: value" lines indented
 * under it, and since gh 2.40 a "users:" map with one key per account
 * (holding that account's oauth_token only when gh keeps tokens in the
 * file).  This reader understands exactly that shape and nothing more;
 * anything else is "not found", never a guess.  The file holds tokens, so
 * it is read into secmem memory and wiped.
 */
#include "ghcli.h"
#include "errors.h"
#include "fs.h"
#include "github.h"
#include "lines.h"
#include "secmem.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* hosts.yml is a few hundred bytes; refuse anything absurd. */
#define GHCLI_MAX_FILE (64 * 1024)

/* hosts.yml's lines are short: "oauth_token: TOKEN" at most. */
#define GHCLI_MAX_LINE 4096

/*
 * The parsers below cut lines with the one line reader.  They are handed
 * either the file, which read_hosts_file() has already cut once with the
 * limits (so no line can fail here), or a fuzzer's bytes: with no limit
 * and no refused byte, lines_next() never fails.
 */
static void
lines_all(struct lines *ls, const char *p, const char *end)
{
	lines_start(ls, p, (size_t)(end - p), (size_t)-1, 0, NULL);
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

void
ghcli_login_clear(struct ghcli_login *login)
{
	secmem_free(login->user);
	secmem_free(login->token);
	memset(login, 0, sizeof(*login));
}

/* Leading spaces of a line (tabs are not YAML indentation). */
static size_t
indent_of(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && p[i] == ' ')
		i++;
	return i;
}

/*
 * The lines under the top-level key "HOST:" (HOST exactly, nothing after
 * the colon): *start and *end bound them.  0 when the file has no such key.
 */
static int
host_block(const char *buf, size_t len, const char *host, const char **start,
	   const char **end)
{
	size_t hlen = strlen(host), n;
	struct lines ls;
	const char *p;

	*start = *end = NULL;
	lines_all(&ls, buf, buf + len);
	while (lines_next(&ls, &p, &n) == 1) {
		if (*start != NULL && n > 0 && indent_of(p, n) == 0 &&
		    !is_blank(p, n)) {
			*end = p;
			return 1;
		}
		if (*start == NULL && n >= hlen + 1 && memcmp(p, host, hlen) == 0 &&
		    p[hlen] == ':' && is_blank(p + hlen + 1, n - hlen - 1))
			*start = ls.p; /* the next line */
	}
	if (*start == NULL)
		return 0;
	*end = buf + len;
	return 1;
}

/* A key of its own on a line ("octocat:" or "octocat: {}"): its name. */
static const char *
key_only(const char *line, size_t n, size_t *klen)
{
	const char *colon = memchr(line, ':', n), *rest;
	size_t left;

	if (colon == NULL || colon == line)
		return NULL;
	rest = colon + 1;
	left = n - (size_t)(rest - line);
	while (left > 0 && (*rest == ' ' || *rest == '\t')) {
		rest++;
		left--;
	}
	if (!(is_blank(rest, left) || (left >= 2 && memcmp(rest, "{}", 2) == 0 &&
	    is_blank(rest + 2, left - 2))))
		return NULL;
	for (const char *c = line; c < colon; c++)
		if ((unsigned char)*c <= 0x20 || *c == 0x7f)
			return NULL;
	*klen = (size_t)(colon - line);
	return line;
}

/*
 * Scans a host's block: the host's own `user` and `oauth_token` (at the
 * first indentation), and, when `account` is given, the `oauth_token`
 * of that account under `users:` (gh 2.40 and later).
 */
static void
scan_block(const char *p, const char *end, const char *account, size_t alen,
	   const char **user, size_t *ulen, const char **token, size_t *tlen,
	   const char **acct_token, size_t *atlen)
{
	size_t child = 0, user_indent = 0, n;
	int in_users = 0, in_account = 0;
	struct lines ls;

	lines_all(&ls, p, end);
	while (lines_next(&ls, &p, &n) == 1) {
		size_t ind = indent_of(p, n), vlen, klen;
		const char *line = p + ind, *v;

		if (is_blank(line, n - ind))
			continue;
		if (child == 0)
			child = ind;
		if (ind == child) {
			in_users = key_only(line, n - ind, &klen) != NULL &&
			    klen == 5 && memcmp(line, "users", 5) == 0;
			user_indent = 0;
			in_account = 0;
			if ((v = match_key(line, n - ind, "oauth_token", &vlen)) != NULL) {
				*token = v;
				*tlen = vlen;
			} else if ((v = match_key(line, n - ind, "user", &vlen)) != NULL) {
				*user = v;
				*ulen = vlen;
			}
		} else if (in_users && ind > child && account != NULL) {
			if (user_indent == 0)
				user_indent = ind;
			if (ind == user_indent) {
				v = key_only(line, n - ind, &klen);
				in_account = v != NULL && klen == alen &&
				    memcmp(v, account, alen) == 0;
			} else if (in_account && ind > user_indent &&
			    (v = match_key(line, n - ind, "oauth_token", &vlen)) != NULL) {
				*acct_token = v;
				*atlen = vlen;
			}
		}
	}
}

int
ghcli_parse_hosts(const char *buf, size_t len, const char *github_host,
		  int want_token, struct ghcli_login *out)
{
	const char *start, *end, *u = NULL, *t = NULL, *at = NULL;
	size_t ulen = 0, tlen = 0, atlen = 0;

	memset(out, 0, sizeof(*out));
	if (!host_block(buf, len, github_host, &start, &end))
		return GHCR_ERR_NOT_FOUND;
	scan_block(start, end, NULL, 0, &u, &ulen, &t, &tlen, &at, &atlen);
	/* gh 2.40 keeps the active account's token at the host too; an
	 * older or hand-edited file may have it only under users:. */
	if (t == NULL && u != NULL) {
		char account[256];

		if (ulen >= sizeof(account))
			return GHCR_ERR_NOT_FOUND;
		memcpy(account, u, ulen);
		account[ulen] = '\0';
		scan_block(start, end, account, ulen, &u, &ulen, &t, &tlen, &at,
		    &atlen);
		t = at;
		tlen = atlen;
	}
	if (t == NULL && u == NULL)
		return GHCR_ERR_NOT_FOUND;
	out->in_file = t != NULL;
	out->user = u != NULL ? secmem_strndup(u, ulen) :
	    secmem_strdup("x-access-token");
	if (want_token && t != NULL)
		out->token = secmem_strndup(t, tlen);
	if (out->user == NULL || (want_token && t != NULL && out->token == NULL)) {
		ghcli_login_clear(out);
		return GHCR_ERR_NO_MEMORY;
	}
	return GHCR_OK;
}

int
ghcli_parse_servers(const char *buf, size_t len, char servers[][SERVER_MAX],
		    int max)
{
	const char *p, *start, *end;
	char host[SERVER_MAX];
	struct ghcli_login login;
	struct lines ls;
	size_t ln;
	int n = 0;

	lines_all(&ls, buf, buf + len);
	while (n < max && lines_next(&ls, &p, &ln) == 1) {
		const char *k = NULL;
		size_t klen;

		if (ln > 0 && p[0] != ' ' && p[0] != '#')
			k = key_only(p, ln, &klen);
		if (k == NULL || klen >= sizeof(host))
			continue;
		memcpy(host, k, klen);
		host[klen] = '\0';
		if (!github_host_is_plain(host) ||
		    !host_block(buf, len, host, &start, &end))
			continue;
		if (ghcli_parse_hosts(buf, len, host, 0, &login) != GHCR_OK)
			continue;
		ghcli_login_clear(&login);
		memcpy(servers[n++], host, klen + 1);
	}
	return n;
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

/*
 * hosts.yml into secmem memory; GHCR_ERR_NOT_FOUND when gh has none.  A
 * file that is there but cannot be used (a FIFO or a device, too large,
 * unreadable, a line over the limit or with a NUL byte) is
 * GHCR_ERR_UNAVAILABLE with a detail: gh's login is then passed over with
 * one line saying why, and nothing in the file is used.
 */
static int
read_hosts_file(char **buf, size_t *len)
{
	char path[PATH_MAX];
	const char *line;
	struct lines ls;
	struct stat st;
	size_t n;
	int fd, r;

	*buf = NULL;
	if (hosts_file_path(path, sizeof(path)) != 0)
		return GHCR_ERR_NOT_FOUND;
	if ((r = fs_open_read(path, "gh's hosts file", FS_PUBLIC, GHCLI_MAX_FILE,
	    &fd, &st)) != GHCR_OK)
		return r == GHCR_ERR_NOT_FOUND ? r : GHCR_ERR_UNAVAILABLE;
	r = fs_read_fd(fd, path, GHCLI_MAX_FILE, (size_t)st.st_size, 1, buf, len);
	close(fd);
	if (r != GHCR_OK)
		return r == GHCR_ERR_NO_MEMORY ? r : GHCR_ERR_UNAVAILABLE;
	lines_start(&ls, *buf, *len, GHCLI_MAX_LINE, LINES_NO_NUL, path);
	while ((r = lines_next(&ls, &line, &n)) == 1)
		;
	if (r != 0) {
		secmem_free(*buf);
		*buf = NULL;
		return GHCR_ERR_UNAVAILABLE;
	}
	return GHCR_OK;
}

int
ghcli_login(const char *github_host, int want_token, struct ghcli_login *out)
{
	char *buf;
	size_t len;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = read_hosts_file(&buf, &len)) != GHCR_OK)
		return r;
	r = ghcli_parse_hosts(buf, len, github_host, want_token, out);
	secmem_free(buf);
	return r;
}

int
ghcli_servers(char servers[][SERVER_MAX], int max)
{
	char *buf;
	size_t len;
	int n;

	if (read_hosts_file(&buf, &len) != GHCR_OK) {
		ghcr_error_clear(); /* list says nothing of gh's file */
		return 0;
	}
	n = ghcli_parse_servers(buf, len, servers, max);
	secmem_free(buf);
	return n;
}
