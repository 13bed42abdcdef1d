/* of_rawtrade.h -- raw trades: JSON line <-> RawTrade event, validation, partition key, event id. */
#ifndef OF_RAWTRADE_H
#define OF_RAWTRADE_H
#include <stddef.h>
#include "of_err.h"
#include "trade.pb-c.h"

/* Column limits (schema/main/001_raw_trade.sql); validation keeps every row insertable. */
#define OF_RT_MAX_ID 64       /* tid, oid, shop_no, goods_id, spec_id, goods_no, spec_no, bind_oid */
#define OF_RT_MAX_NAME 255    /* names, receiver fields, address, invoice title */
#define OF_RT_MAX_REMARK 1024 /* cs_remark, buyer_message, invoice_content */
#define OF_RT_MAX_ORDERS 500

/* Field descriptors shared by the JSON mapping and the api_trade / api_trade_order SQL: JSON key =
 * column name. which: 0 = RawTrade fields (without orders), 1 = RawSubOrder fields. Static. */
typedef enum { OF_RTF_STR, OF_RTF_INT, OF_RTF_UINT, OF_RTF_MONEY, OF_RTF_TIME } of_rtf_kind_t;
typedef struct {
    const char *name;
    int kind;      /* of_rtf_kind_t */
    size_t off;    /* offset in the protobuf-c struct */
    size_t maxlen; /* strings */
} of_rtfield_t;
const of_rtfield_t *of_rawtrade_fields(int which, size_t *np);

/* Parse one JSON line (format: docs/raw-trade-format.md) into a RawTrade. Unknown keys, wrong types,
 * malformed money or times are errors with the field named in errstr. The event's meta is left
 * empty (the publisher fills it). Caller frees with of_rawtrade_free(). NULL on error. */
Orderfleet__RawTrade *of_rawtrade_from_json(const char *json, size_t len, char *errstr, size_t errstr_size);
/* Frees a RawTrade built by of_rawtrade_from_json() or unpacked from bytes. */
void of_rawtrade_free(Orderfleet__RawTrade *t);

/* Business validation of a RawTrade (also applied by trade-submit to every consumed event, whoever
 * produced it): ids present and short enough, codes in range, num >= 0, amounts >= 0 where they must be,
 * unique oids, times well formed. Returns OF_OK or OF_ERR_INVALID with the first problem. Pure. */
of_err_t of_rawtrade_validate(const Orderfleet__RawTrade *t, char *errstr, size_t errstr_size) OF_MUST_CHECK;

/* Message key of the raw-trade topic (design.md: serialise per buyer): "<platform_id>:<buyer>", buyer =
 * buyer_nick, else "MOB"+mobile, else "TEL"+telno, else "TID"+tid (SUB-CUST-01 fallbacks). */
const char *of_rawtrade_key(const Orderfleet__RawTrade *t, char *buf, size_t size);

/* Deterministic event id for a published line: "rt-" + first 32 hex of SHA-256(bytes), so that
 * replaying the same file is recognised as the same events. buf >= 40 bytes. */
const char *of_rawtrade_event_id(const void *bytes, size_t len, char *buf, size_t size);

/* "YYYY-MM-DD HH:MM:SS" with a valid calendar date and time? "" is allowed when allow_empty. Pure. */
int of_rawtrade_time_ok(const char *s, int allow_empty);

#endif
