/* of_fsauth.c -- bearer tokens of the gateway's callers. Pure. */
#include "of_fsauth.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "of_sign.h"

#define MIN_SECRET 16

/* the entry [s, e) "name:token:role" → its parts; -1 when malformed */
static int entry(const char *s, const char *e, const char **name, size_t *nn, const char **tok, size_t *tn,
                 of_fsa_role_t *role) {
    const char *c1 = memchr(s, ':', (size_t)(e - s));
    if (!c1) return -1;
    const char *c2 = memchr(c1 + 1, ':', (size_t)(e - c1 - 1));
    if (!c2) return -1;
    *name = s, *nn = (size_t)(c1 - s);
    *tok = c1 + 1, *tn = (size_t)(c2 - c1 - 1);
    size_t rn = (size_t)(e - c2 - 1);
    if (rn == 7 && !memcmp(c2 + 1, "service", 7))
        *role = OF_FSA_SERVICE;
    else if (rn == 10 && !memcmp(c2 + 1, "backoffice", 10))
        *role = OF_FSA_BACKOFFICE;
    else
        return -1;
    return *nn && *nn < 48 && *tn >= MIN_SECRET ? 0 : -1;
}

/* One entry of OF_GATEWAY_TOKENS after another: k (0-based) of n entries; -1 when malformed; 1 past the end. */
typedef struct {
    const char *name, *tok;
    size_t nn, tn;
    of_fsa_role_t role;
} entry_t;

static int next_entry(const char **s, entry_t *x) {
    if (!**s) return 1;
    const char *e = strchr(*s, ',');
    if (!e) e = *s + strlen(*s);
    int rc = entry(*s, e, &x->name, &x->nn, &x->tok, &x->tn, &x->role);
    *s = *e ? e + 1 : e;
    return rc;
}

int of_fsauth_tokens_ok(const char *tokens, char *buf, size_t size) {
    const char *s = tokens ? tokens : "";
    entry_t x;
    int rc;
    for (int k = 1; (rc = next_entry(&s, &x)) != 1; k++)
        if (rc) {
            snprintf(buf, size,
                     "entry %d: want name:token:role (role service or backoffice, name 1..47 characters, token %d+ "
                     "characters)",
                     k, MIN_SECRET);
            return -1;
        }
    return 0;
}

int of_fsauth_user_token(const char *user_secret, uint64_t user_id, int64_t exp_s, char *buf, size_t size) {
    if (!user_secret || strlen(user_secret) < MIN_SECRET || size < 128) return -1;
    char msg[64], hex[65];
    int n = snprintf(msg, sizeof msg, "u.%" PRIu64 ".%" PRId64, user_id, exp_s);
    if (of_sign_hmac_sha256_hex(user_secret, strlen(user_secret), msg, (size_t)n, hex)) return -1;
    snprintf(buf, size, "%s.%s", msg, hex);
    return 0;
}

static int digits(const char *s, size_t n, uint64_t *v) {
    if (!n || n > 19) return -1;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        x = x * 10 + (uint64_t)(s[i] - '0');
    }
    *v = x;
    return 0;
}

int of_fsauth_check(const char *authorization, const char *tokens, const char *user_secret, int64_t now_s,
                    of_fsa_caller_t *c, const char **why) {
    memset(c, 0, sizeof *c);
    if (!authorization || strncmp(authorization, "Bearer ", 7)) {
        *why = "missing bearer token (Authorization: Bearer …)";
        return -1;
    }
    const char *t = authorization + 7;
    size_t tl = strlen(t);
    /* a service client (every entry compared: the time does not say which one matched) */
    const char *s = tokens ? tokens : "";
    int hit = 0, rc;
    entry_t x;
    while ((rc = next_entry(&s, &x)) != 1)
        if (!rc && of_sign_equal(t, tl, x.tok, x.tn) && !hit) {
            hit = 1;
            c->role = x.role;
            snprintf(c->name, sizeof c->name, "%.*s", (int)x.nn, x.name);
        }
    if (hit) return 0;
    /* a buyer: u.<id>.<exp>.<hex> */
    if (tl > 2 && !strncmp(t, "u.", 2) && user_secret && strlen(user_secret) >= MIN_SECRET) {
        const char *d1 = strchr(t + 2, '.');
        const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
        uint64_t uid = 0, exp = 0;
        if (d1 && d2 && !digits(t + 2, (size_t)(d1 - t - 2), &uid) && !digits(d1 + 1, (size_t)(d2 - d1 - 1), &exp) &&
            uid) {
            char hex[65];
            if (!of_sign_hmac_sha256_hex(user_secret, strlen(user_secret), t, (size_t)(d2 - t), hex) &&
                of_sign_equal(d2 + 1, strlen(d2 + 1), hex, 64)) {
                if ((int64_t)exp <= now_s) {
                    *why = "expired token";
                    return -1;
                }
                c->role = OF_FSA_BUYER;
                c->user_id = uid;
                snprintf(c->name, sizeof c->name, "u%" PRIu64, uid);
                return 0;
            }
        }
    }
    *why = "unknown or invalid bearer token";
    return -1;
}
