/* of_cauth.h -- the ops console's gate (of-console): the operators' token, the session cookie the login form sets,
 * the CSRF token of its forms, and the small parsers of a request's cookie header and form body. Pure (HMAC-SHA256
 * of of_sign.h; the clock is a parameter). The token is never written anywhere by these functions. */
#ifndef OF_CAUTH_H
#define OF_CAUTH_H
#include <stddef.h>
#include <stdint.h>

#define OF_CAUTH_COOKIE "of_console"
#define OF_CAUTH_MIN_TOKEN 16

/* 1 when presented equals token (constant time in their contents; lengths are not secret), else 0. NULL = 0. */
int of_cauth_token_ok(const char *token, const char *presented);
/* 1 when an Authorization header value is "Bearer <token>". */
int of_cauth_bearer_ok(const char *token, const char *authorization);
/* A session cookie value for a login at now_s, valid ttl_s: "<expiry>.<HMAC-SHA256(token, "session:<expiry>")>"
 * into out (>= 96 bytes). Returns 0, -1 on failure. */
int of_cauth_session_new(const char *token, int64_t now_s, int64_t ttl_s, char *out, size_t size);
/* 1 when value is a session of token not expired at now_s. */
int of_cauth_session_ok(const char *token, const char *value, int64_t now_s);
/* The CSRF token of the console's forms: HMAC-SHA256(token, "csrf") as hex into out (>= 65 bytes); 0, -1. */
int of_cauth_csrf(const char *token, char *out, size_t size);
/* 1 when presented is the CSRF token of token. */
int of_cauth_csrf_ok(const char *token, const char *presented);
/* The value of cookie name in a Cookie header ("a=1; b=2") into out; 0, -1 when absent or longer than size - 1. */
int of_cauth_cookie(const char *header, const char *name, char *out, size_t size);
/* The value of field name in an application/x-www-form-urlencoded body of len bytes, decoded (+ and %XX) into out;
 * 0, -1 when absent, malformed or longer than size - 1. */
int of_cauth_form(const char *body, size_t len, const char *name, char *out, size_t size);

#endif
