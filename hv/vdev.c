/*
 * hv/vdev.c: the table of the guest's devices, and port I/O dispatched
 * through it.
 * Runs in: hypervisor, ring 0, on every IN/OUT the guest executes, and at
 * the end of every trap (the interrupt a controller has for the guest).
 *
 * 1. COM1 (0x3F8..0x3FF): hv/vuart.c.
 * 2. The interrupt controllers and the timer: hv/vpic.c, hv/vpit.c.
 * 3. isa-debug-exit (0xF4): the guest's request to end the run with a
 *    status; a write of any size. Only 0xF4, as docs/guest-contract.md
 *    promises and as the host program sets up QEMU's device for a native
 *    run (iosize=1); 0xF5..0xF7 are ports like any other.
 * 4. Every other port: reads give all ones, as on a bus where nothing
 *    answers (QEMU's behaviour too), writes are dropped; both are traced.
 * Each row's handlers reach the device's state in the machine they are
 * given; the rows here only adapt a port access to the device's own
 * functions.
 */
#include "hv/vdev.h"
#include "hv/console.h"
#include "hv/machine.h"
#include "hv/stats.h"

#define COM1_BASE	0x3F8

static uint32_t all_ones(unsigned size)
{
	return size == 4 ? 0xFFFFFFFFu : (1u << (size * 8)) - 1;
}

static uint32_t com1_read(struct machine *m, uint32_t port, unsigned size)
{
	return vuart_in(&m->com1, port - COM1_BASE);
}

static void com1_write(struct machine *m, uint32_t port, unsigned size, uint32_t value)
{
	vuart_out(&m->com1, port - COM1_BASE, (uint8_t)value);
}

static void com1_reset(struct machine *m)
{
	vuart_reset(&m->com1);
}

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

static int pic_pending_vector(const struct machine *m)
{
	return vpic_pending_vector(&m->pic);
}

static void pic_acknowledge(struct machine *m)
{
	vpic_acknowledge(&m->pic);
}

static uint32_t pit_read(struct machine *m, uint32_t port, unsigned size)
{
	return vpit_in(&m->pit, (uint16_t)port);
}

static void pit_write(struct machine *m, uint32_t port, unsigned size, uint32_t value)
{
	vpit_out(&m->pit, (uint16_t)port, (uint8_t)value);
}

static void pit_reset(struct machine *m)
{
	vpit_reset(&m->pit);
}

static void debug_exit_write(struct machine *m, uint32_t port, unsigned size, uint32_t value)
{
	hv_exit_guest(value & all_ones(size));
}

/*
 * The devices, in the order of their first port: a lookup stops at the
 * first row that starts above the port, so an unclaimed port costs a few
 * rows, not the whole table. Interrupt controllers are marked by
 * pending_vector; the pair of PICs answers through the master's row.
 */
static const struct vdev devices[] = {
	{ .name = "pic master", .port_first = 0x20, .port_last = 0x21, .sizes = VDEV_SIZE_1,
	  .read = pic_read, .write = pic_write, .reset = pic_reset,
	  .pending_vector = pic_pending_vector, .acknowledge = pic_acknowledge },
	{ .name = "pit channel 0", .port_first = 0x40, .port_last = 0x40, .sizes = VDEV_SIZE_1,
	  .read = pit_read, .write = pit_write, .reset = pit_reset },
	{ .name = "pit control", .port_first = 0x43, .port_last = 0x43, .sizes = VDEV_SIZE_1,
	  .read = pit_read, .write = pit_write },
	{ .name = "pic slave", .port_first = 0xA0, .port_last = 0xA1, .sizes = VDEV_SIZE_1,
	  .read = pic_read, .write = pic_write },
	{ .name = "debug exit", .port_first = 0xF4, .port_last = 0xF4, .sizes = VDEV_SIZE_ANY,
	  .write = debug_exit_write },
	{ .name = "com1", .port_first = COM1_BASE, .port_last = COM1_BASE + 7,
	  .sizes = VDEV_SIZE_1, .read = com1_read, .write = com1_write, .reset = com1_reset },
};

#define NDEVICES (sizeof devices / sizeof devices[0])

/* The row that claims port for an access of size (reads or writes), or NULL. */
static const struct vdev *port_owner(uint16_t port, unsigned size, int write)
{
	for (const struct vdev *d = devices; d < devices + NDEVICES && port >= d->port_first; d++)
		if (port <= d->port_last && (d->sizes & size) && (write ? !!d->write : !!d->read))
			return d;
	return 0;
}

/* The interrupt controllers, asked at the end of every trap: the rows with pending_vector. */
static const struct vdev *const controllers[] = { &devices[0] };

void vdev_reset_all(struct machine *m)
{
	unsigned ncontrollers = 0;
	for (unsigned i = 0; i < NDEVICES; i++) {
		if (devices[i].reset)
			devices[i].reset(m);
		ncontrollers += devices[i].pending_vector != 0;
	}
	/* controllers[] below must list every row that has an interrupt for the guest. */
	if (ncontrollers != sizeof controllers / sizeof controllers[0])
		hv_panic("vdev: %u interrupt controllers in the table, %u in controllers[]",
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
