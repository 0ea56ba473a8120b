/*
 * hv/vdev.c: the guest's I/O ports, dispatched to virtual devices.
 * Runs in: hypervisor, ring 0, on every IN/OUT the guest executes.
 *
 * 1. COM1 (0x3F8..0x3FF): a 16550 that is always ready to send; what the
 *    guest sends goes to the console as its output, and what the user types
 *    (the real COM1's input) is passed through, so a guest can wait for a key. The divisor latch,
 *    interrupt enable, line and modem control and scratch registers hold
 *    what the guest wrote, so a driver that reads them back is content.
 * 2. The interrupt controllers and the timer (hv/vpic.c, hv/vpit.c).
 * 3. isa-debug-exit (0xF4..0xF7): the guest's request to end the run with a status.
 * 4. Every other port: reads give all ones, as on a bus where nothing
 *    answers (QEMU's behaviour too), writes are dropped; both are traced.
 */
#include "hv/hot.h"
#include "hv/vdev.h"
#include "hv/console.h"
#include "hv/stats.h"
#include "hv/vpic.h"
#include "hv/vpit.h"
#include "lib/x86.h"

#define COM1_BASE	0x3F8
#define DEBUG_EXIT_PORT	0xF4

#define UART_LCR_DLAB	0x80
#define UART_LSR_READY	0x60	/* transmitter holding register and shift register empty */
#define UART_IIR_NONE	0x01	/* no interrupt pending */

#define UART_LSR_DATA_READY 0x01

static uint8_t host_com1_input_ready(void)
{
	return inb(COM1_BASE + 5) & UART_LSR_DATA_READY;
}

static uint8_t host_com1_read(void)
{
	return host_com1_input_ready() ? inb(COM1_BASE) : 0;
}

static struct {
	uint8_t ier, lcr, mcr, scratch, dll, dlm;
} com1 HV_HOT = { .lcr = 0x03, .dll = 0x01 };

static uint8_t com1_in(unsigned reg)
{
	int dlab = com1.lcr & UART_LCR_DLAB;
	switch (reg) {
	case 0: return dlab ? com1.dll : host_com1_read();
	case 1: return dlab ? com1.dlm : com1.ier;
	case 2: return UART_IIR_NONE;
	case 3: return com1.lcr;
	case 4: return com1.mcr;
	case 5: return UART_LSR_READY | host_com1_input_ready();
	case 6: return 0;
	default: return com1.scratch;
	}
}

static void com1_out(unsigned reg, uint8_t value)
{
	int dlab = com1.lcr & UART_LCR_DLAB;
	switch (reg) {
	case 0:
		if (dlab)
			com1.dll = value;
		else
			console_guest_byte(value);
		break;
	case 1:
		if (dlab)
			com1.dlm = value;
		else
			com1.ier = value;
		break;
	case 3: com1.lcr = value; break;
	case 4: com1.mcr = value; break;
	case 7: com1.scratch = value; break;
	default: break;		/* FIFO control, status registers: nothing to keep */
	}
}

static uint32_t all_ones(unsigned size)
{
	return size == 4 ? 0xFFFFFFFFu : (1u << (size * 8)) - 1;
}

uint32_t vdev_in(uint16_t port, unsigned size)
{
	if (port >= COM1_BASE && port < COM1_BASE + 8 && size == 1)
		return com1_in(port - COM1_BASE);
	if (vpic_owns_port(port) && size == 1)
		return vpic_in(port);
	if (vpit_owns_port(port) && size == 1)
		return vpit_in(port);
	stats_unknown_port(0, port, size, all_ones(size));
	return all_ones(size);
}

void vdev_out(uint16_t port, unsigned size, uint32_t value)
{
	if (port >= COM1_BASE && port < COM1_BASE + 8 && size == 1) {
		com1_out(port - COM1_BASE, (uint8_t)value);
		return;
	}
	if (vpic_owns_port(port) && size == 1) {
		vpic_out(port, (uint8_t)value);
		return;
	}
	if (vpit_owns_port(port) && size == 1) {
		vpit_out(port, (uint8_t)value);
		return;
	}
	/* QEMU's isa-debug-exit answers on all four of its ports. */
	if (port >= DEBUG_EXIT_PORT && port < DEBUG_EXIT_PORT + 4)
		hv_exit_guest(value & all_ones(size));
	stats_unknown_port(1, port, size, value);
}
