/*
 * The GitHub CLI's logins as its hosts.yml names them: for each GitHub
 * server, the active account and, when gh keeps it in the file, its token.
 * When gh keeps the token in the system keyring (gh 2.24 and later, the
 * default since 2.26) the file names the account only; ghcli_keyring.h
 * reads the token from there.
 */
#ifndef GHCR_GHCLI_H
#define GHCR_GHCLI_H

#include <stddef.h>

#include "server.h"
#include "settings.h"

/* One GitHub server's login in hosts.yml. */
struct ghcli_login {
	char *user;  /* secmem: the active account; "x-access-token" when
		      * the file names a token but no account */
	char *token; /* secmem, or NULL: not asked for, or not in the file */
	int in_file; /* 1: the token is in hosts.yml; 0: gh keeps it in the
		      * system keyring */
};

/* Wipes and frees what *login holds; accepts an empty one. */
void ghcli_login_clear(struct ghcli_login *login);

/*
 * Finds the login for GitHub server `github_host` in the hosts.yml text
 * buf[0..len): the host's `user` (the active account) and its
 * `oauth_token`, else the token under `users: USER:` (gh 2.40's layout).
 * The token is copied only when `want_token`.  GHCR_OK when the host
 * names an account or a token; GHCR_ERR_NOT_FOUND when it names neither.
 */
int ghcli_parse_hosts(const char *buf, size_t len, const char *github_host,
		      int want_token, struct ghcli_login *out);

/*
 * Writes the GitHub servers buf[0..len) holds a login for, in file order,
 * into servers[0..max) and returns how many.  Only plain lower-case host
 * names count (see github_host_is_plain()).
 */
int ghcli_parse_servers(const char *buf, size_t len,
			char servers[][SERVER_MAX], int max);

/*
 * The same two, reading $GH_CONFIG_DIR/hosts.yml (else
 * $XDG_CONFIG_HOME/gh, ~/.config/gh).  A missing file is
 * GHCR_ERR_NOT_FOUND; one that cannot be used (not a regular file, too
 * large, unreadable, a line over the limit) is GHCR_ERR_UNAVAILABLE with a
 * detail (ghcli_login), or no servers (ghcli_servers).
 */
int ghcli_login(const char *github_host, int want_token,
		struct ghcli_login *out);
int ghcli_servers(char servers[][SERVER_MAX], int max);

#endif
