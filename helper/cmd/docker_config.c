/*
 * The config model: where Docker's config.json and containers' auth.json
 * are, reading one the way Docker's decoder does, the fields this helper
 * reads and sets, and writing it back (see docker_config.h).  The document
 * is held as a jansson tree, which keeps key order; it is written back the
 * way Docker writes it (tab indentation) so a diff of the file shows only
 * what configure changed.  The file may hold plaintext tokens, so every
 * buffer holding its text is secmem memory, and no message ever quotes it.
 */
#include "docker_config.h"
#include "settings.h"
#include "errors.h"
#include "fs.h"
#include "secmem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
join(char out[PATH_MAX], const char *a, const char *b)
{
	int n = snprintf(out, PATH_MAX, "%s/%s", a, b);

	return n >= 0 && n < PATH_MAX ? GHCR_OK :
	    ghcr_fail(GHCR_ERR_CONFIG, "path too long: %.64s/%s", a, b);
}

int
docker_config_default_path(char out[PATH_MAX])
{
	const char *dir = settings_getenv("DOCKER_CONFIG"), *home;

	if (dir != NULL)
		return join(out, dir, "config.json");
	if ((home = settings_home_dir()) == NULL)
		return ghcr_fail(GHCR_ERR_CONFIG,
		    "no home directory: set HOME or DOCKER_CONFIG");
	return join(out, home, ".docker/config.json");
}

int
containers_auth_paths(char out[2][PATH_MAX], int *n)
{
	const char *v, *home;
	char dir[PATH_MAX];
	struct stat st;
	int r;

	*n = 0;
	/* podman, skopeo and buildah use this one file when it is set. */
	if ((v = settings_getenv("REGISTRY_AUTH_FILE")) != NULL) {
		if (snprintf(out[0], PATH_MAX, "%s", v) >= PATH_MAX)
			return ghcr_fail(GHCR_ERR_CONFIG, "REGISTRY_AUTH_FILE too long");
		*n = 1;
		return GHCR_OK;
	}
	/* podman login writes the runtime file, which is read first and
	 * would shadow the persistent one with its plaintext logins; it is
	 * on a tmpfs, so credHelpers also go to the file that persists. */
	if ((v = settings_getenv("XDG_RUNTIME_DIR")) != NULL && v[0] == '/') {
		if ((r = join(out[*n], v, "containers/auth.json")) != GHCR_OK)
			return r;
		if (stat(out[*n], &st) == 0)
			(*n)++;
	}
	if ((v = settings_getenv("XDG_CONFIG_HOME")) != NULL && v[0] == '/')
		r = join(dir, v, "containers");
	else if ((home = settings_home_dir()) != NULL)
		r = join(dir, home, ".config/containers");
	else
		return ghcr_fail(GHCR_ERR_CONFIG, "no home directory: set HOME "
		    "or REGISTRY_AUTH_FILE");
	if (r != GHCR_OK || (r = join(out[*n], dir, "auth.json")) != GHCR_OK)
		return r;
	(*n)++;
	return GHCR_OK;
}

/* Follows a symlinked file (not its directories) to what it points at,
 * which may not exist yet: the rewrite replaces the target, so the link
 * a person made (e.g. into a dotfiles repository) stays a link. */
static int
resolve_target(const char *path, char out[PATH_MAX])
{
	char cur[PATH_MAX], link[PATH_MAX], *slash;
	struct stat st;
	ssize_t len;

	if (snprintf(cur, sizeof(cur), "%s", path) >= (int)sizeof(cur))
		return ghcr_fail(GHCR_ERR_SYSTEM, "path too long: %.64s", path);
	for (int hops = 0; hops < 40; hops++) {
		if (lstat(cur, &st) == -1) {
			if (errno != ENOENT)
				return ghcr_fail(GHCR_ERR_SYSTEM, "cannot read %s: %s",
				    cur, strerror(errno));
			break;
		}
		if (!S_ISLNK(st.st_mode))
			break;
		if ((len = readlink(cur, link, sizeof(link) - 1)) == -1)
			return ghcr_fail(GHCR_ERR_SYSTEM, "cannot read link %s: %s",
			    cur, strerror(errno));
		link[len] = '\0';
		if (link[0] == '/') {
			memcpy(cur, link, (size_t)len + 1);
			continue;
		}
		if ((slash = strrchr(cur, '/')) == NULL)
			cur[0] = '\0';
		else
			slash[1] = '\0';
		if (strlen(cur) + (size_t)len >= sizeof(cur))
			return ghcr_fail(GHCR_ERR_SYSTEM, "link target too long: %s", path);
		strcat(cur, link);
		if (hops == 39)
			return ghcr_fail(GHCR_ERR_SYSTEM, "too many symlinks at %s", path);
	}
	memcpy(out, cur, strlen(cur) + 1);
	return GHCR_OK;
}

/* fs_open_read()'s detail for a target that is not a regular file, and
 * the link that led there. */
static int
not_regular(const struct docker_config *cfg)
{
	char detail[512];
	const char *d = ghcr_error_detail();

	if (strcmp(cfg->path, cfg->target) == 0 || d == NULL)
		return GHCR_ERR_BAD_INPUT;
	snprintf(detail, sizeof(detail), "%.300s", d);
	return ghcr_fail(GHCR_ERR_BAD_INPUT, "%.200s: %s", cfg->path, detail);
}

/* Docker's answer to a file over its limit; nothing was changed. */
static int
too_large(const char *path)
{
	return ghcr_fail(GHCR_ERR_TOO_LARGE, "%s is over %d MiB; nothing "
	    "was changed", path, DOCKER_CONFIG_MAX_SIZE >> 20);
}

static int
blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return 0;
	return 1;
}

/* ASCII lower case, whatever the locale. */
static int
lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/*
 * Whether a key from the file names the ASCII field `name` to Go's
 * encoding/json: letters in any case, including the two non-ASCII letters
 * whose case folds onto ASCII ones (U+017F LONG S for 's', U+212A KELVIN
 * SIGN for 'k'), as bytes.EqualFold compares.
 */
static int
field_matches(const char *key, const char *name)
{
	const unsigned char *k = (const unsigned char *)key;

	for (; *name != '\0'; name++) {
		int want = lower((unsigned char)*name);

		if (*k != '\0' && lower(*k) == want)
			k++;
		else if (want == 's' && k[0] == 0xc5 && k[1] == 0xbf)
			k += 2;
		else if (want == 'k' && k[0] == 0xe2 && k[1] == 0x84 && k[2] == 0xaa)
			k += 3;
		else
			return 0;
	}
	return *k == '\0';
}

int
docker_config_field(json_t *obj, const char *name, json_t **value,
		    const char **key)
{
	const char *k;
	json_t *v;
	int n = 0;

	if (value != NULL)
		*value = NULL;
	if (key != NULL)
		*key = NULL;
	json_object_foreach(obj, k, v) {
		if (!field_matches(k, name))
			continue;
		if (n++ == 0) {
			if (value != NULL)
				*value = v;
			if (key != NULL)
				*key = k;
		}
	}
	return n;
}

/* What went wrong in a parse, in words that never quote the file: its
 * text may be a password (jansson's own message would quote it). */
static const char *
parse_problem(const json_error_t *err)
{
	switch (json_error_code(err)) {
	case json_error_premature_end_of_input:
		return "the file ends in the middle of the document";
	case json_error_end_of_input_expected:
		return "text after the end of the document";
	case json_error_invalid_utf8:
		return "invalid UTF-8";
	case json_error_null_character:
	case json_error_null_byte_in_key:
		return "a NUL character";
	case json_error_numeric_overflow:
		return "a number out of range";
	default:
		return "syntax error";
	}
}

/* Refuses a document in which Docker's decoder would merge what jansson
 * keeps apart: a key written twice, or a field spelled in two cases. */
static int
check_spellings(const struct docker_config *cfg)
{
	static const char *const fields[] = { "auths", "credHelpers", "credsStore" };
	const char *first;
	int n;

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if ((n = docker_config_field(cfg->root, fields[i], NULL, &first)) < 2)
			continue;
		return ghcr_fail(GHCR_ERR_BAD_INPUT, "%s has \"%s\" %d times in "
		    "different letter cases, which Docker merges into one; "
		    "nothing was changed: merge them into one \"%s\" and run "
		    "again", cfg->path, fields[i], n, fields[i]);
	}
	return GHCR_OK;
}

int
docker_config_load(const char *path, struct docker_config *cfg)
{
	json_error_t err;
	struct stat st;
	int fd = -1, r;

	memset(cfg, 0, sizeof(*cfg));
	if (snprintf(cfg->path, sizeof(cfg->path), "%s", path) >= (int)sizeof(cfg->path))
		return ghcr_fail(GHCR_ERR_SYSTEM, "path too long: %.64s", path);
	if ((r = resolve_target(path, cfg->target)) != GHCR_OK)
		return r;
	/* Opened the safe way: a FIFO or a device here is refused, not
	 * waited on. */
	if ((r = fs_open_read(cfg->target, NULL, FS_PUBLIC,
	    DOCKER_CONFIG_MAX_SIZE, &fd, &st)) != GHCR_OK) {
		if (r == GHCR_ERR_TOO_LARGE)
			return too_large(cfg->target);
		if (r == GHCR_ERR_UNSAFE) /* not a regular file */
			return not_regular(cfg);
		if (r != GHCR_ERR_NOT_FOUND)
			return r;
		/* A config written from scratch may hold secrets later. */
		cfg->mode = 0600;
		cfg->uid = geteuid();
		cfg->gid = getegid();
		if ((cfg->root = json_object()) == NULL)
			return GHCR_ERR_NO_MEMORY;
		return GHCR_OK;
	}
	cfg->exists = 1;
	cfg->mode = st.st_mode & 07777;
	cfg->uid = st.st_uid;
	cfg->gid = st.st_gid;
	if ((r = fs_read_fd(fd, cfg->target, DOCKER_CONFIG_MAX_SIZE,
	    (size_t)st.st_size, 1, &cfg->text, &cfg->textlen)) != GHCR_OK) {
		if (r == GHCR_ERR_TOO_LARGE)
			r = too_large(cfg->target);
		goto out;
	}
	/* Docker treats an empty file as an empty configuration. */
	if (blank(cfg->text, cfg->textlen))
		cfg->root = json_object();
	else if ((cfg->root = json_loadb(cfg->text, cfg->textlen,
	    JSON_REJECT_DUPLICATES, &err)) == NULL) {
		if (json_error_code(&err) == json_error_out_of_memory)
			r = GHCR_ERR_NO_MEMORY;
		else if (json_error_code(&err) == json_error_duplicate_key)
			r = ghcr_fail(GHCR_ERR_BAD_INPUT, "%s:%d:%d: a key written "
			    "twice in one object (Docker would merge the two); "
			    "nothing was changed: keep one and run again",
			    cfg->path, err.line, err.column);
		else
			r = ghcr_fail(GHCR_ERR_BAD_INPUT, "%s:%d:%d: invalid JSON "
			    "(%s); nothing was changed: fix or move the file and "
			    "run again", cfg->path, err.line, err.column,
			    parse_problem(&err));
		secmem_wipe(&err, sizeof(err)); /* its text quotes the file */
		goto out;
	}
	if (cfg->root == NULL) {
		r = GHCR_ERR_NO_MEMORY;
		goto out;
	}
	if (!json_is_object(cfg->root)) {
		r = ghcr_fail(GHCR_ERR_BAD_INPUT, "%s holds JSON that is not an "
		    "object; nothing was changed: fix or move the file", cfg->path);
		goto out;
	}
	r = check_spellings(cfg);
out:
	if (r != GHCR_OK)
		docker_config_free(cfg);
	if (fd != -1)
		close(fd);
	return r;
}

void
docker_config_free(struct docker_config *cfg)
{
	if (cfg == NULL)
		return;
	json_decref(cfg->root);
	cfg->root = NULL;
	secmem_free(cfg->text);
	cfg->text = NULL;
	cfg->textlen = 0;
}

const char *
docker_config_helper_for(const struct docker_config *cfg, const char *host)
{
	json_t *helpers;

	/* Docker looks credHelpers up by the bare host name only. */
	(void)docker_config_field(cfg->root, "credHelpers", &helpers, NULL);
	return json_string_value(json_object_get(helpers, host));
}

const char *
docker_config_creds_store(const struct docker_config *cfg)
{
	json_t *store;

	(void)docker_config_field(cfg->root, "credsStore", &store, NULL);
	return json_string_value(store);
}

int
docker_config_set_helper(struct docker_config *cfg, const char *host,
			 const char *helper, char was[64])
{
	json_t *helpers, *old;

	was[0] = '\0';
	/* An existing "CredHelpers" is Docker's credHelpers: add to it,
	 * rather than write a second spelling Docker would merge. */
	(void)docker_config_field(cfg->root, "credHelpers", &helpers, NULL);
	if (helpers == NULL) {
		if ((helpers = json_object()) == NULL ||
		    json_object_set_new(cfg->root, "credHelpers", helpers) != 0)
			return GHCR_ERR_NO_MEMORY;
	} else if (!json_is_object(helpers))
		return ghcr_fail(GHCR_ERR_BAD_INPUT, "%s: \"credHelpers\" is not an "
		    "object; nothing was changed: fix the file", cfg->path);
	if ((old = json_object_get(helpers, host)) != NULL) {
		if (json_is_string(old) && strcmp(json_string_value(old), helper) == 0)
			return GHCR_OK;
		snprintf(was, 64, "%s", json_is_string(old) ?
		    json_string_value(old) : "(not a string)");
	}
	/* Replacing a key keeps its place in the object. */
	if (json_object_set_new(helpers, host, json_string(helper)) != 0)
		return GHCR_ERR_NO_MEMORY;
	cfg->changed = 1;
	return GHCR_OK;
}

int
docker_config_check_writable(const struct docker_config *cfg)
{
	char dir[PATH_MAX];
	int r;

	/* Checked on the mode bits, not access(): root passes access() for
	 * every file, and a read-only config says "leave me alone". */
	if (cfg->exists && (cfg->mode & S_IWUSR) == 0)
		return ghcr_fail(GHCR_ERR_SYSTEM, "%s is read-only (mode %04o); "
		    "nothing was changed: make it writable (chmod u+w %s) or "
		    "use --dry-run to see what would change", cfg->target,
		    (unsigned)cfg->mode, cfg->target);
	if ((r = fs_dir_of(cfg->target, dir)) != GHCR_OK)
		return r;
	if (access(dir, F_OK) == 0 && access(dir, W_OK | X_OK) != 0)
		return ghcr_fail(GHCR_ERR_SYSTEM, "cannot write in %s: %s; "
		    "nothing was changed", dir, strerror(errno));
	return GHCR_OK;
}

/*
 * GHCR_OK when the target still holds exactly what load read (or is still
 * missing); GHCR_ERR_CHANGED when another program wrote it meanwhile.
 * Content, not inode or mtime: Docker replaces the file by rename, and a
 * same-size rewrite can keep the timestamp on a coarse filesystem.
 */
static int
check_unchanged(const struct docker_config *cfg)
{
	char *now = NULL;
	size_t len = 0;
	int r, same;

	r = fs_read_file(cfg->target, DOCKER_CONFIG_MAX_SIZE, 1, &now, &len);
	if (r == GHCR_ERR_NOT_FOUND)
		return cfg->text == NULL && !cfg->exists ? GHCR_OK : GHCR_ERR_CHANGED;
	if (r == GHCR_ERR_TOO_LARGE) {
		ghcr_error_clear();
		return GHCR_ERR_CHANGED;
	}
	if (r != GHCR_OK)
		return r;
	same = cfg->exists && len == cfg->textlen &&
	    (len == 0 || memcmp(now, cfg->text, len) == 0);
	secmem_free(now);
	return same ? GHCR_OK : GHCR_ERR_CHANGED;
}

int
docker_config_save(struct docker_config *cfg)
{
	json_malloc_t jmalloc;
	json_free_t jfree;
	struct fs_temp t = { .fd = -1 };
	char dir[PATH_MAX], *text = NULL;
	size_t len = 0;
	int r;

	if ((r = docker_config_check_writable(cfg)) != GHCR_OK)
		return r;
	/* The file's directory, private like Docker's ~/.docker. */
	if ((r = fs_dir_of(cfg->target, dir)) != GHCR_OK ||
	    (r = fs_mkdirs(dir, 0700)) != GHCR_OK)
		return r;

	/* Indent 1 and then one tab per leading space: Docker's layout.
	 * Strings never hold a raw newline, so only indentation is touched. */
	if ((text = json_dumps(cfg->root, JSON_INDENT(1) | JSON_PRESERVE_ORDER)) == NULL)
		return GHCR_ERR_NO_MEMORY;
	len = strlen(text);
	for (size_t i = 0, bol = 1; i < len; i++) {
		if (text[i] == '\n')
			bol = 1;
		else if (bol && text[i] == ' ')
			text[i] = '\t';
		else
			bol = 0;
	}

	if ((r = fs_temp_create(cfg->target, cfg->mode, &t)) != GHCR_OK)
		goto out;
	if (fs_write_all(t.fd, text, len) != 0 || fs_write_all(t.fd, "\n", 1) != 0) {
		r = ghcr_fail(GHCR_ERR_SYSTEM, "cannot write %s: %s", t.path,
		    strerror(errno));
		goto out;
	}
	/* Keep the owner when root edits someone's file; best effort, as
	 * an unprivileged user can only own what it writes. */
	if (cfg->exists && (cfg->uid != geteuid() || cfg->gid != getegid()))
		if (fchown(t.fd, cfg->uid, cfg->gid) == -1)
			errno = 0; /* kept as ours: no worse than before */
	if ((r = fs_temp_close(&t)) != GHCR_OK)
		goto out;
	/* A `docker login` may have written the file since it was read (the
	 * window includes any keyring prompt): never overwrite that.  What
	 * remains is the moment between this check and the rename. */
	if (docker_config_test_before_replace != NULL)
		docker_config_test_before_replace(cfg->target);
	if ((r = check_unchanged(cfg)) != GHCR_OK ||
	    (r = fs_temp_rename(&t, cfg->target)) != GHCR_OK)
		goto out;
	/* The rename itself should reach the disk too; the file is replaced
	 * either way, so a failure here is not reported as "unchanged". */
	if (fs_sync_dir(cfg->target) != GHCR_OK)
		ghcr_error_clear();
	/* What is on disk now, for the next save's check. */
	secmem_free(cfg->text);
	if ((cfg->text = secmem_alloc(len + 2)) != NULL) {
		memcpy(cfg->text, text, len);
		cfg->text[len] = '\n';
		cfg->textlen = len + 1;
	} else
		cfg->textlen = 0; /* a later save then sees "changed" */
	cfg->exists = 1;
	cfg->changed = 0;
	r = GHCR_OK;
out:
	if (r != GHCR_OK && r != GHCR_ERR_NO_MEMORY && r != GHCR_ERR_CHANGED) {
		char detail[512];

		snprintf(detail, sizeof(detail), "%s", ghcr_error_message(r));
		ghcr_fail(r, "%s; nothing was changed", detail);
	}
	fs_temp_discard(&t);
	secmem_wipe(text, len);
	json_get_alloc_funcs(&jmalloc, &jfree);
	jfree(text);
	return r;
}

