/*
 * Settings resolution (see settings.h).  Read once per run, before any
 * backend is touched; nothing here loads a library or talks to a service.
 * Which backend serves, and where the file store lives by default, are the
 * store's to say (store/choice.c, store/file/file_store.c).
 */
#include "settings.h"
#include "errors.h"

#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define ENV_PREFIX "DOCKER_CREDENTIAL_GHCR_"
#define APP_DIR "docker-credential-ghcr"

/* The settings a configuration file may carry, with their variables. */
enum setting_key {
	KEY_BACKEND, KEY_STORE, KEY_KEY_FILE, KEY_PASSPHRASE_FILE, KEY_HOSTS,
	KEY_GH_CLI, KEY_GITHUB_SERVER, KEY_COUNT
};

/*
 * job_env_only: inside a GitHub Actions job (job-scoped store), only the
 * workflow's environment may set it, not a configuration file found in
 * HOME: such a file may have been left by an earlier job on a persistent
 * runner, and must not move the job's store out of RUNNER_TEMP nor make
 * another host a GitHub registry that the job token answers for.
 */
static const struct {
	const char *file_key;
	const char *env;
	int job_env_only;
} setting_names[KEY_COUNT] = {
	[KEY_BACKEND] = { "backend", ENV_PREFIX "BACKEND", 1 },
	[KEY_STORE] = { "store", ENV_PREFIX "STORE", 1 },
	[KEY_KEY_FILE] = { "key-file", ENV_PREFIX "KEY_FILE", 1 },
	[KEY_PASSPHRASE_FILE] = { "passphrase-file", ENV_PREFIX "PASSPHRASE_FILE", 1 },
	[KEY_HOSTS] = { "hosts", ENV_PREFIX "HOSTS", 1 },
	[KEY_GH_CLI] = { "gh-cli", ENV_PREFIX "GH_CLI", 0 },
	[KEY_GITHUB_SERVER] = { "github-server", ENV_PREFIX "GITHUB_SERVER", 1 },
};

/* Raw values: from the file first, then overridden by the environment. */
struct raw_settings {
	const char *value[KEY_COUNT];
};

/*
 * The configuration file's values (and the line being read) live in static
 * storage, not on the stack: a large stack frame is probed page by page
 * (-fstack-clash-protection), so every run would fault in its 32 KiB whether
 * or not a file exists, while .bss pages are touched only when written.
 */
static char file_values[KEY_COUNT][PATH_MAX];
static char config_line[PATH_MAX + 64];

/* The settings' paths (and the XDG directories they start from), one
 * after another; settings_load() starts it afresh. */
static char paths[8 * PATH_MAX];
static size_t paths_used;

/* Keeps a path formatted at the free end of `paths`; NULL when it is
 * longer than PATH_MAX (or, impossibly, `paths` is full). */
static const char *
path_format(const char *fmt, ...)
{
	char *at = paths + paths_used;
	size_t room = sizeof(paths) - paths_used;
	va_list ap;
	int n;

	if (room > PATH_MAX)
		room = PATH_MAX;
	va_start(ap, fmt);
	n = vsnprintf(at, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room)
		return NULL;
	paths_used += (size_t)n + 1;
	return at;
}

const char *
settings_getenv(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

const char *
settings_home_dir(void)
{
	const char *home = settings_getenv("HOME");
	struct passwd *pw;

	if (home != NULL)
		return home;
	pw = getpwuid(getuid());
	return pw != NULL ? pw->pw_dir : NULL;
}

/* $XDG_VAR if absolute (the XDG spec says to ignore relative ones), else
 * $HOME/fallback; NULL when there is no home or the path is too long. */
static const char *
xdg_dir(const char *var, const char *fallback)
{
	const char *v = settings_getenv(var), *home;

	if (v != NULL && v[0] == '/')
		return path_format("%s", v);
	if ((home = settings_home_dir()) == NULL)
		return NULL;
	return path_format("%s/%s", home, fallback);
}

static char *
trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

/* Reads "key = value" lines; '#' starts a comment line.  A missing file
 * is no error: every setting has a default. */
static int
read_config_file(const char *path, struct raw_settings *raw)
{
	char *line = config_line;
	FILE *f;
	int lineno = 0, r = GHCR_OK;

	if ((f = fopen(path, "re")) == NULL)
		return errno == ENOENT ? GHCR_OK : ghcr_fail(GHCR_ERR_CONFIG,
		    "cannot read %s: %s", path, strerror(errno));
	while (fgets(line, sizeof(config_line), f) != NULL) {
		char *key, *value, *eq;
		int k;

		lineno++;
		key = trim(line);
		if (key[0] == '\0' || key[0] == '#')
			continue;
		if ((eq = strchr(key, '=')) == NULL) {
			r = ghcr_fail(GHCR_ERR_CONFIG,
			    "%s:%d: expected 'key = value'", path, lineno);
			break;
		}
		*eq = '\0';
		key = trim(key);
		value = trim(eq + 1);
		for (k = 0; k < KEY_COUNT; k++)
			if (strcmp(key, setting_names[k].file_key) == 0)
				break;
		if (k == KEY_COUNT) {
			r = ghcr_fail(GHCR_ERR_CONFIG,
			    "%s:%d: unknown setting '%.64s'", path, lineno, key);
			break;
		}
		snprintf(file_values[k], sizeof(file_values[k]), "%s", value);
		raw->value[k] = file_values[k];
	}
	fclose(f);
	return r;
}

static int
parse_bool(const char *name, const char *v, int *out)
{
	if (strcasecmp(v, "1") == 0 || strcasecmp(v, "on") == 0 ||
	    strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0)
		*out = 1;
	else if (strcasecmp(v, "0") == 0 || strcasecmp(v, "off") == 0 ||
	    strcasecmp(v, "false") == 0 || strcasecmp(v, "no") == 0)
		*out = 0;
	else
		return ghcr_fail(GHCR_ERR_CONFIG,
		    "%s must be on or off, not '%.32s'", name, v);
	return GHCR_OK;
}

/* "a.example, b.example:5000" -> normalised extra registry hosts. */
static int
parse_hosts(struct settings *s, const char *list)
{
	static char buf[PATH_MAX]; /* not on the stack: see file_values */
	char *save = NULL, *item;

	snprintf(buf, sizeof(buf), "%s", list);
	for (item = strtok_r(buf, ", ", &save); item != NULL;
	    item = strtok_r(NULL, ", ", &save)) {
		if (s->n_extra_hosts == SETTINGS_MAX_HOSTS)
			return ghcr_fail(GHCR_ERR_CONFIG,
			    "at most %d added hosts", SETTINGS_MAX_HOSTS);
		if (server_normalise(item, s->extra_hosts[s->n_extra_hosts]) != GHCR_OK)
			return ghcr_fail(GHCR_ERR_CONFIG,
			    "added host '%.64s' is not a registry host", item);
		s->n_extra_hosts++;
	}
	return GHCR_OK;
}

static int
set_path(const char **dst, const char *value, const char *dir,
	 const char *file)
{
	*dst = value != NULL ? path_format("%s", value)
	    : path_format("%s/" APP_DIR "/%s", dir, file);
	return *dst != NULL ? GHCR_OK :
	    ghcr_fail(GHCR_ERR_CONFIG, "path too long");
}

/*
 * Inside an Actions job, drops what the HOME configuration file says about
 * the store and the GitHub hosts (see job_env_only), with one note on
 * stderr naming what was ignored.  A file the workflow names itself
 * (DOCKER_CREDENTIAL_GHCR_CONFIG) is the workflow's, and is kept.
 */
static void
drop_home_file_settings(const char *path, struct raw_settings *raw)
{
	char names[160] = "";
	size_t len = 0;

	if (settings_getenv(ENV_PREFIX "CONFIG") != NULL)
		return;
	for (int k = 0; k < KEY_COUNT; k++) {
		if (!setting_names[k].job_env_only || raw->value[k] == NULL)
			continue;
		raw->value[k] = NULL;
		if (settings_getenv(setting_names[k].env) != NULL)
			continue; /* overridden anyway */
		len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s",
		    len > 0 ? ", " : "", setting_names[k].file_key);
	}
	if (len > 0)
		fprintf(stderr, "note: %s: ignored %s inside a GitHub Actions "
		    "job: there the store and the GitHub registry hosts come only "
		    "from the workflow's environment (" ENV_PREFIX "*)\n", path,
		    names);
}

static int
load(struct settings *s, int system)
{
	struct raw_settings raw;
	const char *v, *runner_temp, *data_dir, *config_dir;
	int r;

	memset(s, 0, sizeof(*s));
	memset(&raw, 0, sizeof(raw));
	paths_used = 0;
	s->passphrase_path = "";
	/* A node's identities are what its operator logged in; a person's
	 * GitHub CLI login is not one of them. */
	s->gh_cli = !system;
	s->system = system;

	/* Inside Actions everything stored lives and dies with the job
	 * (a node's store is where its configuration says). */
	v = getenv("GITHUB_ACTIONS");
	s->in_actions = v != NULL && strcmp(v, "true") == 0;
	runner_temp = settings_getenv("RUNNER_TEMP");
	if (s->in_actions && !system && runner_temp != NULL && runner_temp[0] == '/')
		s->job_scoped = 1;
	else
		runner_temp = NULL;

	if (system) {
		config_dir = SETTINGS_SYSTEM_CONFIG_DIR;
		data_dir = SETTINGS_SYSTEM_DATA_DIR;
	} else if ((config_dir = xdg_dir("XDG_CONFIG_HOME", ".config")) == NULL ||
	    (data_dir = xdg_dir("XDG_DATA_HOME", ".local/share")) == NULL)
		return ghcr_fail(GHCR_ERR_CONFIG,
		    "no home directory: set HOME or " ENV_PREFIX "STORE");
	if ((r = set_path(&s->config_path, settings_getenv(ENV_PREFIX "CONFIG"),
	    config_dir, "config")) != GHCR_OK)
		return r;
	if ((r = read_config_file(s->config_path, &raw)) != GHCR_OK)
		return r;
	if (s->job_scoped)
		drop_home_file_settings(s->config_path, &raw);
	for (int k = 0; k < KEY_COUNT; k++)
		if ((v = settings_getenv(setting_names[k].env)) != NULL)
			raw.value[k] = v;

	/* No session bus serves a node: its store is the file. */
	v = raw.value[KEY_BACKEND] != NULL ? raw.value[KEY_BACKEND] :
	    system ? "file" : "auto";
	if ((r = store_setting_check(v)) != GHCR_OK)
		return r;
	snprintf(s->backend_setting, sizeof(s->backend_setting), "%s", v);

	if (raw.value[KEY_GH_CLI] != NULL &&
	    (r = parse_bool(ENV_PREFIX "GH_CLI", raw.value[KEY_GH_CLI], &s->gh_cli)) != GHCR_OK)
		return r;
	if (raw.value[KEY_HOSTS] != NULL &&
	    (r = parse_hosts(s, raw.value[KEY_HOSTS])) != GHCR_OK)
		return r;

	/* The ambient token belongs to the server the job runs on. */
	v = raw.value[KEY_GITHUB_SERVER];
	if (settings_getenv(ENV_PREFIX "GITHUB_SERVER") == NULL &&
	    settings_getenv("GITHUB_SERVER_URL") != NULL)
		v = settings_getenv("GITHUB_SERVER_URL");
	if (v == NULL)
		v = "github.com";
	if (server_normalise(v, s->github_host) != GHCR_OK)
		return ghcr_fail(GHCR_ERR_CONFIG,
		    "GitHub server '%.64s' is not a host name", v);

	/* Where the file store lives: its own defaults, unless set. */
	if ((r = store_file_default_paths(data_dir, config_dir, runner_temp,
	    paths + paths_used, 2 * PATH_MAX, &s->store_path, &s->key_path)) !=
	    GHCR_OK)
		return r;
	paths_used += strlen(s->store_path) + strlen(s->key_path) + 2;
	if (raw.value[KEY_STORE] != NULL &&
	    (r = set_path(&s->store_path, raw.value[KEY_STORE], NULL, NULL)) != GHCR_OK)
		return r;
	if (raw.value[KEY_KEY_FILE] != NULL &&
	    (r = set_path(&s->key_path, raw.value[KEY_KEY_FILE], NULL, NULL)) != GHCR_OK)
		return r;
	if (raw.value[KEY_PASSPHRASE_FILE] != NULL &&
	    (r = set_path(&s->passphrase_path, raw.value[KEY_PASSPHRASE_FILE],
	    NULL, NULL)) != GHCR_OK)
		return r;
	return GHCR_OK;
}

int
settings_load(struct settings *s)
{
	return load(s, 0);
}

int
settings_load_system(struct settings *s)
{
	return load(s, 1);
}

void
settings_file_location(const struct settings *s, struct store_location *where)
{
	memset(where, 0, sizeof(*where));
	where->store_path = s->store_path;
	where->key_path = s->key_path;
	where->passphrase_path = s->passphrase_path[0] != '\0' ?
	    s->passphrase_path : NULL;
}
