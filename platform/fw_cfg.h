/*
 * platform/fw_cfg.h: QEMU's firmware configuration interface, the
 * traditional I/O-port form: a 16-bit selector at 0x510 and a data byte at
 * 0x511 that steps through the selected item.
 * Runs on: host and hypervisor (pure logic, no hardware: ring 0 in the
 * hypervisor, Check unit tests on the host).
 *
 * Kernels written for QEMU ask it how many CPUs there are (key 5); here
 * the answer is 1, as the MP table says.
 */
#ifndef TV_PLATFORM_FW_CFG_H
#define TV_PLATFORM_FW_CFG_H

#include <stdint.h>

#define FW_CFG_PORT_SELECTOR	0x510u
#define FW_CFG_PORT_DATA	0x511u

#define FW_CFG_SIGNATURE	0x0000	/* "QEMU" */
#define FW_CFG_ID		0x0001	/* 32-bit: bit 0 traditional interface */
#define FW_CFG_RAM_SIZE		0x0003	/* 64-bit */
#define FW_CFG_NB_CPUS		0x0005	/* 16-bit */
#define FW_CFG_MAX_CPUS		0x000F	/* 16-bit */
#define FW_CFG_FILE_DIR		0x0019	/* big-endian count, then entries */

struct fw_cfg {
	uint16_t key;		/* the selected item */
	uint32_t offset;	/* the next byte of it to read */
	uint64_t ram_bytes;
	uint16_t cpus;
};

void fw_cfg_reset(struct fw_cfg *f, uint64_t ram_bytes);

/* Byte reads of 0x511; other ports and sizes read all ones. */
uint32_t fw_cfg_read(struct fw_cfg *f, uint16_t port, unsigned size);

/* A write of 0x510 (8 or 16 bits) selects the item with that key. */
void fw_cfg_write(struct fw_cfg *f, uint16_t port, unsigned size, uint32_t value);

#endif
