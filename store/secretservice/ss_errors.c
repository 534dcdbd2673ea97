/*
 * The Secret Service module's failure reporting: maps what GLib, the bus
 * and the keyring daemon answer (cancelled by the deadline, locked, no
 * provider, anything else) to a ghcr_status with one line of detail a
 * person can act on.
 */
#include "ss_private.h"
#include "errors.h"

#include <stdlib.h>
#include <string.h>

/* Whether the keyring daemon could show a person an unlock prompt. */
int
ss_can_prompt(void)
{
	const char *x = getenv("DISPLAY"), *wl = getenv("WAYLAND_DISPLAY");

	return (x != NULL && *x != '\0') || (wl != NULL && *wl != '\0');
}

/*
 * Whether the daemon refused because something is locked.  Matched by the
 * D-Bus error name as well: SECRET_ERROR codes are only mapped once
 * libsecret has built a proxy, which the common paths here never do.
 */
int
ss_is_locked_error(const GError *err)
{
	gchar *name;
	int locked;

	if (err == NULL)
		return 0;
	if (g_error_matches(err, SECRET_ERROR, SECRET_ERROR_IS_LOCKED))
		return 1;
	name = g_dbus_error_get_remote_error(err);
	locked = name != NULL &&
	    strcmp(name, "org.freedesktop.Secret.Error.IsLocked") == 0;
	g_free(name);
	return locked;
}

int
ss_fail_locked(const char *server)
{
	return ghcr_fail(GHCR_ERR_LOCKED, "the keyring holding %s is locked "
	    "and there is no display to ask for its password; unlock it "
	    "(log in to the desktop, or `gnome-keyring-daemon --unlock`) %s",
	    server, FILE_HINT);
}

/* Maps a GError from the bus or libsecret to a status with one line of
 * detail, and frees it. */
int
ss_fail_gerror(GError *err, const char *what, const struct watchdog *w)
{
	int r;

	if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
	    w != NULL && w->out_of_patience) {
		r = ghcr_fail(GHCR_ERR_UNAVAILABLE, "Secret Service stayed busy "
		    "and did not answer %s for %u s; %s", what,
		    BUSY_PATIENCE_MS / 1000, FILE_HINT);
	} else if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		r = ghcr_fail(GHCR_ERR_UNAVAILABLE, "Secret Service did not "
		    "answer %s within %u ms (is the keyring daemon stuck?); %s",
		    what, w != NULL ? w->budget_ms : DEADLINE_MS, FILE_HINT);
	} else if (ss_is_locked_error(err)) {
		r = ghcr_fail(GHCR_ERR_LOCKED, "keyring is locked (%s); "
		    "unlock it %s", what, FILE_HINT);
	} else if (g_error_matches(err, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
	    g_error_matches(err, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER)) {
		r = ghcr_fail(GHCR_ERR_UNAVAILABLE, "no Secret Service on the "
		    "session bus (" SECRETS_NAME " is neither running nor "
		    "activatable); start gnome-keyring-daemon or KeePassXC, %s",
		    FILE_HINT);
	} else {
		if (g_dbus_error_is_remote_error(err))
			g_dbus_error_strip_remote_error(err);
		r = ghcr_fail(GHCR_ERR_UNAVAILABLE, "Secret Service: %s failed: "
		    "%s; %s", what, err->message, FILE_HINT);
	}
	g_error_free(err);
	return r;
}
