/*
 * platform/link_check.c: an entry point that calls every model, so that
 * linking tv_platform_i386_link_check with the hypervisor's flags, lib/ and
 * libgcc and nothing else proves the models fit in the hypervisor image:
 * any symbol they need from a C library stops the build, by name.
 * Runs in: nowhere; it is only linked, never run.
 */
#include "platform/cmos_rtc.h"
#include "platform/crtc.h"
#include "platform/fw_cfg.h"
#include "platform/ioapic.h"
#include "platform/kbc.h"
#include "platform/lapic.h"
#include "platform/mptable.h"
#include "platform/pci_config.h"
#include "platform/pit8254.h"
#include "platform/uart16550.h"

void platform_link_check_entry(void);

void platform_link_check_entry(void)
{
	static uint8_t low_mem[0x100000];
	static struct firmware_config cfg;
	static struct lapic l;
	static struct ioapic io;
	static struct ioapic_message m;
	static struct uart16550 u;
	static struct pit8254 p;
	static struct cmos_rtc c;
	static struct kbc k;
	static struct crtc crt;
	static struct pci_config pci;
	static struct fw_cfg f;
	uint64_t t = 1;

	firmware_config_default(&cfg);
	firmware_write_low_memory(low_mem, sizeof(low_mem), &cfg, 0);
	lapic_reset(&l, 0);
	lapic_write(&l, LAPIC_TIMER_INITIAL, lapic_read(&l, LAPIC_ID, t), t);
	lapic_write_base_msr(&l, lapic_read_base_msr(&l));
	lapic_accept(&l, 32, 0, t);
	lapic_advance(&l, lapic_next_event_ns(&l));
	if (lapic_pending_vector(&l) >= 0 && lapic_matches_destination(&l, 0, 0))
		lapic_ack(&l);
	ioapic_reset(&io, 0);
	ioapic_write(&io, IOAPIC_IOWIN, ioapic_read(&io, IOAPIC_IOWIN));
	ioapic_set_pin(&io, 4, 1);
	ioapic_eoi(&io, 36);
	while (ioapic_take(&io, &m))
		;
	uart_reset(&u);
	uart_write(&u, UART_THR, uart_read(&u, UART_RBR, t), t);
	if (uart_rx_space(&u) && uart_irq_asserted(&u, uart_next_event_ns(&u)))
		uart_receive(&u, 'x', t);
	pit_reset(&p, t);
	pit_write(&p, PIT_PORT_CONTROL, pit_read(&p, PIT_PORT_SPEAKER, t), t);
	pit_irq0_edges(&p, pit_next_event_ns(&p));
	pit_output(&p, 2, pit_count(&p, 2, t));
	cmos_rtc_reset(&c, 1u << 20, t);
	cmos_rtc_write(&c, CMOS_PORT_DATA, cmos_rtc_read(&c, CMOS_PORT_DATA, t), t);
	cmos_rtc_irq_asserted(&c, cmos_rtc_next_event_ns(&c, t));
	kbc_reset(&k);
	kbc_write(&k, KBC_PORT_DATA, kbc_read(&k, KBC_PORT_DATA));
	if (kbc_keyboard_irq(&k) || kbc_aux_irq(&k))
		kbc_key(&k, 0x1E);
	crtc_reset(&crt);
	crtc_write(&crt, CRTC_PORT_DATA, crtc_read(&crt, CRTC_PORT_DATA, t));
	crtc_cursor(&crt);
	crtc_start(&crt);
	pci_config_reset(&pci);
	if (pci_config_owns(PCI_PORT_DATA, 4))
		pci_config_write(&pci, PCI_PORT_ADDRESS, 4, pci_config_read(&pci, PCI_PORT_DATA, 4));
	fw_cfg_reset(&f, 1u << 20);
	fw_cfg_write(&f, FW_CFG_PORT_SELECTOR, 2, fw_cfg_read(&f, FW_CFG_PORT_DATA, 1));
	for (;;)
		;
}
