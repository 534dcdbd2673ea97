/*
 * check: for every GitHub registry that has a credential (or for the hosts
 * of the images named), the credential `get` would answer with is tried
 * against the registry for real: the token exchange, and for each image a
 * pull probe and a push probe that writes nothing; for a personal token
 * the GitHub API says its scopes, expiry and SSO state.  Everything is
 * gathered into one JSON document; `--json` prints it and the plain form
 * is rendered from it.  A problem is one line with its fix; any "error"
 * makes the exit status 1.  No token is ever printed, only its mask.
 */
#include "cmd_check.h"
#include "cmd_common.h"
#include "errors.h"
#include "github.h"
#include "github_api.h"
#include "http.h"
#include "registry_probe.h"
#include "secmem.h"
#include "token_kind.h"

#include <ctype.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHECK_BUDGET_ENV "DOCKER_CREDENTIAL_GHCR_CHECK_TIMEOUT"
#define CHECK_MAX_IMAGES 32
#define CHECK_NAME_MAX 256
#define EXPIRY_WARN_DAYS 7

struct image_ref {
	const char *arg;               /* as given */
	char host[SERVER_MAX];
	char name[CHECK_NAME_MAX];     /* OWNER/NAME, OWNER/REPO/NAME */
	char owner[CHECK_NAME_MAX];
};

struct check_run {
	const struct settings *s;
	struct http_client http;
	int http_state;                /* 0 not tried, 1 open, -1 failed */
	char http_error[320];          /* why it failed */
	int budget_s;
	json_t *problems;
};

/* What is checked for one host, and with what. */
struct host_job {
	const char *host;
	const char *username;
	const char *secret;
	const char *from;              /* the answering source's id */
	char github[SERVER_MAX];       /* its GitHub server, "" when none */
	const struct image_ref *images[CHECK_MAX_IMAGES];
	int nimages;
};

static void
check_usage(FILE *f)
{
	fprintf(f, "Usage: " PROGRAM_NAME " check [--json] [IMAGE...]\n\n"
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
	    "tag or digest is ignored), or an image of a GitHub Enterprise registry.\n\n"
	    "Options:\n"
	    "  --json      print one JSON object instead\n"
	    "  -h, --help  show this help\n\n"
	    "The whole check takes at most %d s (" CHECK_BUDGET_ENV "), 5 s to\n"
	    "connect; HTTPS_PROXY/NO_PROXY, SSL_CERT_FILE and CURL_CA_BUNDLE apply.\n",
	    CHECK_DEFAULT_BUDGET_S);
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

static json_t *
jstr_or_null(const char *s)
{
	return s != NULL && s[0] != '\0' ? jstr(s) : json_null();
}

/* Adds {id, level, subject, problem, fix}; `fix` is a format. */
static void __attribute__((format(printf, 6, 7)))
add_problem(struct check_run *run, const char *id, const char *level,
	    const char *subject, const char *problem, const char *fix, ...)
{
	json_t *p = json_object();
	char *text = NULL;
	va_list ap;

	json_object_set_new(p, "id", json_string(id));
	json_object_set_new(p, "level", json_string(level));
	json_object_set_new(p, "subject", jstr(subject));
	json_object_set_new(p, "problem", jstr(problem));
	va_start(ap, fix);
	if (vasprintf(&text, fix, ap) == -1)
		text = NULL;
	va_end(ap);
	json_object_set_new(p, "fix", jstr(text));
	free(text);
	json_array_append_new(run->problems, p);
}

/* A sentence from a format, in a caller's buffer. */
static const char * __attribute__((format(printf, 3, 4)))
say(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return buf;
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

/* Opens the HTTPS client on first need: nothing to check, nothing loaded. */
static int
need_http(struct check_run *run, char *why, size_t size)
{
	int r;

	if (run->http_state == 0) {
		if ((r = http_client_open(&run->http, run->budget_s)) == GHCR_OK)
			run->http_state = 1;
		else {
			run->http_state = -1;
			snprintf(run->http_error, sizeof(run->http_error), "%s",
			    ghcr_error_message(r));
			ghcr_error_clear();
		}
	}
	if (run->http_state < 0) {
		snprintf(why, size, "%s", run->http_error);
		return GHCR_ERR_UNAVAILABLE;
	}
	return GHCR_OK;
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

/* --- fixes ---------------------------------------------------------------- */

static const char *
relogin_fix(const struct host_job *job, char *buf, size_t size)
{
	const char *gh = job->github[0] != '\0' ? job->github : "github.com";

	if (strcmp(job->from, "ambient") == 0)
		return "the job token lives only as long as its job: run check in the "
		    "same job, with GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }} in env";
	if (strcmp(job->from, "gh-cli") == 0)
		return say(buf, size, "gh auth login -h %s -s read:packages,write:packages", gh);
	return say(buf, size, "make a classic token with read:packages and "
	    "write:packages at https://%s/settings/tokens/new?scopes=write:packages"
	    " and log in again: " PROGRAM_NAME " login %s -u USER",
	    gh, job->host);
}

static const char *
classic_fix(const struct host_job *job, char *buf, size_t size)
{
	return say(buf, size, "make a classic token with write:packages at "
	    "https://%s/settings/tokens/new?scopes=write:packages and log in with "
	    "it: " PROGRAM_NAME " login %s -u USER",
	    job->github[0] != '\0' ? job->github : "github.com", job->host);
}

/* Why a push (or pull, `action` "read"/"write") is denied, and the fix. */
static const char *
access_fix(const struct host_job *job, const struct image_ref *img,
	   const struct github_api_result *api, const char *action,
	   char *buf, size_t size)
{
	enum token_kind kind = token_kind_of(job->secret);
	const char *gh = job->github[0] != '\0' ? job->github : "github.com";
	char scope[32];

	snprintf(scope, sizeof(scope), "%s:packages", action);
	if (api != NULL && api->sso_url[0] != '\0' &&
	    (api->sso_org[0] == '\0' || strcmp(api->sso_org, img->owner) == 0))
		return say(buf, size, "authorize the token for %s's SSO first: "
		    "open %s", img->owner, api->sso_url);
	switch (kind) {
	case TOKEN_INSTALLATION:
		return say(buf, size, "add this workflow's repository under the "
		    "package's \"Manage Actions access\" with the %s role "
		    "(https://%s/orgs/%s/packages/container/package/%s/settings, or "
		    "/users/%s/... for a user's package), and give the job "
		    "'permissions: packages: %s'", strcmp(action, "write") == 0 ?
		    "Write" : "Read", gh, img->owner, strchr(img->name, '/') + 1,
		    img->owner, strcmp(action, "write") == 0 ? "write" : "read");
	case TOKEN_OAUTH:
		return say(buf, size, "gh auth refresh -h %s -s %s", gh, scope);
	case TOKEN_FINE_GRAINED:
		return classic_fix(job, buf, size);
	default:
		break;
	}
	if (api != NULL && api->has_scopes && !github_scope_has(api->scopes, scope) &&
	    !(strcmp(action, "read") == 0 && github_scope_has(api->scopes, "write:packages")))
		return say(buf, size, "add the %s scope to the token at "
		    "https://%s/settings/tokens (or make a new classic token with it)",
		    scope, gh);
	return say(buf, size, "the token works but its user may not %s %s: the "
	    "package's owner grants that under the package's settings, \"Manage "
	    "access\"", strcmp(action, "write") == 0 ? "push to" : "pull", img->name);
}

/* --- one host ------------------------------------------------------------- */

static const char *
outcome_id(int outcome)
{
	switch (outcome) {
	case PROBE_WORKS: return "works";
	case PROBE_REFUSED: return "refused";
	default: return "failed";
	}
}

static json_t *
step_json(const struct probe_step *st)
{
	json_t *o = json_object();

	json_object_set_new(o, "outcome", json_string(outcome_id(st->outcome)));
	json_object_set_new(o, "status", st->status != 0 ? json_integer(st->status) : json_null());
	json_object_set_new(o, "reason", jstr_or_null(st->reason));
	json_object_set_new(o, "note", jstr_or_null(st->note));
	return o;
}

static json_t *
skipped_json(const char *why)
{
	json_t *o = json_object();

	json_object_set_new(o, "outcome", json_string("skipped"));
	json_object_set_new(o, "status", json_null());
	json_object_set_new(o, "reason", jstr(why));
	json_object_set_new(o, "note", json_null());
	return o;
}

static void
format_time(time_t t, char *out, size_t size)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, size, "%lld", (long long)t);
}

/* The GitHub API part: what it says, and the problems it shows. */
static json_t *
check_api(struct check_run *run, const struct host_job *job,
	  struct github_api_result *api, int registry_refused, time_t *expiry)
{
	const char *orgs[CHECK_MAX_IMAGES];
	char base[512], when[40], line[768], fixbuf[512];
	json_t *o = json_object(), *scopes;
	int norgs = 0, r;

	github_api_base(job->github, base, sizeof(base));
	for (int i = 0; i < job->nimages; i++) {
		int seen = 0;

		for (int k = 0; k < norgs; k++)
			seen |= strcmp(orgs[k], job->images[i]->owner) == 0;
		if (!seen)
			orgs[norgs++] = job->images[i]->owner;
	}
	if (need_http(run, line, sizeof(line)) != GHCR_OK) {
		memset(api, 0, sizeof(*api));
		snprintf(api->url, sizeof(api->url), "%s", base);
		snprintf(api->message, sizeof(api->message), "%.500s", line);
	} else if ((r = github_api_check(&run->http, base, job->secret, orgs, norgs,
	    api)) != GHCR_OK)
		snprintf(api->message, sizeof(api->message), "%s", ghcr_strerror(r));

	json_object_set_new(o, "url", jstr(api->url));
	json_object_set_new(o, "outcome", json_string(!api->reached ? "failed" :
	    api->valid ? "works" : "refused"));
	json_object_set_new(o, "status", api->reached ? json_integer(api->status) : json_null());
	if (api->has_scopes) {
		const char *p = api->scopes;

		scopes = json_array();
		while (*p != '\0') {
			size_t n;

			while (*p == ' ' || *p == ',')
				p++;
			n = strcspn(p, ", ");
			if (n > 0) {
				char one[128];

				snprintf(one, sizeof(one), "%.*s", (int)n, p);
				json_array_append_new(scopes, jstr(one));
			}
			p += n;
		}
		json_object_set_new(o, "scopes", scopes);
	} else
		json_object_set_new(o, "scopes", json_null());
	if (api->expiry != 0) {
		format_time(api->expiry, when, sizeof(when));
		json_object_set_new(o, "expires", json_string(when));
		json_object_set_new(o, "expires_unix", json_integer((json_int_t)api->expiry));
		json_object_set_new(o, "days_left", json_integer(
		    (json_int_t)((api->expiry - time(NULL)) / 86400)));
		*expiry = api->expiry;
	} else {
		json_object_set_new(o, "expires", json_null());
		json_object_set_new(o, "expires_unix", json_null());
		json_object_set_new(o, "days_left", json_null());
	}
	json_object_set_new(o, "sso_url", jstr_or_null(api->sso_url));
	json_object_set_new(o, "message", jstr_or_null(api->message));

	if (!api->reached) {
		add_problem(run, "github-api-unreachable", "warning", job->host,
		    say(line, sizeof(line), "the GitHub API (%s) did not answer: %s; "
		    "scopes, expiry and SSO were not checked", api->url, api->message),
		    "check the network and HTTPS_PROXY/NO_PROXY; "
		    GITHUB_API_ENV " names another API address");
		return o;
	}
	if (api->status == 401 && !registry_refused)
		add_problem(run, "token-invalid", "error", job->host,
		    say(line, sizeof(line), "GitHub does not take the token for %s "
		    "(%s): it expired or was revoked", job->host,
		    api->message[0] != '\0' ? api->message : "HTTP 401"),
		    "%s", relogin_fix(job, fixbuf, sizeof(fixbuf)));
	if (api->sso_url[0] != '\0')
		add_problem(run, "sso-required", "error", job->host,
		    say(line, sizeof(line), "the organization%s%s enforces SAML SSO "
		    "and the token for %s is not authorized for it",
		    api->sso_org[0] != '\0' ? " " : "", api->sso_org, job->host),
		    "authorize the token for SSO: open %s", api->sso_url);
	if (api->expiry != 0 && api->expiry <= time(NULL))
		add_problem(run, "token-expired", "error", job->host,
		    say(line, sizeof(line), "the token for %s expired on %s",
		    job->host, api->expiry_text),
		    "%s", relogin_fix(job, fixbuf, sizeof(fixbuf)));
	else if (api->expiry != 0 && api->expiry - time(NULL) < EXPIRY_WARN_DAYS * 86400)
		add_problem(run, "token-expires-soon", "warning", job->host,
		    say(line, sizeof(line), "the token for %s expires on %s, in "
		    "less than %d days", job->host, api->expiry_text, EXPIRY_WARN_DAYS),
		    "%s", relogin_fix(job, fixbuf, sizeof(fixbuf)));
	if (api->valid && api->has_scopes && job->nimages == 0 &&
	    !github_scope_has(api->scopes, "read:packages") &&
	    !github_scope_has(api->scopes, "write:packages"))
		add_problem(run, "scope-missing", "warning", job->host,
		    say(line, sizeof(line), "the token for %s has no read:packages "
		    "scope (scopes: %s): private images will not pull", job->host,
		    api->scopes[0] != '\0' ? api->scopes : "none"),
		    "%s", token_kind_of(job->secret) == TOKEN_OAUTH ?
		    say(fixbuf, sizeof(fixbuf), "gh auth refresh -h %s -s read:packages,write:packages",
		    job->github) : classic_fix(job, fixbuf, sizeof(fixbuf)));
	return o;
}

/* One image: a pull-scoped exchange and probe, then a push-scoped one. */
static int
check_image(struct check_run *run, const struct host_job *job,
	    const struct registry_auth *auth, const struct image_ref *img,
	    const struct github_api_result *api, json_t *images)
{
	struct probe_step st;
	char scope[CHECK_NAME_MAX + 32], line[1024], fixbuf[512];
	char *authz = NULL;
	json_t *o = json_object();
	int r;

	json_object_set_new(o, "image", jstr(img->arg));
	json_object_set_new(o, "repository", jstr(img->name));
	json_array_append_new(images, o);

	snprintf(scope, sizeof(scope), "repository:%s:pull", img->name);
	if ((r = registry_login(&run->http, job->host, auth, scope, job->username,
	    job->secret, &authz, &st)) != GHCR_OK)
		return r;
	if (st.outcome == PROBE_WORKS &&
	    (r = registry_pull_probe(&run->http, job->host, img->name, authz, &st)) != GHCR_OK)
		goto out;
	json_object_set_new(o, "pull", step_json(&st));
	if (st.outcome == PROBE_REFUSED)
		add_problem(run, "pull-denied", "error", img->arg,
		    say(line, sizeof(line), "%s: %s", img->name, st.reason),
		    "%s", access_fix(job, img, api, "read", fixbuf, sizeof(fixbuf)));
	else if (st.outcome == PROBE_FAILED)
		add_problem(run, "pull-failed", "error", img->arg,
		    say(line, sizeof(line), "%s: no answer to the pull probe: %s",
		    img->name, st.reason),
		    "check the network and the registry's status, then run check again");
	secmem_free(authz);
	authz = NULL;

	snprintf(scope, sizeof(scope), "repository:%s:pull,push", img->name);
	if ((r = registry_login(&run->http, job->host, auth, scope, job->username,
	    job->secret, &authz, &st)) != GHCR_OK)
		return r;
	if (st.outcome == PROBE_WORKS &&
	    (r = registry_push_probe(&run->http, job->host, img->name, authz, &st)) != GHCR_OK)
		goto out;
	if (st.outcome == PROBE_WORKS && st.upload[0] != '\0') {
		/* The registry wants the delete action to cancel an upload
		 * (distribution does): ask for just that, and cancel. */
		struct probe_step del;

		secmem_free(authz);
		authz = NULL;
		snprintf(scope, sizeof(scope), "repository:%s:delete", img->name);
		if ((r = registry_login(&run->http, job->host, auth, scope, job->username,
		    job->secret, &authz, &del)) != GHCR_OK)
			return r;
		if (del.outcome == PROBE_WORKS &&
		    (r = registry_cancel_upload(&run->http, authz, &st)) != GHCR_OK)
			goto out;
	}
	json_object_set_new(o, "push", step_json(&st));
	if (st.outcome == PROBE_REFUSED)
		add_problem(run, "push-denied", "error", img->arg,
		    say(line, sizeof(line), "%s: %s", img->name, st.reason),
		    "%s", access_fix(job, img, api, "write", fixbuf, sizeof(fixbuf)));
	else if (st.outcome == PROBE_FAILED)
		add_problem(run, "push-failed", "error", img->arg,
		    say(line, sizeof(line), "%s: no answer to the push probe: %s",
		    img->name, st.reason),
		    "check the network and the registry's status, then run check again");
out:
	secmem_free(authz);
	return r;
}

/*
 * Checks one credential for one host, adding the findings to `h` and the
 * problems to the run.  Returns an enum check_verdict for the plain login
 * (what login wants to know), or a negative ghcr_status; *expiry gets what
 * GitHub said (0 when nothing).  `reason` receives the refusal or failure.
 */
static int
check_credential(struct check_run *run, const struct host_job *job, json_t *h,
		 time_t *expiry, char *reason, size_t reason_size)
{
	struct registry_auth auth;
	struct github_api_result api;
	struct probe_step st;
	enum token_kind kind = token_kind_of(job->secret);
	char line[1024], fixbuf[512];
	char *authz = NULL;
	json_t *reg = json_object(), *images = json_array();
	int verdict, personal, r = GHCR_OK;

	*expiry = 0;
	reason[0] = '\0';
	memset(&api, 0, sizeof(api));
	json_object_set_new(h, "registry", reg);
	if (need_http(run, line, sizeof(line)) != GHCR_OK) {
		json_object_set_new(reg, "outcome", json_string("failed"));
		json_object_set_new(reg, "reason", jstr(line));
		json_object_set_new(h, "github_api", json_null());
		json_object_set_new(h, "images", images);
		add_problem(run, "no-libcurl", "error", job->host, line,
		    "install libcurl (Debian: apt-get install libcurl4)");
		snprintf(reason, reason_size, "%.600s", line);
		return CHECK_UNREACHABLE;
	}

	/* The registry: challenge, then the login docker login does. */
	if ((r = registry_challenge(&run->http, job->host, &auth, &st)) != GHCR_OK)
		return r;
	if (st.outcome == PROBE_WORKS &&
	    (r = registry_login(&run->http, job->host, &auth, NULL, job->username,
	    job->secret, &authz, &st)) != GHCR_OK)
		return r;
	secmem_free(authz);
	authz = NULL;
	verdict = st.outcome == PROBE_WORKS ? CHECK_WORKS :
	    st.outcome == PROBE_REFUSED ? CHECK_REFUSED : CHECK_UNREACHABLE;
	json_object_set_new(reg, "outcome", json_string(outcome_id(st.outcome)));
	json_object_set_new(reg, "auth", json_string(auth.scheme == REGISTRY_AUTH_BEARER ?
	    "bearer" : auth.scheme == REGISTRY_AUTH_BASIC ? "basic" : "none"));
	json_object_set_new(reg, "realm", jstr_or_null(auth.realm));
	json_object_set_new(reg, "service", jstr_or_null(auth.service));
	json_object_set_new(reg, "status", st.status != 0 ? json_integer(st.status) : json_null());
	json_object_set_new(reg, "reason", jstr_or_null(st.reason));
	json_object_set_new(reg, "note", jstr_or_null(st.note));
	snprintf(reason, reason_size, "%s", st.reason);

	/* The GitHub API, for personal tokens (not the job token). */
	personal = job->github[0] != '\0' && kind != TOKEN_INSTALLATION &&
	    kind != TOKEN_REFRESH;
	if (personal)
		json_object_set_new(h, "github_api", check_api(run, job, &api,
		    verdict == CHECK_REFUSED, expiry));
	else
		json_object_set_new(h, "github_api", json_null());

	if (kind == TOKEN_FINE_GRAINED)
		add_problem(run, "fine-grained-token", "error", job->host,
		    say(line, sizeof(line), "the token for %s is a fine-grained "
		    "personal access token (github_pat_), which GitHub Packages "
		    "does not accept%s%s", job->host, verdict == CHECK_REFUSED ?
		    "; the registry says: " : "", verdict == CHECK_REFUSED ? st.reason : ""),
		    "%s", classic_fix(job, fixbuf, sizeof(fixbuf)));
	else if (verdict == CHECK_REFUSED)
		add_problem(run, "registry-refused", "error", job->host,
		    say(line, sizeof(line), "%s refused the login: %s%s", job->host,
		    st.reason, personal && api.status == 401 ?
		    "; GitHub does not take the token either (expired or revoked)" : ""),
		    "%s", api.sso_url[0] != '\0' ?
		    say(fixbuf, sizeof(fixbuf), "authorize the token for SSO: open %s", api.sso_url) :
		    relogin_fix(job, fixbuf, sizeof(fixbuf)));
	else if (verdict == CHECK_UNREACHABLE)
		add_problem(run, "registry-unreachable", "error", job->host,
		    say(line, sizeof(line), "cannot check %s: %s", job->host, st.reason),
		    "check the network, the proxy (HTTPS_PROXY, NO_PROXY) and the CA "
		    "(SSL_CERT_FILE, CURL_CA_BUNDLE), then run check again");

	json_object_set_new(h, "images", images);
	for (int i = 0; i < job->nimages; i++) {
		if (verdict != CHECK_WORKS) {
			json_t *o = json_object();

			json_object_set_new(o, "image", jstr(job->images[i]->arg));
			json_object_set_new(o, "repository", jstr(job->images[i]->name));
			json_object_set_new(o, "pull", skipped_json("the login did not work"));
			json_object_set_new(o, "push", skipped_json("the login did not work"));
			json_array_append_new(images, o);
			continue;
		}
		if ((r = check_image(run, job, &auth, job->images[i],
		    personal ? &api : NULL, images)) != GHCR_OK)
			return r;
	}
	/* The expiry learned here goes back to the caller: check_host()
	 * records it beside a stored credential, login stores it with one. */
	return verdict;
}

/* Resolves and checks one host; `images` may be empty. */
static int
check_host(struct check_run *run, struct resolver *res, const char *host,
	   const struct image_ref *const *images, int nimages, int explicit,
	   json_t *list, int *checked)
{
	struct credential cred = { 0 };
	struct host_job job;
	struct source_hit hit;
	enum token_kind kind;
	char mask[TOKEN_MASK_MAX], line[1024], reason[640];
	json_t *h = json_object();
	time_t expiry = 0;
	int r;

	json_object_set_new(h, "host", jstr(host));
	json_array_append_new(list, h);
	/* The one call that decides which credential is checked: the same
	 * resolution as `get`. */
	r = sources_get(res, host, 0, &cred, &hit);
	json_object_set_new(h, "source", json_string(hit.source != NULL ?
	    hit.source->id : "none"));
	if (hit.source != NULL && hit.source->detail_key[0] != '\0' &&
	    hit.detail != NULL)
		json_object_set_new(h, hit.source->detail_key, jstr(hit.detail));
	if (hit.stored_expired != 0) {
		/* Still stored, but get no longer sends it. */
		char when[32];

		format_time(hit.stored_expired, when, sizeof(when));
		json_object_set_new(h, "stored_expired", json_string(when));
		add_problem(run, "stored-expired", "error", host,
		    say(line, sizeof(line), "the stored token for %s expired on "
		    "%s: get no longer answers with it (public images pull "
		    "anonymously)%s", host, when, r == GHCR_OK ?
		    ", so another source answers" : ""),
		    "make a new token and log in again: " PROGRAM_NAME " login %s "
		    "-u USER (or docker login %s)", host, host);
	}
	if (r != GHCR_OK) {
		json_object_set_new(h, "checked", json_false());
		if (r == GHCR_ERR_NOT_FOUND) {
			ghcr_error_clear();
			if (explicit)
				add_problem(run, "no-credential", "error", host,
				    say(line, sizeof(line), "nothing answers for %s: "
				    "no stored login, no GITHUB_TOKEN or GH_TOKEN, no "
				    "GitHub CLI login (only public images pull)", host),
				    PROGRAM_NAME " login %s -u USER (with a classic token), "
				    "or export GITHUB_TOKEN", host);
			return GHCR_OK;
		}
		if (r == GHCR_ERR_NO_MEMORY)
			return r;
		json_object_set_new(h, "error", jstr(ghcr_error_message(r)));
		add_problem(run, "store-read", "error", host,
		    say(line, sizeof(line), "the login for %s cannot be read: %s",
		    host, ghcr_error_message(r)),
		    "fix the store as the message says (" PROGRAM_NAME " status "
		    "shows more), or log in again");
		ghcr_error_clear();
		return GHCR_OK;
	}

	kind = token_kind_of(cred.secret);
	token_mask(cred.secret, mask);
	json_object_set_new(h, "username", jstr(cred.username));
	json_object_set_new(h, "token_kind", json_string(token_kind_id(kind)));
	json_object_set_new(h, "token_kind_name", json_string(token_kind_name(kind)));
	json_object_set_new(h, "token", json_string(mask));
	if (strcmp(cred.username, "<token>") == 0) {
		/* An identity token is traded with an OAuth2 grant, not Basic. */
		json_object_set_new(h, "checked", json_false());
		add_problem(run, "identity-token", "note", host,
		    say(line, sizeof(line), "the login for %s is an identity token; "
		    "check does not try those", host),
		    "nothing to do if pulls and pushes work");
		credential_clear(&cred);
		return GHCR_OK;
	}
	memset(&job, 0, sizeof(job));
	job.host = host;
	job.username = cred.username;
	job.secret = cred.secret;
	job.from = hit.source->id;
	if (!github_server_for_registry(run->s, host, job.github))
		job.github[0] = '\0';
	for (int i = 0; i < nimages && i < CHECK_MAX_IMAGES; i++)
		job.images[job.nimages++] = images[i];
	(*checked)++;
	json_object_set_new(h, "checked", json_true());
	r = check_credential(run, &job, h, &expiry, reason, sizeof(reason));
	/* A stored token's expiry is kept beside it, for status and get. */
	if (r >= 0 && expiry != 0 && (hit.source->flags & SOURCE_STORE)) {
		int rr = resolver_note_expiry(res, &cred, expiry);

		json_object_set_new(h, "expiry_recorded", json_boolean(rr == GHCR_OK));
		if (rr == GHCR_ERR_NO_MEMORY)
			r = rr;
		else if (rr != GHCR_OK) {
			add_problem(run, "expiry-not-recorded", "note", host,
			    say(line, sizeof(line), "the token's expiry could not "
			    "be recorded in the store: %s", ghcr_error_message(rr)),
			    "nothing to do: status just cannot show the days left");
			ghcr_error_clear();
		}
	}
	credential_clear(&cred);
	return r < 0 ? r : GHCR_OK;
}

/* --- rendering -------------------------------------------------------------- */

static const char *
sget(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* Prints text from outside with control characters masked. */
static void
put_clean(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		putchar((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
}

static void
render_step(const char *what, json_t *st)
{
	const char *outcome = sget(st, "outcome"), *note = sget(st, "note");

	printf("%s %s", what, strcmp(outcome, "works") == 0 ? "allowed" :
	    strcmp(outcome, "refused") == 0 ? "denied" :
	    strcmp(outcome, "skipped") == 0 ? "not tried" : "failed");
	if (note != NULL) {
		printf(" (");
		put_clean(note);
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
		const char *src = sget(h, "source"), *var = sget(h, "variable");

		printf("%s: ", sget(h, "host"));
		if (strcmp(src, "none") == 0) {
			if (sget(h, "stored_expired") != NULL)
				printf("stored token expired on %s (not checked)\n",
				    sget(h, "stored_expired"));
			else
				printf("%s\n", sget(h, "error") != NULL ?
				    sget(h, "error") : "no credential (not checked)");
			continue;
		}
		printf("%s%s%s, user ", strcmp(src, "stored") == 0 ? "stored login" :
		    strcmp(src, "gh-cli") == 0 ? "GitHub CLI login" : "ambient token",
		    var != NULL ? " " : "", var != NULL ? var : "");
		put_clean(sget(h, "username"));
		printf(", %s %s\n", sget(h, "token_kind_name"), sget(h, "token"));
		if (!json_is_true(json_object_get(h, "checked")))
			continue;
		reg = json_object_get(h, "registry");
		printf("  registry:   ");
		if (strcmp(sget(reg, "outcome"), "works") == 0) {
			printf("login works");
			if (sget(reg, "realm") != NULL) {
				printf(" (token from ");
				put_clean(sget(reg, "realm"));
				if (sget(reg, "service") != NULL) {
					printf(", service ");
					put_clean(sget(reg, "service"));
				}
				printf(")");
			} else if (sget(reg, "note") != NULL) {
				printf(" (");
				put_clean(sget(reg, "note"));
				printf(")");
			}
		} else {
			printf("%s: ", strcmp(sget(reg, "outcome"), "refused") == 0 ?
			    "login refused" : "no answer");
			put_clean(sget(reg, "reason"));
		}
		printf("\n");
		if ((api = json_object_get(h, "github_api")) != NULL && json_is_object(api)) {
			printf("  GitHub API: ");
			if (strcmp(sget(api, "outcome"), "failed") == 0) {
				printf("no answer");
			} else if (strcmp(sget(api, "outcome"), "refused") == 0) {
				printf("token refused (HTTP %lld", (long long)json_integer_value(
				    json_object_get(api, "status")));
				if (sget(api, "message") != NULL) {
					printf(": ");
					put_clean(sget(api, "message"));
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
				if (sget(api, "expires") != NULL)
					printf("; expires %s (%lld days)", sget(api, "expires"),
					    (long long)json_integer_value(json_object_get(api, "days_left")));
				else
					printf("; no expiry date");
				if (sget(api, "sso_url") != NULL)
					printf("; SSO authorization needed");
			}
			printf("\n");
		}
		json_array_foreach(json_object_get(h, "images"), k, img) {
			printf("  ");
			put_clean(sget(img, "image"));
			printf(": ");
			render_step("pull", json_object_get(img, "pull"));
			printf(", ");
			render_step("push", json_object_get(img, "push"));
			printf("\n");
		}
	}
	printf("\n");
	json_array_foreach(problems, i, p)
		errors += strcmp(sget(p, "level"), "error") == 0;
	if (json_array_size(problems) == 0) {
		printf("Every checked credential works.\n");
		return;
	}
	printf("%zu problem%s found%s:\n", json_array_size(problems),
	    json_array_size(problems) == 1 ? "" : "s",
	    errors == 0 ? " (none stops a build)" : "");
	json_array_foreach(problems, i, p) {
		printf("  %s: ", sget(p, "level"));
		put_clean(sget(p, "problem"));
		printf("\n    fix: ");
		put_clean(sget(p, "fix"));
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
	json_malloc_t jmalloc;
	json_free_t jfree;
	char *text = NULL;
	int as_json = 0, nimages = 0, nhosts = 0, checked = 0, errors = 0, r = GHCR_OK;
	size_t i;
	json_t *p;

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

	/* The hosts: those of the images, in order, or every GitHub registry. */
	if (nimages > 0) {
		for (int a = 0; a < nimages; a++) {
			int k;

			for (k = 0; k < nhosts; k++)
				if (strcmp(hosts[k], images[a].host) == 0)
					break;
			if (k == nhosts && nhosts < CMD_MAX_HOSTS)
				memcpy(hosts[nhosts++], images[a].host, SERVER_MAX);
		}
	} else
		nhosts = github_all_registries(run.s, hosts, CMD_MAX_HOSTS);
	for (int k = 0; k < nhosts && r == GHCR_OK; k++) {
		int n = 0;

		for (int a = 0; a < nimages; a++)
			if (strcmp(images[a].host, hosts[k]) == 0)
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

	if (as_json) {
		if ((text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER)) == NULL) {
			r = GHCR_ERR_NO_MEMORY;
			goto out;
		}
		printf("%s\n", text);
	} else
		render_text(doc);
	if (errors > 0)
		r = ghcr_fail(GHCR_ERR_UNAVAILABLE, "check: %d problem%s to fix "
		    "before the build", errors, errors == 1 ? "" : "s");
out:
	http_client_close(&run.http);
	json_get_alloc_funcs(&jmalloc, &jfree);
	if (text != NULL)
		jfree(text);
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

/* The one symbol the helper looks up (see cmd_check.h). */
extern const struct check_module ghcr_check_module;

__attribute__((visibility("default")))
const struct check_module ghcr_check_module = {
	.abi = CHECK_ABI,
	.resolver_size = sizeof(struct resolver),
	.settings_size = sizeof(struct settings),
	.cmd = module_cmd_check,
	.login = module_check_token_for_login,
};
