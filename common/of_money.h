/* of_money.h -- exact money: int64 in 1/10000 units, parsed from and printed as decimal strings. */
#ifndef OF_MONEY_H
#define OF_MONEY_H
#include <stdint.h>
#include <stddef.h>
#include "of_err.h"

#define OF_MONEY_SCALE 10000

/* Parse "-12.3400", "5", "0.5" (at most 4 decimals, optional sign, no exponent, |v| < 10^14).
 * Returns OF_OK or OF_ERR_INVALID. */
of_err_t of_money_parse(const char *s, int64_t *outp) OF_MUST_CHECK;
/* Format as "-12.3400" into buf (>= 24 bytes). Returns buf. */
const char *of_money_fmt(int64_t v, char *buf, size_t size);

#endif
