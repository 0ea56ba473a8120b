/*
 * platform/fw_cfg.c: the items of QEMU's fw_cfg interface a kernel reads.
 * Runs on: host and hypervisor (pure logic, no hardware: ring 0 in the
 * hypervisor, Check unit tests on the host).
 *
 * Items: the signature "QEMU", the interface ID (1: the traditional port
 * interface, no DMA), the RAM size, the number of CPUs and their maximum
 * (both 1), and an empty file directory. An unknown key is an empty item.
 * Reading past the end of an item gives 0, as QEMU does; selecting an item
 * starts it again from its first byte. Writes to the data port (deprecated
 * in QEMU) and the DMA interface (0x514) are not supported.
 */
#include "platform/fw_cfg.h"

static uint32_t all_ones(unsigned size)
{
	return size >= 4 ? 0xFFFFFFFFu : (1u << (size * 8)) - 1;
}

void fw_cfg_reset(struct fw_cfg *f, uint64_t ram_bytes)
{
	f->key = FW_CFG_SIGNATURE;
	f->offset = 0;
	f->ram_bytes = ram_bytes;
	f->cpus = 1;
}

/* Byte `i` of the selected item, or 0 past its end. */
static uint8_t item_byte(const struct fw_cfg *f, uint32_t i)
{
	static const char signature[4] = { 'Q', 'E', 'M', 'U' };

	switch (f->key) {
	case FW_CFG_SIGNATURE:
		return i < 4 ? (uint8_t)signature[i] : 0;
	case FW_CFG_ID:
		return i == 0 ? 1 : 0;		/* little-endian 32-bit 1 */
	case FW_CFG_RAM_SIZE:
		return i < 8 ? (uint8_t)(f->ram_bytes >> (8 * i)) : 0;
	case FW_CFG_NB_CPUS:
	case FW_CFG_MAX_CPUS:
		return i < 2 ? (uint8_t)(f->cpus >> (8 * i)) : 0;
	case FW_CFG_FILE_DIR:
		return 0;			/* a count of 0 files (big-endian) */
	default:
		return 0;
	}
}

uint32_t fw_cfg_read(struct fw_cfg *f, uint16_t port, unsigned size)
{
	if (port != FW_CFG_PORT_DATA || size != 1)
		return all_ones(size);
	return item_byte(f, f->offset++);
}

void fw_cfg_write(struct fw_cfg *f, uint16_t port, unsigned size, uint32_t value)
{
	if (port != FW_CFG_PORT_SELECTOR || (size != 1 && size != 2))
		return;
	f->key = (uint16_t)(size == 2 ? value : (value & 0xFF));
	f->offset = 0;
}
