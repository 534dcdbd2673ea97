/*
 * Memory for secrets.  Every buffer that may hold a token is allocated here
 * and released with secmem_free(), which wipes the whole allocation before
 * giving it back; jansson is pointed at the same pair so that its copies of
 * a secret are wiped too.
 */
#ifndef GHCR_SECMEM_H
#define GHCR_SECMEM_H

#include <stddef.h>

/* Zeroed allocation of n bytes; NULL when out of memory. */
void *secmem_alloc(size_t n);

/* Wipes and frees an allocation from secmem_alloc(); NULL is accepted. */
void secmem_free(void *p);

/* Copy of s (or of its first n bytes) in wiped memory; NULL on ENOMEM or s NULL. */
char *secmem_strdup(const char *s);
char *secmem_strndup(const char *s, size_t n);

/* Overwrites n bytes at p in a way the compiler may not elide. */
void secmem_wipe(void *p, size_t n);

/*
 * Libraries decrypt through stack buffers we do not own (OpenSSL's GCM
 * leaves plaintext blocks there).  Code that hands a secret to such a
 * library calls secmem_taint_stack(); main() calls secmem_wipe_stack()
 * before exiting, which then overwrites the 32 KiB of stack below it
 * (the pages of it the process has touched; the others hold nothing), so
 * no copy of a secret outlives the request.  Untainted, the wipe is a
 * no-op and touches no fresh stack pages.
 */
void secmem_taint_stack(void);
void secmem_wipe_stack(void);
/* The wipe itself, tainted or not (secmem_wipe_live() uses it). */
void secmem_wipe_stack_below(void);

/*
 * For a process about to _exit() from a thread interrupted at an unknown
 * point (it may hold malloc's lock, or this allocator's): wipes every live
 * secmem block, and the 32 KiB of stack below the caller, freeing nothing.
 * secmem_alloc() and secmem_free() may be called from any thread (they
 * share a spin lock).  This walk takes that lock too, so no other thread
 * frees a block under it, and keeps it: after it, secmem_alloc() and
 * secmem_free() wait forever, so call it only on the way to _exit().  It
 * never waits for its own thread, should the interruption have come while
 * that thread held the lock (the list cannot change then), and waits for
 * another thread at most a second (see secmem.c).
 */
void secmem_wipe_live(void);

/* Constant-time comparison of n bytes; 0 when equal. */
int secmem_compare(const void *a, const void *b, size_t n);

#endif
