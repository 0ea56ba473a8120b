/*
 * hv/main.c: from the multiboot loader's hand-off to the guest's first
 * instruction.
 * Runs in: hypervisor, ring 0, once, at boot.
 *
 * 1. Read our own command line (ring=, trace=, mem=) and find the guest
 *    module among the multiboot modules.
 * 2. Turn on paging in the hypervisor's address space and load the real
 *    GDT, IDT and TSS.
 * 3. Place guest memory above everything the loader gave us, write the
 *    firmware's view of low memory (BIOS data area, EBDA, MP and ACPI
 *    tables: platform/mptable.c), check the guest image, copy it in, and
 *    write its multiboot information.
 * 4. Build the guest's page tables and its first trap frame, and enter it.
 */
#include "hv/address_space.h"
#include "hv/console.h"
#include "hv/cpu_tables.h"
#include "hv/decode.h"
#include "hv/direct.h"
#include "hv/fast_trap.h"
#include "hv/emulate.h"
#include "hv/guest_image.h"
#include "hv/guest_mode.h"
#include "hv/host_timer.h"
#include "hv/integrity.h"
#include "hv/lapic_page.h"
#include "hv/layout.h"
#include "hv/machine.h"
#include "hv/patch.h"
#include "hv/patch_inline.h"
#include "hv/real_cpu.h"
#include "hv/stats.h"
#include "hv/switcher.h"
#include "hv/vcpu.h"
#include "hv/virq.h"
#include "lib/cmdline.h"
#include "lib/mmu.h"
#include "lib/multiboot.h"
#include "lib/string.h"
#include "platform/crtc.h"
#include "platform/mptable.h"


/* Multiboot modules passed on to the guest, at the most. */
#define GUEST_MODULES_MAX	16

struct hv_options {
	unsigned ring;
	int trace;
	uint32_t mem_mib;
	unsigned patch_set;	/* deprivilege/patcher.h: which instructions to patch */
	int umip;		/* make SGDT, SIDT, SLDT, SMSW and STR trap */
	int direct;		/* the fast paths: LAPIC reads and system calls without traps */
};

static int parse_number(const char *s, uint32_t *out)
{
	uint32_t v = 0;
	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > 100000)
			return -1;
		v = v * 10 + (uint32_t)(*s - '0');
	}
	if (*s && *s != ' ')
		return -1;
	*out = v;
	return 0;
}

static int patch_word(const char *s, unsigned *set)
{
	char word[8];
	unsigned n = 0;
	while (s[n] && s[n] != ' ' && n + 1 < sizeof word) {
		word[n] = s[n];
		n++;
	}
	word[n] = 0;
	if (s[n] && s[n] != ' ')
		return -1;
	return patch_set_from_name(word, set);
}

/*
 * The command line is "key=value ...", after our own path when the loader
 * put it first (QEMU: "hv.elf ring=3", GRUB: "ring=3"; lib/cmdline.h).
 */
static void parse_options(const char *cmdline, struct hv_options *opt)
{
	const char *p = cmdline ? cmdline_args(cmdline) : 0;
	uint32_t v;

	opt->ring = 1;
	opt->trace = 0;
	opt->mem_mib = GUEST_MEM_DEFAULT_MIB;
	opt->patch_set = 0;
	opt->umip = 0;
	opt->direct = 0;
	while (p && *p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		if (!strncmp(p, "ring=", 5) && !parse_number(p + 5, &v) && (v == 1 || v == 3))
			opt->ring = v;
		else if (!strncmp(p, "trace=", 6) && !parse_number(p + 6, &v))
			opt->trace = v != 0;
		else if (!strncmp(p, "umip=", 5) && !parse_number(p + 5, &v) && v <= 1)
			opt->umip = (int)v;
		else if (!strncmp(p, "direct=", 7) && !parse_number(p + 7, &v) && v <= 1)
			opt->direct = (int)v;
		else if (!strncmp(p, "mem=", 4) && !parse_number(p + 4, &v) &&
			 v >= GUEST_MEM_MIN_MIB && v <= GUEST_MEM_MAX_MIB)
			opt->mem_mib = v;
		else if (!strncmp(p, "patch=", 6) && !patch_word(p + 6, &opt->patch_set))
			;
		else
			hv_exit_refused("bad hypervisor option (ring=1|3, trace=0|1, mem=1..1024, patch=none|popf|all|inline, umip=0|1, direct=0|1)");
		p = strchr(p, ' ');
	}
}

/*
 * The guest's command line from its module's string: "dir/guest.elf args"
 * -> "guest.elf args" (kernels read argv[0] first). A string without the
 * file's path in front (GRUB's "args") goes to the guest as it is, as GRUB
 * would give it to the guest on the bare machine.
 */
static const char *guest_command_line(const char *module_string)
{
	const char *path;
	unsigned n = cmdline_path(module_string, &path);
	if (!n)
		return module_string;
	const char *name = path;
	for (unsigned i = 0; i < n; i++)
		if (path[i] == '/')
			name = path + i + 1;
	return name;
}

/*
 * The guest's name for the hello line: its file's name from the module's
 * string ("dir/kernelmemfs" gives "kernelmemfs": the '/' says it is a path,
 * which its name alone would not), or "guest" when the loader gave none.
 */
static void guest_name(char *dst, unsigned size, const char *module_string)
{
	const char *path;
	unsigned n = cmdline_path(module_string, &path);
	if (!n) {
		path = "guest";
		n = 5;
	}
	for (unsigned i = n; i > 0; i--) {
		if (path[i - 1] == '/') {
			n -= i;
			path += i;
			break;
		}
	}
	if (n + 1 > size)
		n = size - 1;
	memcpy(dst, path, n);
	dst[n] = 0;
	/* "popf_demo.elf" is shown as "popf_demo". */
	if (n > 4 && !strcmp(dst + n - 4, ".elf"))
		dst[n - 4] = 0;
}

void hv_main(uint32_t magic, const struct multiboot_info *mbi)
{
	struct hv_options opt;
	char name[64], qname[80];

	console_init();
	if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
		hv_panic("not started by a multiboot loader (eax=0x%x)", magic);
	parse_options(mbi->flags & MULTIBOOT_INFO_CMDLINE ? (const char *)mbi->cmdline : 0,
		      &opt);
	if (!(mbi->flags & MULTIBOOT_INFO_MODS) || mbi->mods_count < 1)
		hv_exit_refused("no guest image: pass one as a multiboot module");

	const struct multiboot_module *mod = (const void *)mbi->mods_addr;
	const char *module_string = mod->string ? (const char *)mod->string : "guest.elf";
	const char *cmdline = guest_command_line(module_string);
	guest_name(name, sizeof name, module_string);
	console_quote(qname, sizeof qname, name);
	console_event("hello version=1 ring=%u mem_mib=%u guest=%s trace=%d umip=%d direct=%d patch=%s",
		      opt.ring, opt.mem_mib, qname, opt.trace, opt.umip, opt.direct,
		      patch_set_name(opt.patch_set));
	stats_init(opt.trace);

	hv_space_init();
	/* The inline mode moves where the guest's segments end: before any is built. */
	patch_inline_choose((opt.patch_set & PATCH_MODE_INLINE) != 0, opt.ring);
	fast_trap_choose(opt.ring, opt.direct, (opt.patch_set & PATCH_MODE_INLINE) != 0, opt.trace);
	cpu_tables_init(opt.ring);
	host_pic_init();
	if (host_clock_init() != 0)
		hv_panic("this CPU has no local APIC or no TSC: no clock for the guest's devices");
	host_com1_interrupt_on_input();
	/* Writing CR4.UMIP on a CPU without it hangs QEMU TCG: ask CPUID first (FACTS.md). */
	if (opt.umip) {
		if (!cpu_has_umip())
			hv_exit_refused("umip=1, but this CPU has no UMIP (QEMU: -cpu max)");
		write_cr4(read_cr4() | CR4_UMIP);
	}
	if (decode_init() != 0)
		hv_panic("cannot initialise the instruction decoder");

	/* Guest memory starts at the first 4 MiB boundary above us and every module. */
	uint32_t top = (uint32_t)hv_image_end;
	const struct multiboot_module *mods = (const void *)mbi->mods_addr;
	for (uint32_t i = 0; i < mbi->mods_count; i++)
		if (mods[i].mod_end > top)
			top = mods[i].mod_end;
	uint32_t host_base = (top + LARGE_PAGE_SIZE - 1) & ~(LARGE_PAGE_SIZE - 1);
	uint32_t mem_bytes = opt.mem_mib << 20;
	uint32_t ram_top = 0x100000 + mbi->mem_upper * 1024;
	if (host_base + mem_bytes > ram_top)
		hv_panic("the machine has %u MiB, too little for %u MiB of guest memory",
			 ram_top >> 20, opt.mem_mib);

	struct machine *m = &the_machine;
	struct vcpu *vcpu = &m->cpu;
	machine_init(m, opt.ring, (uint8_t *)host_base, mem_bytes);

	static struct guest_image image;
	const void *file = (const void *)mod->mod_start;
	if (mod->mod_end - mod->mod_start > GUEST_IMAGE_MAX_FILE_BYTES)
		hv_exit_refused("the guest image is larger than 64 MiB");
	const char *why = guest_image_check(file, mod->mod_end - mod->mod_start,
					    mem_bytes, &image);
	if (why)
		hv_exit_refused(why);
	/* QEMU's RAM starts zeroed, as the bare machine's does in the native run. */
	guest_image_load(file, &image, vcpu->mem);
	struct firmware_config fw;
	struct firmware_layout fw_layout;
	firmware_config_default(&fw);
	if (firmware_write_low_memory(vcpu->mem, mem_bytes, &fw, &fw_layout) != 0)
		hv_exit_refused("guest memory is too small for the firmware's tables (1 MiB at least)");
	uint32_t info = guest_image_info_gpa(&image);
	uint32_t info_end = info ? guest_multiboot_build(vcpu->mem, mem_bytes, info, cmdline) : 0;
	if (!info_end)
		hv_exit_refused("no room in guest memory for the multiboot information");
	/* Our modules after the first (the guest) are the guest's modules, in order. */
	static struct guest_module guest_mods[GUEST_MODULES_MAX];
	uint32_t nguest_mods = mbi->mods_count - 1;
	if (nguest_mods > GUEST_MODULES_MAX)
		hv_exit_refused("more multiboot modules than the hypervisor passes on (16)");
	for (uint32_t i = 0; i < nguest_mods; i++) {
		const struct multiboot_module *gm = &mods[i + 1];
		guest_mods[i].data = (const void *)gm->mod_start;
		guest_mods[i].len = gm->mod_end - gm->mod_start;
		/* As QEMU gives it natively: the path, then the STRING. */
		guest_mods[i].string = gm->string ? (const char *)gm->string : "";
	}
	if (nguest_mods &&
	    !guest_multiboot_add_modules(vcpu->mem, mem_bytes, info, info_end, guest_mods, nguest_mods))
		hv_exit_refused("the guest's modules do not fit in its memory");
	console_event("load entry=0x%08x segments=%u info=0x%08x screen=0x%08x",
		      image.entry, image.nsegments, info, host_base + CRTC_TEXT_BASE);
	patch_guest(vcpu, file, mod->mod_end - mod->mod_start, &image, opt.patch_set);

	guest_mode_init_spaces(vcpu, host_base);
	if (opt.direct) {
		lapic_page_init(m);
		direct_enable(m);
		fast_trap_init(m);
	}
	/* Input typed before the guest's first instruction waits in its COM1, as natively. */
	virq_com1_input(m, host_now_ns());

	/* The machine state multiboot promises, at the guest's real ring. */
	integrity_record();
	console_guest_started();
	struct trap_frame *f = (struct trap_frame *)(switcher_stack_page + SWITCHER_STACK_BYTES) - 1;
	memset(f, 0, sizeof *f);
	f->eax = MULTIBOOT_BOOTLOADER_MAGIC;
	f->ebx = info;
	f->eip = image.entry;
	f->cs = SEL_MAKE(GDT_GUEST_BOOT_CODE, opt.ring);
	f->ds = f->es = f->fs = f->gs = f->ss = SEL_MAKE(GDT_GUEST_BOOT_DATA, opt.ring);
	f->esp = 0x7000;
	/* Really IF=1, IOPL=0: the guest's own IF (off, as multiboot says) is virtual. */
	f->eflags = EFLAGS_FIXED | EFLAGS_IF;
	vcpu->virt_if = 0;
	vcpu->regs = *f;
	if (fast_trap_on)
		fast_trap_sync_out(m);
	switcher_enter_guest(f);
}
