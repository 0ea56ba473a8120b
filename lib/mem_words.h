/*
 * lib/mem_words.h: copying, filling and comparing memory sixteen bytes a
 * pass, the bodies of lib/string.c's memcpy, memmove, memset and memcmp.
 * Runs in: hypervisor and guests (freestanding); compiled for the host too,
 * where the unit tests hold them against a byte-at-a-time reference.
 *
 * Why not a byte at a time: under QEMU TCG every pass of a loop is a
 * translated block run again, so a byte loop costs a block per byte. The
 * hypervisor copies on every trap (the trapped instruction's bytes, the
 * frames it pushes for the guest) and fills whole pages when it builds a
 * shadow table: 4,096 passes a page byte by byte, 256 here. x86 reads and
 * writes unaligned words, so nothing is aligned first.
 */
#ifndef TV_LIB_MEM_WORDS_H
#define TV_LIB_MEM_WORDS_H

#include <stddef.h>
#include <stdint.h>

/* One unaligned word; a constant-size __builtin_memcpy is a single move. */
static inline uint32_t tv_load32(const unsigned char *p)
{
	uint32_t w;
	__builtin_memcpy(&w, p, 4);
	return w;
}

static inline void tv_store32(unsigned char *p, uint32_t w)
{
	__builtin_memcpy(p, &w, 4);
}

/*
 * Low addresses first. Each pass loads its sixteen bytes before it stores
 * any, so this is also memmove's copy when dst lies below src.
 */
static inline void tv_copy_up(unsigned char *d, const unsigned char *s, size_t n)
{
	for (; n >= 16; n -= 16, d += 16, s += 16) {
		uint32_t a = tv_load32(s), b = tv_load32(s + 4);
		uint32_t c = tv_load32(s + 8), e = tv_load32(s + 12);
		tv_store32(d, a);
		tv_store32(d + 4, b);
		tv_store32(d + 8, c);
		tv_store32(d + 12, e);
	}
	for (; n >= 4; n -= 4, d += 4, s += 4)
		tv_store32(d, tv_load32(s));
	for (; n; n--)
		*d++ = *s++;
}

/* High addresses first: memmove's copy when dst lies above src. */
static inline void tv_copy_down(unsigned char *d, const unsigned char *s, size_t n)
{
	for (; n >= 16; n -= 16) {
		uint32_t a = tv_load32(s + n - 16), b = tv_load32(s + n - 12);
		uint32_t c = tv_load32(s + n - 8), e = tv_load32(s + n - 4);
		tv_store32(d + n - 16, a);
		tv_store32(d + n - 12, b);
		tv_store32(d + n - 8, c);
		tv_store32(d + n - 4, e);
	}
	for (; n >= 4; n -= 4)
		tv_store32(d + n - 4, tv_load32(s + n - 4));
	for (; n; n--)
		d[n - 1] = s[n - 1];
}

static inline void tv_fill(unsigned char *d, unsigned char c, size_t n)
{
	uint32_t w = c * 0x01010101u;
	for (; n >= 16; n -= 16, d += 16) {
		tv_store32(d, w);
		tv_store32(d + 4, w);
		tv_store32(d + 8, w);
		tv_store32(d + 12, w);
	}
	for (; n >= 4; n -= 4, d += 4)
		tv_store32(d, w);
	for (; n; n--)
		*d++ = c;
}

/* memcmp's answer: words while they are equal, the first differing byte decides. */
static inline int tv_compare(const unsigned char *x, const unsigned char *y, size_t n)
{
	for (; n >= 4 && tv_load32(x) == tv_load32(y); n -= 4, x += 4, y += 4)
		;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

#endif
