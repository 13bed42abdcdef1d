/* of_flags.h -- SUB-FLAG-01…-03, SUB-WU-01/02. Pure. */
#ifndef OF_FLAGS_H
#define OF_FLAGS_H
#include "of_sub.h"

/* SUB-FLAG-01…-03 and SUB-WU-01/02 over in->siblings (literal bounds, §1.16): sibling updates into s->sib,
 * own unmerge_mask, own wait-unpaid (status 15, delay_to_time, log "等未付"; a grab order that waits clears
 * s->grab, OP-49). Returns 0, or -1 when out of memory (a sibling update could not be recorded). */
int of_flags_decide(const of_subin_t *in, of_sub_t *s);

#endif
