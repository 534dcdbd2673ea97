/*
 * check: the command and the module's entry points.  It reads argv (the
 * images named, --json), picks the hosts (those of the images, or every
 * GitHub registry), has check_run.c check each one, and gathers everything
 * into one JSON document; `--json` prints it and the plain form is
 * rendered from it.  A problem is one line with its fix; any "error"
 * makes the exit status 1.  login's verification of a new token enters
 * here too.  No token is ever printed, only its mask.
 */
#include "check_private.h"
#include "check_module.h"
#include "cmd_common.h"
#include "errors.h"
#include "github.h"
#include "http.h"
#include "secmem.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHECK_BUDGET_ENV "DOCKER_CREDENTIAL_GHCR_CHECK_TIMEOUT"

/* The module's jansson is its own shared library, not the helper's copy
 * (see the Makefile): it is pointed at the wiping allocator here, on every
 * way in, before it holds a token server's reply. */
static void
module_enter(void)
{
	json_set_alloc_funcs(secmem_alloc, secmem_free);
}

static void
check_usage(FILE *f)
{
	fprintf(f, "Usage: " PROGRAM_NAME " check [--json] [--system] [IMAGE...]\n\n"
	    "Tries the credential `get` would answer with against the registry, for\n"
	    "real: the token exchange (and, for each IMAGE, whether it can pull and\n"
	    "push, with a push probe that starts an upload and cancels it at once, so\n"
	    "nothing is written), and for personal tokens what the GitHub API says\n"
	    "(scopes, expiry, SSO).  Without IMAGE it checks every GitHub registry\n"
	    "that has a credential.  Each problem is one line with its fix; the exit\n"
	    "status is 0 when every checked credential works for what was asked, 1\n"
	    "otherwise, so a workflow can run it before a long build.  It never prints\n"
	    "a token.\n\n"
	    "IMAGE is ghcr.io/OWNER/NAME or docker.pkg.github.com/OWNER/REPO/NAME (a\n"
	    "tag or digest is ignored), or an image of a GitHub Enterprise registry.\n"
	    "An image whose OWNER has a login of its own (login ghcr.io/OWNER) is\n"
	    "checked with that one, as the kubelet provider would offer it first;\n"
	    "without IMAGE, those logins are checked too.\n\n"
	    "Options:\n"
	    "  --json      print one JSON object instead\n"
	    "  --system    the node's store, which the kubelet provider reads\n"
	    "  -h, --help  show this help\n\n"
	    "The whole check takes at most %d s (" CHECK_BUDGET_ENV "), 5 s to\n"
	    "connect; HTTPS_PROXY/NO_PROXY, SSL_CERT_FILE and CURL_CA_BUNDLE apply.\n",
	    CHECK_DEFAULT_BUDGET_S);
}
static int
budget_seconds(void)
{
	const char *v = settings_getenv(CHECK_BUDGET_ENV);
	char *end;
	long n;

	if (v == NULL)
		return CHECK_DEFAULT_BUDGET_S;
	n = strtol(v, &end, 10);
	if (*end != '\0' || n < 1 || n > 600)
		return -1;
	return (int)n;
}
/* --- images --------------------------------------------------------------- */

static int
parse_image(const struct settings *s, const char *arg, struct image_ref *img,
	    char *why, size_t size)
{
	char host[SERVER_MAX], github[SERVER_MAX];
	const char *slash = strchr(arg, '/'), *rest, *p;
	size_t n;

	memset(img, 0, sizeof(*img));
	img->arg = arg;
	if (slash == NULL || slash == arg || (size_t)(slash - arg) >= sizeof(host)) {
		snprintf(why, size, "%.200s: not HOST/OWNER/NAME (e.g. ghcr.io/octocat/app)", arg);
		return -1;
	}
	snprintf(host, sizeof(host), "%.*s", (int)(slash - arg), arg);
	if (server_normalise(host, img->host) != GHCR_OK) {
		snprintf(why, size, "%.200s: %s", arg, ghcr_error_message(GHCR_ERR_BAD_SERVER));
		ghcr_error_clear();
		return -1;
	}
	if (!github_server_for_registry(s, img->host, github)) {
		snprintf(why, size, "%.200s: %s is not a GitHub registry (check only "
		    "sends GitHub credentials to ghcr.io, docker.pkg.github.com and "
		    "the configured enterprise registries)", arg, img->host);
		return -1;
	}
	rest = slash + 1;
	/* Drop a digest, then a tag (a colon after the last slash). */
	n = strcspn(rest, "@");
	p = memchr(rest, ':', n);
	if (p != NULL && memchr(p, '/', n - (size_t)(p - rest)) == NULL)
		n = (size_t)(p - rest);
	if (n == 0 || n >= sizeof(img->name)) {
		snprintf(why, size, "%.200s: no repository name", arg);
		return -1;
	}
	memcpy(img->name, rest, n);
	img->name[n] = '\0';
	for (p = img->name; *p != '\0'; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) ||
		    strchr("._-/", *p) != NULL)) {
			snprintf(why, size, "%.200s: a repository name has only lower-case "
			    "letters, digits and . _ - /", arg);
			return -1;
		}
	if (strchr(img->name, '/') == NULL || img->name[0] == '/' ||
	    img->name[n - 1] == '/' || strstr(img->name, "//") != NULL) {
		snprintf(why, size, "%.200s: not HOST/OWNER/NAME (e.g. ghcr.io/octocat/app)", arg);
		return -1;
	}
	n = strcspn(img->name, "/");
	memcpy(img->owner, img->name, n);
	img->owner[n] = '\0';
	return 0;
}
/*
 * Whose login answers for an image: the owner's ("ghcr.io/octo-org") when
 * one is stored for it, even expired (check then says so, where the
 * kubelet provider would fall back to the host's), else the host's.
 */
static void
image_key(struct resolver *res, struct image_ref *img)
{
	struct credential cred = { 0 };
	struct source_hit hit;
	char key[SERVER_MAX];
	int r;

	memcpy(img->key, img->host, sizeof(img->key));
	if (snprintf(key, sizeof(key), "%s/%s", img->host, img->owner) >= (int)sizeof(key))
		return;
	r = sources_get(res, key, SOURCES_NO_SECRET, &cred, &hit);
	if (r == GHCR_OK || (r == GHCR_ERR_NOT_FOUND && hit.stored_expired != 0))
		memcpy(img->key, key, sizeof(img->key));
	credential_clear(&cred);
	ghcr_error_clear();
}

/* Adds the stored logins scoped to an owner on a GitHub registry. */
struct scoped_keys {
	const struct settings *s;
	char (*keys)[SERVER_MAX];
	int n;
};

static int
add_scoped(const char *server, const char *username, void *ctx)
{
	struct scoped_keys *sk = ctx;
	const char *slash = strchr(server, '/');
	char host[SERVER_MAX], github[SERVER_MAX];

	(void)username;
	if (slash == NULL || sk->n == CMD_MAX_HOSTS || strlen(server) >= SERVER_MAX ||
	    (size_t)(slash - server) >= sizeof(host))
		return 0;
	snprintf(host, sizeof(host), "%.*s", (int)(slash - server), server);
	if (github_server_for_registry(sk->s, host, github))
		snprintf(sk->keys[sk->n++], SERVER_MAX, "%s", server);
	return 0;
}

/* --- rendering -------------------------------------------------------------- */

static void
render_step(const char *what, json_t *st)
{
	const char *outcome = report_get(st, "outcome"), *note = report_get(st, "note");

	printf("%s %s", what, strcmp(outcome, "works") == 0 ? "allowed" :
	    strcmp(outcome, "refused") == 0 ? "denied" :
	    strcmp(outcome, "skipped") == 0 ? "not tried" : "failed");
	if (note != NULL) {
		printf(" (");
		report_put_clean(note, 0);
		printf(")");
	}
}

static void
render_text(json_t *doc)
{
	json_t *hosts = json_object_get(doc, "hosts"), *problems = json_object_get(doc, "problems");
	json_t *h, *p, *img, *reg, *api, *sc;
	size_t i, k;
	int errors = 0;

	json_array_foreach(hosts, i, h) {
		const char *src = report_get(h, "source"), *var = report_get(h, "variable");

		printf("%s: ", report_get(h, "host"));
		if (strcmp(src, "none") == 0) {
			if (report_get(h, "stored_expired") != NULL)
				printf("stored token expired on %s (not checked)\n",
				    report_get(h, "stored_expired"));
			else
				printf("%s\n", report_get(h, "error") != NULL ?
				    report_get(h, "error") : "no credential (not checked)");
			continue;
		}
		printf("%s%s%s, user ", strcmp(src, "stored") == 0 ? "stored login" :
		    strcmp(src, "gh-cli") == 0 ? "GitHub CLI login" : "ambient token",
		    var != NULL ? " " : "", var != NULL ? var : "");
		report_put_clean(report_get(h, "username"), 0);
		printf(", %s %s\n", report_get(h, "token_kind_name"), report_get(h, "token"));
		if (!json_is_true(json_object_get(h, "checked")))
			continue;
		reg = json_object_get(h, "registry");
		printf("  registry:   ");
		if (strcmp(report_get(reg, "outcome"), "works") == 0) {
			printf("login works");
			if (report_get(reg, "realm") != NULL) {
				printf(" (token from ");
				report_put_clean(report_get(reg, "realm"), 0);
				if (report_get(reg, "service") != NULL) {
					printf(", service ");
					report_put_clean(report_get(reg, "service"), 0);
				}
				printf(")");
			} else if (report_get(reg, "note") != NULL) {
				printf(" (");
				report_put_clean(report_get(reg, "note"), 0);
				printf(")");
			}
		} else {
			printf("%s: ", strcmp(report_get(reg, "outcome"), "refused") == 0 ?
			    "login refused" : "no answer");
			report_put_clean(report_get(reg, "reason"), 0);
		}
		printf("\n");
		if ((api = json_object_get(h, "github_api")) != NULL && json_is_object(api)) {
			printf("  GitHub API: ");
			if (strcmp(report_get(api, "outcome"), "failed") == 0) {
				printf("no answer");
			} else if (strcmp(report_get(api, "outcome"), "refused") == 0) {
				printf("token refused (HTTP %lld", (long long)json_integer_value(
				    json_object_get(api, "status")));
				if (report_get(api, "message") != NULL) {
					printf(": ");
					report_put_clean(report_get(api, "message"), 0);
				}
				printf(")");
			} else {
				sc = json_object_get(api, "scopes");
				if (json_is_array(sc)) {
					printf("scopes ");
					if (json_array_size(sc) == 0)
						printf("(none)");
					json_array_foreach(sc, k, p)
						printf("%s%s", k > 0 ? ", " : "", json_string_value(p));
				} else
					printf("no OAuth scopes (not a classic token)");
				if (report_get(api, "expires") != NULL)
					printf("; expires %s (%lld days)", report_get(api, "expires"),
					    (long long)json_integer_value(json_object_get(api, "days_left")));
				else
					printf("; no expiry date");
				if (report_get(api, "sso_url") != NULL)
					printf("; SSO authorization needed");
			}
			printf("\n");
		}
		json_array_foreach(json_object_get(h, "images"), k, img) {
			printf("  ");
			report_put_clean(report_get(img, "image"), 0);
			printf(": ");
			render_step("pull", json_object_get(img, "pull"));
			printf(", ");
			render_step("push", json_object_get(img, "push"));
			printf("\n");
		}
	}
	printf("\n");
	json_array_foreach(problems, i, p)
		errors += strcmp(report_get(p, "level"), "error") == 0;
	if (json_array_size(problems) == 0) {
		printf("Every checked credential works.\n");
		return;
	}
	printf("%zu problem%s found%s:\n", json_array_size(problems),
	    json_array_size(problems) == 1 ? "" : "s",
	    errors == 0 ? " (none stops a build)" : "");
	json_array_foreach(problems, i, p) {
		printf("  %s: ", report_get(p, "level"));
		report_put_clean(report_get(p, "problem"), 0);
		printf("\n    fix: ");
		report_put_clean(report_get(p, "fix"), 0);
		printf("\n");
	}
}

/* --- the command ------------------------------------------------------------ */

static int
module_cmd_check(int argc, char **argv, struct resolver *res)
{
	static struct image_ref images[CHECK_MAX_IMAGES];
	const struct image_ref *on_host[CHECK_MAX_IMAGES];
	char hosts[CMD_MAX_HOSTS][SERVER_MAX], why[512];
	struct check_run run;
	json_t *doc = NULL, *list = NULL;
	int as_json = 0, nimages = 0, nhosts = 0, checked = 0, errors = 0, r = GHCR_OK;
	size_t i;
	json_t *p;

	module_enter();
	if (cmd_wants_help(argc, argv)) {
		check_usage(stdout);
		return GHCR_OK;
	}
	memset(&run, 0, sizeof(run));
	run.s = res->settings;
	if ((run.budget_s = budget_seconds()) < 0)
		return ghcr_fail(GHCR_ERR_CONFIG, CHECK_BUDGET_ENV " must be whole "
		    "seconds from 1 to 600");
	for (int a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--json") == 0)
			as_json = 1;
		else if (argv[a][0] == '-')
			return ghcr_fail(GHCR_ERR_BAD_INPUT, "check: unknown option "
			    "'%.32s'; see " PROGRAM_NAME " check --help", argv[a]);
		else if (nimages == CHECK_MAX_IMAGES)
			return ghcr_fail(GHCR_ERR_BAD_INPUT, "check takes at most %d "
			    "images", CHECK_MAX_IMAGES);
		else if (parse_image(run.s, argv[a], &images[nimages], why, sizeof(why)) != 0)
			return ghcr_fail(GHCR_ERR_BAD_INPUT, "%s", why);
		else
			nimages++;
	}
	if ((doc = json_object()) == NULL || (list = json_array()) == NULL ||
	    (run.problems = json_array()) == NULL) {
		r = GHCR_ERR_NO_MEMORY;
		goto out;
	}

	/* The logins to check: those that answer for the images, in order
	 * (an owner's own where one is stored), or every GitHub registry's
	 * and every owner's. */
	if (nimages > 0) {
		for (int a = 0; a < nimages; a++) {
			int k;

			image_key(res, &images[a]);
			for (k = 0; k < nhosts; k++)
				if (strcmp(hosts[k], images[a].key) == 0)
					break;
			if (k == nhosts && nhosts < CMD_MAX_HOSTS)
				memcpy(hosts[nhosts++], images[a].key, SERVER_MAX);
		}
	} else {
		struct scoped_keys sk = { run.s, hosts, 0 };

		sk.n = github_all_registries(run.s, hosts, CMD_MAX_HOSTS);
		if (resolver_list(res, add_scoped, &sk) != GHCR_OK)
			ghcr_error_clear(); /* check_host says what is wrong */
		nhosts = sk.n;
	}
	for (int k = 0; k < nhosts && r == GHCR_OK; k++) {
		int n = 0;

		for (int a = 0; a < nimages; a++)
			if (strcmp(images[a].key, hosts[k]) == 0)
				on_host[n++] = &images[a];
		r = check_host(&run, res, hosts[k], on_host, n, nimages > 0, list, &checked);
	}
	if (r != GHCR_OK)
		goto out;
	json_array_foreach(run.problems, i, p)
		if (strcmp(json_string_value(json_object_get(p, "id")),
		    "stored-expired") == 0)
			checked = -1; /* said already, with its fix */
	if (checked == 0 && nimages == 0)
		add_problem(&run, "nothing-checked", "error", NULL,
		    "no GitHub registry has a credential here: nothing was checked",
		    PROGRAM_NAME " login ghcr.io -u USER (with a classic token), or "
		    "export GITHUB_TOKEN");
	json_array_foreach(run.problems, i, p)
		errors += strcmp(json_string_value(json_object_get(p, "level")), "error") == 0;
	json_object_set_new(doc, "ok", json_boolean(errors == 0));
	json_object_set_new(doc, "hosts", list);
	list = NULL;
	json_object_set_new(doc, "problems", run.problems);
	run.problems = NULL;

	if (as_json && (r = report_print_json(doc)) != GHCR_OK)
		goto out;
	if (!as_json)
		render_text(doc);
	if (errors > 0)
		r = ghcr_fail(GHCR_ERR_UNAVAILABLE, "check: %d problem%s to fix "
		    "before the build", errors, errors == 1 ? "" : "s");
out:
	http_client_close(&run.http);
	json_decref(run.problems);
	json_decref(list);
	json_decref(doc);
	return r;
}

static int
module_check_token_for_login(const char *server, const char *username,
			     const char *secret, time_t *expiry,
			     const struct settings *s)
{
	struct check_run run;
	struct host_job job;
	char reason[640];
	json_t *h;
	int r;

	module_enter();
	*expiry = 0;
	memset(&run, 0, sizeof(run));
	memset(&job, 0, sizeof(job));
	run.s = s;
	if ((run.budget_s = budget_seconds()) < 0)
		run.budget_s = CHECK_DEFAULT_BUDGET_S;
	if ((h = json_object()) == NULL || (run.problems = json_array()) == NULL) {
		json_decref(h);
		return GHCR_ERR_NO_MEMORY;
	}
	job.host = server;
	job.username = username;
	job.secret = secret;
	job.from = "stored";
	if (!github_server_for_registry(s, server, job.github))
		job.github[0] = '\0';
	r = check_credential(&run, &job, h, expiry, reason, sizeof(reason));
	if (r == CHECK_REFUSED || r == CHECK_UNREACHABLE)
		(void)ghcr_fail(GHCR_ERR_UNAVAILABLE, "%s", reason);
	http_client_close(&run.http);
	json_decref(run.problems);
	json_decref(h);
	return r;
}

/* The one symbol the helper looks up (see check_module.h). */
extern const struct check_module ghcr_check_module;

__attribute__((visibility("default")))
const struct check_module ghcr_check_module = {
	.abi = CHECK_ABI,
	.resolver_size = sizeof(struct resolver),
	.settings_size = sizeof(struct settings),
	.cmd = module_cmd_check,
	.login = module_check_token_for_login,
};
