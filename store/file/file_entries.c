/*
 * The decoded store's table of entries (see file_format.h): find, set,
 * remove and clear.  Entries point into the decrypted buffer or into the
 * caller's strings; nothing here copies a secret.
 */
#include "file_format.h"
#include "errors.h"
#include "secmem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void
file_entries_clear(struct file_entries *e)
{
	if (e == NULL)
		return;
	if (e->plain != NULL)
		secmem_free(e->plain);
	free(e->v);
	memset(e, 0, sizeof(*e));
}

const struct file_entry *
file_entries_find(const struct file_entries *e, const char *server)
{
	size_t len = strlen(server);

	for (size_t i = 0; i < e->n; i++)
		if (e->v[i].server_len == len &&
		    memcmp(e->v[i].server, server, len) == 0)
			return &e->v[i];
	return NULL;
}

static int
entries_grow(struct file_entries *e)
{
	struct file_entry *v;
	size_t cap;

	if (e->n < e->cap)
		return GHCR_OK;
	cap = e->cap == 0 ? 16 : e->cap * 2;
	if (cap > SIZE_MAX / sizeof(*v) ||
	    (v = realloc(e->v, cap * sizeof(*v))) == NULL)
		return GHCR_ERR_NO_MEMORY;
	e->v = v;
	e->cap = cap;
	return GHCR_OK;
}

size_t
file_entries_remove(struct file_entries *e, const char *server)
{
	size_t len = strlen(server), kept = 0, removed;

	for (size_t i = 0; i < e->n; i++) {
		if (e->v[i].server_len == len &&
		    memcmp(e->v[i].server, server, len) == 0)
			continue;
		e->v[kept++] = e->v[i];
	}
	removed = e->n - kept;
	e->n = kept;
	return removed;
}

int
file_entries_set(struct file_entries *e, const char *server,
		 const char *username, const char *secret, int64_t expires)
{
	struct file_entry entry = {
		.server = server, .server_len = strlen(server),
		.username = username, .username_len = strlen(username),
		.secret = secret, .secret_len = strlen(secret),
		.expires = expires,
	};
	size_t i;
	int r;

	/* Replace in place, so `list` keeps its order across updates. */
	for (i = 0; i < e->n; i++)
		if (e->v[i].server_len == entry.server_len &&
		    memcmp(e->v[i].server, server, entry.server_len) == 0)
			break;
	if (i < e->n) {
		e->v[i] = entry;
		/* A duplicate can only come from an old bug; drop it. */
		for (size_t j = e->n; j-- > i + 1;)
			if (e->v[j].server_len == entry.server_len &&
			    memcmp(e->v[j].server, server, entry.server_len) == 0) {
				memmove(&e->v[j], &e->v[j + 1],
				    (e->n - j - 1) * sizeof(*e->v));
				e->n--;
			}
		return GHCR_OK;
	}
	if ((r = entries_grow(e)) != 0)
		return r;
	e->v[e->n++] = entry;
	return GHCR_OK;
}
