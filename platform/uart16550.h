/*
 * platform/uart16550.h: a 16550A UART, as COM1 (ports 0x3F8-0x3FF, IRQ 4).
 * Runs on: host and hypervisor (pure logic, no hardware: ring 0 in the
 * hypervisor, Check unit tests on the host).
 *
 * The caller passes the guest's port accesses by register number (0-7),
 * the host's input bytes as they arrive (only as many as uart_rx_space()
 * allows, so none is lost), and the time in nanoseconds. A write returns
 * the byte to transmit, if any; uart_irq_asserted() is the interrupt line.
 */
#ifndef TV_PLATFORM_UART16550_H
#define TV_PLATFORM_UART16550_H

#include <stdint.h>

#define UART_COM1_BASE	0x3F8u
#define UART_COM1_IRQ	4u

/* Registers (offset from the base); DLAB is LCR bit 7. */
#define UART_RBR	0	/* read, DLAB 0: receive buffer */
#define UART_THR	0	/* write, DLAB 0: transmit holding */
#define UART_DLL	0	/* DLAB 1: divisor latch, low */
#define UART_IER	1	/* DLAB 0: interrupt enable */
#define UART_DLM	1	/* DLAB 1: divisor latch, high */
#define UART_IIR	2	/* read: interrupt identification */
#define UART_FCR	2	/* write: FIFO control */
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7

#define UART_IER_RDI	0x01	/* received data available */
#define UART_IER_THRI	0x02	/* transmit holding register empty */
#define UART_IER_RLSI	0x04	/* receiver line status */
#define UART_IER_MSI	0x08	/* modem status */

#define UART_IIR_NONE	0x01	/* bit 0 set: nothing pending */
#define UART_IIR_MSI	0x00
#define UART_IIR_THRI	0x02
#define UART_IIR_RDI	0x04
#define UART_IIR_RLSI	0x06
#define UART_IIR_TIMEOUT 0x0C	/* characters in the FIFO, none lately */
#define UART_IIR_FIFOS	0xC0	/* both set: FIFOs enabled */

#define UART_FCR_ENABLE	0x01
#define UART_FCR_CLEAR_RX 0x02
#define UART_FCR_CLEAR_TX 0x04

#define UART_LCR_DLAB	0x80

#define UART_MCR_DTR	0x01
#define UART_MCR_RTS	0x02
#define UART_MCR_OUT1	0x04
#define UART_MCR_OUT2	0x08
#define UART_MCR_LOOP	0x10

#define UART_LSR_DR	0x01	/* data ready */
#define UART_LSR_OE	0x02	/* overrun */
#define UART_LSR_PE	0x04
#define UART_LSR_FE	0x08
#define UART_LSR_BI	0x10
#define UART_LSR_THRE	0x20	/* transmit holding register empty */
#define UART_LSR_TEMT	0x40	/* transmitter empty */

#define UART_MSR_CTS	0x10
#define UART_MSR_DSR	0x20
#define UART_MSR_RI	0x40
#define UART_MSR_DCD	0x80

#define UART_FIFO_SIZE	16
#define UART_NO_TX	(-1)

struct uart16550 {
	uint8_t ier, lcr, mcr, scr, dll, dlm;
	uint8_t fcr;			/* enable and trigger bits as last written */
	uint8_t lsr_errors;		/* OE, PE, FE, BI: until LSR is read */
	uint8_t msr;			/* status in 7:4, deltas in 3:0 */
	uint8_t rx[UART_FIFO_SIZE];	/* a ring: rx_count bytes from rx_head */
	unsigned rx_head, rx_count;
	int thr_interrupt;		/* THRE interrupt pending (until IIR read or THR write) */
	uint64_t rx_activity_ns;	/* last byte received or read: the timeout's start */
};

/*
 * Power-on state: FIFOs off, interrupts off, transmitter empty, a terminal
 * attached (CTS, DSR, DCD).
 */
void uart_reset(struct uart16550 *u);

uint8_t uart_read(struct uart16550 *u, unsigned reg, uint64_t now_ns);

/* Returns the byte the guest transmitted (0-255), or UART_NO_TX. */
int uart_write(struct uart16550 *u, unsigned reg, uint8_t value, uint64_t now_ns);

/*
 * How many bytes the receiver can take now: the FIFO's free room, or 1 (an
 * empty receive buffer) or 0 with the FIFO off; 0 in loopback, where the
 * serial input is cut off.
 */
unsigned uart_rx_space(const struct uart16550 *u);

/*
 * A byte from the host. Returns 1, or 0 when there was no room: the byte is
 * lost and the overrun bit set, as on the wire.
 */
int uart_receive(struct uart16550 *u, uint8_t byte, uint64_t now_ns);

/*
 * The interrupt line: asserted whenever IIR shows a pending interrupt.
 * MCR.OUT2 does not gate it: on a real PC OUT2 enables the line to the
 * interrupt controller, but QEMU's UART ignores OUT2 and xv6 relies on it.
 */
int uart_irq_asserted(const struct uart16550 *u, uint64_t now_ns);

/* When the receive timeout will next raise the line (ns), or UINT64_MAX. */
uint64_t uart_next_event_ns(const struct uart16550 *u);

#endif
