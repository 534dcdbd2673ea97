/*
 * The Secret Service module's promise never to hang: the per-call
 * deadline (DOCKER_CREDENTIAL_GHCR_SECRETSERVICE_TIMEOUT) and the watchdog
 * thread that cancels an operation at that deadline, and abandons one that
 * ignores cancellation, under which every operation runs (run_guarded()).
 */
#include "ss_private.h"
#include "errors.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

unsigned int
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

static sigjmp_buf watchdog_jump;
static volatile sig_atomic_t watchdog_armed;
int module_abandoned;

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
void
watchdog_extend(struct watchdog *w, unsigned int ms)
{
	pthread_mutex_lock(&w->mu);
	clock_gettime(CLOCK_MONOTONIC, &w->soft);
	timespec_add_ms(&w->soft, ms);
	w->budget_ms = ms;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

/*
 * Runs fn under a fresh cancellable and the watchdog.  sigsetjmp() lives
 * here so that its frame is alive for the whole call it may jump out of.
 */
int
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
