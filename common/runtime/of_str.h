/* of_str.h -- string helpers that keep UTF-8 whole: copies and cuts never split a character. */
#ifndef OF_STR_H
#define OF_STR_H
#include <stddef.h>

/* Copy src (NULL = "") into dst of size bytes, always NUL-terminated; when it does not fit, the copy is cut at
 * the last whole UTF-8 character that fits. Returns dst. */
char *of_str_copy(char *dst, size_t size, const char *src);
/* Copy at most max bytes of src (NULL = "") into dst (which holds max + 1 bytes), cut at a character boundary.
 * Returns dst. */
char *of_str_cut(char *dst, const char *src, size_t max);
/* After snprintf(s, size, …) returned needed: when the text was cut, drop a trailing partial UTF-8 character. */
void of_utf8_trim(char *s, size_t size, int needed);

#endif
