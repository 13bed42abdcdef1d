/* of_redis.h -- Redis: connection with reconnect, the Lua script registry (SCRIPT LOAD, EVALSHA, NOSCRIPT). */
#ifndef OF_REDIS_H
#define OF_REDIS_H
#include <stddef.h>
#include <stdint.h>
#include <hiredis/hiredis.h>
#include "of_config.h"
#include "of_err.h"

typedef enum {
    OF_LUA_SEQUENCE, /* DLV-1 */
    OF_LUA_DEDUPE_CLAIM,
    OF_LUA_DEDUPE_DONE,
    OF_LUA_DEDUPE_RELEASE,
    OF_LUA_DELIVERY_NOTIFY,    /* DLV-2 */
    OF_LUA_DELIVERY_POP,       /* DLV-3 */
    OF_LUA_DELIVERY_DELIVERED, /* DLV-4 */
    OF_LUA_DELIVERY_FAILED,    /* DLV-5 */
    OF_LUA_FSJOB_START,        /* FS-2 */
    OF_LUA_FSJOB_FINISH,       /* FS-3/FS-4 */
    OF_LUA_FSJOB_REAP,         /* FS-2 TTL */
    OF_LUA_FSJOB_PEEK,         /* FS-2 backoff */
    OF_LUA_FSJOB_ABANDON,      /* FS-1 CreateOrderFail (D-FS-3) */
    OF_LUA_FSJOB_SUBMIT,       /* FS-1 the live record */
    OF_LUA__COUNT
} of_lua_t;

typedef struct of_redis_s of_redis_t;

/* Connect, AUTH when configured, load every script of lua/. Caller frees with of_redis_close(). */
of_redis_t *of_redis_connect(const of_config_t *cfg, char *errstr, size_t errstr_size);
void of_redis_close(of_redis_t *r);

/* EVALSHA script with keys and string args. A NOSCRIPT reply reloads the script and retries once;
 * a lost connection (NULL reply) reconnects and retries once. On success *replyp is the reply
 * (caller frees with freeReplyObject()); a script error reply is returned as OF_ERR_DB with its text. */
of_err_t of_redis_eval(of_redis_t *r, of_lua_t script, int nkeys, const char *const *keys, int nargs,
                       const char *const *args, redisReply **replyp, char *errstr, size_t errstr_size) OF_MUST_CHECK;
/* Integer result of a script (convenience). */
of_err_t of_redis_eval_int(of_redis_t *r, of_lua_t script, int nkeys, const char *const *keys, int nargs,
                           const char *const *args, long long *outp, char *errstr, size_t errstr_size) OF_MUST_CHECK;
/* Plain command (argv form). Same reconnect rule. */
of_err_t of_redis_cmd(of_redis_t *r, int argc, const char **argv, redisReply **replyp, char *errstr,
                      size_t errstr_size) OF_MUST_CHECK;
/* SET key value PX ttl_ms for n keys in one pipelined round trip (e.g. marking events done).
 * Reconnects and retries once on a lost connection. */
of_err_t of_redis_set_many(of_redis_t *r, const char *const *keys, int n, const char *value, long long ttl_ms,
                           char *errstr, size_t errstr_size) OF_MUST_CHECK;
/* GET of n keys in one pipelined round trip, match[i] = 1 when key i holds exactly value. One single-key command per
 * key: cluster-safe where an MGET over keys of different hash slots is refused (CROSSSLOT; docs/scaling.md).
 * Reconnects and retries once on a lost connection. */
of_err_t of_redis_match_many(of_redis_t *r, const char *const *keys, int n, const char *value, uint8_t *match,
                             char *errstr, size_t errstr_size) OF_MUST_CHECK;
/* The same script for n calls in one pipelined round trip: call i takes keys[i * nkeys ...] and
 * args[i * nargs ...]; out[i] is its integer answer, LLONG_MIN when it answered an error or no integer (the
 * first such error is returned, after every call has run). NOSCRIPT reloads the script and re-runs only the
 * calls refused; a lost connection reconnects and re-runs the calls not answered (once), so the script must be
 * safe to run twice for a call. */
of_err_t of_redis_eval_many(of_redis_t *r, of_lua_t script, int n, int nkeys, const char *const *keys, int nargs,
                            const char *const *args, long long *out, char *errstr, size_t errstr_size) OF_MUST_CHECK;
/* Folder of the scripts: OF_LUA_DIR, else the source tree's lua/, else the install location. Borrowed. */
const char *of_redis_lua_dir(const of_config_t *cfg);

#endif
