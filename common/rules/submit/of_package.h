/* of_package.h -- I_DL_DECIDE_PACKAGE (SUB-PKG-01…-03). Pure. */
#ifndef OF_PACKAGE_H
#define OF_PACKAGE_H
#include "of_sub.h"

/* CFG_PACKAGE 1: the strategy (shop or 0, priority desc) whose weight range [min, max) holds the order weight
 * (SUB-PKG-01); 2: by volume, the smallest package with volume ≥ the order volume, none large enough → the
 * largest (SUB-PKG-02, OP-42); a chosen package adds its weight to s->agg.weight (SUB-PKG-03).
 * Ties: by weight, the shop's own strategy before an every-shop one of equal priority, then table order; a
 * strategy whose package is not in the catalogue is skipped. By volume, equal volumes → the lower id. */
void of_package_decide(const of_subin_t *in, of_sub_t *s);

#endif
