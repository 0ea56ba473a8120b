/*
 * guests/lib/guest_pic.c: masking the 8259 interrupt controllers.
 * Runs in: guest.
 */
#include "guests/lib/guest_pic.h"
#include "lib/x86.h"

void guest_pic_mask_all(void)
{
	outb(GUEST_PIC1_DATA, 0xFF);
	outb(GUEST_PIC2_DATA, 0xFF);
}
