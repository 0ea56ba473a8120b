/*
 * tests/fuzz_host/fuzz_input.h: what every host fuzz target shares: reading
 * the fuzzer's bytes as numbers, and stopping with a message when a property
 * fails.
 * Runs on: host (libFuzzer, AddressSanitizer, UndefinedBehaviorSanitizer).
 *
 * A target is one LLVMFuzzerTestOneInput() that turns the bytes into calls
 * of one piece of pure logic and checks what the logic promises in its
 * header, not only that it does not crash. A failed check abort()s, which
 * libFuzzer reports as a crash and saves the input that caused it, so
 * `build/fuzz-host/NAME path/to/crash-...` replays it (docs/fuzz-host.md).
 */
#ifndef TV_TESTS_FUZZ_HOST_FUZZ_INPUT_H
#define TV_TESTS_FUZZ_HOST_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* The bytes still unread. Reading past the end gives zeros, so every input is usable. */
struct fuzz_input {
	const uint8_t *data;
	size_t size;
};

static inline uint8_t fuzz_u8(struct fuzz_input *in)
{
	uint8_t v = 0;

	if (in->size > 0) {
		v = in->data[0];
		in->data++;
		in->size--;
	}
	return v;
}

static inline uint16_t fuzz_u16(struct fuzz_input *in)
{
	uint16_t lo = fuzz_u8(in);

	return (uint16_t)(lo | (uint16_t)fuzz_u8(in) << 8);
}

static inline uint32_t fuzz_u32(struct fuzz_input *in)
{
	uint32_t lo = fuzz_u16(in);

	return lo | (uint32_t)fuzz_u16(in) << 16;
}

/* A property of the code under test did not hold: say which, and let libFuzzer keep the input. */
#define FUZZ_CHECK(cond, ...)                                                   \
	do {                                                                    \
		if (!(cond)) {                                                  \
			fprintf(stderr, "%s:%d: property failed: %s: ",          \
				__FILE__, __LINE__, #cond);                     \
			fprintf(stderr, __VA_ARGS__);                           \
			fputc('\n', stderr);                                    \
			abort();                                                \
		}                                                               \
	} while (0)

/* The entry point libFuzzer calls once per input. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
