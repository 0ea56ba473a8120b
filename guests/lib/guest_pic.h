/*
 * guests/lib/guest_pic.h: keeping the 8259 interrupt controllers quiet.
 * Runs in: guest.
 */
#ifndef TV_GUESTS_LIB_GUEST_PIC_H
#define TV_GUESTS_LIB_GUEST_PIC_H

#define GUEST_PIC1_DATA	0x21	/* master: interrupt mask register */
#define GUEST_PIC2_DATA	0xA1	/* slave: interrupt mask register */

/*
 * Mask every IRQ line. The BIOS leaves the timer unmasked and mapped to
 * vector 8, where it would look like a double fault the moment a guest
 * executes STI.
 */
void guest_pic_mask_all(void);

#endif
