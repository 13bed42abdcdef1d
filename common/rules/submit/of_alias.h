/* of_alias.h -- SUB-ALIAS-01: the area alias. Pure. */
#ifndef OF_ALIAS_H
#define OF_ALIAS_H
#include "of_sub.h"

/* SUB-ALIAS-01: the most specific alias row for the logistics (then logistics 0); none → city + district. */
void of_alias_decide(const of_subin_t *in, of_sub_t *s);

#endif
