/* ordctl resubmit -- reprocess the raw trades a rule stopped, once the cause is fixed (issue 15 part 4, OP-10):
 * a resubmit request per trade on trade.raw, which trade-submit turns into a new submission (of_resubmit.h). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "of_db.h"
#include "of_kafka.h"
#include "of_resubmit.h"
#include "ordctl.h"

static void progress(const of_resub_result_t *r, void *arg) {
    const int *dry = arg;
    fprintf(stderr, "\rordctl resubmit: %ld found, %ld requested", r->found, *dry ? 0L : r->published);
    fflush(stderr);
}

int cmd_resubmit(int argc, char **argv) {
    of_resub_filter_t f = {0};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--rule") && i + 1 < argc)
            f.rules = argv[++i];
        else if (!strcmp(argv[i], "--tid") && i + 1 < argc)
            f.tid = argv[++i];
        else if (!strcmp(argv[i], "--since") && i + 1 < argc)
            f.since = argv[++i];
        else if (!strcmp(argv[i], "--dry-run"))
            f.dry_run = 1;
        else {
            fprintf(stderr, "ordctl resubmit: unknown argument %s\n", argv[i]);
            return 2;
        }
    }
    if (!f.dry_run && need_kafka()) return 2;
    char err[512], prod[256];
    snprintf(prod, sizeof prod, "ordctl-resubmit@%s", of_cfg_str(cfg, OF_CFG_INSTANCE_ID));
    of_db_t *db = of_db_connect(cfg, NULL, err, sizeof err);
    if (!db) {
        fprintf(stderr, "ordctl resubmit: %s\n", err);
        return 1;
    }
    of_resubmit_t *rs = of_resubmit_new(db);
    of_producer_t *p = f.dry_run || !rs ? NULL : of_producer_new(cfg, prod, err, sizeof err);
    int rc = 1;
    if (!rs)
        fprintf(stderr, "ordctl resubmit: out of memory\n");
    else if (!f.dry_run && !p)
        fprintf(stderr, "ordctl resubmit: producer: %s\n", err);
    else {
        of_resub_result_t r;
        int tty = isatty(STDERR_FILENO);
        of_err_t e = of_resubmit_run(rs, p, prod, &f, &r, tty ? progress : NULL, &f.dry_run, err, sizeof err);
        if (tty && r.found) fputc('\n', stderr);
        for (size_t i = 0; i < r.nrules; i++)
            printf("%-12s %ld\n", r.rules[i].rule, r.rules[i].n);
        if (e) fprintf(stderr, "ordctl resubmit: %s (run it again: a request is applied once)\n", err);
        printf("found=%ld requested=%ld dry_run=%d\n", r.found, r.published, f.dry_run);
        if (!e && r.found && !f.dry_run)
            printf("trade-submit submits each again (once); `ordctl explain --tid T` shows the outcome, `ordctl "
                   "resubmit --dry-run` what is still stopped\n");
        rc = e == OF_OK ? 0 : e == OF_ERR_INVALID ? 2 : 1;
    }
    of_producer_destroy(p);
    of_resubmit_destroy(rs);
    of_db_close(db);
    return rc;
}
