/*
 * hv/vdev.c: the table of the guest's devices, and port I/O and MMIO
 * dispatched through it.
 * Runs in: hypervisor, ring 0, on every IN/OUT the guest executes, every
 * guest access to a device's MMIO page, and at the end of every trap (the
 * interrupt a controller has for the guest).
 *
 * The devices are a uniprocessor PC's (docs/platform.md says what each
 * emulates and what not). Their logic is in platform/ (pure, time passed in)
 * and, for the 8259s and the 8254's channel 0 on the real timer, in hv/;
 * the rows here only adapt an access to the device's own functions and,
 * after an access that may move an interrupt line, tell hv/virq.c.
 * A port no row claims reads all ones, as on a bus where nothing answers
 * (QEMU's behaviour too), and ignores writes; both are traced. The
 * isa-debug-exit port (0xF4 alone, as docs/guest-contract.md promises)
 * ends the run with the guest's status.
 */
#include "hv/vdev.h"
#include "hv/console.h"
#include "hv/host_timer.h"
#include "hv/lapic_page.h"
#include "hv/machine.h"
#include "hv/stats.h"
#include "hv/virq.h"

static uint32_t all_ones(unsigned size)
{
	return size == 4 ? 0xFFFFFFFFu : (1u << (size * 8)) - 1;
}

/* --- COM1: platform/uart16550.c, fed from the real COM1's input --- */

static uint32_t com1_read(struct machine *m, uint32_t port, unsigned size)
{
	uint64_t now = host_now_ns();
	/* A guest that polls LSR sees input as soon as it reached the real port. */
	virq_com1_input(m, now);
	uint8_t value = uart_read(&m->com1, port - UART_COM1_BASE, now);
	virq_lines_changed(m, now);
	return value;
}

static void com1_write(struct machine *m, uint32_t port, unsigned size, uint32_t value)
{
	uint64_t now = host_now_ns();
	int tx = uart_write(&m->com1, port - UART_COM1_BASE, (uint8_t)value, now);
	if (tx != UART_NO_TX)
		console_guest_byte((uint8_t)tx);
	virq_lines_changed(m, now);
}

static void com1_reset(struct machine *m)
{
	uart_reset(&m->com1);
}

/* --- the 8259 pair: hv/vpic.c --- */

static uint32_t pic_read(struct machine *m, uint32_t port, unsigned size)
{
	return vpic_in(&m->pic, (uint16_t)port);
}

static void pic_write(struct machine *m, uint32_t port, unsigned size, uint32_t value)
{
	vpic_out(&m->pic, (uint16_t)port, (uint8_t)value);
}

static void pic_reset(struct machine *m)
{
	vpic_reset(&m->pic);
}

/*
 * The 8259s' INTR reaches the CPU through the local APIC's LINT0 (ExtINT):
 * unless the guest turned its local APIC on and masked LINT0, as a kernel
 * that uses the I/O APIC does.
 */
static int pic_pending_vector(const struct machine *m)
{
	if (lapic_enabled(&m->lapic) && (m->lapic.lvt[LVT_LINT0] & LAPIC_LVT_MASKED))
		return -1;
	return vpic_pending_vector(&m->pic);
}

static void pic_acknowledge(struct machine *m)
{
	vpic_acknowledge(&m->pic);
}

/*
 * --- the 8254: channel 0 on the real timer (hv/vpit.c); channel 2 and
 * port 0x61 computed from time (platform/pit8254.c) ---
 */

static uint32_t pit0_read(struct machine *m, uint32_t port, unsigned size)
{
	return vpit_in(&m->pit, (uint16_t)port);
}

static void pit0_write(struct machine *m, uint32_t port, unsigned size, uint32_t value)
{
	vpit_out(&m->pit, (uint16_t)port, (uint8_t)value);
}

static void pit0_reset(struct machine *m)
{
	vpit_reset(&m->pit);
	pit_reset(&m->pit2, host_now_ns());
}

static uint32_t pit2_read(struct machine *m, uint32_t port, unsigned size)
{
	return pit_read(&m->pit2, (uint16_t)port, host_now_ns());
}

static void pit2_write(struct machine *m, uint32_t port, unsigned size, uint32_t value)
{
	pit_write(&m->pit2, (uint16_t)port, (uint8_t)value, host_now_ns());
}

/* A control word goes to the channel it names; read-back to both halves. */
static void pit_control_write(struct machine *m, uint32_t port, unsigned size, uint32_t value)
{
	unsigned channel = (value >> 6) & 3;
	if (channel != 2)
		vpit_out(&m->pit, (uint16_t)port, (uint8_t)value);
	if (channel == 2 || channel == 3)
		pit_write(&m->pit2, (uint16_t)port, (uint8_t)value, host_now_ns());
}

/* --- the local APIC and the I/O APIC: platform/lapic.c, platform/ioapic.c --- */

/* A register is 32 bits; a narrower read takes its bytes, a narrower write zero-extends. */
static uint32_t narrow(uint32_t dword, uint32_t addr, unsigned size)
{
	uint32_t value = dword >> ((addr & 3) * 8);
	return size == 4 ? value : value & ((1u << (size * 8)) - 1);
}

static uint32_t lapic_mmio_read(struct machine *m, uint32_t addr, unsigned size)
{
	uint32_t offset = (addr - LAPIC_DEFAULT_BASE) & ~3u;
	lapic_page_changed(m);	/* the timer caught up, or an error was recorded */
	return narrow(lapic_read(&m->lapic, offset, host_now_ns()), addr, size);
}

static void lapic_mmio_write(struct machine *m, uint32_t addr, unsigned size, uint32_t value)
{
	uint64_t now = host_now_ns();
	int eoi = lapic_write(&m->lapic, (addr - LAPIC_DEFAULT_BASE) & ~3u, value, now);
	lapic_page_changed(m);
	if (eoi != LAPIC_NO_IOAPIC_EOI)
		ioapic_eoi(&m->ioapic, (uint8_t)eoi);
	virq_lines_changed(m, now);
}

static void lapic_mmio_reset(struct machine *m)
{
	lapic_reset(&m->lapic, 0);
	lapic_page_changed(m);
}

static int lapic_pending(const struct machine *m)
{
	/* Asking changes nothing; the model only lacks the const. */
	return lapic_pending_vector((struct lapic *)&m->lapic);
}

static void lapic_acknowledge(struct machine *m)
{
	lapic_ack(&m->lapic);
	lapic_page_changed(m);
}

static uint32_t ioapic_mmio_read(struct machine *m, uint32_t addr, unsigned size)
{
	uint32_t offset = (addr - IOAPIC_DEFAULT_BASE) & ~3u;
	return narrow(ioapic_read(&m->ioapic, offset), addr, size);
}

static void ioapic_mmio_write(struct machine *m, uint32_t addr, unsigned size, uint32_t value)
{
	ioapic_write(&m->ioapic, (addr - IOAPIC_DEFAULT_BASE) & ~3u, value);
	virq_lines_changed(m, host_now_ns());
}

static void ioapic_mmio_reset(struct machine *m)
{
	ioapic_reset(&m->ioapic, 0);
}

/* --- the CRT controller: platform/crtc.c; the text itself is guest RAM at 0xB8000 --- */

static uint32_t crtc_port_read(struct machine *m, uint32_t port, unsigned size)
{
	uint32_t value = crtc_read(&m->crtc, (uint16_t)port, host_now_ns());
	if (size == 2)	/* the ISA bus splits a word into its two bytes */
		value |= (uint32_t)crtc_read(&m->crtc, (uint16_t)(port + 1), host_now_ns()) << 8;
	return value;
}

static void crtc_port_write(struct machine *m, uint32_t port, unsigned size, uint32_t value)
{
	crtc_write(&m->crtc, (uint16_t)port, (uint8_t)value);
	if (size == 2)
		crtc_write(&m->crtc, (uint16_t)(port + 1), (uint8_t)(value >> 8));
}

static void crtc_port_reset(struct machine *m)
{
	crtc_reset(&m->crtc);
}

/* --- the keyboard controller, CMOS/RTC, PCI configuration, fw_cfg --- */

static uint32_t kbc_port_read(struct machine *m, uint32_t port, unsigned size)
{
	uint8_t value = kbc_read(&m->kbc, (uint16_t)port);
	virq_lines_changed(m, host_now_ns());
	return value;
}

static void kbc_port_write(struct machine *m, uint32_t port, unsigned size, uint32_t value)
{
	if (kbc_write(&m->kbc, (uint16_t)port, (uint8_t)value) == KBC_RESET_CPU)
		hv_exit_stopped("reset: the guest reset the machine through the keyboard controller");
	virq_lines_changed(m, host_now_ns());
}

static void kbc_port_reset(struct machine *m)
{
	kbc_reset(&m->kbc);
}

static uint32_t cmos_port_read(struct machine *m, uint32_t port, unsigned size)
{
	uint64_t now = host_now_ns();
	uint8_t value = cmos_rtc_read(&m->cmos, (uint16_t)port, now);
	virq_lines_changed(m, now);
	return value;
}

static void cmos_port_write(struct machine *m, uint32_t port, unsigned size, uint32_t value)
{
	uint64_t now = host_now_ns();
	cmos_rtc_write(&m->cmos, (uint16_t)port, (uint8_t)value, now);
	virq_lines_changed(m, now);
}

static void cmos_port_reset(struct machine *m)
{
	cmos_rtc_reset(&m->cmos, m->cpu.mem_bytes, host_now_ns());
}

static uint32_t pci_port_read(struct machine *m, uint32_t port, unsigned size)
{
	if (!pci_config_owns((uint16_t)port, size))
		return all_ones(size);
	return pci_config_read(&m->pci, (uint16_t)port, size);
}

static void pci_port_write(struct machine *m, uint32_t port, unsigned size, uint32_t value)
{
	if (pci_config_owns((uint16_t)port, size) &&
	    pci_config_write(&m->pci, (uint16_t)port, size, value))
		hv_exit_stopped("reset: the guest reset the machine through port 0xCF9");
}

static void pci_port_reset(struct machine *m)
{
	pci_config_reset(&m->pci);
}

static uint32_t fw_cfg_port_read(struct machine *m, uint32_t port, unsigned size)
{
	return fw_cfg_read(&m->fw_cfg, (uint16_t)port, size);
}

static void fw_cfg_port_write(struct machine *m, uint32_t port, unsigned size, uint32_t value)
{
	fw_cfg_write(&m->fw_cfg, (uint16_t)port, size, value);
}

static void fw_cfg_port_reset(struct machine *m)
{
	fw_cfg_reset(&m->fw_cfg, m->cpu.mem_bytes);
}

static void debug_exit_write(struct machine *m, uint32_t port, unsigned size, uint32_t value)
{
	hv_exit_guest(value & all_ones(size));
}

/*
 * The devices with ports, in the order of their first port: a lookup stops
 * at the first row that starts above the port, so an unclaimed port costs
 * a few rows, not the whole table. Interrupt controllers are marked by
 * pending_vector; the pair of PICs answers through the master's row.
 */
static const struct vdev devices[] = {
	{ .name = "pic master", .port_first = 0x20, .port_last = 0x21, .sizes = VDEV_SIZE_1,
	  .read = pic_read, .write = pic_write, .reset = pic_reset,
	  .pending_vector = pic_pending_vector, .acknowledge = pic_acknowledge },
	{ .name = "pit channel 0", .port_first = PIT_PORT_CHANNEL0, .port_last = PIT_PORT_CHANNEL0,
	  .sizes = VDEV_SIZE_1, .read = pit0_read, .write = pit0_write, .reset = pit0_reset },
	{ .name = "pit channel 2", .port_first = PIT_PORT_CHANNEL2, .port_last = PIT_PORT_CHANNEL2,
	  .sizes = VDEV_SIZE_1, .read = pit2_read, .write = pit2_write },
	{ .name = "pit control", .port_first = PIT_PORT_CONTROL, .port_last = PIT_PORT_CONTROL,
	  .sizes = VDEV_SIZE_1, .read = pit0_read, .write = pit_control_write },
	{ .name = "keyboard controller", .port_first = KBC_PORT_DATA, .port_last = KBC_PORT_DATA,
	  .sizes = VDEV_SIZE_1, .read = kbc_port_read, .write = kbc_port_write,
	  .reset = kbc_port_reset },
	{ .name = "port 0x61", .port_first = PIT_PORT_SPEAKER, .port_last = PIT_PORT_SPEAKER,
	  .sizes = VDEV_SIZE_1, .read = pit2_read, .write = pit2_write },
	{ .name = "keyboard status", .port_first = KBC_PORT_STATUS, .port_last = KBC_PORT_STATUS,
	  .sizes = VDEV_SIZE_1, .read = kbc_port_read, .write = kbc_port_write },
	{ .name = "cmos", .port_first = CMOS_PORT_INDEX, .port_last = CMOS_PORT_DATA,
	  .sizes = VDEV_SIZE_1, .read = cmos_port_read, .write = cmos_port_write,
	  .reset = cmos_port_reset },
	{ .name = "pic slave", .port_first = 0xA0, .port_last = 0xA1, .sizes = VDEV_SIZE_1,
	  .read = pic_read, .write = pic_write },
	{ .name = "debug exit", .port_first = 0xF4, .port_last = 0xF4, .sizes = VDEV_SIZE_ANY,
	  .write = debug_exit_write },
	{ .name = "crtc", .port_first = CRTC_PORT_INDEX, .port_last = CRTC_PORT_DATA,
	  .sizes = VDEV_SIZE_1 | VDEV_SIZE_2, .read = crtc_port_read, .write = crtc_port_write,
	  .reset = crtc_port_reset },
	{ .name = "crtc status", .port_first = CRTC_PORT_STATUS, .port_last = CRTC_PORT_STATUS,
	  .sizes = VDEV_SIZE_1, .read = crtc_port_read },
	{ .name = "com1", .port_first = UART_COM1_BASE, .port_last = UART_COM1_BASE + 7,
	  .sizes = VDEV_SIZE_1, .read = com1_read, .write = com1_write, .reset = com1_reset },
	{ .name = "fw_cfg", .port_first = FW_CFG_PORT_SELECTOR, .port_last = FW_CFG_PORT_DATA,
	  .sizes = VDEV_SIZE_ANY, .read = fw_cfg_port_read, .write = fw_cfg_port_write,
	  .reset = fw_cfg_port_reset },
	{ .name = "pci config", .port_first = PCI_PORT_ADDRESS, .port_last = PCI_PORT_DATA + 3,
	  .sizes = VDEV_SIZE_ANY, .read = pci_port_read, .write = pci_port_write,
	  .reset = pci_port_reset },
};

/* The devices with memory-mapped registers, by guest-physical range. */
static const struct vdev mmio_devices[] = {
	{ .name = "local apic", .mmio_base = LAPIC_DEFAULT_BASE, .mmio_bytes = LAPIC_MMIO_SIZE,
	  .sizes = VDEV_SIZE_ANY, .read = lapic_mmio_read, .write = lapic_mmio_write,
	  .reset = lapic_mmio_reset, .pending_vector = lapic_pending,
	  .acknowledge = lapic_acknowledge },
	{ .name = "i/o apic", .mmio_base = IOAPIC_DEFAULT_BASE, .mmio_bytes = 0x1000,
	  .sizes = VDEV_SIZE_ANY, .read = ioapic_mmio_read, .write = ioapic_mmio_write,
	  .reset = ioapic_mmio_reset },
};

#define NDEVICES (sizeof devices / sizeof devices[0])
#define NMMIO_DEVICES (sizeof mmio_devices / sizeof mmio_devices[0])

/*
 * For each ISA port (below 0x400, where all but PCI's and fw_cfg's are),
 * the first row whose range holds it, plus one (0: none), filled by
 * vdev_reset_all: a trapped IN or OUT finds its device with one load. Under
 * TCG every row a scan looks at is a translated block of its own, and the
 * guest's console, COM1, is the thirteenth row.
 */
#define ISA_PORTS 0x400
static uint8_t isa_port_row[ISA_PORTS];

static int row_takes(const struct vdev *d, uint16_t port, unsigned size, int write)
{
	return port >= d->port_first && port <= d->port_last && (d->sizes & size) &&
	       (write ? !!d->write : !!d->read);
}

/* The row that claims port for an access of size (reads or writes), or NULL. */
static const struct vdev *port_owner(uint16_t port, unsigned size, int write)
{
	if (port < ISA_PORTS) {
		unsigned row = isa_port_row[port];
		if (!row)
			return 0;
		if (row_takes(&devices[row - 1], port, size, write))
			return &devices[row - 1];
		/* A size or direction the first row does not take: a later row may. */
	}
	for (const struct vdev *d = devices; d < devices + NDEVICES && port >= d->port_first; d++)
		if (row_takes(d, port, size, write))
			return d;
	return 0;
}

static void index_isa_ports(void)
{
	_Static_assert(NDEVICES < 256, "a row's index fits a byte");
	for (unsigned port = 0; port < ISA_PORTS; port++) {
		isa_port_row[port] = 0;
		for (unsigned i = 0; i < NDEVICES; i++) {
			if (port >= devices[i].port_first && port <= devices[i].port_last) {
				isa_port_row[port] = (uint8_t)(i + 1);
				break;
			}
		}
	}
}

/*
 * The interrupt controllers, asked at the end of every trap in this order
 * (the local APIC's interrupts come first): the rows with pending_vector.
 */
static const struct vdev *const controllers[] = { &mmio_devices[0], &devices[0] };

void vdev_reset_all(struct machine *m)
{
	unsigned ncontrollers = 0;

	index_isa_ports();
	for (unsigned i = 0; i < NDEVICES; i++) {
		if (devices[i].reset)
			devices[i].reset(m);
		ncontrollers += devices[i].pending_vector != 0;
	}
	for (unsigned i = 0; i < NMMIO_DEVICES; i++) {
		if (mmio_devices[i].reset)
			mmio_devices[i].reset(m);
		ncontrollers += mmio_devices[i].pending_vector != 0;
	}
	/* controllers[] above must list every row that has an interrupt for the guest. */
	if (ncontrollers != sizeof controllers / sizeof controllers[0])
		hv_panic("vdev: %u interrupt controllers in the tables, %u in controllers[]",
			 ncontrollers, (unsigned)(sizeof controllers / sizeof controllers[0]));
}

uint32_t vdev_in(struct machine *m, uint16_t port, unsigned size)
{
	const struct vdev *d = port_owner(port, size, 0);
	if (d)
		return d->read(m, port, size);
	stats_unknown_port(0, port, size, all_ones(size));
	return all_ones(size);
}

void vdev_out(struct machine *m, uint16_t port, unsigned size, uint32_t value)
{
	const struct vdev *d = port_owner(port, size, 1);
	if (d)
		d->write(m, port, size, value);
	else
		stats_unknown_port(1, port, size, value);
}

int vdev_port_claimed(uint16_t port, unsigned size, int write)
{
	return port_owner(port, size, write) != 0;
}

const struct vdev *vdev_mmio_at(uint32_t gpa)
{
	for (unsigned i = 0; i < NMMIO_DEVICES; i++)
		if (gpa - mmio_devices[i].mmio_base < mmio_devices[i].mmio_bytes)
			return &mmio_devices[i];
	return 0;
}

int vdev_pending_vector(const struct machine *m, const struct vdev **from)
{
	for (unsigned i = 0; i < sizeof controllers / sizeof controllers[0]; i++) {
		int vector = controllers[i]->pending_vector(m);
		if (vector >= 0) {
			*from = controllers[i];
			return vector;
		}
	}
	return -1;
}
