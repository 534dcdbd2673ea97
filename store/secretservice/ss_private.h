/*
 * What the files of the Secret Service module (secretservice.c and
 * ss_*.c, built together as docker-credential-ghcr-secretservice.so)
 * share with one another: the handle, the watchdog, the D-Bus names and
 * the functions one file offers the others.  Nothing here is seen by the
 * helper, which knows the module only through secretservice.h.
 */
#ifndef GHCR_SS_PRIVATE_H
#define GHCR_SS_PRIVATE_H

/* The object-path calls (secret-paths.h) drive prompts without item or
 * collection proxies; libsecret still labels them unstable, though they
 * have not changed since 0.7. */
#define SECRET_API_SUBJECT_TO_CHANGE 1
#include <libsecret/secret.h>
#include <gcrypt.h>

#include <pthread.h>
#include <time.h>

#include "store.h"

#include <sys/types.h>

/*
 * How long the helper waits for the keyring (the rule is the README's,
 * "Secret Service: busy or absent"): an operation gets DEADLINE_MS
 * without an answer from the bus or the keyring daemon.  When that
 * passes, the watchdog looks at the process owning org.freedesktop.secrets:
 * if it has used CPU since half-way through the window, it is working
 * through other clients' requests (a burst), and the window starts again;
 * if not (frozen, deadlocked, or ignoring us), the operation fails.  Every
 * answer from the daemon starts the window again too.  However busy the
 * daemon, BUSY_PATIENCE_MS without an answer ends the operation.
 * DOCKER_CREDENTIAL_GHCR_SECRETSERVICE_TIMEOUT (milliseconds) changes
 * DEADLINE_MS for very slow machines (or valgrind).
 */
#define DEFAULT_DEADLINE_MS 1000
#define DEADLINE_MS ss_deadline_ms()
#define BUSY_PATIENCE_MS (60 * 1000)
/* CPU the daemon must have used in the last half-window to count as busy
 * (a daemon that only reads and queues our request uses microseconds). */
#define BUSY_MIN_CPU_NS (1000 * 1000LL)
/* Every D-Bus call is made with no timeout of its own: the watchdog
 * governs, by the rule above. */
#define CALL_TIMEOUT G_MAXINT
/* If a call ignores cancellation this much longer, it is abandoned. */
#define WATCHDOG_GRACE_MS 300
/* How long a person gets to answer an unlock prompt. */
#define PROMPT_MS (120 * 1000)

#define SECRETS_NAME "org.freedesktop.secrets"
#define ITEM_IFACE "org.freedesktop.Secret.Item"
#define COLLECTION_IFACE "org.freedesktop.Secret.Collection"
#define PROPS_IFACE "org.freedesktop.DBus.Properties"
#define SERVICE_IFACE "org.freedesktop.Secret.Service"
#define SERVICE_PATH "/org/freedesktop/secrets"

#define FILE_HINT "or use the file backend (DOCKER_CREDENTIAL_GHCR_BACKEND=file)"

extern const SecretSchema ghcr_schema;

struct ss_handle {
	GDBusConnection *bus; /* private connection: every call but prompts */
	SecretService *service; /* libsecret, made only to prompt a person */
	GCancellable *cancel; /* the running operation's; NULL between them */
	char *session;        /* our transfer session's object path, or NULL */
	unsigned char key[16]; /* its AES-128 key (wiped on close) */
	guint filter;         /* sees the daemon's answers (ss_deadline.c) */
	pid_t provider;       /* its process: 0 unknown yet, -1 not visible */
	pid_t bus_pid;        /* the bus daemon's, or 0 */
};

struct watchdog {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	pthread_t caller;
	GCancellable *cancel;
	struct timespec soft; /* CLOCK_MONOTONIC: cancel at this time */
	int done;
	int fired; /* the deadline passed and the operation was cancelled */
	unsigned int budget_ms; /* for the failure message */
	GDBusConnection *bus;  /* to ask who the daemon is (NULL: cannot) */
	pid_t *provider;       /* the handle's cache of that */
	struct timespec answered; /* the daemon's latest answer */
	pid_t bus_pid;         /* the bus daemon's process, or 0 */
	int connecting;        /* the socket's connect() has not returned */
	pid_t caller_tid;      /* the calling thread, as the kernel knows it */
	unsigned int busy_waits; /* windows granted because they were busy */
	int out_of_patience;   /* busy, but BUSY_PATIENCE_MS without an answer */
};

typedef int (*guarded_fn)(struct ss_handle *h, struct watchdog *w, void *arg);

/* ss_deadline.c: deadlines and the watchdog. */
unsigned int ss_deadline_ms(void);
void ss_watchdog_extend(struct watchdog *w, unsigned int ms);
int ss_run_guarded(struct ss_handle *h, guarded_fn fn, void *arg);
void ss_watchdog_know_bus(struct watchdog *w, pid_t pid);
void ss_watchdog_connecting(struct watchdog *w, int connecting);
void ss_watch_answers(struct ss_handle *h);
void ss_unwatch_answers(struct ss_handle *h);

/* ss_errors.c: failures as statuses with one line of detail. */
int ss_can_prompt(void);
int ss_is_locked_error(const GError *err);
int ss_fail_locked(const char *server);
int ss_fail_gerror(GError *err, const char *what, const struct watchdog *w);

/* ss_dbus.c: the small D-Bus calls the operations share. */
/* A request in flight on the private connection. */
struct pending_call {
	GVariant *reply;
	GError *error;
	int sent;
	int done;
};

int ss_check_service_present(struct ss_handle *h, const struct watchdog *w);
int ss_get_property(struct ss_handle *h, const struct watchdog *w,
    const char *path, const char *iface, const char *prop, GVariant **out);
const char *ss_attribute_value(GVariant *attrs, const char *key);
int ss_search_paths(struct ss_handle *h, const struct watchdog *w,
    const char *server, gchar ***unlocked, gchar ***locked);
int ss_need_service(struct ss_handle *h, const struct watchdog *w);
void ss_pending_call_send(struct ss_handle *h, GMainContext *ctx,
    struct pending_call *pc, const char *path, const char *iface,
    const char *method, GVariant *args, const char *reply_type);
void ss_pending_call_wait(GMainContext *ctx, struct pending_call *pc);
void ss_pending_call_clear(struct pending_call *pc);
int ss_unlock_paths(struct ss_handle *h, struct watchdog *w, const char *server,
    gchar **paths);

/* ss_session.c: the encrypted transfer session. */
/* A session being negotiated: our half of the exchange and the call. */
struct session_setup {
	gcry_mpi_t p, x;
	struct pending_call call;
	int sent;
};

int ss_session_start(struct ss_handle *h, GMainContext *ctx,
    struct session_setup *ss);
int ss_session_finish(struct ss_handle *h, const struct watchdog *w,
    GMainContext *ctx, struct session_setup *ss);
int ss_session_finish_after(struct ss_handle *h, const struct watchdog *w,
    GMainContext *ctx, struct session_setup *ss, int r);
int ss_session_decrypt(struct ss_handle *h, GVariant *secret,
    const char *server, char **out);
int ss_session_encrypt(struct ss_handle *h, const char *text, GVariant **out);

/* ss_expiry.c: the `expires` attribute's text, and back (0: unknown). */
gchar *ss_expires_format(time_t when);
time_t ss_expires_parse(const char *text);

/* ss_list.c: list. */
int ss_list(void *handle, store_list_fn fn, void *ctx);

/* secretservice.c: the private bus connection (a guarded_fn; arg unused),
 * and closing a handle. */
int ss_connect(struct ss_handle *h, struct watchdog *w, void *arg);
void ss_close(void *handle);

/* secretservice.c: reads the login for `server` (a guarded_fn, the get
 * operation): the credential into *out and, where `path` and `attrs` are
 * not NULL, the item's object path (g_free) and its attributes
 * (g_variant_unref), which the caller then owns. */
struct ss_get_args {
	const char *server;
	struct credential *out;
	gchar **path;
	GVariant **attrs;
};
int ss_read_login(struct ss_handle *h, struct watchdog *w, void *arg);

/* ss_note.c: the note_expiry slot (see store.h and the file's comment). */
int ss_note_expiry(void *handle, const struct credential *checked,
    time_t expires);

/* ss_foreign.c: another program's login (secretservice_lookup_fn). */
int ss_lookup(const char *service, const char *const *usernames,
    char **secret, int *which);

#endif
