/* of_money.c -- decimal money parsing and printing without floating point. */
#include <stdio.h>
#include <string.h>
#include "of_money.h"

of_err_t of_money_parse(const char *s, int64_t *outp) {
    if (!s || !*s) return OF_ERR_INVALID;
    int neg = 0;
    if (*s == '-' || *s == '+') neg = (*s++ == '-');
    int64_t ip = 0, fp = 0;
    int idigits = 0, fdigits = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (++idigits > 14) return OF_ERR_INVALID;
        ip = ip * 10 + (*s - '0');
    }
    if (*s == '.') {
        s++;
        for (; *s >= '0' && *s <= '9'; s++) {
            if (++fdigits > 4) return OF_ERR_INVALID;
            fp = fp * 10 + (*s - '0');
        }
        if (!fdigits) return OF_ERR_INVALID;
    }
    if (*s || !idigits) return OF_ERR_INVALID;
    for (int i = fdigits; i < 4; i++)
        fp *= 10;
    int64_t v = ip * OF_MONEY_SCALE + fp;
    *outp = neg ? -v : v;
    return OF_OK;
}

/* "%s%llu.%04llu" by hand: every money parameter of every statement goes through here (of_db), and snprintf was a
 * tenth of trade-submit's CPU (issue 10, D-T10-60). Cut like snprintf when size is short. */
const char *of_money_fmt(int64_t v, char *buf, size_t size) {
    if (!size) return buf;
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, ip = a / OF_MONEY_SCALE;
    unsigned fp = (unsigned)(a % OF_MONEY_SCALE);
    char t[32], *e = t + sizeof t, *p = e;
    for (int i = 0; i < 4; i++, fp /= 10)
        *--p = (char)('0' + fp % 10);
    *--p = '.';
    do
        *--p = (char)('0' + ip % 10);
    while (ip /= 10);
    if (v < 0) *--p = '-';
    size_t n = (size_t)(e - p) < size - 1 ? (size_t)(e - p) : size - 1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return buf;
}

/* n / d rounded half away from zero; d > 0 */
int64_t of_money_div_round(__int128 n, __int128 d) {
    __int128 a = n < 0 ? -n : n;
    __int128 q = (2 * a + d) / (2 * d);
    return (int64_t)(n < 0 ? -q : q);
}

/* OP-27 */
void of_money_apportion(int64_t total, const int64_t *weights, size_t n, int64_t *out) {
    if (!n) return;
    __int128 sw = 0;
    for (size_t i = 0; i < n; i++)
        sw += weights[i];
    int equal = sw <= 0;
    if (equal) sw = (__int128)n;
    int64_t sum = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        __int128 w = equal ? 1 : weights[i];
        out[i] = of_money_div_round((__int128)total * w, sw * 100) * 100; /* round(…, 2): 100 units of 1e-4 */
        sum += out[i];
    }
    out[n - 1] = total - sum; /* the last part takes the remainder */
}
