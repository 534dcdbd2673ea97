/*
 * Wiping the stack below main() (see secmem.h).  Only pages already in
 * memory are written: a page of the stack the process never reached holds
 * nothing, and writing it would cost a page fault (about 10 us each on a
 * virtual machine, more than the whole wipe) for each of the up to eight
 * pages.  mincore() says which pages are resident.
 *
 * This file is compiled without -fstack-clash-protection (see the
 * Makefile): its probes would touch every page of the 32 KiB frame below,
 * which is exactly what is avoided.  No other function is built that way,
 * and a 32 KiB frame cannot step over the kernel's stack guard gap
 * (256 pages), which is what the probes defend against.
 */
#include "secmem.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define SECMEM_STACK_WIPE (32 * 1024)
#define SECMEM_MIN_PAGE 4096

static int stack_tainted;

void
secmem_taint_stack(void)
{
	stack_tainted = 1;
}

/* Not instrumented: under AddressSanitizer's use-after-return checking an
 * instrumented frame lives on the heap, and the wipe would miss the stack. */
void __attribute__((noinline, no_sanitize_address))
secmem_wipe_stack_below(void)
{
	unsigned char frame[SECMEM_STACK_WIPE];
	unsigned char resident[SECMEM_STACK_WIPE / SECMEM_MIN_PAGE + 1];
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t lo = (uintptr_t)frame, hi = lo + sizeof(frame);
	uintptr_t first = lo & ~(page - 1);
	size_t pages = (hi - first + page - 1) / page;

	/* Unknown residency (odd page size, mincore() refused): wipe all. */
	if (page < SECMEM_MIN_PAGE || pages > sizeof(resident) ||
	    mincore((void *)first, pages * page, resident) != 0) {
		explicit_bzero(frame, sizeof(frame));
	} else {
		for (size_t i = 0; i < pages; i++) {
			uintptr_t from = first + i * page, to = from + page;

			if ((resident[i] & 1) == 0)
				continue;
			from = from < lo ? lo : from;
			to = to > hi ? hi : to;
			explicit_bzero(frame + (from - lo), to - from);
		}
	}
	/* Keep the buffer (and so the wipe) from being optimised away. */
	__asm__ __volatile__("" : : "r"(frame) : "memory");
}

void
secmem_wipe_stack(void)
{
	if (stack_tainted)
		secmem_wipe_stack_below();
	stack_tainted = 0;
}
