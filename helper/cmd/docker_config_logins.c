/*
 * The logins Docker's config.json holds in plaintext (see docker_config.h):
 * which `auths` entries name a GitHub registry as a whole, and the
 * credential in each, read the way Docker reads it (identity token, then
 * "auth" as base64 user:secret, then "username"/"password", field names in
 * any letter case).  Nothing here decides what happens to them: that is
 * configure's policy (migrate.c).  Every decoded secret is secmem memory.
 */
#include "docker_config.h"
#include "errors.h"
#include "secmem.h"

#include <stdio.h>
#include <string.h>

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

/* The string field `name` of an auths entry, in any letter case as Docker
 * reads it; NULL when absent or not a string.  A field spelled twice is
 * ambiguous (Docker keeps the last, jansson cannot say which that is):
 * *twice names it. */
static const char *
entry_field(json_t *entry, const char *name, const char **twice)
{
	json_t *v;

	if (docker_config_field(entry, name, &v, NULL) > 1)
		*twice = name;
	return json_string_value(v);
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
	const char *idt, *auth, *user, *pass, *twice = NULL;
	char *plain = NULL, *colon;
	size_t plainlen;
	int r;

	if (!json_is_object(entry)) {
		snprintf(why, 160, "the entry is not a JSON object");
		return GHCR_ERR_BAD_INPUT;
	}
	idt = entry_field(entry, "identitytoken", &twice);
	auth = entry_field(entry, "auth", &twice);
	user = entry_field(entry, "username", &twice);
	pass = entry_field(entry, "password", &twice);
	if (twice != NULL) {
		snprintf(why, 160, "it has \"%s\" twice, in different letter "
		    "cases; keep one", twice);
		return GHCR_ERR_BAD_INPUT;
	}
	if (idt != NULL && idt[0] != '\0')
		return credential_fill(cred, host, "<token>", idt);
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
		*colon = '\0'; /* our own copy: split it into user and secret */
		r = credential_fill(cred, host, plain, colon + 1);
		secmem_free(plain);
		return r;
	}
	if (user != NULL && user[0] != '\0' && pass != NULL && pass[0] != '\0')
		return credential_fill(cred, host, user, pass);
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
	json_t *auths, *entry;
	struct plaintext_login *list = NULL, *l;
	char host[SERVER_MAX];
	const char *key;
	size_t count;
	int r = GHCR_OK;

	*out = NULL;
	*n = 0;
	(void)docker_config_field(cfg->root, "auths", &auths, NULL);
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

void
docker_config_remove_login(struct docker_config *cfg, const char *key)
{
	json_t *auths;

	(void)docker_config_field(cfg->root, "auths", &auths, NULL);
	if (json_object_del(auths, key) == 0)
		cfg->changed = 1;
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
