/*
 * lib/string.h: the string and memory functions freestanding code needs.
 * Runs in: hypervisor and guests (freestanding); on the host the C library's
 * own functions are used instead.
 */
#ifndef TV_LIB_STRING_H
#define TV_LIB_STRING_H

#include <stddef.h>

#ifdef TV_HOSTED
#include <string.h>
#else
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strncpy(char *dst, const char *src, size_t n);
char *strchr(const char *s, int c);
#endif

#endif
