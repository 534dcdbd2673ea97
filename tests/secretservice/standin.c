/*
 * A stand-in Secret Service for the deadline tests (tests/secretservice/
 * deadline.sh): it owns org.freedesktop.secrets on the session bus and then
 * behaves badly in one of two ways.
 *
 *   standin deaf READY    never answers anything: every method call it
 *                         receives (Peer.Ping included) is dropped unread by
 *                         a connection filter, and the process sits idle.
 *                         Send it SIGSTOP and it is a frozen provider.
 *   standin busy MS READY works: answers SearchItems with no items, but
 *                         only after spinning the CPU for MS milliseconds
 *                         per call, as a keyring daemon working through a
 *                         queue of other clients would.  Anything else is
 *                         refused with an error.
 *
 * READY is a file written once the name is owned.  The stand-in runs until
 * it is killed.
 */
#include <gio/gio.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char introspection[] =
    "<node>"
    " <interface name='org.freedesktop.Secret.Service'>"
    "  <method name='SearchItems'>"
    "   <arg type='a{ss}' name='attributes' direction='in'/>"
    "   <arg type='ao' name='unlocked' direction='out'/>"
    "   <arg type='ao' name='locked' direction='out'/>"
    "  </method>"
    " </interface>"
    "</node>";

static unsigned int busy_ms;

static GDBusMessage *
drop_calls(GDBusConnection *bus, GDBusMessage *msg, gboolean incoming,
    gpointer data)
{
	(void)bus;
	(void)data;
	if (incoming &&
	    g_dbus_message_get_message_type(msg) == G_DBUS_MESSAGE_TYPE_METHOD_CALL) {
		g_object_unref(msg);
		return NULL; /* dropped: no reply will ever be sent */
	}
	return msg;
}

/* Uses `ms` milliseconds of CPU (not of wall time: on a loaded machine
 * that takes longer, as real work would). */
static long long
cpu_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void
spin(unsigned int ms)
{
	long long until = cpu_ms() + ms;
	volatile unsigned long x = 0;

	while (cpu_ms() < until)
		for (int i = 0; i < 100000; i++)
			x += (unsigned long)i;
}

static void
on_call(GDBusConnection *bus, const char *sender, const char *path,
    const char *iface, const char *method, GVariant *params,
    GDBusMethodInvocation *inv, gpointer data)
{
	(void)bus;
	(void)sender;
	(void)path;
	(void)iface;
	(void)params;
	(void)data;
	if (strcmp(method, "SearchItems") != 0) {
		g_dbus_method_invocation_return_dbus_error(inv,
		    "org.freedesktop.DBus.Error.NotSupported", "stand-in");
		return;
	}
	spin(busy_ms);
	g_dbus_method_invocation_return_value(inv,
	    g_variant_new("(@ao@ao)", g_variant_new_objv(NULL, 0),
		g_variant_new_objv(NULL, 0)));
}

int
main(int argc, char **argv)
{
	static const GDBusInterfaceVTable vtable = { on_call, NULL, NULL, { 0 } };
	GError *err = NULL;
	GDBusConnection *bus;
	GDBusNodeInfo *node;
	GVariant *reply;
	guint32 result = 0;
	const char *ready;
	FILE *f;
	int deaf;

	if (argc == 3 && strcmp(argv[1], "deaf") == 0) {
		deaf = 1;
		ready = argv[2];
	} else if (argc == 4 && strcmp(argv[1], "busy") == 0) {
		deaf = 0;
		busy_ms = (unsigned int)strtoul(argv[2], NULL, 10);
		ready = argv[3];
	} else {
		fprintf(stderr, "usage: standin deaf READY | standin busy MS READY\n");
		return 2;
	}
	if ((bus = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, &err)) == NULL) {
		fprintf(stderr, "standin: %s\n", err->message);
		return 1;
	}
	if (deaf) {
		g_dbus_connection_add_filter(bus, drop_calls, NULL, NULL);
	} else {
		node = g_dbus_node_info_new_for_xml(introspection, NULL);
		if (g_dbus_connection_register_object(bus, "/org/freedesktop/secrets",
		    node->interfaces[0], &vtable, NULL, NULL, &err) == 0) {
			fprintf(stderr, "standin: %s\n", err->message);
			return 1;
		}
	}
	/* The reply to our own RequestName is not a call, so the deaf filter
	 * lets it through. */
	reply = g_dbus_connection_call_sync(bus, "org.freedesktop.DBus",
	    "/org/freedesktop/DBus", "org.freedesktop.DBus", "RequestName",
	    g_variant_new("(su)", "org.freedesktop.secrets", 4u /* no queue */),
	    G_VARIANT_TYPE("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &err);
	if (reply == NULL) {
		fprintf(stderr, "standin: %s\n", err->message);
		return 1;
	}
	g_variant_get(reply, "(u)", &result);
	g_variant_unref(reply);
	if (result != 1) {
		fprintf(stderr, "standin: org.freedesktop.secrets is taken\n");
		return 1;
	}
	if ((f = fopen(ready, "w")) == NULL || fclose(f) != 0) {
		perror(ready);
		return 1;
	}
	g_main_loop_run(g_main_loop_new(NULL, FALSE));
	return 0;
}
