/*
 * hv/integrity.h: proof that the guest did not change the hypervisor.
 * Runs in: hypervisor, ring 0, before the guest starts and when the run ends.
 */
#ifndef TV_HV_INTEGRITY_H
#define TV_HV_INTEGRITY_H

/* Checksum the hypervisor's code, read-only data, IDT, TSS and entry code. */
void integrity_record(void);

/* Checksum again and say, as a "tv:note", whether anything changed. */
void integrity_report(void);

#endif
