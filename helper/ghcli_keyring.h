/*
 * The token the GitHub CLI keeps in the system keyring (gh 2.24 and
 * later, the default since 2.26), for a login hosts.yml names without a
 * token.  Read through the Secret Service module's lookup, so only a
 * machine whose gh login is in the keyring ever loads libsecret for it.
 */
#ifndef GHCR_GHCLI_KEYRING_H
#define GHCR_GHCLI_KEYRING_H

/*
 * Reads gh's token for GitHub server `github_host` and account `login`:
 * the item gh keeps for that account, else the one for its active
 * account (username "", gh 2.26 to 2.39 keep only that one).  *token is
 * a secmem string the caller frees.  GHCR_ERR_NOT_FOUND when the keyring
 * has neither; GHCR_ERR_UNAVAILABLE or GHCR_ERR_LOCKED, with a detail,
 * when the keyring cannot be read here and now (never after a prompt:
 * none is shown).
 */
int ghcli_keyring_token(const char *github_host, const char *login,
			char **token);

#endif
