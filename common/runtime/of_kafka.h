/* of_kafka.h -- idempotent producer with delivery tracking, and the at-least-once batch consumer. */
#ifndef OF_KAFKA_H
#define OF_KAFKA_H
#include <stddef.h>
#include <stdint.h>
#include <librdkafka/rdkafka.h>
#include "of_config.h"
#include "of_err.h"

/* ---- configuration ---- */
typedef enum { OF_KAFKA_PRODUCER, OF_KAFKA_CONSUMER } of_kafka_role_t;
/* A librdkafka conf with bootstrap, client.id, the profile's settings for that role and OF_KAFKA_EXTRA.
 * Caller owns it (rd_kafka_new() takes ownership). NULL + errstr on a bad property. */
rd_kafka_conf_t *of_kafka_conf_new(const of_config_t *cfg, of_kafka_role_t role, const char *client_id, char *errstr,
                                   size_t errstr_size);

/* A consumer conf for group: the shared consumer settings (offsets stored by the caller, auto-commit of stored
 * offsets, auto.offset.reset=error (D-KAF-4), cooperative-sticky assignment), OF_KAFKA_EXTRA applied last (it may
 * not change auto.offset.reset: NULL + errstr). */
rd_kafka_conf_t *of_kafka_consumer_conf_new(const of_config_t *cfg, const char *group, const char *client_id,
                                            char *errstr, size_t errstr_size);
/* The rebalance step every consumer's rebalance callback ends with: on assign, the partitions the group has no
 * committed offset for start at the log start (D-KAF-4); on revoke, commit the stored offsets (unless the
 * assignment was lost) and forget the revoked partitions' held gaps; then (incrementally, under the cooperative
 * protocol) assign or unassign parts. */
void of_kafka_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *parts);

/* ---- offset gaps: never silently behind (D-KAF-4) ---- */
/* Group consumers run with auto.offset.reset=error: librdkafka does not move a committed offset that is outside
 * the log (retention or delete-records removed unread messages, a topic recreated) but stops fetching that
 * partition and reports RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET (of_kafka_consumer_error). What happens next, by the
 * group's committed offset and the log's bounds [lo, hi]: */
typedef enum {
    OF_KAFKA_GAP_UNKNOWN,     /* the committed offset or the bounds could not be read: held, asked again (10 s) */
    OF_KAFKA_GAP_BEGINNING,   /* no committed offset (a new group or partition): started at the log start */
    OF_KAFKA_GAP_COMMITTED,   /* committed inside the log (the refused position was another): started there */
    OF_KAFKA_GAP_BELOW_START, /* committed < lo: messages deleted unread; held until an operator moves the group */
    OF_KAFKA_GAP_PAST_END,    /* committed > hi: the topic was recreated; held until an operator moves the group */
} of_kafka_gap_t;
/* known: both the committed offset and the bounds were read. */
of_kafka_gap_t of_kafka_gap_classify(int known, int64_t committed, int64_t lo, int64_t hi);
/* The start offset to assign a partition with, given the group's committed offset read at assignment:
 * RD_KAFKA_OFFSET_INVALID (none) -> RD_KAFKA_OFFSET_BEGINNING, else `assigned` unchanged (librdkafka reads the
 * committed offset itself, and refuses it when outside the log). */
int64_t of_kafka_start_offset(int64_t committed, int64_t assigned);
/* Rate limit: 1 (and *next = now + every_ms) when now >= *next, else 0. */
int of_kafka_rate_ok(int64_t *next, int64_t now, int64_t every_ms);
/* Answers worth asking again: a leader or the group coordinator moving or starting (topics just created, the first
 * group of a fresh cluster creating __consumer_offsets), a request timed out. */
int of_kafka_retriable(rd_kafka_resp_err_t err);
/* rd_kafka_committed for parts, asked again on retriable answers within timeout_ms; the first error, a partition's
 * own included (parts[i].offset = RD_KAFKA_OFFSET_INVALID when the group has none). */
rd_kafka_resp_err_t of_kafka_committed(rd_kafka_t *rk, rd_kafka_topic_partition_list_t *parts, int timeout_ms);

/* Close a group consumer within OF_KAFKA_CLOSE_MS: the stored offsets are committed (asynchronously), the revoke
 * is served (of_kafka_rebalance, from the close's events), the group left (dynamic members), then the handle
 * destroyed; returns 1. When Kafka does not answer in time (a broker away answers a request only after
 * socket.timeout.ms, 60 s) the handle is left undestroyed (kept reachable until the process exits, logged) and 0
 * is returned: uncommitted offsets are redelivered, the group drops the member after session.timeout.ms. So is a
 * handle that never had an assignment, with librdkafka before 2.3.0 (destroying it aborts there: #4312). After a
 * fatal error: destroyed at once, without the close. The revoke of the close is served by of_kafka_rebalance, not
 * the caller's callback: destroy every message of rk first (rd_kafka_destroy waits for them; the retry ladder's
 * held messages hung its stop). The handle's rebalance callbacks must go through of_kafka_rebalance (it records the
 * first assignment). */
#define OF_KAFKA_CLOSE_MS 3000
/* D-KAF-13: the destroy after the close is bounded too; past it the handle is left to the process's exit (0). */
#define OF_KAFKA_DESTROY_MS 5000
int of_kafka_close(rd_kafka_t *rk);

/* ---- static membership (KIP-345) ---- */
/* 1 when id is usable as group.instance.id: 1..249 characters of A-Z a-z 0-9 . _ - (Kafka's rule for names). */
int of_kafka_instance_id_ok(const char *id);
/* The group.instance.id of this process's group consumers by OF_KAFKA_STATIC_MEMBER: *idp = OF_INSTANCE_ID when it
 * was set explicitly and is valid (`auto`, `on`), else NULL (dynamic membership); why says which and why.
 * OF_ERR_CONFIG (why = the reason) for `on` without a usable OF_INSTANCE_ID. */
of_err_t of_kafka_static_id(const of_config_t *cfg, const char **idp, char *why, size_t why_size) OF_MUST_CHECK;

/* ---- fatal errors ---- */
/* Exit codes of a worker stopped by a fatal Kafka error: fenced (another process joined the group with the same
 * group.instance.id: a configuration error, like a bad value), and any other fatal error. */
#define OF_KAFKA_EXIT_FENCED 78
#define OF_KAFKA_EXIT_FATAL 70
/* The underlying code (rd_kafka_resp_err_t) of the first fatal error librdkafka raised on any handle (logged as an
 * error when it is raised, served through the error callback), 0 when none. */
int of_kafka_fatal(void);
/* 0 without a fatal error, else OF_KAFKA_EXIT_FENCED or OF_KAFKA_EXIT_FATAL. */
int of_kafka_fatal_exit_code(void);
/* An error message m a consumer poll of rk returned: a fatal error (how librdkafka tells a consumer it was fenced)
 * is recorded for of_kafka_fatal and logged as an error, returns 1; partition EOF is ignored; a partition refused
 * for its offset (RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET) is held or started again (of_kafka_gap_t: a gap is logged
 * as an error naming topic, partition, committed offset and log start, at most once a minute per partition, and
 * counted in OF_M_OFFSET_RESETS); anything else is logged as a warning; returns 0. Call it outside rebalance
 * callbacks (a partition is started again by taking it out of the assignment and putting it back). */
int of_kafka_consumer_error(rd_kafka_t *rk, const rd_kafka_message_t *m);

/* ---- health ---- */
/* 1 once a consumer of this process has had an assignment from its group (even of no partition): it joined. */
int of_kafka_assigned_once(void);
/* Milliseconds since no broker was reachable (librdkafka's ALL_BROKERS_DOWN), 0 when one is. */
int64_t of_kafka_unreachable_ms(void);
/* Call between batches: once no broker has been reachable for alert_ms, checks with a metadata request and, if
 * still none answers, logs msg="kafka unreachable" (an error, every 30 s) and counts OF_M_KAFKA_UNREACHABLE.
 * Looks again at rk's held partitions when due (D-KAF-4): a gap's error is repeated once a minute while it is
 * held; one whose committed offset could not be read is asked again. */
void of_kafka_watch(rd_kafka_t *rk, int64_t alert_ms);
/* Ask the cluster for metadata through rk (at most timeout_ms): 1 when a broker answered (the cluster is marked
 * reachable again, logged when it was not), 0 when none did. Thread-safe. */
int of_kafka_probe(rd_kafka_t *rk, int timeout_ms);

/* ---- producer (kp_) ---- */
typedef struct of_producer_s of_producer_t;

/* A group of sends whose delivery the caller waits for. Zero-initialise. */
typedef struct {
    int pending;
    int delivered;
    int failed;
    int too_large;   /* a message was refused for its size (permanent) */
    char error[256]; /* first delivery error */
} of_dr_batch_t;

/* D-KAF-10: 1 when a delivery report must count as unconfirmed: no error, yet no offset (librdkafka's implicit
 * acknowledgement of an earlier request, or its reading of DUPLICATE_SEQUENCE_NUMBER), or, for an original (copy 0),
 * an offset at or below last, the highest one this partition confirmed to the producer before (-1: none, or reports
 * not in offset order), while acks is not 0 (confirm). A copy sent again that has an offset is confirmed, and its
 * offset becomes the partition's last: a topic deleted and created again starts its offsets anew, and its first
 * originals cost one copy each, not a failed batch. The fleet's producers send such a message again (3 copies at
 * most, header "of-resend" numbering them) before its batch hears of it; the flash gateway fails the job
 * (CreateOrderFail) and judges by the offset alone. */
int of_kafka_dr_unconfirmed(int err, int64_t offset, int64_t last, int copy, int confirm);
/* The judge of one producer's reports: acks and enable.idempotence read from its conf (before rd_kafka_new), the
 * highest confirmed offset per (topic, partition) kept when by_order (the offset rule, for an idempotent producer).
 * Not thread-safe: one delivery-report thread at a time. */
typedef struct of_kafka_confirm_s of_kafka_confirm_t;
of_kafka_confirm_t *of_kafka_confirm_new(rd_kafka_conf_t *conf, int by_order);
/* 1 when m is a failure (judged by its error) or a confirmed success (recorded); 0 when unconfirmed. */
int of_kafka_confirm_check(of_kafka_confirm_t *c, const rd_kafka_message_t *m);
/* Log (warn: topic, partition, offset, copies sent before, outcome) and count (kafka_unconfirmed) one unconfirmed
 * report. */
void of_kafka_confirm_warn(const rd_kafka_message_t *m, int copy, const char *outcome);
void of_kafka_confirm_free(of_kafka_confirm_t *c);

/* enable.idempotence=true, acks=all. Caller frees with of_producer_destroy(). */
of_producer_t *of_producer_new(const of_config_t *cfg, const char *client_id, char *errstr, size_t errstr_size);
/* Flushes (up to 10 s; after a stop request only what is left of its 2 s grace), purges what is left, frees; the
 * handle's destroy waited for at most OF_KAFKA_DESTROY_MS (D-KAF-13: past it, the producer is left to the exit). */
void of_producer_destroy(of_producer_t *p);
/* Full topic name (OF_TOPIC_PREFIX applied). Borrowed; static per topic. */
const char *of_producer_topic(of_producer_t *p, int topic);

/* Queue one message (copied). batch may be NULL. On a full queue polls and retries for up to 30 s, never past the
 * stop grace (of_producer_wait) nor after a fatal error.
 * headers: NULL or a NULL-terminated list of name, value pairs (values NUL-terminated strings). */
of_err_t of_producer_send(of_producer_t *p, const char *topic, const void *key, size_t keylen, const void *val,
                          size_t vallen, const char *const *headers, of_dr_batch_t *batch) OF_MUST_CHECK;
/* Serve delivery reports until batch->pending == 0: every queued message gets its report within
 * message.timeout.ms (30 s), or within the stop grace: 2 s from the first time a producer call of the process sees
 * the stop request, shared by every later send, wait and flush (what is left is then purged and reported failed).
 * So the batch (often on the caller's stack) is never written to after this returns. OF_OK if all were delivered,
 * OF_ERR_TRANSIENT if any failed (batch->error says why; batch->too_large when the broker refused a message for its
 * size). */
of_err_t of_producer_wait(of_producer_t *p, of_dr_batch_t *batch) OF_MUST_CHECK;
void of_producer_poll(of_producer_t *p);
/* The librdkafka handle (borrowed; NULL for NULL), for read-only calls such as a reachability probe. */
rd_kafka_t *of_producer_handle(of_producer_t *p);

/* ---- consumer (kc_) ---- */
typedef struct of_consumer_s of_consumer_t;

/* Subscribe to topics (full names) in group. enable.auto.offset.store=false: only offsets stored with
 * of_consumer_store() are committed (auto-commit of stored offsets every 1 s, and on revoke/close).
 * Caller frees with of_consumer_close(). */
of_consumer_t *of_consumer_new(const of_config_t *cfg, const char *group, const char *client_id,
                               const char *const *topics, int ntopics, char *errstr, size_t errstr_size);
/* Poll up to max messages: waits up to first_wait_ms for the first, then up to batch_wait_ms more.
 * Errors that are not messages are logged. A revoke during collection drops what was collected before
 * it (it is redelivered from the committed offset); messages fetched under the new assignment are kept. Returns the
 * count; caller destroys each message with rd_kafka_message_destroy(). */
int of_consumer_poll_batch(of_consumer_t *c, rd_kafka_message_t **msgs, int max, int first_wait_ms, int batch_wait_ms);
/* Store m's offset + 1 for commit. Non-assigned partitions (revoked meanwhile) are ignored. */
void of_consumer_store(of_consumer_t *c, const rd_kafka_message_t *m);
/* Commit the stored offsets now, asynchronously (auto-commit sends them within auto.commit.interval.ms anyway). */
void of_consumer_commit(of_consumer_t *c);
/* The librdkafka handle (borrowed; for read-only calls such as assignment and positions). */
rd_kafka_t *of_consumer_handle(of_consumer_t *c);
/* of_kafka_watch on the consumer's handle. */
void of_consumer_watch(of_consumer_t *c, int64_t alert_ms);
/* Called in the consumer's rebalance callback when partitions are revoked, before the stored offsets are committed
 * and the partitions given up (a pipelined worker finishes what it holds of them and stores their offsets). Runs
 * inside a poll of c: it must not poll c. fn NULL: none. The close's revoke does not call it. */
typedef void (*of_consumer_revoke_fn)(void *ctx, const rd_kafka_topic_partition_list_t *parts);
void of_consumer_on_revoke(of_consumer_t *c, of_consumer_revoke_fn fn, void *ctx);
/* A descriptor that becomes readable when the consumer has something to poll (librdkafka's queue I/O event), for an
 * event loop's wait; empty it with of_consumer_wake_drain() before polling. -1 when the pipe cannot be made. */
int of_consumer_wake_fd(of_consumer_t *c);
void of_consumer_wake_drain(of_consumer_t *c);
/* Commit, leave the group, destroy, within OF_KAFKA_CLOSE_MS (of_kafka_close). */
void of_consumer_close(of_consumer_t *c);

#endif
