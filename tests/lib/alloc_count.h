/* Counting heap allocations, for the programs that check "nothing is
 * allocated once warm" (tests/unit/test_stats.c, bench/monitor.c).  The
 * including program's own malloc family forwards to glibc's and counts
 * while `counting` is set.  Include it in one file of one program only.
 * Under ASan, which brings its own allocator, COUNT_ALLOCS is 0 and
 * nothing is counted. */
#ifndef BERTH_ALLOC_COUNT_H
#define BERTH_ALLOC_COUNT_H

#include <stddef.h>

#if defined(__SANITIZE_ADDRESS__)
#define COUNT_ALLOCS 0
static volatile int counting;
static volatile long allocs;
#else
#define COUNT_ALLOCS 1
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);
static volatile int counting;
static volatile long allocs;
void *malloc(size_t n)
{
	allocs += counting;
	return __libc_malloc(n);
}
void *calloc(size_t n, size_t size)
{
	allocs += counting;
	return __libc_calloc(n, size);
}
void *realloc(void *p, size_t n)
{
	allocs += counting;
	return __libc_realloc(p, n);
}
void free(void *p)
{
	__libc_free(p);
}
#endif

#endif
