/*
 * The credential-helper protocol on buffers (see protocol.h).  Every buffer
 * that may hold a secret is secmem memory, and jansson allocates through
 * secmem too (main sets that up), so nothing here leaves a token behind.
 */
#include "protocol.h"
#include "errors.h"
#include "fs.h"
#include "secmem.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>

int
protocol_read_all(int fd, size_t limit, char **buf, size_t *len)
{
	int r = fs_read_fd(fd, "standard input", limit, 0, 1, buf, len);

	if (r == GHCR_ERR_TOO_LARGE)
		ghcr_fail(r, "input larger than %zu bytes refused", limit);
	return r;
}

int
protocol_parse_server(const char *buf, size_t len, char out[SERVER_MAX])
{
	out[0] = '\0';
	if (buf == NULL || len == 0)
		return GHCR_ERR_NO_SERVER;
	if (memchr(buf, '\0', len) != NULL)
		return ghcr_fail(GHCR_ERR_BAD_INPUT, "invalid input: NUL byte "
		    "in server URL");
	return server_normalise(buf, out);
}

/* Reads an optional string member: NULL when absent or null. */
static int
get_string_member(json_t *obj, const char *key, const char **out)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return GHCR_OK;
	if (!json_is_string(v))
		return ghcr_fail(GHCR_ERR_BAD_INPUT, "invalid input: %s must be "
		    "a string", key);
	*out = json_string_value(v);
	/* jansson refuses \u0000 unless asked, but say so if it ever lets
	 * one through: a NUL would silently cut the value short. */
	if (strlen(*out) != json_string_length(v))
		return ghcr_fail(GHCR_ERR_BAD_INPUT, "invalid input: %s contains "
		    "a NUL character", key);
	return GHCR_OK;
}

static int
has_control_char(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

int
protocol_parse_store(const char *buf, size_t len, struct credential *cred)
{
	const char *server = NULL, *username = NULL, *secret = NULL;
	char key[SERVER_MAX];
	json_error_t jerr;
	json_t *root = NULL;
	int r;

	memset(cred, 0, sizeof(*cred));
	if (buf == NULL || len == 0)
		return ghcr_fail(GHCR_ERR_BAD_INPUT, "invalid input: empty "
		    "request, expected a JSON object");
	if (memchr(buf, '\0', len) != NULL)
		return ghcr_fail(GHCR_ERR_BAD_INPUT, "invalid input: NUL byte "
		    "in request");
	/* The error text from jansson may quote input: report the position
	 * only, as a credential could be part of what it quotes. */
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		r = ghcr_fail(GHCR_ERR_BAD_INPUT, "invalid input: not valid "
		    "JSON (line %d, column %d)", jerr.line, jerr.column);
		goto out;
	}
	if (!json_is_object(root)) {
		r = ghcr_fail(GHCR_ERR_BAD_INPUT, "invalid input: expected a "
		    "JSON object with ServerURL, Username and Secret");
		goto out;
	}
	if ((r = get_string_member(root, "ServerURL", &server)) != GHCR_OK ||
	    (r = get_string_member(root, "Username", &username)) != GHCR_OK ||
	    (r = get_string_member(root, "Secret", &secret)) != GHCR_OK)
		goto out;
	if (server == NULL || server[0] == '\0') {
		r = GHCR_ERR_NO_SERVER;
		goto out;
	}
	if ((r = server_normalise(server, key)) != GHCR_OK)
		goto out;
	if (username == NULL || username[0] == '\0') {
		r = GHCR_ERR_NO_USERNAME;
		goto out;
	}
	if (has_control_char(username)) {
		r = ghcr_fail(GHCR_ERR_BAD_INPUT, "invalid input: Username "
		    "contains a control character");
		goto out;
	}
	/* An empty secret can only be a mistake; refuse it rather than store
	 * a credential that can never log in. */
	if (secret == NULL || secret[0] == '\0') {
		r = ghcr_fail(GHCR_ERR_BAD_INPUT, "invalid input: no credentials "
		    "secret");
		goto out;
	}
	if (has_control_char(secret)) {
		r = ghcr_fail(GHCR_ERR_BAD_INPUT, "invalid input: Secret "
		    "contains a control character");
		goto out;
	}
	r = credential_fill(cred, key, username, secret);
out:
	json_decref(root);
	return r;
}

/* One JSON string literal, quotes and escapes included, in secmem memory
 * (jansson allocates through secmem, set in main). */
static char *
encode_string(const char *value)
{
	json_t *v = json_string(value);
	char *text = v != NULL ? json_dumps(v, JSON_ENCODE_ANY) : NULL;

	json_decref(v);
	return text;
}

int
protocol_format_credential(const struct credential *cred, char **out,
			   size_t *outlen)
{
	static const char fmt[] = "{\"ServerURL\":%s,\"Username\":%s,\"Secret\":%s}\n";
	char *server, *username, *secret;
	size_t n;
	int r = GHCR_ERR_NO_MEMORY;

	*out = NULL;
	*outlen = 0;
	/* Three strings, not a JSON object: an object would make jansson
	 * seed its hash table from /dev/urandom on every get. */
	server = encode_string(cred->server);
	username = encode_string(cred->username);
	secret = encode_string(cred->secret);
	if (server == NULL || username == NULL || secret == NULL)
		goto out;
	n = strlen(server) + strlen(username) + strlen(secret) + sizeof(fmt);
	if ((*out = secmem_alloc(n)) == NULL)
		goto out;
	*outlen = (size_t)snprintf(*out, n, fmt, server, username, secret);
	r = GHCR_OK;
out:
	secmem_free(server);
	secmem_free(username);
	secmem_free(secret);
	return r;
}

int
protocol_format_list(const json_t *listing, char **out, size_t *outlen)
{
	char *text;
	size_t n;
	int r = GHCR_ERR_NO_MEMORY;

	*out = NULL;
	*outlen = 0;
	if ((text = json_dumps(listing, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		goto out;
	n = strlen(text);
	if ((*out = secmem_alloc(n + 2)) == NULL)
		goto out;
	memcpy(*out, text, n);
	memcpy(*out + n, "\n", 2);
	*outlen = n + 1;
	r = GHCR_OK;
out:
	secmem_free(text);
	return r;
}

int
protocol_write_all(int fd, const char *buf, size_t len)
{
	if (fs_write_all(fd, buf, len) != 0)
		return ghcr_fail(GHCR_ERR_SYSTEM, "cannot write standard output: "
		    "%s", strerror(errno));
	return GHCR_OK;
}
