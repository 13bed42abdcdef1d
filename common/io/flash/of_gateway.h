/* of_gateway.h -- the flash-sale HTTP gateway (issue 13; spec flash-sale-payment.md FS-1, FS-3, FS-4, FS-7) on
 * libmicrohttpd: JSON in and out under /api/order, callers authenticated by bearer tokens (of_fsauth.h).
 *   POST /api/order/job                 {user_id, batch_id, num, present_info} → {"jobId": …} once Kafka holds the
 *                                       job (Idempotency-Key: the same jobId again); a queue failure → 503
 *                                       CreateOrderFail "下单失败，请重新下单", never a jobId
 *   GET  /api/order/job/{id}/state      {"state": …, "result": {"orderId": …}} or the failure's reason; ?full=1 the
 *                                       whole FS-3 record
 *   GET  /api/order/{orderId}           the order with remain_pay and pay_infos (FS-7)
 *   GET  /healthz                       200 "ok" (no token)
 * A buyer token reaches only the buyer's own jobs and orders. */
#ifndef OF_GATEWAY_H
#define OF_GATEWAY_H
#include <stddef.h>
#include "of_config.h"

typedef struct of_gateway_s of_gateway_t;

/* Starts the producer and the HTTP server (OF_GATEWAY_BIND:OF_GATEWAY_PORT, OF_GATEWAY_THREADS). NULL + errstr when
 * the configuration is unusable or the port is taken. */
of_gateway_t *of_gateway_new(const of_config_t *cfg, char *errstr, size_t errstr_size);
/* Stops accepting, finishes the requests in flight, flushes the producer (bounded), frees. */
void of_gateway_destroy(of_gateway_t *g);

#endif
