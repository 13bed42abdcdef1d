/* of_fsauth.h -- who calls the gateway (issue 13): service clients by a bearer token from config
 * (OF_GATEWAY_TOKENS "name:token:role,…"), buyers by a signed user token "u.<user_id>.<expiry s>.<hex>" where hex is
 * HMAC-SHA256(OF_GATEWAY_USER_SECRET, "u.<user_id>.<expiry s>"). Pure; comparisons take constant time. */
#ifndef OF_FSAUTH_H
#define OF_FSAUTH_H
#include <stddef.h>
#include <stdint.h>

typedef enum { OF_FSA_NONE = 0, OF_FSA_BUYER, OF_FSA_SERVICE, OF_FSA_BACKOFFICE } of_fsa_role_t;

typedef struct {
    of_fsa_role_t role;
    uint64_t user_id; /* a buyer's own id; 0 for a service client (acts for any user) */
    char name[64];    /* the client's name, or "u<user_id>" (idempotency keys are per caller) */
} of_fsa_caller_t;

/* Check the Authorization header value (may be NULL) at now_s against the service tokens and the user secret.
 * Returns 0 and fills *c, or -1 with why ("missing bearer token", "expired token", …) for a 401. */
int of_fsauth_check(const char *authorization, const char *tokens, const char *user_secret, int64_t now_s,
                    of_fsa_caller_t *c, const char **why);
/* The buyer token of user_id valid until exp_s into buf (>= 128 bytes). Returns 0, -1 when the secret is too
 * short (16 characters at least) or the buffer too small. */
int of_fsauth_user_token(const char *user_secret, uint64_t user_id, int64_t exp_s, char *buf, size_t size);
/* 0 when OF_GATEWAY_TOKENS parses (name:token:role entries; role service or backoffice; token 16+ characters),
 * else -1 with why into buf. */
int of_fsauth_tokens_ok(const char *tokens, char *buf, size_t size);

#endif
