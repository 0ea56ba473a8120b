/*
 * lib/x86.h: one tiny inline wrapper per x86 instruction that C cannot say,
 * so assembly never leaks into logic (as xv6's x86.h does).
 * Runs in: hypervisor and guests (i386, freestanding).
 */
#ifndef TV_LIB_X86_H
#define TV_LIB_X86_H

#include <stdint.h>

/* EFLAGS bits. */
#define EFLAGS_CF	0x00000001u
#define EFLAGS_FIXED	0x00000002u	/* bit 1 always reads as 1 */
#define EFLAGS_PF	0x00000004u
#define EFLAGS_AF	0x00000010u
#define EFLAGS_ZF	0x00000040u
#define EFLAGS_SF	0x00000080u
#define EFLAGS_TF	0x00000100u
#define EFLAGS_IF	0x00000200u
#define EFLAGS_DF	0x00000400u
#define EFLAGS_OF	0x00000800u
#define EFLAGS_IOPL	0x00003000u
#define EFLAGS_IOPL_SHIFT 12
#define EFLAGS_NT	0x00004000u
#define EFLAGS_RF	0x00010000u
#define EFLAGS_VM	0x00020000u
#define EFLAGS_AC	0x00040000u
#define EFLAGS_VIF	0x00080000u
#define EFLAGS_VIP	0x00100000u
#define EFLAGS_ID	0x00200000u

/* CR0 and CR4 bits. */
#define CR0_PE	0x00000001u
#define CR0_MP	0x00000002u
#define CR0_EM	0x00000004u
#define CR0_TS	0x00000008u
#define CR0_ET	0x00000010u
#define CR0_NE	0x00000020u
#define CR0_WP	0x00010000u
#define CR0_AM	0x00040000u
#define CR0_PG	0x80000000u
#define CR4_PSE	0x00000010u
#define CR4_PGE	0x00000080u
#define CR4_UMIP 0x00000800u

/* Exception vectors. */
#define VEC_DE 0
#define VEC_DB 1
#define VEC_NMI 2
#define VEC_BP 3
#define VEC_OF 4
#define VEC_BR 5
#define VEC_UD 6
#define VEC_NM 7
#define VEC_DF 8
#define VEC_TS 10
#define VEC_NP 11
#define VEC_SS 12
#define VEC_GP 13
#define VEC_PF 14
#define VEC_MF 16
#define VEC_AC 17
#define VEC_VE 20
#define VEC_CP 21

struct __attribute__((packed)) x86_pseudo_desc {
	uint16_t limit;
	uint32_t base;
};

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void hlt(void) { __asm__ volatile("hlt" ::: "memory"); }

static inline uint32_t read_eflags(void)
{
	uint32_t v;
	__asm__ volatile("pushfl; popl %0" : "=r"(v));
	return v;
}

static inline void write_eflags(uint32_t v)
{
	__asm__ volatile("pushl %0; popfl" : : "r"(v) : "memory", "cc");
}

static inline uint16_t read_cs(void)
{
	uint16_t v;
	__asm__ volatile("movw %%cs, %0" : "=r"(v));
	return v;
}

static inline uint16_t read_ss(void)
{
	uint16_t v;
	__asm__ volatile("movw %%ss, %0" : "=r"(v));
	return v;
}

static inline uint16_t read_ds(void)
{
	uint16_t v;
	__asm__ volatile("movw %%ds, %0" : "=r"(v));
	return v;
}

static inline uint16_t read_es(void)
{
	uint16_t v;
	__asm__ volatile("movw %%es, %0" : "=r"(v));
	return v;
}

static inline uint16_t read_fs(void)
{
	uint16_t v;
	__asm__ volatile("movw %%fs, %0" : "=r"(v));
	return v;
}

static inline uint16_t read_gs(void)
{
	uint16_t v;
	__asm__ volatile("movw %%gs, %0" : "=r"(v));
	return v;
}

static inline void lgdt(const struct x86_pseudo_desc *d)
{
	__asm__ volatile("lgdtl %0" : : "m"(*d) : "memory");
}

static inline void lidt(const struct x86_pseudo_desc *d)
{
	__asm__ volatile("lidtl %0" : : "m"(*d) : "memory");
}

static inline void lldt(uint16_t sel)
{
	__asm__ volatile("lldt %0" : : "r"(sel) : "memory");	/* reads the GDT */
}

static inline void ltr(uint16_t sel)
{
	__asm__ volatile("ltr %0" : : "r"(sel) : "memory");
}

static inline uint32_t read_cr0(void)
{
	uint32_t v;
	__asm__ volatile("movl %%cr0, %0" : "=r"(v));
	return v;
}

static inline void write_cr0(uint32_t v)
{
	__asm__ volatile("movl %0, %%cr0" : : "r"(v) : "memory");
}

static inline uint32_t read_cr2(void)
{
	uint32_t v;
	__asm__ volatile("movl %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint32_t read_cr3(void)
{
	uint32_t v;
	__asm__ volatile("movl %%cr3, %0" : "=r"(v));
	return v;
}

static inline void write_cr3(uint32_t v)
{
	__asm__ volatile("movl %0, %%cr3" : : "r"(v) : "memory");
}

static inline uint32_t read_cr4(void)
{
	uint32_t v;
	__asm__ volatile("movl %%cr4, %0" : "=r"(v));
	return v;
}

static inline void write_cr4(uint32_t v)
{
	__asm__ volatile("movl %0, %%cr4" : : "r"(v) : "memory");
}

static inline uint64_t read_msr(uint32_t index)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(index));
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline void cpuid(uint32_t leaf, uint32_t subleaf, uint32_t *a,
			 uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid"
			 : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			 : "a"(leaf), "c"(subleaf));
}

#endif
