/* of_rawtrade.h -- raw trades: JSON line <-> RawTrade event, validation, partition key, event id. */
#ifndef OF_RAWTRADE_H
#define OF_RAWTRADE_H
#include <stddef.h>
#include "of_err.h"
#include "trade.pb-c.h"

/* Byte limits of the worker's fixed buffers that hold these strings (of_line_t, the catalogue and shop caches:
 * OF_CODE 65 / OF_NAME 256 with the NUL); the character limits are the columns', per field in of_rawtrade.c. */
#define OF_RT_MAX_ID 64       /* tid, oid, shop_no, goods_id, spec_id, goods_no, spec_no, bind_oid */
#define OF_RT_MAX_NAME 255    /* names, receiver fields, address, invoice title */
#define OF_RT_MAX_REMARK 1024 /* cs_remark, buyer_message, invoice_content */

/* Limits of quantities and amounts (issue 10 item 2; docs/raw-trade-format.md "Limits"). With them every sum
 * and product the submission computes stays inside int / int64: Σ num ≤ 500 × 10^6 = 5·10^8 < 2^31 − 1; one
 * amount ≤ 10^15 ten-thousandths, price × num and order_price × num checked ≤ 10^15 as well, a line's discount
 * (discount − adjust + share_discount) ≤ 3·10^15, Σ over 500 lines ≤ 1.5·10^18 < 2^63 − 1 ≈ 9.22·10^18. */
#define OF_RT_MAX_ORDERS 500                                     /* sub-orders per trade (at least 1) */
#define OF_RT_MAX_NUM 1000000                                    /* orders[].num: 0..10^6 (0 → SUB-MAP-04) */
#define OF_RT_MAX_GOODS_COUNT (OF_RT_MAX_ORDERS * OF_RT_MAX_NUM) /* goods_count: 0..5·10^8 */
#define OF_RT_MAX_AMOUNT_YUAN 100000000000LL                     /* |amount| ≤ 10^11 yuan (DECIMAL(19,4): < 10^15) */
#define OF_RT_MAX_AMOUNT (OF_RT_MAX_AMOUNT_YUAN * 10000LL)       /* the same in ten-thousandths (OF_MONEY_SCALE) */

/* Field descriptors shared by the JSON mapping and the api_trade / api_trade_order SQL: JSON key =
 * column name. which: 0 = RawTrade fields (without orders), 1 = RawSubOrder fields. Static. */
typedef enum { OF_RTF_STR, OF_RTF_INT, OF_RTF_UINT, OF_RTF_MONEY, OF_RTF_TIME } of_rtf_kind_t;
typedef struct {
    const char *name;
    int kind;        /* of_rtf_kind_t */
    size_t off;      /* offset in the protobuf-c struct */
    size_t maxlen;   /* strings: bytes (the worker's buffers) */
    size_t maxchars; /* strings: characters (the smallest column the value is written to) */
} of_rtfield_t;
const of_rtfield_t *of_rawtrade_fields(int which, size_t *np);

/* Parse one JSON line (format: docs/raw-trade-format.md) into a RawTrade. Unknown keys, wrong types,
 * malformed money or times, a NUL in a key or string (raw or \u0000) are errors with the field named in errstr. The
 * event's meta is left empty (the publisher fills it). Caller frees with of_rawtrade_free(). NULL on error. */
Orderfleet__RawTrade *of_rawtrade_from_json(const char *json, size_t len, char *errstr, size_t errstr_size);
/* Frees a RawTrade built by of_rawtrade_from_json() or unpacked from bytes. */
void of_rawtrade_free(Orderfleet__RawTrade *t);

/* Business validation of a RawTrade (also applied by trade-submit to every consumed event, whoever
 * produced it): 1..500 sub-orders; every string valid UTF-8 (no overlong form, no surrogate, nothing above
 * U+10FFFF), within its column in characters and its buffer in bytes, ids present; codes in range; quantities
 * and amounts within the limits above (price × num too); amounts >= 0 where they must be; unique oids; times
 * well formed. Returns OF_OK or OF_ERR_INVALID with the first problem, the field named ("orders[2].goods_name:
 * not valid UTF-8 at byte 17"). Pure. A NUL inside a string cannot be seen here (protobuf-c and cJSON end
 * the C string at it): of_rawtrade_wire_check() and of_rawtrade_from_json() refuse it. */
of_err_t of_rawtrade_validate(const Orderfleet__RawTrade *t, char *errstr, size_t errstr_size) OF_MUST_CHECK;
/* A resubmit request (RawTrade.resubmit, of_resubmit.h): platform_id in 0..255, shop_no and tid as in a trade, no
 * sub-orders. */
of_err_t of_rawtrade_validate_resubmit(const Orderfleet__RawTrade *t, char *errstr, size_t errstr_size) OF_MUST_CHECK;

/* The encoded RawTrade bytes as received: refuses a string field (of the trade, its sub-orders or its meta)
 * holding a NUL byte, which the decoded C string would silently cut ("jd-store\0evil" → "jd-store"), with
 * "shop_no: contains a NUL byte at byte 8" (orders[i].<field>, meta.<field>). Walks the wire format with the
 * message descriptors; bytes that are not a well-formed RawTrade are left to the decoder (OF_OK). Pure. */
of_err_t of_rawtrade_wire_check(const void *bytes, size_t len, char *errstr, size_t errstr_size) OF_MUST_CHECK;

/* UTF-8 (RFC 3629) of s[0..len): 1 when valid, with *nchars the number of characters; else 0 with *bad_at the
 * offset of the first byte of the bad sequence and *why "overlong", "surrogate", "above U+10FFFF",
 * "truncated" or "invalid byte". NUL is a character here. Pure. */
int of_rawtrade_utf8(const char *s, size_t len, size_t *nchars, size_t *bad_at, const char **why);

/* Message key of the raw-trade topic (design.md: serialise per buyer): "<platform_id>:<buyer>", buyer =
 * buyer_nick, else "MOB"+mobile, else "TEL"+telno, else "TID"+tid (SUB-CUST-01 fallbacks). */
const char *of_rawtrade_key(const Orderfleet__RawTrade *t, char *buf, size_t size);

/* Deterministic event id for a published line: "rt-" + first 32 hex of SHA-256(bytes), so that
 * replaying the same file is recognised as the same events. buf >= 40 bytes. */
const char *of_rawtrade_event_id(const void *bytes, size_t len, char *buf, size_t size);

/* "YYYY-MM-DD HH:MM:SS" with a valid calendar date and time? "" is allowed when allow_empty. Pure. */
int of_rawtrade_time_ok(const char *s, int allow_empty);

#endif
