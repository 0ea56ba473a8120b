/*
 * lib/string.c: memory and string functions.
 * Runs in: hypervisor and guests (freestanding). The memory functions move
 * sixteen bytes a pass (lib/mem_words.h says why); the string functions
 * are simple on purpose: nothing on the trap path handles long strings.
 */
#include "lib/string.h"
#include "lib/mem_words.h"

#ifndef TV_HOSTED
void *memcpy(void *dst, const void *src, size_t n)
{
	tv_copy_up(dst, src, n);
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	if ((unsigned char *)dst < (const unsigned char *)src)
		tv_copy_up(dst, src, n);
	else
		tv_copy_down(dst, src, n);
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	tv_fill(dst, (unsigned char)c, n);
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	return tv_compare(a, b, n);
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

char *strncpy(char *dst, const char *src, size_t n)
{
	size_t i = 0;
	for (; i < n && src[i]; i++)
		dst[i] = src[i];
	for (; i < n; i++)
		dst[i] = 0;
	return dst;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return 0;
	}
}
#endif
