/*
 * login and logout: store or erase a registry login without Docker.  The
 * token is typed with echo off or piped in, never taken from argv (where
 * every user of ps could read it), checked against what GitHub Packages
 * accepts, and tried against the registry before it is stored (the token
 * exchange `check` does, in the check module): a token the registry
 * refuses is not stored, a working one is stored with its expiry, and
 * with no answer (or no check module in this build) it is stored with a
 * one-line warning.
 */
#include "check_module.h"
#include "cmd_common.h"
#include "commands.h"
#include "docker_config.h"
#include "errors.h"
#include "github.h"
#include "scope.h"
#include "secmem.h"
#include "token_kind.h"
#include "tty.h"
#include "utc.h"

#include <stdio.h>
#include <string.h>

#define DEFAULT_SERVER "ghcr.io"

struct login_args {
	const char *server;
	const char *username;
	int password_stdin;
	int no_verify;
};

static void
login_usage(FILE *f)
{
	fprintf(f, "Usage: " PROGRAM_NAME " login [SERVER|SERVER/OWNER] [-u USER] [--password-stdin]\n"
	    "       [--no-verify] [--system]\n\n"
	    "Stores a token for SERVER (default " DEFAULT_SERVER ") in the credential store.\n"
	    "SERVER/OWNER (ghcr.io/octo-org) stores it for the images of that GitHub\n"
	    "user or organisation only, beside SERVER's own login, which it never\n"
	    "replaces; the kubelet provider and `check IMAGE` use it for those images\n"
	    "(Docker names no path, so `get` keeps answering with SERVER's login).\n"
	    "The token is read with echo off on a terminal, or from standard input\n"
	    "(--password-stdin, or whenever standard input is not a terminal).\n\n"
	    "First it logs in to the registry with it, as `check` does: a token the\n"
	    "registry refuses is not stored (the registry's reason is shown); a\n"
	    "working one is stored with its expiry date when GitHub tells it, so\n"
	    "`status` can count the days and `get` stops sending it once it expired;\n"
	    "when the registry cannot be reached, it is stored with a warning.\n\n"
	    "Options:\n"
	    "  -u, --username USER  the user name (asked for on a terminal when missing)\n"
	    "  --password-stdin     read the token from standard input\n"
	    "  --no-verify          store without trying the token against the registry\n"
	    "  --system             the node's store, which the kubelet provider reads\n"
	    "                       (/var/lib/" PROGRAM_NAME "/credentials)\n"
	    "  -h, --help           show this help\n");
}

static void
logout_usage(FILE *f)
{
	fprintf(f, "Usage: " PROGRAM_NAME " logout [SERVER|SERVER/OWNER] [--system]\n\n"
	    "Erases the stored login for SERVER (default " DEFAULT_SERVER "), or the one\n"
	    "for the images of OWNER on SERVER; --system: in the node's store.\n"
	    "Says when another source still answers for it: an ambient token, or\n"
	    "the GitHub CLI's login (in hosts.yml or the system keyring; stop it\n"
	    "with 'gh auth logout -h HOST' or DOCKER_CREDENTIAL_GHCR_GH_CLI=off).\n");
}

static int
parse_login_args(int argc, char **argv, struct login_args *a)
{
	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (strcmp(arg, "-u") == 0 || strcmp(arg, "--username") == 0) {
			if (++i == argc)
				return ghcr_fail(GHCR_ERR_BAD_INPUT, "%s needs a user name", arg);
			a->username = argv[i];
		} else if (strncmp(arg, "--username=", 11) == 0) {
			a->username = arg + 11;
		} else if (strcmp(arg, "--password-stdin") == 0) {
			a->password_stdin = 1;
		} else if (strcmp(arg, "--no-verify") == 0) {
			a->no_verify = 1;
		} else if (strcmp(arg, "-p") == 0 || strcmp(arg, "--password") == 0 ||
		    strncmp(arg, "--password=", 11) == 0) {
			/* Never let a secret reach argv; say so instead. */
			return ghcr_fail(GHCR_ERR_BAD_INPUT, "a token on the command "
			    "line is visible to every user: pipe it in with "
			    "--password-stdin, or type it at the prompt");
		} else if (arg[0] == '-' && arg[1] != '\0') {
			return ghcr_fail(GHCR_ERR_BAD_INPUT, "login: unknown option "
			    "'%.32s'; see " PROGRAM_NAME " login --help", arg);
		} else if (a->server == NULL) {
			a->server = arg;
		} else {
			return ghcr_fail(GHCR_ERR_BAD_INPUT, "login takes one server, "
			    "got '%.64s' and '%.64s'", a->server, arg);
		}
	}
	if (a->username != NULL && a->username[0] == '\0')
		return ghcr_fail(GHCR_ERR_BAD_INPUT, "the user name is empty");
	return GHCR_OK;
}

/* The server argument's key: the host, or "host/owner" for a login
 * scoped to a namespace; ghcr.io when none is given. */
static int
server_key(const struct settings *s, const char *arg, char key[SERVER_MAX],
	   int *scoped)
{
	int r;

	if ((r = scope_parse_login(s, arg != NULL ? arg : DEFAULT_SERVER, key,
	    scoped)) == GHCR_ERR_NO_SERVER)
		return ghcr_fail(GHCR_ERR_BAD_INPUT, "the server is empty");
	return r;
}

/* Tells the person when Docker would not ask this helper for `host`. */
static void
note_docker_config(const char *host, int is_github)
{
	struct docker_config cfg;
	char path[PATH_MAX];
	const char *helper;

	if (docker_config_default_path(path) != GHCR_OK ||
	    docker_config_load(path, &cfg) != GHCR_OK) {
		ghcr_error_clear();
		return;
	}
	helper = docker_config_helper_for(&cfg, host);
	if (helper == NULL || strcmp(helper, DOCKER_CONFIG_HELPER_NAME) != 0)
		fprintf(stderr, "note: %s does not send %s to this helper yet; "
		    "run '" PROGRAM_NAME " configure%s%s'\n", path, host,
		    is_github ? "" : " --registries ", is_github ? "" : host);
	docker_config_free(&cfg);
}

/*
 * Tries cred against its registry before it is stored.  GHCR_OK to store
 * (cred->expires set when GitHub said it; *verified 1 when the registry
 * took it), or an error when the registry refused it: then nothing is
 * stored.  Every outcome short of that says so in one line.
 */
static int
verify_login(struct credential *cred, const char *host,
	     const struct settings *s, int *verified)
{
	char why[640];
	const char *detail;
	time_t expires = 0;
	int r;

	*verified = 0;
	r = check_token_for_login(host, cred->username, cred->secret,
	    &expires, s);
	/* A copy: ghcr_fail() below writes where the detail lives. */
	detail = ghcr_error_detail();
	if (detail != NULL) {
		snprintf(why, sizeof(why), "%s", detail);
		detail = why;
	}
	switch (r) {
	case CHECK_WORKS:
		cred->expires = expires;
		*verified = 1;
		ghcr_error_clear();
		return GHCR_OK;
	case CHECK_REFUSED:
		return ghcr_fail(GHCR_ERR_BAD_INPUT, "%s refused the token, so it "
		    "was not stored: %s", host, detail != NULL ? detail :
		    "no reason given");
	case CHECK_UNREACHABLE:
		fprintf(stderr, "warning: could not verify the token with %s "
		    "(%s); stored it anyway: run '" PROGRAM_NAME " check' once "
		    "the registry can be reached\n", host,
		    detail != NULL ? detail : "no answer");
		ghcr_error_clear();
		return GHCR_OK;
	case GHCR_ERR_UNAVAILABLE:
		/* No check module (a build without libcurl, an embedded one). */
		fprintf(stderr, "note: the token was not verified (%s); stored "
		    "it as given\n", detail != NULL ? detail : "no check module");
		ghcr_error_clear();
		return GHCR_OK;
	default:
		return r < 0 ? r : GHCR_ERR_SYSTEM;
	}
}

int
cmd_login(int argc, char **argv, struct resolver *res)
{
	struct credential cred = { 0 };
	struct login_args a;
	char key[SERVER_MAX], host[SERVER_MAX], github[SERVER_MAX];
	char mask[TOKEN_MASK_MAX], prompt[SERVER_MAX + 32], date[40];
	const char *warning, *owner = NULL;
	enum token_kind kind;
	int r, is_github, scoped, verified = 0;

	if (cmd_wants_help(argc, argv)) {
		login_usage(stdout);
		return GHCR_OK;
	}
	if ((r = parse_login_args(argc, argv, &a)) != GHCR_OK ||
	    (r = server_key(res->settings, a.server, key, &scoped)) != GHCR_OK)
		goto out;
	/* A scoped login is tried against its host: the token exchange
	 * names no repository, so it is the same check. */
	if (!scoped || !scope_split_key(key, host, &owner))
		memcpy(host, key, sizeof(host));
	is_github = github_server_for_registry(res->settings, host, github);
	if ((cred.server = secmem_strdup(key)) == NULL) {
		r = GHCR_ERR_NO_MEMORY;
		goto out;
	}

	/* Docker's rule: piping the token in needs the name given up front. */
	if (a.username != NULL)
		cred.username = secmem_strdup(a.username);
	else if (!a.password_stdin && tty_interactive()) {
		if ((r = tty_read_line("Username: ", 0, &cred.username)) != GHCR_OK)
			goto out;
	} else {
		r = ghcr_fail(GHCR_ERR_BAD_INPUT, "no user name: give it with -u USER%s",
		    is_github ? " (with a GitHub token any name works; "
		    "use your GitHub login)" : "");
		goto out;
	}
	if (cred.username == NULL) {
		r = GHCR_ERR_NO_MEMORY;
		goto out;
	}

	if (a.password_stdin || !tty_interactive())
		r = tty_read_stdin(&cred.secret);
	else {
		snprintf(prompt, sizeof(prompt), "Token for %s: ", key);
		r = tty_read_line(prompt, 1, &cred.secret);
	}
	if (r != GHCR_OK)
		goto out;

	kind = token_kind_of(cred.secret);
	token_mask(cred.secret, mask);
	if (is_github && (warning = token_kind_warning(kind)) != NULL)
		fprintf(stderr, "warning: %s\n", warning);

	if (!a.no_verify && (r = verify_login(&cred, host, res->settings,
	    &verified)) != GHCR_OK)
		goto out;
	if ((r = resolver_put(res, &cred)) != GHCR_OK)
		goto out;
	if (owner != NULL)
		printf("Stored the login for the images of %s on %s (user %s, %s "
		    "%s) in %s; %s keeps its own login for every other image.\n",
		    owner, host, cred.username, token_kind_name(kind), mask,
		    resolver_title(res), host);
	else if (is_github)
		printf("Stored the login for %s (user %s, %s %s) in %s.\n", key,
		    cred.username, token_kind_name(kind), mask,
		    resolver_title(res));
	else
		printf("Stored the login for %s (user %s) in %s.\n", key,
		    cred.username, resolver_title(res));
	if (verified) {
		printf("The registry accepted it");
		if (cred.expires != 0) {
			utc_format(cred.expires, 0, date, sizeof(date));
			printf("; GitHub says it expires on %s (in %lld days)", date,
			    (long long)(cred.expires - utc_now()) / 86400);
		}
		printf(".\n");
		if (cred.expires != 0 && cred.expires <= utc_now())
			fprintf(stderr, "warning: GitHub says this token expired "
			    "already: get will not send it; make a new one\n");
	}
	if (res->settings->job_scoped)
		printf("It lasts as long as this GitHub Actions job (under RUNNER_TEMP).\n");
	if (res->settings->system)
		printf("This is the node's store (%s), which the kubelet provider "
		    "reads.\n", res->settings->store_path);
	/* Docker names no path, so it never asks for a scoped login. */
	if (owner == NULL && !res->settings->system)
		note_docker_config(key, is_github);
	r = GHCR_OK;
out:
	credential_clear(&cred);
	return r;
}

struct find_ctx {
	const char *server;
	int found;
};

static int
find_stored(const char *server, const char *username, void *ctx)
{
	struct find_ctx *f = ctx;

	(void)username;
	if (strcmp(server, f->server) == 0)
		f->found = 1;
	return 0;
}

int
cmd_logout(int argc, char **argv, struct resolver *res)
{
	struct find_ctx find = { 0 };
	struct credential other = { 0 };
	struct source_hit hit;
	char key[SERVER_MAX];
	const char *server = NULL, *name;
	int r, scoped;

	if (cmd_wants_help(argc, argv)) {
		logout_usage(stdout);
		return GHCR_OK;
	}
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1] != '\0')
			return ghcr_fail(GHCR_ERR_BAD_INPUT, "logout: unknown option "
			    "'%.32s'; see " PROGRAM_NAME " logout --help", argv[i]);
		if (server != NULL)
			return ghcr_fail(GHCR_ERR_BAD_INPUT, "logout takes one server");
		server = argv[i];
	}
	if ((r = server_key(res->settings, server, key, &scoped)) != GHCR_OK)
		goto out;
	/* list() reads no secret, so this asks no keyring to unlock. */
	find.server = key;
	if ((r = resolver_list(res, find_stored, &find)) != GHCR_OK) {
		r = r < 0 ? r : GHCR_ERR_SYSTEM;
		goto out;
	}
	if ((r = resolver_erase(res, key)) != GHCR_OK)
		goto out;
	name = resolver_title(res);
	if (find.found)
		printf("Removed the login for %s from %s.\n", key, name);
	else
		printf("No login for %s was stored in %s.\n", key, name);

	/* Another source may still answer, which would surprise. */
	if (sources_get(res, key, SOURCES_SKIP_STORE | SOURCES_NO_SECRET,
	    &other, &hit) == GHCR_OK && hit.source->still_answers != NULL)
		hit.source->still_answers(stdout, &hit, &other);
	ghcr_error_clear();
	r = GHCR_OK;
out:
	credential_clear(&other);
	return r;
}
