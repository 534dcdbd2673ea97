/*
 * Everything the helper is told by its environment and its configuration
 * file, resolved once per run: where the file store lives, which backend
 * is configured, which hosts are GitHub registries, whether we are inside
 * GitHub Actions.  Environment variables (DOCKER_CREDENTIAL_GHCR_*) win over
 * the file ($XDG_CONFIG_HOME/docker-credential-ghcr/config).
 */
#ifndef GHCR_SETTINGS_H
#define GHCR_SETTINGS_H

#include <limits.h>

#include "server.h"
#include "store.h"

#define SETTINGS_MAX_HOSTS 16

struct settings {
	/* "auto" or a backend's name, as configured (store_setting_check()). */
	char backend_setting[16];
	int in_actions;             /* GITHUB_ACTIONS=true */
	int job_scoped;             /* file store under RUNNER_TEMP */
	int gh_cli;                 /* the GitHub CLI login is a source */
	int system;                 /* the node's settings (see
				     * settings_load_system()) */

	/* The paths point into static storage of settings.c, valid until
	 * the next settings_load(): packed there, a run touches one page for
	 * all of them instead of one per PATH_MAX array. */
	const char *store_path;
	const char *key_path;
	const char *passphrase_path; /* empty: random key file */
	const char *config_path;     /* the file read, or would be */

	/* The GitHub server the ambient token belongs to ("github.com", a
	 * GHES host, or "SUB.ghe.com"), from GITHUB_SERVER_URL or config. */
	char github_host[SERVER_MAX];
	/* Registry hosts added by configuration (DOCKER_CREDENTIAL_GHCR_HOSTS). */
	char extra_hosts[SETTINGS_MAX_HOSTS][SERVER_MAX];
	int n_extra_hosts;
};

/* The value of environment variable `name`, or NULL when unset or empty. */
const char *settings_getenv(const char *name);

/* $HOME, else the password database's home directory; NULL when neither. */
const char *settings_home_dir(void);

/*
 * Fills *s from the environment and the configuration file.  Returns
 * GHCR_OK, or GHCR_ERR_CONFIG with a detail naming the bad setting.
 */
int settings_load(struct settings *s);

/*
 * The same for the node rather than a person (the kubelet provider, and
 * `login --system` for the operator who logs the node in): no HOME is
 * needed or read.  The configuration file is
 * SETTINGS_SYSTEM_CONFIG_DIR/docker-credential-ghcr/config, the file store
 * SETTINGS_SYSTEM_DATA_DIR/docker-credential-ghcr/credentials with its key
 * in SETTINGS_SYSTEM_CONFIG_DIR/docker-credential-ghcr/key; the backend is
 * the file store and the GitHub CLI source is off unless configured;
 * DOCKER_CREDENTIAL_GHCR_* variables still win.
 */
#define SETTINGS_SYSTEM_CONFIG_DIR "/etc"
#define SETTINGS_SYSTEM_DATA_DIR "/var/lib"
int settings_load_system(struct settings *s);

/* The store_location the file backend is opened with; points into *s. */
void settings_file_location(const struct settings *s,
			    struct store_location *where);

#endif
