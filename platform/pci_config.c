/*
 * platform/pci_config.c: PCI configuration mechanism #1 with no device on
 * the bus.
 * Runs on: host and hypervisor (pure logic, no hardware: ring 0 in the
 * hypervisor, Check unit tests on the host).
 *
 * 1. The address register at 0xCF8 takes 32-bit accesses only and reads
 *    back what was written (bits 1:0 read 0), so a kernel that probes for
 *    mechanism #1 by writing 0x80000000 and reading it back finds it.
 * 2. Every configuration read at 0xCFC-0xCFF returns all ones, "no device
 *    here", whatever the address; writes are dropped. A kernel's bus scan
 *    finds nothing. (Bare QEMU's PC has a host bridge, an ISA bridge and
 *    more on its bus; this machine has no PCI devices.)
 * 3. 0xCF9 in byte accesses is the chipset's reset control register: bit 2
 *    going from 0 to 1 asks for a reset, which the caller carries out
 *    (Linux's "reboot=pci" writes 0x02 then 0x06).
 * Byte and word accesses to 0xCF8-0xCFB other than 0xCF9 are not the
 * address register: they read all ones and go nowhere, as on a PC.
 */
#include "platform/pci_config.h"

static uint32_t all_ones(unsigned size)
{
	return size >= 4 ? 0xFFFFFFFFu : (1u << (size * 8)) - 1;
}

void pci_config_reset(struct pci_config *p)
{
	p->address = 0;
	p->reset_control = 0;
}

int pci_config_owns(uint16_t port, unsigned size)
{
	if (port == PCI_PORT_ADDRESS && size == 4)
		return 1;
	if (port == PCI_PORT_RESET && size == 1)
		return 1;
	return port >= PCI_PORT_DATA && port + size <= PCI_PORT_DATA + 4;
}

uint32_t pci_config_read(struct pci_config *p, uint16_t port, unsigned size)
{
	if (port == PCI_PORT_ADDRESS && size == 4)
		return p->address;
	if (port == PCI_PORT_RESET && size == 1)
		return p->reset_control;
	return all_ones(size);
}

int pci_config_write(struct pci_config *p, uint16_t port, unsigned size, uint32_t value)
{
	uint8_t old;

	if (port == PCI_PORT_ADDRESS && size == 4) {
		p->address = value & ~3u;
		return 0;
	}
	if (port == PCI_PORT_RESET && size == 1) {
		old = p->reset_control;
		p->reset_control = (uint8_t)(value & (PCI_RESET_SYSTEM | PCI_RESET_CPU));
		return !(old & PCI_RESET_CPU) && (value & PCI_RESET_CPU);
	}
	return 0;
}
