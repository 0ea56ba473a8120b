/*
 * platform/kbc.c: the 8042 keyboard controller and an MF2 keyboard behind
 * it, answering what kernels send at boot; there is no mouse.
 * Runs on: host and hypervisor (pure logic, no hardware: ring 0 in the
 * hypervisor, Check unit tests on the host).
 *
 * 1. Status at 0x64: output buffer full while a byte waits at 0x60 (bit 5
 *    when it is the second port's), the system flag, "last write was a
 *    command", the keyboard not inhibited. Writes are taken at once, so the
 *    input buffer is never full and a kernel polling bit 1 goes straight on.
 * 2. Controller commands at 0x64: read and write the configuration byte
 *    (0x20/0x60), the self-tests (0xAA answers 0x55; 0xAB and 0xA9 answer
 *    0), disable and enable either port (0xAD/0xAE, 0xA7/0xA8), read and
 *    write the output port (0xD0/0xD1, A20 and reset), write either port's
 *    output buffer (0xD2/0xD3), the input port (0xC0), and the reset pulse
 *    (0xFE, or any 0xF0-0xFF with bit 0 clear), which the caller carries
 *    out. A byte for the second port (0xD4) finds no device: it is dropped
 *    and the timeout bit set, as with no mouse plugged in.
 * 3. Keyboard commands at 0x60: reset (ACK then 0xAA), identify (ACK, 0xAB,
 *    0x83), echo, LEDs, typematic rate, scan-code set, enable and disable
 *    scanning, defaults; anything else is answered 0xFE ("resend").
 * 4. IRQ 1 is asserted while a keyboard-side byte waits and the
 *    configuration enables it, as QEMU does (controller replies count too).
 * Not modelled: the controller's RAM (0x21-0x3F, 0x61-0x7F read 0 and
 * write nothing), translation of scan codes (kbc_key takes them as the
 * guest should see them), password and test-input commands, A20 masking
 * (the hypervisor's memory never wraps at 1 MiB).
 */
#include "platform/kbc.h"

#include "lib/string.h"

#define ACK		0xFA
#define RESEND		0xFE
#define BAT_OK		0xAA	/* basic assurance test passed */
#define ECHO		0xEE
#define SELF_TEST_OK	0x55
#define PORT_TEST_OK	0x00
#define INPUT_PORT	0x80	/* keyboard not inhibited */

void kbc_reset(struct kbc *k)
{
	memset(k, 0, sizeof(*k));
	k->config = KBC_CONFIG_KBD_INT | KBC_CONFIG_SYS | KBC_CONFIG_AUX_OFF | KBC_CONFIG_TRANSLATE;
	k->status = KBC_STATUS_SYS;
	k->output_port = KBC_OUT_RESET | KBC_OUT_A20;
	k->scancode_set = 2;
	k->scanning = 1;
}

static void enqueue(struct kbc *k, uint8_t byte, int aux)
{
	unsigned at;
	if (k->count == KBC_QUEUE_SIZE)
		return;		/* a full buffer drops what comes, as a busy keyboard would */
	at = (k->head + k->count) % KBC_QUEUE_SIZE;
	k->queue[at] = byte;
	k->queue_aux[at] = (uint8_t)aux;
	k->count++;
}

int kbc_key(struct kbc *k, uint8_t scancode)
{
	if (!k->scanning || (k->config & KBC_CONFIG_KBD_OFF) || k->count == KBC_QUEUE_SIZE)
		return 0;
	enqueue(k, scancode, 0);
	return 1;
}

int kbc_keyboard_irq(const struct kbc *k)
{
	return k->count && !k->queue_aux[k->head] && (k->config & KBC_CONFIG_KBD_INT);
}

int kbc_aux_irq(const struct kbc *k)
{
	return k->count && k->queue_aux[k->head] && (k->config & KBC_CONFIG_AUX_INT);
}

uint8_t kbc_read(struct kbc *k, uint16_t port)
{
	uint8_t s;
	if (port == KBC_PORT_STATUS) {
		s = (uint8_t)(k->status | KBC_STATUS_UNLOCKED);
		if (k->count)
			s |= KBC_STATUS_OBF | (k->queue_aux[k->head] ? KBC_STATUS_AUX : 0);
		return s;
	}
	if (port != KBC_PORT_DATA)
		return 0xFF;
	if (k->count) {
		k->last_read = k->queue[k->head];
		k->head = (k->head + 1) % KBC_QUEUE_SIZE;
		k->count--;
	}
	return k->last_read;
}

/* A byte for the keyboard itself. */
static void keyboard_byte(struct kbc *k, uint8_t b)
{
	uint8_t pending = k->keyboard_command;

	k->keyboard_command = 0;
	switch (pending) {
	case 0xED:				/* LEDs */
		k->leds = b & 7;
		enqueue(k, ACK, 0);
		return;
	case 0xF3:				/* typematic rate and delay */
		enqueue(k, ACK, 0);
		return;
	case 0xF0:				/* scan-code set: 0 asks which */
		enqueue(k, ACK, 0);
		if (b == 0)
			enqueue(k, k->scancode_set, 0);
		else if (b <= 3)
			k->scancode_set = b;
		return;
	default:
		break;
	}
	switch (b) {
	case 0xFF:				/* reset */
		k->scanning = 1;
		k->scancode_set = 2;
		k->leds = 0;
		enqueue(k, ACK, 0);
		enqueue(k, BAT_OK, 0);
		break;
	case 0xF2:				/* identify: an MF2 keyboard */
		enqueue(k, ACK, 0);
		enqueue(k, 0xAB, 0);
		enqueue(k, 0x83, 0);
		break;
	case 0xEE:
		enqueue(k, ECHO, 0);
		break;
	case 0xED:
	case 0xF3:
	case 0xF0:
		k->keyboard_command = b;
		enqueue(k, ACK, 0);
		break;
	case 0xF4:
		k->scanning = 1;
		enqueue(k, ACK, 0);
		break;
	case 0xF5:				/* disable scanning, defaults */
		k->scanning = 0;
		enqueue(k, ACK, 0);
		break;
	case 0xF6:				/* defaults */
		k->scancode_set = 2;
		enqueue(k, ACK, 0);
		break;
	default:
		enqueue(k, RESEND, 0);
		break;
	}
}

/* The byte a controller command was waiting for. */
static enum kbc_action command_byte(struct kbc *k, uint8_t command, uint8_t b)
{
	switch (command) {
	case 0x60:
		k->config = b;
		k->status = (uint8_t)((k->status & ~KBC_STATUS_SYS) | (b & KBC_CONFIG_SYS));
		break;
	case 0xD1:
		k->output_port = b;
		if (!(b & KBC_OUT_RESET))
			return KBC_RESET_CPU;
		break;
	case 0xD2:
		enqueue(k, b, 0);
		break;
	case 0xD3:
		enqueue(k, b, 1);
		break;
	case 0xD4:
		k->status |= KBC_STATUS_TIMEOUT;	/* no device on the second port */
		break;
	default:
		break;		/* controller RAM writes: not kept */
	}
	return KBC_NONE;
}

static enum kbc_action controller_command(struct kbc *k, uint8_t c)
{
	k->status &= (uint8_t)~KBC_STATUS_TIMEOUT;
	if (c >= 0xF0)		/* pulse output lines: bit 0 low pulses reset */
		return (c & 1) ? KBC_NONE : KBC_RESET_CPU;
	switch (c) {
	case 0x20:
		enqueue(k, k->config, 0);
		break;
	case 0xA7:
		k->config |= KBC_CONFIG_AUX_OFF;
		break;
	case 0xA8:
		k->config &= (uint8_t)~KBC_CONFIG_AUX_OFF;
		break;
	case 0xA9:
	case 0xAB:
		enqueue(k, PORT_TEST_OK, 0);
		break;
	case 0xAA:
		k->status |= KBC_STATUS_SYS;
		enqueue(k, SELF_TEST_OK, 0);
		break;
	case 0xAD:
		k->config |= KBC_CONFIG_KBD_OFF;
		break;
	case 0xAE:
		k->config &= (uint8_t)~KBC_CONFIG_KBD_OFF;
		break;
	case 0xC0:
		enqueue(k, INPUT_PORT, 0);
		break;
	case 0xD0:
		enqueue(k, k->output_port, 0);
		break;
	case 0x60: case 0xD1: case 0xD2: case 0xD3: case 0xD4:
		k->controller_command = c;
		break;
	default:
		if (c >= 0x21 && c <= 0x3F)
			enqueue(k, 0, 0);		/* controller RAM reads */
		else if (c >= 0x61 && c <= 0x7F)
			k->controller_command = c;	/* its byte is dropped */
		break;
	}
	return KBC_NONE;
}

enum kbc_action kbc_write(struct kbc *k, uint16_t port, uint8_t value)
{
	uint8_t pending;

	if (port == KBC_PORT_STATUS) {
		k->status |= KBC_STATUS_CMD;
		k->controller_command = 0;
		return controller_command(k, value);
	}
	if (port != KBC_PORT_DATA)
		return KBC_NONE;
	k->status &= (uint8_t)~KBC_STATUS_CMD;
	pending = k->controller_command;
	if (pending) {
		k->controller_command = 0;
		return command_byte(k, pending, value);
	}
	keyboard_byte(k, value);
	return KBC_NONE;
}
