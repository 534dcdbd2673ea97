/*
 * The Secret Service module's promise never to hang: the per-call
 * deadline (DOCKER_CREDENTIAL_GHCR_SECRETSERVICE_TIMEOUT) and the watchdog
 * thread that cancels an operation at that deadline, and abandons one that
 * ignores cancellation, under which every operation runs (ss_run_guarded()).
 */
#include "ss_private.h"
#include "errors.h"
#include "secmem.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

unsigned int
ss_deadline_ms(void)
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

/* ------------------------------------------------------------------ */
/* Deadlines and the watchdog.                                          */
/*
 * Every operation runs under a watchdog thread.  At the deadline it
 * cancels the operation's GCancellable, which every libsecret and GDBus
 * call here is given, so the call returns G_IO_ERROR_CANCELLED.  Should a
 * call still not return after a grace period (something in GLib that does
 * not honour cancellation), the watchdog signals the calling thread, whose
 * handler siglongjmp()s back to the operation's entry, which ends the
 * process there and then (abandon()): the interrupted code may have held
 * any lock (malloc's arena, stdio's, GLib's), so nothing after it may
 * take one, free or allocate.
 */

static sigjmp_buf watchdog_jump;
static volatile sig_atomic_t watchdog_armed;

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

/* What the watchdog samples of the calling thread, the bus daemon and
 * the keyring daemon. */
struct activity {
	long long ns;  /* CPU they have used so far; -1: none is visible */
	int running;   /* one of their threads is running or waiting for a CPU */
};

/* Reads a small /proc file into buf; 0 on success. */
static int
read_small(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	int r = -1;

	if (f == NULL)
		return -1;
	if (fgets(buf, (int)size, f) != NULL)
		r = 0;
	fclose(f);
	return r;
}

/*
 * Adds what thread `tid` of process `pid` has done to *a: its CPU
 * (schedstat, nanoseconds; utime and stime in clock ticks where the kernel
 * has no schedstat) and whether it is runnable.
 */
static void
task_activity(pid_t pid, const char *tid, struct activity *a)
{
	char path[80], buf[512];
	long hz = sysconf(_SC_CLK_TCK);
	long long ns = -1;
	unsigned long long ut, st;
	const char *p;
	char state;

	snprintf(path, sizeof(path), "/proc/%ld/task/%.20s/stat", (long)pid, tid);
	if (read_small(path, buf, sizeof(buf)) != 0 ||
	    (p = strrchr(buf, ')')) == NULL)
		return;
	/* After "pid (comm) ": state, then utime and stime are the 12th and
	 * 13th fields. */
	if (sscanf(p + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
	    "%llu %llu", &state, &ut, &st) != 3)
		return;
	if (state == 'R')
		a->running = 1;
	snprintf(path, sizeof(path), "/proc/%ld/task/%.20s/schedstat",
	    (long)pid, tid);
	if (read_small(path, buf, sizeof(buf)) != 0 ||
	    sscanf(buf, "%lld", &ns) != 1 || ns < 0)
		ns = hz > 0 ? (long long)((ut + st) *
		    (1000000000ULL / (unsigned long)hz)) : 0;
	a->ns = (a->ns < 0 ? 0 : a->ns) + ns;
}

/*
 * Adds what process `pid` has done to *a: every thread's task_activity().
 * A process that cannot be seen (another PID namespace, hidepid) adds
 * nothing.
 */
static void
process_activity(pid_t pid, struct activity *a)
{
	char path[40];
	DIR *d;
	struct dirent *e;

	if (pid <= 0 || pid == getpid())
		return;
	snprintf(path, sizeof(path), "/proc/%ld/task", (long)pid);
	if ((d = opendir(path)) == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			task_activity(pid, e->d_name, a);
	closedir(d);
}

/*
 * Samples the bus daemon (its pid came with the connection's socket) and
 * the Secret Service daemon, whose process is asked of the bus once per
 * handle (GetConnectionUnixProcessID, answered by the bus itself, busy
 * keyring or not).  Runs on the watchdog thread, without its lock.
 */
static void
sample_activity(struct watchdog *w, pid_t bus_pid, struct activity *a)
{
	GVariant *reply;
	guint32 pid;

	char tid[24];

	a->ns = -1;
	a->running = 0;
	/* The calling thread itself: on a machine with more runnable
	 * processes than CPUs it may spend the window waiting for one, or
	 * working through GLib's own set-up, while both daemons sit idle. */
	snprintf(tid, sizeof(tid), "%ld", (long)w->caller_tid);
	task_activity(getpid(), tid, a);
	process_activity(bus_pid, a);
	if (w->bus == NULL || w->provider == NULL || *w->provider < 0)
		return;
	if (*w->provider == 0) {
		reply = g_dbus_connection_call_sync(w->bus, "org.freedesktop.DBus",
		    "/org/freedesktop/DBus", "org.freedesktop.DBus",
		    "GetConnectionUnixProcessID", g_variant_new("(s)", SECRETS_NAME),
		    G_VARIANT_TYPE("(u)"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
		    WATCHDOG_GRACE_MS, NULL, NULL);
		if (reply == NULL)
			return; /* not owned (yet): ask again next time */
		g_variant_get(reply, "(u)", &pid);
		g_variant_unref(reply);
		*w->provider = pid > 0 ? (pid_t)pid : -1;
	}
	process_activity(*w->provider, a);
}

static int
timespec_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	    (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static long long
ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)(now.tv_sec - t->tv_sec) * 1000 +
	    (now.tv_nsec - t->tv_nsec) / 1000000;
}

/*
 * The watchdog: waits for the deadline (w->soft, which answers from the
 * daemon and unlock prompts move); half-way through a window it notes the
 * daemon's CPU time, and at the deadline grants another window if the
 * daemon has been working since (see DEADLINE_MS in ss_private.h).
 * Otherwise it cancels the operation and, should that be ignored,
 * interrupts the calling thread.
 */
static void *
watchdog_main(void *arg)
{
	struct watchdog *w = arg;
	struct timespec hard, half;
	struct activity base = { -1, 0 }, now;
	int noted = 0; /* base was sampled in this window */
	pid_t bus_pid;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		if (w->done)
			break;
		/* The point half-way through the current window. */
		half = w->soft;
		half.tv_sec -= w->budget_ms / 2000;
		half.tv_nsec -= (long)(w->budget_ms / 2 % 1000) * 1000000L;
		if (half.tv_nsec < 0) {
			half.tv_sec--;
			half.tv_nsec += 1000000000L;
		}
		if (!noted && !timespec_passed(&half)) {
			pthread_cond_timedwait(&w->cv, &w->mu, &half);
			continue;
		}
		if (!noted && !timespec_passed(&w->soft)) {
			bus_pid = w->bus_pid;
			pthread_mutex_unlock(&w->mu);
			sample_activity(w, bus_pid, &base);
			pthread_mutex_lock(&w->mu);
			noted = 1;
			continue;
		}
		if (!timespec_passed(&w->soft)) {
			pthread_cond_timedwait(&w->cv, &w->mu, &w->soft);
			continue;
		}
		/* The deadline passed: are the daemons busy, or quiet? */
		if (ms_since(&w->answered) >= BUSY_PATIENCE_MS) {
			w->out_of_patience = 1;
			break;
		}
		bus_pid = w->bus_pid;
		pthread_mutex_unlock(&w->mu);
		sample_activity(w, bus_pid, &now);
		pthread_mutex_lock(&w->mu);
		/* A connect() still pending has reached a listening bus
		 * (an absent one refuses at once) whose queue is full:
		 * busy by definition. */
		if (w->connecting || now.running || (noted && base.ns >= 0 &&
		    now.ns - base.ns >= BUSY_MIN_CPU_NS)) {
			clock_gettime(CLOCK_MONOTONIC, &w->soft);
			timespec_add_ms(&w->soft, w->budget_ms);
			w->busy_waits++;
			noted = 0;
			continue;
		}
		break;
	}
	if (!w->done) {
		w->fired = 1;
		pthread_mutex_unlock(&w->mu);
		g_cancellable_cancel(w->cancel);
		pthread_mutex_lock(&w->mu);
		clock_gettime(CLOCK_MONOTONIC, &hard);
		timespec_add_ms(&hard, WATCHDOG_GRACE_MS);
		while (!w->done && !timespec_passed(&hard))
			pthread_cond_timedwait(&w->cv, &w->mu, &hard);
		if (!w->done)
			pthread_kill(w->caller, watchdog_signo());
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/*
 * The operation under way, for the connection filter below (the filter
 * runs on GDBus's worker thread).
 */
static pthread_mutex_t current_mu = PTHREAD_MUTEX_INITIALIZER;
static struct watchdog *current;

/* An answer from the daemon: the window starts again. */
static void
watchdog_answered(struct watchdog *w)
{
	struct timespec soft;

	pthread_mutex_lock(&w->mu);
	clock_gettime(CLOCK_MONOTONIC, &w->answered);
	soft = w->answered;
	timespec_add_ms(&soft, w->budget_ms);
	/* Never shortens a window an unlock prompt has lengthened. */
	if (timespec_before(&w->soft, &soft))
		w->soft = soft;
	pthread_mutex_unlock(&w->mu);
}

/* Sees every message the connection receives, on GDBus's worker thread:
 * a reply or error from anyone but the bus itself is the daemon's. */
static GDBusMessage *
answer_filter(GDBusConnection *bus, GDBusMessage *msg, gboolean incoming,
    gpointer data)
{
	GDBusMessageType type;
	const char *sender;

	(void)bus;
	(void)data;
	if (!incoming)
		return msg;
	type = g_dbus_message_get_message_type(msg);
	if (type != G_DBUS_MESSAGE_TYPE_METHOD_RETURN &&
	    type != G_DBUS_MESSAGE_TYPE_ERROR)
		return msg;
	sender = g_dbus_message_get_sender(msg);
	if (sender == NULL || strcmp(sender, "org.freedesktop.DBus") == 0)
		return msg;
	pthread_mutex_lock(&current_mu);
	if (current != NULL)
		watchdog_answered(current);
	pthread_mutex_unlock(&current_mu);
	return msg;
}

void
ss_watch_answers(struct ss_handle *h)
{
	if (h->bus != NULL && h->filter == 0)
		h->filter = g_dbus_connection_add_filter(h->bus, answer_filter,
		    NULL, NULL);
}

void
ss_unwatch_answers(struct ss_handle *h)
{
	if (h->bus != NULL && h->filter != 0)
		g_dbus_connection_remove_filter(h->bus, h->filter);
	h->filter = 0;
}

/* The bus daemon's process, learnt while connecting (its socket's peer). */
void
ss_watchdog_know_bus(struct watchdog *w, pid_t pid)
{
	pthread_mutex_lock(&w->mu);
	w->bus_pid = pid;
	pthread_mutex_unlock(&w->mu);
}

/* Whether the socket's connect() to the bus is under way. */
void
ss_watchdog_connecting(struct watchdog *w, int connecting)
{
	pthread_mutex_lock(&w->mu);
	w->connecting = connecting;
	pthread_mutex_unlock(&w->mu);
}

/* Moves the deadline to `ms` from now (used around an unlock prompt). */
void
ss_watchdog_extend(struct watchdog *w, unsigned int ms)
{
	pthread_mutex_lock(&w->mu);
	clock_gettime(CLOCK_MONOTONIC, &w->soft);
	timespec_add_ms(&w->soft, ms);
	w->budget_ms = ms;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

/* Appends s to buf (size bytes, n used), truncating; no lock. */
static void
append(char *buf, size_t size, size_t *n, const char *s)
{
	while (*s != '\0' && *n < size - 1)
		buf[(*n)++] = *s++;
	buf[*n] = '\0';
}

/*
 * After the watchdog's signal: the one line, the wipe and _exit(1), by
 * ghcr_exit_abandoned(), with nothing that can take a lock on the way
 * (the message is put together by hand, not by printf).
 */
static void __attribute__((noreturn))
abandon(struct ss_handle *h, unsigned int ms)
{
	char detail[512], digits[16];
	size_t n = 0, d = sizeof(digits) - 1;

	secmem_wipe(h->key, sizeof(h->key));
	digits[d] = '\0';
	do
		digits[--d] = (char)('0' + ms % 10);
	while ((ms /= 10) != 0 && d > 0);
	append(detail, sizeof(detail), &n, "Secret Service did not answer "
	    "within ");
	append(detail, sizeof(detail), &n, digits + d);
	append(detail, sizeof(detail), &n, " ms and ignored cancellation; "
	    FILE_HINT);
	ghcr_exit_abandoned(GHCR_ERR_UNAVAILABLE, detail);
}

/*
 * Runs fn under a fresh cancellable and the watchdog.  sigsetjmp() lives
 * here so that its frame is alive for the whole call it may jump out of.
 */
int
ss_run_guarded(struct ss_handle *h, guarded_fn fn, void *arg)
{
	struct watchdog w;
	struct sigaction sa, old_sa;
	pthread_condattr_t ca;
	volatile int r = GHCR_ERR_UNAVAILABLE;
	volatile int have_thread = 0;

	memset(&w, 0, sizeof(w));
	pthread_mutex_init(&w.mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w.cv, &ca);
	pthread_condattr_destroy(&ca);
	w.caller = pthread_self();
	w.caller_tid = gettid();
	w.cancel = g_cancellable_new();
	w.budget_ms = DEADLINE_MS;
	w.bus = h->bus;
	w.provider = &h->provider;
	w.bus_pid = h->bus_pid;
	clock_gettime(CLOCK_MONOTONIC, &w.soft);
	w.answered = w.soft;
	timespec_add_ms(&w.soft, DEADLINE_MS);
	h->cancel = w.cancel;
	pthread_mutex_lock(&current_mu);
	current = &w;
	pthread_mutex_unlock(&current_mu);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = watchdog_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(watchdog_signo(), &sa, &old_sa);

	if (sigsetjmp(watchdog_jump, 1) != 0)
		abandon(h, w.budget_ms + WATCHDOG_GRACE_MS);
	if (pthread_create(&w.thread, NULL, watchdog_main, &w) != 0) {
		r = ghcr_fail(GHCR_ERR_SYSTEM,
		    "cannot start the Secret Service watchdog thread");
	} else {
		have_thread = 1;
		watchdog_armed = 1;
		r = fn(h, &w, arg);
		watchdog_armed = 0;
	}

	pthread_mutex_lock(&current_mu);
	current = NULL;
	pthread_mutex_unlock(&current_mu);
	if (have_thread) {
		pthread_mutex_lock(&w.mu);
		w.done = 1;
		pthread_cond_signal(&w.cv);
		pthread_mutex_unlock(&w.mu);
		pthread_join(w.thread, NULL);
	}
	sigaction(watchdog_signo(), &old_sa, NULL);
	h->cancel = NULL;
	g_object_unref(w.cancel);
	pthread_cond_destroy(&w.cv);
	pthread_mutex_destroy(&w.mu);
	return r;
}
