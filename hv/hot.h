/*
 * hv/hot.h: where the data every trap touches lives.
 * Runs in: hypervisor, ring 0.
 *
 * Each trap switches CR3, and QEMU TCG empties its software TLB on every
 * switch, so each distinct page the hypervisor touches afterwards costs a
 * page walk. The few variables every trap reads or writes are therefore
 * packed together in .data.hot (hv/hv.ld) instead of scattered among the
 * large tables of .bss.
 *
 * Measured with `trapvisor bench` (three runs each, medians of the guest's
 * cycles per iteration, ring 1): together with fewer trap-cost samples
 * (hv/trap_cost.c) this took a trapped IN from 19.0k-19.6k to 17.8k-18.1k
 * cycles, a CLI/STI pair from 35.5k-36.4k to 33.2k-33.4k, and a divide error
 * handled by the guest from 38.0k-38.4k to 35.4k-35.9k: about 7 percent.
 */
#ifndef TV_HV_HOT_H
#define TV_HV_HOT_H

#define HV_HOT __attribute__((section(".data.hot")))

#endif
