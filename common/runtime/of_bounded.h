/* of_bounded.h -- a call that may not return in time (a library's teardown waiting on a peer that never answers),
 * run so that its caller goes on after a bound. */
#ifndef OF_BOUNDED_H
#define OF_BOUNDED_H

/* Runs fn(arg) on a thread of its own and waits up to ms for it. Returns 1 when fn returned in time; 0 when it had
 * not (it goes on running, detached: arg must stay valid, and whatever fn works on untouched by the caller, until the
 * process exits); -1 when no thread could be started (fn was not run). */
int of_bounded_run(void (*fn)(void *), void *arg, long ms);

#endif
