/*
 * guests/sensitive_probe/probe_catalog.c: the catalog, one row per
 * instruction: its class, its probe, its inputs and what is observed.
 * Runs in: guest.
 *
 * Classes follow the architecture, not any run: "privileged" instructions
 * raise #GP outside ring 0 (Intel SDM vol. 3, 2.8 and 5.9); "sensitive" are
 * the instructions Robin & Irvine (USENIX Security 2000) found sensitive
 * but unprivileged on the Pentium; "innocuous" rows are controls. Whether a
 * row traps, and whether it behaves as on the bare machine, is what the
 * runs show: nothing here says so.
 *
 * Each row's observation must show the instruction's effect, or the run
 * could not tell a correct emulation from one that does nothing: a row
 * that writes a register reads it back, one that loads a table uses it
 * (probe_stubs.S), and registers an instruction reads into start with a
 * value none of them holds (PROBE_POISON). Where this probe cannot see the
 * effect (IF, which only PUSHF reads; caches and the TLB), the row says so
 * with effect_unchecked, and `trapvisor classify` gives it a verdict of its
 * own instead of "holds".
 *
 * Rows run in this order and some read what an earlier row set (SLDT reads
 * the LDTR the LLDT row loaded, STR the TR of LTR, RDMSR the MSR WRMSR
 * wrote): that way SLDT, STR and RDMSR show a value a kernel chose, not a
 * reset value the bare machine and the hypervisor might share by chance.
 * After the LGDT and LIDT rows the tables in use are the ones they loaded,
 * which differ from the first only where those rows look (probe_tables.c).
 */
#include "guests/sensitive_probe/probe.h"
#include "lib/x86.h"

/* Every probe of probe_stubs.S, by name. */
#define PROBE_STUBS(X) \
	X(cli) X(sti) X(in) X(out) X(lgdt) X(lidt) X(lldt) X(ltr) \
	X(mov_from_cr0) X(mov_to_cr0) X(mov_from_cr2) X(mov_from_cr3) X(mov_to_cr3) \
	X(mov_from_cr4) X(mov_to_cr4) X(mov_from_dr7) X(mov_to_dr7) X(clts) X(lmsw) \
	X(invlpg) X(wbinvd) X(invd) X(wrmsr) X(rdmsr) X(rdpmc) X(rdtsc) \
	X(sgdt) X(sidt) X(sldt) X(smsw) X(str) X(pushf) X(popf_if) X(popf_iopl) \
	X(lar) X(lsl) X(verr) X(verw) X(push_cs) X(push_ds) X(push_ss) X(pop_ds) \
	X(mov_from_cs) X(mov_from_ss) X(mov_from_ds) X(mov_to_ds) \
	X(far_call) X(far_jmp) X(far_ret) X(iret) X(int_n) \
	X(add) X(nop) X(cpuid_0) X(cpuid_1)

#define PROBE_DECLARE(n) \
	void probe_##n(void); \
	extern const char probe_##n##_insn[], probe_##n##_next[];
PROBE_STUBS(PROBE_DECLARE)

#define STUB(n) .name = #n, .stub = probe_##n, .insn = probe_##n##_insn, \
	.next = probe_##n##_next

#define MSR_SYSENTER_CS	0x174
#define COM1_SCRATCH	0x3FF	/* the 16550's scratch register: a byte that reads back */
#define IN_VALUE	0x5A	/* what the IN row's set-up leaves there */
#define OUT_VALUE	0xA5	/* what the OUT row writes */
#define DR7_RESET	0x400	/* DR7's value after reset: bit 10 reads as 1 */
#define DR7_LE_GE	0x300	/* exact-breakpoint enables: no breakpoint is armed by them */
#define CR4_DE		0x00000008u	/* debugging extensions: only DR4/DR5 change meaning */
#define CR3_PROBE_VALUE	0x00123000u	/* any page; paging is off, so nothing walks it */
/* What a register holds before an instruction that should overwrite it. */
#define PROBE_POISON	0x0BADF00Du

/*
 * The writes to control and debug registers set one bit that changes
 * nothing the probe depends on (CR0.TS: no FPU instructions run; CR4.DE;
 * DR7's LE and GE; CR3 while paging is off) and keep the old value in ECX,
 * from which the stub restores the register.
 */
static void probe_setup_cr0(struct probe_regs *in)
{
	in->ecx = read_cr0();
	in->eax = in->ecx | CR0_TS;
}
static void probe_setup_cr3(struct probe_regs *in)
{
	in->ecx = read_cr3();
	in->eax = CR3_PROBE_VALUE;
}
static void probe_setup_cr4(struct probe_regs *in)
{
	in->ecx = read_cr4();
	in->eax = in->ecx | CR4_DE;
}
/*
 * SMSW runs with CR0's NE, MP and TS set by the stub (and put back after):
 * a kernel's own choice in the word SMSW reads. The hypervisor copies MP,
 * EM and TS into the real CR0 (an FPU instruction must fault as the guest
 * asked), but not NE, so a deprivileged SMSW shows NE clear; with the guest's
 * reset CR0 the two words would agree and the leak go unseen.
 */
static void probe_setup_smsw(struct probe_regs *in)
{
	in->ecx = read_cr0();
	in->eax = in->ecx | CR0_NE | CR0_MP | CR0_TS;
}
/* LMSW sets TS; the stub clears it again with CLTS. */
static void probe_setup_msw(struct probe_regs *in) { in->eax = (read_cr0() & 0xFFFFu) | CR0_TS; }
/* CLTS needs TS set to have anything to clear. */
static void probe_setup_clts(struct probe_regs *in __attribute__((unused)))
{
	write_cr0(read_cr0() | CR0_TS);
}
/* IN reads back a value written just before. */
static void probe_setup_in(struct probe_regs *in __attribute__((unused)))
{
	outb(COM1_SCRATCH, IN_VALUE);
}

const struct probe_row probe_catalog[] = {
	/* ---- privileged ---- */
	{ STUB(cli), .category = PROBE_PRIVILEGED, .flags_mask = PROBE_FLAGS_ARITH,
	  .effect_unchecked = true,
	  .records = "that it ran; not IF, which a kernel reads only with PUSHF (a row of its "
		     "own; popf_demo shows CLI's effect with a timer)" },
	{ STUB(sti), .category = PROBE_PRIVILEGED, .flags_mask = PROBE_FLAGS_ARITH,
	  .effect_unchecked = true, .records = "that it ran; not IF (see cli)" },
	/* HLT is left out: without a timer nothing would wake the guest. */
	{ STUB(in), .category = PROBE_PRIVILEGED, .in = { .edx = COM1_SCRATCH },
	  .setup = probe_setup_in, .out = PROBE_OUT_EAX, .flags_mask = PROBE_FLAGS_ARITH,
	  .records = "EAX: AL is the byte the set-up wrote to COM1's scratch register (0x5a)" },
	{ STUB(out), .category = PROBE_PRIVILEGED, .in = { .eax = OUT_VALUE, .edx = COM1_SCRATCH },
	  .out = PROBE_OUT_EAX, .flags_mask = PROBE_FLAGS_ARITH,
	  .records = "EAX: COM1's scratch register read back with IN after OUT wrote 0xa5" },
	{ STUB(lgdt), .category = PROBE_PRIVILEGED, .out = PROBE_OUT_EAX,
	  .flags_mask = PROBE_FLAGS_ARITH,
	  .records = "EAX: the mark read through a selector only the new GDT's limit admits "
		     "(without the LGDT: #GP)" },
	{ STUB(lidt), .category = PROBE_PRIVILEGED, .flags_mask = PROBE_FLAGS_ARITH,
	  .records = "the vector the handler received for INT 0x41: 0x42 through the new IDT, "
		     "0x41 through the old" },
	{ STUB(lldt), .category = PROBE_PRIVILEGED, .in = { .eax = PROBE_SEL_LDT },
	  .out = PROBE_OUT_EAX, .flags_mask = PROBE_FLAGS_ARITH,
	  .records = "EAX: the mark read through the new LDT's data selector (SLDT reads LDTR)" },
	{ STUB(ltr), .category = PROBE_PRIVILEGED, .in = { .eax = PROBE_SEL_TSS },
	  .out = PROBE_OUT_EAX, .flags_mask = PROBE_FLAGS_ARITH,
	  .records = "EAX: the TSS descriptor's high word in the guest's GDT, marked busy "
		     "(STR reads TR)" },
	{ STUB(mov_from_cr0), .category = PROBE_PRIVILEGED, .in = { .eax = PROBE_POISON },
	  .out = PROBE_OUT_EAX, .flags_mask = PROBE_FLAGS_ARITH, .records = "EAX = CR0" },
	{ STUB(mov_to_cr0), .category = PROBE_PRIVILEGED, .setup = probe_setup_cr0,
	  .out = PROBE_OUT_EAX, .flags_mask = PROBE_FLAGS_ARITH,
	  .records = "EAX: CR0 read back after writing it with TS set" },
	{ STUB(mov_from_cr2), .category = PROBE_PRIVILEGED, .in = { .eax = PROBE_POISON },
	  .out = PROBE_OUT_EAX, .flags_mask = PROBE_FLAGS_ARITH, .records = "EAX = CR2" },
	{ STUB(mov_from_cr3), .category = PROBE_PRIVILEGED, .in = { .eax = PROBE_POISON },
	  .out = PROBE_OUT_EAX, .flags_mask = PROBE_FLAGS_ARITH, .records = "EAX = CR3" },
	{ STUB(mov_to_cr3), .category = PROBE_PRIVILEGED, .setup = probe_setup_cr3,
	  .out = PROBE_OUT_EAX, .flags_mask = PROBE_FLAGS_ARITH,
	  .records = "EAX: CR3 read back after writing 0x00123000 (paging is off)" },
	{ STUB(mov_from_cr4), .category = PROBE_PRIVILEGED, .in = { .eax = PROBE_POISON },
	  .out = PROBE_OUT_EAX, .flags_mask = PROBE_FLAGS_ARITH, .records = "EAX = CR4" },
	{ STUB(mov_to_cr4), .category = PROBE_PRIVILEGED, .setup = probe_setup_cr4,
	  .out = PROBE_OUT_EAX, .flags_mask = PROBE_FLAGS_ARITH,
	  .records = "EAX: CR4 read back after writing it with DE set" },
	{ STUB(mov_from_dr7), .category = PROBE_PRIVILEGED, .in = { .eax = PROBE_POISON },
	  .out = PROBE_OUT_EAX, .flags_mask = PROBE_FLAGS_ARITH, .records = "EAX = DR7" },
	{ STUB(mov_to_dr7), .category = PROBE_PRIVILEGED,
	  .in = { .eax = DR7_RESET | DR7_LE_GE, .ecx = DR7_RESET },
	  .out = PROBE_OUT_EAX, .flags_mask = PROBE_FLAGS_ARITH,
	  .records = "EAX: DR7 read back after writing LE and GE" },
	{ STUB(clts), .category = PROBE_PRIVILEGED, .setup = probe_setup_clts,
	  .in = { .eax = PROBE_POISON }, .out = PROBE_OUT_EAX, .flags_mask = PROBE_FLAGS_ARITH,
	  .records = "EAX: CR0 read back after CLTS, TS set before" },
	{ STUB(lmsw), .category = PROBE_PRIVILEGED, .setup = probe_setup_msw,
	  .out = PROBE_OUT_EAX, .flags_mask = PROBE_FLAGS_ARITH,
	  .records = "EAX: CR0 read back after LMSW set TS" },
	{ STUB(invlpg), .category = PROBE_PRIVILEGED, .flags_mask = PROBE_FLAGS_ARITH,
	  .effect_unchecked = true,
	  .records = "that it ran; paging is off, so there is no translation to drop" },
	{ STUB(wbinvd), .category = PROBE_PRIVILEGED, .flags_mask = PROBE_FLAGS_ARITH,
	  .effect_unchecked = true,
	  .records = "that it ran; caches are invisible to software here" },
	{ STUB(invd), .category = PROBE_PRIVILEGED, .flags_mask = PROBE_FLAGS_ARITH,
	  .effect_unchecked = true,
	  .records = "that it ran; QEMU keeps no cache whose loss could show" },
	{ STUB(wrmsr), .category = PROBE_PRIVILEGED,
	  .in = { .ecx = MSR_SYSENTER_CS, .eax = PROBE_SEL_CODE, .edx = 0 },
	  .out = PROBE_OUT_EAX | PROBE_OUT_EDX, .flags_mask = PROBE_FLAGS_ARITH,
	  .records = "EDX:EAX: IA32_SYSENTER_CS read back after writing the code selector" },
	{ STUB(rdmsr), .category = PROBE_PRIVILEGED,
	  .in = { .ecx = MSR_SYSENTER_CS, .eax = PROBE_POISON, .edx = PROBE_POISON },
	  .out = PROBE_OUT_EAX | PROBE_OUT_EDX, .flags_mask = PROBE_FLAGS_ARITH,
	  .records = "EDX:EAX = IA32_SYSENTER_CS (the WRMSR row wrote it)" },
	{ STUB(rdpmc), .category = PROBE_PRIVILEGED, .in = { .ecx = 0 },
	  .out = PROBE_OUT_EAX | PROBE_OUT_EDX, .flags_mask = PROBE_FLAGS_ARITH,
	  .records = "EDX:EAX = counter 0, or the fault the bare machine raises (the reference)" },

	/* RDTSC: unprivileged while CR4.TSD = 0; its value is a time, never compared. */
	{ STUB(rdtsc), .category = PROBE_INNOCUOUS, .out = PROBE_OUT_EAX,
	  .flags_mask = PROBE_FLAGS_ARITH,
	  .records = "EAX = 1: a second RDTSC read another count (the values differ per run)" },

	/* ---- sensitive but unprivileged (Robin & Irvine) ---- */
	{ STUB(sgdt), .category = PROBE_SENSITIVE, .flags_mask = PROBE_FLAGS_ARITH, .mem_len = 6,
	  .records = "the 6 bytes stored: GDT limit and base" },
	{ STUB(sidt), .category = PROBE_SENSITIVE, .flags_mask = PROBE_FLAGS_ARITH, .mem_len = 6,
	  .records = "the 6 bytes stored: IDT limit and base" },
	{ STUB(sldt), .category = PROBE_SENSITIVE, .flags_mask = PROBE_FLAGS_ARITH, .mem_len = 2,
	  .records = "the 2 bytes stored: the LDTR selector" },
	{ STUB(smsw), .category = PROBE_SENSITIVE, .setup = probe_setup_smsw,
	  .flags_mask = PROBE_FLAGS_ARITH, .mem_len = 2,
	  .records = "the 2 bytes stored: CR0 bits 15..0, after the kernel set NE, MP and TS" },
	{ STUB(str), .category = PROBE_SENSITIVE, .flags_mask = PROBE_FLAGS_ARITH, .mem_len = 2,
	  .records = "the 2 bytes stored: the TR selector" },
	{ STUB(pushf), .category = PROBE_SENSITIVE, .out = PROBE_OUT_EAX_FLAGS,
	  .flags_mask = PROBE_FLAGS_WITH_IF,
	  .records = "EAX = the EFLAGS image pushed, IF and IOPL included (EFLAGS are 0xC3)" },
	{ STUB(popf_if), .category = PROBE_SENSITIVE,
	  .in = { .eax = PROBE_FLAGS_IN, .want_if = 1 }, .flags_mask = PROBE_FLAGS_WITH_IF,
	  .records = "EFLAGS after POPF clears IF (from IF=1), IF and IOPL read back with PUSHF" },
	{ STUB(popf_iopl), .category = PROBE_SENSITIVE,
	  .in = { .eax = PROBE_FLAGS_IN | EFLAGS_IOPL }, .flags_mask = PROBE_FLAGS_WITH_IF,
	  .records = "EFLAGS after POPF sets IOPL=3, IF and IOPL read back with PUSHF" },
	{ STUB(lar), .category = PROBE_SENSITIVE,
	  .in = { .ecx = PROBE_SEL_DATA, .eflags = EFLAGS_FIXED },
	  .out = PROBE_OUT_EAX, .flags_mask = PROBE_FLAGS_ARITH,
	  .records = "EAX = access rights of the DPL-0 data selector, and ZF (clear before)" },
	{ STUB(lsl), .category = PROBE_SENSITIVE,
	  .in = { .ecx = PROBE_SEL_DATA, .eflags = EFLAGS_FIXED },
	  .out = PROBE_OUT_EAX, .flags_mask = PROBE_FLAGS_ARITH,
	  .records = "EAX = limit of the DPL-0 data selector, and ZF" },
	/*
	 * VERR and VERW of the DPL-0 data segment through RPL 1: at CPL 0 the
	 * RPL exceeds the DPL, so ZF = 0; deprivileged, the compressed DPL (1
	 * or 3) admits it. Through RPL 0 both answers would be yes.
	 */
	{ STUB(verr), .category = PROBE_SENSITIVE,
	  .in = { .ecx = PROBE_SEL_DATA | 1, .eflags = EFLAGS_FIXED },
	  .flags_mask = PROBE_FLAGS_ARITH,
	  .records = "ZF: the DPL-0 data segment is readable through RPL 1 (not at CPL 0)" },
	{ STUB(verw), .category = PROBE_SENSITIVE,
	  .in = { .ecx = PROBE_SEL_DATA | 1, .eflags = EFLAGS_FIXED },
	  .flags_mask = PROBE_FLAGS_ARITH,
	  .records = "ZF: the DPL-0 data segment is writable through RPL 1 (not at CPL 0)" },
	{ STUB(push_cs), .category = PROBE_SENSITIVE, .out = PROBE_OUT_AX, .flags_mask = PROBE_FLAGS_ARITH,
	  .records = "AX = the selector pushed (its RPL is the ring)" },
	{ STUB(push_ds), .category = PROBE_SENSITIVE, .out = PROBE_OUT_AX, .flags_mask = PROBE_FLAGS_ARITH,
	  .records = "AX = the selector pushed" },
	{ STUB(push_ss), .category = PROBE_SENSITIVE, .out = PROBE_OUT_AX, .flags_mask = PROBE_FLAGS_ARITH,
	  .records = "AX = the selector pushed (SS's RPL is the ring)" },
	{ STUB(pop_ds), .category = PROBE_SENSITIVE, .in = { .eax = PROBE_SEL_MARK },
	  .out = PROBE_OUT_EAX, .flags_mask = PROBE_FLAGS_ARITH,
	  .records = "EAX: DS:0 after popping a DPL-0 data selector whose base is a mark" },
	{ STUB(mov_from_cs), .category = PROBE_SENSITIVE, .out = PROBE_OUT_AX,
	  .flags_mask = PROBE_FLAGS_ARITH, .records = "AX = CS (its RPL is the ring)" },
	{ STUB(mov_from_ss), .category = PROBE_SENSITIVE, .out = PROBE_OUT_AX,
	  .flags_mask = PROBE_FLAGS_ARITH, .records = "AX = SS" },
	{ STUB(mov_from_ds), .category = PROBE_SENSITIVE, .out = PROBE_OUT_AX,
	  .flags_mask = PROBE_FLAGS_ARITH, .records = "AX = DS" },
	{ STUB(mov_to_ds), .category = PROBE_SENSITIVE, .in = { .eax = PROBE_SEL_MARK },
	  .out = PROBE_OUT_EAX, .flags_mask = PROBE_FLAGS_ARITH,
	  .records = "EAX: DS:0 after loading a DPL-0 data selector whose base is a mark" },
	{ STUB(far_call), .category = PROBE_SENSITIVE, .out = PROBE_OUT_DX, .flags_mask = PROBE_FLAGS_ARITH,
	  .records = "DX = the CS the call pushed, as its target read it" },
	{ STUB(far_jmp), .category = PROBE_SENSITIVE, .out = PROBE_OUT_EAX,
	  .flags_mask = PROBE_FLAGS_ARITH,
	  .records = "EAX = 1: it arrived at its target through the ring-0 code selector" },
	{ STUB(far_ret), .category = PROBE_SENSITIVE, .flags_mask = PROBE_FLAGS_ARITH,
	  .records = "that it returned (to a frame naming the ring-0 code selector); one that "
		     "did not would run on into the frame and fault" },
	{ STUB(iret), .category = PROBE_SENSITIVE, .in = { .eflags = EFLAGS_FIXED },
	  .flags_mask = PROBE_FLAGS_ARITH,
	  .records = "EFLAGS the IRET frame restored (0xC3, from 0x02)" },
	{ STUB(int_n), .category = PROBE_SENSITIVE, .flags_mask = PROBE_FLAGS_ARITH,
	  .records = "the vector, EIP and CS the guest's handler received for INT 0x40" },

	/* ---- innocuous controls ---- */
	{ STUB(add), .category = PROBE_INNOCUOUS, .in = { .eax = 0x7FFFFFFFu, .ecx = 1 },
	  .out = PROBE_OUT_EAX, .flags_mask = PROBE_FLAGS_ARITH,
	  .records = "EAX and the flags of 0x7FFFFFFF + 1" },
	{ STUB(nop), .category = PROBE_INNOCUOUS, .flags_mask = PROBE_FLAGS_ARITH,
	  .records = "that it ran and left the flags: NOP has no other effect" },
	{ STUB(cpuid_0), .category = PROBE_INNOCUOUS, .in = { .eax = 0 },
	  .out = PROBE_OUT_EAX | PROBE_OUT_EBX | PROBE_OUT_ECX | PROBE_OUT_EDX,
	  .flags_mask = PROBE_FLAGS_ARITH, .records = "leaf 0: highest leaf and vendor" },
	{ STUB(cpuid_1), .category = PROBE_INNOCUOUS, .in = { .eax = 1 },
	  .out = PROBE_OUT_EAX | PROBE_OUT_ECX | PROBE_OUT_EDX,
	  .flags_mask = PROBE_FLAGS_ARITH, .records = "leaf 1: signature and feature bits" },
};

const size_t probe_catalog_len = sizeof(probe_catalog) / sizeof(probe_catalog[0]);
