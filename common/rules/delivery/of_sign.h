/* of_sign.h -- HMAC-SHA256 signatures of webhook bodies (delivery to merchants; the test merchant checks them). */
#ifndef OF_SIGN_H
#define OF_SIGN_H
#include <stddef.h>

/* Header carrying the signature: "sha256=" + 64 lowercase hex digits of HMAC-SHA256(secret, body). */
#define OF_SIGN_HEADER "X-OF-Signature"

/* HMAC-SHA256(key, data) as 64 lowercase hex digits + NUL into hex (>= 65 bytes). Returns 0, -1 on failure. */
int of_sign_hmac_sha256_hex(const void *key, size_t keylen, const void *data, size_t len, char *hex);
/* The header value "sha256=<hex>" into buf (>= 72 bytes). Returns 0, -1 on failure. */
int of_sign_body(const char *secret, const void *body, size_t len, char *buf, size_t size);
/* 1 when a (an bytes) equals b (bn bytes), in a time that depends on the lengths only (secrets, MACs). */
int of_sign_equal(const void *a, size_t an, const void *b, size_t bn);
/* 1 when value is the right "sha256=<hex>" for body under secret (constant-time compare), else 0. */
int of_sign_verify(const char *secret, const void *body, size_t len, const char *value);

#endif
