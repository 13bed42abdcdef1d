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

/* n / d rounded half away from zero; d > 0 (SUB-MAP-07, -15, OP-27). */
int64_t of_money_div_round(__int128 n, __int128 d);
/* OP-27: split total over n parts by weights (Σ weights > 0; all-zero weights → equal parts): each part =
 * round(total × w_i / Σw, 2 decimals, half away from zero), the last part takes the remainder so that
 * Σ out = total exactly. */
void of_money_apportion(int64_t total, const int64_t *weights, size_t n, int64_t *out);

#endif
