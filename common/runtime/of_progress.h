/* of_progress.h -- one status line on stderr for long commands (publish, replay, load ...): redrawn in place while
 * stderr is a terminal, silent when it is a pipe or a file (scripts and tests read only the final result). */
#ifndef OF_PROGRESS_H
#define OF_PROGRESS_H
#include <stdint.h>

typedef struct {
    int on;          /* stderr is a terminal and the caller did not ask for quiet */
    int shown;       /* a line is on the screen */
    int64_t next_ms; /* earliest next redraw (monotonic ms) */
    const char *who; /* prefix, e.g. "ordctl publish-trades" (borrowed) */
} of_progress_t;

/* Start a progress line: on only when stderr is a terminal and quiet is 0. */
void of_progress_init(of_progress_t *p, const char *who, int quiet);
/* Redraw the line with the formatted text: the first call draws at once, later ones at most every 200 ms
 * (force: now). Does nothing when off. */
void of_progress_show(of_progress_t *p, int force, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Clear the line (before the final result or an error message is printed). */
void of_progress_end(of_progress_t *p);

#endif
