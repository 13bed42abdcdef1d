/* of_tracepack.h -- the orders' decision traces compressed on a thread of their own (D-T10-71): a writer's thread
 * builds an order's trace JSON and hands it over, goes on with the next orders' rules, and collects the packed bytes
 * (of_trace_pack_json) before the order's row is written. One per writer (a lane's submission store), used by that
 * writer's thread only; the packing thread starts with the first trace. */
#ifndef OF_TRACEPACK_H
#define OF_TRACEPACK_H
#include <stddef.h>

typedef struct of_tracepack_s of_tracepack_t;

/* threaded 0 (or a thread that cannot start): every trace is packed at once, on the caller's thread. NULL when out of
 * memory. */
of_tracepack_t *of_tracepack_new(int threaded);
/* Stops and joins the thread; frees what it holds. */
void of_tracepack_free(of_tracepack_t *tp);
/* Hand over json (malloc'd: taken in every case). Returns its ticket (0, 1, … since the last reset), -1 when out of
 * memory. */
int of_tracepack_put(of_tracepack_t *tp, char *json);
/* Wait until every ticket handed over is packed. */
void of_tracepack_wait(of_tracepack_t *tp);
/* After of_tracepack_wait: the ticket's bytes in MariaDB's COMPRESS() format, length in *lenp; NULL when it could not
 * be packed (out of memory). Valid until of_tracepack_reset. */
const unsigned char *of_tracepack_get(const of_tracepack_t *tp, int ticket, size_t *lenp);
/* Forget every ticket (after waiting for the thread). */
void of_tracepack_reset(of_tracepack_t *tp);

#endif
