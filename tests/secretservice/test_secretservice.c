/*
 * Secret Service backend tests against a real gnome-keyring-daemon: run
 * only through tests/keyring-session.sh, which provides a private bus and
 * an unlocked login keyring (see tests/secretservice.mk).  Every test goes
 * through store_backend_find("secretservice"), i.e. the helper's loader,
 * which dlopen()s the built module, exactly as the helper does.  A D-Bus
 * monitor on the private bus proves what crossed the bus (list opens no
 * session and reads no secret); fail-fast cases are timed against the 2 s
 * promise and their times printed.  Each test runs in a forked child, so
 * environment changes and GLib's bus singleton never leak between tests.
 */
/* GIO only, not libsecret: the test must be able to see that the helper
 * side loads no libsecret until the module is needed. */
#include <gio/gio.h>

#include <check.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backend_contract.h"
#include "errors.h"
#include "resolver.h"
#include "secmem.h"
#include "settings.h"
#include "store.h"
#include "testutil.h"

#define LOGIN "/org/freedesktop/secrets/collection/login"
#define SCHEMA_NAME "io.github.docker-credential-ghcr"
#define FAST_MS 2000.0

static const struct store_backend *backend;

/* ---------------------------------------------------------------- */
/* Helpers.                                                          */

static double
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000.0 + t.tv_nsec / 1e6;
}

static void
setup(void)
{
	backend = store_backend_find("secretservice");
	ck_assert_msg(backend != NULL, "expected the secretservice backend to be built in");
	ghcr_error_clear();
	test_tmpdir_setup();
}

static void
teardown(void)
{
	test_tmpdir_teardown();
}

static void *
open_or_fail(void)
{
	void *h = NULL;
	int r = backend->open(NULL, &h);

	ck_assert_msg(r == GHCR_OK, "expected open() to succeed, got %d (%s)",
	    r, ghcr_error_message(r));
	return h;
}

static void
put3(void *h, const char *server, const char *user, const char *secret)
{
	struct credential c = { 0 };
	int r;

	c.server = secmem_strdup(server);
	c.username = secmem_strdup(user);
	c.secret = secmem_strdup(secret);
	r = backend->put(h, &c);
	credential_clear(&c);
	ck_assert_msg(r == GHCR_OK, "expected put(%s) to succeed, got %d (%s)",
	    server, r, ghcr_error_message(r));
}

static int
try_put(void *h, const char *server, const char *user, const char *secret)
{
	struct credential c = { 0 };
	int r;

	c.server = secmem_strdup(server);
	c.username = secmem_strdup(user);
	c.secret = secmem_strdup(secret);
	r = backend->put(h, &c);
	credential_clear(&c);
	return r;
}

static void
expect_get(void *h, const char *server, const char *user, const char *secret)
{
	struct credential c;
	int r = backend->get(h, server, &c);

	ck_assert_msg(r == GHCR_OK, "expected get(%s) to succeed, got %d (%s)",
	    server, r, ghcr_error_message(r));
	ck_assert_str_eq(c.server, server);
	ck_assert_str_eq(c.username, user);
	ck_assert_msg(strcmp(c.secret, secret) == 0,
	    "get(%s): expected secret of %zu bytes, got a different one of %zu",
	    server, strlen(secret), strlen(c.secret));
	credential_clear(&c);
}

struct listed {
	char text[4096]; /* "server=user;" ... */
	int count;
};

static int
collect(const char *server, const char *username, void *ctx)
{
	struct listed *l = ctx;
	size_t len = strlen(l->text);

	snprintf(l->text + len, sizeof(l->text) - len, "%s=%s;", server, username);
	l->count++;
	return 0;
}

static int
list_has(const struct listed *l, const char *server, const char *user)
{
	char want[512];

	snprintf(want, sizeof(want), "%s=%s;", server, user);
	return strstr(l->text, want) == l->text ||
	    (strstr(l->text, want) != NULL && strstr(l->text, want)[-1] == ';');
}

/* Raw count of items on the bus for `server`: ours (xdg:schema) or any. */
static int
count_items(const char *server, int ours_only)
{
	GDBusConnection *bus = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, NULL);
	GVariantBuilder b;
	GVariant *reply;
	GVariant *unlocked, *locked;
	int n;

	g_variant_builder_init(&b, G_VARIANT_TYPE("a{ss}"));
	g_variant_builder_add(&b, "{ss}", "server", server);
	if (ours_only)
		g_variant_builder_add(&b, "{ss}", "xdg:schema", SCHEMA_NAME);
	reply = g_dbus_connection_call_sync(bus, "org.freedesktop.secrets",
	    "/org/freedesktop/secrets", "org.freedesktop.Secret.Service",
	    "SearchItems", g_variant_new("(a{ss})", &b), G_VARIANT_TYPE("(aoao)"),
	    G_DBUS_CALL_FLAGS_NONE, 2000, NULL, NULL);
	ck_assert_msg(reply != NULL, "SearchItems on the test keyring failed");
	g_variant_get(reply, "(@ao@ao)", &unlocked, &locked);
	n = (int)(g_variant_n_children(unlocked) + g_variant_n_children(locked));
	g_variant_unref(unlocked);
	g_variant_unref(locked);
	g_variant_unref(reply);
	g_object_unref(bus);
	return n;
}

static void
keyring_lock(void)
{
	GDBusConnection *bus = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, NULL);
	const char *paths[] = { LOGIN, NULL };
	GVariant *reply;

	reply = g_dbus_connection_call_sync(bus, "org.freedesktop.secrets",
	    "/org/freedesktop/secrets", "org.freedesktop.Secret.Service", "Lock",
	    g_variant_new("(^ao)", paths), NULL, G_DBUS_CALL_FLAGS_NONE, 2000,
	    NULL, NULL);
	ck_assert_msg(reply != NULL, "locking the test keyring failed");
	g_variant_unref(reply);
	g_object_unref(bus);
}

/* A private connection with a "plain" session: the test's own secrets
 * (a test password, a foreign item) need no encryption on a private bus;
 * the session lives as long as the connection. */
static GDBusConnection *
plain_session(char **session)
{
	GDBusConnection *bus;
	GVariant *reply, *out;
	GError *err = NULL;

	bus = g_dbus_connection_new_for_address_sync(
	    getenv("DBUS_SESSION_BUS_ADDRESS"),
	    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
	    G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION, NULL, NULL, &err);
	ck_assert_msg(bus != NULL, "connecting to the test bus failed");
	reply = g_dbus_connection_call_sync(bus, "org.freedesktop.secrets",
	    "/org/freedesktop/secrets", "org.freedesktop.Secret.Service",
	    "OpenSession", g_variant_new("(sv)", "plain", g_variant_new_string("")),
	    G_VARIANT_TYPE("(vo)"), G_DBUS_CALL_FLAGS_NONE, 2000, NULL, NULL);
	ck_assert_msg(reply != NULL, "OpenSession on the test keyring failed");
	g_variant_get(reply, "(vo)", &out, session);
	g_variant_unref(out);
	g_variant_unref(reply);
	return bus;
}

static GVariant *
plain_secret(const char *session, const char *text)
{
	return g_variant_new("(o@ay@ays)", session,
	    g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, "", 0, 1),
	    g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, text, strlen(text), 1),
	    "text/plain");
}

/* gnome-keyring's test-only interface unlocks with the password directly,
 * no prompt. */
static void
keyring_unlock(void)
{
	const char *pw = getenv("GHCR_KEYRING_PASSWORD");
	GDBusConnection *bus;
	GVariant *out;
	GError *err = NULL;
	char *session;

	ck_assert_msg(pw != NULL, "GHCR_KEYRING_PASSWORD unset: not run by keyring-session.sh?");
	bus = plain_session(&session);
	out = g_dbus_connection_call_sync(bus, "org.freedesktop.secrets",
	    "/org/freedesktop/secrets",
	    "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface",
	    "UnlockWithMasterPassword",
	    g_variant_new("(o@(oayays))", LOGIN, plain_secret(session, pw)),
	    NULL, G_DBUS_CALL_FLAGS_NONE, 2000, NULL, &err);
	ck_assert_msg(out != NULL, "unlocking the test keyring failed: %s",
	    err != NULL ? err->message : "?");
	g_variant_unref(out);
	g_free(session);
	g_object_unref(bus);
}

/* Checked setup of the keyring tests: a test that failed while the
 * keyring was locked must not take the following ones down with it. */
static void
keyring_setup(void)
{
	setup();
	keyring_unlock();
}

/* Deletes every item of our schema, through the bus (not the backend under
 * test): the contract cases each start from, and leave, an empty store. */
static void
clear_ours(void)
{
	GDBusConnection *bus = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, NULL);
	GVariantBuilder b;
	GVariant *reply, *lists[2];
	GError *err = NULL;

	ck_assert_msg(bus != NULL, "connecting to the test bus failed");
	g_variant_builder_init(&b, G_VARIANT_TYPE("a{ss}"));
	g_variant_builder_add(&b, "{ss}", "xdg:schema", SCHEMA_NAME);
	reply = g_dbus_connection_call_sync(bus, "org.freedesktop.secrets",
	    "/org/freedesktop/secrets", "org.freedesktop.Secret.Service",
	    "SearchItems", g_variant_new("(a{ss})", &b), G_VARIANT_TYPE("(aoao)"),
	    G_DBUS_CALL_FLAGS_NONE, 2000, NULL, &err);
	ck_assert_msg(reply != NULL, "SearchItems on the test keyring failed: %s",
	    err != NULL ? err->message : "?");
	g_variant_get(reply, "(@ao@ao)", &lists[0], &lists[1]);
	for (int k = 0; k < 2; k++) {
		GVariantIter it;
		const char *path;

		g_variant_iter_init(&it, lists[k]);
		while (g_variant_iter_next(&it, "&o", &path)) {
			GVariant *out = g_dbus_connection_call_sync(bus,
			    "org.freedesktop.secrets", path,
			    "org.freedesktop.Secret.Item", "Delete", NULL,
			    G_VARIANT_TYPE("(o)"), G_DBUS_CALL_FLAGS_NONE, 10000,
			    NULL, &err);

			ck_assert_msg(out != NULL, "deleting %s failed: %s", path,
			    err != NULL ? err->message : "?");
			g_variant_unref(out);
		}
		g_variant_unref(lists[k]);
	}
	g_variant_unref(reply);
	g_object_unref(bus);
}

static void
contract_setup(void)
{
	keyring_setup();
	clear_ours();
}

static void
contract_teardown(void)
{
	clear_ours();
	teardown();
}

/* Stores an item of another program (docker-credential-secretservice's
 * schema) with the same `server` attribute as ours. */
static void
store_foreign(const char *server, const char *user)
{
	GDBusConnection *bus;
	GVariantBuilder props, attrs;
	GVariant *out;
	GError *err = NULL;
	char *session;

	bus = plain_session(&session);
	g_variant_builder_init(&attrs, G_VARIANT_TYPE("a{ss}"));
	g_variant_builder_add(&attrs, "{ss}", "xdg:schema", "io.docker.Credentials");
	g_variant_builder_add(&attrs, "{ss}", "server", server);
	g_variant_builder_add(&attrs, "{ss}", "username", user);
	g_variant_builder_init(&props, G_VARIANT_TYPE("a{sv}"));
	g_variant_builder_add(&props, "{sv}", "org.freedesktop.Secret.Item.Label",
	    g_variant_new_string("foreign"));
	g_variant_builder_add(&props, "{sv}", "org.freedesktop.Secret.Item.Attributes",
	    g_variant_builder_end(&attrs));
	out = g_dbus_connection_call_sync(bus, "org.freedesktop.secrets", LOGIN,
	    "org.freedesktop.Secret.Collection", "CreateItem",
	    g_variant_new("(a{sv}@(oayays)b)", &props,
		plain_secret(session, "foreign-secret"), TRUE),
	    NULL, G_DBUS_CALL_FLAGS_NONE, 2000, NULL, &err);
	ck_assert_msg(out != NULL, "storing a foreign item failed: %s",
	    err != NULL ? err->message : "?");
	g_variant_unref(out);
	g_free(session);
	g_object_unref(bus);
}

/* A D-Bus monitor: records "Member" of every Secret Service method call. */
/* Monitors live in static storage: GDBus runs the filter on its own
 * thread, which may still look at the monitor after the test moved on. */
struct monitor {
	GDBusConnection *conn;
	guint filter_id;
	GMutex mu;
	GString *calls;
	int ready;
};

static GDBusMessage *
monitor_filter(GDBusConnection *conn, GDBusMessage *msg, gboolean incoming,
    gpointer data)
{
	struct monitor *m = data;
	const char *iface = g_dbus_message_get_interface(msg);
	const char *dest = g_dbus_message_get_destination(msg);

	if (!incoming)
		return msg;
	g_mutex_lock(&m->mu);
	if (!m->ready) {
		/* Until BecomeMonitor has answered, the connection is ours. */
		g_mutex_unlock(&m->mu);
		return msg;
	}
	if (g_dbus_message_get_message_type(msg) == G_DBUS_MESSAGE_TYPE_METHOD_CALL &&
	    iface != NULL && strncmp(iface, "org.freedesktop.Secret.", 23) == 0) {
		g_string_append(m->calls, g_dbus_message_get_member(msg));
		g_string_append_c(m->calls, ';');
	}
	g_mutex_unlock(&m->mu);
	(void)conn;
	(void)dest;
	g_object_unref(msg);
	return NULL;
}

static void
monitor_start(struct monitor *m)
{
	const char *rules[] = { NULL };
	GError *err = NULL;
	GVariant *reply;

	g_mutex_init(&m->mu);
	m->calls = g_string_new("");
	m->ready = 0;
	m->conn = g_dbus_connection_new_for_address_sync(
	    getenv("DBUS_SESSION_BUS_ADDRESS"),
	    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
	    G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION, NULL, NULL, &err);
	ck_assert_msg(m->conn != NULL, "monitor connection failed");
	m->filter_id = g_dbus_connection_add_filter(m->conn, monitor_filter, m, NULL);
	reply = g_dbus_connection_call_sync(m->conn, "org.freedesktop.DBus",
	    "/org/freedesktop/DBus", "org.freedesktop.DBus.Monitoring",
	    "BecomeMonitor", g_variant_new("(^asu)", rules, 0u), NULL,
	    G_DBUS_CALL_FLAGS_NONE, 2000, NULL, &err);
	ck_assert_msg(reply != NULL, "BecomeMonitor failed: %s",
	    err != NULL ? err->message : "?");
	g_variant_unref(reply);
	g_mutex_lock(&m->mu);
	m->ready = 1;
	g_mutex_unlock(&m->mu);
}

static void
monitor_stop(struct monitor *m)
{
	g_dbus_connection_remove_filter(m->conn, m->filter_id);
	g_dbus_connection_close_sync(m->conn, NULL, NULL);
	g_object_unref(m->conn);
	m->conn = NULL;
	g_mutex_lock(&m->mu);
	g_string_free(m->calls, TRUE);
	m->calls = g_string_new("");
	m->ready = 0;
	g_mutex_unlock(&m->mu);
}

/* The calls seen so far, after giving in-flight copies time to arrive. */
static char *
monitor_calls(struct monitor *m)
{
	char *s;

	usleep(150 * 1000);
	g_mutex_lock(&m->mu);
	s = g_strdup(m->calls->str);
	g_string_truncate(m->calls, 0);
	g_mutex_unlock(&m->mu);
	return s;
}

static int
count_word(const char *calls, const char *member)
{
	char want[128];
	int n = 0;

	snprintf(want, sizeof(want), "%s;", member);
	for (const char *p = calls; (p = strstr(p, want)) != NULL; p += strlen(want))
		if (p == calls || p[-1] == ';')
			n++;
	return n;
}

/*
 * A concurrent writer put exactly inside an operation, to make a race
 * certain instead of rare.  A test-only interposition: tests/secretservice.mk
 * exports this g_dbus_connection_call_sync() from the test program, so the
 * dlopen()ed module binds to it rather than to GIO's; the module itself is
 * unchanged.  When armed, the next keyring write the module makes
 * (CreateItem, or Set of an item's attributes) waits until a real
 * `docker-credential-ghcr store` (GHCR_HELPER) in another process has
 * stored its login on the same keyring.
 */
extern char **environ;
static const char *writer_input; /* that store's stdin; NULL: disarmed */
static int writer_ran;

static void
run_store(const char *input)
{
	const char *helper = getenv("GHCR_HELPER");
	char *argv[] = { (char *)"docker-credential-ghcr", (char *)"store", NULL };
	posix_spawn_file_actions_t fa;
	int fds[2], status = -1;
	pid_t pid;

	ck_assert_msg(helper != NULL, "GHCR_HELPER unset: run through make");
	ck_assert(pipe(fds) == 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[0], 0);
	posix_spawn_file_actions_addclose(&fa, fds[1]);
	ck_assert_int_eq(posix_spawn(&pid, helper, &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[0]);
	ck_assert(write(fds[1], input, strlen(input)) == (ssize_t)strlen(input));
	close(fds[1]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "the concurrent `store` failed (status %d)", status);
}

GVariant *
g_dbus_connection_call_sync(GDBusConnection *connection, const gchar *bus_name,
    const gchar *object_path, const gchar *interface_name,
    const gchar *method_name, GVariant *parameters,
    const GVariantType *reply_type, GDBusCallFlags flags, gint timeout_msec,
    GCancellable *cancellable, GError **error)
{
	static GVariant *(*real)(GDBusConnection *, const gchar *,
	    const gchar *, const gchar *, const gchar *, GVariant *,
	    const GVariantType *, GDBusCallFlags, gint, GCancellable *,
	    GError **);
	const char *input = writer_input;

	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "g_dbus_connection_call_sync");
	if (input != NULL && method_name != NULL &&
	    (strcmp(method_name, "CreateItem") == 0 ||
	    strcmp(method_name, "Set") == 0)) {
		writer_input = NULL;
		run_store(input);
		writer_ran = 1;
	}
	return real(connection, bus_name, object_path, interface_name,
	    method_name, parameters, reply_type, flags, timeout_msec,
	    cancellable, error);
}

/* ---------------------------------------------------------------- */
/* Behaviour with a working keyring.                                 */

/*
 * check learns a token's expiry and records it; a docker login lands
 * between the read and the write (issue 20, point 5).  The login comes
 * with the same username (gnome-keyring then replaces the item's secret
 * in place) or another one (a new item; the old one is pruned).  Either
 * way the new login must stay, with no date: reading and then putting
 * the checked login back, as before, replaced it with the old token.
 * The third round has the checked login already dated: the new token
 * must not inherit that old date either.
 */
START_TEST(test_a_login_landing_while_the_expiry_is_recorded_is_kept)
{
	static const char *const users[] = { "octocat", "hubot", "octocat" };
	const char *user = users[_i];
	struct credential dated = { (char *)"race.example", (char *)"octocat",
	    (char *)"ghp_checked", 0 };
	struct credential checked = { (char *)"race.example",
	    (char *)"octocat", (char *)"ghp_checked", 0 };
	struct credential now = { 0 };
	struct settings s;
	struct resolver res;
	char input[256];
	void *h;
	int r;

	/* Room for the writer inside the operation's deadline. */
	setenv("DOCKER_CREDENTIAL_GHCR_SECRETSERVICE_TIMEOUT", "10000", 1);
	setenv("DOCKER_CREDENTIAL_GHCR_BACKEND", "secretservice", 1);
	h = open_or_fail();
	if (_i == 2) {
		dated.expires = time(NULL) + 10 * 86400;
		ck_assert_int_eq(backend->put(h, &dated), GHCR_OK);
	} else {
		put3(h, "race.example", "octocat", "ghp_checked");
	}
	backend->close(h);
	ck_assert_int_eq(settings_load(&s), GHCR_OK);
	resolver_init(&res, &s);
	snprintf(input, sizeof(input), "{\"ServerURL\":\"race.example\","
	    "\"Username\":\"%s\",\"Secret\":\"ghp_new_login\"}", user);
	writer_input = input;
	r = resolver_note_expiry(&res, &checked, time(NULL) + 40 * 86400);
	resolver_close(&res);
	ck_assert_msg(r == GHCR_OK, "recording the expiry: got %d (%s)", r,
	    ghcr_error_message(r));
	ck_assert_msg(writer_ran, "the module made no keyring write: the "
	    "concurrent login never ran");
	h = open_or_fail();
	ck_assert_int_eq(backend->get(h, "race.example", &now), GHCR_OK);
	ck_assert_msg(strcmp(now.secret, "ghp_new_login") == 0, "the login "
	    "stored meanwhile (as %s) was replaced by the checked token", user);
	ck_assert_str_eq(now.username, user);
	ck_assert_msg(now.expires == 0, "the new login got the checked token's "
	    "date %lld", (long long)now.expires);
	credential_clear(&now);
	ck_assert_int_eq(count_items("race.example", 0), 1);
	backend->close(h);
}
END_TEST

/* The value of attribute `key` of our one unlocked item for `server`
 * (g_free() it), or NULL when the item has no such attribute. */
static char *
item_attribute(const char *server, const char *key)
{
	GDBusConnection *bus = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, NULL);
	GVariantBuilder b;
	GVariant *reply, *unlocked, *locked, *prop, *attrs;
	const char *path;
	char *value = NULL;

	g_variant_builder_init(&b, G_VARIANT_TYPE("a{ss}"));
	g_variant_builder_add(&b, "{ss}", "server", server);
	g_variant_builder_add(&b, "{ss}", "xdg:schema", SCHEMA_NAME);
	reply = g_dbus_connection_call_sync(bus, "org.freedesktop.secrets",
	    "/org/freedesktop/secrets", "org.freedesktop.Secret.Service",
	    "SearchItems", g_variant_new("(a{ss})", &b), G_VARIANT_TYPE("(aoao)"),
	    G_DBUS_CALL_FLAGS_NONE, 2000, NULL, NULL);
	ck_assert_msg(reply != NULL, "SearchItems on the test keyring failed");
	g_variant_get(reply, "(@ao@ao)", &unlocked, &locked);
	ck_assert_msg(g_variant_n_children(unlocked) == 1, "expected one "
	    "unlocked item for %s, got %zu", server,
	    (size_t)g_variant_n_children(unlocked));
	g_variant_get_child(unlocked, 0, "&o", &path);
	prop = g_dbus_connection_call_sync(bus, "org.freedesktop.secrets", path,
	    "org.freedesktop.DBus.Properties", "Get",
	    g_variant_new("(ss)", "org.freedesktop.Secret.Item", "Attributes"),
	    G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NONE, 2000, NULL, NULL);
	ck_assert_msg(prop != NULL, "reading the attributes of %s failed", path);
	g_variant_get(prop, "(v)", &attrs);
	if (!g_variant_lookup(attrs, key, "s", &value))
		value = NULL;
	g_variant_unref(attrs);
	g_variant_unref(prop);
	g_variant_unref(unlocked);
	g_variant_unref(locked);
	g_variant_unref(reply);
	g_object_unref(bus);
	return value;
}

/* How the Secret Service keeps the expiry (what get does with it is the
 * contract's case): the item's `expires` attribute, in ISO 8601 UTC as
 * common/utc.c writes it, on the one item of its server; a new login
 * (a put without a date) leaves no such attribute behind. */
START_TEST(test_expiry_is_the_items_iso_8601_expires_attribute)
{
	void *h = open_or_fail();
	struct credential c = { 0 };
	char *text;
	int r;

	c.server = secmem_strdup("expiry.example");
	c.username = secmem_strdup("octocat");
	c.secret = secmem_strdup("ghp_expiring");
	c.expires = (time_t)1900000000;
	r = backend->put(h, &c);
	credential_clear(&c);
	ck_assert_msg(r == GHCR_OK, "put with an expiry: got %d (%s)", r,
	    ghcr_error_message(r));
	text = item_attribute("expiry.example", "expires");
	ck_assert_msg(text != NULL && strcmp(text, "2030-03-17T17:46:40Z") == 0,
	    "expected expires=2030-03-17T17:46:40Z, got %s",
	    text != NULL ? text : "no attribute");
	g_free(text);

	put3(h, "expiry.example", "octocat", "ghp_new");
	text = item_attribute("expiry.example", "expires");
	ck_assert_msg(text == NULL || *text == '\0', "a new login kept the old "
	    "date's attribute: expires=%s", text);
	g_free(text);
	ck_assert_int_eq(count_items("expiry.example", 0), 1);
	backend->close(h);
}
END_TEST

/* What replace and erase do to the keyring itself (what they do through
 * the backend is in the contract): one item per server, none after erase. */
START_TEST(test_replace_and_erase_change_the_keyring_items)
{
	void *h = open_or_fail();
	int r;

	put3(h, "replace.example", "alice", "first-token");
	put3(h, "replace.example", "alice", "second-token");
	ck_assert_msg(count_items("replace.example", 0) == 1,
	    "expected 1 item for replace.example after storing again, got %d",
	    count_items("replace.example", 0));
	/* Another username for the same registry replaces too. */
	put3(h, "replace.example", "bob", "third-token");
	ck_assert_msg(count_items("replace.example", 0) == 1,
	    "expected 1 item for replace.example after storing a second user, got %d",
	    count_items("replace.example", 0));
	ck_assert_int_eq(count_items("replace.example", 1), 1);
	r = backend->erase(h, "replace.example");
	ck_assert_msg(r == GHCR_OK, "expected erase to succeed, got %d (%s)", r,
	    ghcr_error_message(r));
	ck_assert_int_eq(count_items("replace.example", 0), 0);
	backend->close(h);
}
END_TEST

START_TEST(test_list_reports_ours_only_and_leaves_foreign_items)
{
	void *h = open_or_fail();
	struct listed l = { "", 0 };

	store_foreign("foreign.example", "mallory");
	put3(h, "list-a.example", "ann", "a");
	put3(h, "list-b.example:5000", "ben", "b");
	ck_assert_int_eq(backend->list(h, collect, &l), GHCR_OK);
	ck_assert_msg(list_has(&l, "list-a.example", "ann") &&
	    list_has(&l, "list-b.example:5000", "ben"),
	    "expected list-a.example=ann and list-b.example:5000=ben, got %s", l.text);
	ck_assert_msg(strstr(l.text, "foreign.example") == NULL,
	    "expected another program's item to stay out of list, got %s", l.text);
	/* Erasing the same server name must not touch the foreign item. */
	ck_assert_int_eq(backend->erase(h, "foreign.example"), GHCR_OK);
	ck_assert_int_eq(count_items("foreign.example", 0), 1);
	backend->close(h);
}
END_TEST

START_TEST(test_list_opens_no_session_and_reads_no_secret)
{
	static struct monitor m;
	struct listed l = { "", 0 };
	struct credential c;
	void *h = open_or_fail();
	char *calls;

	put3(h, "monitored.example", "mona", "monitored-secret");
	/* A fresh handle: the put above opened a session on the old one. */
	backend->close(h);
	h = open_or_fail();
	monitor_start(&m);
	ck_assert_int_eq(backend->list(h, collect, &l), GHCR_OK);
	calls = monitor_calls(&m);
	ck_assert_msg(count_word(calls, "SearchItems") == 1,
	    "expected list to search once, saw calls: %s", calls);
	ck_assert_msg(count_word(calls, "OpenSession") == 0 &&
	    count_word(calls, "GetSecrets") == 0 &&
	    count_word(calls, "GetSecret") == 0 && count_word(calls, "Unlock") == 0,
	    "expected list to open no session and read no secret, saw calls: %s", calls);
	g_free(calls);

	ck_assert_int_eq(backend->get(h, "monitored.example", &c), GHCR_OK);
	credential_clear(&c);
	calls = monitor_calls(&m);
	ck_assert_msg(count_word(calls, "GetSecrets") + count_word(calls, "GetSecret") == 1,
	    "expected get to read exactly one secret, saw calls: %s", calls);
	ck_assert_msg(count_word(calls, "OpenSession") == 1,
	    "expected get to open exactly one session, saw calls: %s", calls);
	g_free(calls);
	monitor_stop(&m);
	backend->close(h);
}
END_TEST

static int maps_mention(const char *word);

START_TEST(test_probe_succeeds_and_loads_module)
{
	void *h = NULL;
	int r;

	ck_assert_msg(!maps_mention("docker-credential-ghcr-secretservice.so"),
	    "expected the module not to be loaded before it is needed");
	r = backend->open(&(struct store_location){ .confirm = 1 }, &h);
	ck_assert_msg(r == GHCR_OK, "expected probe to succeed with a keyring, got %d (%s)",
	    r, ghcr_error_message(r));
	backend->close(h);
	ck_assert_msg(maps_mention("docker-credential-ghcr-secretservice.so"),
	    "expected probe to have loaded the module");
}
END_TEST

/* systemd-style sessions export no address: the bus is $XDG_RUNTIME_DIR/bus. */
START_TEST(test_finds_bus_in_xdg_runtime_dir)
{
	const char *addr = getenv("DBUS_SESSION_BUS_ADDRESS");
	char sock[PATH_MAX], link[PATH_MAX];
	struct listed l = { "", 0 };
	void *h = open_or_fail();

	put3(h, "xdg.example", "xavier", "x");
	backend->close(h);
	ck_assert_msg(addr != NULL && strncmp(addr, "unix:path=", 10) == 0,
	    "expected the harness bus at unix:path=..., got %s", addr ? addr : "(unset)");
	snprintf(sock, sizeof(sock), "%s", addr + 10);
	sock[strcspn(sock, ",")] = '\0';
	snprintf(link, sizeof(link), "%s/bus", test_tmpdir);
	ck_assert_int_eq(symlink(sock, link), 0);
	unsetenv("DBUS_SESSION_BUS_ADDRESS");
	setenv("XDG_RUNTIME_DIR", test_tmpdir, 1);
	h = open_or_fail();
	ck_assert_int_eq(backend->list(h, collect, &l), GHCR_OK);
	ck_assert_msg(list_has(&l, "xdg.example", "xavier"),
	    "expected xdg.example=xavier through $XDG_RUNTIME_DIR/bus, got %s", l.text);
	backend->close(h);
}
END_TEST

/* Last in the suite: it locks the shared keyring (and unlocks it again). */
START_TEST(test_locked_keyring_lists_but_get_fails_fast)
{
	void *h = open_or_fail();
	struct listed l = { "", 0 };
	struct credential c;
	static struct monitor m;
	char *calls;
	double t0, dt;
	int r;

	put3(h, "locked.example", "lou", "locked-secret");
	backend->close(h);
	h = open_or_fail();
	keyring_lock();
	monitor_start(&m);

	t0 = now_ms();
	r = backend->list(h, collect, &l);
	dt = now_ms() - t0;
	ck_assert_msg(r == GHCR_OK, "expected list to work on a locked keyring, got %d (%s)",
	    r, ghcr_error_message(r));
	ck_assert_msg(list_has(&l, "locked.example", "lou"),
	    "expected locked.example=lou in the list of a locked keyring, got %s", l.text);
	calls = monitor_calls(&m);
	ck_assert_msg(count_word(calls, "Unlock") == 0 && count_word(calls, "OpenSession") == 0,
	    "expected no unlock and no session for list, saw calls: %s", calls);
	g_free(calls);
	fprintf(stderr, "timing: list on a locked keyring: %.1f ms\n", dt);

	t0 = now_ms();
	r = backend->get(h, "locked.example", &c);
	dt = now_ms() - t0;
	ck_assert_msg(r == GHCR_ERR_LOCKED, "expected LOCKED (%d) from get, got %d (%s)",
	    GHCR_ERR_LOCKED, r, ghcr_error_message(r));
	ck_assert_msg(dt < FAST_MS, "expected get to fail within %.0f ms, took %.1f ms",
	    FAST_MS, dt);
	ck_assert_msg(strstr(ghcr_error_message(r), "locked") != NULL,
	    "expected the detail to say locked, got: %s", ghcr_error_message(r));
	fprintf(stderr, "timing: get on a locked keyring, no display: %.1f ms\n", dt);
	calls = monitor_calls(&m);
	ck_assert_msg(count_word(calls, "Unlock") == 0,
	    "expected no unlock attempt without a display, saw calls: %s", calls);
	g_free(calls);

	t0 = now_ms();
	r = try_put(h, "locked.example", "lou", "x");
	dt = now_ms() - t0;
	ck_assert_msg(r == GHCR_ERR_LOCKED && dt < FAST_MS,
	    "expected put to fail LOCKED within %.0f ms, got %d after %.1f ms",
	    FAST_MS, r, dt);

	t0 = now_ms();
	r = backend->erase(h, "locked.example");
	dt = now_ms() - t0;
	ck_assert_msg(r == GHCR_ERR_LOCKED && dt < FAST_MS,
	    "expected erase to fail LOCKED within %.0f ms, got %d (%s) after %.1f ms",
	    FAST_MS, r, ghcr_error_message(r), dt);

	keyring_unlock();
	expect_get(h, "locked.example", "lou", "locked-secret");
	monitor_stop(&m);
	backend->close(h);
}
END_TEST

/* With a display, get asks the daemon to prompt; when no prompter can
 * come up (a display that is not there), that must still end fast. */
START_TEST(test_locked_keyring_with_unusable_display_fails_fast)
{
	void *h = open_or_fail();
	struct credential c;
	double t0, dt;
	int r;

	put3(h, "prompt.example", "pat", "prompt-secret");
	keyring_lock();
	setenv("DISPLAY", ":99", 1);
	t0 = now_ms();
	r = backend->get(h, "prompt.example", &c);
	dt = now_ms() - t0;
	unsetenv("DISPLAY");
	keyring_unlock();
	ck_assert_msg(r == GHCR_ERR_LOCKED || r == GHCR_ERR_UNAVAILABLE,
	    "expected LOCKED or UNAVAILABLE when no prompt can show, got %d (%s)",
	    r, ghcr_error_message(r));
	ck_assert_msg(dt < FAST_MS, "expected the failed prompt to end within "
	    "%.0f ms, took %.1f ms", FAST_MS, dt);
	fprintf(stderr, "timing: get on a locked keyring, prompt cannot show: "
	    "%.1f ms: %s\n", dt, ghcr_error_message(r));
	expect_get(h, "prompt.example", "pat", "prompt-secret");
	backend->close(h);
}
END_TEST

/* ---------------------------------------------------------------- */
/* Failing fast where there is no keyring.                           */

static void
expect_fast_unavailable(const char *what, const char *detail_word)
{
	void *h = NULL;
	struct listed l = { "", 0 };
	double t0 = now_ms(), dt;
	int r = backend->open(NULL, &h);

	/* open() may leave finding out to the first real call. */
	if (r == GHCR_OK) {
		r = backend->list(h, collect, &l);
		backend->close(h);
	}
	dt = now_ms() - t0;
	ck_assert_msg(r == GHCR_ERR_UNAVAILABLE,
	    "%s: expected UNAVAILABLE (%d) from open or list, got %d (%s)", what,
	    GHCR_ERR_UNAVAILABLE, r, ghcr_error_message(r));
	ck_assert_msg(dt < FAST_MS, "%s: expected failure within %.0f ms, took %.1f ms",
	    what, FAST_MS, dt);
	ck_assert_msg(strstr(ghcr_error_message(r), detail_word) != NULL,
	    "%s: expected the detail to mention '%s', got: %s", what, detail_word,
	    ghcr_error_message(r));
	ck_assert_msg(strchr(ghcr_error_message(r), '\n') == NULL,
	    "%s: expected a one-line detail", what);
	fprintf(stderr, "timing: %s: %.1f ms: %s\n", what, dt, ghcr_error_message(r));
	t0 = now_ms();
	r = backend->open(&(struct store_location){ .confirm = 1 }, &h);
	backend->close(r == GHCR_OK ? h : NULL);
	dt = now_ms() - t0;
	ck_assert_msg(r == GHCR_ERR_UNAVAILABLE && dt < FAST_MS,
	    "%s: expected probe UNAVAILABLE within %.0f ms, got %d after %.1f ms",
	    what, FAST_MS, r, dt);
}

static int
maps_mention(const char *word)
{
	char line[1024];
	FILE *f = fopen("/proc/self/maps", "r");
	int found = 0;

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, word) != NULL)
			found = 1;
	fclose(f);
	return found;
}

START_TEST(test_no_bus_fails_fast_without_loading_libsecret)
{
	unsetenv("DBUS_SESSION_BUS_ADDRESS");
	unsetenv("XDG_RUNTIME_DIR");
	expect_fast_unavailable("no session bus", "DBUS_SESSION_BUS_ADDRESS");
	ck_assert_msg(!maps_mention("libsecret") && !maps_mention("secretservice.so"),
	    "expected no libsecret or module loaded when there is no bus");
}
END_TEST

START_TEST(test_bogus_bus_address_fails_fast)
{
	setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/ghcr-bus", 1);
	expect_fast_unavailable("bogus bus address", "session bus");
	setenv("DBUS_SESSION_BUS_ADDRESS", "this is not an address", 1);
	expect_fast_unavailable("malformed bus address", "session bus");
	setenv("DBUS_SESSION_BUS_ADDRESS", "autolaunch:", 1);
	expect_fast_unavailable("autolaunch address", "autolaunch");
}
END_TEST

START_TEST(test_silent_bus_fails_fast)
{
	/* A socket that accepts connections and never says a word: the
	 * deadline, not the peer, must end the wait. */
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char addr[sizeof(sa.sun_path) + 16];
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/silent", test_tmpdir);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 16), 0);
	snprintf(addr, sizeof(addr), "unix:path=%s", sa.sun_path);
	setenv("DBUS_SESSION_BUS_ADDRESS", addr, 1);
	expect_fast_unavailable("bus that never answers", "answer");
	close(fd);
}
END_TEST

/*
 * A peer that completes D-Bus authentication and then never answers Hello:
 * GDBus does not cancel that wait, so this exercises the last-resort
 * watchdog.
 */
static void
mute_bus_peer(int listener)
{
	char buf[512];
	size_t len = 0;
	int fd = accept(listener, NULL, NULL);

	if (fd < 0)
		_exit(1);
	for (;;) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		char *eol;

		if (n <= 0)
			_exit(0);
		len += (size_t)n;
		buf[len] = '\0';
		/* The client opens with one NUL byte (credentials passing). */
		if (len > 0 && buf[0] == '\0')
			memmove(buf, buf + 1, len--);
		while ((eol = strstr(buf, "\r\n")) != NULL) {
			char *line = buf;
			const char *reply = NULL;

			*eol = '\0';
			if (strcmp(line, "AUTH EXTERNAL") == 0)
				reply = "DATA\r\n"; /* asks for the identity */
			else if (strncmp(line, "AUTH EXTERNAL ", 14) == 0 ||
			    strncmp(line, "DATA", 4) == 0)
				reply = "OK 0123456789abcdef0123456789abcdef\r\n";
			else if (strncmp(line, "AUTH", 4) == 0)
				reply = "REJECTED EXTERNAL\r\n";
			else if (strncmp(line, "NEGOTIATE_UNIX_FD", 17) == 0)
				reply = "AGREE_UNIX_FD\r\n";
			else if (strncmp(line, "BEGIN", 5) == 0) {
				pause(); /* authenticated, and mute from here */
				_exit(0);
			}
			if (reply != NULL && write(fd, reply, strlen(reply)) < 0)
				_exit(1);
			len -= (size_t)(eol + 2 - buf);
			memmove(buf, eol + 2, len + 1);
		}
	}
}

START_TEST(test_bus_that_never_says_hello_ends_the_process)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char addr[sizeof(sa.sun_path) + 16], line[1024];
	int fd = socket(AF_UNIX, SOCK_STREAM, 0), out[2], status;
	size_t len = 0;
	ssize_t n;
	pid_t pid, child;

	ck_assert_int_ge(fd, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/mute", test_tmpdir);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 16), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* Not Check's handler, which would take the test down too. */
		signal(SIGTERM, SIG_DFL);
		mute_bus_peer(fd);
	}
	snprintf(addr, sizeof(addr), "unix:path=%s", sa.sun_path);
	setenv("DBUS_SESSION_BUS_ADDRESS", addr, 1);
	/*
	 * The handshake ignores cancellation, so the watchdog abandons it,
	 * and an abandoned call ends the process at once (its thread may
	 * hold any lock): one line on stdout, exit 1.  In a child, since it
	 * ends the process.
	 */
	ck_assert_int_eq(pipe(out), 0);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		struct listed l = { "", 0 };
		void *h = NULL;
		int r;

		dup2(out[1], STDOUT_FILENO);
		close(out[0]);
		r = backend->open(NULL, &h);
		if (r == GHCR_OK) {
			r = backend->list(h, collect, &l);
			backend->close(h);
		}
		_exit(r == GHCR_ERR_UNAVAILABLE ? 2 : 3); /* it returned */
	}
	close(out[1]);
	while (len < sizeof(line) - 1 &&
	    (n = read(out[0], line + len, sizeof(line) - 1 - len)) > 0)
		len += (size_t)n;
	line[len] = '\0';
	close(out[0]);
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 1,
	    "expected the abandoned call to exit 1, got status %#x (2: it "
	    "returned UNAVAILABLE instead; output: %s)", status, line);
	ck_assert_msg(strstr(line, "ignored cancellation") != NULL &&
	    strchr(line, '\n') == line + len - 1,
	    "expected one line saying the call was abandoned, got: %s", line);
	fprintf(stderr, "timing: abandoned handshake: %s", line);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	close(fd);
}
END_TEST

START_TEST(test_bus_without_secret_service_fails_fast)
{
	char conf[PATH_MAX], addr[512];
	int out[2];
	pid_t pid;
	FILE *f;
	ssize_t n;

	snprintf(conf, sizeof(conf), "%s/bus.conf", test_tmpdir);
	f = fopen(conf, "w");
	ck_assert_ptr_nonnull(f);
	/* No <servicedir>: nothing is running and nothing is activatable. */
	fprintf(f, "<busconfig><type>session</type><listen>unix:dir=%s</listen>"
	    "<auth>EXTERNAL</auth><policy context=\"default\">"
	    "<allow send_destination=\"*\" eavesdrop=\"true\"/>"
	    "<allow eavesdrop=\"true\"/><allow own=\"*\"/></policy>"
	    "</busconfig>\n", test_tmpdir);
	fclose(f);
	ck_assert_int_eq(pipe(out), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(out[1], 1);
		close(out[0]);
		execlp("dbus-daemon", "dbus-daemon", "--config-file", conf,
		    "--nofork", "--print-address=1", (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	n = read(out[0], addr, sizeof(addr) - 1);
	ck_assert_msg(n > 0, "expected dbus-daemon to print its address");
	addr[n] = '\0';
	addr[strcspn(addr, "\n")] = '\0';
	setenv("DBUS_SESSION_BUS_ADDRESS", addr, 1);
	expect_fast_unavailable("bus without a Secret Service", "neither running nor activatable");
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	close(out[0]);
}
END_TEST

START_TEST(test_missing_module_names_path_and_file_backend)
{
	setenv("DOCKER_CREDENTIAL_GHCR_MODULE_DIR", "/nonexistent/ghcr-modules", 1);
	expect_fast_unavailable("missing module", "/nonexistent/ghcr-modules/docker-credential-ghcr-secretservice.so");
	ck_assert_msg(strstr(ghcr_error_message(GHCR_ERR_UNAVAILABLE),
	    "DOCKER_CREDENTIAL_GHCR_BACKEND=file") != NULL,
	    "expected the detail to point at the file backend, got: %s",
	    ghcr_error_message(GHCR_ERR_UNAVAILABLE));
}
END_TEST

static Suite *
suite_secretservice(void)
{
	Suite *s = suite_create("secretservice");
	TCase *tc;

	tc = tcase_create("keyring");
	tcase_add_checked_fixture(tc, keyring_setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_expiry_is_the_items_iso_8601_expires_attribute);
	tcase_add_loop_test(tc, test_a_login_landing_while_the_expiry_is_recorded_is_kept, 0, 3);
	tcase_add_test(tc, test_replace_and_erase_change_the_keyring_items);
	tcase_add_test(tc, test_list_reports_ours_only_and_leaves_foreign_items);
	tcase_add_test(tc, test_list_opens_no_session_and_reads_no_secret);
	tcase_add_test(tc, test_probe_succeeds_and_loads_module);
	tcase_add_test(tc, test_finds_bus_in_xdg_runtime_dir);
	tcase_add_test(tc, test_locked_keyring_lists_but_get_fails_fast);
	tcase_add_test(tc, test_locked_keyring_with_unusable_display_fails_fast);
	suite_add_tcase(s, tc);

	tc = tcase_create("fail_fast");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_no_bus_fails_fast_without_loading_libsecret);
	tcase_add_test(tc, test_bogus_bus_address_fails_fast);
	tcase_add_test(tc, test_silent_bus_fails_fast);
	tcase_add_test(tc, test_bus_that_never_says_hello_ends_the_process);
	tcase_add_test(tc, test_bus_without_secret_service_fails_fast);
	tcase_add_test(tc, test_missing_module_names_path_and_file_backend);
	suite_add_tcase(s, tc);
	return s;
}

/* Each put makes gnome-keyring rewrite its keyring file, so a put costs
 * more as the keyring grows: the many-entries case takes 100 entries here
 * (about 8 s); GHCR_CONTRACT_MANY=1000 runs the full thousand (over two
 * minutes, with a put near the end taking longer than the built-in 1 s
 * deadline, so that run gives the calls 60 s). */
static struct contract_fixture ss_fixture = {
	.name = "secretservice",
	.setup = contract_setup,
	.teardown = contract_teardown,
	.where = NULL,
	.many = 100,
	.timeout = 60,
};

int
main(void)
{
	SRunner *runner;
	const char *many = getenv("GHCR_CONTRACT_MANY");
	int failed;

	if (getenv("GHCR_KEYRING_MODE") == NULL ||
	    strcmp(getenv("GHCR_KEYRING_MODE"), "keyring") != 0) {
		fprintf(stderr, "run me through tests/keyring-session.sh\n");
		return 77;
	}
	/* The deadlines under test are the built-in ones. */
	unsetenv("DOCKER_CREDENTIAL_GHCR_SECRETSERVICE_TIMEOUT");
	if (many != NULL && atoi(many) >= 2) {
		ss_fixture.many = (size_t)atoi(many);
		ss_fixture.timeout = 3600;
		setenv("DOCKER_CREDENTIAL_GHCR_SECRETSERVICE_TIMEOUT", "60000", 1);
	}
	/* The contract first: the cases below lock the keyring. */
	runner = srunner_create(suite_backend_contract(
	    store_backend_find("secretservice"), &ss_fixture));
	srunner_add_suite(runner, suite_secretservice());
	/* Forked tests: environment and GLib's bus singleton stay per test. */
	srunner_set_fork_status(runner, CK_FORK);
	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
