/*
 * hv/heap.h: the hypervisor's memory allocator, a first-fit free list over a
 * static pool. Its main customer is Capstone (through hv/hv_libc.c), which
 * allocates a few kilobytes once and then nothing per decode.
 * Runs in: hypervisor, ring 0; compiled for the host too, for its tests.
 *
 * Out of memory returns NULL: the caller decides what that means. Freeing a
 * pointer the heap never handed out (or freeing it twice) changes nothing
 * and is counted in bad_frees, so a bug shows in the statistics instead of
 * corrupting the pool.
 */
#ifndef TV_HV_HEAP_H
#define TV_HV_HEAP_H

#include <stddef.h>
#include <stdint.h>

#ifndef HV_HEAP_SIZE
#define HV_HEAP_SIZE	(1024u * 1024u)	/* bytes in the pool, headers included */
#endif
#define HV_HEAP_ALIGN	16u		/* every pointer returned is aligned to this */

void *hv_malloc(size_t size);
void hv_free(void *p);
void *hv_calloc(size_t count, size_t size);
void *hv_realloc(void *p, size_t size);

struct hv_heap_stats {
	size_t pool_size;	/* HV_HEAP_SIZE */
	size_t in_use;		/* bytes in allocated blocks, headers included */
	size_t peak_in_use;
	uint32_t allocs;	/* successful hv_malloc/hv_calloc/hv_realloc moves */
	uint32_t frees;
	uint32_t failures;	/* requests that returned NULL for lack of memory */
	uint32_t bad_frees;	/* hv_free of a pointer not currently allocated */
};

const struct hv_heap_stats *hv_heap_stats(void);

#endif
