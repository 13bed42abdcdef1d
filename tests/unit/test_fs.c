/* test_fs.c -- the flash sale's rules (spec flash-sale-payment.md): FS-6 (window, limits, units left, amount),
 * FS-2/FS-3 (job states, attempts, TTL, backoff), FS-1 (the request, idempotency keys) and the gateway's bearer
 * tokens; each test named by the rule it covers. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "of_fsauth.h"
#include "of_fsjob.h"
#include "of_fsfinish.h"
#include "of_fsorder.h"
#include "of_fspay.h"
#include "of_fsreq.h"

#define T0 1000000000LL

static of_fs_batch_t batch(int total, int sold) {
    return (of_fs_batch_t){.id = 7,
                           .merchant_id = 1,
                           .unit_price = 125000, /* 12.50 */
                           .total_num = total,
                           .sell_num = sold,
                           .limit_unpaid_per_buyer = 2,
                           .start_ms = T0,
                           .end_ms = T0 + 3600000,
                           .state = OF_FSB_ON_SALE};
}

Test(fs, FS_6_order_amount_is_unit_price_times_num_and_units_move) {
    of_fs_batch_t b = batch(10, 0);
    of_fs_buyer_t u = {0};
    int64_t amount = 0;
    cr_assert_eq(of_fsorder_decide(&b, &u, 3, T0 + 1, &amount), OF_FS_OK);
    cr_assert_eq(amount, 375000, "3 × 12.50 = 37.50");
    cr_assert_eq(b.sell_num, 3);
    cr_assert(b.changed);
    cr_assert_eq(u.unpaid_orders, 1);
    cr_assert_eq(u.units, 3);
}

Test(fs, FS_6_never_oversells_a_burst_of_jobs) {
    of_fs_batch_t b = batch(1000, 0);
    b.limit_unpaid_per_buyer = 0;
    int64_t amount;
    long sold = 0;
    for (int i = 0; i < 5000; i++) {
        of_fs_buyer_t u = {0};
        int num = 1 + i % 3;
        if (of_fsorder_decide(&b, &u, num, T0 + i, &amount) == OF_FS_OK) sold += num;
        cr_assert_leq(b.sell_num, b.total_num);
    }
    cr_assert_eq(sold, 1000, "the 1-unit jobs fill what the bigger ones left");
    cr_assert_eq(b.state, OF_FSB_SOLD_OUT);
    of_fs_buyer_t u = {0};
    cr_assert_eq(of_fsorder_decide(&b, &u, 1, T0, &amount), OF_FS_SOLD_OUT);
}

Test(fs, FS_6_sold_out_when_fewer_units_left_than_asked) {
    of_fs_batch_t b = batch(10, 8);
    of_fs_buyer_t u = {0};
    int64_t amount = -1;
    cr_assert_eq(of_fsorder_decide(&b, &u, 3, T0, &amount), OF_FS_SOLD_OUT);
    cr_assert_eq(b.sell_num, 8, "nothing moved");
    cr_assert_eq(amount, -1);
    cr_assert_eq(of_fsorder_decide(&b, &u, 2, T0, &amount), OF_FS_OK);
    cr_assert_eq(b.state, OF_FSB_SOLD_OUT);
}

Test(fs, FS_6_sale_window_and_batch_state) {
    of_fs_batch_t b = batch(10, 0);
    of_fs_buyer_t u = {0};
    int64_t a;
    cr_assert_eq(of_fsorder_decide(&b, &u, 1, T0 - 1, &a), OF_FS_NOT_STARTED);
    cr_assert_eq(of_fsorder_decide(&b, &u, 1, T0 + 3600000, &a), OF_FS_CLOSED, "end_time itself is closed");
    b.state = OF_FSB_CLOSED;
    cr_assert_eq(of_fsorder_decide(&b, &u, 1, T0 + 1, &a), OF_FS_CLOSED);
    b.state = OF_FSB_DRAFT;
    cr_assert_eq(of_fsorder_decide(&b, &u, 1, T0 + 1, &a), OF_FS_NOT_ON_SALE);
    cr_assert_eq(of_fsorder_decide(NULL, &u, 1, T0 + 1, &a), OF_FS_UNKNOWN_BATCH);
}

Test(fs, FS_6_buyer_unpaid_limit_seed_batchNoPayOrderNum) {
    of_fs_batch_t b = batch(100, 0);
    of_fs_buyer_t u = {0};
    int64_t a;
    cr_assert_eq(of_fsorder_decide(&b, &u, 1, T0, &a), OF_FS_OK);
    cr_assert_eq(of_fsorder_decide(&b, &u, 1, T0, &a), OF_FS_OK);
    cr_assert_eq(of_fsorder_decide(&b, &u, 1, T0, &a), OF_FS_UNPAID_LIMIT);
    cr_assert_eq(b.sell_num, 2);
}

Test(fs, FS_6_per_order_and_per_buyer_unit_limits) {
    of_fs_batch_t b = batch(100, 0);
    b.limit_per_order = 3;
    b.limit_per_buyer = 4;
    b.limit_unpaid_per_buyer = 0;
    of_fs_buyer_t u = {0};
    int64_t a;
    cr_assert_eq(of_fsorder_decide(&b, &u, 4, T0, &a), OF_FS_ORDER_LIMIT);
    cr_assert_eq(of_fsorder_decide(&b, &u, 3, T0, &a), OF_FS_OK);
    cr_assert_eq(of_fsorder_decide(&b, &u, 2, T0, &a), OF_FS_BUYER_LIMIT, "3 + 2 > 4");
    cr_assert_eq(of_fsorder_decide(&b, &u, 1, T0, &a), OF_FS_OK);
}

Test(fs, FS_6_quantity_and_amount_bounds) {
    of_fs_batch_t b = batch(OF_FS_MAX_NUM * 2, 0);
    of_fs_buyer_t u = {0};
    int64_t a;
    cr_assert_eq(of_fsorder_decide(&b, &u, 0, T0, &a), OF_FS_BAD_NUM);
    cr_assert_eq(of_fsorder_decide(&b, &u, OF_FS_MAX_NUM + 1, T0, &a), OF_FS_BAD_NUM);
    b.unit_price = 100000000000000LL; /* 10^10 a unit: 2 units pass what DECIMAL(19,4) and of_money hold */
    cr_assert_eq(of_fsorder_decide(&b, &u, 2, T0, &a), OF_FS_AMOUNT_RANGE);
    cr_assert_eq(b.sell_num, 0);
}

Test(fs, FS_4_reasons_have_codes_and_texts) {
    for (int r = 0; r < OF_FS__COUNT; r++) {
        const char *c = of_fsorder_reason_code((of_fs_reason_t)r);
        cr_assert_str_neq(c, "UNKNOWN");
        cr_assert_eq(of_fsorder_reason_parse(c), (of_fs_reason_t)r);
        cr_assert_neq(of_fsorder_reason_text((of_fs_reason_t)r)[0], '\0');
    }
    cr_assert_eq(of_fsorder_reason_parse("nope"), OF_FS__COUNT);
    cr_assert_str_eq(of_fsorder_reason_code(OF_FS_SOLD_OUT), "SOLD_OUT");
}

static of_fsjob_t job(void) {
    return (of_fsjob_t){.state = OF_FSJ_INACTIVE, .attempts_max = 3, .ttl_ms = 5000, .backoff_ms = 1000};
}

Test(fs, FS_2_attempt_active_until_its_ttl) {
    of_fsjob_t j = job();
    cr_assert_eq(of_fsjob_start(&j, T0), 0);
    cr_assert_eq(j.state, OF_FSJ_ACTIVE);
    cr_assert_eq(j.attempts_made, 1);
    cr_assert_eq(j.deadline_ms, T0 + 5000);
    cr_assert_not(of_fsjob_expired(&j, T0 + 4999));
    cr_assert(of_fsjob_expired(&j, T0 + 5000), "TTL exceeded");
}

Test(fs, FS_2_three_attempts_with_backoff_then_failed) {
    of_fsjob_t j = job();
    cr_assert_eq(of_fsjob_start(&j, T0), 0);
    of_fsjob_fail(&j, T0 + 5000, 0);
    cr_assert_eq(j.state, OF_FSJ_DELAYED);
    cr_assert_eq(j.promote_ms, T0 + 6000, "1 s after the first attempt");
    cr_assert_eq(of_fsjob_wait(&j, T0 + 5400), 600, "its message came again before the backoff is over: wait");
    cr_assert_eq(of_fsjob_wait(&j, T0 + 6000), 0, "backoff over");
    cr_assert_eq(of_fsjob_start(&j, T0 + 6000), 0);
    cr_assert_eq(of_fsjob_wait(&j, T0 + 6000), 0, "an active job is not waited for");
    of_fsjob_fail(&j, T0 + 7000, 0);
    cr_assert_eq(j.promote_ms, T0 + 9000, "2 s after the second");
    cr_assert_eq(of_fsjob_start(&j, T0 + 9000), 0);
    cr_assert_eq(j.attempts_made, 3);
    of_fsjob_fail(&j, T0 + 9500, 0);
    cr_assert_eq(j.state, OF_FSJ_FAILED, "no attempt left");
    cr_assert_eq(of_fsjob_start(&j, T0 + 10000), 1, "a failed job is final");
}

Test(fs, FS_2_the_wait_is_at_most_60_s) {
    of_fsjob_t j = job();
    j.state = OF_FSJ_DELAYED;
    j.promote_ms = T0 + 3600000; /* another host's clock, or a hand edit */
    cr_assert_eq(of_fsjob_wait(&j, T0), 60000);
}

Test(fs, FS_2_a_worker_that_died_leaves_an_active_job_the_next_attempt_takes) {
    of_fsjob_t j = job();
    of_fsjob_start(&j, T0);
    cr_assert_eq(of_fsjob_start(&j, T0 + 100), 0, "redelivered: attempt 2");
    cr_assert_eq(j.attempts_made, 2);
    of_fsjob_start(&j, T0 + 200);
    cr_assert_eq(of_fsjob_start(&j, T0 + 300), -1, "started three times without finishing: failed");
    cr_assert_eq(j.state, OF_FSJ_FAILED);
}

Test(fs, FS_2_permanent_failure_and_completion_are_final) {
    of_fsjob_t j = job();
    of_fsjob_start(&j, T0);
    of_fsjob_fail(&j, T0 + 1, 1);
    cr_assert_eq(j.state, OF_FSJ_FAILED, "sold out is not retried");
    of_fsjob_t k = job();
    of_fsjob_start(&k, T0);
    of_fsjob_complete(&k, T0 + 2);
    cr_assert_eq(k.state, OF_FSJ_COMPLETE);
    cr_assert_eq(of_fsjob_start(&k, T0 + 3), 1, "a replay changes nothing");
    cr_assert_eq(k.attempts_made, 1);
}

Test(fs, FS_2_backoff_doubles_up_to_a_minute) {
    of_fsjob_t j = job();
    cr_assert_eq(of_fsjob_backoff(&j, 1), 1000);
    cr_assert_eq(of_fsjob_backoff(&j, 4), 8000);
    cr_assert_eq(of_fsjob_backoff(&j, 30), 60000);
}

Test(fs, FS_3_state_names_and_job_ids) {
    cr_assert_str_eq(of_fsjob_state_name(OF_FSJ_DELAYED), "delayed");
    cr_assert_eq(of_fsjob_state_parse("complete"), OF_FSJ_COMPLETE);
    cr_assert_eq(of_fsjob_state_parse("stuck"), -1);
    cr_assert(of_fsjob_id_ok("1a22ef413d37ac6decb159e1463"));
    cr_assert_not(of_fsjob_id_ok(""));
    cr_assert_not(of_fsjob_id_ok("../etc"));
    cr_assert_not(of_fsjob_id_ok("active")); /* the active set's key, never a job's */
    cr_assert_not(of_fsjob_id_ok("123456789012345678901234567890123"));
}

Test(fs, FS_1_job_request_parsed_and_checked) {
    of_fsreq_job_t r;
    char why[128];
    const char *ok = "{\"user_id\":\"42\",\"batch_id\":7,\"num\":3,\"present_info\":{\"a\": [1, 2]}}";
    cr_assert_eq(of_fsreq_job_parse(ok, strlen(ok), &r, why, sizeof why), 0, "%s", why);
    cr_assert_eq(r.user_id, 42);
    cr_assert_eq(r.batch_id, 7);
    cr_assert_eq(r.num, 3);
    cr_assert_str_eq(r.present_info, "{\"a\":[1,2]}");
    of_fsreq_job_free(&r);
    const char *bad[] = {"",
                         "{",
                         "[1]",
                         "{\"batch_id\":7}",
                         "{\"batch_id\":7,\"num\":1.5}",
                         "{\"batch_id\":0,\"num\":1}",
                         "{\"batch_id\":\"7x\",\"num\":1}",
                         "{\"batch_id\":7,\"num\":10001}",
                         "{\"user_id\":-3,\"batch_id\":7,\"num\":1}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(of_fsreq_job_parse(bad[i], strlen(bad[i]), &r, why, sizeof why), -1, "%s", bad[i]);
        cr_assert_neq(why[0], '\0');
        cr_assert_null(r.present_info);
    }
    const char *nouser = "{\"batch_id\":7,\"num\":1}";
    cr_assert_eq(of_fsreq_job_parse(nouser, strlen(nouser), &r, why, sizeof why), 0, "a buyer token gives the user");
    cr_assert_eq(r.user_id, 0);
    char *huge = malloc(6000);
    int n = snprintf(huge, 6000, "{\"batch_id\":7,\"num\":1,\"present_info\":\"%04900d\"}", 0);
    cr_assert_eq(of_fsreq_job_parse(huge, (size_t)n, &r, why, sizeof why), -1, "present_info over 4096 bytes");
    free(huge);
    cr_assert(of_fsreq_idem_ok("order-123:abc"));
    cr_assert_not(of_fsreq_idem_ok("has space"));
    cr_assert_not(of_fsreq_idem_ok(""));
}

/* D-FS-19: a key reused for another job (user, batch or num) is no repeat; present_info is not compared */
Test(fs, FS_1_idempotency_key_reused_for_another_job) {
    of_fsreq_job_t r = {.user_id = 42, .batch_id = 7, .num = 2, .present_info = "{\"a\":1}"};
    cr_assert(of_fsreq_idem_match(&r, 42, 7, 2), "the same job");
    cr_assert_not(of_fsreq_idem_match(&r, 42, 7, 3), "another num");
    cr_assert_not(of_fsreq_idem_match(&r, 42, 8, 2), "another batch");
    cr_assert_not(of_fsreq_idem_match(&r, 43, 7, 2), "another buyer");
    cr_assert_str_eq(of_fsorder_reason_code(OF_FS_KEY_REUSED), "IDEMPOTENCY_KEY_REUSED");
    cr_assert_eq(of_fsorder_reason_parse("IDEMPOTENCY_KEY_REUSED"), OF_FS_KEY_REUSED);
}

Test(fs, gateway_tokens_service_and_signed_buyer) {
    const char *tokens = "app:app-token-0123456789:service,bo:bo-token-0123456789:backoffice";
    const char *secret = "user-secret-0123456789";
    of_fsa_caller_t c;
    const char *why = NULL;
    cr_assert_eq(of_fsauth_check("Bearer bo-token-0123456789", tokens, secret, T0, &c, &why), 0);
    cr_assert_eq(c.role, OF_FSA_BACKOFFICE);
    cr_assert_str_eq(c.name, "bo");
    char tok[160];
    cr_assert_eq(of_fsauth_user_token(secret, 42, T0 + 60, tok, sizeof tok), 0);
    char h[200];
    snprintf(h, sizeof h, "Bearer %s", tok);
    cr_assert_eq(of_fsauth_check(h, tokens, secret, T0, &c, &why), 0);
    cr_assert_eq(c.role, OF_FSA_BUYER);
    cr_assert_eq(c.user_id, 42);
    cr_assert_eq(of_fsauth_check(h, tokens, secret, T0 + 60, &c, &why), -1);
    cr_assert_str_eq(why, "expired token");
    h[strlen(h) - 1] ^= 1; /* one digit of the signature */
    cr_assert_eq(of_fsauth_check(h, tokens, secret, T0, &c, &why), -1);
    cr_assert_eq(of_fsauth_check("Bearer u.43.9999999999.00", tokens, secret, T0, &c, &why), -1);
    cr_assert_eq(of_fsauth_check(NULL, tokens, secret, T0, &c, &why), -1);
    cr_assert_eq(of_fsauth_check("Basic abc", tokens, secret, T0, &c, &why), -1);
    cr_assert_eq(of_fsauth_user_token("short", 42, T0, tok, sizeof tok), -1, "a secret under 16 characters");
    char buf[200];
    cr_assert_eq(of_fsauth_tokens_ok(tokens, buf, sizeof buf), 0);
    cr_assert_eq(of_fsauth_tokens_ok("app:short:service", buf, sizeof buf), -1);
    cr_assert_eq(of_fsauth_tokens_ok("app:app-token-0123456789:admin", buf, sizeof buf), -1);
    cr_assert_eq(of_fsauth_tokens_ok("", buf, sizeof buf), 0, "no service clients");
}

/* ---- FS-8, FS-10, FS-11: payments ---- */
static of_fspay_req_t req(const char *json) {
    of_fspay_req_t r;
    char why[128];
    cr_assert_eq(of_fspay_req_parse(json, strlen(json), &r, why, sizeof why), 0, "%s: %s", json, why);
    return r;
}

Test(fs, FS_8_points_then_balance_then_the_rest_by_the_provider) {
    of_fspay_req_t r = req("{\"jifen\":300,\"balance\":\"200.5\",\"otherPay\":{\"type\":\"sinapay\"}}");
    of_fspay_plan_t p;
    const char *why;
    cr_assert_eq(of_fspay_plan(10000000, &r, &p, &why), 0, "1000.00 remains");
    cr_assert_eq(p.jifen, 3000000);
    cr_assert_eq(p.balance, 2005000);
    cr_assert_eq(p.other, 4995000, "otherPay without an amount pays the rest");
    cr_assert_eq(p.remain_after, 4995000, "the third-party part counts when its notify succeeds");
    cr_assert_str_eq(r.other_type, "sinapay");
    cr_assert_eq(p.jifen + p.balance + p.other, 10000000, "the parts add up to the cent");
}

Test(fs, FS_8_seed_request_points_only_pays_the_order) {
    of_fspay_req_t r = req("{\"jifen\":1000,\"balance\":0,\"otherPay\":null}");
    of_fspay_plan_t p;
    const char *why;
    cr_assert_eq(of_fspay_plan(10000000, &r, &p, &why), 0);
    cr_assert_eq(p.remain_after, 0, "calRemainPayInfo: 0");
    cr_assert_eq(p.other, 0);
}

Test(fs, FS_8_never_pays_more_than_remains_nor_nothing) {
    of_fspay_plan_t p;
    const char *why;
    of_fspay_req_t r = req("{\"jifen\":600,\"balance\":500}");
    cr_assert_eq(of_fspay_plan(10000000, &r, &p, &why), -1, "1100 for 1000");
    r = req("{\"jifen\":100,\"otherPay\":{\"amount\":950}}");
    cr_assert_eq(of_fspay_plan(10000000, &r, &p, &why), -1);
    r = req("{}");
    cr_assert_eq(of_fspay_plan(10000000, &r, &p, &why), -1, "nothing to pay");
    r = req("{\"jifen\":1}");
    cr_assert_eq(of_fspay_plan(0, &r, &p, &why), -1, "nothing remains");
    of_fspay_req_t bad;
    char w[128];
    const char *b[] = {"{\"jifen\":-1}",   "{\"jifen\":0.00001}", "{\"balance\":\"abc\"}", "[]",
                       "{\"otherPay\":3}", "{\"jifen\":1e12}"};
    for (size_t i = 0; i < sizeof b / sizeof *b; i++)
        cr_assert_eq(of_fspay_req_parse(b[i], strlen(b[i]), &bad, w, sizeof w), -1, "%s", b[i]);
}

Test(fs, FS_8_pay_method_bits) {
    cr_assert_eq(of_fspay_bit(OF_PAY_POINTS) | of_fspay_bit(OF_PAY_BALANCE) | of_fspay_bit(OF_PAY_THIRD), 7);
    cr_assert_eq(of_fspay_bit(OF_PAY_OFFLINE), 8);
    cr_assert_eq(of_fspay_bit(9), 0);
    cr_assert_str_eq(of_fspay_method_name(OF_PAY_POINTS), "jifen");
    cr_assert_str_eq(of_fspay_method_name(OF_PAY_THIRD), "third_party");
}

Test(fs, FS_10_offline_payment_amount_and_remark) {
    int64_t a;
    char remark[64], why[128];
    const char *ok = "{\"amount\":\"250.00\",\"remark\":\"bank transfer 8812\"}";
    cr_assert_eq(of_fspay_offline_parse(ok, strlen(ok), &a, remark, sizeof remark, why, sizeof why), 0);
    cr_assert_eq(a, 2500000);
    cr_assert_str_eq(remark, "bank transfer 8812");
    const char *zero = "{\"amount\":0}";
    cr_assert_eq(of_fspay_offline_parse(zero, strlen(zero), &a, remark, sizeof remark, why, sizeof why), -1);
}

Test(fs, FS_11_provider_notify_parsed_and_the_request_signed_body) {
    of_fspay_notify_t n;
    char why[128];
    const char *ok = "{\"trade_no\":\"TP504-3\",\"amount\":\"500.0000\",\"status\":\"SUCCESS\",\"notify_id\":\"N1\"}";
    cr_assert_eq(of_fspay_notify_parse(ok, strlen(ok), &n, why, sizeof why), 0, "%s", why);
    cr_assert_str_eq(n.trade_no, "TP504-3");
    cr_assert_eq(n.amount, 5000000);
    cr_assert(n.success);
    const char *bad[] = {"{\"trade_no\":\"x y\",\"amount\":\"1\",\"status\":\"SUCCESS\"}",
                         "{\"trade_no\":\"T1\",\"amount\":\"0\",\"status\":\"SUCCESS\"}",
                         "{\"trade_no\":\"T1\",\"amount\":\"1\",\"status\":\"MAYBE\"}", "nope"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cr_assert_eq(of_fspay_notify_parse(bad[i], strlen(bad[i]), &n, why, sizeof why), -1, "%s", bad[i]);
    char body[512];
    cr_assert_eq(
        of_fspay_provider_body("TP1-1", 5000000, "default", "http://gw/api/order/pay/notify", body, sizeof body), 0);
    cr_assert_str_eq(body, "{\"trade_no\":\"TP1-1\",\"amount\":\"500.0000\",\"channel\":\"default\",\"notify_url\":"
                           "\"http://gw/api/order/pay/notify\"}");
}

/* ---- FS-9: the payment finish chain ---- */
static of_fin_order_t fin_order(void) {
    return (of_fin_order_t){.id = 504,
                            .user_id = 1001,
                            .merchant_id = 1,
                            .batch_id = 1,
                            .order_code = "FS26120100295800504",
                            .batch_code = "030504",
                            .title = "标题就是抢羊",
                            .num = 2,
                            .state = 2,
                            .unit_price = 10000000,
                            .amount = 20000000,
                            .remain_pay = 0,
                            .repurchase_price = 10316700,
                            .period_days = 235,
                            .yield_rate = "0.090000"};
}

Test(fs, FS_9_steps_in_the_seed_order) {
    const char *want[] = {"paid", "method", "units", "repurchase", "push", "message", "activity", "deliver"};
    for (int s = 0; s < OF_FIN__COUNT; s++) {
        cr_assert_str_eq(of_fsfinish_step_name((of_fin_step_t)s), want[s]);
        cr_assert_eq(of_fsfinish_step_parse(want[s]), s);
    }
    cr_assert_eq(of_fsfinish_step_parse("bogus"), -1);
}

Test(fs, FS_9_only_a_paid_order_with_nothing_left_finishes) {
    of_fin_order_t o = fin_order();
    cr_assert_null(of_fsfinish_not_paid(&o));
    o.remain_pay = 1;
    cr_assert_not_null(of_fsfinish_not_paid(&o));
    o.state = 1;
    cr_assert_not_null(of_fsfinish_not_paid(&o));
}

Test(fs, FS_9_method_units_and_repurchase) {
    const char *m[] = {"jifen", "balance", "third_party"};
    cr_assert_eq(of_fsfinish_method_bits(m, 3), 7);
    of_fin_order_t o = fin_order();
    char no[64];
    of_fsfinish_unit_no(&o, 2, no, sizeof no);
    cr_assert_str_eq(no, "FS26120100295800504-2");
    int64_t a;
    cr_assert_eq(of_fsfinish_repurchase(&o, &a), 1);
    cr_assert_eq(a, 20633400, "2 × 1031.67");
    o.repurchase_price = 0;
    cr_assert_eq(of_fsfinish_repurchase(&o, &a), 0, "no repurchase terms: skipped");
}

Test(fs, FS_9_push_message_and_delivery_payloads) {
    of_fin_order_t o = fin_order();
    char buf[1024];
    cr_assert_eq(of_fsfinish_push_payload(&o, buf, sizeof buf), 0);
    cr_assert(strstr(buf, "\"title\":\"付款成功\""));
    cr_assert(strstr(buf, "\"targetValue\":\"1001\""));
    cr_assert_eq(of_fsfinish_message_payload(&o, buf, sizeof buf), 0);
    cr_assert(strstr(buf, "\"repurchase_price\":\"1031.6700\""));
    cr_assert_eq(of_fsfinish_deliver_payload(&o, buf, sizeof buf), 0);
    cr_assert(strstr(buf, "\"amount\":\"2000.0000\""));
    cr_assert_eq(of_fsfinish_deliver_payload(&o, buf, 10), -1, "a buffer too small");
}

Test(fs, FS_1_trailing_bytes_and_invalid_utf8_refused) {
    of_fsreq_job_t r;
    char why[128];
    const char *trail = "{\"batch_id\":7,\"num\":1} xyz";
    cr_assert_eq(of_fsreq_job_parse(trail, strlen(trail), &r, why, sizeof why), -1);
    const char *ws = "{\"batch_id\":7,\"num\":1}\r\n";
    cr_assert_eq(of_fsreq_job_parse(ws, strlen(ws), &r, why, sizeof why), 0, "trailing white space is fine");
    of_fsreq_job_free(&r);
    const char *bad = "{\"batch_id\":7,\"num\":1,\"present_info\":\"\xff\"}";
    cr_assert_eq(of_fsreq_job_parse(bad, strlen(bad), &r, why, sizeof why), -1);
    cr_assert_str_eq(why, "the body is not valid UTF-8");
    const char *cjk = "{\"batch_id\":7,\"num\":1,\"present_info\":\"羊\"}";
    cr_assert_eq(of_fsreq_job_parse(cjk, strlen(cjk), &r, why, sizeof why), 0);
    of_fsreq_job_free(&r);
}
