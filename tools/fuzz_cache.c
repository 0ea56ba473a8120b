/*
 * tools/fuzz_cache.c: the bare machine's results of the fuzz guest, kept
 * between campaigns (see fuzz_cache.h for what the key covers and the
 * file's records). Runs on: host.
 */
#include "tools/fuzz_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define FNV64_INIT	0xcbf29ce484222325ull
#define FNV64_PRIME	0x100000001b3ull
#define FNV32_INIT	0x811c9dc5u
#define FNV32_PRIME	0x01000193u

static uint64_t fnv64(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * FNV64_PRIME;
	return h;
}

/* The checksum that closes a record: a record cut short by a crash does not match it. */
static uint32_t fnv32(const char *s, size_t n)
{
	uint32_t h = FNV32_INIT;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * FNV32_PRIME;
	return h;
}

int tv_fuzz_cache_key(const char *const *files, size_t nfiles, const char *const *strings,
		      size_t nstrings, char hex[17])
{
	uint64_t h = FNV64_INIT;
	static unsigned char buf[1 << 16];

	for (size_t i = 0; i < nfiles; i++) {
		FILE *f = fopen(files[i], "rb");
		size_t n;

		if (!f)
			return -1;
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			h = fnv64(h, buf, n);
		int bad = ferror(f);
		fclose(f);
		if (bad)
			return -1;
		/* Where one file ends and the next begins is part of the key. */
		h = fnv64(h, "\0file\0", 6);
	}
	for (size_t i = 0; i < nstrings; i++)
		h = fnv64(h, strings[i], strlen(strings[i]) + 1);
	snprintf(hex, 17, "%016llx", (unsigned long long)h);
	return 0;
}

int tv_fuzz_cache_open(struct tv_fuzz_cache *c, const char *dir, const char *key, uint32_t seed,
		       uint32_t first, uint32_t count)
{
	char path[PATH_MAX];

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->first = first;
	c->count = count;
	if (!(c->seq = calloc(count, sizeof(*c->seq))))
		return -1;
	if (mkdir(dir, 0777) < 0 && errno != EEXIST)
		return -1;
	if (snprintf(path, sizeof(path), "%s/native-%s-%u.txt", dir, key, seed) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	c->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
	return c->fd < 0 ? -1 : 0;
}

void tv_fuzz_cache_close(struct tv_fuzz_cache *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->seq);
	free(c->cuts);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

int tv_fuzz_cache_lock(struct tv_fuzz_cache *c)
{
	if (c->fd < 0)
		return -1;
	while (flock(c->fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return -1;
	return tv_fuzz_cache_load(c);
}

void tv_fuzz_cache_unlock(struct tv_fuzz_cache *c)
{
	if (c->fd >= 0)
		flock(c->fd, LOCK_UN);
}

static int cut_order(const void *a, const void *b)
{
	const struct tv_fuzz_cached_cut *x = a, *y = b;

	if (x->k != y->k)
		return x->k < y->k ? -1 : 1;
	return x->n < y->n ? -1 : x->n > y->n;
}

static int add_cut(struct tv_fuzz_cache *c, const struct tv_fuzz_cached_cut *cut)
{
	if (c->ncuts == c->cap) {
		size_t cap = c->cap * 2 + 256;
		struct tv_fuzz_cached_cut *more = realloc(c->cuts, cap * sizeof(*more));
		if (!more)
			return -1;
		c->cuts = more;
		c->cap = cap;
	}
	c->cuts[c->ncuts++] = *cut;
	return 0;
}

/* One record (its checksum already checked and cut off): into c when it is in range. */
static void load_record(struct tv_fuzz_cache *c, char *s, size_t len)
{
	struct tv_fuzz_cached_cut cut = { 0 };
	struct tv_fuzz_line l;
	uint32_t k;
	int end, used;
	char tail;

	if (len > 2 && s[0] == 'L' && s[1] == ' ') {
		if (!c->have_layout && len - 2 < sizeof(c->layout_line) &&
		    tv_fuzz_parse_layout(s + 2, len - 2, &c->layout) == 0) {
			memcpy(c->layout_line, s + 2, len - 2);
			c->layout_line[len - 2] = '\0';
			c->have_layout = 1;
		}
		return;
	}
	if (s[0] == 'F') {
		if (tv_fuzz_parse_line(s, len, &l) == 0 && l.k - c->first < c->count &&
		    l.k >= c->first && !c->seq[l.k - c->first].state) {
			c->seq[l.k - c->first].state = TV_FUZZ_CACHED_LINE;
			c->seq[l.k - c->first].line = l;
		}
		return;
	}
	if (sscanf(s, "E %u %d %n", &k, &end, &used) == 2) {
		if (k < c->first || k - c->first >= c->count || c->seq[k - c->first].state)
			return;
		struct tv_fuzz_cached *e = &c->seq[k - c->first];
		e->state = TV_FUZZ_CACHED_ENDED;
		e->end = end;
		snprintf(e->reason, sizeof(e->reason), "%s", s + used);
		return;
	}
	if (s[0] == 'C' && tv_fuzz_parse_cut_line(s, len, &cut.line, &cut.n) == 0) {
		cut.k = cut.line.k;
		cut.have = 1;
	} else if (sscanf(s, "X %u %u %c", &cut.k, &cut.n, &tail) == 2) {
		cut.have = 0;
	} else {
		return;
	}
	if (cut.k >= c->first && cut.k - c->first < c->count)
		add_cut(c, &cut);
}

int tv_fuzz_cache_load(struct tv_fuzz_cache *c)
{
	struct stat sb;
	char *text;
	size_t have = 0;

	if (c->fd < 0 || fstat(c->fd, &sb) < 0)
		return -1;
	memset(c->seq, 0, c->count * sizeof(*c->seq));
	c->ncuts = 0;
	c->records = 0;
	if (!(text = malloc((size_t)sb.st_size + 1)))
		return -1;
	while (have < (size_t)sb.st_size) {
		ssize_t r = pread(c->fd, text + have, (size_t)sb.st_size - have, (off_t)have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		have += (size_t)r;
	}
	text[have] = '\0';
	for (char *p = text, *nl; (nl = memchr(p, '\n', have - (size_t)(p - text))); p = nl + 1) {
		char *hash = NULL;
		uint32_t sum;
		char tail;

		*nl = '\0';
		for (char *q = p; q < nl; q++)
			if (*q == '#')
				hash = q;
		if (!hash || hash == p || hash[-1] != ' ' ||
		    sscanf(hash + 1, "%8x%c", &sum, &tail) != 1 || strlen(hash + 1) != 8 ||
		    sum != fnv32(p, (size_t)(hash - 1 - p)))
			continue;
		hash[-1] = '\0';
		load_record(c, p, (size_t)(hash - 1 - p));
		c->records++;
	}
	free(text);
	/* A cut run twice (two campaigns at once) is kept once. */
	if (c->ncuts) {
		qsort(c->cuts, c->ncuts, sizeof(*c->cuts), cut_order);
		size_t out = 0;
		for (size_t i = 0; i < c->ncuts; i++)
			if (!out || cut_order(&c->cuts[out - 1], &c->cuts[i]) != 0)
				c->cuts[out++] = c->cuts[i];
		c->ncuts = out;
	}
	return 0;
}

const struct tv_fuzz_cached_cut *tv_fuzz_cache_cut(const struct tv_fuzz_cache *c, uint32_t k,
						   uint32_t n)
{
	struct tv_fuzz_cached_cut key = { .k = k, .n = n };

	if (!c->ncuts)
		return NULL;
	return bsearch(&key, c->cuts, c->ncuts, sizeof(*c->cuts), cut_order);
}

/* Append one record with its checksum, in one write (O_APPEND: whole, between another's). */
static void put(struct tv_fuzz_cache *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void put(struct tv_fuzz_cache *c, const char *fmt, ...)
{
	char rec[400];
	va_list ap;
	int n;

	if (c->fd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(rec, sizeof(rec) - 12, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= (int)sizeof(rec) - 12)
		return;
	for (int i = 0; i < n; i++)
		if (rec[i] == '\n' || rec[i] == '\r' || rec[i] == '#')
			rec[i] = ' ';
	n += snprintf(rec + n, sizeof(rec) - (size_t)n, " #%08x\n", fnv32(rec, (size_t)n));
	if (write(c->fd, rec, (size_t)n) != n) {
		/* A full disk: keep nothing more, the campaign goes on. */
		close(c->fd);
		c->fd = -1;
	}
}

void tv_fuzz_cache_put_layout(struct tv_fuzz_cache *c, const char *line, size_t len)
{
	put(c, "L %.*s", (int)len, line);
}

void tv_fuzz_cache_put_line(struct tv_fuzz_cache *c, const struct tv_fuzz_line *l)
{
	put(c, "F %u %x %x %08x %08x %08x %08x", l->k, l->vector, l->error, l->eflags, l->eip,
	    l->state, l->mem);
}

void tv_fuzz_cache_put_ended(struct tv_fuzz_cache *c, uint32_t k, int end, const char *reason)
{
	put(c, "E %u %d %s", k, end, reason ? reason : "");
}

void tv_fuzz_cache_put_cut(struct tv_fuzz_cache *c, uint32_t k, uint32_t n,
			   const struct tv_fuzz_line *l)
{
	if (l)
		put(c, "C %u %u %x %x %08x %08x %08x %08x", k, n, l->vector, l->error, l->eflags,
		    l->eip, l->state, l->mem);
	else
		put(c, "X %u %u", k, n);
}
