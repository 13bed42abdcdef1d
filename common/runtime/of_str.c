/* of_str.c -- UTF-8-safe copies and cuts, a fast formatter (of_str.h). */
#include <stdatomic.h>
#include <stdio.h>
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

/* of_str_vfmt's output: bytes past size - 1 are counted, not written. */
typedef struct {
    char *d;
    size_t size, n;
} fout_t;

static void fput(fout_t *o, const char *s, size_t n) {
    if (o->n + 1 < o->size) {
        size_t room = o->size - 1 - o->n;
        memcpy(o->d + o->n, s, n < room ? n : room);
    }
    o->n += n;
}

char *of_str_dec(char *end, unsigned long long v, int neg) {
    char *p = end;
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (neg) *--p = '-';
    return p;
}

static void fnum(fout_t *o, unsigned long long v, int neg) {
    char b[24];
    const char *p = of_str_dec(b + sizeof b, v, neg);
    fput(o, p, (size_t)(b + sizeof b - p));
}

/* The conversion at f (just past the '%') into o, its argument from ap; the bytes of the spec consumed, 0 when it is
 * not one of the simple ones. */
static size_t fconv(fout_t *o, const char *f, va_list *ap) {
    int l = 0, z = 0;
    size_t k = 0;
    if (f[k] == 'z')
        z = 1, k++;
    else
        while (f[k] == 'l' && l < 2)
            l++, k++;
    char c = f[k++];
    if (c == '%' && !l && !z) {
        fput(o, "%", 1);
    } else if (c == 's' && !l && !z) {
        const char *s = va_arg(*ap, const char *);
        if (!s) s = "(null)";
        fput(o, s, strlen(s));
    } else if ((c == 'd' || c == 'i') && !z) {
        long long v = l == 2 ? va_arg(*ap, long long) : l == 1 ? va_arg(*ap, long) : va_arg(*ap, int);
        fnum(o, v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v, v < 0);
    } else if (c == 'u') {
        unsigned long long v = z        ? va_arg(*ap, size_t)
                               : l == 2 ? va_arg(*ap, unsigned long long)
                               : l == 1 ? va_arg(*ap, unsigned long)
                                        : va_arg(*ap, unsigned);
        fnum(o, v, 0);
    } else {
        return 0;
    }
    return k;
}

static atomic_ulong fallbacks;

unsigned long of_str_vfmt_fallbacks(void) {
    return atomic_load_explicit(&fallbacks, memory_order_relaxed);
}

int of_str_vfmt(char *dst, size_t size, const char *fmt, va_list ap) {
    va_list a;
    va_copy(a, ap);
    fout_t o = {dst, size, 0};
    const char *f = fmt;
    for (;;) {
        const char *pct = strchr(f, '%');
        if (!pct) {
            fput(&o, f, strlen(f));
            break;
        }
        fput(&o, f, (size_t)(pct - f));
        size_t k = fconv(&o, pct + 1, &a);
        if (!k) { /* flags, a width, a precision or another conversion: the C library's */
            va_end(a);
            atomic_fetch_add_explicit(&fallbacks, 1, memory_order_relaxed);
            return vsnprintf(dst, size, fmt, ap);
        }
        f = pct + 1 + k;
    }
    va_end(a);
    if (size) dst[o.n < size ? o.n : size - 1] = '\0';
    return (int)o.n;
}
