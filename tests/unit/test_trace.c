/* test_trace.c -- the decision trace's JSON (of_trace_json, written without a tree since issue 10): every value comes
 * back from a JSON parser as it went in (quotes, backslashes, control characters, UTF-8), entries keep their order. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <zlib.h>
#include <stdlib.h>
#include <string.h>
#include "of_trace.h"
#include "of_tracepack.h"

Test(trace_json, values_round_trip_through_a_json_parser) {
    static const char *values[] = {
        "plain", "quote \" and backslash \\", "new\nline\ttab\rcr\bbs\fff", "ctl \x01\x1f end", "仓库 SUB-WH-06 → 2",
        ""};
    of_trace_t t = {0};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
        of_trace_add(&t, "SUB-WH-06", "candidate", "%s", values[i]);
    char *js = of_trace_json(&t);
    cr_assert_not_null(js);
    cJSON *a = cJSON_Parse(js);
    cr_assert_not_null(a, "not JSON: %s", js);
    cr_assert_eq(cJSON_GetArraySize(a), (int)(sizeof values / sizeof values[0]));
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        cJSON *o = cJSON_GetArrayItem(a, (int)i);
        cr_expect_str_eq(cJSON_GetObjectItem(o, "rule")->valuestring, "SUB-WH-06");
        cr_expect_str_eq(cJSON_GetObjectItem(o, "key")->valuestring, "candidate");
        cr_expect_str_eq(cJSON_GetObjectItem(o, "value")->valuestring, values[i], "entry %zu", i);
    }
    cJSON_Delete(a);
    free(js);
    of_trace_free(&t);
}

/* D-T10-77: the scan a word at a time finds every byte to escape wherever it lies (each of the 33 such bytes, at every
 * position of texts of 1 to 40 bytes, next to ASCII and to UTF-8), and writes the text exactly as cJSON does. */
Test(trace_json, d_t10_77_each_escape_at_each_position_as_cjson_writes_it) {
    static const char fill[] = "abcdefgh仓库ABCDEFGH顺丰0123456789-_.,;";
    long checked = 0;
    for (int special = 0; special < 0x60; special++) {
        if (special >= 0x20 && special != '"' && special != '\\') continue;
        for (size_t len = 1; len <= 40; len++)
            for (size_t pos = 0; pos < len; pos++) {
                char v[64];
                memcpy(v, fill, len);
                v[len] = '\0';
                v[pos] = special ? (char)special : '\x1f'; /* a NUL would end the text: 0x1f stands for it */
                of_trace_t t = {0};
                of_trace_add(&t, "R", "k", "%s", v);
                char *js = of_trace_json(&t);
                cJSON *a = cJSON_Parse(js);
                cr_assert_not_null(a, "not JSON: %s", js);
                const char *back = cJSON_GetObjectItem(cJSON_GetArrayItem(a, 0), "value")->valuestring;
                cr_assert_str_eq(back, t.e[0].value, "byte 0x%02x at %zu of %zu", special, pos, len);
                cJSON *str = cJSON_CreateString(t.e[0].value);
                char *want = cJSON_PrintUnformatted(str);
                cr_assert_not_null(strstr(js, want), "byte 0x%02x at %zu of %zu: %s, cJSON writes %s", special, pos,
                                   len, js, want);
                cJSON_free(want);
                cJSON_Delete(str);
                cJSON_Delete(a);
                free(js);
                of_trace_free(&t);
                checked++;
            }
    }
    cr_assert_eq(checked, 34 * 820);
}

Test(trace_json, an_empty_trace_is_an_empty_array) {
    of_trace_t t = {0};
    char *js = of_trace_json(&t);
    cr_assert_str_eq(js, "[]");
    free(js);
}

/* D-T10-62: sales_trade.decision_trace_z holds the JSON in MariaDB's COMPRESS() format (UNCOMPRESS() reads it back,
 * the view sales_trade_trace does, D-T10-69) */
static char *unpack(const unsigned char *z, size_t zlen) {
    cr_assert_geq(zlen, 5);
    uLongf n = (uLongf)z[0] | (uLongf)z[1] << 8 | (uLongf)z[2] << 16 | (uLongf)(z[3] & 0x3F) << 24;
    char *out = malloc(n + 1);
    cr_assert_eq(uncompress((Bytef *)out, &n, z + 4, (uLong)(zlen - 4)), Z_OK);
    out[n] = '\0';
    return out;
}

Test(trace_pack, the_json_in_compress_format_round_trips_and_the_packer_is_reused) {
    of_trace_packer_t *pk = of_trace_packer_new();
    cr_assert_not_null(pk);
    for (int round = 0; round < 3; round++) { /* one packer for every order of a batch */
        of_trace_t t = {0};
        for (int i = 0; i < 40 + round * 10; i++)
            of_trace_add(&t, "SUB-WH-06", "candidate", "仓库 %d of round %d: warehouse → %d", i, round, i % 3);
        char *js = of_trace_json(&t);
        size_t zlen = 0;
        unsigned char *z = of_trace_pack_json(pk, js, strlen(js), &zlen);
        cr_assert_not_null(z);
        cr_expect_lt(zlen, strlen(js) / 2, "compressed to %zu of %zu bytes", zlen, strlen(js));
        char *back = unpack(z, zlen);
        cr_expect_str_eq(back, js);
        free(back);
        free(z);
        free(js);
        of_trace_free(&t);
    }
    of_trace_packer_free(pk);
}

Test(trace_pack, an_empty_trace_packs_its_empty_array) {
    of_trace_packer_t *pk = of_trace_packer_new();
    of_trace_t t = {0};
    char *js = of_trace_json(&t);
    size_t zlen = 0;
    unsigned char *z = of_trace_pack_json(pk, js, strlen(js), &zlen);
    char *back = unpack(z, zlen);
    cr_expect_str_eq(back, "[]");
    free(back);
    free(z);
    free(js);
    of_trace_packer_free(pk);
}

/* D-T10-71: traces packed on a thread of their own come back as handed over, each under its ticket, round after
 * round; the same without the thread (OF_TRACE_THREAD=0) */
static void tracepack_rounds(int threaded) {
    of_tracepack_t *tp = of_tracepack_new(threaded);
    cr_assert_not_null(tp);
    for (int round = 0; round < 3; round++) {
        enum { N = 150 };
        char *js[N];
        for (int i = 0; i < N; i++) {
            of_trace_t t = {0};
            for (int k = 0; k < 10 + i % 30; k++)
                of_trace_add(&t, "SUB-WH-06", "candidate", "round %d order %d: 仓库 %d", round, i, k);
            js[i] = of_trace_json(&t);
            of_trace_free(&t);
            cr_assert_eq(of_tracepack_put(tp, strdup(js[i])), i, "tickets count from 0 after each reset");
        }
        of_tracepack_wait(tp);
        for (int i = 0; i < N; i++) {
            size_t zlen = 0;
            const unsigned char *z = of_tracepack_get(tp, i, &zlen);
            cr_assert_not_null(z);
            char *back = unpack(z, zlen);
            cr_expect_str_eq(back, js[i], "round %d, ticket %d", round, i);
            free(back);
            free(js[i]);
        }
        of_tracepack_reset(tp);
    }
    size_t zlen = 1;
    cr_expect_null(of_tracepack_get(tp, 0, &zlen), "nothing after a reset");
    cr_expect_eq(zlen, 0);
    cr_expect_eq(of_tracepack_put(tp, NULL), -1, "no JSON (out of memory before): no ticket");
    of_tracepack_free(tp);
}

Test(trace_thread, packed_on_a_thread_each_ticket_gets_its_own_trace_round_after_round) {
    tracepack_rounds(1);
}

Test(trace_thread, packed_at_once_without_the_thread_the_same) {
    tracepack_rounds(0);
}

Test(trace_thread, freed_with_traces_still_being_packed_stops_cleanly) {
    of_tracepack_t *tp = of_tracepack_new(1);
    for (int i = 0; i < 200; i++) {
        of_trace_t t = {0};
        for (int k = 0; k < 40; k++)
            of_trace_add(&t, "SUB-00", "raw", "trade %d entry %d", i, k);
        cr_assert_geq(of_tracepack_put(tp, of_trace_json(&t)), 0);
        of_trace_free(&t);
    }
    of_tracepack_free(tp); /* no wait first: LeakSanitizer checks nothing is left */
}
