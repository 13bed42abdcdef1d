/* of_fsreq.h -- the gateway's job request (FS-1): `{user_id, batch_id, num, present_info}` parsed and checked
 * before anything is queued, with the reason a 400 gives. Pure. */
#ifndef OF_FSREQ_H
#define OF_FSREQ_H
#include <stddef.h>
#include <stdint.h>

#define OF_FSREQ_PRESENT_MAX 4096 /* present_info, as compact JSON text */

typedef struct {
    uint64_t user_id; /* 0 when the body gave none (a buyer token supplies it) */
    uint64_t batch_id;
    int num;
    char *present_info; /* compact JSON text, or NULL; free() */
} of_fsreq_job_t;

/* Parse body (len bytes, not NUL-terminated) into *r. Returns 0; -1 with the reason into why (e.g. "num: an
 * integer 1..10000 required"). user_id, batch_id: positive integers (JSON numbers, or strings of digits as the
 * seed's clients send); num: 1..OF_FS_MAX_NUM; present_info: any JSON value, compact at most 4096 bytes. */
int of_fsreq_job_parse(const char *body, size_t len, of_fsreq_job_t *r, char *why, size_t size);
void of_fsreq_job_free(of_fsreq_job_t *r);
/* An Idempotency-Key header value: 1..128 printable ASCII characters. */
int of_fsreq_idem_ok(const char *key);
/* D-FS-19: 1 when a repeat with a key asks for the same job as the one the key names (user_id, batch_id and num
 * equal: what the order is made of; present_info is not compared), 0 when the key is reused for another job. */
int of_fsreq_idem_match(const of_fsreq_job_t *r, uint64_t user_id, uint64_t batch_id, int num);

#endif
