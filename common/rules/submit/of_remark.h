/* of_remark.h -- remark extraction: I_DL_EXTRACT_REMARK (SUB-CFG-02) and I_DL_EXTRACT_CLIENT_REMARK
 * (SUB-CFG-04). Pure. */
#ifndef OF_REMARK_H
#define OF_REMARK_H
#include <stdint.h>
#include "of_sub.h"

/* SUB-CFG-02: over trim(remark) (ASCII and full-width spaces): (a) salesman by cfg prefix/suffix (the text between
 * them, trimmed, must name an employee); (b) class-1 strategies of shop_id or 0 in the catalogue order (newest
 * first): a keyword that is a substring matches; per output kind the first match wins; (a) beats a strategy
 * salesman (OP-29). Writes out (zeroed first) and one trace entry per match (rule SUB-CFG-02). */
void of_remark_extract_cs(const of_catalog_t *cat, uint64_t shop_id, const char *remark, of_remark_out_t *out,
                          of_trace_t *tr);

/* SUB-CFG-04: class-2 strategies over the client remark; outputs trade flag, warehouse and freeze only (other
 * target types are ignored). */
void of_remark_extract_client(const of_catalog_t *cat, uint64_t shop_id, const char *remark, of_remark_out_t *out,
                              of_trace_t *tr);

#endif
