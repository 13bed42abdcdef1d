/* of_time.h -- the clocks: wall time for event times and due times, monotonic time for intervals and timeouts. */
#ifndef OF_TIME_H
#define OF_TIME_H
#include <stddef.h>
#include <stdint.h>

/* Wall-clock time in unix milliseconds (CLOCK_REALTIME): event times, due times, database timestamps. */
int64_t of_now_ms(void);
/* Monotonic milliseconds (CLOCK_MONOTONIC): intervals, deadlines, backoffs; never jumps with the wall clock. */
int64_t of_mono_ms(void);
/* Monotonic clock in microseconds (durations). */
int64_t of_mono_us(void);

/* Platform time "YYYY-MM-DD HH:MM:SS" (naive, shop-local) → seconds as if UTC; "" or a zero date → 0. */
int64_t of_time_parse(const char *s);

/* "YYYY-MM-DD HH:MM:SS" of a time of the of_time_parse clock, into buf (n bytes). Returns buf. */
const char *of_time_format(int64_t t, char *buf, size_t n);

#endif
