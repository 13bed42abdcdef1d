/* of_modflag.h -- which aspects of a stored raw trade changed: modify_flag bits (trade-rules §1.10, §1.11). */
#ifndef OF_MODFLAG_H
#define OF_MODFLAG_H
#include <stdint.h>
#include "trade.pb-c.h"

/* api_trade.modify_flag, trade-rules §1.10 */
#define OF_MF_TRADE_STATUS 1u
#define OF_MF_PAY 2u
#define OF_MF_REFUND 4u
#define OF_MF_CS_REMARK 8u
#define OF_MF_ADDRESS 16u
#define OF_MF_INVOICE 32u
#define OF_MF_WAREHOUSE 64u
#define OF_MF_CLIENT_REMARK 128u
/* api_trade_order.modify_flag, trade-rules §1.11 */
#define OF_MFO_STATUS 1u
#define OF_MFO_REFUND 2u
#define OF_MFO_GOODS 16u

/* Bits of §1.10 that differ between the stored version and the incoming one. Pure.
 * address (16) covers receiver name, mobile, telno, province, city, district, address and zip;
 * invoice (32) covers type, title and content. Other fields (amounts, times, counts) are stored
 * but raise no bit: the source defines none for them. */
uint32_t of_modflag_trade(const Orderfleet__RawTrade *stored, const Orderfleet__RawTrade *incoming);
/* Bits of §1.11 for one sub-order: status 1, refund_status 2, goods 16 (goods_id, spec_id,
 * goods_no or spec_no changed: 更换货品). Pure. */
uint32_t of_modflag_order(const Orderfleet__RawSubOrder *stored, const Orderfleet__RawSubOrder *incoming);
/* A new sub-order on a stored trade is flagged as a goods change (decision D-MF-1, docs/decisions.md). */
#define OF_MFO_ADDED OF_MFO_GOODS

/* Is incoming older than stored by the platform's `modified` time? Empty times never count as stale. */
int of_modflag_is_stale(const char *stored_modified, const char *incoming_modified);

#endif
