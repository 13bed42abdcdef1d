/* of_rkey.h -- the fleet's Redis keys, one builder per pattern, and their Redis Cluster hash slot (docs/scaling.md
 * "Redis Cluster"). Pure. Every key starts with OF_REDIS_PREFIX; a key that a script or a multi-key command uses with
 * another key carries the same hash tag ({...}) so that both are in one slot. */
#ifndef OF_RKEY_H
#define OF_RKEY_H
#include <stddef.h>
#include <stdint.h>

#define OF_RKEY_SLOTS 16384

/* CRC16 of Redis Cluster (XMODEM: poly 0x1021, init 0, no reflection, no final xor; "123456789" → 0x31C3). */
uint16_t of_rkey_crc16(const void *buf, size_t len);
/* The hash slot of key: CRC16 mod 16384 of the hash tag (the bytes between the first '{' and the first '}' after
 * it, when there is at least one) or else of the whole key. */
unsigned of_rkey_slot(const char *key, size_t len);

/* trade-submit's dedupe marker of an event (single-key commands only: GET / SET, pipelined). */
const char *of_rkey_dedupe(char *buf, size_t size, const char *prefix, const char *consumer, const char *event_id);
/* An order's delivery keys (what: "order" = its pending data, "claim" = its claim), tagged by the order:
 * delivery_notify.lua, delivery_delivered.lua take both. */
const char *of_rkey_delivery(char *buf, size_t size, const char *prefix, const char *ref, const char *what);
/* A flash-sale job's live record (fsjob_*.lua take it alone). */
const char *of_rkey_fsjob(char *buf, size_t size, const char *prefix, const char *job_id);
/* The sorted set of the active flash-sale jobs (single-key commands). */
const char *of_rkey_fsjob_active(char *buf, size_t size, const char *prefix);
/* A gateway client's idempotency key (SET NX / GET / DEL). */
const char *of_rkey_fsidem(char *buf, size_t size, const char *prefix, const char *client, const char *idem);
/* A rolling sequence (sequence.lua takes it alone). */
const char *of_rkey_seq(char *buf, size_t size, const char *prefix, const char *name);

#endif
