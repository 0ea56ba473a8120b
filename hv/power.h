/*
 * hv/power.h: ending the machine once a run is over.
 * Runs in: hypervisor, ring 0, once, after the exit line.
 */
#ifndef TV_HV_POWER_H
#define TV_HV_POWER_H

#include <stdint.h>

/*
 * End the machine: QEMU's debug-exit port with qemu_status (QEMU exits with
 * (qemu_status << 1) | 1), then Bochs's shutdown port, then ACPI's soft-off
 * (S5) as the firmware's tables describe it; where none of them works, a
 * message on the text screen and a halt with interrupts off.
 */
void __attribute__((noreturn)) power_off(uint32_t qemu_status);

#endif
