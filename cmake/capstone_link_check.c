/*
 * cmake/capstone_link_check.c: an entry point that reaches the decoder, so
 * that linking capstone_i386_link_check pulls in every part of Capstone the
 * hypervisor uses. The link has no C library: any symbol Capstone needs that
 * hv/hv_libc.c and lib/ do not provide stops the build, by name.
 * Runs in: nowhere; it is only linked, never run.
 */
#include "hv/decode.h"

void capstone_link_check_entry(void);

void capstone_link_check_entry(void)
{
	static const uint8_t cli[] = { 0xfa };

	if (decode_init() == 0)
		(void)decode_at(0, cli, sizeof(cli));
	for (;;)
		;
}
