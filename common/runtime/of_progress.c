/* of_progress.c -- a status line on stderr, redrawn in place on a terminal, silent otherwise. */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>
#include "of_progress.h"
#include "of_time.h"

#define REDRAW_MS 200

void of_progress_init(of_progress_t *p, const char *who, int quiet) {
    p->on = !quiet && isatty(STDERR_FILENO);
    p->shown = 0;
    p->next_ms = 0;
    p->who = who;
}

void of_progress_show(of_progress_t *p, int force, const char *fmt, ...) {
    if (!p->on) return;
    int64_t now = of_mono_ms();
    if (!force && p->shown && now < p->next_ms) return;
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    /* \r back to the line's start, \033[K clears what a longer earlier line left */
    fprintf(stderr, "\r%s: %s\033[K", p->who, line);
    fflush(stderr);
    p->shown = 1;
    p->next_ms = now + REDRAW_MS;
}

void of_progress_end(of_progress_t *p) {
    if (!p->on || !p->shown) return;
    fprintf(stderr, "\r\033[K");
    fflush(stderr);
    p->shown = 0;
}
