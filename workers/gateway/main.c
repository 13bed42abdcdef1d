/* of-gateway -- the flash-sale HTTP gateway (spec flash-sale-payment.md FS-1, FS-3, FS-4, FS-7). Wiring only. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "of_gateway.h"
#include "of_admin.h"
#include "of_log.h"
#include "of_metrics.h"
#include "of_worker.h"

static const char ABOUT[] =
    "HTTP gateway of the flash sale, JSON in and out, callers authenticated by bearer tokens (service clients\n"
    "from OF_GATEWAY_TOKENS; buyers by tokens signed with OF_GATEWAY_USER_SECRET, see `ordctl flash token`):\n"
    "  POST /api/order/job              {user_id, batch_id, num, present_info} -> {\"jobId\": ...} once Kafka holds\n"
    "                                   the job (flash.jobs, line = user_id mod lines); Idempotency-Key header: the\n"
    "                                   same jobId again (409 while its first submit is being queued, 422 when the\n"
    "                                   key was used for another user, batch or num); a queue failure -> 503\n"
    "                                   CreateOrderFail, never a jobId\n"
    "  GET  /api/order/job/ID/state     {\"state\": \"complete\", \"result\": {\"orderId\": ...}} or the reason it\n"
    "                                   failed; ?full=1 the whole job record (attempts, ttl, data ...)\n"
    "  GET  /api/order/ORDER_ID         the order with remain_pay and pay_infos\n"
    "  GET  /healthz                    200 ok\n"
    "Malformed JSON -> 400 with the reason, no or a bad token -> 401, another buyer's job or order -> 404, a body\n"
    "over OF_GATEWAY_MAX_BODY -> 413. Run more instances behind a load balancer to scale out.";

int main(int argc, char **argv) {
    of_config_t *cfg = of_worker_init(argc, argv, "gateway", ABOUT);
    of_worker_signals_install();
    char err[512];
    of_gateway_t *g = of_gateway_new(cfg, err, sizeof err);
    if (!g) {
        of_error("gateway start failed", OF_S("error", err), OF_END);
        of_config_destroy(cfg);
        return 78;
    }
    while (!of_stop_requested) {
        of_admin_beat();
        usleep(100 * 1000);
    }
    of_info("gateway stopping", OF_END);
    of_gateway_destroy(g);
    of_metrics_log("exit"); /* emitted = jobs queued, failed = CreateOrderFail answers */
    of_config_destroy(cfg);
    return 0;
}
