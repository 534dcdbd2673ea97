/*
 * Reading and rewriting Docker's config.json and containers' auth.json (see
 * docker_config.h).  The document is held as a jansson tree, which keeps
 * key order; it is written back the way Docker writes it (tab indentation)
 * so a diff of the file shows only what configure changed.  The file may
 * hold plaintext tokens, so every buffer holding its text is secmem memory.
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

static int
read_file(int fd, const char *path, char **buf, size_t *len)
{
	struct stat st;
	int r;

	*buf = NULL;
	if (fstat(fd, &st) == -1)
		return ghcr_fail(GHCR_ERR_SYSTEM, "cannot read %s: %s", path,
		    strerror(errno));
	if (!S_ISREG(st.st_mode))
		return ghcr_fail(GHCR_ERR_BAD_INPUT, "%s is not a regular file", path);
	if ((r = fs_read_fd(fd, path, DOCKER_CONFIG_MAX_SIZE, 1, buf, len)) ==
	    GHCR_ERR_TOO_LARGE)
		return ghcr_fail(GHCR_ERR_TOO_LARGE, "%s is over %d MiB; nothing "
		    "was changed", path, DOCKER_CONFIG_MAX_SIZE >> 20);
	return r;
}

static int
blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return 0;
	return 1;
}

int
docker_config_load(const char *path, struct docker_config *cfg)
{
	json_error_t err;
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int fd = -1, r;

	memset(cfg, 0, sizeof(*cfg));
	if (snprintf(cfg->path, sizeof(cfg->path), "%s", path) >= (int)sizeof(cfg->path))
		return ghcr_fail(GHCR_ERR_SYSTEM, "path too long: %.64s", path);
	if ((r = resolve_target(path, cfg->target)) != GHCR_OK)
		return r;
	if ((fd = open(cfg->target, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		if (errno != ENOENT)
			return ghcr_fail(GHCR_ERR_SYSTEM, "cannot read %s: %s",
			    cfg->target, strerror(errno));
		/* A config written from scratch may hold secrets later. */
		cfg->mode = 0600;
		cfg->uid = geteuid();
		cfg->gid = getegid();
		if ((cfg->root = json_object()) == NULL)
			return GHCR_ERR_NO_MEMORY;
		return GHCR_OK;
	}
	cfg->exists = 1;
	if (fstat(fd, &st) == 0) {
		cfg->mode = st.st_mode & 07777;
		cfg->uid = st.st_uid;
		cfg->gid = st.st_gid;
	}
	if ((r = read_file(fd, cfg->target, &buf, &len)) != GHCR_OK)
		goto out;
	/* Docker treats an empty file as an empty configuration. */
	if (blank(buf, len))
		cfg->root = json_object();
	else if ((cfg->root = json_loadb(buf, len, 0, &err)) == NULL) {
		r = ghcr_fail(GHCR_ERR_BAD_INPUT, "%s:%d:%d: invalid JSON (%s); "
		    "nothing was changed: fix or move the file and run again",
		    cfg->path, err.line, err.column, err.text);
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
	r = GHCR_OK;
out:
	if (r != GHCR_OK) {
		json_decref(cfg->root);
		cfg->root = NULL;
	}
	secmem_free(buf);
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
}

const char *
docker_config_helper_for(const struct docker_config *cfg, const char *host)
{
	/* Docker looks credHelpers up by the bare host name only. */
	json_t *helpers = json_object_get(cfg->root, "credHelpers");

	return json_string_value(json_object_get(helpers, host));
}

const char *
docker_config_creds_store(const struct docker_config *cfg)
{
	return json_string_value(json_object_get(cfg->root, "credsStore"));
}

int
docker_config_set_helper(struct docker_config *cfg, const char *host,
			 const char *helper, char was[64])
{
	json_t *helpers = json_object_get(cfg->root, "credHelpers"), *old;

	was[0] = '\0';
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

/* An auths key names a whole registry when it is a host with at most a
 * scheme and an API path; podman's "ghcr.io/owner" scopes a repository. */
static int
key_host(const char *key, char out[SERVER_MAX])
{
	static const char *const api_paths[] = { "/", "/v1", "/v1/", "/v2", "/v2/" };
	const char *p = strstr(key, "://"), *slash;
	int whole = 0;

	p = p != NULL ? p + 3 : key;
	if ((slash = strchr(p, '/')) == NULL)
		whole = 1;
	for (size_t i = 0; !whole && i < sizeof(api_paths) / sizeof(api_paths[0]); i++)
		whole = strcmp(slash, api_paths[i]) == 0;
	if (!whole)
		return 0;
	if (server_normalise(key, out) != GHCR_OK) {
		/* Someone else's odd key is not our failure. */
		ghcr_error_clear();
		return 0;
	}
	return 1;
}

static int
copy_login(struct credential *cred, const char *host, const char *user,
	   size_t userlen, const char *secret)
{
	cred->server = secmem_strdup(host);
	cred->username = secmem_strndup(user, userlen);
	cred->secret = secmem_strdup(secret);
	if (cred->server == NULL || cred->username == NULL || cred->secret == NULL) {
		credential_clear(cred);
		return GHCR_ERR_NO_MEMORY;
	}
	return GHCR_OK;
}

/*
 * The credential in one auths entry, the way Docker reads it: an identity
 * token wins, then "auth", then "username"/"password".  GHCR_ERR_NOT_FOUND
 * for an entry that holds none (Docker's "{}" marker for a login kept in a
 * helper); GHCR_ERR_BAD_INPUT with `why` set for one that cannot be read.
 */
static int
entry_login(json_t *entry, const char *host, struct credential *cred,
	    char why[160])
{
	const char *idt, *auth, *user, *pass;
	char *plain = NULL, *colon;
	size_t plainlen;
	int r;

	if (!json_is_object(entry)) {
		snprintf(why, 160, "the entry is not a JSON object");
		return GHCR_ERR_BAD_INPUT;
	}
	idt = json_string_value(json_object_get(entry, "identitytoken"));
	auth = json_string_value(json_object_get(entry, "auth"));
	user = json_string_value(json_object_get(entry, "username"));
	pass = json_string_value(json_object_get(entry, "password"));
	if (idt != NULL && idt[0] != '\0')
		return copy_login(cred, host, "<token>", 7, idt);
	if (auth != NULL && auth[0] != '\0') {
		if ((r = docker_config_base64_decode(auth, &plain, &plainlen)) != GHCR_OK) {
			ghcr_error_clear();
			snprintf(why, 160, "its \"auth\" value is not base64");
			return r == GHCR_ERR_NO_MEMORY ? r : GHCR_ERR_BAD_INPUT;
		}
		colon = memchr(plain, ':', plainlen);
		if (colon == NULL || colon == plain || colon[1] == '\0' ||
		    strlen(plain) != plainlen) {
			secmem_free(plain);
			snprintf(why, 160, "its \"auth\" value is not user:token");
			return GHCR_ERR_BAD_INPUT;
		}
		r = copy_login(cred, host, plain, (size_t)(colon - plain), colon + 1);
		secmem_free(plain);
		return r;
	}
	if (user != NULL && user[0] != '\0' && pass != NULL && pass[0] != '\0')
		return copy_login(cred, host, user, strlen(user), pass);
	return GHCR_ERR_NOT_FOUND;
}

static int
wanted_host(const char (*hosts)[SERVER_MAX], int nhosts, const char *host)
{
	for (int i = 0; i < nhosts; i++)
		if (strcmp(hosts[i], host) == 0)
			return 1;
	return 0;
}

int
docker_config_logins(const struct docker_config *cfg,
		     const char (*hosts)[SERVER_MAX], int nhosts,
		     struct plaintext_login **out, int *n)
{
	json_t *auths = json_object_get(cfg->root, "auths"), *entry;
	struct plaintext_login *list = NULL, *l;
	char host[SERVER_MAX];
	const char *key;
	size_t count;
	int r = GHCR_OK;

	*out = NULL;
	*n = 0;
	if (auths == NULL)
		return GHCR_OK;
	if (!json_is_object(auths))
		return ghcr_fail(GHCR_ERR_BAD_INPUT, "%s: \"auths\" is not an "
		    "object; nothing was changed: fix the file", cfg->path);
	if ((count = json_object_size(auths)) == 0)
		return GHCR_OK;
	if ((list = secmem_alloc(count * sizeof(*list))) == NULL)
		return GHCR_ERR_NO_MEMORY;
	/* Pass 0 takes the keys that are exactly the host, as Docker's own
	 * lookup does first; pass 1 the "https://host/v1/" spellings. */
	for (int pass = 0; pass < 2 && r == GHCR_OK; pass++) {
		json_object_foreach(auths, key, entry) {
			if (!key_host(key, host) || !wanted_host(hosts, nhosts, host) ||
			    (strcmp(key, host) == 0) != (pass == 0))
				continue;
			l = &list[*n];
			memset(l, 0, sizeof(*l));
			if (snprintf(l->key, sizeof(l->key), "%s", key) >= (int)sizeof(l->key))
				continue;
			r = entry_login(entry, host, &l->cred, l->why);
			if (r == GHCR_ERR_NOT_FOUND) {
				r = GHCR_OK;
				continue;
			}
			if (r == GHCR_ERR_NO_MEMORY)
				break;
			l->outcome = r == GHCR_OK ? LOGIN_FOUND : LOGIN_UNREADABLE;
			r = GHCR_OK;
			(*n)++;
		}
	}
	if (r != GHCR_OK) {
		docker_config_logins_free(list, *n);
		*n = 0;
		return r;
	}
	*out = list;
	return GHCR_OK;
}

void
docker_config_logins_free(struct plaintext_login *logins, int n)
{
	if (logins == NULL)
		return;
	for (int i = 0; i < n; i++)
		credential_clear(&logins[i].cred);
	secmem_free(logins);
}

static int
same_login(const struct credential *a, const struct credential *b)
{
	size_t la = strlen(a->secret), lb = strlen(b->secret);

	return strcmp(a->username, b->username) == 0 && la == lb &&
	    secmem_compare(a->secret, b->secret, la) == 0;
}

int
docker_config_migrate(struct docker_config *cfg, struct plaintext_login *logins,
		      int n, const struct store_backend *backend, void *handle,
		      int dry_run)
{
	json_t *auths = json_object_get(cfg->root, "auths");
	int r;

	for (int i = 0; i < n; i++) {
		struct plaintext_login *l = &logins[i], *first = NULL;

		if (l->cred.secret == NULL) {
			l->outcome = LOGIN_UNREADABLE;
			continue;
		}
		for (int j = 0; j < i && first == NULL; j++)
			if (logins[j].cred.secret != NULL &&
			    strcmp(logins[j].cred.server, l->cred.server) == 0)
				first = &logins[j];
		if (first != NULL) {
			if (first->outcome == LOGIN_FAILED) {
				l->outcome = LOGIN_FAILED;
				snprintf(l->why, sizeof(l->why), "the login under "
				    "\"%.*s\" could not be stored first", 100, first->key);
			} else if (!same_login(&first->cred, &l->cred)) {
				l->outcome = LOGIN_CONFLICT;
			} else {
				l->outcome = LOGIN_DUPLICATE;
				if (!dry_run) {
					json_object_del(auths, l->key);
					cfg->changed = 1;
				}
			}
			continue;
		}
		if (dry_run) {
			l->outcome = LOGIN_FOUND;
			continue;
		}
		/* The plaintext goes only once the store holds the login. */
		if ((r = backend->put(handle, &l->cred)) != GHCR_OK) {
			l->outcome = LOGIN_FAILED;
			snprintf(l->why, sizeof(l->why), "%s", ghcr_error_message(r));
			ghcr_error_clear();
			continue;
		}
		json_object_del(auths, l->key);
		cfg->changed = 1;
		l->outcome = LOGIN_MOVED;
	}
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
	if ((r = fs_temp_close(&t)) != GHCR_OK ||
	    (r = fs_temp_rename(&t, cfg->target)) != GHCR_OK)
		goto out;
	/* The rename itself should reach the disk too; the file is replaced
	 * either way, so a failure here is not reported as "unchanged". */
	if (fs_sync_dir(cfg->target) != GHCR_OK)
		ghcr_error_clear();
	cfg->exists = 1;
	cfg->changed = 0;
	r = GHCR_OK;
out:
	if (r != GHCR_OK && r != GHCR_ERR_NO_MEMORY) {
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

int
docker_config_base64_decode(const char *in, char **out, size_t *outlen)
{
	size_t len = strlen(in), n = 0;
	unsigned int acc = 0;
	int bits = 0, pad = 0;
	char *buf;

	*out = NULL;
	if ((buf = secmem_alloc(len / 4 * 3 + 4)) == NULL)
		return GHCR_ERR_NO_MEMORY;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		int v;

		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= 'a' && c <= 'z')
			v = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			v = c - '0' + 52;
		else if (c == '+')
			v = 62;
		else if (c == '/')
			v = 63;
		else if (c == '=') {
			pad++;
			continue;
		} else
			goto bad;
		if (pad > 0)
			goto bad; /* data after padding */
		acc = ((acc << 6) | (unsigned int)v) & 0xffffffu;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[n++] = (char)((acc >> bits) & 0xff);
		}
	}
	/* A lone 6-bit group cannot end a valid encoding. */
	if (bits >= 6 || pad > 2)
		goto bad;
	buf[n] = '\0';
	*out = buf;
	*outlen = n;
	return GHCR_OK;
bad:
	secmem_free(buf);
	return ghcr_fail(GHCR_ERR_BAD_INPUT, "invalid base64");
}
