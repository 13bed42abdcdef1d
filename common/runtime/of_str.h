/* of_str.h -- string helpers that keep UTF-8 whole: copies and cuts never split a character. */
#ifndef OF_STR_H
#define OF_STR_H
#include <stdarg.h>
#include <stddef.h>

/* Copy src (NULL = "") into dst of size bytes, always NUL-terminated; when it does not fit, the copy is cut at
 * the last whole UTF-8 character that fits. Returns dst. */
char *of_str_copy(char *dst, size_t size, const char *src);
/* Copy at most max bytes of src (NULL = "") into dst (which holds max + 1 bytes), cut at a character boundary.
 * Returns dst. */
char *of_str_cut(char *dst, const char *src, size_t max);
/* After snprintf(s, size, …) returned needed: when the text was cut, drop a trailing partial UTF-8 character. */
void of_utf8_trim(char *s, size_t size, int needed);
/* The decimal text of v (negated when neg: a magnitude and its sign), written backwards to end, not terminated;
 * returns its first byte. end needs 21 bytes before it. */
char *of_str_dec(char *end, unsigned long long v, int neg);
/* vsnprintf(dst, size, fmt, ap) for the conversions the decision traces and order logs use — %s %d %i %u %ld %lu
 * %lld %llu %zu and %% without flags, width or precision — with the same text and return value, without
 * vsnprintf's per-call cost (D-T10-75); any other conversion: vsnprintf itself. */
int of_str_vfmt(char *dst, size_t size, const char *fmt, va_list ap);
/* How many of_str_vfmt calls went through vsnprintf since the start (tests: which path a format takes). */
unsigned long of_str_vfmt_fallbacks(void);

#endif
