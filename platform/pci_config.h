/*
 * platform/pci_config.h: PCI configuration mechanism #1 (ports 0xCF8 and
 * 0xCFC-0xCFF) on a bus where no device answers, and the reset control
 * register at 0xCF9.
 * Runs on: host and hypervisor (pure logic, no hardware: ring 0 in the
 * hypervisor, Check unit tests on the host).
 */
#ifndef TV_PLATFORM_PCI_CONFIG_H
#define TV_PLATFORM_PCI_CONFIG_H

#include <stdint.h>

#define PCI_PORT_ADDRESS	0xCF8u	/* 32-bit accesses only */
#define PCI_PORT_RESET		0xCF9u	/* byte accesses: reset control */
#define PCI_PORT_DATA		0xCFCu	/* 0xCFC-0xCFF */

#define PCI_RESET_SYSTEM	0x02	/* in 0xCF9: full reset, not just the CPU */
#define PCI_RESET_CPU		0x04	/* in 0xCF9: a 0 -> 1 change resets */

struct pci_config {
	uint32_t address;	/* enable, bus, device, function, register */
	uint8_t reset_control;
};

void pci_config_reset(struct pci_config *p);

/* Does the port belong here for an access of this size (1, 2 or 4)? */
int pci_config_owns(uint16_t port, unsigned size);

uint32_t pci_config_read(struct pci_config *p, uint16_t port, unsigned size);

/* Returns 1 when the write asks for a reset (0xCF9 bit 2 rising). */
int pci_config_write(struct pci_config *p, uint16_t port, unsigned size, uint32_t value);

#endif
