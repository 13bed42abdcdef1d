/* test_str.c -- UTF-8-safe copies and cuts (of_str; issue 10 item 8: no string cut mid-character). */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include "of_str.h"

Test(str, copy_that_fits_is_whole) {
    char b[16];
    cr_assert_str_eq(of_str_copy(b, sizeof b, "顺丰"), "顺丰");
    cr_assert_str_eq(of_str_copy(b, sizeof b, NULL), "");
}

Test(str, copy_is_cut_between_characters) {
    char b[6]; /* room for 5 bytes: "顺" (3) fits, "丰" (3 more) does not */
    cr_assert_str_eq(of_str_copy(b, sizeof b, "顺丰速运"), "顺");
    char c[7]; /* 6 bytes: both */
    cr_assert_str_eq(of_str_copy(c, sizeof c, "顺丰速运"), "顺丰");
    char d[4]; /* ASCII is cut at the byte */
    cr_assert_str_eq(of_str_copy(d, sizeof d, "abcdef"), "abc");
}

Test(str, copy_keeps_four_byte_characters_whole) {
    char b[6]; /* "a" + U+1F600 (4 bytes) = 5 bytes fits; one byte less does not */
    cr_assert_str_eq(of_str_copy(b, sizeof b, "a\xF0\x9F\x98\x80z"), "a\xF0\x9F\x98\x80");
    char c[5];
    cr_assert_str_eq(of_str_copy(c, sizeof c, "a\xF0\x9F\x98\x80z"), "a");
}

Test(str, cut_at_max_bytes) {
    char b[8];
    cr_assert_str_eq(of_str_cut(b, "仓库名称", 7), "仓库");
    cr_assert_str_eq(of_str_cut(b, "仓库", 7), "仓库");
    cr_assert_eq(strlen(of_str_cut(b, "abcdefghij", 7)), 7);
}

Test(str, trim_after_snprintf_drops_a_partial_character) {
    const char *volatile one = "a顺丰", *volatile two = "a顺"; /* not known at compile time: no truncation warning */
    char b[5];
    int needed = snprintf(b, sizeof b, "%s", one); /* "a" + 3 bytes of 顺 = 4 bytes kept, 丰 cut */
    of_utf8_trim(b, sizeof b, needed);
    cr_assert_str_eq(b, "a顺");
    char c[4];
    needed = snprintf(c, sizeof c, "%s", two); /* "a" + 2 of 3 bytes of 顺 */
    of_utf8_trim(c, sizeof c, needed);
    cr_assert_str_eq(c, "a");
}

/* D-T10-75: of_str_vfmt writes what vsnprintf writes and returns what it returns, for the conversions it does itself
 * and (through vsnprintf) for the others, in buffers of every size from 0 up */
static int fast(char *b, size_t n, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = of_str_vfmt(b, n, fmt, ap);
    va_end(ap);
    return r;
}

#define SAME(...)                                                                                                      \
    do {                                                                                                               \
        char want[128], got[128];                                                                                      \
        for (size_t n = 0; n <= sizeof want; n++) {                                                                    \
            memset(want, 'x', sizeof want);                                                                            \
            memset(got, 'x', sizeof got);                                                                              \
            int rw = snprintf(want, n, __VA_ARGS__);                                                                   \
            int rg = fast(got, n, __VA_ARGS__);                                                                        \
            cr_assert_eq(rg, rw, "size %zu: returned %d, want %d", n, rg, rw);                                         \
            cr_assert(!memcmp(got, want, sizeof want), "size %zu: '%.*s' want '%.*s'", n, (int)n, got, (int)n, want);  \
        }                                                                                                              \
    } while (0)

Test(str, d_t10_75_the_fast_conversions_write_what_snprintf_writes) {
    unsigned long fb = of_str_vfmt_fallbacks();
    const char *volatile none = NULL; /* not a constant to the compiler: -Wformat-truncation at -O2 */
    SAME("plain text, no conversion");
    SAME("%s", "");
    SAME("warehouse %llu %s: shortage amount %s, %s", 18446744073709551615ULL, "上海仓", "12.50", "pre-order");
    SAME("%d %d %d %i", 0, -1, 2147483647, (int)-2147483647 - 1);
    SAME("%u %lu %zu", 4294967295u, 123456789UL, (size_t)42);
    SAME("%lld %llu %ld", (long long)-9223372036854775807LL - 1, 0ULL, -77L);
    SAME("100%% of %s", "the lines");
    SAME("null: %s.", none);
    SAME("%s%s%s", "顺丰", "速运", "");
    cr_expect_eq(of_str_vfmt_fallbacks(), fb, "every one of these written without vsnprintf");
}

Test(str, d_t10_75_other_conversions_go_through_vsnprintf) {
    unsigned long fb = of_str_vfmt_fallbacks();
    SAME("%5d|%-4s|%.2f|%x|%c|%05llu", 42, "ab", 3.14159, 255u, 'q', 7ULL);
    SAME("%zd then %s", (ssize_t)-3, "x");
    SAME("%s then %3s", "a", "b"); /* the first conversion done, then the fallback: the whole text again */
    cr_expect_eq(of_str_vfmt_fallbacks() - fb, 3 * 129, "each of the 3 formats, at each of the 129 sizes");
}
