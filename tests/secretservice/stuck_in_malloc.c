/*
 * LD_PRELOAD stand-in for the worst moment of the Secret Service watchdog:
 * the bus handshake (g_dbus_connection_new_sync(), which the module calls
 * in its connect) never returns, ignores cancellation, and is stopped
 * while holding malloc's lock when the watchdog's signal lands.
 *
 * glibc's malloc_stats() holds the main arena's lock while it prints to
 * stderr; with stderr a pipe that is full and never read, it waits in
 * write(2) with that lock held, every time.  The watchdog's signal
 * interrupts the write and its handler jumps away: the lock stays taken,
 * and any later malloc() or free() in the process waits forever.
 */
#include <fcntl.h>
#include <malloc.h>
#include <stddef.h>
#include <unistd.h>

typedef struct _GIOStream GIOStream;
typedef struct _GDBusAuthObserver GDBusAuthObserver;
typedef struct _GCancellable GCancellable;
typedef struct _GError GError;
typedef struct _GDBusConnection GDBusConnection;

GDBusConnection *g_dbus_connection_new_sync(GIOStream *stream,
    const char *guid, int flags, GDBusAuthObserver *observer,
    GCancellable *cancellable, GError **error);

GDBusConnection *
g_dbus_connection_new_sync(GIOStream *stream, const char *guid, int flags,
    GDBusAuthObserver *observer, GCancellable *cancellable, GError **error)
{
	static const char fill[4096];
	int p[2];

	(void)stream, (void)guid, (void)flags, (void)observer;
	(void)cancellable, (void)error;
	if (pipe(p) == 0 && fcntl(p[1], F_SETFL, O_NONBLOCK) == 0) {
		while (write(p[1], fill, sizeof(fill)) > 0)
			;
		(void)fcntl(p[1], F_SETFL, 0);
		(void)dup2(p[1], STDERR_FILENO);
	}
	for (;;)
		malloc_stats(); /* blocks in write(2), main arena locked */
}
