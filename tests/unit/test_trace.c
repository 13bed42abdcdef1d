/* test_trace.c -- the decision trace's JSON (of_trace_json, written without a tree since issue 10): every value comes
 * back from a JSON parser as it went in (quotes, backslashes, control characters, UTF-8), entries keep their order. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "of_trace.h"

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

Test(trace_json, an_empty_trace_is_an_empty_array) {
    of_trace_t t = {0};
    char *js = of_trace_json(&t);
    cr_assert_str_eq(js, "[]");
    free(js);
}
