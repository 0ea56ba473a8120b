/*
 * hv/heap.c: a first-fit free-list allocator over a static pool.
 * Runs in: hypervisor, ring 0; compiled for the host too, for its tests.
 *
 * 1. Every block, free or allocated, starts with a header giving its size
 *    and whether it is free; the payload follows, aligned to HV_HEAP_ALIGN.
 * 2. Free blocks are chained in address order. hv_malloc takes the first
 *    one large enough and splits off the rest if the rest can hold a block.
 * 3. hv_free puts the block back in address order and merges it with free
 *    neighbours, so the pool does not crumble into small pieces.
 * The hypervisor runs on one CPU with interrupts off while it allocates, so
 * there is no locking.
 */
#include "hv/heap.h"
#include "lib/string.h"

#define HEAP_MAGIC_USED	0x55534544u	/* "USED" */
#define HEAP_MAGIC_FREE	0x46524545u	/* "FREE" */

struct heap_block {
	size_t size;			/* whole block, header included */
	uint32_t magic;			/* HEAP_MAGIC_USED or HEAP_MAGIC_FREE */
	struct heap_block *next_free;	/* next free block by address; free blocks only */
};

#define ALIGN_UP(n, a)	(((n) + (a) - 1) & ~((size_t)(a) - 1))
#define HEADER_SIZE	ALIGN_UP(sizeof(struct heap_block), HV_HEAP_ALIGN)
#define MIN_BLOCK	(HEADER_SIZE + HV_HEAP_ALIGN)

static unsigned char heap_pool[HV_HEAP_SIZE] __attribute__((aligned(HV_HEAP_ALIGN)));
static struct heap_block *free_list;
static int heap_ready;
static struct hv_heap_stats stats;

/* The pool starts as one free block; done on first use so no init call is needed. */
static void heap_init(void)
{
	free_list = (struct heap_block *)heap_pool;
	free_list->size = HV_HEAP_SIZE & ~((size_t)HV_HEAP_ALIGN - 1);
	free_list->magic = HEAP_MAGIC_FREE;
	free_list->next_free = NULL;
	stats.pool_size = HV_HEAP_SIZE;
	heap_ready = 1;
}

static struct heap_block *block_of(void *p)
{
	return (struct heap_block *)((unsigned char *)p - HEADER_SIZE);
}

static void *payload_of(struct heap_block *b)
{
	return (unsigned char *)b + HEADER_SIZE;
}

/* Is p exactly a payload pointer of an allocated block? */
static int heap_owns(void *p)
{
	uintptr_t a = (uintptr_t)p;
	uintptr_t lo = (uintptr_t)heap_pool + HEADER_SIZE;
	uintptr_t hi = (uintptr_t)heap_pool + HV_HEAP_SIZE;

	if (a < lo || a >= hi || (a & (HV_HEAP_ALIGN - 1)) != 0)
		return 0;
	return block_of(p)->magic == HEAP_MAGIC_USED;
}

void *hv_malloc(size_t size)
{
	struct heap_block **link, *b;
	size_t need;

	if (!heap_ready)
		heap_init();
	/* Refuse before the arithmetic below can wrap. */
	if (size > HV_HEAP_SIZE) {
		stats.failures++;
		return NULL;
	}
	need = ALIGN_UP(size + HEADER_SIZE, HV_HEAP_ALIGN);
	if (need < MIN_BLOCK)
		need = MIN_BLOCK;

	for (link = &free_list; (b = *link) != NULL; link = &b->next_free) {
		if (b->size < need)
			continue;
		if (b->size - need >= MIN_BLOCK) {
			struct heap_block *rest =
				(struct heap_block *)((unsigned char *)b + need);
			rest->size = b->size - need;
			rest->magic = HEAP_MAGIC_FREE;
			rest->next_free = b->next_free;
			b->size = need;
			*link = rest;
		} else {
			*link = b->next_free;
		}
		b->magic = HEAP_MAGIC_USED;
		b->next_free = NULL;
		stats.allocs++;
		stats.in_use += b->size;
		if (stats.in_use > stats.peak_in_use)
			stats.peak_in_use = stats.in_use;
		return payload_of(b);
	}
	stats.failures++;
	return NULL;
}

/* Merge b with the block right after it if that one is b's successor in the free list. */
static void merge_with_next(struct heap_block *b)
{
	struct heap_block *n = b->next_free;

	if (n && (unsigned char *)b + b->size == (unsigned char *)n) {
		b->size += n->size;
		b->next_free = n->next_free;
		n->magic = 0;
	}
}

void hv_free(void *p)
{
	struct heap_block *b, *prev, *cur;

	if (!p)
		return;
	if (!heap_ready || !heap_owns(p)) {
		stats.bad_frees++;
		return;
	}
	b = block_of(p);
	b->magic = HEAP_MAGIC_FREE;
	stats.frees++;
	stats.in_use -= b->size;

	prev = NULL;
	for (cur = free_list; cur && cur < b; cur = cur->next_free)
		prev = cur;
	b->next_free = cur;
	if (prev)
		prev->next_free = b;
	else
		free_list = b;

	merge_with_next(b);
	if (prev)
		merge_with_next(prev);
}

void *hv_calloc(size_t count, size_t size)
{
	void *p;

	if (size != 0 && count > HV_HEAP_SIZE / size) {
		if (!heap_ready)
			heap_init();
		stats.failures++;
		return NULL;
	}
	p = hv_malloc(count * size);
	if (p)
		memset(p, 0, count * size);
	return p;
}

void *hv_realloc(void *p, size_t size)
{
	struct heap_block *b;
	size_t old_payload;
	void *q;

	if (!p)
		return hv_malloc(size);
	if (!heap_owns(p)) {
		stats.bad_frees++;
		return NULL;
	}
	if (size == 0) {
		hv_free(p);
		return NULL;
	}
	b = block_of(p);
	old_payload = b->size - HEADER_SIZE;
	if (size <= old_payload)
		return p;
	q = hv_malloc(size);
	if (!q)
		return NULL;	/* as C's realloc: the old block stays valid */
	memcpy(q, p, old_payload);
	hv_free(p);
	return q;
}

const struct hv_heap_stats *hv_heap_stats(void)
{
	if (!heap_ready)
		heap_init();
	return &stats;
}
