/* of_trace.h -- why a decision was taken: an ordered list of (rule ID, key, value) entries stored with the order
 * as compressed JSON (sales_trade.decision_trace_z, read as the view sales_trade_trace) and printed by `ordctl
 * explain`; and the order log lines (sales_trade_log) a decision asks the worker to write. Pure, no I/O. */
#ifndef OF_TRACE_H
#define OF_TRACE_H
#include "of_str.h" /* of_utf8_trim */
#include <stddef.h>

typedef struct {
    char rule[24]; /* spec rule ID, e.g. "SUB-WH-06" */
    char key[32];  /* what: "warehouse", "candidate", "status" ... */
    char value[320];
} of_trace_entry_t;

typedef struct {
    of_trace_entry_t *e;
    size_t n, cap;
} of_trace_t;

/* Append an entry (value printf-formatted, truncated to fit). Out of memory drops the entry silently
 * (the trace is an explanation, never a reason to fail an order) and counts it in dropped. */
void of_trace_add(of_trace_t *t, const char *rule, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The first entry with this key (and rule, unless rule is NULL); NULL when absent. */
const of_trace_entry_t *of_trace_find(const of_trace_t *t, const char *rule, const char *key);
/* JSON array [{"rule":…,"key":…,"value":…}, …]; malloc'd, NULL when out of memory. */
char *of_trace_json(const of_trace_t *t);
/* A trace's JSON (of_trace_json: json[0..n)) in MariaDB's COMPRESS() format (4-byte length, low byte first, then a
 * zlib stream), as stored in sales_trade.decision_trace_z (UNCOMPRESS() reads it; the view sales_trade_trace gives its
 * JSON). malloc'd, length in *lenp; NULL when out of memory. A packer is used by one thread at a time (of_tracepack).
 */
typedef struct of_trace_packer_s of_trace_packer_t;
of_trace_packer_t *of_trace_packer_new(void); /* NULL when out of memory */
void of_trace_packer_free(of_trace_packer_t *pk);
unsigned char *of_trace_pack_json(of_trace_packer_t *pk, const char *json, size_t n, size_t *lenp);
void of_trace_free(of_trace_t *t);

typedef struct {
    int type;      /* sales_trade_log.type (OF_LOG_* in of_sub.h) */
    char rule[24]; /* rule ID */
    char message[256];
} of_log_entry_t;

typedef struct {
    of_log_entry_t *e;
    size_t n, cap;
} of_logs_t;

/* Append an order log line (message printf-formatted). Out of memory drops it. */
void of_logs_add(of_logs_t *l, int type, const char *rule, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void of_logs_free(of_logs_t *l);

#endif
