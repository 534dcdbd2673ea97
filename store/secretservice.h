/*
 * The contract between the helper's Secret Service loader
 * (store/secretservice_loader.c) and the libsecret module it dlopen()s
 * (store/secretservice/, built as docker-credential-ghcr-secretservice.so).
 * The helper never links GLib: it only knows the module's file name, the one
 * symbol it exports and the stamp that must match (common/module_load.h),
 * plus the cheap
 * "is there a session bus at all" test that both sides apply before any
 * D-Bus work.  Besides the store backend, the module reads one login that
 * another program keeps in the keyring (the GitHub CLI's), whichever
 * backend the helper's own store uses.
 */
#ifndef GHCR_SECRETSERVICE_H
#define GHCR_SECRETSERVICE_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "module_load.h"
#include "store.h"

#define SECRETSERVICE_MODULE_FILE "docker-credential-ghcr-secretservice.so"
#define SECRETSERVICE_MODULE_SYMBOL "ghcr_secretservice_module"

/* Bumped whenever struct secretservice_module or the meaning of what it
 * passes changes, so a stale installed module is refused instead of
 * misread (5: gh's lookup slot and struct credential's `expires`; 6: the
 * stamp; 7: the backend's note_expiry slot).  The sizes of what it passes
 * are in the stamp as well (SECRETSERVICE_MODULE_STAMP), so a struct that
 * grows is caught even when nobody bumps the number. */
#define SECRETSERVICE_ABI 7

/*
 * Reads the secret of a login another program keeps in the Secret
 * Service: the first of usernames[] (NULL-terminated, tried in order)
 * that has an unlocked item whose attributes include service=`service`
 * and username=that name.  *secret is a secmem string the caller frees;
 * *which the index of the name that answered.  Never prompts: an item
 * found only in a locked keyring is GHCR_ERR_LOCKED.  GHCR_ERR_NOT_FOUND
 * when no item matches; GHCR_ERR_UNAVAILABLE (with a detail) when there
 * is no bus, no Secret Service, or no answer within the deadline.
 */
typedef int (*secretservice_lookup_fn)(const char *service,
    const char *const *usernames, char **secret, int *which);

struct secretservice_module {
	struct module_stamp stamp; /* SECRETSERVICE_MODULE_STAMP of its build */
	const struct store_backend *backend;
	secretservice_lookup_fn lookup; /* another program's login */
};

/* What the module's table opens with, and what the helper expects there. */
#define SECRETSERVICE_MODULE_STAMP { .abi = SECRETSERVICE_ABI, .sizes = { \
	sizeof(struct secretservice_module), sizeof(struct credential), \
	sizeof(struct store_backend), sizeof(struct store_location), 0 } }

/* The helper's side (secretservice_loader.c): the module's lookup,
 * loading the module first; no bus means GHCR_ERR_UNAVAILABLE without
 * loading anything. */
int secretservice_lookup(const char *service, const char *const *usernames,
			 char **secret, int *which);

/*
 * Whether a D-Bus address list asks for autolaunch anywhere.  The list is
 * entries separated by ';', each TRANSPORT:key=value,...; GLib tries them
 * in turn, so "unix:path=/gone;autolaunch:" reaches the autolaunch entry
 * and runs dbus-launch.
 */
static inline int
secretservice_address_autolaunches(const char *addr)
{
	const char *p = addr;

	while (p != NULL) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "autolaunch:", 11) == 0)
			return 1;
		if ((p = strchr(p, ';')) != NULL)
			p++;
	}
	return 0;
}

/*
 * Whether a session bus can possibly be reached without side effects: GLib
 * would otherwise fall back to X11 autolaunch (spawning dbus-launch), which
 * can block or leave a stray bus behind.  Returns NULL when a bus address
 * exists, else a static reason for the detail line.  An address list with
 * an "autolaunch:" entry anywhere is refused for the same reason: this
 * helper starts no child process.
 */
static inline const char *
secretservice_no_bus_reason(void)
{
	const char *addr = getenv("DBUS_SESSION_BUS_ADDRESS");
	const char *run = getenv("XDG_RUNTIME_DIR");
	char path[4096];
	struct stat st;

	if (addr != NULL && *addr != '\0') {
		if (secretservice_address_autolaunches(addr))
			return "DBUS_SESSION_BUS_ADDRESS asks for autolaunch, "
			       "which this helper never does";
		return NULL;
	}
	if (run != NULL && *run == '/' &&
	    strlen(run) + sizeof("/bus") <= sizeof(path)) {
		memcpy(path, run, strlen(run));
		memcpy(path + strlen(run), "/bus", sizeof("/bus"));
		if (stat(path, &st) == 0 && S_ISSOCK(st.st_mode))
			return NULL;
	}
	return "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset and "
	       "there is no $XDG_RUNTIME_DIR/bus)";
}

#endif
