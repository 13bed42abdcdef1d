/* of_mod.h -- what every trade-modify rule family shares (spec trade-rules §4): the system order's status class. Pure.
 */
#ifndef OF_MOD_H
#define OF_MOD_H

/* §4.0 status classes (OP-66 splits AUDITED at 55: below, 待递交仓库; from 55, 已审核待发货). */
typedef enum {
    OF_MOD_UNAUDITED, /* status < 40, not 5 (cancelled) */
    OF_MOD_AUDITED,   /* 40 ≤ status < 95 */
    OF_MOD_SHIPPED,   /* status ≥ 95 */
    OF_MOD_OTHER,     /* 5 */
} of_mod_class_t;
of_mod_class_t of_mod_class(int status);

#endif
