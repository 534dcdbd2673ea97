/*
 * The checks of `check` (see check_private.h): for one host, the
 * credential `get` would answer with is tried against the registry for
 * real: the token exchange, and for each image a pull probe and a push
 * probe that writes nothing; for a personal token the GitHub API says its
 * scopes, expiry and SSO state.  Each finding goes into the host's JSON
 * object and each problem, with its fix, into the run's list; the verdict
 * is what login wants to know.  No token is ever put in them, only its
 * mask.
 */
#include "check_private.h"
#include "cmd_common.h"
#include "errors.h"
#include "github.h"
#include "github_api.h"
#include "http.h"
#include "registry_probe.h"
#include "secmem.h"
#include "token_kind.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EXPIRY_WARN_DAYS 7

static json_t *
jstr_or_null(const char *s)
{
	return s != NULL && s[0] != '\0' ? report_str(s) : json_null();
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
	json_object_set_new(o, "reason", report_str(why));
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

	json_object_set_new(o, "url", report_str(api->url));
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
				json_array_append_new(scopes, report_str(one));
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

/* A pull or push probe's problem, if any: "pull-denied" with the access
 * fix (`access` is "read" or "write"), or "pull-failed". */
static void
report_probe(struct check_run *run, const struct host_job *job,
	     const struct image_ref *img, const struct github_api_result *api,
	     const struct probe_step *st, const char *probe, const char *access)
{
	char id[16], line[1024], fixbuf[512];

	if (st->outcome == PROBE_REFUSED) {
		snprintf(id, sizeof(id), "%s-denied", probe);
		add_problem(run, id, "error", img->arg,
		    say(line, sizeof(line), "%s: %s", img->name, st->reason),
		    "%s", access_fix(job, img, api, access, fixbuf, sizeof(fixbuf)));
	} else if (st->outcome == PROBE_FAILED) {
		snprintf(id, sizeof(id), "%s-failed", probe);
		add_problem(run, id, "error", img->arg,
		    say(line, sizeof(line), "%s: no answer to the %s probe: %s",
		    img->name, probe, st->reason),
		    "check the network and the registry's status, then run check again");
	}
}

/* One image: a pull-scoped exchange and probe, then a push-scoped one. */
static int
check_image(struct check_run *run, const struct host_job *job,
	    const struct registry_auth *auth, const struct image_ref *img,
	    const struct github_api_result *api, json_t *images)
{
	struct probe_step st;
	char scope[CHECK_NAME_MAX + 32];
	char *authz = NULL;
	json_t *o = json_object();
	int r;

	json_object_set_new(o, "image", report_str(img->arg));
	json_object_set_new(o, "repository", report_str(img->name));
	json_array_append_new(images, o);

	snprintf(scope, sizeof(scope), "repository:%s:pull", img->name);
	if ((r = registry_login(&run->http, job->host, auth, scope, job->username,
	    job->secret, &authz, &st)) != GHCR_OK)
		return r;
	if (st.outcome == PROBE_WORKS &&
	    (r = registry_pull_probe(&run->http, job->host, img->name, authz, &st)) != GHCR_OK)
		goto out;
	json_object_set_new(o, "pull", step_json(&st));
	report_probe(run, job, img, api, &st, "pull", "read");
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
	report_probe(run, job, img, api, &st, "push", "write");
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
int
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
		json_object_set_new(reg, "reason", report_str(line));
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

			json_object_set_new(o, "image", report_str(job->images[i]->arg));
			json_object_set_new(o, "repository", report_str(job->images[i]->name));
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
int
check_host(struct check_run *run, struct resolver *res, const char *host,
	   const struct image_ref *const *images, int nimages, int explicit,
	   json_t *list, int *checked)
{
	struct credential cred = { 0 };
	struct host_job job;
	struct source_hit hit;
	char line[1024], reason[640], registry[SERVER_MAX];
	const char *slash = strchr(host, '/');
	json_t *h = json_object();
	time_t expiry = 0;
	int r;

	/* A login for one owner's images is tried against its registry. */
	snprintf(registry, sizeof(registry), "%.*s", slash != NULL ?
	    (int)(slash - host) : (int)strlen(host), host);
	json_object_set_new(h, "host", report_str(host));
	if (slash != NULL) {
		json_object_set_new(h, "registry", report_str(registry));
		json_object_set_new(h, "owner", report_str(slash + 1));
	}
	json_array_append_new(list, h);
	/* The one call that decides which credential is checked: the same
	 * resolution as `get`. */
	r = sources_get(res, host, 0, &cred, &hit);
	json_object_set_new(h, "source", json_string(hit.source != NULL ?
	    hit.source->id : "none"));
	if (hit.source != NULL && hit.source->detail_key[0] != '\0' &&
	    hit.detail != NULL)
		json_object_set_new(h, hit.source->detail_key, report_str(hit.detail));
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
		json_object_set_new(h, "error", report_str(ghcr_error_message(r)));
		add_problem(run, "store-read", "error", host,
		    say(line, sizeof(line), "the login for %s cannot be read: %s",
		    host, ghcr_error_message(r)),
		    "fix the store as the message says (" PROGRAM_NAME " status "
		    "shows more), or log in again");
		ghcr_error_clear();
		return GHCR_OK;
	}

	(void)report_put_credential(h, cred.username, cred.secret);
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
	job.host = registry;
	job.username = cred.username;
	job.secret = cred.secret;
	job.from = hit.source->id;
	if (!github_server_for_registry(run->s, registry, job.github))
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
