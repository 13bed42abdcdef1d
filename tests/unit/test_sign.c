/* test_sign.c -- HMAC-SHA256 webhook signatures: RFC 4231 vectors, header form, verification. */
#include <criterion/criterion.h>
#include <string.h>
#include "of_sign.h"

Test(sign, rfc4231_test_case_2) {
    char hex[65];
    const char *data = "what do ya want for nothing?";
    cr_assert_eq(of_sign_hmac_sha256_hex("Jefe", 4, data, strlen(data), hex), 0);
    cr_expect_str_eq(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

Test(sign, rfc4231_test_case_1) {
    unsigned char key[20];
    memset(key, 0x0b, sizeof key);
    char hex[65];
    cr_assert_eq(of_sign_hmac_sha256_hex(key, sizeof key, "Hi There", 8, hex), 0);
    cr_expect_str_eq(hex, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

Test(sign, header_value_and_verification) {
    const char *body = "{\"order_ref\":\"1001\",\"cash\":\"12.5000\"}";
    char v[80];
    cr_assert_eq(of_sign_body("s3cret", body, strlen(body), v, sizeof v), 0);
    cr_expect_eq(strncmp(v, "sha256=", 7), 0);
    cr_expect_eq(strlen(v), 71);
    cr_expect(of_sign_verify("s3cret", body, strlen(body), v), "own signature verifies");
    cr_expect(!of_sign_verify("other", body, strlen(body), v), "another secret does not");
    cr_expect(!of_sign_verify("s3cret", body, strlen(body) - 1, v), "a changed body does not");
    cr_expect(!of_sign_verify("s3cret", body, strlen(body), ""), "a missing signature does not");
    cr_expect(!of_sign_verify("s3cret", body, strlen(body), NULL));
    v[20] ^= 1;
    cr_expect(!of_sign_verify("s3cret", body, strlen(body), v), "a tampered signature does not");
}

Test(sign, empty_body) {
    char hex[65];
    cr_assert_eq(of_sign_hmac_sha256_hex("k", 1, NULL, 0, hex), 0);
    cr_expect_eq(strlen(hex), 64);
}
