/*
 * platform/kbc.h: the PC's 8042 keyboard controller at ports 0x60 (data)
 * and 0x64 (status and commands), with a keyboard on its first port and
 * nothing on its second (no mouse).
 * Runs on: host and hypervisor (pure logic, no hardware: ring 0 in the
 * hypervisor, Check unit tests on the host).
 *
 * No key is pressed unless the caller passes scan codes to kbc_key(); what
 * kernels send at boot (self-tests, the configuration byte, keyboard reset,
 * LEDs, scan-code set) is answered as a controller and keyboard answer it.
 */
#ifndef TV_PLATFORM_KBC_H
#define TV_PLATFORM_KBC_H

#include <stdint.h>

#define KBC_PORT_DATA		0x60u
#define KBC_PORT_STATUS		0x64u	/* read: status; write: command */
#define KBC_KEYBOARD_IRQ	1u
#define KBC_AUX_IRQ		12u

/* Status register bits. */
#define KBC_STATUS_OBF		0x01	/* output buffer full: read 0x60 */
#define KBC_STATUS_IBF		0x02	/* input buffer full: never, writes are taken at once */
#define KBC_STATUS_SYS		0x04	/* system flag: the self-test passed */
#define KBC_STATUS_CMD		0x08	/* the last write went to 0x64 */
#define KBC_STATUS_UNLOCKED	0x10	/* the keyboard is not inhibited */
#define KBC_STATUS_AUX		0x20	/* the output buffer holds the second port's byte */
#define KBC_STATUS_TIMEOUT	0x40

/* Configuration byte ("command byte") bits. */
#define KBC_CONFIG_KBD_INT	0x01
#define KBC_CONFIG_AUX_INT	0x02
#define KBC_CONFIG_SYS		0x04
#define KBC_CONFIG_KBD_OFF	0x10
#define KBC_CONFIG_AUX_OFF	0x20
#define KBC_CONFIG_TRANSLATE	0x40

/* Output port bits (commands 0xD0/0xD1). */
#define KBC_OUT_RESET		0x01	/* 0 holds the CPU in reset */
#define KBC_OUT_A20		0x02

#define KBC_QUEUE_SIZE		16

/* What a write asks of the machine beyond the controller. */
enum kbc_action { KBC_NONE, KBC_RESET_CPU };

struct kbc {
	uint8_t config;
	uint8_t status;			/* SYS, CMD, TIMEOUT; OBF and AUX come from the queue */
	uint8_t output_port;
	uint8_t queue[KBC_QUEUE_SIZE];	/* bytes for the guest to read at 0x60 */
	uint8_t queue_aux[KBC_QUEUE_SIZE];	/* ... and whether each is the second port's */
	unsigned head, count;
	uint8_t last_read;		/* 0x60 read with nothing new gives this again */
	uint8_t controller_command;	/* a command waiting for its byte at 0x60, or 0 */
	uint8_t keyboard_command;	/* a keyboard command waiting for its parameter, or 0 */
	uint8_t scancode_set;
	uint8_t leds;
	int scanning;			/* the keyboard sends keys (0xF4 on, 0xF5 off) */
};

/*
 * Our firmware's choice: keyboard interrupt and translation on, system flag
 * set, the second port disabled (there is no mouse), A20 on.
 */
void kbc_reset(struct kbc *k);

uint8_t kbc_read(struct kbc *k, uint16_t port);
enum kbc_action kbc_write(struct kbc *k, uint16_t port, uint8_t value);

/*
 * A scan code from the keyboard: returns 1 if queued, 0 if dropped (scanning
 * off, the port disabled, or the buffer full).
 */
int kbc_key(struct kbc *k, uint8_t scancode);

/* IRQ 1 and IRQ 12: a byte of that port waits and its interrupt is enabled. */
int kbc_keyboard_irq(const struct kbc *k);
int kbc_aux_irq(const struct kbc *k);

#endif
