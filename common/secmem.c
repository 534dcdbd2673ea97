/*
 * Wiping allocator for secrets (see secmem.h).  Each block carries its size
 * in a header so that secmem_free() can wipe all of it; this is also the
 * allocator jansson uses, whose json_free_t has no size argument.  The
 * live blocks are also chained in a list, so that secmem_wipe_live() can
 * wipe them all without malloc's lock (see secmem.h).
 */
#include "secmem.h"

#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Header padded to max_align_t so the payload stays suitably aligned. */
union secmem_header {
	struct {
		size_t size;
		union secmem_header *prev, *next;
	} b;
	max_align_t align;
};

/*
 * The live blocks, newest first.  Most allocations come from the main
 * thread, but not all: libcurl allocates through this allocator (the
 * check module) from its resolver thread too, so the list is guarded by a
 * spin lock, cheap when uncontended, that also records which thread holds
 * it.  The fences keep every store in program order, so a walk from a
 * signal's aftermath (secmem_wipe_live(), which cannot wait for a lock its
 * own thread may hold) sees a list that is whole, before or after the
 * change it interrupted.
 */
static union secmem_header *live;
static atomic_flag live_lock = ATOMIC_FLAG_INIT;
/* The holder: the address of its this_thread, NULL when free (or in the
 * two instructions between taking the flag and saying so). */
static _Atomic(const char *) live_owner;
static _Thread_local char this_thread;

/*
 * How long secmem_wipe_live() waits for another thread to leave the list.
 * The section it waits for is a few pointer stores that never block, so
 * only a holder the scheduler left off the processor for this long makes
 * it give up waiting; see there.
 */
#define WIPE_WAIT_NS 1000000000L

static void
lock_live(void)
{
	while (atomic_flag_test_and_set_explicit(&live_lock, memory_order_acquire))
		sched_yield();
	atomic_store_explicit(&live_owner, &this_thread, memory_order_relaxed);
}

static void
unlock_live(void)
{
	atomic_store_explicit(&live_owner, NULL, memory_order_relaxed);
	atomic_flag_clear_explicit(&live_lock, memory_order_release);
}

/*
 * Takes the list's lock for the abandon path, without ever waiting for
 * its own thread: 1 when taken, 0 when the walk must go without it.  It
 * goes without only when this thread was interrupted inside the list's
 * section (then no other thread can change the list, for they need the
 * lock, and the fences make it whole), or when another holder did not
 * leave within WIPE_WAIT_NS.  Only clock_gettime() and sched_yield(),
 * which take no lock.
 */
static int
lock_live_for_exit(void)
{
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (atomic_flag_test_and_set_explicit(&live_lock, memory_order_acquire)) {
		if (atomic_load_explicit(&live_owner, memory_order_relaxed) == &this_thread)
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - start.tv_sec) * 1000000000L +
		    (now.tv_nsec - start.tv_nsec) >= WIPE_WAIT_NS)
			return 0;
		sched_yield();
	}
	atomic_store_explicit(&live_owner, &this_thread, memory_order_relaxed);
	return 1;
}

void
secmem_wipe(void *p, size_t n)
{
	if (p != NULL)
		explicit_bzero(p, n);
}

void *
secmem_alloc(size_t n)
{
	union secmem_header *h;

	if (n > SIZE_MAX - sizeof(*h))
		return NULL;
	h = calloc(1, sizeof(*h) + n);
	if (h == NULL)
		return NULL;
	h->b.size = n;
	lock_live();
	h->b.next = live;
	if (live != NULL)
		live->b.prev = h;
	atomic_signal_fence(memory_order_seq_cst);
	live = h;
	unlock_live();
	return h + 1;
}

void
secmem_free(void *p)
{
	union secmem_header *h;

	if (p == NULL)
		return;
	h = (union secmem_header *)p - 1;
	lock_live();
	if (h->b.prev != NULL)
		h->b.prev->b.next = h->b.next;
	else
		live = h->b.next;
	if (h->b.next != NULL)
		h->b.next->b.prev = h->b.prev;
	atomic_signal_fence(memory_order_seq_cst);
	unlock_live();
	explicit_bzero(h, sizeof(*h) + h->b.size);
	free(h);
}

char *
secmem_strndup(const char *s, size_t n)
{
	char *copy;

	if (s == NULL)
		return NULL;
	n = strnlen(s, n);
	copy = secmem_alloc(n + 1);
	if (copy != NULL)
		memcpy(copy, s, n);
	return copy;
}

char *
secmem_strdup(const char *s)
{
	return s == NULL ? NULL : secmem_strndup(s, strlen(s));
}

void
secmem_wipe_live(void)
{
	/* Holding the lock, the walk cannot meet a block that another thread
	 * (libcurl's resolver, still running after its handle was cleaned
	 * up) frees under it.  It is never given back: the process is about
	 * to _exit(), and a thread that would now allocate or free waits at
	 * the lock instead of changing the list. */
	(void)lock_live_for_exit();
	for (union secmem_header *h = live; h != NULL; h = h->b.next)
		explicit_bzero(h + 1, h->b.size);
	secmem_wipe_stack_below();
}

int
secmem_compare(const void *a, const void *b, size_t n)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char diff = 0;

	for (size_t i = 0; i < n; i++)
		diff |= x[i] ^ y[i];
	return diff != 0;
}
