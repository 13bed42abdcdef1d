/* of_str.c -- UTF-8-safe copies and cuts (of_str.h). */
#include <string.h>
#include "of_str.h"

/* The length of s's first max bytes, moved back off a character that would be split. */
static size_t boundary(const char *s, size_t n, size_t max) {
    if (n <= max) return n;
    n = max;
    while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--; /* s[n] continues the character that starts before it: cut before that character */
    return n;
}

char *of_str_cut(char *dst, const char *src, size_t max) {
    if (!src) src = "";
    size_t n = boundary(src, strlen(src), max);
    memcpy(dst, src, n);
    dst[n] = '\0';
    return dst;
}

char *of_str_copy(char *dst, size_t size, const char *src) {
    if (!size) return dst;
    return of_str_cut(dst, src, size - 1);
}

void of_utf8_trim(char *s, size_t size, int needed) {
    if (needed < 0 || (size_t)needed < size) return;
    size_t n = strlen(s);
    size_t i = n;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--; /* continuation bytes of the last character */
    if (i > 0 && ((unsigned char)s[i - 1] & 0x80)) {
        unsigned char lead = (unsigned char)s[i - 1];
        size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
        if (n - (i - 1) < want) s[i - 1] = '\0';
    }
}
