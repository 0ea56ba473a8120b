/*
 * platform/uart16550.c: a 16550A UART (after National Semiconductor's
 * PC16550D datasheet), as a PC's COM1.
 * Runs on: host and hypervisor (pure logic, no hardware: ring 0 in the
 * hypervisor, Check unit tests on the host).
 *
 * 1. Transmit: a byte written to THR leaves at once (returned to the
 *    caller), so THRE and TEMT always read 1, and the THRE interrupt is
 *    pending again right after each write, as in QEMU.
 * 2. Receive: a 16-byte FIFO with FCR bit 0 set, a single receive buffer
 *    without (xv6 writes FCR = 0). The host offers bytes only while there
 *    is room, so nothing is lost; a byte forced in without room is an
 *    overrun (LSR.OE).
 * 3. Interrupts, in the datasheet's priority: receiver line status (an
 *    error in LSR), received data (the FIFO at its trigger level, or any
 *    byte with the FIFO off) or the character timeout (bytes below the
 *    trigger level and none received or read for four character times),
 *    THR empty, modem status (a delta bit in MSR). Reading IIR while it
 *    shows THR empty clears that interrupt.
 * 4. Loopback (MCR bit 4): transmitted bytes come back to the receiver,
 *    and MSR's status bits follow MCR (CTS = RTS, DSR = DTR, RI = OUT1,
 *    DCD = OUT2), which is how Linux's 8250 driver probes a port.
 * Not modelled: line speed for transmission (a byte takes no time), parity,
 * framing and break errors (the host sends none), the transmit FIFO's
 * fill level, DMA mode signals.
 */
#include "platform/uart16550.h"

#include "lib/string.h"

#define UART_CLOCK_HZ		1843200u	/* the PC's crystal; /16 = 115200 baud */
#define TIMEOUT_CHARACTERS	4u
#define LSR_ERRORS		(UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | UART_LSR_BI)
#define MSR_DELTAS		0x0Fu
#define MSR_TERI		0x04u		/* trailing edge of RI */
#define MSR_ATTACHED		(UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD)

void uart_reset(struct uart16550 *u)
{
	memset(u, 0, sizeof(*u));
	u->dll = 1;			/* 115200 baud until the guest says otherwise */
	u->msr = MSR_ATTACHED;
}

static int fifo_on(const struct uart16550 *u)
{
	return u->fcr & UART_FCR_ENABLE;
}

static unsigned rx_capacity(const struct uart16550 *u)
{
	return fifo_on(u) ? UART_FIFO_SIZE : 1;
}

unsigned uart_rx_space(const struct uart16550 *u)
{
	if (u->mcr & UART_MCR_LOOP)
		return 0;	/* the serial input is cut off in loopback */
	return rx_capacity(u) - u->rx_count;
}

/* FCR bits 7:6: interrupt when the FIFO holds 1, 4, 8 or 14 bytes. */
static unsigned trigger_level(const struct uart16550 *u)
{
	static const unsigned levels[4] = { 1, 4, 8, 14 };
	return fifo_on(u) ? levels[u->fcr >> 6] : 1;
}

/* n characters' time on the wire at the programmed divisor and format. */
static uint64_t characters_ns(const struct uart16550 *u, unsigned n)
{
	unsigned divisor = (unsigned)u->dll | ((unsigned)u->dlm << 8);
	unsigned bits = 1 + 5 + (u->lcr & 3u)		/* start, data */
		+ ((u->lcr & 0x08) ? 1 : 0)		/* parity */
		+ ((u->lcr & 0x04) ? 2 : 1);		/* stop */
	if (divisor == 0)
		divisor = 0x10000;			/* 0 divides by 65536 */
	return (uint64_t)n * bits * divisor * 16u * 1000000000ull / UART_CLOCK_HZ;
}

static uint64_t timeout_at(const struct uart16550 *u)
{
	return u->rx_activity_ns + characters_ns(u, TIMEOUT_CHARACTERS);
}

static int rx_timeout(const struct uart16550 *u, uint64_t now_ns)
{
	return fifo_on(u) && u->rx_count > 0 && now_ns >= timeout_at(u);
}

static uint8_t iir(const struct uart16550 *u, uint64_t now_ns)
{
	uint8_t id = UART_IIR_NONE;
	if ((u->ier & UART_IER_RLSI) && u->lsr_errors)
		id = UART_IIR_RLSI;
	else if ((u->ier & UART_IER_RDI) && u->rx_count >= trigger_level(u))
		id = UART_IIR_RDI;
	else if ((u->ier & UART_IER_RDI) && rx_timeout(u, now_ns))
		id = UART_IIR_TIMEOUT;
	else if ((u->ier & UART_IER_THRI) && u->thr_interrupt)
		id = UART_IIR_THRI;
	else if ((u->ier & UART_IER_MSI) && (u->msr & MSR_DELTAS))
		id = UART_IIR_MSI;
	return (uint8_t)(id | (fifo_on(u) ? UART_IIR_FIFOS : 0));
}

int uart_irq_asserted(const struct uart16550 *u, uint64_t now_ns)
{
	return !(iir(u, now_ns) & UART_IIR_NONE);
}

uint64_t uart_next_event_ns(const struct uart16550 *u)
{
	if (!(u->ier & UART_IER_RDI) || !fifo_on(u) || u->rx_count == 0 ||
	    u->rx_count >= trigger_level(u))
		return UINT64_MAX;
	return timeout_at(u);
}

int uart_receive(struct uart16550 *u, uint8_t byte, uint64_t now_ns)
{
	if (u->rx_count == rx_capacity(u)) {
		u->lsr_errors |= UART_LSR_OE;
		return 0;
	}
	u->rx[(u->rx_head + u->rx_count) % UART_FIFO_SIZE] = byte;
	u->rx_count++;
	u->rx_activity_ns = now_ns;
	return 1;
}

static uint8_t rx_pop(struct uart16550 *u, uint64_t now_ns)
{
	uint8_t byte;
	if (u->rx_count == 0)
		return 0;
	byte = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % UART_FIFO_SIZE;
	u->rx_count--;
	u->rx_activity_ns = now_ns;
	return byte;
}

static void rx_clear(struct uart16550 *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
}

/* MSR's status bits: a terminal's, or in loopback MCR's outputs. */
static uint8_t modem_status(const struct uart16550 *u)
{
	uint8_t s = 0;
	if (!(u->mcr & UART_MCR_LOOP))
		return MSR_ATTACHED;
	if (u->mcr & UART_MCR_RTS)
		s |= UART_MSR_CTS;
	if (u->mcr & UART_MCR_DTR)
		s |= UART_MSR_DSR;
	if (u->mcr & UART_MCR_OUT1)
		s |= UART_MSR_RI;
	if (u->mcr & UART_MCR_OUT2)
		s |= UART_MSR_DCD;
	return s;
}

static void update_msr(struct uart16550 *u)
{
	uint8_t old = u->msr & 0xF0u, now = modem_status(u);
	uint8_t changed = (uint8_t)(old ^ now);
	uint8_t deltas = (uint8_t)(changed >> 4);
	/* RI reports only its trailing edge, 1 -> 0. */
	if (!((changed & UART_MSR_RI) && (old & UART_MSR_RI)))
		deltas &= (uint8_t)~MSR_TERI;
	u->msr = (uint8_t)(now | ((u->msr | deltas) & MSR_DELTAS));
}

uint8_t uart_read(struct uart16550 *u, unsigned reg, uint64_t now_ns)
{
	uint8_t v;
	int dlab = u->lcr & UART_LCR_DLAB;

	switch (reg & 7) {
	case UART_RBR:
		return dlab ? u->dll : rx_pop(u, now_ns);
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR:
		v = iir(u, now_ns);
		if ((v & 0x0F) == UART_IIR_THRI)
			u->thr_interrupt = 0;
		return v;
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		v = (uint8_t)(UART_LSR_THRE | UART_LSR_TEMT | u->lsr_errors |
			      (u->rx_count ? UART_LSR_DR : 0));
		u->lsr_errors = 0;
		return v;
	case UART_MSR:
		v = u->msr;
		u->msr &= (uint8_t)~MSR_DELTAS;
		return v;
	default:
		return u->scr;
	}
}

int uart_write(struct uart16550 *u, unsigned reg, uint8_t value, uint64_t now_ns)
{
	int dlab = u->lcr & UART_LCR_DLAB;

	switch (reg & 7) {
	case UART_THR:
		if (dlab) {
			u->dll = value;
			break;
		}
		/* Sent at once, so the holding register is empty again. */
		u->thr_interrupt = 1;
		if (u->mcr & UART_MCR_LOOP) {
			uart_receive(u, value, now_ns);
			break;
		}
		return value;
	case UART_IER:
		if (dlab) {
			u->dlm = value;
			break;
		}
		/* Enabling the THRE interrupt with THR empty raises it at once. */
		if ((value & UART_IER_THRI) && !(u->ier & UART_IER_THRI))
			u->thr_interrupt = 1;
		u->ier = value & 0x0F;
		break;
	case UART_FCR:
		/* Switching the FIFOs on or off empties them. */
		if ((value ^ u->fcr) & UART_FCR_ENABLE)
			rx_clear(u);
		if (value & UART_FCR_CLEAR_RX)
			rx_clear(u);
		u->fcr = value & (UART_FCR_ENABLE | 0xC0u);
		if (!(value & UART_FCR_ENABLE))
			u->fcr = 0;
		break;
	case UART_LCR:
		u->lcr = value;
		break;
	case UART_MCR:
		u->mcr = value & 0x1F;
		update_msr(u);
		break;
	case UART_LSR:
	case UART_MSR:
		break;		/* read-only here: factory test registers on some parts */
	default:
		u->scr = value;
		break;
	}
	return UART_NO_TX;
}
