/*
 * hv/decode.c: the decoder and its decode cache.
 * Runs in: hypervisor, ring 0 (the #GP handler); compiled for the host too,
 * for its tests (TV_HOSTED).
 *
 * 1. decode_init opens Capstone once. In the hypervisor Capstone allocates
 *    from hv/heap.c; on the host from the C library.
 * 2. decode_at looks in a direct-mapped cache slot chosen by hashing the
 *    guest linear address. A hit costs a hash, a compare of at most 15 bytes
 *    and no call into Capstone and no allocation.
 * 3. On a miss, cs_disasm_iter decodes into the one cs_insn allocated at
 *    init, and the result is copied into the slot, replacing what was there.
 * Under QEMU TCG one Capstone decode with detail costs several times a whole
 * #GP round trip, so the cache is what keeps trap-and-emulate cheap.
 */
#include "hv/hot.h"
#include "hv/decode.h"
#include "lib/format.h"
#include "lib/string.h"
#ifndef TV_HOSTED
#include "hv/heap.h"
#endif

#define DECODE_HASH_BITS	9	/* log2(DECODE_CACHE_ENTRIES) */

_Static_assert((1u << DECODE_HASH_BITS) == DECODE_CACHE_ENTRIES,
	       "DECODE_HASH_BITS must match DECODE_CACHE_ENTRIES");

static csh cs_handle;
static cs_insn *cs_scratch;		/* the one cs_insn every miss decodes into */
static int decoder_ready;
static struct decoded_insn cache[DECODE_CACHE_ENTRIES];	/* len == 0: empty */
static struct decode_stats stats HV_HOT;

#ifndef TV_HOSTED
/* In the hypervisor Capstone allocates from hv/heap.c and formats with lib/format.c. */
static cs_opt_mem capstone_mem = {
	.malloc = hv_malloc,
	.calloc = hv_calloc,
	.realloc = hv_realloc,
	.free = hv_free,
	.vsnprintf = tv_vsnprintf,
};
#endif

/* Fibonacci hashing: neighbouring addresses land in distant slots. */
static unsigned cache_slot(uint32_t la)
{
	return (uint32_t)(la * 2654435761u) >> (32 - DECODE_HASH_BITS);
}

/*
 * The first len bytes of cached and given are equal. The instructions that
 * trap most (IN, OUT, CLI, STI, IRET, INT n) are at most four bytes: one
 * masked compare of a word instead of a call and a loop, which under TCG
 * is a translated block per byte.
 */
static int same_bytes(const uint8_t *cached, const uint8_t *given, unsigned len, size_t avail)
{
	if (len <= 4 && avail >= 4) {
		uint32_t x, y;
		__builtin_memcpy(&x, cached, 4);
		__builtin_memcpy(&y, given, 4);
		uint32_t mask = len == 4 ? 0xFFFFFFFFu : (1u << (len * 8)) - 1;
		return ((x ^ y) & mask) == 0;
	}
	return memcmp(cached, given, len) == 0;
}

int decode_init(void)
{
	cs_err err;

	if (decoder_ready)
		return 0;
#ifndef TV_HOSTED
	/* Before cs_open, which already allocates. */
	err = cs_option(0, CS_OPT_MEM, (size_t)&capstone_mem);
	if (err != CS_ERR_OK)
		return (int)err;
#endif
	err = cs_open(CS_ARCH_X86, CS_MODE_32, &cs_handle);
	if (err != CS_ERR_OK)
		return (int)err;
	err = cs_option(cs_handle, CS_OPT_SYNTAX, CS_OPT_SYNTAX_INTEL);
	/*
	 * Detail must be on before cs_malloc: cs_malloc sizes the instruction
	 * by the current setting, and the other order breaks the next decode.
	 */
	if (err == CS_ERR_OK)
		err = cs_option(cs_handle, CS_OPT_DETAIL, CS_OPT_ON);
	if (err == CS_ERR_OK) {
		cs_scratch = cs_malloc(cs_handle);
		if (!cs_scratch)
			err = CS_ERR_MEM;
	}
	if (err != CS_ERR_OK) {
		cs_close(&cs_handle);
		return (int)err;
	}
	decode_cache_flush();
	decoder_ready = 1;
	return 0;
}

void decode_fini(void)
{
	if (!decoder_ready)
		return;
	cs_free(cs_scratch, 1);
	cs_scratch = NULL;
	cs_close(&cs_handle);
	decode_cache_flush();
	decoder_ready = 0;
}

/* Copy what the hypervisor needs out of Capstone's cs_insn into slot e. */
static void fill_entry(struct decoded_insn *e, uint32_t la, const cs_insn *in)
{
	const cs_detail *d = in->detail;
	uint8_t i, n;

	e->la = la;
	e->len = (uint8_t)in->size;
	memset(e->bytes, 0, sizeof(e->bytes));
	memcpy(e->bytes, in->bytes, in->size);
	e->id = in->id;
	tv_snprintf(e->mnemonic, sizeof(e->mnemonic), "%s", in->mnemonic);
	tv_snprintf(e->text, sizeof(e->text), "%s%s%s", in->mnemonic,
		    in->op_str[0] ? " " : "", in->op_str);

	n = d->groups_count;
	if (n > sizeof(e->groups))
		n = sizeof(e->groups);
	e->groups_count = n;
	e->privileged = 0;
	for (i = 0; i < n; i++) {
		e->groups[i] = d->groups[i];
		if (d->groups[i] == X86_GRP_PRIVILEGE)
			e->privileged = 1;
	}
	e->x86 = d->x86;
}

const struct decoded_insn *decode_at(uint32_t la, const uint8_t *bytes,
				     size_t avail)
{
	return decode_at_mode(la, bytes, avail, 0);
}

const struct decoded_insn *decode_at_mode(uint32_t la, const uint8_t *bytes,
					  size_t avail, int code16)
{
	struct decoded_insn *e;
	const uint8_t *code;
	size_t size;
	uint64_t address;

	if (!bytes || avail == 0) {
		stats.misses++;
		stats.failures++;
		return NULL;
	}
	if (avail > DECODE_MAX_LEN)
		avail = DECODE_MAX_LEN;

	/* Only the instruction's own bytes decide what it is; later ones may differ. */
	e = &cache[cache_slot(la)];
	if (e->len != 0 && e->la == la && e->code16 == code16 && e->len <= avail &&
	    same_bytes(e->bytes, bytes, e->len, avail)) {
		stats.hits++;
		return e;
	}

	stats.misses++;
	if (!decoder_ready && decode_init() != 0) {
		stats.failures++;
		return NULL;
	}
	code = bytes;
	size = avail;
	address = la;	/* relative branch targets are printed as absolute addresses */
	/* A 16-bit code segment (D = 0) means other default operand and address sizes. */
	if (code16)
		cs_option(cs_handle, CS_OPT_MODE, CS_MODE_16);
	int decoded = cs_disasm_iter(cs_handle, &code, &size, &address, cs_scratch);
	if (code16)
		cs_option(cs_handle, CS_OPT_MODE, CS_MODE_32);
	if (!decoded) {
		stats.failures++;
		return NULL;
	}
	fill_entry(e, la, cs_scratch);
	e->code16 = (uint8_t)code16;
	return e;
}

const struct decode_stats *decode_stats(void)
{
	return &stats;
}

void decode_cache_flush(void)
{
	unsigned i;

	for (i = 0; i < DECODE_CACHE_ENTRIES; i++)
		cache[i].len = 0;
}

const char *decode_insn_name(unsigned id)
{
	if (!decoder_ready && decode_init() != 0)
		return NULL;
	return cs_insn_name(cs_handle, id);
}

const char *decode_reg_name(unsigned reg)
{
	if (!decoder_ready && decode_init() != 0)
		return NULL;
	return cs_reg_name(cs_handle, reg);
}

csh decode_handle(void)
{
	return cs_handle;
}
