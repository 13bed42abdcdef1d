/* of_mod.c -- the status classes of §4.0. Pure. */
#include "of_mod.h"
#include "of_sub.h"

of_mod_class_t of_mod_class(int status) {
    if (status == OF_ST_CANCELLED) return OF_MOD_OTHER;
    if (status < 40) return OF_MOD_UNAUDITED;
    if (status < 95) return OF_MOD_AUDITED;
    return OF_MOD_SHIPPED;
}
