/*
 * The Secret Service module's small D-Bus calls, shared by the
 * operations: is a provider there, read a property, search our items,
 * send a call without waiting for it (pipelining), and, only when a
 * person must be asked, libsecret's service proxy and the unlock prompt.
 */
#include "ss_private.h"
#include "errors.h"

#include <string.h>

static int
ask_bus(struct ss_handle *h, const struct watchdog *w, const char *method,
    GVariant *args, const char *reply_type, GVariant **out)
{
	GError *err = NULL;

	*out = g_dbus_connection_call_sync(h->bus, "org.freedesktop.DBus",
	    "/org/freedesktop/DBus", "org.freedesktop.DBus", method, args,
	    G_VARIANT_TYPE(reply_type), G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT,
	    h->cancel, &err);
	if (*out == NULL)
		return ss_fail_gerror(err, "asking the bus for the Secret Service", w);
	return GHCR_OK;
}

/*
 * Fails fast unless org.freedesktop.secrets is owned now or can be
 * activated.  Without this check the first libsecret call would wait for
 * the bus's activation timeout, or fail with a message nobody can act on.
 */
int
ss_check_service_present(struct ss_handle *h, const struct watchdog *w)
{
	GVariant *reply = NULL;
	GVariantIter *iter = NULL;
	const char *name;
	gboolean owned = FALSE, activatable = FALSE;
	int r;

	if ((r = ask_bus(h, w, "NameHasOwner", g_variant_new("(s)", SECRETS_NAME),
	    "(b)", &reply)) != 0)
		goto out;
	g_variant_get(reply, "(b)", &owned);
	g_variant_unref(reply);
	reply = NULL;
	if (owned) {
		r = GHCR_OK;
		goto out;
	}
	if ((r = ask_bus(h, w, "ListActivatableNames", NULL, "(as)", &reply)) != 0)
		goto out;
	g_variant_get(reply, "(as)", &iter);
	while (g_variant_iter_loop(iter, "&s", &name))
		if (strcmp(name, SECRETS_NAME) == 0)
			activatable = TRUE;
	if (!activatable) {
		r = ghcr_fail(GHCR_ERR_UNAVAILABLE, "no Secret Service on the "
		    "session bus (%s is neither running nor activatable); start "
		    "gnome-keyring-daemon or KeePassXC, %s", SECRETS_NAME,
		    FILE_HINT);
		goto out;
	}
	r = GHCR_OK;
 out:
	if (iter != NULL)
		g_variant_iter_free(iter);
	if (reply != NULL)
		g_variant_unref(reply);
	return r;
}

/* Reads one property of a Secret Service object into *out (a new ref). */
int
ss_get_property(struct ss_handle *h, const struct watchdog *w, const char *path,
    const char *iface, const char *prop, GVariant **out)
{
	GError *err = NULL;
	GVariant *reply;

	*out = NULL;
	reply = g_dbus_connection_call_sync(h->bus, SECRETS_NAME, path,
	    PROPS_IFACE, "Get", g_variant_new("(ss)", iface, prop),
	    G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT,
	    h->cancel, &err);
	if (reply == NULL)
		return ss_fail_gerror(err, "reading a keyring item", w);
	g_variant_get(reply, "(v)", out);
	g_variant_unref(reply);
	return GHCR_OK;
}

/* Looks up `key` in an a{ss} variant; borrowed string or NULL. */
const char *
ss_attribute_value(GVariant *attrs, const char *key)
{
	const char *v = NULL;

	if (attrs == NULL || !g_variant_is_of_type(attrs, G_VARIANT_TYPE("a{ss}")) ||
	    !g_variant_lookup(attrs, key, "&s", &v))
		return NULL;
	return v;
}

/* Our items for `server` (or all of them when NULL): unlocked and locked
 * object paths, both NULL-terminated and owned by the caller.  A plain
 * SearchItems on our own connection: no proxy, no session. */
int
ss_search_paths(struct ss_handle *h, const struct watchdog *w,
    const char *server, gchar ***unlocked, gchar ***locked)
{
	GVariantBuilder b;
	GVariant *reply, *u, *l;
	GError *err = NULL;

	*unlocked = *locked = NULL;
	g_variant_builder_init(&b, G_VARIANT_TYPE("a{ss}"));
	/* What libsecret adds for a schema without DONT_MATCH_NAME. */
	g_variant_builder_add(&b, "{ss}", "xdg:schema", ghcr_schema.name);
	if (server != NULL)
		g_variant_builder_add(&b, "{ss}", "server", server);
	reply = g_dbus_connection_call_sync(h->bus, SECRETS_NAME,
	    SERVICE_PATH, SERVICE_IFACE, "SearchItems",
	    g_variant_new("(a{ss})", &b), G_VARIANT_TYPE("(aoao)"),
	    G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT, h->cancel, &err);
	if (reply == NULL)
		return ss_fail_gerror(err, "searching the keyring", w);
	g_variant_get(reply, "(@ao@ao)", &u, &l);
	*unlocked = g_variant_dup_objv(u, NULL);
	*locked = g_variant_dup_objv(l, NULL);
	g_variant_unref(u);
	g_variant_unref(l);
	g_variant_unref(reply);
	return GHCR_OK;
}

/*
 * libsecret's service proxy, made on first need: only moving a secret
 * (its encrypted session), creating an item and prompting need it, so
 * list never builds it.  It lives on GLib's shared session connection,
 * which by default raises SIGTERM when the bus hangs up: switched off, a
 * credential helper reports an error instead.
 */
int
ss_need_service(struct ss_handle *h, const struct watchdog *w)
{
	GError *err = NULL;

	if (h->service != NULL)
		return GHCR_OK;
	/* SECRET_SERVICE_NONE: no session until a secret moves, no
	 * collection proxies. */
	h->service = secret_service_open_sync(SECRET_TYPE_SERVICE, NULL,
	    SECRET_SERVICE_NONE, h->cancel, &err);
	if (h->service == NULL)
		return ss_fail_gerror(err, "connecting to the Secret Service", w);
	g_dbus_connection_set_exit_on_close(
	    g_dbus_proxy_get_connection(G_DBUS_PROXY(h->service)), FALSE);
	return GHCR_OK;
}

static void
pending_call_done(GObject *src, GAsyncResult *res, gpointer data)
{
	struct pending_call *pc = data;

	pc->reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(src), res,
	    &pc->error);
	pc->done = 1;
}

/*
 * Sends `method` without waiting; its reply is delivered to `ctx`, where
 * ss_pending_call_wait() collects it.  Lets independent requests share one
 * round trip.
 */
void
ss_pending_call_send(struct ss_handle *h, GMainContext *ctx,
    struct pending_call *pc, const char *path, const char *iface,
    const char *method, GVariant *args, const char *reply_type)
{
	memset(pc, 0, sizeof(*pc));
	pc->sent = 1;
	g_main_context_push_thread_default(ctx);
	g_dbus_connection_call(h->bus, SECRETS_NAME, path, iface, method, args,
	    G_VARIANT_TYPE(reply_type), G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT,
	    h->cancel, pending_call_done, pc);
	g_main_context_pop_thread_default(ctx);
}

/* Waits for a sent call; cancellation by the deadline ends the wait. */
void
ss_pending_call_wait(GMainContext *ctx, struct pending_call *pc)
{
	while (pc->sent && !pc->done)
		g_main_context_iteration(ctx, TRUE);
}

void
ss_pending_call_clear(struct pending_call *pc)
{
	if (pc->reply != NULL)
		g_variant_unref(pc->reply);
	if (pc->error != NULL)
		g_error_free(pc->error);
	memset(pc, 0, sizeof(*pc));
}

int
ss_unlock_paths(struct ss_handle *h, struct watchdog *w, const char *server,
    gchar **paths)
{
	GError *err = NULL;
	gint n;
	int r;

	if (!ss_can_prompt())
		return ss_fail_locked(server);
	if ((r = ss_need_service(h, w)) != 0)
		return r;
	/* A person is typing a password now: give them time. */
	ss_watchdog_extend(w, PROMPT_MS);
	n = secret_service_unlock_dbus_paths_sync(h->service,
	    (const gchar **)paths, h->cancel, NULL, &err);
	ss_watchdog_extend(w, DEADLINE_MS);
	if (n < 0)
		return ss_fail_gerror(err, "unlocking the keyring", w);
	if (n == 0)
		return ghcr_fail(GHCR_ERR_LOCKED, "the keyring holding %s "
		    "stayed locked (the unlock prompt was dismissed); %s",
		    server, FILE_HINT);
	return GHCR_OK;
}
