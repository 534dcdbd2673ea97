/*
 * The stack wipe (common/secmem_stack.c): once tainted, what a library left
 * on the stack below the caller is gone, and the wipe faults in no page the
 * process had not touched.  Each case runs on a fresh thread, so the stack
 * below it is known to be untouched; the dead frame is read back through
 * /proc/self/mem, not through a pointer the compiler may reason about.
 */
#include <check.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
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
	return s;
}
