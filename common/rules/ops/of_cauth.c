/* of_cauth.c -- the ops console's token, session, CSRF and request parsers (of_cauth.h). Pure. */
#include "of_cauth.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "of_sign.h"

int of_cauth_token_ok(const char *token, const char *presented) {
    if (!token || !presented || strlen(token) < OF_CAUTH_MIN_TOKEN) return 0;
    return of_sign_equal(token, strlen(token), presented, strlen(presented));
}

int of_cauth_bearer_ok(const char *token, const char *authorization) {
    if (!authorization || strncmp(authorization, "Bearer ", 7)) return 0;
    return of_cauth_token_ok(token, authorization + 7);
}

static int mac(const char *token, const char *msg, char *hex) {
    return of_sign_hmac_sha256_hex(token, strlen(token), msg, strlen(msg), hex);
}

int of_cauth_session_new(const char *token, int64_t now_s, int64_t ttl_s, char *out, size_t size) {
    char msg[64], hex[65];
    if (!token || strlen(token) < OF_CAUTH_MIN_TOKEN) return -1;
    snprintf(msg, sizeof msg, "session:%" PRId64, now_s + ttl_s);
    if (mac(token, msg, hex)) return -1;
    int n = snprintf(out, size, "%" PRId64 ".%s", now_s + ttl_s, hex);
    return n > 0 && (size_t)n < size ? 0 : -1;
}

int of_cauth_session_ok(const char *token, const char *value, int64_t now_s) {
    if (!token || !value || strlen(token) < OF_CAUTH_MIN_TOKEN) return 0;
    const char *dot = strchr(value, '.');
    if (!dot || dot == value || dot - value > 19 || strspn(value, "0123456789") != (size_t)(dot - value)) return 0;
    int64_t expiry = strtoll(value, NULL, 10);
    char msg[64], hex[65];
    snprintf(msg, sizeof msg, "session:%" PRId64, expiry);
    if (mac(token, msg, hex)) return 0;
    int ok = of_sign_equal(hex, strlen(hex), dot + 1, strlen(dot + 1));
    return ok && now_s < expiry;
}

int of_cauth_csrf(const char *token, char *out, size_t size) {
    char hex[65];
    if (!token || strlen(token) < OF_CAUTH_MIN_TOKEN || size < sizeof hex || mac(token, "csrf", hex)) return -1;
    memcpy(out, hex, sizeof hex);
    return 0;
}

int of_cauth_csrf_ok(const char *token, const char *presented) {
    char hex[65];
    if (!presented || of_cauth_csrf(token, hex, sizeof hex)) return 0;
    return of_sign_equal(hex, strlen(hex), presented, strlen(presented));
}

int of_cauth_cookie(const char *header, const char *name, char *out, size_t size) {
    size_t nl = strlen(name);
    for (const char *p = header; p && *p;) {
        while (*p == ' ' || *p == ';')
            p++;
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > nl && !strncmp(p, name, nl) && p[nl] == '=') {
            size_t vl = len - nl - 1;
            if (vl >= size) return -1;
            memcpy(out, p + nl + 1, vl);
            out[vl] = '\0';
            return 0;
        }
        p = end;
    }
    return -1;
}

static int hexval(char c) {
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

int of_cauth_form(const char *body, size_t len, const char *name, char *out, size_t size) {
    size_t nl = strlen(name);
    const char *p = body, *end = body + len;
    while (p && p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *fe = amp ? amp : end;
        if ((size_t)(fe - p) > nl && !memcmp(p, name, nl) && p[nl] == '=') {
            size_t o = 0;
            for (const char *q = p + nl + 1; q < fe; q++) {
                char c = *q;
                if (c == '+')
                    c = ' ';
                else if (c == '%') {
                    if (fe - q < 3 || hexval(q[1]) < 0 || hexval(q[2]) < 0) return -1;
                    c = (char)(hexval(q[1]) * 16 + hexval(q[2]));
                    q += 2;
                }
                if (o + 1 >= size) return -1;
                out[o++] = c;
            }
            out[o] = '\0';
            return 0;
        }
        p = amp ? amp + 1 : NULL;
    }
    return -1;
}
