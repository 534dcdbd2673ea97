/*
 * status: what the helper would do here and now, and the mistakes it can
 * see, each with its fix.  Everything is gathered into one JSON document
 * first; `--json` prints it and the plain form is rendered from it, so the
 * two can never disagree.  No token is ever printed: only its kind and a
 * mask of its prefix and last four characters.
 */
#include "cmd_common.h"
#include "commands.h"
#include "docker_config.h"
#include "fs.h"
#include "errors.h"
#include "ghcli.h"
#include "github.h"
#include "secmem.h"
#include "token_kind.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void
status_usage(FILE *f)
{
	fprintf(f, "Usage: " PROGRAM_NAME " status [--json]\n\n"
	    "Shows, for each GitHub registry, which source answers (stored login,\n"
	    "ambient GITHUB_TOKEN/GH_TOKEN, GitHub CLI), the backend in use and why,\n"
	    "the token's kind and a masked form, and the mistakes it can see with\n"
	    "their fixes.  It never prints a token.\n\n"
	    "Options:\n"
	    "  --json      print one JSON object instead\n"
	    "  -h, --help  show this help\n");
}

/* json_string() of text that is not ours may fail on invalid UTF-8. */
static json_t *
jstr(const char *s)
{
	json_t *v;

	if (s == NULL)
		return json_null();
	if ((v = json_string(s)) == NULL)
		v = json_string("(not UTF-8)");
	return v;
}

/* Adds {id, level, problem, fix}; `fix` is a format for the arguments
 * after the problem's, so one call can name a path in both. */
static void __attribute__((format(printf, 5, 6)))
add_problem(json_t *problems, const char *id, const char *level,
	    const char *problem, const char *fix, ...)
{
	json_t *p = json_object();
	char *text = NULL;
	va_list ap;

	json_object_set_new(p, "id", json_string(id));
	json_object_set_new(p, "level", json_string(level));
	json_object_set_new(p, "problem", jstr(problem));
	va_start(ap, fix);
	if (vasprintf(&text, fix, ap) == -1)
		text = NULL;
	va_end(ap);
	json_object_set_new(p, "fix", jstr(text));
	free(text);
	json_array_append_new(problems, p);
}

/* A problem sentence built from a format; freed after use. */
static char * __attribute__((format(printf, 1, 2)))
say(const char *fmt, ...)
{
	static char none[] = "(out of memory)";
	char *text;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) == -1)
		text = NULL;
	va_end(ap);
	return text != NULL ? text : none;
}

static void
unsay(char *text)
{
	if (strcmp(text, "(out of memory)") != 0)
		free(text);
}

static void
check_private(json_t *problems, const char *path, int is_dir)
{
	struct stat st;
	char *text;

	if (path == NULL || path[0] == '\0' || lstat(path, &st) == -1)
		return;
	if (S_ISLNK(st.st_mode)) {
		text = say("%s is a symlink; the file store refuses it", path);
		add_problem(problems, "store-symlink", "error", text,
		    "replace the link with the file it points to (mv)");
	} else if (st.st_uid != geteuid()) {
		text = say("%s belongs to user id %u, not you", path,
		    (unsigned)st.st_uid);
		add_problem(problems, "store-permissions", "error", text,
		    "chown %u %s", (unsigned)geteuid(), path);
	} else if ((st.st_mode & 077) != 0) {
		text = say("%s can be %s by others (mode %04o)", path,
		    (st.st_mode & 022) ? "changed" : "read",
		    (unsigned)(st.st_mode & 07777));
		add_problem(problems, "store-permissions", "error", text,
		    "chmod %s %s", is_dir ? "700" : "600", path);
	} else
		return;
	unsay(text);
}

static json_t *
describe_backend(struct resolver *res, json_t *problems)
{
	const struct settings *s = res->settings;
	json_t *b = json_object();
	char dir[PATH_MAX], *text;
	int r;

	r = resolver_open_backend(res);
	json_object_set_new(b, "name", jstr(res->backend != NULL ?
	    res->backend->name : NULL));
	json_object_set_new(b, "setting", jstr(s->backend_setting));
	json_object_set_new(b, "reason", jstr(res->backend_reason));
	json_object_set_new(b, "error", r == GHCR_OK ? json_null() :
	    jstr(ghcr_error_message(r)));
	if (r != GHCR_OK) {
		text = say("the %s backend cannot be used: %s",
		    res->backend != NULL ? res->backend->name : "chosen",
		    ghcr_error_message(r));
		add_problem(problems, "backend-error", "error", text,
		    "follow the advice above, or choose another backend with "
		    "DOCKER_CREDENTIAL_GHCR_BACKEND");
		unsay(text);
		ghcr_error_clear();
	}
	if (res->backend == NULL || strcmp(res->backend->name, "file") == 0) {
		json_object_set_new(b, "store", jstr(s->store_path));
		json_object_set_new(b, "key_file", s->passphrase_path[0] != '\0' ?
		    json_null() : jstr(s->key_path));
		json_object_set_new(b, "passphrase_file", s->passphrase_path[0] != '\0' ?
		    jstr(s->passphrase_path) : json_null());
	}
	/* Whatever the backend, a file store left on disk must be private. */
	(void)fs_dir_of(s->store_path, dir); /* shorter than the path */
	check_private(problems, dir, 1);
	check_private(problems, s->store_path, 0);
	check_private(problems, s->key_path, 0);
	check_private(problems, s->passphrase_path, 0);

	if (res->backend != NULL && strcmp(res->backend->name, "file") == 0 &&
	    strcmp(s->backend_setting, "auto") == 0 && !s->job_scoped &&
	    store_backend_find("secretservice") != NULL) {
		text = say("no Secret Service answers on the session bus: logins "
		    "are kept in the encrypted file store %s", s->store_path);
		add_problem(problems, "no-secret-service", "note", text,
		    "fine on a server or in CI; on a desktop, start or unlock the "
		    "keyring (GNOME Keyring, KeePassXC), or set "
		    "DOCKER_CREDENTIAL_GHCR_BACKEND=file to make the choice explicit");
		unsay(text);
	}
	return b;
}

/* The event file says whether a pull request's head is a fork. */
static int
fork_pull_request(void)
{
	const char *event = getenv("GITHUB_EVENT_NAME"), *path = getenv("GITHUB_EVENT_PATH");
	const char *head_name, *base_name;
	json_t *doc, *pr, *head;
	int fork = 0;

	/* pull_request_target runs with the base repository's token. */
	if (event == NULL || strcmp(event, "pull_request") != 0 || path == NULL)
		return 0;
	if ((doc = json_load_file(path, 0, NULL)) == NULL)
		return 0;
	pr = json_object_get(doc, "pull_request");
	head = json_object_get(json_object_get(pr, "head"), "repo");
	if (json_is_true(json_object_get(head, "fork")))
		fork = 1;
	head_name = json_string_value(json_object_get(head, "full_name"));
	base_name = json_string_value(json_object_get(json_object_get(
	    json_object_get(pr, "base"), "repo"), "full_name"));
	if (head_name != NULL && base_name != NULL && strcmp(head_name, base_name) != 0)
		fork = 1;
	json_decref(doc);
	return fork;
}

static json_t *
describe_github(const struct settings *s, json_t *problems)
{
	json_t *g = json_object();
	const char *value, *var = sources_ambient_token(&value);

	json_object_set_new(g, "server", jstr(s->github_host));
	json_object_set_new(g, "actions", json_boolean(s->in_actions));
	json_object_set_new(g, "job_scoped", json_boolean(s->job_scoped));
	json_object_set_new(g, "gh_cli", json_boolean(s->gh_cli));
	json_object_set_new(g, "ambient_token", jstr(var));
	json_object_set_new(g, "config_file", jstr(s->config_path));
	if (s->in_actions && var == NULL)
		add_problem(problems, "actions-no-token", "error",
		    "running in GitHub Actions, but GITHUB_TOKEN is not in the "
		    "environment (Actions does not export it by itself), so no "
		    "ambient token answers",
		    "add to the step or job:\n"
		    "  env:\n"
		    "    GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}\n"
		    "and, to push, 'permissions: packages: write'");
	if (s->in_actions && fork_pull_request())
		add_problem(problems, "fork-pull-request", "warning",
		    "this job runs for a pull request from a fork: its "
		    "GITHUB_TOKEN is read-only, so pushes to the registry are "
		    "refused (pulls still work)",
		    "push only from push or release events (if: "
		    "github.event_name != 'pull_request'), and only build in "
		    "pull requests from forks");
	return g;
}

/* Which source answers when the store cannot be asked (it failed to
 * open): the same order as sources_get() after the store. */
static enum source_kind
fallback_source(struct resolver *res, const char *host, struct credential *cred)
{
	char github[SERVER_MAX], *user = NULL, *token = NULL;
	const char *value;

	if (!github_server_for_registry(res->settings, host, github))
		return SOURCE_NONE;
	if (strcmp(github, res->settings->github_host) == 0 &&
	    sources_ambient_token(&value) != NULL) {
		cred->username = secmem_strdup(sources_ambient_username());
		cred->secret = secmem_strdup(value);
		return SOURCE_AMBIENT;
	}
	if (res->settings->gh_cli && ghcli_login(github, 1, &user, &token) == GHCR_OK) {
		cred->username = user;
		cred->secret = token;
		return SOURCE_GH_CLI;
	}
	ghcr_error_clear();
	return SOURCE_NONE;
}

static const char *
source_id(enum source_kind kind)
{
	switch (kind) {
	case SOURCE_STORED: return "stored";
	case SOURCE_AMBIENT: return "ambient";
	case SOURCE_GH_CLI: return "gh-cli";
	default: return "none";
	}
}

static json_t *
describe_host(struct resolver *res, const char *host, int store_ok,
	      json_t *problems, int *answered)
{
	struct credential cred = { 0 };
	enum source_kind from = SOURCE_NONE;
	enum token_kind kind;
	char mask[TOKEN_MASK_MAX], *text;
	const char *warning, *var, *value;
	json_t *h = json_object();
	int r = GHCR_ERR_NOT_FOUND;

	json_object_set_new(h, "host", jstr(host));
	if (store_ok)
		r = sources_get(res, host, &cred, &from);
	else
		from = fallback_source(res, host, &cred);
	if (store_ok && r != GHCR_OK && r != GHCR_ERR_NOT_FOUND) {
		json_object_set_new(h, "error", jstr(ghcr_error_message(r)));
		text = say("the login for %s cannot be read: %s", host,
		    ghcr_error_message(r));
		add_problem(problems, "store-read", "error", text,
		    "fix the store as the message says, or log in again: "
		    PROGRAM_NAME " login %s", host);
		unsay(text);
		ghcr_error_clear();
	} else if (r == GHCR_ERR_NOT_FOUND)
		ghcr_error_clear();
	json_object_set_new(h, "source", json_string(source_id(from)));
	if (from == SOURCE_AMBIENT && (var = sources_ambient_token(&value)) != NULL)
		json_object_set_new(h, "variable", json_string(var));
	if (from == SOURCE_NONE || cred.secret == NULL) {
		json_object_set_new(h, "username", json_null());
		json_object_set_new(h, "token_kind", json_null());
		json_object_set_new(h, "token", json_null());
		credential_clear(&cred);
		return h;
	}
	(*answered)++;
	kind = token_kind_of(cred.secret);
	token_mask(cred.secret, mask);
	json_object_set_new(h, "username", jstr(cred.username));
	json_object_set_new(h, "token_kind", json_string(token_kind_id(kind)));
	json_object_set_new(h, "token_kind_name", json_string(token_kind_name(kind)));
	json_object_set_new(h, "token", json_string(mask));
	if ((warning = token_kind_warning(kind)) != NULL) {
		text = say("the token for %s (%s) is a %s", host,
		    sources_kind_name(from), token_kind_name(kind));
		add_problem(problems, "token-kind", "warning", text, "%s", warning);
		unsay(text);
	}
	credential_clear(&cred);
	return h;
}

/* Appends ", host" to a list kept in buf. */
static void
append_host(char *buf, size_t size, const char *host)
{
	size_t len = strlen(buf), add = strlen(host) + (len > 0 ? 2 : 0);

	/* A list too long for the line is cut at a whole host. */
	if (len + add + 1 > size)
		return;
	if (len > 0)
		memcpy(buf + len, ", ", 2);
	memcpy(buf + len + add - strlen(host), host, strlen(host) + 1);
}

static json_t *
describe_docker(char hosts[][SERVER_MAX], int nhosts, json_t *problems)
{
	struct docker_config cfg = { 0 };
	struct plaintext_login *logins = NULL;
	json_t *d = json_object(), *helpers, *plain;
	char path[PATH_MAX], missing[1024] = "", *text;
	const char *store, *helper;
	int nlogins = 0, r, loaded = 0;

	if (docker_config_default_path(path) != GHCR_OK) {
		ghcr_error_clear();
		return d;
	}
	json_object_set_new(d, "path", jstr(path));
	if ((r = docker_config_load(path, &cfg)) != GHCR_OK) {
		json_object_set_new(d, "error", jstr(ghcr_error_message(r)));
		add_problem(problems, "docker-config-invalid", "error",
		    ghcr_error_message(r), "fix the file; Docker cannot read it either");
		ghcr_error_clear();
		return d;
	}
	loaded = 1;
	json_object_set_new(d, "exists", json_boolean(cfg.exists));
	store = docker_config_creds_store(&cfg);
	json_object_set_new(d, "creds_store", jstr(store));
	helpers = json_object();
	for (int i = 0; i < nhosts; i++) {
		helper = docker_config_helper_for(&cfg, hosts[i]);
		json_object_set_new(helpers, hosts[i], jstr(helper));
		if (helper != NULL ? strcmp(helper, DOCKER_CONFIG_HELPER_NAME) != 0 :
		    (store == NULL || strcmp(store, DOCKER_CONFIG_HELPER_NAME) != 0))
			append_host(missing, sizeof(missing), hosts[i]);
	}
	json_object_set_new(d, "cred_helpers", helpers);
	if (missing[0] != '\0') {
		text = say("Docker does not ask this helper for %s (%s has no "
		    "credHelpers entry \"ghcr\" for %s)", missing, path,
		    strchr(missing, ',') != NULL ? "them" : "it");
		add_problem(problems, "docker-not-configured", "warning", text,
		    "run '" PROGRAM_NAME " configure'");
		unsay(text);
	}

	plain = json_array();
	if (docker_config_logins(&cfg, (const char (*)[SERVER_MAX])hosts, nhosts,
	    &logins, &nlogins) != GHCR_OK)
		ghcr_error_clear();
	missing[0] = '\0';
	for (int i = 0; i < nlogins; i++) {
		json_array_append_new(plain, jstr(logins[i].key));
		append_host(missing, sizeof(missing), logins[i].key);
	}
	json_object_set_new(d, "plaintext_logins", plain);
	if (nlogins > 0) {
		text = say("%s holds plaintext GitHub logins (base64 is no "
		    "protection) for %s", path, missing);
		add_problem(problems, "plaintext-logins", "warning", text,
		    "run '" PROGRAM_NAME " configure': it moves them into the "
		    "credential store and removes them from the file");
		unsay(text);
	}
	docker_config_logins_free(logins, nlogins);
	if (loaded)
		docker_config_free(&cfg);
	return d;
}

static json_t *
describe_program(json_t *problems)
{
	json_t *p = json_object();
	char self[PATH_MAX], found[PATH_MAX], *text;
	ssize_t n;
	int same;

	json_object_set_new(p, "version", json_string(GHCR_VERSION));
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0) {
		self[n] = '\0';
		json_object_set_new(p, "path", jstr(self));
	}
	if (cmd_helper_on_path(found, &same)) {
		json_object_set_new(p, "on_path", jstr(found));
		json_object_set_new(p, "on_path_is_this", json_boolean(same));
		if (!same) {
			text = say("Docker will run %s, not this program", found);
			add_problem(problems, "other-helper-on-path", "note", text,
			    "install this build (make install) or put its directory "
			    "first in PATH");
			unsay(text);
		}
	} else {
		json_object_set_new(p, "on_path", json_null());
		add_problem(problems, "not-on-path", "error",
		    PROGRAM_NAME " is not on PATH, so Docker cannot run it",
		    "install it (make install) or add its directory to PATH");
	}
	return p;
}

/* Prints text from a store or a file with control characters masked, so
 * a crafted user name cannot drive the terminal. */
static void
put_clean(const char *s, int width)
{
	int n = 0;

	for (; s != NULL && *s != '\0'; s++, n++)
		putchar((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
	for (; n < width; n++)
		putchar(' ');
}

static const char *
sget(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static const char *
or_dash(const char *s)
{
	return s != NULL ? s : "-";
}

static void
render_text(json_t *doc)
{
	json_t *prog = json_object_get(doc, "program"), *b = json_object_get(doc, "backend");
	json_t *g = json_object_get(doc, "github"), *d = json_object_get(doc, "docker");
	json_t *hosts = json_object_get(doc, "hosts"), *problems = json_object_get(doc, "problems");
	json_t *h, *p;
	size_t i, width = 8;
	const char *v;

	printf(PROGRAM_NAME " %s\n", sget(prog, "version"));
	printf("  program:  %s", (v = sget(prog, "path")) != NULL ? v : "?");
	if ((v = sget(prog, "on_path")) != NULL)
		printf(json_is_true(json_object_get(prog, "on_path_is_this")) ?
		    " (the one on PATH)\n" : " (PATH finds %s)\n", v);
	else
		printf(" (not on PATH)\n");
	printf("  backend:  %s (%s: %s)\n", or_dash(sget(b, "name")),
	    sget(b, "setting"), or_dash(sget(b, "reason")));
	if ((v = sget(b, "store")) != NULL)
		printf("  store:    %s\n", v);
	if ((v = sget(b, "key_file")) != NULL)
		printf("  key file: %s\n", v);
	if ((v = sget(b, "passphrase_file")) != NULL)
		printf("  passphrase file: %s\n", v);
	printf("  GitHub:   %s, %s, GitHub CLI source %s\n", sget(g, "server"),
	    json_is_true(json_object_get(g, "actions")) ? "in GitHub Actions" :
	    "not in GitHub Actions",
	    json_is_true(json_object_get(g, "gh_cli")) ? "on" : "off");
	if ((v = sget(d, "path")) != NULL)
		printf("  Docker:   %s%s\n", v, json_is_false(json_object_get(d, "exists")) ?
		    " (missing)" : "");
	printf("\n");

	json_array_foreach(hosts, i, h)
		if (strlen(sget(h, "host")) > width)
			width = strlen(sget(h, "host"));
	printf("%-*s  %-14s %-16s %-14s %s\n", (int)width, "REGISTRY", "SOURCE",
	    "USER", "KIND", "TOKEN");
	json_array_foreach(hosts, i, h) {
		const char *src = sget(h, "source"), *var = sget(h, "variable");
		char source[40];

		snprintf(source, sizeof(source), "%s", var != NULL ? var : src);
		printf("%-*s  %-14s ", (int)width, sget(h, "host"), source);
		put_clean(or_dash(sget(h, "username")), 16);
		printf(" %-14s %s\n", or_dash(sget(h, "token_kind")),
		    sget(h, "token") != NULL ? sget(h, "token") :
		    or_dash(sget(h, "error")));
	}
	printf("\n");

	if (json_array_size(problems) == 0) {
		printf("No problems found.\n");
		return;
	}
	printf("%zu problem%s found:\n", json_array_size(problems),
	    json_array_size(problems) == 1 ? "" : "s");
	json_array_foreach(problems, i, p) {
		const char *fix = sget(p, "fix");

		printf("  %s: ", sget(p, "level"));
		put_clean(sget(p, "problem"), 0);
		printf("\n    fix: ");
		/* A multi-line fix (a YAML snippet) stays indented. */
		for (; fix != NULL && *fix != '\0'; fix++) {
			putchar(*fix);
			if (*fix == '\n')
				printf("         ");
		}
		printf("\n");
	}
}

int
cmd_status(int argc, char **argv, struct resolver *res)
{
	char hosts[CMD_MAX_HOSTS][SERVER_MAX];
	json_t *doc = NULL, *problems, *list;
	json_malloc_t jmalloc;
	json_free_t jfree;
	const char *ambient;
	char *text = NULL;
	int as_json = 0, nhosts, store_ok, answered = 0, r;

	if (cmd_wants_help(argc, argv)) {
		status_usage(stdout);
		return GHCR_OK;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			as_json = 1;
		else
			return ghcr_fail(GHCR_ERR_BAD_INPUT, "status: unknown argument "
			    "'%.32s'; see " PROGRAM_NAME " status --help", argv[i]);
	}
	if ((doc = json_object()) == NULL || (problems = json_array()) == NULL ||
	    (list = json_array()) == NULL) {
		json_decref(doc);
		return GHCR_ERR_NO_MEMORY;
	}
	nhosts = cmd_github_hosts(res->settings, hosts, CMD_MAX_HOSTS);
	json_object_set_new(doc, "program", describe_program(problems));
	json_object_set_new(doc, "backend", describe_backend(res, problems));
	store_ok = res->handle != NULL;
	json_object_set_new(doc, "github", describe_github(res->settings, problems));
	json_object_set_new(doc, "docker", describe_docker(hosts, nhosts, problems));
	for (int i = 0; i < nhosts; i++)
		json_array_append_new(list, describe_host(res, hosts[i], store_ok,
		    problems, &answered));
	json_object_set_new(doc, "hosts", list);
	/* In Actions without a token, actions-no-token already says it. */
	if (answered == 0 && !(res->settings->in_actions &&
	    sources_ambient_token(&ambient) == NULL))
		add_problem(problems, "no-login", "note",
		    "nothing answers for the GitHub registries: no stored login, "
		    "no GITHUB_TOKEN or GH_TOKEN, no GitHub CLI login",
		    PROGRAM_NAME " login ghcr.io -u USER (with a classic personal "
		    "access token), or export GITHUB_TOKEN");
	json_object_set_new(doc, "problems", problems);

	if (as_json) {
		if ((text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER)) == NULL) {
			r = GHCR_ERR_NO_MEMORY;
			goto out;
		}
		printf("%s\n", text);
	} else
		render_text(doc);
	r = GHCR_OK;
out:
	json_get_alloc_funcs(&jmalloc, &jfree);
	if (text != NULL)
		jfree(text);
	json_decref(doc);
	return r;
}
