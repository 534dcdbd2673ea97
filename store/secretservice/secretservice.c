/*
 * The Secret Service backend's operations (open, get, store, erase) and
 * the module's one exported symbol.  Registry tokens live in the desktop
 * keyring (gnome-keyring, KeePassXC, ...); the backend is built as the
 * module docker-credential-ghcr-secretservice.so from this file and the
 * ss_*.c beside it, one job each (ss_deadline.c, ss_errors.c, ss_dbus.c,
 * ss_session.c, ss_list.c, ss_expiry.c, ss_note.c: recording a date,
 * ss_foreign.c: another program's login), and dlopen()ed by store/secretservice_loader.c,
 * so only a helper that really talks to the keyring loads GLib.  Each item
 * carries `server` and `username` as attributes (under our libsecret
 * schema), `expires` when the token's expiry is known, and the token only
 * as its secret.  Two promises shape the code.
 * It never hangs: every D-Bus call runs under a deadline, a locked keyring
 * is only unlocked when a person can be prompted, and a watchdog abandons
 * anything that ignores cancellation.  It is cheap: the calls a `get`,
 * `list`, `store` or `erase` needs go straight to the Secret Service D-Bus
 * API on one private connection, pipelined where they are independent;
 * list opens no session and reads no secret; get reads exactly one.
 * libsecret provides the schema, the error domain and, only when a person
 * must be asked, the prompts (its service proxy costs a second bus
 * connection and several round trips, so it is never built otherwise).
 */
#include "ss_private.h"
#include "errors.h"
#include "secmem.h"
#include "secretservice.h"

#include <string.h>
#include <unistd.h>

const SecretSchema ghcr_schema = {
	.name = "io.github.docker-credential-ghcr",
	/*
	 * SECRET_SCHEMA_NONE, i.e. *without* SECRET_SCHEMA_DONT_MATCH_NAME:
	 * libsecret then stores and matches xdg:schema=<name>, so searches
	 * only ever see our items.  docker-credential-secretservice's items
	 * also carry a `server` attribute; matching on it alone would let
	 * erase delete them and list report them.
	 */
	.flags = SECRET_SCHEMA_NONE,
	.attributes = {
		{ "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
		{ "username", SECRET_SCHEMA_ATTRIBUTE_STRING },
		/* When the token expires, "2027-02-28T11:48:08Z" (UTC), as
		 * check or login learnt it: not secret, and read with the
		 * username in the one Attributes call get already makes.
		 * Absent when unknown. */
		{ "expires", SECRET_SCHEMA_ATTRIBUTE_STRING },
		{ NULL, 0 },
	},
};

/* ------------------------------------------------------------------ */
/* The backend operations.                                              */

/*
 * The session bus address as GLib would find it, minus autolaunch: the
 * environment, else $XDG_RUNTIME_DIR/bus (secretservice_no_bus_reason()
 * has checked that one of them exists).  Done here rather than with
 * g_dbus_address_get_for_bus_sync(), which first initialises GIO's
 * extension points at a cost larger than the whole D-Bus exchange.
 */
static gchar *
session_bus_address(void)
{
	const char *env = getenv("DBUS_SESSION_BUS_ADDRESS");
	gchar *path, *escaped, *address;

	if (env != NULL && *env != '\0')
		return g_strdup(env);
	path = g_build_filename(getenv("XDG_RUNTIME_DIR"), "bus", NULL);
	escaped = g_dbus_address_escape_value(path);
	address = g_strconcat("unix:path=", escaped, NULL);
	g_free(escaped);
	g_free(path);
	return address;
}

int
ss_connect(struct ss_handle *h, struct watchdog *w, void *arg)
{
	GError *err = NULL;
	GIOStream *stream;
	gchar *address;
	int r;

	(void)arg;
	/*
	 * A private connection for the first contact, searches, list and
	 * deletes, rather than GLib's session-bus singleton: the singleton
	 * raises SIGTERM in this process when the bus hangs up, even while
	 * the watchdog is abandoning a connection that never finished its
	 * handshake.  libsecret's proxy (see ss_need_service()) joins the
	 * singleton only once this connection has shown the bus answers.
	 * The address comes from the environment or $XDG_RUNTIME_DIR/bus;
	 * secretservice_no_bus_reason() made sure GLib's autolaunch fallback
	 * is never reached.
	 */
	address = session_bus_address();
	/* The stream first, then the handshake: the socket's peer is the
	 * bus daemon, whose activity tells a busy bus from a dead one
	 * (ss_deadline.c). */
	ss_watchdog_connecting(w, 1);
	stream = g_dbus_address_get_stream_sync(address, NULL, h->cancel, &err);
	ss_watchdog_connecting(w, 0);
	g_free(address);
	if (stream != NULL && G_IS_SOCKET_CONNECTION(stream)) {
		GCredentials *cred = g_socket_get_credentials(
		    g_socket_connection_get_socket(G_SOCKET_CONNECTION(stream)), NULL);

		if (cred != NULL) {
			h->bus_pid = g_credentials_get_unix_pid(cred, NULL);
			/* A socket this very process listens on (tests) is
			 * no bus daemon to watch. */
			if (h->bus_pid == getpid())
				h->bus_pid = 0;
			if (h->bus_pid > 0)
				ss_watchdog_know_bus(w, h->bus_pid);
			g_object_unref(cred);
		}
	}
	if (stream != NULL) {
		h->bus = g_dbus_connection_new_sync(stream, NULL,
		    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
		    G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION, NULL,
		    h->cancel, &err);
		g_object_unref(stream);
	}
	if (h->bus == NULL) {
		if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			return ss_fail_gerror(err, "connecting to the session bus", w);
		r = ghcr_fail(GHCR_ERR_UNAVAILABLE, "cannot connect to the "
		    "D-Bus session bus: %s; %s", err->message, FILE_HINT);
		g_error_free(err);
		return r;
	}
	ss_watch_answers(h);
	/* Whether a Secret Service is there is learnt from the first real
	 * call (the bus answers ServiceUnknown at once when the name is
	 * neither owned nor activatable), which saves a round trip on every
	 * run; open() for `auto` (where->confirm) asks explicitly. */
	return GHCR_OK;
}

void
ss_close(void *handle)
{
	struct ss_handle *h = handle;

	if (h == NULL)
		return;
	secmem_wipe(h->key, sizeof(h->key));
	g_free(h->session);
	ss_unwatch_answers(h);
	if (h->service != NULL)
		g_object_unref(h->service);
	if (h->bus != NULL)
		g_object_unref(h->bus);
	g_free(h);
}

static int
do_confirm(struct ss_handle *h, struct watchdog *w, void *arg)
{
	(void)arg;
	return ss_check_service_present(h, w);
}

/*
 * Connects to the session bus.  For `auto` (where->confirm), also makes
 * sure a Secret Service is there to answer, so that a bus without one
 * reads as GHCR_ERR_UNAVAILABLE now and auto falls back to the file
 * store; the connection that confirmed it is the handle, so a get makes
 * one connection to the bus, not two.
 */
static int
ss_open(const struct store_location *where, void **out)
{
	struct ss_handle *h;
	const char *why;
	int r;

	*out = NULL;
	if ((why = secretservice_no_bus_reason()) != NULL)
		return ghcr_fail(GHCR_ERR_UNAVAILABLE, "Secret Service: %s; %s",
		    why, FILE_HINT);
	h = g_new0(struct ss_handle, 1);
	if ((r = ss_run_guarded(h, ss_connect, NULL)) != 0 ||
	    (where != NULL && where->confirm &&
	    (r = ss_run_guarded(h, do_confirm, NULL)) != 0)) {
		ss_close(h);
		return r;
	}
	*out = h;
	return GHCR_OK;
}

/*
 * Picks the item get answers with: the newest by Modified when a foreign
 * writer (or a put that crashed between storing and pruning) left several.
 */
static int
newest_item(struct ss_handle *h, const struct watchdog *w, gchar **paths,
    const char **best)
{
	guint64 best_mtime = 0;
	int r;

	*best = paths[0];
	if (paths[0] == NULL || paths[1] == NULL)
		return GHCR_OK;
	for (size_t i = 0; paths[i] != NULL; i++) {
		GVariant *v;
		guint64 mtime;

		if ((r = ss_get_property(h, w, paths[i], ITEM_IFACE, "Modified", &v)) != 0)
			return r;
		mtime = g_variant_is_of_type(v, G_VARIANT_TYPE_UINT64) ?
		    g_variant_get_uint64(v) : 0;
		g_variant_unref(v);
		if (i == 0 || mtime > best_mtime) {
			best_mtime = mtime;
			*best = paths[i];
		}
	}
	return GHCR_OK;
}

int
ss_read_login(struct ss_handle *h, struct watchdog *w, void *arg)
{
	struct ss_get_args *a = arg;
	gchar **unlocked = NULL, **locked = NULL;
	GVariant *attrs = NULL, *secret = NULL;
	GMainContext *ctx = g_main_context_new();
	struct session_setup ss;
	struct pending_call attr_call, secret_call;
	const char *path, *username;
	struct credential c = { NULL, NULL, NULL, 0 };
	int r;

	memset(&attr_call, 0, sizeof(attr_call));
	memset(&secret_call, 0, sizeof(secret_call));
	/*
	 * Three requests, two round trips: the session is negotiated while
	 * the search runs, and the username is read while the secret is.
	 * A get for a server with nothing stored pays for a session it does
	 * not use (about a millisecond); every other get saves two round
	 * trips, which is most of its time on a busy machine.
	 */
	if ((r = ss_session_start(h, ctx, &ss)) != 0)
		goto out;
	if ((r = ss_search_paths(h, w, a->server, &unlocked, &locked)) != 0)
		goto out;
	if ((unlocked == NULL || unlocked[0] == NULL) &&
	    (locked == NULL || locked[0] == NULL)) {
		r = GHCR_ERR_NOT_FOUND;
		goto out;
	}
	if (unlocked == NULL || unlocked[0] == NULL) {
		if ((r = ss_unlock_paths(h, w, a->server, locked)) != 0)
			goto out;
		g_strfreev(unlocked);
		g_strfreev(locked);
		if ((r = ss_search_paths(h, w, a->server, &unlocked, &locked)) != 0)
			goto out;
		if (unlocked == NULL || unlocked[0] == NULL) {
			r = ss_fail_locked(a->server);
			goto out;
		}
	}
	if ((r = newest_item(h, w, unlocked, &path)) != 0)
		goto out;
	ss_pending_call_send(h, ctx, &attr_call, path, PROPS_IFACE, "Get",
	    g_variant_new("(ss)", ITEM_IFACE, "Attributes"), "(v)");
	if ((r = ss_session_finish(h, w, ctx, &ss)) != 0)
		goto out;
	/* The one secret, encrypted by the session on its way. */
	ss_pending_call_send(h, ctx, &secret_call, path, ITEM_IFACE, "GetSecret",
	    g_variant_new("(o)", h->session), "((oayays))");
	ss_pending_call_wait(ctx, &attr_call);
	ss_pending_call_wait(ctx, &secret_call);
	if (attr_call.reply == NULL) {
		r = ss_fail_gerror(attr_call.error, "reading a keyring item", w);
		attr_call.error = NULL;
		goto out;
	}
	if (secret_call.reply == NULL) {
		if (ss_is_locked_error(secret_call.error))
			r = ss_fail_locked(a->server);
		else {
			r = ss_fail_gerror(secret_call.error, "reading the secret", w);
			secret_call.error = NULL;
		}
		goto out;
	}
	g_variant_get(attr_call.reply, "(v)", &attrs);
	if ((username = ss_attribute_value(attrs, "username")) == NULL) {
		r = ghcr_fail(GHCR_ERR_CORRUPT, "keyring item %s for %s has no "
		    "username attribute; erase it and log in again", path,
		    a->server);
		goto out;
	}
	c.expires = ss_expires_parse(ss_attribute_value(attrs, "expires"));
	g_variant_get(secret_call.reply, "(@(oayays))", &secret);
	if ((r = ss_session_decrypt(h, secret, a->server, &c.secret)) != 0)
		goto out;
	if ((c.username = secmem_strdup(username)) == NULL ||
	    (c.server = secmem_strdup(a->server)) == NULL) {
		r = GHCR_ERR_NO_MEMORY;
		goto out;
	}
	*a->out = c;
	memset(&c, 0, sizeof(c));
	if (a->path != NULL)
		*a->path = g_strdup(path);
	if (a->attrs != NULL)
		*a->attrs = g_variant_ref(attrs);
	r = GHCR_OK;
 out:
	/* Collect whatever is still in flight, so no reply outlives this
	 * frame (the deadline cancels it at worst). */
	r = ss_session_finish_after(h, w, ctx, &ss, r);
	ss_pending_call_wait(ctx, &attr_call);
	ss_pending_call_wait(ctx, &secret_call);
	credential_clear(&c);
	if (secret != NULL)
		g_variant_unref(secret);
	if (attrs != NULL)
		g_variant_unref(attrs);
	ss_pending_call_clear(&attr_call);
	ss_pending_call_clear(&secret_call);
	g_main_context_unref(ctx);
	g_strfreev(unlocked);
	g_strfreev(locked);
	return r;
}

static int
ss_get(void *handle, const char *server, struct credential *out)
{
	struct ss_get_args a = { server, out, NULL, NULL };

	memset(out, 0, sizeof(*out));
	return ss_run_guarded(handle, ss_read_login, &a);
}

/* Deletes every item in `paths` except `keep` (may be NULL). */
static int
delete_paths(struct ss_handle *h, struct watchdog *w, const char *server,
    gchar **paths, const char *keep)
{
	GError *err = NULL;

	for (size_t i = 0; paths != NULL && paths[i] != NULL; i++) {
		GVariant *reply;
		const char *prompt;
		int r;

		if (keep != NULL && strcmp(paths[i], keep) == 0)
			continue;
		reply = g_dbus_connection_call_sync(h->bus, SECRETS_NAME,
		    paths[i], ITEM_IFACE, "Delete", NULL, G_VARIANT_TYPE("(o)"),
		    G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT, h->cancel, &err);
		if (reply == NULL) {
			if (ss_is_locked_error(err)) {
				g_error_free(err);
				return ss_fail_locked(server);
			}
			return ss_fail_gerror(err, "deleting a keyring item", w);
		}
		g_variant_get(reply, "(&o)", &prompt);
		if (strcmp(prompt, "/") != 0) {
			/* The daemon wants a person to confirm. */
			gchar *held = g_strdup(prompt);
			GVariant *done;

			g_variant_unref(reply);
			reply = NULL;
			if (!ss_can_prompt()) {
				g_free(held);
				return ss_fail_locked(server);
			}
			if ((r = ss_need_service(h, w)) != 0) {
				g_free(held);
				return r;
			}
			ss_watchdog_extend(w, PROMPT_MS);
			done = secret_service_prompt_at_dbus_path_sync(h->service,
			    held, h->cancel, NULL, &err);
			ss_watchdog_extend(w, DEADLINE_MS);
			g_free(held);
			if (done == NULL && err != NULL)
				return ss_fail_gerror(err, "confirming a deletion", w);
			if (done != NULL)
				g_variant_unref(done);
		}
		if (reply != NULL)
			g_variant_unref(reply);
	}
	return GHCR_OK;
}

/*
 * The collection new items go to: the "default" alias, unlocked.  Returns
 * its object path (caller frees).
 */
static int
default_collection(struct ss_handle *h, struct watchdog *w, const char *server,
    char **out)
{
	GError *err = NULL;
	GVariant *v = NULL, *reply;
	gchar *path;
	gchar *paths[2] = { NULL, NULL };
	int r;

	*out = NULL;
	reply = g_dbus_connection_call_sync(h->bus, SECRETS_NAME, SERVICE_PATH,
	    SERVICE_IFACE, "ReadAlias", g_variant_new("(s)", "default"),
	    G_VARIANT_TYPE("(o)"), G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT,
	    h->cancel, &err);
	if (reply == NULL)
		return ss_fail_gerror(err, "finding the default keyring", w);
	g_variant_get(reply, "(o)", &path);
	g_variant_unref(reply);
	if (strcmp(path, "/") == 0) {
		g_free(path);
		path = NULL;
		if (!ss_can_prompt())
			return ghcr_fail(GHCR_ERR_LOCKED, "the Secret Service "
			    "has no default keyring and there is no display to "
			    "create one; create it (e.g. log in to the desktop "
			    "once) %s", FILE_HINT);
		if ((r = ss_need_service(h, w)) != 0)
			return r;
		/* Creating a keyring asks a person for its password. */
		ss_watchdog_extend(w, PROMPT_MS);
		path = secret_service_create_collection_dbus_path_sync(h->service,
		    NULL, SECRET_COLLECTION_DEFAULT, SECRET_COLLECTION_CREATE_NONE,
		    h->cancel, &err);
		ss_watchdog_extend(w, DEADLINE_MS);
		if (path == NULL)
			return ss_fail_gerror(err, "creating the default keyring", w);
	}
	if ((r = ss_get_property(h, w, path, COLLECTION_IFACE, "Locked", &v)) != 0)
		goto out;
	if (g_variant_is_of_type(v, G_VARIANT_TYPE_BOOLEAN) &&
	    g_variant_get_boolean(v)) {
		paths[0] = path;
		if ((r = ss_unlock_paths(h, w, server, paths)) != 0)
			goto out;
	}
	*out = path;
	path = NULL;
	r = GHCR_OK;
 out:
	if (v != NULL)
		g_variant_unref(v);
	g_free(path);
	return r;
}

static int
do_put(struct ss_handle *h, struct watchdog *w, void *arg)
{
	const struct credential *cred = arg;
	GVariantBuilder attrs, props;
	GVariant *secret = NULL, *reply = NULL;
	GError *err = NULL;
	gchar **unlocked = NULL, **locked = NULL;
	char *collection = NULL, *label = NULL;
	const char *item, *prompt;
	GMainContext *ctx = g_main_context_new();
	struct session_setup ss;
	char detail[512] = "";
	gchar *expires = NULL;
	int r, r2;

	/* The session is negotiated while the default keyring is looked up. */
	if ((r = ss_session_start(h, ctx, &ss)) != 0)
		goto out;
	r = default_collection(h, w, cred->server, &collection);
	if (r != 0 && ghcr_error_detail() != NULL)
		g_strlcpy(detail, ghcr_error_detail(), sizeof(detail));
	r2 = ss_session_finish(h, w, ctx, &ss);
	if (r != 0) {
		if (r2 != 0 && detail[0] != '\0')
			ghcr_fail(r, "%s", detail); /* the first failure's */
		goto out;
	}
	if ((r = r2) != 0 ||
	    (r = ss_session_encrypt(h, cred->secret, &secret)) != 0)
		goto out;
	g_variant_builder_init(&attrs, G_VARIANT_TYPE("a{ss}"));
	g_variant_builder_add(&attrs, "{ss}", "xdg:schema", ghcr_schema.name);
	g_variant_builder_add(&attrs, "{ss}", "server", cred->server);
	g_variant_builder_add(&attrs, "{ss}", "username", cred->username);
	/* No date, no attribute: the item then differs from one that had a
	 * date, so a new login's item replaces it (pruned below). */
	if (cred->expires > 0) {
		expires = ss_expires_format(cred->expires);
		g_variant_builder_add(&attrs, "{ss}", "expires", expires);
	}
	/* The label is what keyring managers show: server only, never the
	 * token. */
	label = g_strdup_printf("Registry login for %s (docker-credential-ghcr)",
	    cred->server);
	g_variant_builder_init(&props, G_VARIANT_TYPE("a{sv}"));
	g_variant_builder_add(&props, "{sv}", ITEM_IFACE ".Label",
	    g_variant_new_string(label));
	g_variant_builder_add(&props, "{sv}", ITEM_IFACE ".Attributes",
	    g_variant_builder_end(&attrs));
	/*
	 * Store first, then prune: a failure midway leaves the old login,
	 * never none.  replace=TRUE makes the daemon overwrite an item with
	 * the very same attributes (same server and username, and expiry
	 * date) in place.
	 */
	reply = g_dbus_connection_call_sync(h->bus, SECRETS_NAME, collection,
	    COLLECTION_IFACE, "CreateItem",
	    g_variant_new("(a{sv}@(oayays)b)", &props, secret, TRUE),
	    G_VARIANT_TYPE("(oo)"), G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT,
	    h->cancel, &err);
	secret = NULL; /* consumed by the call */
	if (reply == NULL) {
		if (ss_is_locked_error(err)) {
			g_error_free(err);
			r = ss_fail_locked(cred->server);
		} else {
			r = ss_fail_gerror(err, "storing the login", w);
		}
		goto out;
	}
	g_variant_get(reply, "(&o&o)", &item, &prompt);
	if (strcmp(item, "/") == 0) {
		/* The collection was unlocked above; a daemon that still asks
		 * for a prompt here is not one we can serve unattended. */
		r = ss_fail_locked(cred->server);
		goto out;
	}
	/* One login per registry: drop any other item for this server
	 * (another username, another collection). */
	if ((r = ss_search_paths(h, w, cred->server, &unlocked, &locked)) != 0)
		goto out;
	if ((r = delete_paths(h, w, cred->server, unlocked, item)) != 0 ||
	    (r = delete_paths(h, w, cred->server, locked, item)) != 0)
		goto out;
	r = GHCR_OK;
 out:
	if (secret != NULL)
		g_variant_unref(g_variant_ref_sink(secret));
	if (reply != NULL)
		g_variant_unref(reply);
	g_free(label);
	g_free(expires);
	g_free(collection);
	g_strfreev(unlocked);
	g_strfreev(locked);
	g_main_context_unref(ctx);
	return r;
}

static int
ss_put(void *handle, const struct credential *cred)
{
	if (cred == NULL || cred->server == NULL || *cred->server == '\0')
		return GHCR_ERR_NO_SERVER;
	if (cred->username == NULL || *cred->username == '\0')
		return GHCR_ERR_NO_USERNAME;
	if (cred->secret == NULL)
		return ghcr_fail(GHCR_ERR_BAD_INPUT, "no secret to store");
	return ss_run_guarded(handle, do_put, (void *)cred);
}

static int
do_erase(struct ss_handle *h, struct watchdog *w, void *arg)
{
	const char *server = arg;
	gchar **unlocked = NULL, **locked = NULL;
	int r;

	if ((r = ss_search_paths(h, w, server, &unlocked, &locked)) != 0)
		goto out;
	/* A locked item can only go once unlocked: ask the person first
	 * (ss_unlock_paths() fails fast with LOCKED when nobody can be asked). */
	if (locked != NULL && locked[0] != NULL &&
	    (r = ss_unlock_paths(h, w, server, locked)) != 0)
		goto out;
	if ((r = delete_paths(h, w, server, unlocked, NULL)) != 0 ||
	    (r = delete_paths(h, w, server, locked, NULL)) != 0)
		goto out;
	r = GHCR_OK;
 out:
	g_strfreev(unlocked);
	g_strfreev(locked);
	return r;
}

static int
ss_erase(void *handle, const char *server)
{
	return ss_run_guarded(handle, do_erase, (void *)server);
}

static const struct store_backend ss_backend = {
	.name = "secretservice",
	.title = "the Secret Service keyring",
	.open = ss_open,
	.get = ss_get,
	.put = ss_put,
	.note_expiry = ss_note_expiry,
	.erase = ss_erase,
	.list = ss_list,
	.close = ss_close,
};

/* The one symbol the loader looks up. */
extern const struct secretservice_module ghcr_secretservice_module;
__attribute__((visibility("default")))
const struct secretservice_module ghcr_secretservice_module = {
	.stamp = SECRETSERVICE_MODULE_STAMP,
	.backend = &ss_backend,
	.lookup = ss_lookup,
};
