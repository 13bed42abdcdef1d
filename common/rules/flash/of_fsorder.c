/* of_fsorder.c -- FS-6: whether a flash-sale job becomes an order, and its amount. Pure. */
#include "of_fsorder.h"
#include <string.h>

#define MAX_AMOUNT 100000000000000LL /* 10^14 ×1e-4 = 10^10: DECIMAL(19,4) holds it, of_money reads it back */

static const struct {
    const char *code, *text;
} REASONS[OF_FS__COUNT] = {
    [OF_FS_OK] = {"OK", "下单成功 / order created"},
    [OF_FS_BAD_NUM] = {"BAD_NUM", "购买数量无效 / quantity must be 1..10000"},
    [OF_FS_UNKNOWN_BATCH] = {"UNKNOWN_BATCH", "批次不存在 / no such batch"},
    [OF_FS_NOT_ON_SALE] = {"NOT_ON_SALE", "批次未上架 / the batch is not on sale"},
    [OF_FS_NOT_STARTED] = {"NOT_STARTED", "抢购尚未开始 / the sale has not started"},
    [OF_FS_CLOSED] = {"CLOSED", "抢购已结束 / the sale is closed"},
    [OF_FS_SOLD_OUT] = {"SOLD_OUT", "已售罄 / sold out"},
    [OF_FS_UNPAID_LIMIT] = {"UNPAID_LIMIT", "未付款订单已达上限 / too many unpaid orders in this batch"},
    [OF_FS_ORDER_LIMIT] = {"ORDER_LIMIT", "超过单笔限购数量 / more units than one order may hold"},
    [OF_FS_BUYER_LIMIT] = {"BUYER_LIMIT", "超过个人限购数量 / more units than one buyer may buy"},
    [OF_FS_AMOUNT_RANGE] = {"AMOUNT_RANGE", "订单金额超出范围 / amount out of range"},
    [OF_FS_ATTEMPTS] = {"ATTEMPTS_EXHAUSTED", "下单失败，请重新下单 / the job failed on every attempt"},
    [OF_FS_TTL] = {"TTL_EXCEEDED", "下单超时，请重新下单 / TTL exceeded on the last attempt"},
    [OF_FS_INVALID] = {"INVALID_JOB", "下单失败，请重新下单 / the job is invalid"},
    [OF_FS_QUEUE_FAILED] = {"QUEUE_FAILED", "下单失败，请重新下单 / the job was not queued in time"},
    [OF_FS_KEY_REUSED] = {"IDEMPOTENCY_KEY_REUSED",
                          "下单失败，请重新下单 / the Idempotency-Key was used for a different job"},
};

const char *of_fsorder_reason_code(of_fs_reason_t r) {
    return r >= 0 && r < OF_FS__COUNT && REASONS[r].code ? REASONS[r].code : "UNKNOWN";
}

of_fs_reason_t of_fsorder_reason_parse(const char *code) {
    for (int r = 0; code && r < OF_FS__COUNT; r++)
        if (REASONS[r].code && !strcmp(REASONS[r].code, code)) return (of_fs_reason_t)r;
    return OF_FS__COUNT;
}

const char *of_fsorder_reason_text(of_fs_reason_t r) {
    return r >= 0 && r < OF_FS__COUNT && REASONS[r].text ? REASONS[r].text : "";
}

of_fs_reason_t of_fsorder_decide(of_fs_batch_t *b, of_fs_buyer_t *buyer, int num, int64_t now_ms, int64_t *amount) {
    if (num < 1 || num > OF_FS_MAX_NUM) return OF_FS_BAD_NUM;
    if (!b) return OF_FS_UNKNOWN_BATCH;
    if (b->state == OF_FSB_DRAFT) return OF_FS_NOT_ON_SALE;
    if (b->state == OF_FSB_CLOSED || now_ms >= b->end_ms) return OF_FS_CLOSED;
    if (now_ms < b->start_ms) return OF_FS_NOT_STARTED;
    if (b->limit_per_order > 0 && num > b->limit_per_order) return OF_FS_ORDER_LIMIT;
    if (b->limit_unpaid_per_buyer > 0 && buyer->unpaid_orders >= b->limit_unpaid_per_buyer) return OF_FS_UNPAID_LIMIT;
    if (b->limit_per_buyer > 0 && (int64_t)buyer->units + num > b->limit_per_buyer) return OF_FS_BUYER_LIMIT;
    if (b->state == OF_FSB_SOLD_OUT || (int64_t)b->sell_num + num > b->total_num) return OF_FS_SOLD_OUT;
    if (b->unit_price < 0 || b->unit_price > MAX_AMOUNT / num) return OF_FS_AMOUNT_RANGE;
    *amount = b->unit_price * num;
    b->sell_num += num;
    if (b->sell_num >= b->total_num) b->state = OF_FSB_SOLD_OUT;
    b->changed = 1;
    buyer->unpaid_orders++;
    buyer->units += num;
    return OF_FS_OK;
}
