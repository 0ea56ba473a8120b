/*
 * deprivilege/return_rules.h: the checks a CPU at CPL 0 makes when IRET or
 * a far RET returns through a code selector, and when IRET returns from a
 * nested task (Intel SDM vol. 2A, IRET/IRETD "Operation",
 * PROTECTED-MODE-RETURN and TASK-RETURN; vol. 2B, RET "Operation",
 * far return to the same or an outer privilege level).
 * Runs in: hypervisor, ring 0 (pure logic, no hardware), and on the host in
 * unit tests.
 *
 * The hypervisor emulates the returns of a guest kernel that believes it is
 * at CPL 0; these decide which fault the bare machine would raise for the
 * selector the guest popped, so that the guest gets that fault instead of
 * a stop. Decisions reuse struct sysreg_result (deprivilege/sysreg_rules.h).
 */
#ifndef TV_DEPRIVILEGE_RETURN_RULES_H
#define TV_DEPRIVILEGE_RETURN_RULES_H

#include <stdint.h>

#include "deprivilege/sysreg_rules.h"
#include "lib/x86_desc.h"

/*
 * A return at CPL 0 to code selector sel; d is its descriptor as the guest
 * wrote it, or NULL when sel lies beyond its table. In the SDM's order: a
 * null selector is #GP(0); beyond the table, not a code segment, a
 * conforming segment whose DPL is above the RPL, or a non-conforming one
 * whose DPL is not the RPL is #GP(selector); not present is #NP(selector).
 * SYSREG_OK means the code segment passes: the return goes on to the same
 * level (RPL 0) or an outer one (RPL 1 to 3), whose stack is checked next.
 */
struct sysreg_result return_check_cs(uint16_t sel, const struct x86_desc *d);

/*
 * IRET with EFLAGS.NT set: a return to the task whose TSS selector link
 * sits in the current TSS; d is link's GDT descriptor, or NULL when link
 * is an LDT selector or lies beyond the GDT. An LDT selector, one beyond
 * the GDT, or a descriptor that is not a busy 32-bit or 16-bit TSS (a null
 * link included) is #TS(link); not present is #NP(link). A link the CPU
 * would switch to is SYSREG_UNSUPPORTED: the virtual CPU has no task
 * switches.
 */
struct sysreg_result return_check_task_link(uint16_t link, const struct x86_desc *d);

#endif
