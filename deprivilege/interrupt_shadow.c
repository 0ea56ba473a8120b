/*
 * deprivilege/interrupt_shadow.c: the one-instruction interrupt shadow of
 * STI and MOV SS, by address (see interrupt_shadow.h).
 * Runs in: hypervisor, ring 0 (pure logic, no hardware), and on the host in
 * unit tests.
 */
#include "deprivilege/interrupt_shadow.h"

void interrupt_shadow_begin(struct interrupt_shadow *s)
{
	s->state = INTERRUPT_SHADOW_BEGUN;
}

int interrupt_shadow_holds(struct interrupt_shadow *s, uint32_t cs, uint32_t eip)
{
	switch (s->state) {
	case INTERRUPT_SHADOW_BEGUN:
		s->state = INTERRUPT_SHADOW_HOLDING;
		s->cs = cs;
		s->eip = eip;
		return 1;
	case INTERRUPT_SHADOW_HOLDING:
		if (s->cs == cs && s->eip == eip)
			return 1;
		s->state = INTERRUPT_SHADOW_NONE;
		return 0;
	default:
		return 0;
	}
}

void interrupt_shadow_hold_at(struct interrupt_shadow *s, uint32_t cs, uint32_t eip)
{
	s->state = INTERRUPT_SHADOW_HOLDING;
	s->cs = cs;
	s->eip = eip;
}

void interrupt_shadow_end(struct interrupt_shadow *s)
{
	s->state = INTERRUPT_SHADOW_NONE;
}
