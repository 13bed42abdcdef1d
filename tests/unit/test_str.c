/* test_str.c -- UTF-8-safe copies and cuts (of_str; issue 10 item 8: no string cut mid-character). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
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
