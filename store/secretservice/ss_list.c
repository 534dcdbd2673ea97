/*
 * The Secret Service module's list: every item of our schema, with its
 * server and username, fetched in one search and pipelined reads of each
 * item's Attributes, without opening a session, reading a secret or
 * prompting anyone.
 */
#include "ss_private.h"
#include "errors.h"

#include <string.h>

/*
 * list: one SearchItems, then every item's Attributes (the one property
 * list needs: Properties.Get, not GetAll, which makes the daemon build
 * the label, dates and lock state too) fetched with pipelined asynchronous
 * calls, a window of them in flight at once, so N items cost about
 * N/LIST_WINDOW round trips, not N.  Only a server held by several items
 * (a foreign writer, or a store that crashed before pruning) costs one
 * more read per item, of Modified, to pick the newest as get does.
 * Attributes are readable without unlocking, and no session is opened: no
 * secret moves and nobody is prompted.  The deadline counts from the last
 * reply, so a keyring of thousands of items is listed however long that
 * takes, and a daemon that stops answering is still given up on.
 */
#define LIST_WINDOW 64 /* well inside the bus's per-connection reply limit */

struct list_fetch {
	struct ss_handle *h;
	struct watchdog *w;
	gchar **paths;
	size_t n, next;      /* paths, and the next one to ask about */
	GVariant **replies;  /* a{ss} per path, NULL when it failed */
	GError *error;       /* first failure */
	size_t pending;
};

struct list_call {
	struct list_fetch *f;
	size_t index;
};

static void list_got_props(GObject *src, GAsyncResult *res, gpointer data);

/* Sends the next Get, if any is left and nothing has failed. */
static void
list_send_next(struct list_fetch *f)
{
	struct list_call *call;

	if (f->next >= f->n || f->error != NULL)
		return;
	call = g_new0(struct list_call, 1);
	call->f = f;
	call->index = f->next++;
	f->pending++;
	g_dbus_connection_call(f->h->bus, SECRETS_NAME, f->paths[call->index],
	    PROPS_IFACE, "Get", g_variant_new("(ss)", ITEM_IFACE, "Attributes"),
	    G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT,
	    f->h->cancel, list_got_props, call);
}

static void
list_got_props(GObject *src, GAsyncResult *res, gpointer data)
{
	struct list_call *call = data;
	struct list_fetch *f = call->f;
	GError *err = NULL;
	GVariant *reply;

	reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(src), res, &err);
	if (reply != NULL) {
		GVariant *v;

		g_variant_get(reply, "(v)", &v);
		if (g_variant_is_of_type(v, G_VARIANT_TYPE("a{ss}")))
			f->replies[call->index] = v;
		else
			g_variant_unref(v);
		g_variant_unref(reply);
	} else if (g_error_matches(err, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT) ||
	    g_error_matches(err, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD)) {
		/* Deleted since the search: simply not listed. */
		g_error_free(err);
	} else if (f->error == NULL) {
		f->error = err;
	} else {
		g_error_free(err);
	}
	f->pending--;
	g_free(call);
	list_send_next(f);
}

struct list_args {
	store_list_fn fn;
	void *ctx;
};

/* Reads item i's Modified into mtime[i], once; an item deleted since
 * the search counts as the oldest. */
static int
item_modified(struct ss_handle *h, struct watchdog *w, gchar **paths,
    size_t i, guint64 *mtime, unsigned char *seen)
{
	GError *err = NULL;
	GVariant *reply, *v;

	if (seen[i])
		return GHCR_OK;
	seen[i] = 1;
	reply = g_dbus_connection_call_sync(h->bus, SECRETS_NAME, paths[i],
	    PROPS_IFACE, "Get", g_variant_new("(ss)", ITEM_IFACE, "Modified"),
	    G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT,
	    h->cancel, &err);
	if (reply == NULL) {
		if (g_error_matches(err, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT) ||
		    g_error_matches(err, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD)) {
			g_error_free(err);
			return GHCR_OK;
		}
		return ss_fail_gerror(err, "listing the keyring", w);
	}
	g_variant_get(reply, "(v)", &v);
	if (g_variant_is_of_type(v, G_VARIANT_TYPE_UINT64))
		mtime[i] = g_variant_get_uint64(v);
	g_variant_unref(v);
	g_variant_unref(reply);
	return GHCR_OK;
}

static int
do_list(struct ss_handle *h, struct watchdog *w, void *arg)
{
	struct list_args *a = arg;
	gchar **unlocked = NULL, **locked = NULL, **all = NULL;
	struct list_fetch f;
	GMainContext *ctx = NULL;
	GHashTable *best = NULL; /* server -> index of newest item */
	guint64 *mtime = NULL;     /* Modified, read only for duplicates */
	unsigned char *seen = NULL; /* which of mtime[] are read */
	GHashTableIter it;
	gpointer key, val;
	size_t n = 0, nu, nl;
	int r;

	memset(&f, 0, sizeof(f));
	if ((r = ss_search_paths(h, w, NULL, &unlocked, &locked)) != 0)
		goto out;
	nu = unlocked != NULL ? g_strv_length(unlocked) : 0;
	nl = locked != NULL ? g_strv_length(locked) : 0;
	n = nu + nl;
	if (n == 0) {
		r = GHCR_OK;
		goto out;
	}
	all = g_new0(gchar *, n + 1);
	for (size_t i = 0; i < nu; i++)
		all[i] = unlocked[i];
	for (size_t i = 0; i < nl; i++)
		all[nu + i] = locked[i];
	f.replies = g_new0(GVariant *, n);

	f.h = h;
	f.w = w;
	f.paths = all;
	f.n = n;
	/* A private context: the callbacks run here and nowhere else. */
	ctx = g_main_context_new();
	g_main_context_push_thread_default(ctx);
	for (size_t i = 0; i < LIST_WINDOW; i++)
		list_send_next(&f);
	/* Cancellation completes every call, so this loop ends. */
	while (f.pending > 0)
		g_main_context_iteration(ctx, TRUE);
	g_main_context_pop_thread_default(ctx);
	if (f.error != NULL) {
		r = ss_fail_gerror(f.error, "listing the keyring", w);
		f.error = NULL;
		goto out;
	}

	/* One entry per server, the item get would answer with.  The
	 * strings point into the replies, which live until the end. */
	best = g_hash_table_new(g_str_hash, g_str_equal);
	for (size_t i = 0; i < n; i++) {
		const char *server, *user;

		server = ss_attribute_value(f.replies[i], "server");
		user = ss_attribute_value(f.replies[i], "username");
		/* A locked item may not show its attributes; it cannot be
		 * listed then (get would need an unlock anyway). */
		if (server == NULL || user == NULL || *server == '\0')
			continue;
		if (g_hash_table_lookup_extended(best, server, NULL, &val)) {
			size_t j = GPOINTER_TO_SIZE(val);

			if (mtime == NULL) {
				mtime = g_new0(guint64, n);
				seen = g_new0(unsigned char, n);
			}
			if ((r = item_modified(h, w, all, j, mtime, seen)) != 0 ||
			    (r = item_modified(h, w, all, i, mtime, seen)) != 0)
				goto out;
			if (mtime[i] <= mtime[j])
				continue;
		}
		g_hash_table_insert(best, (gpointer)server, GSIZE_TO_POINTER(i));
	}
	g_hash_table_iter_init(&it, best);
	r = GHCR_OK;
	while (r == GHCR_OK && g_hash_table_iter_next(&it, &key, &val)) {
		int stop = a->fn(key, ss_attribute_value(f.replies[GPOINTER_TO_SIZE(val)],
		    "username"), a->ctx);

		if (stop != 0) {
			r = stop < 0 ? stop : GHCR_OK;
			break;
		}
	}
 out:
	if (best != NULL)
		g_hash_table_unref(best);
	g_free(mtime);
	g_free(seen);
	if (f.replies != NULL) {
		for (size_t i = 0; i < n; i++)
			if (f.replies[i] != NULL)
				g_variant_unref(f.replies[i]);
		g_free(f.replies);
	}
	if (ctx != NULL)
		g_main_context_unref(ctx);
	g_free(all); /* the strings belong to unlocked/locked */
	g_strfreev(unlocked);
	g_strfreev(locked);
	return r;
}

int
ss_list(void *handle, store_list_fn fn, void *ctx)
{
	struct list_args a = { fn, ctx };

	return ss_run_guarded(handle, do_list, &a);
}
