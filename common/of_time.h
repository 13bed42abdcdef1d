/* of_time.h -- the clocks: wall time for event times and due times, monotonic time for intervals and timeouts. */
#ifndef OF_TIME_H
#define OF_TIME_H
#include <stdint.h>

/* Wall-clock time in unix milliseconds (CLOCK_REALTIME): event times, due times, database timestamps. */
int64_t of_now_ms(void);
/* Monotonic milliseconds (CLOCK_MONOTONIC): intervals, deadlines, backoffs; never jumps with the wall clock. */
int64_t of_mono_ms(void);

#endif
