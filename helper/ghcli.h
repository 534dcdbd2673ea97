/*
 * The GitHub CLI's stored login (gh's hosts.yml), the last credential
 * source.  Only logins that gh keeps in the file are seen; logins that gh
 * keeps in the system keyring are left alone.
 */
#ifndef GHCR_GHCLI_H
#define GHCR_GHCLI_H

#include <stddef.h>

#include "settings.h"

/*
 * Finds the login for GitHub server `github_host` in the hosts.yml text
 * buf[0..len).  On success *user and *token are secmem strings the caller
 * frees (token NULL when `want_token` is 0, so a listing copies no
 * secret).  Returns GHCR_OK or GHCR_ERR_NOT_FOUND.
 */
int ghcli_parse_hosts(const char *buf, size_t len, const char *github_host,
		      int want_token, char **user, char **token);

/*
 * The same, reading $GH_CONFIG_DIR/hosts.yml (or $XDG_CONFIG_HOME/gh,
 * ~/.config/gh).  GHCR_ERR_NOT_FOUND when gh has no file login there.
 */
int ghcli_login(const char *github_host, int want_token, char **user,
		char **token);

#endif
