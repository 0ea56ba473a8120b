/*
 * hv/vuart.c: the guest's COM1.
 * Runs in: hypervisor, ring 0, on every IN/OUT to 0x3F8..0x3FF.
 *
 * A 16550 that is always ready to send: what the guest sends goes to the
 * console as its output (hv/console.c), and what the user types (the real
 * COM1's input) is passed through, so a guest can wait for a key. The
 * divisor latch, interrupt enable, line and modem control and scratch
 * registers hold what the guest wrote. It raises no interrupts.
 */
#include "hv/vuart.h"
#include "hv/console.h"
#include "lib/x86.h"

#define HOST_COM1	0x3F8	/* the real one, which the hypervisor owns */

#define UART_LCR_DLAB	0x80
#define UART_LSR_READY	0x60	/* transmitter holding register and shift register empty */
#define UART_IIR_NONE	0x01	/* no interrupt pending */

#define UART_LSR_DATA_READY 0x01

static uint8_t host_com1_input_ready(void)
{
	return inb(HOST_COM1 + 5) & UART_LSR_DATA_READY;
}

static uint8_t host_com1_read(void)
{
	return host_com1_input_ready() ? inb(HOST_COM1) : 0;
}

void vuart_reset(struct vuart *u)
{
	*u = (struct vuart){ .lcr = 0x03, .dll = 0x01 };
}

uint8_t vuart_in(struct vuart *u, unsigned reg)
{
	int dlab = u->lcr & UART_LCR_DLAB;
	switch (reg) {
	case 0: return dlab ? u->dll : host_com1_read();
	case 1: return dlab ? u->dlm : u->ier;
	case 2: return UART_IIR_NONE;
	case 3: return u->lcr;
	case 4: return u->mcr;
	case 5: return UART_LSR_READY | host_com1_input_ready();
	case 6: return 0;
	default: return u->scratch;
	}
}

void vuart_out(struct vuart *u, unsigned reg, uint8_t value)
{
	int dlab = u->lcr & UART_LCR_DLAB;
	switch (reg) {
	case 0:
		if (dlab)
			u->dll = value;
		else
			console_guest_byte(value);
		break;
	case 1:
		if (dlab)
			u->dlm = value;
		else
			u->ier = value;
		break;
	case 3: u->lcr = value; break;
	case 4: u->mcr = value; break;
	case 7: u->scratch = value; break;
	default: break;		/* FIFO control, status registers: nothing to keep */
	}
}
