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
 * spin lock, cheap when uncontended.  The fences keep every store in
 * program order, so a walk from a signal's aftermath (secmem_wipe_live(),
 * which cannot wait for a lock its own thread may hold) sees a list that
 * is whole, before or after the change it interrupted.
 */
static union secmem_header *live;
static atomic_flag live_lock = ATOMIC_FLAG_INIT;

static void
lock_live(void)
{
	while (atomic_flag_test_and_set_explicit(&live_lock, memory_order_acquire))
		sched_yield();
}

static void
unlock_live(void)
{
	atomic_flag_clear_explicit(&live_lock, memory_order_release);
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
