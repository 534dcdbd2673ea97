/*
 * configure: points Docker (and on request podman, skopeo, buildah) at this
 * helper for the GitHub registries by adding credHelpers entries, and takes
 * the plaintext logins that `docker login` left in the file for those hosts
 * into the store.  A plaintext login leaves the file only after the store
 * has it, so no run of configure, however interrupted, loses a login.
 */
#include "cmd_common.h"
#include "commands.h"
#include "docker_config.h"
#include "errors.h"
#include "github.h"
#include "secmem.h"

#include <stdio.h>
#include <string.h>

struct configure_args {
	char hosts[CMD_MAX_HOSTS][SERVER_MAX];
	int nhosts;
	int podman;
	int dry_run;
};

static void
configure_usage(FILE *f)
{
	fprintf(f, "Usage: " PROGRAM_NAME " configure [--registries H,...] [--podman] [--dry-run]\n\n"
	    "Adds credHelpers entries for the GitHub registries to Docker's config.json\n"
	    "($DOCKER_CONFIG/config.json, else ~/.docker/config.json) and moves plaintext\n"
	    "logins for them from the file into the credential store.\n\n"
	    "Options:\n"
	    "  --registries H,...  the registries to configure (default: ghcr.io,\n"
	    "                      docker.pkg.github.com and the configured GitHub\n"
	    "                      server's registries)\n"
	    "  --podman            also edit containers' auth.json (podman, skopeo, buildah)\n"
	    "  --dry-run           show what would change, change nothing\n"
	    "  -h, --help          show this help\n");
}

static int
parse_registries(const char *list, struct configure_args *a)
{
	char buf[4096], *save = NULL, *item;

	if (snprintf(buf, sizeof(buf), "%s", list) >= (int)sizeof(buf))
		return ghcr_fail(GHCR_ERR_BAD_INPUT, "--registries: list too long");
	for (item = strtok_r(buf, ", ", &save); item != NULL;
	    item = strtok_r(NULL, ", ", &save)) {
		if (a->nhosts == CMD_MAX_HOSTS)
			return ghcr_fail(GHCR_ERR_BAD_INPUT, "--registries: at most "
			    "%d registries", CMD_MAX_HOSTS);
		if (server_normalise(item, a->hosts[a->nhosts]) != GHCR_OK)
			return ghcr_fail(GHCR_ERR_BAD_INPUT, "--registries: '%.64s' "
			    "is not a registry host", item);
		a->nhosts++;
	}
	if (a->nhosts == 0)
		return ghcr_fail(GHCR_ERR_BAD_INPUT, "--registries: no registry given");
	return GHCR_OK;
}

static int
parse_configure_args(int argc, char **argv, struct configure_args *a)
{
	int r;

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (strcmp(arg, "--podman") == 0)
			a->podman = 1;
		else if (strcmp(arg, "--dry-run") == 0 || strcmp(arg, "-n") == 0)
			a->dry_run = 1;
		else if (strcmp(arg, "--registries") == 0) {
			if (++i == argc)
				return ghcr_fail(GHCR_ERR_BAD_INPUT,
				    "--registries needs a list of hosts");
			if ((r = parse_registries(argv[i], a)) != GHCR_OK)
				return r;
		} else if (strncmp(arg, "--registries=", 13) == 0) {
			if ((r = parse_registries(arg + 13, a)) != GHCR_OK)
				return r;
		} else
			return ghcr_fail(GHCR_ERR_BAD_INPUT, "configure: unknown "
			    "argument '%.32s'; see " PROGRAM_NAME " configure --help", arg);
	}
	return GHCR_OK;
}

static void
print_login(const struct plaintext_login *l, const char *store, int dry_run)
{
	const char *user = l->cred.username;

	switch (l->outcome) {
	case LOGIN_FOUND:
		printf("  auths: would move the plaintext login for %s (user %s) "
		    "into %s\n", l->key, user, store);
		break;
	case LOGIN_MOVED:
		printf("  auths: moved the plaintext login for %s (user %s) into "
		    "%s and removed it from the file\n", l->key, user, store);
		break;
	case LOGIN_DUPLICATE:
		printf("  auths: %s the duplicate plaintext login under \"%s\"\n",
		    dry_run ? "would remove" : "removed", l->key);
		break;
	case LOGIN_CONFLICT:
		printf("  auths: kept the plaintext login under \"%s\": it differs "
		    "from the one moved for %s; remove it by hand\n", l->key,
		    l->cred.server);
		break;
	case LOGIN_UNREADABLE:
		printf("  auths: kept \"%s\": %s\n", l->key, l->why);
		break;
	case LOGIN_FAILED:
		printf("  auths: kept the plaintext login for %s: the store "
		    "refused it: %s\n", l->key, l->why);
		break;
	}
}

static int
configure_file(const char *path, const struct configure_args *a,
	       struct resolver *res, int *failed_logins)
{
	struct docker_config cfg;
	struct plaintext_login *logins = NULL;
	char was[64];
	const char *store;
	int nlogins = 0, r;

	if ((r = docker_config_load(path, &cfg)) != GHCR_OK)
		return r;
	if (!a->dry_run && (r = docker_config_check_writable(&cfg)) != GHCR_OK)
		goto out;
	printf("%s%s:\n", path, cfg.exists ? "" : " (new file)");
	if (strcmp(path, cfg.target) != 0)
		printf("  (a link to %s, which is edited)\n", cfg.target);
	for (int i = 0; i < a->nhosts; i++) {
		int changed_before = cfg.changed;

		cfg.changed = 0;
		if ((r = docker_config_set_helper(&cfg, a->hosts[i],
		    DOCKER_CONFIG_HELPER_NAME, was)) != GHCR_OK)
			goto out;
		if (!cfg.changed)
			printf("  credHelpers: %s -> %s (already set)\n", a->hosts[i],
			    DOCKER_CONFIG_HELPER_NAME);
		else if (was[0] != '\0')
			printf("  credHelpers: %s -> %s (%s; was %s)\n", a->hosts[i],
			    DOCKER_CONFIG_HELPER_NAME, a->dry_run ? "would change" :
			    "changed", was);
		else
			printf("  credHelpers: %s -> %s (%s)\n", a->hosts[i],
			    DOCKER_CONFIG_HELPER_NAME, a->dry_run ? "would add" : "added");
		cfg.changed |= changed_before;
	}

	if ((r = docker_config_logins(&cfg, (const char (*)[SERVER_MAX])a->hosts,
	    a->nhosts, &logins, &nlogins)) != GHCR_OK)
		goto out;
	if (nlogins > 0 && !a->dry_run && (r = resolver_open_backend(res)) != GHCR_OK)
		goto out;
	store = resolver_title(res);
	if (nlogins > 0 && (r = docker_config_migrate(&cfg, logins, nlogins,
	    res, a->dry_run)) != GHCR_OK)
		goto out;
	for (int i = 0; i < nlogins; i++) {
		print_login(&logins[i], store, a->dry_run);
		if (logins[i].outcome == LOGIN_FAILED)
			(*failed_logins)++;
	}

	if (a->dry_run)
		printf("  %s (--dry-run)\n", cfg.changed ? "not written" : "nothing to change");
	else if (!cfg.changed)
		printf("  unchanged\n");
	else {
		if ((r = docker_config_save(&cfg)) != GHCR_OK)
			goto out;
		printf("  written (mode %04o)\n", (unsigned)cfg.mode);
	}
	r = GHCR_OK;
out:
	docker_config_logins_free(logins, nlogins);
	docker_config_free(&cfg);
	return r;
}

int
cmd_configure(int argc, char **argv, struct resolver *res)
{
	struct configure_args *a;
	char docker[PATH_MAX], podman[2][PATH_MAX], found[PATH_MAX];
	int npodman = 0, failed = 0, same, r;

	if (cmd_wants_help(argc, argv)) {
		configure_usage(stdout);
		return GHCR_OK;
	}
	/* ~70 KiB of host names: too much for the stack of a small device. */
	if ((a = secmem_alloc(sizeof(*a))) == NULL)
		return GHCR_ERR_NO_MEMORY;
	if ((r = parse_configure_args(argc, argv, a)) != GHCR_OK)
		goto out;
	if (a->nhosts == 0)
		a->nhosts = github_all_registries(res->settings, a->hosts, CMD_MAX_HOSTS);
	if ((r = docker_config_default_path(docker)) != GHCR_OK ||
	    (a->podman && (r = containers_auth_paths(podman, &npodman)) != GHCR_OK))
		goto out;
	if ((r = configure_file(docker, a, res, &failed)) != GHCR_OK)
		goto out;
	for (int i = 0; i < npodman; i++)
		if ((r = configure_file(podman[i], a, res, &failed)) != GHCR_OK)
			goto out;

	/* Docker runs helpers by name: one it cannot find fails every pull. */
	if (!cmd_helper_on_path(found, &same))
		fprintf(stderr, "warning: " PROGRAM_NAME " is not on PATH, so Docker "
		    "cannot run it; install it (make install) or add its directory "
		    "to PATH\n");
	else if (!same)
		fprintf(stderr, "note: Docker will run %s, not this program\n", found);
	if (failed > 0)
		r = ghcr_fail(GHCR_ERR_UNAVAILABLE, "%d plaintext login%s could not "
		    "be stored and stay in the file", failed, failed == 1 ? "" : "s");
	else
		r = GHCR_OK;
out:
	secmem_free(a);
	return r;
}
