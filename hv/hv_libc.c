/*
 * hv/hv_libc.c: the few C-library functions Capstone calls by name that
 * lib/ does not provide: malloc, calloc, realloc and free (on hv/heap.c),
 * and qsort (Capstone sorts a register table once, at its first decode).
 * Runs in: hypervisor, ring 0. Never built for the host, where the real C
 * library provides all of these.
 *
 * lib/string.c and lib/format.c provide memcpy, memmove, memset, strlen,
 * strcmp, strncpy and vsnprintf, the rest of what Capstone needs.
 */
#include <stddef.h>

#include "hv/heap.h"

void *malloc(size_t size);
void *calloc(size_t count, size_t size);
void *realloc(void *p, size_t size);
void free(void *p);
void qsort(void *base, size_t count, size_t size,
	   int (*compare)(const void *, const void *));

void *malloc(size_t size)
{
	return hv_malloc(size);
}

void *calloc(size_t count, size_t size)
{
	return hv_calloc(count, size);
}

void *realloc(void *p, size_t size)
{
	return hv_realloc(p, size);
}

void free(void *p)
{
	hv_free(p);
}

static void swap_bytes(unsigned char *a, unsigned char *b, size_t size)
{
	while (size--) {
		unsigned char t = *a;
		*a++ = *b;
		*b++ = t;
	}
}

/* Move the element at root down the max-heap of count elements until both
 * its children are no larger than it. */
static void sift_down(unsigned char *base, size_t root, size_t count,
		      size_t size, int (*compare)(const void *, const void *))
{
	for (;;) {
		size_t child = 2 * root + 1;

		if (child >= count)
			return;
		if (child + 1 < count &&
		    compare(base + child * size, base + (child + 1) * size) < 0)
			child++;
		if (compare(base + root * size, base + child * size) >= 0)
			return;
		swap_bytes(base + root * size, base + child * size, size);
		root = child;
	}
}

/*
 * Heapsort: O(n log n) in the worst case, in place, and no recursion, so the
 * hypervisor's small stack is safe whatever the input. Like the C library's
 * qsort it is not stable.
 */
void qsort(void *base, size_t count, size_t size,
	   int (*compare)(const void *, const void *))
{
	unsigned char *b = base;
	size_t i;

	if (count < 2 || size == 0)
		return;
	for (i = count / 2; i-- > 0;)
		sift_down(b, i, count, size, compare);
	for (i = count - 1; i > 0; i--) {
		swap_bytes(b, b + i * size, size);
		sift_down(b, 0, i, size, compare);
	}
}
