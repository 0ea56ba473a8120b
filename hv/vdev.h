/*
 * hv/vdev.h: the guest's devices: what one is, and the table of them.
 * Runs in: hypervisor, ring 0.
 *
 * A device is one row of the table in hv/vdev.c: the I/O ports (or the
 * MMIO range) it claims, how it answers a read and a write, its reset, and,
 * for an interrupt controller, the interrupt it has for the guest. Its
 * state is a member of struct machine (hv/machine.h). A new device is a new
 * row.
 */
#ifndef TV_HV_VDEV_H
#define TV_HV_VDEV_H

#include <stdint.h>

struct machine;

/* Access sizes a row answers (any other size is an unclaimed access). */
#define VDEV_SIZE_1	1u
#define VDEV_SIZE_2	2u
#define VDEV_SIZE_4	4u
#define VDEV_SIZE_ANY	(VDEV_SIZE_1 | VDEV_SIZE_2 | VDEV_SIZE_4)

struct vdev {
	const char *name;
	/* The I/O ports it claims, first..last (none: read and write NULL). */
	uint16_t port_first, port_last;
	/* The guest-physical MMIO range it claims (mmio_bytes 0: none). */
	uint32_t mmio_base, mmio_bytes;
	unsigned sizes;		/* VDEV_SIZE_*: the access sizes it answers */
	/* addr is the port or the guest-physical address; NULL: not claimed that way. */
	uint32_t (*read)(struct machine *m, uint32_t addr, unsigned size);
	void (*write)(struct machine *m, uint32_t addr, unsigned size, uint32_t value);
	/* Its state as after power-on. */
	void (*reset)(struct machine *m);
	/*
	 * An interrupt controller: the vector it has for the guest now (-1:
	 * none), and the CPU taking it (the INTA cycle). NULL for the others,
	 * which raise their lines on a controller.
	 */
	int (*pending_vector)(const struct machine *m);
	void (*acknowledge)(struct machine *m);
};

/* Every device's reset, in table order. */
void vdev_reset_all(struct machine *m);

/* size is 1, 2 or 4 bytes. Unclaimed ports read as all ones and ignore writes (traced). */
uint32_t vdev_in(struct machine *m, uint16_t port, unsigned size);
void vdev_out(struct machine *m, uint16_t port, unsigned size, uint32_t value);

/*
 * Whether a row claims port for an access of size (1, 2 or 4) in that
 * direction; the table is fixed, so the answer never changes (the fast
 * trap path's port table, hv/fast_trap.c, is made of it).
 */
int vdev_port_claimed(uint16_t port, unsigned size, int write);

/* The row whose MMIO range holds guest-physical gpa, or NULL. */
const struct vdev *vdev_mmio_at(uint32_t gpa);

/* The vector some interrupt controller has for the guest, or -1; *from says which. */
int vdev_pending_vector(const struct machine *m, const struct vdev **from);

#endif
