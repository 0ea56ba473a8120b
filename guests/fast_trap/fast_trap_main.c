/*
 * guests/fast_trap/fast_trap_main.c: a kernel that does port I/O to a port
 * nothing answers (0x80, the POST-code port) in every form, and tries to
 * reach the fast trap path's pages. In ring 3 with --direct the hypervisor
 * answers such an IN or OUT without leaving the guest's page tables
 * (hv/fast_trap.S); every row here must come out as on the bare machine,
 * or be stopped where the fast path's pages are.
 * Runs in: guest.
 *
 * One row per run, named by the first word of the command line
 * ("fast_trap in-al"). A row that computes something prints
 * `fast_trap: NAME: RESULT` and exits 0; one whose instruction faults
 * prints `fast_trap: NAME: vector V error E at WHERE` (or `after the IN`)
 * from its handler and exits 0; an attack row prints `ATTACK: NAME`, then, if its access got
 * through, `ATTACK-SURVIVED: NAME` (or `ATTACK-TRAPPED: NAME: ...` if it
 * raised an exception in the guest). The row `count` prints nothing at
 * all, so that the run's IN, OUT, CLI and STI counts are exactly its own:
 * 250 of each of the eight port forms and 250 STI-CLI pairs, then the exit
 * (one OUT), status 0 if every result was right and 1 otherwise.
 *
 * Exit status: 0, 1 (count: a wrong result), 2 (no or an unknown row).
 */
#include <stdint.h>

#include "guests/lib/guest_console.h"
#include "guests/lib/guest_desc.h"
#include "guests/lib/guest_exit.h"
#include "guests/lib/guest_main.h"
#include "guests/lib/guest_multiboot.h"
#include "guests/lib/guest_pic.h"
#include "guests/lib/guest_trap.h"
#include "lib/format.h"
#include "lib/mmu.h"
#include "lib/string.h"
#include "lib/x86.h"

#define FT_EAX		0x12345678u	/* EAX before every access */
#define FT_EDX		0xABCD0080u	/* EDX: port 0x80 in DX */
#define FT_COUNT_EACH	250

/* The fast trap path's pages (hv/layout.h: FAST_TRAP_BASE and the two after it). */
#define FT_HV_CODE	0xFFE00000u
#define FT_HV_STATE	0xFFE01000u
#define FT_HV_COUNTS	0xFFE02000u
#define FT_ATTACK_VALUE	0xA77AC4EDu

#define FT_SEL_BASED	(GUEST_GDT_FIRST_FREE << 3)		/* code based at one page */
#define FT_SEL_CODE16	((GUEST_GDT_FIRST_FREE + 1) << 3)	/* 16-bit code based at 0 */
#define FT_CODE_FLAGS	(DESC_HI_P | DESC_HI_S | ((DESC_TYPE_CODE | DESC_TYPE_READABLE) << 8))
#define FT_CODE16_LA	0x7E00u		/* free low memory, below 64 KiB for 16-bit code */

/* fast_trap_io.S */
typedef uint32_t port_fn(uint32_t eax);
extern port_fn ft_in_al, ft_in_eax, ft_in_al_dx, ft_in_eax_dx, ft_out_al, ft_out_eax,
	ft_out_dx_al, ft_out_dx_eax, ft_in_ax_prefix, ft_in_rep_prefix, ft_in_cs_prefix,
	ft_in_lock_prefix, ft_in_al_stepped, ft_sti_cli;
extern const uint8_t ft_in_lock_prefix_site[], ft_in_al_stepped_site[], ft_in_al_stepped_after[];
uint32_t ft_call_at(uint32_t eax, uint32_t code);
uint32_t ft_if_after_cli_sti_cli(void);
uint32_t ft_far_call(uint32_t eax, uint32_t offset, uint32_t selector);
void ft_sti_cli_marked(void), ft_sti_window(void);
extern const uint8_t ft_after_sti[];
void ft_jump_to(uint32_t address) __attribute__((noreturn));
extern uint32_t ft_edx_after;

/* Two pages for code written at run time, and a page directory and table for the paging row. */
static uint8_t ft_code[2 * PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint32_t ft_pd[1024] __attribute__((aligned(PAGE_SIZE)));
static uint32_t ft_pt[2][1024] __attribute__((aligned(PAGE_SIZE)));

static const char *ft_row = "none";
/* Where the row's faulting instruction is, and the name of the place just after it. */
static uint32_t ft_site, ft_site_len;

static void ft_result(uint32_t eax)
{
	guest_printf("fast_trap: %s: eax=0x%08x edx=0x%08x\n", ft_row, eax, ft_edx_after);
}

static void ft_where(char *buf, unsigned size, uint32_t eip)
{
	if (eip == ft_site)
		strncpy(buf, "at the IN", size);
	else if (eip == ft_site + ft_site_len)
		strncpy(buf, "after the IN", size);
	else
		tv_snprintf(buf, size, "at 0x%08x", eip);
}

/* A row's expected exception: said, then the guest exits 0 (the run's outcome is the line). */
static void ft_faulted(struct guest_trap_frame *frame)
{
	char where[24];

	ft_where(where, sizeof where, frame->eip);
	guest_printf("fast_trap: %s: vector %u error 0x%x %s", ft_row, frame->vector,
		     frame->error, where);
	if (frame->vector == 14) {
		uint32_t cr2 = read_cr2();
		if (cr2 == ((ft_site + PAGE_SIZE) & ~(PAGE_SIZE - 1)))
			guest_printf(", cr2 the next page\n");
		else
			guest_printf(", cr2 0x%08x\n", cr2);
	} else {
		guest_printf(", eax=0x%08x\n", frame->eax);
	}
	guest_exit(GUEST_EXIT_OK);
}

/* The single step: after the IN, TF cleared, on to the row's result. */
static void ft_stepped(struct guest_trap_frame *frame)
{
	char where[24];

	ft_where(where, sizeof where, frame->eip);
	guest_printf("fast_trap: %s: vector 1 %s, eax=0x%08x\n", ft_row, where, frame->eax);
	frame->eflags &= ~EFLAGS_TF;
}

static void ft_attack_trapped(struct guest_trap_frame *frame)
{
	guest_printf("ATTACK-TRAPPED: %s: vector %u error 0x%x eip 0x%08x\n", ft_row,
		     frame->vector, frame->error, frame->eip);
	guest_exit(GUEST_EXIT_OK);
}

/* --- the rows --- */

struct ft_simple {
	const char *name;
	port_fn *fn;
};

static const struct ft_simple ft_simple_rows[] = {
	{ "in-al", ft_in_al },
	{ "in-eax", ft_in_eax },
	{ "in-al-dx", ft_in_al_dx },
	{ "in-eax-dx", ft_in_eax_dx },
	{ "out-al", ft_out_al },
	{ "out-eax", ft_out_eax },
	{ "out-dx-al", ft_out_dx_al },
	{ "out-dx-eax", ft_out_dx_eax },
	{ "in-ax-prefix", ft_in_ax_prefix },
	{ "in-rep-prefix", ft_in_rep_prefix },
	{ "in-cs-prefix", ft_in_cs_prefix },
};

#define FT_NSIMPLE (sizeof ft_simple_rows / sizeof ft_simple_rows[0])

static int ft_lock_prefix(void)
{
	ft_site = (uint32_t)ft_in_lock_prefix_site;
	ft_site_len = 3;
	guest_trap_set_handler(6, ft_faulted);
	ft_result(ft_in_lock_prefix(FT_EAX));
	return GUEST_EXIT_OK;
}

/* IN AL, 0x80 (E4 80) with the opcode on the last byte of a page; then RET. */
static uint32_t ft_place_across(void)
{
	uint8_t *in = ft_code + PAGE_SIZE - 1;

	in[0] = 0xE4;
	in[1] = 0x80;
	in[2] = 0xC3;
	ft_site = (uint32_t)in;
	ft_site_len = 2;
	return ft_site;
}

static int ft_page_cross(void)
{
	ft_result(ft_call_at(FT_EAX, ft_place_across()));
	return GUEST_EXIT_OK;
}

/*
 * The same with the guest's paging on and the second page not present:
 * the fetch of the port byte faults (#PF, CR2 the second page) before the
 * IN can trap.
 */
static int ft_page_cross_unmapped(void)
{
	uint32_t in = ft_place_across();

	for (uint32_t i = 0; i < 2048; i++)
		ft_pt[i / 1024][i % 1024] = (i << 12) | PTE_P | PTE_W;
	uint32_t second = in + 1;
	ft_pt[PDX(second)][PTX(second)] = 0;
	ft_pd[0] = (uint32_t)ft_pt[0] | PTE_P | PTE_W;
	ft_pd[1] = (uint32_t)ft_pt[1] | PTE_P | PTE_W;
	guest_trap_set_handler(14, ft_faulted);
	write_cr3((uint32_t)ft_pd);
	write_cr0(read_cr0() | CR0_PG);
	ft_result(ft_call_at(FT_EAX, in));
	return GUEST_EXIT_OK;
}

/*
 * CS based one page up: the IN (AL) at base + offset, and at the offset
 * taken as a linear address, IN EAX, which a path that forgot the base
 * would run instead. Both end with a 32-bit RETF.
 */
static int ft_based_cs(void)
{
	static const uint8_t decoy[] = { 0xE5, 0x80, 0xCB };
	static const uint8_t real[] = { 0xE4, 0x80, 0xCB };
	uint32_t offset = (uint32_t)ft_code;

	memcpy(ft_code, decoy, sizeof decoy);
	memcpy(ft_code + PAGE_SIZE, real, sizeof real);
	ft_result(ft_far_call(FT_EAX, offset, FT_SEL_BASED));
	return GUEST_EXIT_OK;
}

/* A 16-bit code segment: E5 80 is IN AX there; then a 32-bit RETF (66 CB). */
static int ft_code16(void)
{
	static const uint8_t code[] = { 0xE5, 0x80, 0x66, 0xCB };

	memcpy((void *)FT_CODE16_LA, code, sizeof code);
	ft_result(ft_far_call(FT_EAX, FT_CODE16_LA, FT_SEL_CODE16));
	return GUEST_EXIT_OK;
}

static int ft_single_step(void)
{
	ft_site = (uint32_t)ft_in_al_stepped_site;
	ft_site_len = (uint32_t)(ft_in_al_stepped_after - ft_in_al_stepped_site);
	guest_trap_set_handler(1, ft_stepped);
	ft_result(ft_in_al_stepped(FT_EAX));
	return GUEST_EXIT_OK;
}

/*
 * The interrupt flag as PUSHF shows it after CLI, STI, CLI. Under the
 * hypervisor PUSHF shows the virtual IF only when it traps (--patch popf):
 * otherwise it shows the real IF, always 1 (the Popek-Goldberg problem).
 */
static int ft_cli_sti_flags(void)
{
	uint32_t bits = ft_if_after_cli_sti_cli();

	guest_printf("fast_trap: %s: IF after cli %u, after sti %u, after cli %u\n", ft_row,
		     bits & 1, (bits >> 1) & 1, (bits >> 2) & 1);
	return GUEST_EXIT_OK;
}

/*
 * 250 of each form, silently: the run's IN and OUT counts are these and the
 * exit's OUT; and 250 STI-CLI pairs (STI's shadow holds any interrupt off
 * until the CLI has run).
 */
static int ft_count(void)
{
	uint32_t wrong = 0;

	for (unsigned i = 0; i < FT_COUNT_EACH; i++) {
		wrong += ft_sti_cli(FT_EAX) != FT_EAX;
		wrong += ft_in_al(FT_EAX) != 0x123456FFu;
		wrong += ft_in_eax(FT_EAX) != 0xFFFFFFFFu;
		wrong += ft_in_al_dx(FT_EAX) != 0x123456FFu;
		wrong += ft_in_eax_dx(FT_EAX) != 0xFFFFFFFFu;
		wrong += ft_out_al(FT_EAX) != FT_EAX;
		wrong += ft_out_eax(FT_EAX) != FT_EAX;
		wrong += ft_out_dx_al(FT_EAX) != FT_EAX;
		wrong += ft_out_dx_eax(FT_EAX) != FT_EAX;
		wrong += ft_edx_after != FT_EDX;
	}
	return wrong ? 1 : GUEST_EXIT_OK;
}

/*
 * STI's shadow with the timer running: the 8254 at about 10 kHz on IRQ 0,
 * STI-CLI pairs again and again, and every tenth pair an STI, NOP, CLI
 * window where a waiting tick comes in. On a bare machine no tick ever
 * comes at the CLI right after STI; the row prints how many did, and
 * goes on until FT_TIMER_TICKS ticks have come (the timer ran) or
 * FT_TIMER_BOUND TSC cycles have passed (over 10 s up to 4 GHz).
 */
#define FT_PIC1_CMD	0x20
#define FT_PIC2_CMD	0xA0
#define FT_PIC_EOI	0x20
#define FT_VEC_TIMER	0x20
#define FT_PIT_COUNT	119	/* about 10 kHz */
#define FT_TIMER_TICKS	200u
#define FT_TIMER_BOUND	40000000000ull

static volatile uint32_t ft_ticks, ft_ticks_in_shadow;

static void ft_timer(struct guest_trap_frame *frame)
{
	ft_ticks++;
	if (frame->eip == (uint32_t)ft_after_sti)
		ft_ticks_in_shadow++;
	outb(FT_PIC1_CMD, FT_PIC_EOI);
}

static int ft_sti_shadow_timer(void)
{
	guest_trap_set_handler(FT_VEC_TIMER, ft_timer);
	outb(FT_PIC1_CMD, 0x11);		/* ICW1: edge, cascade, ICW4 */
	outb(FT_PIC2_CMD, 0x11);
	outb(GUEST_PIC1_DATA, FT_VEC_TIMER);	/* ICW2 */
	outb(GUEST_PIC2_DATA, FT_VEC_TIMER + 8);
	outb(GUEST_PIC1_DATA, 0x04);		/* ICW3 */
	outb(GUEST_PIC2_DATA, 0x02);
	outb(GUEST_PIC1_DATA, 0x01);		/* ICW4: 8086 */
	outb(GUEST_PIC2_DATA, 0x01);
	outb(GUEST_PIC1_DATA, 0xFE);		/* only IRQ 0 */
	outb(GUEST_PIC2_DATA, 0xFF);
	outb(0x43, 0x34);			/* channel 0, mode 2 */
	outb(0x40, FT_PIT_COUNT & 0xFF);
	outb(0x40, FT_PIT_COUNT >> 8);
	uint32_t pairs = 0;
	uint64_t deadline = rdtsc() + FT_TIMER_BOUND;
	while (ft_ticks < FT_TIMER_TICKS && rdtsc() < deadline) {
		ft_sti_cli_marked();
		if (++pairs % 10 == 0)
			ft_sti_window();
	}
	outb(GUEST_PIC1_DATA, 0xFF);
	guest_printf("fast_trap: %s: %s, ticks right after STI %u\n", ft_row,
		     ft_ticks >= FT_TIMER_TICKS ? "the timer ran" : "too few ticks",
		     ft_ticks_in_shadow);
	return GUEST_EXIT_OK;
}

/* --- attacks on the fast path's pages (supervisor pages of the slot, in ring 3 with --direct) --- */

static int ft_attack(uint32_t address, int write, int jump)
{
	for (unsigned v = 0; v < GUEST_TRAP_VECTORS; v++)
		guest_trap_set_handler(v, ft_attack_trapped);
	guest_printf("ATTACK: %s\n", ft_row);
	if (jump)
		ft_jump_to(address);
	if (write)
		*(volatile uint32_t *)address = FT_ATTACK_VALUE;
	else
		(void)*(volatile uint32_t *)address;
	guest_printf("ATTACK-SURVIVED: %s\n", ft_row);
	return GUEST_EXIT_OK;
}

static int ft_read_code(void) { return ft_attack(FT_HV_CODE, 0, 0); }
static int ft_read_state(void) { return ft_attack(FT_HV_STATE, 0, 0); }
static int ft_write_state(void) { return ft_attack(FT_HV_STATE, 1, 0); }
static int ft_write_counts(void) { return ft_attack(FT_HV_COUNTS, 1, 0); }
static int ft_jump_code(void) { return ft_attack(FT_HV_CODE, 0, 1); }

struct ft_row {
	const char *name;
	int (*run)(void);
};

static const struct ft_row ft_rows[] = {
	{ "in-lock-prefix", ft_lock_prefix },
	{ "in-page-cross", ft_page_cross },
	{ "in-page-cross-unmapped", ft_page_cross_unmapped },
	{ "in-based-cs", ft_based_cs },
	{ "in-16bit-cs", ft_code16 },
	{ "in-single-step", ft_single_step },
	{ "cli-sti-flags", ft_cli_sti_flags },
	{ "count", ft_count },
	{ "sti-shadow-timer", ft_sti_shadow_timer },
	{ "read-fast-trap-code", ft_read_code },
	{ "read-fast-trap-state", ft_read_state },
	{ "write-fast-trap-state", ft_write_state },
	{ "write-fast-trap-counts", ft_write_counts },
	{ "jump-fast-trap-code", ft_jump_code },
};

#define FT_NROWS (sizeof ft_rows / sizeof ft_rows[0])

static int ft_usage(const char *why)
{
	guest_printf("fast_trap: %s; usage: fast_trap <row>; rows:", why);
	for (unsigned i = 0; i < FT_NSIMPLE; i++)
		guest_printf(" %s", ft_simple_rows[i].name);
	for (unsigned i = 0; i < FT_NROWS; i++)
		guest_printf(" %s", ft_rows[i].name);
	guest_printf("\n");
	return GUEST_EXIT_USAGE;
}

int guest_main(uint32_t magic, const struct multiboot_info *info)
{
	static char name[32];

	(void)magic;
	if (!guest_mb_arg(info, 0, name, sizeof name))
		return ft_usage("no row named on the command line");
	/* Descriptors are set before LGDT, when a shadowing hypervisor reads them. */
	guest_gdt_set(FT_SEL_BASED >> 3, desc_make(PAGE_SIZE, 0xFFFFFFFFu,
						   FT_CODE_FLAGS | DESC_HI_DB));
	guest_gdt_set(FT_SEL_CODE16 >> 3, desc_make(0, 0xFFFFu, FT_CODE_FLAGS));
	guest_desc_init();
	guest_pic_mask_all();	/* no interrupt from the firmware's timer, natively */
	ft_row = name;
	for (unsigned i = 0; i < FT_NSIMPLE; i++) {
		if (strcmp(ft_simple_rows[i].name, name) == 0) {
			ft_result(ft_simple_rows[i].fn(FT_EAX));
			return GUEST_EXIT_OK;
		}
	}
	for (unsigned i = 0; i < FT_NROWS; i++)
		if (strcmp(ft_rows[i].name, name) == 0)
			return ft_rows[i].run();
	return ft_usage("unknown row");
}
