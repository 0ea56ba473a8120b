/*
 * guests/selftest/selftest_port_io.c: IN and OUT, single and string.
 * Runs in: guest.
 *
 * On a PC a port nothing decodes reads as all ones, at every width; under
 * the hypervisor such a port belongs to no virtual device and must read the
 * same; so must the ports beside the debug-exit port. String I/O (REP INSB/OUTSB) must move every byte and leave ESI/EDI
 * and ECX where the hardware would.
 */
#include "guests/lib/guest_console.h"
#include "guests/lib/guest_test.h"
#include "guests/selftest/selftest.h"
#include "lib/string.h"
#include "lib/x86.h"

/* 0x2F0-0x2F7 sit just below COM2 and are decoded by nothing on our PC. */
#define SELFTEST_UNUSED_PORT	0x2F0
#define SELFTEST_UNUSED_PORT4	0x2F4
#define SELFTEST_DEBUG_EXIT_PORT	0xF4

#define SELFTEST_LSR_TEMT	0x40	/* the UART has sent everything */
#define SELFTEST_TEMT_POLLS	1000000	/* bounded: a dead UART costs a delay, not a hang */

/* What `rep outsb` prints; the integration test looks for this exact line. */
static const char selftest_outsb_line[] = "REP-OUTSB: ok\n";

void selftest_port_io(void)
{
	const struct {
		const char *name;
		unsigned width;
		uint16_t port;
		uint32_t want;
	} reads[] = {
		{ "in-byte-unused-port", 1, SELFTEST_UNUSED_PORT, 0xFFu },
		{ "in-word-unused-port", 2, SELFTEST_UNUSED_PORT, 0xFFFFu },
		{ "in-dword-unused-port", 4, SELFTEST_UNUSED_PORT4, 0xFFFFFFFFu },
	};
	for (unsigned i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
		uint32_t got = reads[i].width == 1 ? inb(reads[i].port)
			       : reads[i].width == 2 ? inw(reads[i].port)
						     : inl(reads[i].port);
		guest_test_check(got == reads[i].want, reads[i].name,
				 "port 0x%x read 0x%x, want 0x%x", reads[i].port,
				 got, reads[i].want);
	}

	uint8_t lsr = inb(GUEST_COM1_LSR);
	guest_test_check(lsr & GUEST_LSR_THRE, "in-com1-lsr-thre",
			 "LSR is 0x%02x", lsr);

	/* Writes nothing decodes are dropped; surviving them is the check. */
	outb(SELFTEST_UNUSED_PORT, 0x5A);
	outw(SELFTEST_UNUSED_PORT, 0x5A5A);
	outl(SELFTEST_UNUSED_PORT4, 0x5A5A5A5Au);
	guest_test_pass("out-unused-port");

	/*
	 * Only 0xF4 ends the run (docs/guest-contract.md): its neighbours are
	 * unused ports, so a write there must come back here. A nonzero
	 * status, had it ended the run, fails it.
	 */
	for (uint16_t port = SELFTEST_DEBUG_EXIT_PORT + 1; port <= SELFTEST_DEBUG_EXIT_PORT + 3;
	     port++)
		outb(port, 0x7F);
	outw(SELFTEST_DEBUG_EXIT_PORT + 2, 0x7F7F);
	guest_test_pass("out-debug-exit-neighbours");

	/*
	 * The line goes out in one REP OUTSB, which a UART sending at its baud
	 * rate (bare Bochs, a real PC) takes whole only into an empty 16-byte
	 * FIFO: let what is in it leave, then switch the FIFOs on (which
	 * empties them; this guest reads no input).
	 */
	for (int i = 0; i < SELFTEST_TEMT_POLLS && !(inb(GUEST_COM1_LSR) & SELFTEST_LSR_TEMT); i++)
		;
	outb(GUEST_COM1 + 2, 0x07);
	const char *src = selftest_outsb_line;
	uint32_t count = sizeof(selftest_outsb_line) - 1;
	__asm__ volatile("rep outsb"
			 : "+S"(src), "+c"(count)
			 : "d"(GUEST_COM1)
			 : "memory");
	guest_test_check(count == 0 && src == selftest_outsb_line +
						      sizeof(selftest_outsb_line) - 1,
			 "rep-outsb-com1", "ECX %u, ESI advanced by %d", count,
			 (int)(src - selftest_outsb_line));

	/* The byte after the buffer must stay as it was: REP stops at ECX = 0. */
	uint8_t buf[17];
	memset(buf, 0, sizeof(buf));
	uint8_t *dst = buf;
	count = 16;
	__asm__ volatile("rep insb"
			 : "+D"(dst), "+c"(count)
			 : "d"(SELFTEST_UNUSED_PORT)
			 : "memory");
	unsigned ones = 0;
	for (unsigned i = 0; i < 16; i++)
		ones += buf[i] == 0xFF;
	guest_test_check(ones == 16 && buf[16] == 0 && count == 0 && dst == buf + 16,
			 "rep-insb-unused-port",
			 "%u of 16 bytes 0xFF, guard 0x%02x, ECX %u, EDI advanced by %d",
			 ones, buf[16], count, (int)(dst - buf));
}
