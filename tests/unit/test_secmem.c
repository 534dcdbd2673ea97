/*
 * The stack wipe (common/secmem_stack.c): once tainted, what a library left
 * on the stack below the caller is gone, and the wipe faults in no page the
 * process had not touched.  Each case runs on a fresh thread, so the stack
 * below it is known to be untouched; the dead frame is read back through
 * /proc/self/mem, not through a pointer the compiler may reason about.
 * And the abandon path's wipe of every live block (secmem_wipe_live())
 * while another thread frees and allocates blocks, as libcurl's resolver
 * thread may: every secret is wiped and the walk never follows a freed
 * block.
 */
#include <check.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "secmem.h"

#define MARK 0xa5
#define MARK_LEN 4096
#define WINDOW_PAGES 10 /* the 32 KiB wipe and a little more */

static uintptr_t marked_at;

/* A library's frame that kept a secret: MARK_LEN marker bytes, on the real
 * stack even under AddressSanitizer (as libcrypto's uninstrumented frames
 * are). */
static __attribute__((noinline, no_sanitize_address)) void
leave_marker(void)
{
	volatile unsigned char secret[MARK_LEN];

	for (size_t i = 0; i < sizeof(secret); i++)
		secret[i] = MARK;
	marked_at = (uintptr_t)secret;
}

/* How many 8-byte words of the marker are still whole in memory (read into
 * the heap: a buffer on the stack would lie over the dead frame).  Whole
 * words, because the calls made since write a few bytes there, some of
 * which may happen to equal MARK. */
static size_t
marker_words_left(void)
{
	unsigned char *back = malloc(MARK_LEN);
	size_t left = 0;
	int fd = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);

	ck_assert_ptr_nonnull(back);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, back, MARK_LEN, (off_t)marked_at), MARK_LEN);
	close(fd);
	for (size_t i = 0; i + 8 <= MARK_LEN; i += 8) {
		size_t same = 0;

		for (size_t j = 0; j < 8; j++)
			same += back[i + j] == MARK;
		left += same == 8;
	}
	free(back);
	return left;
}

/* Residency of the WINDOW_PAGES pages below the page of `here`. */
static void
resident_below(const void *here, unsigned char vec[WINDOW_PAGES])
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t top = (uintptr_t)here & ~(page - 1);

	ck_assert_int_eq(mincore((void *)(top - WINDOW_PAGES * page),
	    WINDOW_PAGES * page, vec), 0);
}

struct outcome {
	size_t left;        /* marker words left after the wipe */
	int untouched;      /* window pages not resident before it */
	int faulted_in;     /* of those, resident after it */
};

static void *
run_wipe(void *arg)
{
	struct outcome *o = arg;
	unsigned char before[WINDOW_PAGES], after[WINDOW_PAGES];
	int here;

	secmem_taint_stack();
	leave_marker();
	resident_below(&here, before);
	secmem_wipe_stack();
	resident_below(&here, after);
	o->left = marker_words_left();
	for (int i = 0; i < WINDOW_PAGES; i++) {
		o->untouched += (before[i] & 1) == 0;
		o->faulted_in += (before[i] & 1) == 0 && (after[i] & 1) != 0;
	}
	return NULL;
}

static void *
run_untainted(void *arg)
{
	struct outcome *o = arg;

	secmem_wipe_stack(); /* clears a taint an earlier test left */
	leave_marker();
	secmem_wipe_stack();
	o->left = marker_words_left();
	return NULL;
}

static struct outcome
on_fresh_thread(void *(*fn)(void *))
{
	struct outcome o = { 0 };
	pthread_t t;

	ck_assert_int_eq(pthread_create(&t, NULL, fn, &o), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	return o;
}

START_TEST(test_tainted_wipe_clears_a_dead_frame)
{
	struct outcome o = on_fresh_thread(run_wipe);

	ck_assert_msg(o.left == 0, "%zu of %d words of the secret left on the "
	    "stack", o.left, MARK_LEN / 8);
}
END_TEST

START_TEST(test_wipe_faults_in_no_untouched_page)
{
	struct outcome o = on_fresh_thread(run_wipe);

	/* A fresh thread's stack below its first frames is untouched; the
	 * wipe's own calls may touch the bottom page of its frame. */
	ck_assert_msg(o.untouched >= 4, "only %d untouched pages to watch",
	    o.untouched);
	ck_assert_msg(o.faulted_in <= 1, "the wipe faulted in %d of %d "
	    "untouched pages", o.faulted_in, o.untouched);
}
END_TEST

START_TEST(test_untainted_wipe_is_a_no_op)
{
	struct outcome o = on_fresh_thread(run_untainted);

	/* Shows the check above can see a marker that was not wiped (the
	 * calls made since overwrite some of it). */
	ck_assert_msg(o.left > MARK_LEN / 8 / 2, "only %zu of %d marker words "
	    "left without a taint", o.left, MARK_LEN / 8);
}
END_TEST

/* --- the abandon path's wipe, with another thread freeing ---------------- */

#define SECRETS 64
#define SECRET_LEN 256
#define CHURN 512
#define CHURN_LEN 4096
#define ROUNDS 200

static unsigned char *churn[CHURN];
static atomic_long churned;

/* Frees and allocates blocks in the middle of the list, forever (until
 * the wipe holds the lock, or the process ends). */
static void *
churn_blocks(void *arg)
{
	(void)arg;
	for (size_t i = 0;; i = (i * 7 + 1) % CHURN) {
		secmem_free(churn[i]);
		churn[i] = secmem_alloc(CHURN_LEN);
		atomic_fetch_add(&churned, 1);
	}
	return NULL;
}

/* One round, in a child of its own (the wipe keeps the list locked): the
 * exit status says how many secrets were left unwiped (0: all wiped). */
static void
one_round(void)
{
	unsigned char *secret[SECRETS];
	pthread_t t;
	int left = 0;

	for (int i = 0; i < SECRETS; i++) {
		if ((secret[i] = secmem_alloc(SECRET_LEN)) == NULL)
			_exit(100);
		memset(secret[i], MARK, SECRET_LEN);
	}
	for (int i = 0; i < CHURN; i++)
		if ((churn[i] = secmem_alloc(CHURN_LEN)) == NULL)
			_exit(100);
	if (pthread_create(&t, NULL, churn_blocks, NULL) != 0)
		_exit(101);
	while (atomic_load(&churned) < 2 * CHURN)
		sched_yield();
	secmem_wipe_live();
	for (int i = 0; i < SECRETS; i++)
		for (int k = 0; k < SECRET_LEN; k++)
			if (secret[i][k] != 0) {
				left++;
				break;
			}
	_exit(left);
}

START_TEST(test_the_abandon_wipe_races_no_thread_that_frees)
{
	/* Valgrind runs one thread at a time: fewer rounds, same race. */
	int rounds = getenv("GHCR_UNDER_VALGRIND") != NULL ? ROUNDS / 10 : ROUNDS;
	int crashed = 0, unwiped = 0, hung = 0, worst = 0;

	for (int round = 0; round < rounds; round++) {
		struct timespec pause = { 0, 1000000 };
		pid_t pid = fork();
		int status = 0, waited = 0;

		ck_assert_int_ge(pid, 0);
		if (pid == 0)
			one_round();
		/* A walk that follows a freed block may loop: 10 s at most. */
		while (waitpid(pid, &status, WNOHANG) == 0 && waited++ < 10000)
			nanosleep(&pause, NULL);
		if (waited > 10000) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			hung++;
		} else if (WIFSIGNALED(status))
			crashed++;
		else if (WEXITSTATUS(status) >= 100)
			ck_abort_msg("round %d could not allocate or start a thread", round);
		else if (WEXITSTATUS(status) != 0) {
			unwiped++;
			if (WEXITSTATUS(status) > worst)
				worst = WEXITSTATUS(status);
		}
	}
	ck_assert_msg(crashed == 0 && unwiped == 0 && hung == 0, "of %d wipes "
	    "racing a thread that frees: %d crashed, %d left secrets unwiped "
	    "(up to %d of %d), %d hung", rounds, crashed, unwiped, worst,
	    SECRETS, hung);
}
END_TEST

Suite *suite_secmem(void);

Suite *
suite_secmem(void)
{
	Suite *s = suite_create("secmem");
	TCase *tc = tcase_create("stack wipe");

	tcase_add_test(tc, test_tainted_wipe_clears_a_dead_frame);
	tcase_add_test(tc, test_wipe_faults_in_no_untouched_page);
	tcase_add_test(tc, test_untainted_wipe_is_a_no_op);
	suite_add_tcase(s, tc);
	tc = tcase_create("abandon");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_the_abandon_wipe_races_no_thread_that_frees);
	suite_add_tcase(s, tc);
	return s;
}
