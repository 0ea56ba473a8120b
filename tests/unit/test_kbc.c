/*
 * tests/unit/test_kbc.c: the 8042 keyboard controller and keyboard
 * (platform/kbc.c), sent what kernels send at boot.
 * Runs on: host (Check).
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "platform/kbc.h"

static struct kbc k;

static void setup(void)
{
	kbc_reset(&k);
}

static uint8_t status(void)
{
	return kbc_read(&k, KBC_PORT_STATUS);
}

static uint8_t data(void)
{
	ck_assert_uint_ne(status() & KBC_STATUS_OBF, 0);
	return kbc_read(&k, KBC_PORT_DATA);
}

static void command(uint8_t c)
{
	ck_assert_int_eq(kbc_write(&k, KBC_PORT_STATUS, c), KBC_NONE);
}

static void send(uint8_t b)
{
	ck_assert_int_eq(kbc_write(&k, KBC_PORT_DATA, b), KBC_NONE);
}

/* No key pressed: nothing to read, no interrupt; writes never wait. */
START_TEST(idle)
{
	uint8_t s = status();
	ck_assert_uint_eq(s & (KBC_STATUS_OBF | KBC_STATUS_IBF | KBC_STATUS_AUX), 0);
	ck_assert_uint_eq(s & KBC_STATUS_SYS, KBC_STATUS_SYS);
	ck_assert_uint_eq(s & KBC_STATUS_UNLOCKED, KBC_STATUS_UNLOCKED);
	ck_assert(!kbc_keyboard_irq(&k));
	ck_assert(!kbc_aux_irq(&k));
	ck_assert_uint_eq(kbc_read(&k, 0x61), 0xFF);	/* not its port */
}
END_TEST

/* Linux's i8042 probe: flush, read the config, self-test, port test, write config. */
START_TEST(boot_commands)
{
	uint8_t config;
	command(0x20);
	ck_assert_uint_eq(status() & KBC_STATUS_CMD, KBC_STATUS_CMD);
	config = data();
	ck_assert_uint_eq(config, 0x65);	/* kbd int, sys, aux off, translate */
	ck_assert_uint_eq(status() & KBC_STATUS_OBF, 0);
	command(0xAA);
	ck_assert_uint_eq(data(), 0x55);
	command(0xAB);
	ck_assert_uint_eq(data(), 0x00);
	command(0xA9);
	ck_assert_uint_eq(data(), 0x00);
	command(0x60);
	send(0x47);				/* both interrupts, sys, translate */
	ck_assert_uint_eq(status() & KBC_STATUS_CMD, 0);
	command(0x20);
	ck_assert_uint_eq(data(), 0x47);
	/* Port enable and disable show in the config byte. */
	command(0xAD);
	command(0xA7);
	command(0x20);
	ck_assert_uint_eq(data(), 0x47 | KBC_CONFIG_KBD_OFF | KBC_CONFIG_AUX_OFF);
	command(0xAE);
	command(0xA8);
	command(0x20);
	ck_assert_uint_eq(data(), 0x47);
}
END_TEST

/* Replies on the keyboard side raise IRQ 1 when the config enables it. */
START_TEST(irq1_follows_config)
{
	command(0xAA);
	ck_assert(kbc_keyboard_irq(&k));
	data();
	ck_assert(!kbc_keyboard_irq(&k));
	command(0x60);
	send(0x44);				/* keyboard interrupt off */
	command(0xAA);
	ck_assert(!kbc_keyboard_irq(&k));
	ck_assert_uint_eq(data(), 0x55);
}
END_TEST

/* Keyboard commands: reset, identify, echo, LEDs, scan-code set, unknown. */
START_TEST(keyboard_commands)
{
	send(0xFF);
	ck_assert_uint_eq(data(), 0xFA);
	ck_assert_uint_eq(data(), 0xAA);
	send(0xF2);
	ck_assert_uint_eq(data(), 0xFA);
	ck_assert_uint_eq(data(), 0xAB);
	ck_assert_uint_eq(data(), 0x83);
	send(0xEE);
	ck_assert_uint_eq(data(), 0xEE);
	send(0xED);
	ck_assert_uint_eq(data(), 0xFA);
	send(0x07);
	ck_assert_uint_eq(data(), 0xFA);
	ck_assert_uint_eq(k.leds, 7);
	send(0xF0);
	ck_assert_uint_eq(data(), 0xFA);
	send(0x00);				/* which set? */
	ck_assert_uint_eq(data(), 0xFA);
	ck_assert_uint_eq(data(), 2);
	send(0xF0);
	data();
	send(0x01);
	ck_assert_uint_eq(data(), 0xFA);
	ck_assert_uint_eq(k.scancode_set, 1);
	send(0x12);				/* not a command */
	ck_assert_uint_eq(data(), 0xFE);
	ck_assert_uint_eq(status() & KBC_STATUS_OBF, 0);
}
END_TEST

/* Keys reach the guest only while scanning is on and the port enabled. */
START_TEST(keys)
{
	ck_assert_int_eq(kbc_key(&k, 0x1E), 1);
	ck_assert(kbc_keyboard_irq(&k));
	ck_assert_uint_eq(data(), 0x1E);
	send(0xF5);
	data();
	ck_assert_int_eq(kbc_key(&k, 0x1E), 0);
	send(0xF4);
	data();
	command(0xAD);
	ck_assert_int_eq(kbc_key(&k, 0x1E), 0);
	command(0xAE);
	ck_assert_int_eq(kbc_key(&k, 0x9E), 1);
	/* Reading with nothing new gives the last byte again. */
	ck_assert_uint_eq(data(), 0x9E);
	ck_assert_uint_eq(kbc_read(&k, KBC_PORT_DATA), 0x9E);
}
END_TEST

/* Output port: A20 and reset; the reset pulse command. */
START_TEST(output_port_and_reset)
{
	command(0xD0);
	ck_assert_uint_eq(data(), KBC_OUT_RESET | KBC_OUT_A20);
	command(0xD1);
	send(KBC_OUT_RESET);			/* A20 off */
	command(0xD0);
	ck_assert_uint_eq(data(), KBC_OUT_RESET);
	command(0xD1);
	ck_assert_int_eq(kbc_write(&k, KBC_PORT_DATA, 0x00), KBC_RESET_CPU);
	ck_assert_int_eq(kbc_write(&k, KBC_PORT_STATUS, 0xFE), KBC_RESET_CPU);
	ck_assert_int_eq(kbc_write(&k, KBC_PORT_STATUS, 0xFF), KBC_NONE);	/* no line pulsed */
}
END_TEST

/* The second port: no mouse answers; its output buffer shows bit 5 and IRQ 12. */
START_TEST(aux_port)
{
	command(0xD4);
	send(0xFF);				/* reset the mouse that is not there */
	ck_assert_uint_eq(status() & (KBC_STATUS_OBF | KBC_STATUS_TIMEOUT), KBC_STATUS_TIMEOUT);
	command(0x60);
	send(KBC_CONFIG_AUX_INT | KBC_CONFIG_SYS);
	command(0xD3);
	send(0x5A);				/* loop a byte back as the second port's */
	ck_assert_uint_eq(status() & KBC_STATUS_AUX, KBC_STATUS_AUX);
	ck_assert(kbc_aux_irq(&k));
	ck_assert(!kbc_keyboard_irq(&k));
	ck_assert_uint_eq(data(), 0x5A);
	command(0xD2);
	send(0x33);				/* ... and as the keyboard's */
	ck_assert_uint_eq(status() & KBC_STATUS_AUX, 0);
	ck_assert_uint_eq(data(), 0x33);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kbc");
	TCase *tc = tcase_create("8042");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, idle);
	tcase_add_test(tc, boot_commands);
	tcase_add_test(tc, irq1_follows_config);
	tcase_add_test(tc, keyboard_commands);
	tcase_add_test(tc, keys);
	tcase_add_test(tc, output_port_and_reset);
	tcase_add_test(tc, aux_port);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
