/*
 * The Secret Service backend: registry tokens in the desktop keyring
 * (gnome-keyring, KeePassXC, ...).  Built as the module
 * docker-credential-ghcr-secretservice.so and dlopen()ed by
 * store/secretservice_loader.c, so only a helper that really talks to the
 * keyring loads GLib.  Each item carries `server` and `username` as
 * attributes (under our libsecret schema) and the token only as its
 * secret.  Two promises shape the code.  It never hangs: every D-Bus call
 * runs under a deadline, a locked keyring is only unlocked when a person
 * can be prompted, and a watchdog abandons anything that ignores
 * cancellation.  It is cheap: the calls a `get`, `list`, `store` or
 * `erase` needs go straight to the Secret Service D-Bus API on one private
 * connection, pipelined where they are independent; list opens no session
 * and reads no secret; get reads exactly one.  libsecret provides the
 * schema, the error domain and, only when a person must be asked, the
 * prompts (its service proxy costs a second bus connection and several
 * round trips, so it is never built otherwise).
 */
/* The object-path calls (secret-paths.h) drive prompts without item or
 * collection proxies; libsecret still labels them unstable, though they
 * have not changed since 0.7. */
#define SECRET_API_SUBJECT_TO_CHANGE 1
#include <libsecret/secret.h>
#include <gcrypt.h>

#include "errors.h"
#include "secmem.h"
#include "secretservice.h"
#include "store.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Deadline for every exchange with the bus and the keyring daemon: ample
 * for a daemon that is being bus-activated, short of the 2 s promise.
 * DOCKER_CREDENTIAL_GHCR_SECRETSERVICE_TIMEOUT (milliseconds) changes it
 * for very slow machines (or valgrind). */
#define DEFAULT_DEADLINE_MS 1000
#define DEADLINE_MS deadline_ms()
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

static const SecretSchema ghcr_schema = {
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
		{ NULL, 0 },
	},
};

static unsigned int
deadline_ms(void)
{
	static unsigned int ms;
	const char *env;
	char *end;
	unsigned long v;

	if (ms != 0)
		return ms;
	ms = DEFAULT_DEADLINE_MS;
	env = getenv("DOCKER_CREDENTIAL_GHCR_SECRETSERVICE_TIMEOUT");
	if (env != NULL && *env != '\0') {
		errno = 0;
		v = strtoul(env, &end, 10);
		if (errno == 0 && *end == '\0' && v >= 50 && v <= 600000)
			ms = (unsigned int)v;
	}
	return ms;
}

struct ss_handle {
	GDBusConnection *bus; /* private connection: every call but prompts */
	SecretService *service; /* libsecret, made only to prompt a person */
	GCancellable *cancel; /* the running operation's; NULL between them */
	char *session;        /* our transfer session's object path, or NULL */
	unsigned char key[16]; /* its AES-128 key (wiped on close) */
};

/* ------------------------------------------------------------------ */
/* Deadlines and the watchdog.                                          */
/*
 * Every operation runs under a watchdog thread.  At the deadline it
 * cancels the operation's GCancellable, which every libsecret and GDBus
 * call here is given, so the call returns G_IO_ERROR_CANCELLED.  Should a
 * call still not return after a grace period (something in GLib that does
 * not honour cancellation), the watchdog signals the calling thread, whose
 * handler siglongjmp()s back to the operation's entry; the module is then
 * marked unusable for the rest of the process, which is about to report
 * the failure and exit anyway.
 */
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
};

static sigjmp_buf watchdog_jump;
static volatile sig_atomic_t watchdog_armed;
static int module_abandoned;

static void
watchdog_signal(int sig)
{
	(void)sig;
	if (watchdog_armed) {
		watchdog_armed = 0;
		siglongjmp(watchdog_jump, 1);
	}
}

static int
watchdog_signo(void)
{
	/* A real-time signal nothing else in the helper uses. */
	return SIGRTMIN + 5;
}

static void
timespec_add_ms(struct timespec *t, unsigned int ms)
{
	t->tv_sec += ms / 1000;
	t->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

static int
timespec_passed(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > t->tv_sec ||
	    (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

static void *
watchdog_main(void *arg)
{
	struct watchdog *w = arg;
	struct timespec hard;

	pthread_mutex_lock(&w->mu);
	/* The deadline may move (an unlock prompt extends it), so it is
	 * re-read after every wake-up. */
	while (!w->done && !timespec_passed(&w->soft))
		pthread_cond_timedwait(&w->cv, &w->mu, &w->soft);
	if (!w->done) {
		w->fired = 1;
		pthread_mutex_unlock(&w->mu);
		g_cancellable_cancel(w->cancel);
		pthread_mutex_lock(&w->mu);
		hard = w->soft;
		timespec_add_ms(&hard, WATCHDOG_GRACE_MS);
		while (!w->done && !timespec_passed(&hard))
			pthread_cond_timedwait(&w->cv, &w->mu, &hard);
		if (!w->done)
			pthread_kill(w->caller, watchdog_signo());
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* Moves the deadline to `ms` from now (used around an unlock prompt). */
static void
watchdog_extend(struct watchdog *w, unsigned int ms)
{
	pthread_mutex_lock(&w->mu);
	clock_gettime(CLOCK_MONOTONIC, &w->soft);
	timespec_add_ms(&w->soft, ms);
	w->budget_ms = ms;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

typedef int (*guarded_fn)(struct ss_handle *h, struct watchdog *w, void *arg);

/*
 * Runs fn under a fresh cancellable and the watchdog.  sigsetjmp() lives
 * here so that its frame is alive for the whole call it may jump out of.
 */
static int
run_guarded(struct ss_handle *h, guarded_fn fn, void *arg)
{
	struct watchdog w;
	struct sigaction sa, old_sa;
	pthread_condattr_t ca;
	volatile int r = GHCR_ERR_UNAVAILABLE;
	volatile int have_thread = 0;

	if (module_abandoned)
		return ghcr_fail(GHCR_ERR_UNAVAILABLE, "Secret Service stopped "
		    "answering earlier in this run; %s", FILE_HINT);
	memset(&w, 0, sizeof(w));
	pthread_mutex_init(&w.mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w.cv, &ca);
	pthread_condattr_destroy(&ca);
	w.caller = pthread_self();
	w.cancel = g_cancellable_new();
	w.budget_ms = DEADLINE_MS;
	clock_gettime(CLOCK_MONOTONIC, &w.soft);
	timespec_add_ms(&w.soft, DEADLINE_MS);
	h->cancel = w.cancel;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = watchdog_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(watchdog_signo(), &sa, &old_sa);

	if (sigsetjmp(watchdog_jump, 1) == 0) {
		if (pthread_create(&w.thread, NULL, watchdog_main, &w) != 0) {
			r = ghcr_fail(GHCR_ERR_SYSTEM,
			    "cannot start the Secret Service watchdog thread");
		} else {
			have_thread = 1;
			watchdog_armed = 1;
			r = fn(h, &w, arg);
			watchdog_armed = 0;
		}
	} else {
		module_abandoned = 1;
		r = ghcr_fail(GHCR_ERR_UNAVAILABLE, "Secret Service did not "
		    "answer within %u ms and ignored cancellation; %s",
		    w.budget_ms + WATCHDOG_GRACE_MS, FILE_HINT);
	}

	if (have_thread) {
		pthread_mutex_lock(&w.mu);
		w.done = 1;
		pthread_cond_signal(&w.cv);
		pthread_mutex_unlock(&w.mu);
		pthread_join(w.thread, NULL);
	}
	sigaction(watchdog_signo(), &old_sa, NULL);
	h->cancel = NULL;
	if (!module_abandoned)
		g_object_unref(w.cancel);
	pthread_cond_destroy(&w.cv);
	pthread_mutex_destroy(&w.mu);
	return r;
}

/* ------------------------------------------------------------------ */
/* Failure reporting.                                                   */

/* Whether the keyring daemon could show a person an unlock prompt. */
static int
can_prompt(void)
{
	const char *x = getenv("DISPLAY"), *wl = getenv("WAYLAND_DISPLAY");

	return (x != NULL && *x != '\0') || (wl != NULL && *wl != '\0');
}

/*
 * Whether the daemon refused because something is locked.  Matched by the
 * D-Bus error name as well: SECRET_ERROR codes are only mapped once
 * libsecret has built a proxy, which the common paths here never do.
 */
static int
is_locked_error(const GError *err)
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

static int
fail_locked(const char *server)
{
	return ghcr_fail(GHCR_ERR_LOCKED, "the keyring holding %s is locked "
	    "and there is no display to ask for its password; unlock it "
	    "(log in to the desktop, or `gnome-keyring-daemon --unlock`) %s",
	    server, FILE_HINT);
}

/* Maps a GError from the bus or libsecret to a status with one line of
 * detail, and frees it. */
static int
fail_gerror(GError *err, const char *what, const struct watchdog *w)
{
	int r;

	if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		r = ghcr_fail(GHCR_ERR_UNAVAILABLE, "Secret Service did not "
		    "answer %s within %u ms (is the keyring daemon stuck?); %s",
		    what, w != NULL ? w->budget_ms : DEADLINE_MS, FILE_HINT);
	} else if (is_locked_error(err)) {
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

/* ------------------------------------------------------------------ */
/* Small D-Bus helpers.                                                 */

static int
ask_bus(struct ss_handle *h, const struct watchdog *w, const char *method,
    GVariant *args, const char *reply_type, GVariant **out)
{
	GError *err = NULL;

	*out = g_dbus_connection_call_sync(h->bus, "org.freedesktop.DBus",
	    "/org/freedesktop/DBus", "org.freedesktop.DBus", method, args,
	    G_VARIANT_TYPE(reply_type), G_DBUS_CALL_FLAGS_NONE, DEADLINE_MS,
	    h->cancel, &err);
	if (*out == NULL)
		return fail_gerror(err, "asking the bus for the Secret Service", w);
	return GHCR_OK;
}

/*
 * Fails fast unless org.freedesktop.secrets is owned now or can be
 * activated.  Without this check the first libsecret call would wait for
 * the bus's activation timeout, or fail with a message nobody can act on.
 */
static int
check_service_present(struct ss_handle *h, const struct watchdog *w)
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
static int
get_property(struct ss_handle *h, const struct watchdog *w, const char *path,
    const char *iface, const char *prop, GVariant **out)
{
	GError *err = NULL;
	GVariant *reply;

	*out = NULL;
	reply = g_dbus_connection_call_sync(h->bus, SECRETS_NAME, path,
	    PROPS_IFACE, "Get", g_variant_new("(ss)", iface, prop),
	    G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NONE, DEADLINE_MS,
	    h->cancel, &err);
	if (reply == NULL)
		return fail_gerror(err, "reading a keyring item", w);
	g_variant_get(reply, "(v)", out);
	g_variant_unref(reply);
	return GHCR_OK;
}

/* Looks up `key` in an a{ss} variant; borrowed string or NULL. */
static const char *
attribute_value(GVariant *attrs, const char *key)
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
static int
search_paths(struct ss_handle *h, const struct watchdog *w, const char *server,
    gchar ***unlocked, gchar ***locked)
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
	    G_DBUS_CALL_FLAGS_NONE, DEADLINE_MS, h->cancel, &err);
	if (reply == NULL)
		return fail_gerror(err, "searching the keyring", w);
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
static int
need_service(struct ss_handle *h, const struct watchdog *w)
{
	GError *err = NULL;

	if (h->service != NULL)
		return GHCR_OK;
	/* SECRET_SERVICE_NONE: no session until a secret moves, no
	 * collection proxies. */
	h->service = secret_service_open_sync(SECRET_TYPE_SERVICE, NULL,
	    SECRET_SERVICE_NONE, h->cancel, &err);
	if (h->service == NULL)
		return fail_gerror(err, "connecting to the Secret Service", w);
	g_dbus_connection_set_exit_on_close(
	    g_dbus_proxy_get_connection(G_DBUS_PROXY(h->service)), FALSE);
	return GHCR_OK;
}

/* ------------------------------------------------------------------ */
/* The transfer session.                                                */
/*
 * Secrets cross the bus inside an encrypted Secret Service session
 * (algorithm dh-ietf1024-sha256-aes128-cbc-pkcs7 of the specification),
 * so the token never lies in plain text in the bus daemon or in GLib's
 * message buffers, which nobody wipes.  The session is negotiated here,
 * on our own connection, with libgcrypt (libsecret's own crypto library,
 * already loaded with it) rather than through libsecret's service proxy:
 * that proxy would need GLib's shared bus connection, its own handshake
 * and a proxy set-up, five round trips more for every `get`.  The private
 * exponent is 256 bits, not libsecret's 1024: the group's ~80-bit
 * strength stays the limit (an exponent of twice the security strength
 * suffices, NIST SP 800-56A), and each modular exponentiation costs a
 * quarter.
 */
#define SESSION_ALGORITHM "dh-ietf1024-sha256-aes128-cbc-pkcs7"
#define DH_BYTES 128
#define DH_EXPONENT_BITS 256

/* RFC 2409, 6.2: the Second Oakley Group; generator 2. */
static const char ietf1024_prime[] =
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1"
    "29024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245"
    "E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381"
    "FFFFFFFFFFFFFFFF";

static int
crypto_init(void)
{
	if (gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P))
		return GHCR_OK;
	if (gcry_check_version(NULL) == NULL)
		return ghcr_fail(GHCR_ERR_UNAVAILABLE, "libgcrypt failed to "
		    "initialise; %s", FILE_HINT);
	/* No locked pool: it needs RLIMIT_MEMLOCK and prints warnings on
	 * stderr when short.  Our buffers are wiped by hand instead, and
	 * libgcrypt wipes MPIs when it frees them. */
	gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	return GHCR_OK;
}

/* HKDF-SHA256 (RFC 5869) with no salt and no info, 16 bytes out. */
static int
hkdf_sha256_16(const unsigned char *ikm, size_t n, unsigned char out[16])
{
	static const unsigned char zeros[32], one = 1;
	unsigned char prk[32];
	gcry_md_hd_t md = NULL;
	int r = GHCR_ERR_UNAVAILABLE;

	if (gcry_md_open(&md, GCRY_MD_SHA256, GCRY_MD_FLAG_HMAC) != 0 ||
	    gcry_md_setkey(md, zeros, sizeof(zeros)) != 0)
		goto out;
	gcry_md_write(md, ikm, n);
	memcpy(prk, gcry_md_read(md, GCRY_MD_SHA256), sizeof(prk));
	gcry_md_reset(md);
	if (gcry_md_setkey(md, prk, sizeof(prk)) != 0)
		goto out;
	gcry_md_write(md, &one, 1);
	memcpy(out, gcry_md_read(md, GCRY_MD_SHA256), 16);
	r = GHCR_OK;
 out:
	secmem_wipe(prk, sizeof(prk));
	gcry_md_close(md);
	if (r != GHCR_OK)
		return ghcr_fail(r, "Secret Service session: key derivation "
		    "failed; %s", FILE_HINT);
	return r;
}

/* A request in flight on the private connection. */
struct pending_call {
	GVariant *reply;
	GError *error;
	int sent;
	int done;
};

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
 * pending_call_wait() collects it.  Lets independent requests share one
 * round trip.
 */
static void
pending_call_send(struct ss_handle *h, GMainContext *ctx,
    struct pending_call *pc, const char *path, const char *iface,
    const char *method, GVariant *args, const char *reply_type)
{
	memset(pc, 0, sizeof(*pc));
	pc->sent = 1;
	g_main_context_push_thread_default(ctx);
	g_dbus_connection_call(h->bus, SECRETS_NAME, path, iface, method, args,
	    G_VARIANT_TYPE(reply_type), G_DBUS_CALL_FLAGS_NONE, DEADLINE_MS,
	    h->cancel, pending_call_done, pc);
	g_main_context_pop_thread_default(ctx);
}

/* Waits for a sent call; cancellation by the deadline ends the wait. */
static void
pending_call_wait(GMainContext *ctx, struct pending_call *pc)
{
	while (pc->sent && !pc->done)
		g_main_context_iteration(ctx, TRUE);
}

static void
pending_call_clear(struct pending_call *pc)
{
	if (pc->reply != NULL)
		g_variant_unref(pc->reply);
	if (pc->error != NULL)
		g_error_free(pc->error);
	memset(pc, 0, sizeof(*pc));
}

/* A session being negotiated: our half of the exchange and the call. */
struct session_setup {
	gcry_mpi_t p, x;
	struct pending_call call;
	int sent;
};

/* Sends OpenSession with a fresh key pair (no wait); no-op when the
 * handle already has a session. */
static int
session_start(struct ss_handle *h, GMainContext *ctx, struct session_setup *ss)
{
	gcry_mpi_t g = NULL, pub = NULL;
	unsigned char mine[DH_BYTES];
	size_t n_mine = 0;
	int r;

	memset(ss, 0, sizeof(*ss));
	if (h->session != NULL)
		return GHCR_OK;
	if ((r = crypto_init()) != 0)
		return r;
	if (gcry_mpi_scan(&ss->p, GCRYMPI_FMT_HEX, ietf1024_prime, 0, NULL) != 0)
		return ghcr_fail(GHCR_ERR_UNAVAILABLE, "Secret Service session: "
		    "key exchange failed; %s", FILE_HINT);
	g = gcry_mpi_set_ui(NULL, 2);
	ss->x = gcry_mpi_snew(DH_EXPONENT_BITS);
	gcry_mpi_randomize(ss->x, DH_EXPONENT_BITS, GCRY_STRONG_RANDOM);
	pub = gcry_mpi_new(DH_BYTES * 8);
	gcry_mpi_powm(pub, g, ss->x, ss->p);
	r = gcry_mpi_print(GCRYMPI_FMT_USG, mine, sizeof(mine), &n_mine, pub);
	gcry_mpi_release(g);
	gcry_mpi_release(pub);
	if (r != 0) {
		gcry_mpi_release(ss->p);
		gcry_mpi_release(ss->x);
		memset(ss, 0, sizeof(*ss));
		return ghcr_fail(GHCR_ERR_UNAVAILABLE, "Secret Service session: "
		    "key exchange failed; %s", FILE_HINT);
	}
	pending_call_send(h, ctx, &ss->call, SERVICE_PATH, SERVICE_IFACE,
	    "OpenSession", g_variant_new("(sv)", SESSION_ALGORITHM,
		g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, mine, n_mine, 1)),
	    "(vo)");
	ss->sent = 1;
	return GHCR_OK;
}

/* Waits for OpenSession and derives the session key; always releases
 * the setup, so it is called on every path after session_start(). */
static int
session_finish(struct ss_handle *h, const struct watchdog *w,
    GMainContext *ctx, struct session_setup *ss)
{
	gcry_mpi_t peer = NULL, shared = NULL, top = NULL;
	unsigned char secret[DH_BYTES];
	size_t n_secret = 0;
	GVariant *out = NULL;
	const unsigned char *theirs;
	gsize n_theirs;
	char *path = NULL;
	int r = GHCR_OK;

	if (!ss->sent)
		goto out;
	pending_call_wait(ctx, &ss->call);
	if (ss->call.reply == NULL) {
		r = fail_gerror(ss->call.error, "opening a session", w);
		ss->call.error = NULL;
		goto out;
	}
	g_variant_get(ss->call.reply, "(vo)", &out, &path);
	if (!g_variant_is_of_type(out, G_VARIANT_TYPE_BYTESTRING))
		goto fail;
	theirs = g_variant_get_fixed_array(out, &n_theirs, 1);
	if (n_theirs == 0 || n_theirs > DH_BYTES ||
	    gcry_mpi_scan(&peer, GCRYMPI_FMT_USG, theirs, n_theirs, NULL) != 0)
		goto fail;
	/* A peer value of 0, 1 or p-1 would force a known shared secret. */
	top = gcry_mpi_new(DH_BYTES * 8);
	gcry_mpi_sub_ui(top, ss->p, 1);
	if (gcry_mpi_cmp_ui(peer, 1) <= 0 || gcry_mpi_cmp(peer, top) >= 0)
		goto fail;
	shared = gcry_mpi_snew(DH_BYTES * 8);
	gcry_mpi_powm(shared, peer, ss->x, ss->p);
	/* Left-padded to the size of the prime, as the specification's
	 * implementations (libsecret, gnome-keyring) feed it to HKDF. */
	if (gcry_mpi_print(GCRYMPI_FMT_USG, secret, sizeof(secret), &n_secret,
	    shared) != 0)
		goto fail;
	memmove(secret + DH_BYTES - n_secret, secret, n_secret);
	memset(secret, 0, DH_BYTES - n_secret);
	if ((r = hkdf_sha256_16(secret, DH_BYTES, h->key)) != 0)
		goto out;
	h->session = path;
	path = NULL;
	r = GHCR_OK;
	goto out;
 fail:
	r = ghcr_fail(GHCR_ERR_UNAVAILABLE, "Secret Service session: key "
	    "exchange failed; %s", FILE_HINT);
 out:
	secmem_wipe(secret, sizeof(secret));
	gcry_mpi_release(peer);
	gcry_mpi_release(shared);
	gcry_mpi_release(top);
	gcry_mpi_release(ss->p);
	gcry_mpi_release(ss->x);
	pending_call_clear(&ss->call);
	memset(ss, 0, sizeof(*ss));
	if (out != NULL)
		g_variant_unref(out);
	g_free(path);
	return r;
}

/* Decrypts a Secret struct (oayays) into a NUL-terminated secmem string. */
static int
session_decrypt(struct ss_handle *h, GVariant *secret, const char *server,
    char **out)
{
	GVariant *params = NULL, *value = NULL;
	const unsigned char *iv, *ct;
	gsize n_iv, n_ct;
	gcry_cipher_hd_t cipher = NULL;
	unsigned char *pt = NULL;
	unsigned int pad;
	int r;

	*out = NULL;
	g_variant_get(secret, "(o@ay@ays)", NULL, &params, &value, NULL);
	iv = g_variant_get_fixed_array(params, &n_iv, 1);
	ct = g_variant_get_fixed_array(value, &n_ct, 1);
	if (n_iv != 16 || n_ct == 0 || n_ct % 16 != 0)
		goto fail;
	if ((pt = secmem_alloc(n_ct + 1)) == NULL) {
		r = GHCR_ERR_NO_MEMORY;
		goto out;
	}
	if (gcry_cipher_open(&cipher, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_CBC, 0) != 0 ||
	    gcry_cipher_setkey(cipher, h->key, sizeof(h->key)) != 0 ||
	    gcry_cipher_setiv(cipher, iv, n_iv) != 0 ||
	    gcry_cipher_decrypt(cipher, pt, n_ct, ct, n_ct) != 0)
		goto fail;
	/* PKCS#7 padding. */
	pad = pt[n_ct - 1];
	if (pad == 0 || pad > 16)
		goto fail;
	for (gsize i = n_ct - pad; i < n_ct; i++)
		if (pt[i] != pad)
			goto fail;
	secmem_wipe(pt + n_ct - pad, pad);
	if (memchr(pt, '\0', n_ct - pad) != NULL) {
		r = ghcr_fail(GHCR_ERR_CORRUPT, "keyring item for %s does not "
		    "hold a text token; erase it and log in again", server);
		goto out;
	}
	*out = (char *)pt;
	pt = NULL;
	r = GHCR_OK;
	goto out;
 fail:
	r = ghcr_fail(GHCR_ERR_CORRUPT, "the Secret Service returned a secret "
	    "for %s that does not decrypt; erase it and log in again", server);
 out:
	gcry_cipher_close(cipher);
	secmem_free(pt);
	if (params != NULL)
		g_variant_unref(params);
	if (value != NULL)
		g_variant_unref(value);
	return r;
}

/* Encrypts `text` into a Secret struct (oayays) for CreateItem; the
 * plaintext copy made for padding is wiped. */
static int
session_encrypt(struct ss_handle *h, const char *text, GVariant **out)
{
	size_t n = strlen(text), n_ct = (n / 16 + 1) * 16;
	unsigned char iv[16], *buf;
	gcry_cipher_hd_t cipher = NULL;
	int r;

	*out = NULL;
	if ((buf = secmem_alloc(n_ct)) == NULL)
		return GHCR_ERR_NO_MEMORY;
	memcpy(buf, text, n);
	memset(buf + n, (int)(n_ct - n), n_ct - n);
	gcry_randomize(iv, sizeof(iv), GCRY_STRONG_RANDOM);
	if (gcry_cipher_open(&cipher, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_CBC, 0) != 0 ||
	    gcry_cipher_setkey(cipher, h->key, sizeof(h->key)) != 0 ||
	    gcry_cipher_setiv(cipher, iv, sizeof(iv)) != 0 ||
	    gcry_cipher_encrypt(cipher, buf, n_ct, NULL, 0) != 0) {
		r = ghcr_fail(GHCR_ERR_UNAVAILABLE, "Secret Service session: "
		    "encryption failed; %s", FILE_HINT);
		goto out;
	}
	/* From here `buf` is ciphertext, safe in GLib's memory. */
	*out = g_variant_new("(o@ay@ays)", h->session,
	    g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, iv, sizeof(iv), 1),
	    g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, buf, n_ct, 1),
	    "text/plain");
	r = GHCR_OK;
 out:
	gcry_cipher_close(cipher);
	secmem_free(buf);
	return r;
}

static int
unlock_paths(struct ss_handle *h, struct watchdog *w, const char *server,
    gchar **paths)
{
	GError *err = NULL;
	gint n;
	int r;

	if (!can_prompt())
		return fail_locked(server);
	if ((r = need_service(h, w)) != 0)
		return r;
	/* A person is typing a password now: give them time. */
	watchdog_extend(w, PROMPT_MS);
	n = secret_service_unlock_dbus_paths_sync(h->service,
	    (const gchar **)paths, h->cancel, NULL, &err);
	watchdog_extend(w, DEADLINE_MS);
	if (n < 0)
		return fail_gerror(err, "unlocking the keyring", w);
	if (n == 0)
		return ghcr_fail(GHCR_ERR_LOCKED, "the keyring holding %s "
		    "stayed locked (the unlock prompt was dismissed); %s",
		    server, FILE_HINT);
	return GHCR_OK;
}

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

static int
do_open(struct ss_handle *h, struct watchdog *w, void *arg)
{
	GError *err = NULL;
	gchar *address;
	int r;

	(void)arg;
	/*
	 * A private connection for the first contact, searches, list and
	 * deletes, rather than GLib's session-bus singleton: the singleton
	 * raises SIGTERM in this process when the bus hangs up, even while
	 * the watchdog is abandoning a connection that never finished its
	 * handshake.  libsecret's proxy (see need_service()) joins the
	 * singleton only once this connection has shown the bus answers.
	 * The address comes from the environment or $XDG_RUNTIME_DIR/bus;
	 * secretservice_no_bus_reason() made sure GLib's autolaunch fallback
	 * is never reached.
	 */
	address = session_bus_address();
	h->bus = g_dbus_connection_new_for_address_sync(address,
	    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
	    G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION, NULL,
	    h->cancel, &err);
	g_free(address);
	if (h->bus == NULL) {
		if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			return fail_gerror(err, "connecting to the session bus", w);
		r = ghcr_fail(GHCR_ERR_UNAVAILABLE, "cannot connect to the "
		    "D-Bus session bus: %s; %s", err->message, FILE_HINT);
		g_error_free(err);
		return r;
	}
	/* Whether a Secret Service is there is learnt from the first real
	 * call (the bus answers ServiceUnknown at once when the name is
	 * neither owned nor activatable), which saves a round trip on every
	 * run; probe() asks explicitly. */
	return GHCR_OK;
}

static void
ss_close(void *handle)
{
	struct ss_handle *h = handle;

	if (h == NULL)
		return;
	secmem_wipe(h->key, sizeof(h->key));
	if (!module_abandoned)
		g_free(h->session);
	if (!module_abandoned) {
		if (h->service != NULL)
			g_object_unref(h->service);
		if (h->bus != NULL)
			g_object_unref(h->bus);
	}
	g_free(h);
}

/*
 * "auto" probes the Secret Service and then opens it, in the same process:
 * probe() leaves its checked connection here for that open() to take, so a
 * get makes one connection to the bus, not two.
 */
static struct ss_handle *probed_handle;

static int
ss_open(const struct store_location *where, void **out)
{
	struct ss_handle *h;
	const char *why;
	int r;

	(void)where;
	*out = NULL;
	if (probed_handle != NULL) {
		*out = probed_handle;
		probed_handle = NULL;
		return GHCR_OK;
	}
	if ((why = secretservice_no_bus_reason()) != NULL)
		return ghcr_fail(GHCR_ERR_UNAVAILABLE, "Secret Service: %s; %s",
		    why, FILE_HINT);
	h = g_new0(struct ss_handle, 1);
	if ((r = run_guarded(h, do_open, NULL)) != 0) {
		ss_close(h);
		return r;
	}
	*out = h;
	return GHCR_OK;
}

struct get_args {
	const char *server;
	struct credential *out;
};

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

		if ((r = get_property(h, w, paths[i], ITEM_IFACE, "Modified", &v)) != 0)
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

static int
do_get(struct ss_handle *h, struct watchdog *w, void *arg)
{
	struct get_args *a = arg;
	gchar **unlocked = NULL, **locked = NULL;
	GVariant *attrs = NULL, *secret = NULL;
	GMainContext *ctx = g_main_context_new();
	struct session_setup ss;
	struct pending_call attr_call, secret_call;
	const char *path, *username;
	struct credential c = { NULL, NULL, NULL };
	char detail[512] = "";
	int r, r2;

	memset(&attr_call, 0, sizeof(attr_call));
	memset(&secret_call, 0, sizeof(secret_call));
	/*
	 * Three requests, two round trips: the session is negotiated while
	 * the search runs, and the username is read while the secret is.
	 * A get for a server with nothing stored pays for a session it does
	 * not use (about a millisecond); every other get saves two round
	 * trips, which is most of its time on a busy machine.
	 */
	if ((r = session_start(h, ctx, &ss)) != 0)
		goto out;
	if ((r = search_paths(h, w, a->server, &unlocked, &locked)) != 0)
		goto out;
	if ((unlocked == NULL || unlocked[0] == NULL) &&
	    (locked == NULL || locked[0] == NULL)) {
		r = GHCR_ERR_NOT_FOUND;
		goto out;
	}
	if (unlocked == NULL || unlocked[0] == NULL) {
		if ((r = unlock_paths(h, w, a->server, locked)) != 0)
			goto out;
		g_strfreev(unlocked);
		g_strfreev(locked);
		if ((r = search_paths(h, w, a->server, &unlocked, &locked)) != 0)
			goto out;
		if (unlocked == NULL || unlocked[0] == NULL) {
			r = fail_locked(a->server);
			goto out;
		}
	}
	if ((r = newest_item(h, w, unlocked, &path)) != 0)
		goto out;
	pending_call_send(h, ctx, &attr_call, path, PROPS_IFACE, "Get",
	    g_variant_new("(ss)", ITEM_IFACE, "Attributes"), "(v)");
	if ((r = session_finish(h, w, ctx, &ss)) != 0)
		goto out;
	/* The one secret, encrypted by the session on its way. */
	pending_call_send(h, ctx, &secret_call, path, ITEM_IFACE, "GetSecret",
	    g_variant_new("(o)", h->session), "((oayays))");
	pending_call_wait(ctx, &attr_call);
	pending_call_wait(ctx, &secret_call);
	if (attr_call.reply == NULL) {
		r = fail_gerror(attr_call.error, "reading a keyring item", w);
		attr_call.error = NULL;
		goto out;
	}
	if (secret_call.reply == NULL) {
		if (is_locked_error(secret_call.error))
			r = fail_locked(a->server);
		else {
			r = fail_gerror(secret_call.error, "reading the secret", w);
			secret_call.error = NULL;
		}
		goto out;
	}
	g_variant_get(attr_call.reply, "(v)", &attrs);
	if ((username = attribute_value(attrs, "username")) == NULL) {
		r = ghcr_fail(GHCR_ERR_CORRUPT, "keyring item %s for %s has no "
		    "username attribute; erase it and log in again", path,
		    a->server);
		goto out;
	}
	g_variant_get(secret_call.reply, "(@(oayays))", &secret);
	if ((r = session_decrypt(h, secret, a->server, &c.secret)) != 0)
		goto out;
	if ((c.username = secmem_strdup(username)) == NULL ||
	    (c.server = secmem_strdup(a->server)) == NULL) {
		r = GHCR_ERR_NO_MEMORY;
		goto out;
	}
	*a->out = c;
	memset(&c, 0, sizeof(c));
	r = GHCR_OK;
 out:
	/* Collect whatever is still in flight, so no reply outlives this
	 * frame (the deadline cancels it at worst), keeping the first
	 * failure's detail. */
	if (r != GHCR_OK && r != GHCR_ERR_NOT_FOUND && ghcr_error_detail() != NULL)
		g_strlcpy(detail, ghcr_error_detail(), sizeof(detail));
	r2 = session_finish(h, w, ctx, &ss);
	if (r == GHCR_ERR_NOT_FOUND && r2 != GHCR_OK)
		r = r2; /* e.g. the service went away: say so, not "not found" */
	else if (r != GHCR_OK && r2 != GHCR_OK && detail[0] != '\0')
		ghcr_fail(r, "%s", detail);
	pending_call_wait(ctx, &attr_call);
	pending_call_wait(ctx, &secret_call);
	credential_clear(&c);
	if (secret != NULL)
		g_variant_unref(secret);
	if (attrs != NULL)
		g_variant_unref(attrs);
	pending_call_clear(&attr_call);
	pending_call_clear(&secret_call);
	g_main_context_unref(ctx);
	g_strfreev(unlocked);
	g_strfreev(locked);
	return r;
}

static int
ss_get(void *handle, const char *server, struct credential *out)
{
	struct get_args a = { server, out };

	memset(out, 0, sizeof(*out));
	return run_guarded(handle, do_get, &a);
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
		    G_DBUS_CALL_FLAGS_NONE, DEADLINE_MS, h->cancel, &err);
		if (reply == NULL) {
			if (is_locked_error(err)) {
				g_error_free(err);
				return fail_locked(server);
			}
			return fail_gerror(err, "deleting a keyring item", w);
		}
		g_variant_get(reply, "(&o)", &prompt);
		if (strcmp(prompt, "/") != 0) {
			/* The daemon wants a person to confirm. */
			gchar *held = g_strdup(prompt);
			GVariant *done;

			g_variant_unref(reply);
			reply = NULL;
			if (!can_prompt()) {
				g_free(held);
				return fail_locked(server);
			}
			if ((r = need_service(h, w)) != 0) {
				g_free(held);
				return r;
			}
			watchdog_extend(w, PROMPT_MS);
			done = secret_service_prompt_at_dbus_path_sync(h->service,
			    held, h->cancel, NULL, &err);
			watchdog_extend(w, DEADLINE_MS);
			g_free(held);
			if (done == NULL && err != NULL)
				return fail_gerror(err, "confirming a deletion", w);
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
	    G_VARIANT_TYPE("(o)"), G_DBUS_CALL_FLAGS_NONE, DEADLINE_MS,
	    h->cancel, &err);
	if (reply == NULL)
		return fail_gerror(err, "finding the default keyring", w);
	g_variant_get(reply, "(o)", &path);
	g_variant_unref(reply);
	if (strcmp(path, "/") == 0) {
		g_free(path);
		path = NULL;
		if (!can_prompt())
			return ghcr_fail(GHCR_ERR_LOCKED, "the Secret Service "
			    "has no default keyring and there is no display to "
			    "create one; create it (e.g. log in to the desktop "
			    "once) %s", FILE_HINT);
		if ((r = need_service(h, w)) != 0)
			return r;
		/* Creating a keyring asks a person for its password. */
		watchdog_extend(w, PROMPT_MS);
		path = secret_service_create_collection_dbus_path_sync(h->service,
		    NULL, SECRET_COLLECTION_DEFAULT, SECRET_COLLECTION_CREATE_NONE,
		    h->cancel, &err);
		watchdog_extend(w, DEADLINE_MS);
		if (path == NULL)
			return fail_gerror(err, "creating the default keyring", w);
	}
	if ((r = get_property(h, w, path, COLLECTION_IFACE, "Locked", &v)) != 0)
		goto out;
	if (g_variant_is_of_type(v, G_VARIANT_TYPE_BOOLEAN) &&
	    g_variant_get_boolean(v)) {
		paths[0] = path;
		if ((r = unlock_paths(h, w, server, paths)) != 0)
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
	int r, r2;

	/* The session is negotiated while the default keyring is looked up. */
	if ((r = session_start(h, ctx, &ss)) != 0)
		goto out;
	r = default_collection(h, w, cred->server, &collection);
	if (r != 0 && ghcr_error_detail() != NULL)
		g_strlcpy(detail, ghcr_error_detail(), sizeof(detail));
	r2 = session_finish(h, w, ctx, &ss);
	if (r != 0) {
		if (r2 != 0 && detail[0] != '\0')
			ghcr_fail(r, "%s", detail); /* the first failure's */
		goto out;
	}
	if ((r = r2) != 0 ||
	    (r = session_encrypt(h, cred->secret, &secret)) != 0)
		goto out;
	g_variant_builder_init(&attrs, G_VARIANT_TYPE("a{ss}"));
	g_variant_builder_add(&attrs, "{ss}", "xdg:schema", ghcr_schema.name);
	g_variant_builder_add(&attrs, "{ss}", "server", cred->server);
	g_variant_builder_add(&attrs, "{ss}", "username", cred->username);
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
	 * the very same attributes (same server and username) in place.
	 */
	reply = g_dbus_connection_call_sync(h->bus, SECRETS_NAME, collection,
	    COLLECTION_IFACE, "CreateItem",
	    g_variant_new("(a{sv}@(oayays)b)", &props, secret, TRUE),
	    G_VARIANT_TYPE("(oo)"), G_DBUS_CALL_FLAGS_NONE, DEADLINE_MS,
	    h->cancel, &err);
	secret = NULL; /* consumed by the call */
	if (reply == NULL) {
		if (is_locked_error(err)) {
			g_error_free(err);
			r = fail_locked(cred->server);
		} else {
			r = fail_gerror(err, "storing the login", w);
		}
		goto out;
	}
	g_variant_get(reply, "(&o&o)", &item, &prompt);
	if (strcmp(item, "/") == 0) {
		/* The collection was unlocked above; a daemon that still asks
		 * for a prompt here is not one we can serve unattended. */
		r = fail_locked(cred->server);
		goto out;
	}
	/* One login per registry: drop any other item for this server
	 * (another username, another collection). */
	if ((r = search_paths(h, w, cred->server, &unlocked, &locked)) != 0)
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
	return run_guarded(handle, do_put, (void *)cred);
}

static int
do_erase(struct ss_handle *h, struct watchdog *w, void *arg)
{
	const char *server = arg;
	gchar **unlocked = NULL, **locked = NULL;
	int r;

	if ((r = search_paths(h, w, server, &unlocked, &locked)) != 0)
		goto out;
	/* A locked item can only go once unlocked: ask the person first
	 * (unlock_paths() fails fast with LOCKED when nobody can be asked). */
	if (locked != NULL && locked[0] != NULL &&
	    (r = unlock_paths(h, w, server, locked)) != 0)
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
	return run_guarded(handle, do_erase, (void *)server);
}

/*
 * list: one SearchItems, then every item's properties fetched with
 * pipelined asynchronous Properties.GetAll calls, a window of them in
 * flight at once, so N items cost about N/LIST_WINDOW round trips, not N.
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
	GVariant **replies;  /* a{sv} per path, NULL when it failed */
	GError *error;       /* first failure */
	size_t pending;
};

struct list_call {
	struct list_fetch *f;
	size_t index;
};

static void list_got_props(GObject *src, GAsyncResult *res, gpointer data);

/* Sends the next GetAll, if any is left and nothing has failed. */
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
	/* No per-call timeout: the watchdog's deadline governs. */
	g_dbus_connection_call(f->h->bus, SECRETS_NAME, f->paths[call->index],
	    PROPS_IFACE, "GetAll", g_variant_new("(s)", ITEM_IFACE),
	    G_VARIANT_TYPE("(a{sv})"), G_DBUS_CALL_FLAGS_NONE, G_MAXINT,
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
		g_variant_get(reply, "(@a{sv})", &f->replies[call->index]);
		g_variant_unref(reply);
		watchdog_extend(f->w, DEADLINE_MS); /* progress */
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

static int
do_list(struct ss_handle *h, struct watchdog *w, void *arg)
{
	struct list_args *a = arg;
	gchar **unlocked = NULL, **locked = NULL, **all = NULL;
	struct list_fetch f;
	GMainContext *ctx = NULL;
	GHashTable *best = NULL; /* server -> index of newest item */
	GVariant **attrs = NULL;
	GHashTableIter it;
	gpointer key, val;
	size_t n = 0, nu, nl;
	int r;

	memset(&f, 0, sizeof(f));
	if ((r = search_paths(h, w, NULL, &unlocked, &locked)) != 0)
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
		r = fail_gerror(f.error, "listing the keyring", w);
		f.error = NULL;
		goto out;
	}

	/* One entry per server, the item get would answer with.  Each
	 * item's a{ss} is kept referenced: the strings point into it. */
	attrs = g_new0(GVariant *, n);
	best = g_hash_table_new(g_str_hash, g_str_equal);
	for (size_t i = 0; i < n; i++) {
		const char *server, *user;
		guint64 mtime = 0, other = 0;

		if (f.replies[i] == NULL)
			continue;
		attrs[i] = g_variant_lookup_value(f.replies[i], "Attributes",
		    G_VARIANT_TYPE("a{ss}"));
		server = attribute_value(attrs[i], "server");
		user = attribute_value(attrs[i], "username");
		/* A locked item may not show its attributes; it cannot be
		 * listed then (get would need an unlock anyway). */
		if (server == NULL || user == NULL || *server == '\0')
			continue;
		g_variant_lookup(f.replies[i], "Modified", "t", &mtime);
		if (g_hash_table_lookup_extended(best, server, NULL, &val)) {
			size_t j = GPOINTER_TO_SIZE(val);

			g_variant_lookup(f.replies[j], "Modified", "t", &other);
			if (mtime <= other)
				continue;
		}
		g_hash_table_insert(best, (gpointer)server, GSIZE_TO_POINTER(i));
	}
	g_hash_table_iter_init(&it, best);
	r = GHCR_OK;
	while (r == GHCR_OK && g_hash_table_iter_next(&it, &key, &val)) {
		int stop = a->fn(key, attribute_value(attrs[GPOINTER_TO_SIZE(val)],
		    "username"), a->ctx);

		if (stop != 0) {
			r = stop < 0 ? stop : GHCR_OK;
			break;
		}
	}
 out:
	if (best != NULL)
		g_hash_table_unref(best);
	if (attrs != NULL) {
		for (size_t i = 0; i < n; i++)
			if (attrs[i] != NULL)
				g_variant_unref(attrs[i]);
		g_free(attrs);
	}
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

static int
ss_list(void *handle, store_list_fn fn, void *ctx)
{
	struct list_args a = { fn, ctx };

	return run_guarded(handle, do_list, &a);
}

static int
do_probe(struct ss_handle *h, struct watchdog *w, void *arg)
{
	(void)arg;
	return check_service_present(h, w);
}

static int
ss_probe(const struct store_location *where)
{
	void *h;
	int r;

	if ((r = ss_open(where, &h)) != 0)
		return r;
	r = run_guarded(h, do_probe, NULL);
	if (r == GHCR_OK && probed_handle == NULL) {
		probed_handle = h;
		return r;
	}
	ss_close(h);
	return r;
}

/* A probe whose connection nobody opened (status, tests) closes it. */
__attribute__((destructor)) static void
drop_probed_handle(void)
{
	ss_close(probed_handle);
	probed_handle = NULL;
}

static const struct store_backend ss_backend = {
	.name = "secretservice",
	.title = "the Secret Service keyring",
	.open = ss_open,
	.get = ss_get,
	.put = ss_put,
	.erase = ss_erase,
	.list = ss_list,
	.close = ss_close,
	.probe = ss_probe,
};

/* The one symbol the loader looks up. */
extern const struct secretservice_module ghcr_secretservice_module;
__attribute__((visibility("default")))
const struct secretservice_module ghcr_secretservice_module = {
	.abi = SECRETSERVICE_ABI,
	.backend_size = sizeof(struct store_backend),
	.backend = &ss_backend,
};
