/*
 * tools/fuzz_cache.h: the bare machine's results of the fuzz guest, kept
 * between campaigns so that each ring, patch and UMIP mode does not run the
 * same sequences natively again. Runs on: host.
 *
 * The bare machine's side of a campaign does not depend on the mode: the
 * same guest, seed and sequence on the same QEMU give the same line. What
 * it does depend on goes into the key (tv_fuzz_cache_key): the fuzz guest's
 * bytes (its generator is compiled into it), the host program's own bytes
 * (how QEMU is started, the timeouts), QEMU's version, the CPU model, the
 * memory and the time limit. A change to any of them starts a new file;
 * nothing kept under another key is ever read.
 *
 * One text file per key and seed, <dir>/native-<key>-<seed>.txt, one record
 * a line, each closed by a checksum (a line a crash cut short is skipped):
 *   L <the FUZZ-LAYOUT line>
 *   F <k> <vector> ...        sequence k's line in a sequence run
 *   E <k> <end> <reason>      sequence k did not finish (reset, hang)
 *   C <k> <n> <vector> ...    sequence k cut after n instructions
 *   X <k> <n>                 that cut run did not finish
 * Two campaigns of the same seed may share a file: records are appended
 * with one write each, and tv_fuzz_cache_lock() keeps one campaign's
 * bare-machine runs from overlapping the other's, so the second finds what
 * the first ran.
 */
#ifndef TV_TOOLS_FUZZ_CACHE_H
#define TV_TOOLS_FUZZ_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "guests/fuzz/fuzz_gen.h"
#include "tools/fuzz_expect.h"

/* One sequence's kept result. */
struct tv_fuzz_cached {
	uint8_t state;			/* TV_FUZZ_CACHED_* */
	int end;			/* TV_FUZZ_CACHED_ENDED: how the run ended (enum tv_run_end) */
	struct tv_fuzz_line line;	/* TV_FUZZ_CACHED_LINE */
	char reason[120];		/* TV_FUZZ_CACHED_ENDED */
};

enum { TV_FUZZ_CACHED_NONE, TV_FUZZ_CACHED_LINE, TV_FUZZ_CACHED_ENDED };

struct tv_fuzz_cached_cut {
	uint32_t k, n;
	int have;			/* 0: the cut run did not finish */
	struct tv_fuzz_line line;
};

struct tv_fuzz_cache {
	int fd;				/* -1: no cache (results are not kept) */
	uint32_t first, count;		/* the sequences loaded: [first, first + count) */
	struct tv_fuzz_cached *seq;	/* [count] */
	struct tv_fuzz_cached_cut *cuts;	/* sorted by (k, n) after a load */
	size_t ncuts, cap;
	int have_layout;
	struct fuzz_layout layout;
	char layout_line[200];
	size_t records;			/* lines of the file read by the last load */
};

/*
 * The key: FNV-1a over the named files' bytes and the strings, in order,
 * as 16 hex digits into hex[17]. Returns 0, or -1 when a file cannot be
 * read (then keep nothing).
 */
int tv_fuzz_cache_key(const char *const *files, size_t nfiles, const char *const *strings,
		      size_t nstrings, char hex[17]);

/*
 * Open (creating it and dir) the file of key and seed, for sequences
 * [first, first + count). Returns 0, or -1 with errno set and c->fd -1.
 */
int tv_fuzz_cache_open(struct tv_fuzz_cache *c, const char *dir, const char *key, uint32_t seed,
		       uint32_t first, uint32_t count);
void tv_fuzz_cache_close(struct tv_fuzz_cache *c);

/* Hold the file against another campaign's bare-machine runs; then load what it has. */
int tv_fuzz_cache_lock(struct tv_fuzz_cache *c);
void tv_fuzz_cache_unlock(struct tv_fuzz_cache *c);

/* Read the file's records for [first, first + count) (the lock held). Returns 0 or -1. */
int tv_fuzz_cache_load(struct tv_fuzz_cache *c);

/* A kept cut result of (k, n), or NULL. */
const struct tv_fuzz_cached_cut *tv_fuzz_cache_cut(const struct tv_fuzz_cache *c, uint32_t k,
						   uint32_t n);

/* Append a record (nothing happens without a file). */
void tv_fuzz_cache_put_layout(struct tv_fuzz_cache *c, const char *line, size_t len);
void tv_fuzz_cache_put_line(struct tv_fuzz_cache *c, const struct tv_fuzz_line *l);
void tv_fuzz_cache_put_ended(struct tv_fuzz_cache *c, uint32_t k, int end, const char *reason);
void tv_fuzz_cache_put_cut(struct tv_fuzz_cache *c, uint32_t k, uint32_t n,
			   const struct tv_fuzz_line *l);	/* l NULL: did not finish */

#endif
