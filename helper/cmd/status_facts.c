/*
 * The facts `status` shows, gathered into one JSON document (see
 * status.h): the program, the backend, the GitHub settings, Docker's
 * configuration, which source answers for each GitHub registry, and the
 * mistakes it can see, each with its fix.  No token is ever put in it:
 * only its kind and a mask of its prefix and last four characters.
 */
#include "cmd_common.h"
#include "docker_config.h"
#include "errors.h"
#include "ghcli.h"
#include "github.h"
#include "report.h"
#include "scope.h"
#include "status.h"
#include "token_kind.h"
#include "utc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* What the backends describe lands in the "backend" object and the
 * problem list. */
struct backend_report {
	json_t *backend;
	json_t *problems;
};

static void
backend_fact(void *ctx, const char *key, const char *value)
{
	struct backend_report *br = ctx;

	json_object_set_new(br->backend, key, report_str(value));
}

static void
backend_problem(void *ctx, const char *id, const char *level,
		const char *problem, const char *fix)
{
	struct backend_report *br = ctx;

	report_problem(br->problems, id, level, NULL, problem, "%s", fix);
}

static json_t *
describe_backend(struct resolver *res, json_t *problems)
{
	const struct settings *s = res->settings;
	json_t *b = json_object();
	struct backend_report br = { b, problems };
	const struct store_report report = { backend_fact, backend_problem, &br };
	struct store_location where;
	char *text;
	int r;

	r = resolver_open_backend(res);
	json_object_set_new(b, "name", report_str(res->backend != NULL ?
	    res->backend->name : NULL));
	json_object_set_new(b, "setting", report_str(s->backend_setting));
	json_object_set_new(b, "reason", report_str(res->backend_reason));
	json_object_set_new(b, "error", r == GHCR_OK ? json_null() :
	    report_str(ghcr_error_message(r)));
	if (r != GHCR_OK) {
		text = say("the %s backend cannot be used: %s",
		    res->backend != NULL ? res->backend->name : "chosen",
		    ghcr_error_message(r));
		report_problem(problems, "backend-error", "error", NULL, text,
		    "follow the advice above, or choose another backend with "
		    "DOCKER_CREDENTIAL_GHCR_BACKEND");
		unsay(text);
		ghcr_error_clear();
	}
	/* Each backend's facts when in use, and whatever a person should
	 * fix in what it keeps (a file store left on disk must be private
	 * whichever backend serves). */
	settings_file_location(s, &where);
	store_describe(s->backend_setting, s->job_scoped, res->backend, &where,
	    &report);
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

	json_object_set_new(g, "server", report_str(s->github_host));
	json_object_set_new(g, "actions", json_boolean(s->in_actions));
	json_object_set_new(g, "job_scoped", json_boolean(s->job_scoped));
	json_object_set_new(g, "gh_cli", json_boolean(s->gh_cli));
	json_object_set_new(g, "ambient_token", report_str(var));
	json_object_set_new(g, "config_file", report_str(s->config_path));
	if (s->in_actions && var == NULL)
		report_problem(problems, "actions-no-token", "error", NULL,
		    "running in GitHub Actions, but GITHUB_TOKEN is not in the "
		    "environment (Actions does not export it by itself), so no "
		    "ambient token answers",
		    "add to the step or job:\n"
		    "  env:\n"
		    "    GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}\n"
		    "and, to push, 'permissions: packages: write'");
	if (s->in_actions && fork_pull_request())
		report_problem(problems, "fork-pull-request", "warning", NULL,
		    "this job runs for a pull request from a fork: its "
		    "GITHUB_TOKEN is read-only, so pushes to the registry are "
		    "refused (pulls still work)",
		    "push only from push or release events (if: "
		    "github.event_name != 'pull_request'), and only build in "
		    "pull requests from forks");
	return g;
}

/* Whether a problem with this id and text is listed already. */
static int
seen_problem(json_t *problems, const char *id, const char *problem)
{
	size_t i;
	json_t *p;

	json_array_foreach(problems, i, p)
		if (strcmp(json_string_value(json_object_get(p, "id")), id) == 0 &&
		    strcmp(json_string_value(json_object_get(p, "problem")),
		    problem) == 0)
			return 1;
	return 0;
}

/*
 * gh's OAuth token carries the scopes gh asked for, and gh asks for no
 * package scope by default; its token cannot be inspected offline, so
 * status says what ghcr.io needs and the exact gh line that adds it,
 * once per GitHub server.
 */
static void
gh_scope_note(const struct settings *s, const struct source *src,
	      const char *host, json_t *problems)
{
	char github[SERVER_MAX], *text;

	if (!sources_github_server(s, src, host, github))
		return;
	text = say("the GitHub CLI's token for %s is an OAuth token (gho_): "
	    "its registries take it only with the read:packages scope to "
	    "pull and write:packages to push, which gh does not ask for by "
	    "default", github);
	if (!seen_problem(problems, "gh-token-scopes", text))
		report_problem(problems, "gh-token-scopes", "note", NULL, text,
		    "gh auth refresh -h %s -s write:packages", github);
	unsay(text);
}

/*
 * A JSON integer made by parsing its text: json_integer() would be one
 * more import, which every protocol command pays at start-up (the helper
 * is linked with -z now); json_loadb() is imported already.
 */
static json_t *
json_number_text(long long n)
{
	char text[32];
	json_t *v;

	snprintf(text, sizeof(text), "%lld", n);
	v = json_loadb(text, strlen(text), JSON_DECODE_ANY, NULL);
	return v != NULL ? v : json_null();
}

/*
 * The stored token's expiry, as check or login recorded it: "expires" and
 * "days_left" for the credential that answers (null when unknown), a
 * warning within STATUS_EXPIRY_WARN_DAYS, and "stored_expired" with an
 * error when the stored login was passed over for having expired.
 */
#define STATUS_EXPIRY_WARN_DAYS 7

static void
describe_expiry(json_t *h, const char *host, const struct source_hit *hit,
		time_t expires, json_t *problems)
{
	char date[40], *text;
	time_t now = utc_now();
	long long days;

	if (expires != 0) {
		days = (long long)(expires - now) / 86400;
		utc_format(expires, 0, date, sizeof(date));
		json_object_set_new(h, "expires", report_str(date));
		json_object_set_new(h, "days_left", json_number_text(days));
		if (expires - now < STATUS_EXPIRY_WARN_DAYS * 86400) {
			text = days < 1 ?
			    say("the stored token for %s expires on %s, within "
			    "a day", host, date) :
			    say("the stored token for %s expires on %s, in %lld "
			    "day%s", host, date, days, days == 1 ? "" : "s");
			report_problem(problems, "token-expires-soon", "warning", NULL,
			    text, "make a new token now and log in again: "
			    PROGRAM_NAME " login %s -u USER", host);
			unsay(text);
		}
	} else {
		json_object_set_new(h, "expires", json_null());
		json_object_set_new(h, "days_left", json_null());
	}
	if (hit->stored_expired != 0) {
		utc_format(hit->stored_expired, 0, date, sizeof(date));
		json_object_set_new(h, "stored_expired", report_str(date));
		text = say("the stored token for %s expired on %s: it is still "
		    "stored, but get no longer answers with it%s", host, date,
		    hit->source != NULL ? "" :
		    " (public images pull anonymously)");
		report_problem(problems, "stored-expired", "error", NULL, text,
		    "make a new token and log in again: " PROGRAM_NAME
		    " login %s -u USER (or docker login %s)", host, host);
		unsay(text);
	} else
		json_object_set_new(h, "stored_expired", json_null());
}

static json_t *
describe_host(struct resolver *res, const char *host, int store_ok,
	      json_t *problems, int *answered)
{
	struct credential cred = { 0 };
	struct source_hit hit;
	enum token_kind kind;
	char *text;
	const char *warning;
	json_t *h = json_object();
	int r;

	json_object_set_new(h, "host", report_str(host));
	/* A store that failed to open is reported once, with the backend;
	 * the sources after it still say who answers. */
	r = sources_get(res, host, store_ok ? 0 : SOURCES_SKIP_STORE, &cred, &hit);
	if (!store_ok && r != GHCR_OK)
		r = GHCR_ERR_NOT_FOUND;
	if (r != GHCR_OK && r != GHCR_ERR_NOT_FOUND) {
		json_object_set_new(h, "error", report_str(ghcr_error_message(r)));
		text = say("the login for %s cannot be read: %s", host,
		    ghcr_error_message(r));
		report_problem(problems, "store-read", "error", NULL, text,
		    "fix the store as the message says, or log in again: "
		    PROGRAM_NAME " login %s", host);
		unsay(text);
		ghcr_error_clear();
	} else if (r == GHCR_ERR_NOT_FOUND)
		ghcr_error_clear();
	json_object_set_new(h, "source", json_string(hit.source != NULL ?
	    hit.source->id : "none"));
	if (hit.detail != NULL && hit.source->detail_key[0] != '\0')
		json_object_set_new(h, hit.source->detail_key, report_str(hit.detail));
	if (hit.skipped[0] != '\0') {
		/* Said once for all of a server's registries. */
		json_object_set_new(h, "skipped", report_str(hit.skipped));
		if (!seen_problem(problems, "source-skipped", hit.skipped))
			report_problem(problems, "source-skipped", "warning", NULL,
			    hit.skipped, "%s", "unlock the keyring or start its "
			    "daemon; meanwhile the next source answers");
	}
	describe_expiry(h, host, &hit, cred.secret != NULL ? cred.expires : 0,
	    problems);
	if (hit.source == NULL || cred.secret == NULL) {
		json_object_set_new(h, "username", json_null());
		json_object_set_new(h, "token_kind", json_null());
		json_object_set_new(h, "token", json_null());
		credential_clear(&cred);
		return h;
	}
	(*answered)++;
	kind = report_put_credential(h, cred.username, cred.secret);
	if (kind == TOKEN_OAUTH && strcmp(hit.source->id, "gh-cli") == 0) {
		gh_scope_note(res->settings, hit.source, host, problems);
	} else if ((warning = token_kind_warning(kind)) != NULL) {
		text = say("the token for %s (%s) is a %s", host,
		    hit.source->name, token_kind_name(kind));
		report_problem(problems, "token-kind", "warning", NULL, text, "%s", warning);
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
	json_object_set_new(d, "path", report_str(path));
	if ((r = docker_config_load(path, &cfg)) != GHCR_OK) {
		json_object_set_new(d, "error", report_str(ghcr_error_message(r)));
		report_problem(problems, "docker-config-invalid", "error", NULL,
		    ghcr_error_message(r), "fix the file; Docker cannot read it either");
		ghcr_error_clear();
		return d;
	}
	loaded = 1;
	json_object_set_new(d, "exists", json_boolean(cfg.exists));
	store = docker_config_creds_store(&cfg);
	json_object_set_new(d, "creds_store", report_str(store));
	helpers = json_object();
	for (int i = 0; i < nhosts; i++) {
		helper = docker_config_helper_for(&cfg, hosts[i]);
		json_object_set_new(helpers, hosts[i], report_str(helper));
		if (helper != NULL ? strcmp(helper, DOCKER_CONFIG_HELPER_NAME) != 0 :
		    (store == NULL || strcmp(store, DOCKER_CONFIG_HELPER_NAME) != 0))
			append_host(missing, sizeof(missing), hosts[i]);
	}
	json_object_set_new(d, "cred_helpers", helpers);
	if (missing[0] != '\0') {
		text = say("Docker does not ask this helper for %s (%s has no "
		    "credHelpers entry \"ghcr\" for %s)", missing, path,
		    strchr(missing, ',') != NULL ? "them" : "it");
		report_problem(problems, "docker-not-configured", "warning", NULL, text,
		    "run '" PROGRAM_NAME " configure'");
		unsay(text);
	}

	plain = json_array();
	if (docker_config_logins(&cfg, (const char (*)[SERVER_MAX])hosts, nhosts,
	    &logins, &nlogins) != GHCR_OK)
		ghcr_error_clear();
	missing[0] = '\0';
	for (int i = 0; i < nlogins; i++) {
		json_array_append_new(plain, report_str(logins[i].key));
		append_host(missing, sizeof(missing), logins[i].key);
	}
	json_object_set_new(d, "plaintext_logins", plain);
	if (nlogins > 0) {
		text = say("%s holds plaintext GitHub logins (base64 is no "
		    "protection) for %s", path, missing);
		report_problem(problems, "plaintext-logins", "warning", NULL, text,
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
		json_object_set_new(p, "path", report_str(self));
	}
	if (cmd_helper_on_path(found, &same)) {
		json_object_set_new(p, "on_path", report_str(found));
		json_object_set_new(p, "on_path_is_this", json_boolean(same));
		if (!same) {
			text = say("Docker will run %s, not this program", found);
			report_problem(problems, "other-helper-on-path", "note", NULL, text,
			    "install this build (make install) or put its directory "
			    "first in PATH");
			unsay(text);
		}
	} else {
		json_object_set_new(p, "on_path", json_null());
		report_problem(problems, "not-on-path", "error", NULL,
		    PROGRAM_NAME " is not on PATH, so Docker cannot run it",
		    "install it (make install) or add its directory to PATH");
	}
	return p;
}

/* Adds to hosts[0..n) the registries of the other GitHub servers the
 * GitHub CLI is logged in to (hosts.yml's word; no keyring is asked);
 * returns the new count. */
static int
gh_cli_hosts(const struct settings *s, char hosts[][SERVER_MAX], int n)
{
	char servers[8][SERVER_MAX];
	int nservers = s->gh_cli ? ghcli_servers(servers, 8) : 0;

	for (int g = 0; g < nservers; g++)
		n = github_add_registries(s, servers[g], hosts, n, CMD_MAX_HOSTS);
	return n;
}

/* Collects the stored keys scoped to a namespace (list reads no secret). */
static int
add_scoped_key(const char *server, const char *username, void *ctx)
{
	(void)username;
	if (strchr(server, '/') != NULL &&
	    json_array_append_new(ctx, json_string(server)) != 0)
		return GHCR_ERR_NO_MEMORY;
	return 0;
}

/*
 * The logins scoped to one owner's images ("ghcr.io/octo-org"), each
 * described like a registry (user, token kind, mask, expiry) with its
 * "registry" and "owner"; an empty array when the store cannot be read
 * (describe_backend said why).
 */
static json_t *
describe_scoped(struct resolver *res, int store_ok, json_t *problems,
		int *answered)
{
	json_t *keys = json_array(), *list = json_array(), *k, *h;
	char host[SERVER_MAX];
	const char *owner;
	size_t i;

	if (store_ok && resolver_list(res, add_scoped_key, keys) != GHCR_OK)
		ghcr_error_clear();
	json_array_foreach(keys, i, k) {
		const char *key = json_string_value(k);

		if (key == NULL || !scope_split_key(key, host, &owner))
			continue;
		h = describe_host(res, key, store_ok, problems, answered);
		json_object_set_new(h, "registry", report_str(host));
		json_object_set_new(h, "owner", report_str(owner));
		json_array_append_new(list, h);
	}
	json_decref(keys);
	return list;
}

int
status_collect(struct resolver *res, json_t **out)
{
	char hosts[CMD_MAX_HOSTS][SERVER_MAX];
	json_t *doc = NULL, *problems = NULL, *list = NULL;
	const char *ambient;
	int nconf, nhosts, store_ok, answered = 0;

	*out = NULL;
	if ((doc = json_object()) == NULL || (problems = json_array()) == NULL ||
	    (list = json_array()) == NULL) {
		json_decref(doc);
		json_decref(problems);
		return GHCR_ERR_NO_MEMORY;
	}
	nconf = github_all_registries(res->settings, hosts, CMD_MAX_HOSTS);
	nhosts = gh_cli_hosts(res->settings, hosts, nconf);
	json_object_set_new(doc, "program", describe_program(problems));
	json_object_set_new(doc, "backend", describe_backend(res, problems));
	store_ok = res->handle != NULL;
	json_object_set_new(doc, "github", describe_github(res->settings, problems));
	/* configure sets Docker up for the configured server's registries. */
	json_object_set_new(doc, "docker", describe_docker(hosts, nconf, problems));
	for (int i = 0; i < nhosts; i++)
		json_array_append_new(list, describe_host(res, hosts[i], store_ok,
		    problems, &answered));
	json_object_set_new(doc, "hosts", list);
	json_object_set_new(doc, "scoped", describe_scoped(res, store_ok, problems,
	    &answered));
	/* In Actions without a token, actions-no-token already says it. */
	if (answered == 0 && !(res->settings->in_actions &&
	    sources_ambient_token(&ambient) == NULL))
		report_problem(problems, "no-login", "note", NULL,
		    "nothing answers for the GitHub registries: no stored login, "
		    "no GITHUB_TOKEN or GH_TOKEN, no GitHub CLI login",
		    PROGRAM_NAME " login ghcr.io -u USER (with a classic personal "
		    "access token), or export GITHUB_TOKEN");
	json_object_set_new(doc, "problems", problems);
	*out = doc;
	return GHCR_OK;
}
