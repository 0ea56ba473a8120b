/*
 * guests/attack/attack.c: a guest that tries to touch memory it was not
 * given. Popek and Goldberg's resource control says a hypervisor must stop
 * every such access.
 * Runs in: guest.
 *
 * The attack is chosen by the second word of the command line
 * ("attack read-beyond-ram"); each is one row of the table below:
 *   1. read or write just past the end of the guest's RAM (as multiboot's
 *      mem_upper reports it);
 *   2. read or write every page of 0xFFC00000..0xFFFFFFFF, the top 4 MiB
 *      where the hypervisor keeps what a trap needs;
 *   3. read or write at every 4 MiB step from the end of RAM to the top
 *      of the 4 GiB address space;
 *   4. the same past the end of RAM and on every page of the top 4 MiB, but
 *      through a data segment whose base lies just below the end of RAM, so that only
 *      base + offset, never the offset alone, leaves the guest's memory.
 *      Its limit is 4 GiB: a segment limit is not what must stop it.
 *
 * Natively there is nothing to stop: reads beyond RAM return what the bus
 * returns, writes vanish, and the guest prints `ATTACK-SURVIVED: <name>`.
 * Under the hypervisor that line must never appear: the run must end with
 * the guest stopped at its first access.
 *
 * Exit status: 0 after `ATTACK-SURVIVED`; 2 for a missing or unknown
 * attack name; 3 if the access raised an exception in the guest itself
 * (`ATTACK-TRAPPED: ...`), which also means it did not get through.
 */
#include <stdbool.h>
#include <stdint.h>

#include "guests/lib/guest_console.h"
#include "guests/lib/guest_desc.h"
#include "guests/lib/guest_exit.h"
#include "guests/lib/guest_main.h"
#include "guests/lib/guest_multiboot.h"
#include "guests/lib/guest_trap.h"
#include "lib/string.h"

#define ATTACK_EXIT_TRAPPED	3

#define ATTACK_SWITCHER_BASE	0xFFC00000u	/* the top 4 MiB */
#define ATTACK_PAGE		0x1000u
#define ATTACK_STEP		0x400000u	/* 4 MiB */
#define ATTACK_VALUE		0xA77AC4EDu	/* what the write attacks store */

#define ATTACK_SEL_BASED	(GUEST_GDT_FIRST_FREE << 3)
#define ATTACK_DATA_FLAGS (DESC_HI_P | DESC_HI_S | DESC_HI_DB | \
			   (DESC_TYPE_WRITABLE << 8))

/* Base of the based segment: one page below the end of RAM. */
#define ATTACK_SEG_BELOW_END	ATTACK_PAGE

struct attack_ctx {
	uint32_t ram_end;	/* first guest-physical address past RAM */
	uint32_t seg_base;	/* base of ATTACK_SEL_BASED */
};

struct attack {
	const char *name;
	bool write;
	void (*run)(const struct attack_ctx *ctx, bool write);
};

static const char *attack_current = "none";

/* One access at a linear address (no paging: also guest-physical). */
static void attack_flat(uint32_t addr, bool write)
{
	volatile uint32_t *p = (volatile uint32_t *)addr;

	if (write)
		*p = ATTACK_VALUE;
	else
		(void)*p;
}

/* One access at offset `off` of the based segment, through FS. */
static void attack_seg(uint32_t off, bool write)
{
	if (write)
		__asm__ volatile("movl %1, %%fs:(%0)"
				 : : "r"(off), "r"(ATTACK_VALUE) : "memory");
	else
		__asm__ volatile("movl %%fs:(%0), %%eax"
				 : : "r"(off) : "eax", "memory");
}

static const char *attack_verb(bool write)
{
	return write ? "writing" : "reading";
}

static void attack_beyond_ram(const struct attack_ctx *ctx, bool write)
{
	const uint32_t offsets[] = { 0, ATTACK_PAGE, 0x100000u };

	guest_printf("attack: %s 0x%08x, 0x%08x and 0x%08x (RAM ends at 0x%08x)\n",
		     attack_verb(write), ctx->ram_end + offsets[0],
		     ctx->ram_end + offsets[1], ctx->ram_end + offsets[2],
		     ctx->ram_end);
	for (unsigned i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++)
		attack_flat(ctx->ram_end + offsets[i], write);
}

static void attack_switcher(const struct attack_ctx *ctx, bool write)
{
	guest_printf("attack: %s every page of 0x%08x..0xffffffff\n",
		     attack_verb(write), ATTACK_SWITCHER_BASE);
	for (uint32_t a = ATTACK_SWITCHER_BASE; a != 0; a += ATTACK_PAGE)
		attack_flat(a, write);
	attack_flat(0xFFFFFFFCu, write);
}

static void attack_sweep(const struct attack_ctx *ctx, bool write)
{
	uint32_t first = (ctx->ram_end + ATTACK_STEP - 1) & ~(ATTACK_STEP - 1);

	guest_printf("attack: %s every 4 MiB from 0x%08x to 0x%08x\n",
		     attack_verb(write), first, 0u - ATTACK_STEP);
	/* Stops when the address wraps to 0 past the top of the 4 GiB space. */
	for (uint32_t a = first; a != 0; a += ATTACK_STEP)
		attack_flat(a, write);
}

static void attack_seg_beyond_ram(const struct attack_ctx *ctx, bool write)
{
	const uint32_t offsets[] = { ATTACK_SEG_BELOW_END, ATTACK_SEG_BELOW_END + ATTACK_PAGE };

	guest_printf("attack: %s fs:0x%x and fs:0x%x, segment base 0x%08x (RAM ends at 0x%08x)\n",
		     attack_verb(write), offsets[0], offsets[1], ctx->seg_base,
		     ctx->ram_end);
	for (unsigned i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++)
		attack_seg(offsets[i], write);
}

static void attack_seg_switcher(const struct attack_ctx *ctx, bool write)
{
	uint32_t first = ATTACK_SWITCHER_BASE - ctx->seg_base;

	guest_printf("attack: %s every page of fs:0x%08x.., segment base 0x%08x: linear 0x%08x..0xffffffff\n",
		     attack_verb(write), first, ctx->seg_base, ATTACK_SWITCHER_BASE);
	/* The offset whose linear address wraps to 0 ends the walk. */
	for (uint32_t off = first; off != 0u - ctx->seg_base; off += ATTACK_PAGE)
		attack_seg(off, write);
	attack_seg(0xFFFFFFFCu - ctx->seg_base, write);
}

static const struct attack attacks[] = {
	{ "read-beyond-ram", false, attack_beyond_ram },
	{ "write-beyond-ram", true, attack_beyond_ram },
	{ "read-switcher", false, attack_switcher },
	{ "write-switcher", true, attack_switcher },
	{ "read-sweep", false, attack_sweep },
	{ "write-sweep", true, attack_sweep },
	{ "seg-read-beyond-ram", false, attack_seg_beyond_ram },
	{ "seg-write-beyond-ram", true, attack_seg_beyond_ram },
	{ "seg-read-switcher", false, attack_seg_switcher },
	{ "seg-write-switcher", true, attack_seg_switcher },
};

#define ATTACK_COUNT (sizeof(attacks) / sizeof(attacks[0]))

static void attack_trapped(struct guest_trap_frame *frame)
{
	guest_printf("ATTACK-TRAPPED: %s: vector %u error 0x%x eip 0x%08x\n",
		     attack_current, frame->vector, frame->error, frame->eip);
	guest_exit(ATTACK_EXIT_TRAPPED);
}

static int attack_usage(const char *why)
{
	guest_printf("attack: %s; usage: attack <name>; names:", why);
	for (unsigned i = 0; i < ATTACK_COUNT; i++)
		guest_printf(" %s", attacks[i].name);
	guest_printf("\n");
	return GUEST_EXIT_USAGE;
}

int guest_main(uint32_t magic, const struct multiboot_info *info)
{
	char name[48];
	const struct attack *a = 0;

	if (!guest_mb_arg(info, 0, name, sizeof(name)))
		return attack_usage("no attack named on the command line");
	for (unsigned i = 0; i < ATTACK_COUNT; i++)
		if (strcmp(attacks[i].name, name) == 0)
			a = &attacks[i];
	if (!a)
		return attack_usage("unknown attack");

	struct attack_ctx ctx = { .ram_end = guest_mb_ram_end(info) };
	if (ctx.ram_end < 2 * ATTACK_PAGE + 0x100000u) {
		guest_printf("attack: the loader gave no usable memory size\n");
		return GUEST_EXIT_USAGE;
	}
	ctx.seg_base = ctx.ram_end - ATTACK_SEG_BELOW_END;

	/* Descriptors are set before LGDT, when a shadowing hypervisor reads them. */
	guest_gdt_set(ATTACK_SEL_BASED >> 3,
		      desc_make(ctx.seg_base, 0xFFFFFFFFu, ATTACK_DATA_FLAGS));
	guest_desc_init();
	for (unsigned v = 0; v < GUEST_TRAP_VECTORS; v++)
		guest_trap_set_handler(v, attack_trapped);
	__asm__ volatile("movw %0, %%fs" : : "r"((uint16_t)ATTACK_SEL_BASED));

	attack_current = a->name;
	guest_printf("ATTACK: %s\n", a->name);
	a->run(&ctx, a->write);
	guest_printf("ATTACK-SURVIVED: %s\n", a->name);
	return GUEST_EXIT_OK;
}
