/* of_redis.c -- hiredis connection, reconnect on NULL replies, EVALSHA with NOSCRIPT reload. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "of_file.h"
#include "of_log.h"
#include "of_redis.h"

static const char *const lua_names[OF_LUA__COUNT] = {
    "sequence",     "dedupe_claim",       "dedupe_done",     "dedupe_release", "delivery_notify",
    "delivery_pop", "delivery_delivered", "delivery_failed", "fsjob_start",    "fsjob_finish",
    "fsjob_reap",   "fsjob_peek",         "fsjob_abandon",   "fsjob_submit"};

struct of_redis_s {
    redisContext *c;
    const of_config_t *cfg;
    char *src[OF_LUA__COUNT];
    char sha[OF_LUA__COUNT][48];
};

const char *of_redis_lua_dir(const of_config_t *cfg) {
    const char *d = of_cfg_str(cfg, OF_CFG_LUA_DIR);
    if (*d) return d;
    struct stat st;
    if (stat(OF_SOURCE_DIR "/lua/sequence.lua", &st) == 0) return OF_SOURCE_DIR "/lua";
    return "/usr/local/share/orderfleet/lua";
}

static of_err_t load_script(of_redis_t *r, int i, char *errstr, size_t errstr_size) {
    redisReply *rep = redisCommand(r->c, "SCRIPT LOAD %s", r->src[i]);
    if (!rep) return of_seterr(errstr, errstr_size, OF_ERR_TRANSIENT, "redis: %s", r->c->errstr);
    of_err_t err = OF_OK;
    if (rep->type == REDIS_REPLY_STRING)
        snprintf(r->sha[i], sizeof r->sha[i], "%s", rep->str);
    else
        err = of_seterr(errstr, errstr_size, OF_ERR_CONFIG, "SCRIPT LOAD %s: %s", lua_names[i],
                        rep->str ? rep->str : "?");
    freeReplyObject(rep);
    return err;
}

static of_err_t do_connect(of_redis_t *r, char *errstr, size_t errstr_size) {
    struct timeval tv = {(long)of_cfg_int(r->cfg, OF_CFG_MYSQL_CONNECT_TIMEOUT_S), 0};
    r->c =
        redisConnectWithTimeout(of_cfg_str(r->cfg, OF_CFG_REDIS_HOST), (int)of_cfg_int(r->cfg, OF_CFG_REDIS_PORT), tv);
    if (!r->c || r->c->err) {
        of_err_t e = of_seterr(errstr, errstr_size, OF_ERR_TRANSIENT, "redis connect %s:%lld: %s",
                               of_cfg_str(r->cfg, OF_CFG_REDIS_HOST), of_cfg_int(r->cfg, OF_CFG_REDIS_PORT),
                               r->c ? r->c->errstr : "out of memory");
        if (r->c) redisFree(r->c);
        r->c = NULL;
        return e;
    }
    redisSetTimeout(r->c, tv);
    const char *pw = of_cfg_str(r->cfg, OF_CFG_REDIS_PASSWORD);
    if (*pw) {
        redisReply *rep = redisCommand(r->c, "AUTH %s", pw);
        int ok = rep && rep->type != REDIS_REPLY_ERROR;
        if (rep) freeReplyObject(rep);
        if (!ok) return of_seterr(errstr, errstr_size, OF_ERR_CONFIG, "redis AUTH failed");
    }
    for (int i = 0; i < OF_LUA__COUNT; i++) {
        of_err_t err = load_script(r, i, errstr, errstr_size);
        if (err) return err;
    }
    return OF_OK;
}

of_redis_t *of_redis_connect(const of_config_t *cfg, char *errstr, size_t errstr_size) {
    of_redis_t *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->cfg = cfg;
    const char *dir = of_redis_lua_dir(cfg);
    for (int i = 0; i < OF_LUA__COUNT; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s.lua", dir, lua_names[i]);
        if (!(r->src[i] = of_file_read(path, NULL))) {
            of_seterr(errstr, errstr_size, OF_ERR_CONFIG, "OF_LUA_DIR: cannot read %s", path);
            of_redis_close(r);
            return NULL;
        }
    }
    of_err_t err = do_connect(r, errstr, errstr_size);
    if (err == OF_ERR_TRANSIENT) {
        /* Not there yet: keep the handle, every command tries to reconnect. */
        of_warn("redis unavailable; will reconnect on use", OF_S("error", errstr), OF_END);
        if (r->c) redisFree(r->c);
        r->c = NULL;
    } else if (err) {
        of_redis_close(r);
        return NULL;
    }
    return r;
}

void of_redis_close(of_redis_t *r) {
    if (!r) return;
    if (r->c) redisFree(r->c);
    for (int i = 0; i < OF_LUA__COUNT; i++)
        free(r->src[i]);
    free(r);
}

static of_err_t reconnect(of_redis_t *r, char *errstr, size_t errstr_size) {
    if (r->c) redisFree(r->c);
    r->c = NULL;
    of_err_t err = do_connect(r, errstr, errstr_size);
    if (!err) of_info("redis reconnected", OF_END);
    return err;
}

of_err_t of_redis_cmd(of_redis_t *r, int argc, const char **argv, redisReply **replyp, char *errstr,
                      size_t errstr_size) {
    *replyp = NULL;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (!r->c || r->c->err) {
            of_err_t err = reconnect(r, errstr, errstr_size);
            if (err) return err;
        }
        redisReply *rep = redisCommandArgv(r->c, argc, argv, NULL);
        if (rep) {
            *replyp = rep;
            return OF_OK;
        }
        of_warn("redis connection lost", OF_S("error", r->c->errstr), OF_END);
        redisFree(r->c);
        r->c = NULL;
    }
    return of_seterr(errstr, errstr_size, OF_ERR_TRANSIENT, "redis: connection lost twice");
}

of_err_t of_redis_eval(of_redis_t *r, of_lua_t s, int nkeys, const char *const *keys, int nargs,
                       const char *const *args, redisReply **replyp, char *errstr, size_t errstr_size) {
    const char *argv[64];
    char nk[16];
    if (3 + nkeys + nargs > 64) return of_seterr(errstr, errstr_size, OF_ERR_INVALID, "too many script arguments");
    snprintf(nk, sizeof nk, "%d", nkeys);
    for (int attempt = 0; attempt < 2; attempt++) {
        int argc = 0;
        argv[argc++] = "EVALSHA";
        argv[argc++] = r->sha[s];
        argv[argc++] = nk;
        for (int i = 0; i < nkeys; i++)
            argv[argc++] = keys[i];
        for (int i = 0; i < nargs; i++)
            argv[argc++] = args[i];
        redisReply *rep;
        of_err_t err = of_redis_cmd(r, argc, argv, &rep, errstr, errstr_size);
        if (err) return err;
        if (rep->type == REDIS_REPLY_ERROR && !strncmp(rep->str, "NOSCRIPT", 8) && attempt == 0) {
            freeReplyObject(rep);
            of_info("redis script reload", OF_S("script", lua_names[s]), OF_END);
            if ((err = load_script(r, s, errstr, errstr_size))) return err;
            continue;
        }
        if (rep->type == REDIS_REPLY_ERROR) {
            err = of_seterr(errstr, errstr_size, OF_ERR_DB, "script %s: %s", lua_names[s], rep->str);
            freeReplyObject(rep);
            return err;
        }
        *replyp = rep;
        return OF_OK;
    }
    return of_seterr(errstr, errstr_size, OF_ERR_DB, "script %s: NOSCRIPT after reload", lua_names[s]);
}

of_err_t of_redis_eval_int(of_redis_t *r, of_lua_t s, int nkeys, const char *const *keys, int nargs,
                           const char *const *args, long long *outp, char *errstr, size_t errstr_size) {
    redisReply *rep;
    of_err_t err = of_redis_eval(r, s, nkeys, keys, nargs, args, &rep, errstr, errstr_size);
    if (err) return err;
    if (rep->type != REDIS_REPLY_INTEGER)
        err = of_seterr(errstr, errstr_size, OF_ERR_DB, "script %s: not an integer", lua_names[s]);
    else
        *outp = rep->integer;
    freeReplyObject(rep);
    return err;
}

/* n single-key commands in one pipelined round trip: argv of command i from mk(ctx, i, argv) (its argc), each reply
 * to got(ctx, i, reply) (may be NULL). Reconnects and retries the whole once on a lost connection. */
typedef int (*pipe_mk_fn)(void *ctx, int i, const char **argv);
typedef void (*pipe_got_fn)(void *ctx, int i, const redisReply *rep);
static of_err_t pipe_run(of_redis_t *r, int n, pipe_mk_fn mk, pipe_got_fn got, void *ctx, char *errstr,
                         size_t errstr_size) {
    for (int attempt = 0; attempt < 2; attempt++) {
        if (!r->c || r->c->err) {
            of_err_t err = reconnect(r, errstr, errstr_size);
            if (err) return err;
        }
        for (int i = 0; i < n; i++) {
            const char *argv[8];
            int argc = mk(ctx, i, argv);
            redisAppendCommandArgv(r->c, argc, argv, NULL);
        }
        int ok = 1;
        for (int i = 0; i < n; i++) {
            redisReply *rep = NULL;
            if (redisGetReply(r->c, (void **)&rep) != REDIS_OK || !rep) {
                ok = 0;
                break;
            }
            if (got) got(ctx, i, rep);
            freeReplyObject(rep);
        }
        if (ok) return OF_OK;
        of_warn("redis connection lost", OF_S("error", r->c->errstr), OF_END);
        redisFree(r->c);
        r->c = NULL;
    }
    return of_seterr(errstr, errstr_size, OF_ERR_TRANSIENT, "redis: connection lost twice");
}

typedef struct {
    const char *const *keys;
    const char *value, *ttl;
    uint8_t *match;
} many_t;

static int set_mk(void *ctx, int i, const char **argv) {
    const many_t *m = ctx;
    argv[0] = "SET", argv[1] = m->keys[i], argv[2] = m->value, argv[3] = "PX", argv[4] = m->ttl;
    return 5;
}

of_err_t of_redis_set_many(of_redis_t *r, const char *const *keys, int n, const char *value, long long ttl_ms,
                           char *errstr, size_t errstr_size) {
    char ttl[32];
    snprintf(ttl, sizeof ttl, "%lld", ttl_ms);
    many_t m = {.keys = keys, .value = value, .ttl = ttl};
    return pipe_run(r, n, set_mk, NULL, &m, errstr, errstr_size);
}

static int get_mk(void *ctx, int i, const char **argv) {
    const many_t *m = ctx;
    argv[0] = "GET", argv[1] = m->keys[i];
    return 2;
}

static void get_got(void *ctx, int i, const redisReply *rep) {
    const many_t *m = ctx;
    m->match[i] = rep->type == REDIS_REPLY_STRING && !strcmp(rep->str, m->value);
}

of_err_t of_redis_match_many(of_redis_t *r, const char *const *keys, int n, const char *value, uint8_t *match,
                             char *errstr, size_t errstr_size) {
    memset(match, 0, (size_t)n);
    many_t m = {.keys = keys, .value = value, .match = match};
    return pipe_run(r, n, get_mk, get_got, &m, errstr, errstr_size);
}

/* One pass of eval_many over the calls with unanswered[i] set: append them all, then read every reply. A NOSCRIPT
 * answer leaves unanswered[i] set (not run); any other answer clears it. 0 = replies read, -1 = connection lost. */
static int eval_pass(of_redis_t *r, of_lua_t s, int n, int nkeys, const char *const *keys, int nargs,
                     const char *const *args, long long *out, char *unanswered, const char **argv, char *errstr,
                     size_t errstr_size, of_err_t *firstp) {
    char nk[16];
    snprintf(nk, sizeof nk, "%d", nkeys);
    for (int i = 0; i < n; i++) {
        if (!unanswered[i]) continue;
        int argc = 0;
        argv[argc++] = "EVALSHA";
        argv[argc++] = r->sha[s];
        argv[argc++] = nk;
        for (int k = 0; k < nkeys; k++)
            argv[argc++] = keys[(size_t)i * (size_t)nkeys + (size_t)k];
        for (int k = 0; k < nargs; k++)
            argv[argc++] = args[(size_t)i * (size_t)nargs + (size_t)k];
        if (redisAppendCommandArgv(r->c, argc, argv, NULL) != REDIS_OK) return -1; /* out of memory: as lost */
    }
    for (int i = 0; i < n; i++) {
        if (!unanswered[i]) continue;
        redisReply *rep = NULL;
        if (redisGetReply(r->c, (void **)&rep) != REDIS_OK || !rep) return -1;
        if (rep->type == REDIS_REPLY_ERROR && !strncmp(rep->str, "NOSCRIPT", 8)) {
            freeReplyObject(rep);
            continue;
        }
        unanswered[i] = 0;
        if (rep->type == REDIS_REPLY_INTEGER)
            out[i] = rep->integer;
        else {
            out[i] = LLONG_MIN;
            if (!*firstp)
                *firstp = of_seterr(errstr, errstr_size, OF_ERR_DB, "script %s: %s", lua_names[s],
                                    rep->type == REDIS_REPLY_ERROR ? rep->str : "not an integer");
        }
        freeReplyObject(rep);
    }
    return 0;
}

of_err_t of_redis_eval_many(of_redis_t *r, of_lua_t s, int n, int nkeys, const char *const *keys, int nargs,
                            const char *const *args, long long *out, char *errstr, size_t errstr_size) {
    if (n <= 0) return OF_OK;
    if (3 + nkeys + nargs > 64) return of_seterr(errstr, errstr_size, OF_ERR_INVALID, "too many script arguments");
    const char *argv[64];
    char *unanswered = malloc((size_t)n);
    if (!unanswered) return of_seterr(errstr, errstr_size, OF_ERR_NOMEM, "out of memory");
    memset(unanswered, 1, (size_t)n);
    of_err_t first = OF_OK, err = OF_OK;
    int lost = 0, reloaded = 0;
    for (;;) {
        if (!r->c || r->c->err) {
            if ((err = reconnect(r, errstr, errstr_size))) break;
        }
        if (eval_pass(r, s, n, nkeys, keys, nargs, args, out, unanswered, argv, errstr, errstr_size, &first)) {
            of_warn("redis connection lost", OF_S("error", r->c->errstr), OF_END);
            redisFree(r->c);
            r->c = NULL;
            if (lost++) {
                err = of_seterr(errstr, errstr_size, OF_ERR_TRANSIENT, "redis: connection lost twice");
                break;
            }
            continue; /* the calls not answered run again (the scripts are safe to re-run) */
        }
        if (!memchr(unanswered, 1, (size_t)n)) break;
        if (reloaded++) {
            err = of_seterr(errstr, errstr_size, OF_ERR_DB, "script %s: NOSCRIPT after reload", lua_names[s]);
            break;
        }
        of_info("redis script reload", OF_S("script", lua_names[s]), OF_END);
        if ((err = load_script(r, s, errstr, errstr_size))) break;
    }
    free(unanswered);
    return err ? err : first;
}
