/* of_cpage.h -- the ops console's HTML (of-console): the page, its panels, the login form, inline SVG bar charts,
 * rendered from a plain model the console fills. Pure: text in, text out, no server. Every text from the model is
 * HTML-escaped. */
#ifndef OF_CPAGE_H
#define OF_CPAGE_H
#include <stddef.h>
#include <stdint.h>

/* A growing text buffer; oom set when an allocation failed (the text is then incomplete). */
typedef struct {
    char *s;
    size_t len, cap;
    int oom;
} of_cpage_buf_t;
void of_cpage_puts(of_cpage_buf_t *b, const char *s);
void of_cpage_printf(of_cpage_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s HTML-escaped (& < > " '). */
void of_cpage_esc(of_cpage_buf_t *b, const char *s);
void of_cpage_free(of_cpage_buf_t *b);

/* A bar chart as inline SVG: n values, labels[i] under bar i (NULL: none), title for screen readers. */
void of_cpage_bars(of_cpage_buf_t *b, const char *title, const long long *values, const char *const *labels, int n);

#define OF_CPAGE_MAX_PARTS 64
typedef struct {
    int partition;
    long long committed, lo, hi, lag;
} of_cpage_part_t;
typedef struct {
    char group[128], topic[160];
    int rung;  /* 1..4: a retry-ladder rung topic; 0 otherwise */
    int state; /* 0 inside the log, 1 a gap (msg), -1 no answer */
    char msg[512];
    long long lag;
    int np;
    of_cpage_part_t parts[OF_CPAGE_MAX_PARTS];
} of_cpage_lag_t;
typedef struct {
    long long id;
    char topic[160], order[104], klass[32], dead_at[32], redriven_at[32], error[512];
    int attempts, redrives;
    long long bytes;
} of_cpage_dl_t;
typedef struct {
    char when[32], oid[32], side[16], op[40], row[64], why[256];
} of_cpage_conflict_t;
typedef struct {
    int status;
    long long count;
} of_cpage_status_t;

#define OF_CPAGE_MINUTES 15
typedef struct {
    const char *now;      /* when the numbers were read, shown */
    const char *csrf;     /* the forms' CSRF token */
    const char *notice;   /* NULL, or a message shown on top (e.g. what a re-drive did) */
    int refresh_s;        /* panels refreshed every N s without reload; 0 = never */
    char status_err[256]; /* "" = read; else the panel shows it */
    of_cpage_status_t statuses[64];
    size_t nstatuses;
    char moves_err[256];
    long long moves[OF_CPAGE_MINUTES]; /* order log rows per minute, oldest first, the last = the current minute */
    char lag_err[256];
    of_cpage_lag_t *lags;
    size_t nlags;
    char dl_err[256];
    of_cpage_dl_t *dls;
    size_t ndls;
    char fs_err[256], fs_live_err[256];
    long long fs_live[5], fs_final[5]; /* inactive, active, complete, failed, delayed */
    long fs_scanned;
    int fs_more;
    char sync_err[256];
    of_cpage_conflict_t *conflicts;
    size_t nconflicts;
    char stock_err[256];
    int stock_rc; /* 0 OK, 1 drift */
    const char *stock_text;
    const char *search_q;    /* NULL: no search */
    const char *search_text; /* its explain output */
    char search_err[256];
} of_cpage_model_t;

/* The panels (what the page refreshes): orders by status, moves, lag, retry ladder, dead letters, flash jobs, sync
 * conflicts, stock check. */
void of_cpage_panels(of_cpage_buf_t *b, const of_cpage_model_t *m);
/* The whole page: header, notice, search (with its result), the panels, the refresh script. */
void of_cpage_page(of_cpage_buf_t *b, const of_cpage_model_t *m);
/* The login form (POST /login, field token); msg NULL or why the last try failed. */
void of_cpage_login(of_cpage_buf_t *b, const char *msg);

#endif
