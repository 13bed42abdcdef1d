/* of_sign.c -- HMAC-SHA256 over a body with OpenSSL; constant-time verification. */
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include "of_sign.h"

int of_sign_hmac_sha256_hex(const void *key, size_t keylen, const void *data, size_t len, char *hex) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    static const unsigned char empty[1];
    if (!HMAC(EVP_sha256(), key, (int)keylen, data ? data : empty, len, md, &mdlen) || mdlen != 32) return -1;
    for (unsigned int i = 0; i < mdlen; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    OPENSSL_cleanse(md, sizeof md);
    return 0;
}

int of_sign_body(const char *secret, const void *body, size_t len, char *buf, size_t size) {
    char hex[65];
    if (size < 72 || of_sign_hmac_sha256_hex(secret, strlen(secret), body, len, hex)) return -1;
    snprintf(buf, size, "sha256=%s", hex);
    return 0;
}

int of_sign_equal(const void *a, size_t an, const void *b, size_t bn) {
    return an == bn && CRYPTO_memcmp(a, b, an) == 0;
}

int of_sign_verify(const char *secret, const void *body, size_t len, const char *value) {
    char want[72];
    if (!value || strlen(value) != 71 || of_sign_body(secret, body, len, want, sizeof want)) return 0;
    return of_sign_equal(want, 71, value, 71);
}
