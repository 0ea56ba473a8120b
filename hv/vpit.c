/*
 * hv/vpit.c: a virtual 8254 whose channel 0 is the real one.
 * Runs in: hypervisor, ring 0.
 *
 * The guest programs channel 0 (control word at 0x43, count at 0x40) as on
 * a bare PC, and the hypervisor programs the real channel 0 the same way, so
 * each real timer interrupt is one tick of the guest's timer at exactly the
 * rate it asked for. Two deviations, both to keep the hypervisor in charge:
 * the count is written to the real PIT only when complete, and counts below
 * PIT_MIN_COUNT (rates above ~10 kHz, which would leave an emulated CPU no
 * time for anything else) are raised to it. Channels 1 and 2 are not
 * modelled: their ports read as all ones like any unknown port.
 */
#include "hv/vpit.h"
#include "hv/host_timer.h"

#define PIT_PORT_CHANNEL0	0x40
#define PIT_PORT_COMMAND	0x43
#define PIT_MIN_COUNT		119

void vpit_reset(struct vpit *pit)
{
	*pit = (struct vpit){ 0 };
}

uint8_t vpit_in(struct vpit *pit, uint16_t port)
{
	if (port == PIT_PORT_CHANNEL0)
		return host_pit_read_counter0();
	return 0xFF;	/* the command register cannot be read */
}

static void program(struct vpit *ch0)
{
	uint32_t count = ch0->count ? ch0->count : 0x10000;
	if (count < PIT_MIN_COUNT)
		count = PIT_MIN_COUNT;
	/* Write the real count with the guest's mode, always as low then high byte. */
	host_pit_program((uint8_t)((ch0->control & 0x0F) | 0x30), (uint16_t)count, 3);
	ch0->programmed = 1;
	ch0->one_shot_fired = 0;
	host_pic_unmask(HOST_IRQ_TIMER);
}

void vpit_out(struct vpit *ch0, uint16_t port, uint8_t value)
{
	if (port == PIT_PORT_COMMAND) {
		unsigned channel = value >> 6, access = (value >> 4) & 3;
		if (channel == 3) {		/* read-back */
			host_pit_command(value);
		} else if (channel == 0 && access == 0) {	/* counter latch */
			host_pit_command(value);
		} else if (channel == 0) {
			/*
			 * A new control word stops the counter until its count is
			 * written: the real one too, so nothing fires meanwhile.
			 */
			host_pit_command((uint8_t)((value & 0x0F) | 0x30));
			/*
			 * An edge from before (the BIOS's timer, or this control
			 * word raising the output) must not pass for the new
			 * count's first: the count has not started yet.
			 */
			host_pic_drop_masked_request(HOST_IRQ_TIMER);
			ch0->programmed = 0;
			ch0->control = value;
			ch0->access = (uint8_t)access;
			ch0->mode = (value >> 1) & 7;
			if (ch0->mode > 5)
				ch0->mode -= 4;		/* 6 and 7 are 2 and 3 */
			ch0->low_written = 0;
		}
		return;
	}
	switch (ch0->access) {
	case 1:
		ch0->count = value;
		program(ch0);
		break;
	case 2:
		ch0->count = (uint16_t)(value << 8);
		program(ch0);
		break;
	case 3:
		if (!ch0->low_written) {
			ch0->count = value;
			ch0->low_written = 1;
		} else {
			ch0->count |= (uint16_t)(value << 8);
			ch0->low_written = 0;
			program(ch0);
		}
		break;
	default:
		break;	/* no control word yet: the write goes nowhere */
	}
}

void vpit_tick(struct vpit *ch0)
{
	if (ch0->mode == 0 || ch0->mode == 1 || ch0->mode == 4 || ch0->mode == 5)
		ch0->one_shot_fired = 1;
}

int vpit_will_fire(const struct vpit *ch0)
{
	if (!ch0->programmed)
		return 0;
	return ch0->mode == 2 || ch0->mode == 3 || !ch0->one_shot_fired;
}
