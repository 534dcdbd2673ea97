/*
 * configure: points Docker (and on request podman, skopeo, buildah) at this
 * helper for the GitHub registries by adding credHelpers entries, and takes
 * the plaintext logins that `docker login` left in the file for those hosts
 * into the store (migrate.c says when and how).  Each file is loaded,
 * edited and saved as one step, repeated when another program wrote the
 * file in between, and reported once it is done.
 */
#include "cmd_common.h"
#include "commands.h"
#include "docker_config.h"
#include "errors.h"
#include "github.h"
#include "migrate.h"
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
	case LOGIN_LEFT:
		printf("  auths: left the plaintext login for %s (user %s) in the "
		    "file: %s\n", l->key, user, l->why);
		break;
	}
}

/* How many times a file that keeps changing under us is read again. */
#define CONFIGURE_ATTEMPTS 3

/* One file's edit, kept for the report printed once it is saved. */
struct file_edit {
	struct docker_config cfg;
	struct plaintext_login *logins;
	int nlogins;
	int existed;          /* the file existed when read */
	int helper_changed[CMD_MAX_HOSTS];
	char was[CMD_MAX_HOSTS][64];
};

static void
file_edit_free(struct file_edit *e)
{
	docker_config_logins_free(e->logins, e->nlogins);
	e->logins = NULL;
	e->nlogins = 0;
	docker_config_free(&e->cfg);
}

/* Loads `path` and applies configure's edits to it, in memory; the
 * logins moved into the store are written in `j`. */
static int
edit_file(const char *path, const struct configure_args *a,
	  struct resolver *res, struct file_edit *e, struct migrate_journal *j)
{
	const char *refusal;
	int r;

	if ((r = docker_config_load(path, &e->cfg)) != GHCR_OK)
		return r;
	e->existed = e->cfg.exists;
	if (!a->dry_run && (r = docker_config_check_writable(&e->cfg)) != GHCR_OK)
		return r;
	for (int i = 0; i < a->nhosts; i++) {
		int changed_before = e->cfg.changed;

		e->cfg.changed = 0;
		if ((r = docker_config_set_helper(&e->cfg, a->hosts[i],
		    DOCKER_CONFIG_HELPER_NAME, e->was[i])) != GHCR_OK)
			return r;
		e->helper_changed[i] = e->cfg.changed;
		e->cfg.changed |= changed_before;
	}
	if ((r = docker_config_logins(&e->cfg, (const char (*)[SERVER_MAX])a->hosts,
	    a->nhosts, &e->logins, &e->nlogins)) != GHCR_OK || e->nlogins == 0)
		return r;
	if ((refusal = migrate_refusal(res->settings)) != NULL) {
		migrate_leave(e->logins, e->nlogins, refusal);
		return GHCR_OK;
	}
	if (!a->dry_run && (r = resolver_open_backend(res)) != GHCR_OK)
		return r;
	return migrate_logins(&e->cfg, e->logins, e->nlogins, res, a->dry_run,
	    j);
}

static void
print_edit(const char *path, const struct configure_args *a,
	   const struct resolver *res, const struct file_edit *e)
{
	const char *store = resolver_title(res);

	printf("%s%s:\n", path, e->existed ? "" : " (new file)");
	if (strcmp(path, e->cfg.target) != 0)
		printf("  (a link to %s, which is edited)\n", e->cfg.target);
	for (int i = 0; i < a->nhosts; i++) {
		if (!e->helper_changed[i])
			printf("  credHelpers: %s -> %s (already set)\n", a->hosts[i],
			    DOCKER_CONFIG_HELPER_NAME);
		else if (e->was[i][0] != '\0')
			printf("  credHelpers: %s -> %s (%s; was %s)\n", a->hosts[i],
			    DOCKER_CONFIG_HELPER_NAME, a->dry_run ? "would change" :
			    "changed", e->was[i]);
		else
			printf("  credHelpers: %s -> %s (%s)\n", a->hosts[i],
			    DOCKER_CONFIG_HELPER_NAME, a->dry_run ? "would add" : "added");
	}
	for (int i = 0; i < e->nlogins; i++)
		print_login(&e->logins[i], store, a->dry_run);
}

/* The moves undone because the file finally written no longer held the
 * login (another program removed it meanwhile). */
static void
print_undone(const struct migrate_journal *j, const char *store)
{
	for (int i = 0; i < j->n; i++) {
		const struct migrate_put *p = &j->v[i];

		switch (p->settled) {
		case MIGRATE_UNDONE:
			printf("  auths: did not move the plaintext login for %s "
			    "(user %s): another program removed it from the file "
			    "meanwhile; %s is as it was\n", p->key,
			    p->put.username, store);
			break;
		case MIGRATE_STORE_CHANGED:
			printf("  auths: did not move the plaintext login for %s "
			    "(user %s): another program removed it from the file "
			    "meanwhile; %s holds a login stored since\n", p->key,
			    p->put.username, store);
			break;
		case MIGRATE_UNDO_FAILED:
			printf("  auths: the plaintext login for %s (user %s) was "
			    "removed from the file meanwhile, but stays in %s: "
			    "remove it with " PROGRAM_NAME " logout %s\n", p->key,
			    p->put.username, store, p->server);
			break;
		}
	}
}

static int
configure_file(const char *path, const struct configure_args *a,
	       struct resolver *res, int *failed_logins, int *stranded)
{
	struct migrate_journal j = { NULL, 0, 0 };
	struct file_edit *e;
	int r, attempt, saved = 0;

	if ((e = secmem_alloc(sizeof(*e))) == NULL)
		return GHCR_ERR_NO_MEMORY;
	/* A file another program writes while we edit it (docker login, say)
	 * is read and edited again, so its change is kept, not overwritten;
	 * what the first attempts moved into the store stays there only if
	 * the last one moves it too. */
	for (attempt = 1;; attempt++) {
		if ((r = edit_file(path, a, res, e, &j)) != GHCR_OK)
			goto out;
		if (a->dry_run || !e->cfg.changed)
			break;
		if ((r = docker_config_save(&e->cfg)) == GHCR_OK) {
			saved = 1;
			break;
		}
		if (r != GHCR_ERR_CHANGED)
			goto out;
		if (attempt == CONFIGURE_ATTEMPTS) {
			r = ghcr_fail(GHCR_ERR_CHANGED, "%s kept changing while "
			    "configure edited it; nothing was changed: run "
			    "configure again", path);
			goto out;
		}
		file_edit_free(e);
		memset(e, 0, sizeof(*e));
	}

	(void)migrate_settle(&j, e->logins, e->nlogins, saved, res);
	print_edit(path, a, res, e);
	print_undone(&j, resolver_title(res));
	for (int i = 0; i < e->nlogins; i++)
		if (e->logins[i].outcome == LOGIN_FAILED)
			(*failed_logins)++;
	for (int i = 0; i < j.n; i++)
		if (j.v[i].settled == MIGRATE_UNDO_FAILED)
			(*stranded)++;
	if (attempt > 1)
		printf("  read again: another program wrote the file meanwhile\n");
	if (a->dry_run)
		printf("  %s (--dry-run)\n", e->cfg.changed ? "not written" :
		    "nothing to change");
	else if (!saved)
		printf("  unchanged\n");
	else
		printf("  written (mode %04o)\n", (unsigned)e->cfg.mode);
	r = GHCR_OK;
out:
	if (r != GHCR_OK) {
		/* Nothing was written: nothing moved stays moved.  The
		 * failure is what is reported. */
		const char *d = ghcr_error_detail();
		char detail[512];
		int had = d != NULL;

		snprintf(detail, sizeof(detail), "%s", had ? d : "");
		(void)migrate_settle(&j, NULL, 0, 0, res);
		if (had)
			ghcr_fail(r, "%s", detail);
		else
			ghcr_error_clear();
	}
	migrate_journal_free(&j);
	file_edit_free(e);
	secmem_free(e);
	return r;
}

int
cmd_configure(int argc, char **argv, struct resolver *res)
{
	struct configure_args *a;
	char docker[PATH_MAX], podman[2][PATH_MAX], found[PATH_MAX];
	int npodman = 0, failed = 0, stranded = 0, same, r;

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
	if ((r = configure_file(docker, a, res, &failed, &stranded)) != GHCR_OK)
		goto out;
	for (int i = 0; i < npodman; i++)
		if ((r = configure_file(podman[i], a, res, &failed,
		    &stranded)) != GHCR_OK)
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
	else if (stranded > 0)
		r = ghcr_fail(GHCR_ERR_UNAVAILABLE, "%d login%s removed from the "
		    "file meanwhile could not be taken out of the store again; "
		    "see above", stranded, stranded == 1 ? "" : "s");
	else
		r = GHCR_OK;
out:
	secmem_free(a);
	return r;
}
