/*
 * tests/unit/test_small_devices.c: the CRT controller (platform/crtc.c),
 * the empty PCI configuration space (platform/pci_config.c) and QEMU's
 * fw_cfg (platform/fw_cfg.c), each probed the way kernels probe them.
 * Runs on: host (Check).
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "platform/crtc.h"
#include "platform/fw_cfg.h"
#include "platform/pci_config.h"

/* ---- CRTC ---- */

static uint8_t crtc_get(struct crtc *c, uint8_t index)
{
	crtc_write(c, CRTC_PORT_INDEX, index);
	return crtc_read(c, CRTC_PORT_DATA, 0);
}

static void crtc_set(struct crtc *c, uint8_t index, uint8_t v)
{
	crtc_write(c, CRTC_PORT_INDEX, index);
	crtc_write(c, CRTC_PORT_DATA, v);
}

/* xv6's cgaputc: read the cursor, write it back one further. */
START_TEST(crtc_cursor_as_xv6_uses_it)
{
	struct crtc c;
	int pos;

	crtc_reset(&c);
	pos = crtc_get(&c, 14) << 8;
	pos |= crtc_get(&c, 15);
	ck_assert_int_eq(pos, 0);		/* on the screen, not 0xFFFF */
	pos = 80 * 24 + 79;
	crtc_set(&c, 14, (uint8_t)(pos >> 8));
	crtc_set(&c, 15, (uint8_t)pos);
	ck_assert_uint_eq(crtc_cursor(&c), 80 * 24 + 79);
	ck_assert_uint_eq(crtc_get(&c, 14), (80 * 24 + 79) >> 8);
	ck_assert_uint_eq(crtc_read(&c, CRTC_PORT_INDEX, 0), 14);	/* the index reads back */
	crtc_set(&c, 12, 0x01);
	crtc_set(&c, 13, 0x40);
	ck_assert_uint_eq(crtc_start(&c), 0x140);
}
END_TEST

/* Mode 3's registers at reset; the rest of the index space is storage. */
START_TEST(crtc_registers)
{
	struct crtc c;
	crtc_reset(&c);
	ck_assert_uint_eq(crtc_get(&c, 0x01), 0x4F);	/* 80 columns: display end 79 */
	ck_assert_uint_eq(crtc_get(&c, 0x09), 0x4F);	/* 16-line characters */
	ck_assert_uint_eq(crtc_get(&c, 0x0A), 0x0D);	/* cursor start */
	ck_assert_uint_eq(crtc_get(&c, 0x0B), 0x0E);	/* cursor end */
	ck_assert_uint_eq(crtc_get(&c, 0x13), 0x28);	/* offset: 80 bytes per row / 2 */
	crtc_set(&c, 0x40, 0x5A);
	ck_assert_uint_eq(crtc_get(&c, 0x40), 0x5A);
	ck_assert_uint_eq(crtc_read(&c, 0x3D0, 0), 0xFF);
}
END_TEST

/* Register 0x11 bit 7 protects 0-7 (except register 7's line-compare bit). */
START_TEST(crtc_write_protect)
{
	struct crtc c;
	crtc_reset(&c);
	ck_assert_uint_ne(crtc_get(&c, 0x11) & 0x80, 0);
	crtc_set(&c, 0x00, 0x11);
	ck_assert_uint_eq(crtc_get(&c, 0x00), 0x5F);
	crtc_set(&c, 0x07, 0x00);
	ck_assert_uint_eq(crtc_get(&c, 0x07), 0x0F);	/* 0x1F with bit 4 cleared */
	crtc_set(&c, 0x11, 0x0E);			/* unprotect */
	crtc_set(&c, 0x00, 0x11);
	ck_assert_uint_eq(crtc_get(&c, 0x00), 0x11);
}
END_TEST

/* 0x3DA: vertical retrace for lines 412-413 of each 449-line frame. */
START_TEST(crtc_input_status)
{
	struct crtc c;
	uint64_t line = 31778, frame = 449 * line;
	crtc_reset(&c);
	ck_assert_uint_eq(crtc_read(&c, CRTC_PORT_STATUS, 0), 0);	/* drawing row 0 */
	ck_assert_uint_eq(crtc_read(&c, CRTC_PORT_STATUS, line - 1), CRTC_STATUS_NOT_DISPLAYING);
	ck_assert_uint_eq(crtc_read(&c, CRTC_PORT_STATUS, 405 * line), CRTC_STATUS_NOT_DISPLAYING);
	ck_assert_uint_eq(crtc_read(&c, CRTC_PORT_STATUS, 412 * line),
			  CRTC_STATUS_NOT_DISPLAYING | CRTC_STATUS_VRETRACE);
	ck_assert_uint_eq(crtc_read(&c, CRTC_PORT_STATUS, 414 * line), CRTC_STATUS_NOT_DISPLAYING);
	ck_assert_uint_eq(crtc_read(&c, CRTC_PORT_STATUS, 3 * frame + 413 * line) & CRTC_STATUS_VRETRACE,
			  CRTC_STATUS_VRETRACE);
}
END_TEST

/* ---- PCI ---- */

/* Mechanism #1 is found (the address reads back); every function is absent. */
START_TEST(pci_no_devices)
{
	struct pci_config p;
	uint32_t bdf;

	pci_config_reset(&p);
	ck_assert(pci_config_owns(0xCF8, 4));
	ck_assert(!pci_config_owns(0xCF8, 1));
	ck_assert(pci_config_owns(0xCFE, 2));
	ck_assert(!pci_config_owns(0xCFE, 4));
	pci_config_write(&p, 0xCF8, 4, 0x80000000u);
	ck_assert_uint_eq(pci_config_read(&p, 0xCF8, 4), 0x80000000u);
	for (bdf = 0; bdf < 256 * 32 * 8; bdf += 7) {
		pci_config_write(&p, 0xCF8, 4, 0x80000000u | bdf << 8);
		ck_assert_uint_eq(pci_config_read(&p, 0xCFC, 4), 0xFFFFFFFFu);	/* vendor/device */
	}
	ck_assert_uint_eq(pci_config_read(&p, 0xCFE, 2), 0xFFFF);
	ck_assert_uint_eq(pci_config_read(&p, 0xCFF, 1), 0xFF);
	pci_config_write(&p, 0xCFC, 4, 0);			/* dropped */
	ck_assert_uint_eq(pci_config_read(&p, 0xCFC, 4), 0xFFFFFFFFu);
	pci_config_write(&p, 0xCF8, 4, 0x8000FF03u);
	ck_assert_uint_eq(pci_config_read(&p, 0xCF8, 4), 0x8000FF00u);	/* bits 1:0 read 0 */
	/* Mechanism #2's probe (byte writes) does not see an address register. */
	pci_config_write(&p, 0xCFB, 1, 0);
	ck_assert_uint_eq(pci_config_read(&p, 0xCF8, 1), 0xFF);
}
END_TEST

/* 0xCF9: bit 2 going to 1 resets (Linux's reboot=pci writes 0x02, then 0x06). */
START_TEST(pci_reset_register)
{
	struct pci_config p;
	pci_config_reset(&p);
	ck_assert_int_eq(pci_config_write(&p, 0xCF9, 1, 0x02), 0);
	ck_assert_uint_eq(pci_config_read(&p, 0xCF9, 1), 0x02);
	ck_assert_int_eq(pci_config_write(&p, 0xCF9, 1, 0x06), 1);
	ck_assert_int_eq(pci_config_write(&p, 0xCF9, 1, 0x06), 0);	/* no rising edge */
}
END_TEST

/* ---- fw_cfg ---- */

static uint64_t fw_item(struct fw_cfg *f, uint16_t key, unsigned bytes)
{
	uint64_t v = 0;
	unsigned i;
	fw_cfg_write(f, FW_CFG_PORT_SELECTOR, 2, key);
	for (i = 0; i < bytes; i++)
		v |= (uint64_t)fw_cfg_read(f, FW_CFG_PORT_DATA, 1) << (8 * i);
	return v;
}

START_TEST(fw_cfg_items)
{
	struct fw_cfg f;
	char sig[5] = { 0 };
	int i;

	fw_cfg_reset(&f, 256ull << 20);
	fw_cfg_write(&f, FW_CFG_PORT_SELECTOR, 2, FW_CFG_SIGNATURE);
	for (i = 0; i < 4; i++)
		sig[i] = (char)fw_cfg_read(&f, FW_CFG_PORT_DATA, 1);
	ck_assert_str_eq(sig, "QEMU");
	ck_assert_uint_eq(fw_cfg_read(&f, FW_CFG_PORT_DATA, 1), 0);	/* past the end */
	ck_assert_uint_eq(fw_item(&f, FW_CFG_ID, 4), 1);		/* no DMA */
	ck_assert_uint_eq(fw_item(&f, FW_CFG_NB_CPUS, 2), 1);
	ck_assert_uint_eq(fw_item(&f, 5, 2), 1);			/* key 5 */
	ck_assert_uint_eq(fw_item(&f, FW_CFG_MAX_CPUS, 2), 1);
	ck_assert_uint_eq(fw_item(&f, FW_CFG_RAM_SIZE, 8), 256ull << 20);
	ck_assert_uint_eq(fw_item(&f, FW_CFG_FILE_DIR, 4), 0);	/* no files */
	ck_assert_uint_eq(fw_item(&f, 0x1234, 4), 0);			/* unknown key */
	/* Selecting again starts from the first byte; an 8-bit select works too. */
	fw_cfg_write(&f, FW_CFG_PORT_SELECTOR, 1, 0x00);
	ck_assert_uint_eq(fw_cfg_read(&f, FW_CFG_PORT_DATA, 1), 'Q');
	/* Only byte reads of the data port answer. */
	ck_assert_uint_eq(fw_cfg_read(&f, FW_CFG_PORT_DATA, 2), 0xFFFF);
	ck_assert_uint_eq(fw_cfg_read(&f, FW_CFG_PORT_SELECTOR, 2), 0xFFFF);
	ck_assert_uint_eq(fw_cfg_read(&f, 0x514, 4), 0xFFFFFFFFu);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("small_devices");
	TCase *tc = tcase_create("devices");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, crtc_cursor_as_xv6_uses_it);
	tcase_add_test(tc, crtc_registers);
	tcase_add_test(tc, crtc_write_protect);
	tcase_add_test(tc, crtc_input_status);
	tcase_add_test(tc, pci_no_devices);
	tcase_add_test(tc, pci_reset_register);
	tcase_add_test(tc, fw_cfg_items);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
