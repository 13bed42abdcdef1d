/* of_catcache.h -- a worker's published catalogue (INIT-01): the current immutable snapshot, loaded when there is
 * none, refreshed table by table every OF_CATALOG_REFRESH_S, and moved forward after a commit with the platform goods
 * rows the transaction wrote (D-T10-30). Shared by the workers that submit (trade-submit, trade-modify). */
#ifndef OF_CATCACHE_H
#define OF_CATCACHE_H
#include <stddef.h>
#include "of_catalog.h"
#include "of_config.h"
#include "of_db.h"

typedef struct of_catcache_s of_catcache_t;

/* NULL when out of memory. Borrowed: cfg, db. */
of_catcache_t *of_catcache_new(const of_config_t *cfg, of_db_t *db);
void of_catcache_destroy(of_catcache_t *cc);

/* A reference to the current snapshot for a batch (release with of_cat_snap_release), loading it first when there
 * is none (outside any transaction); NULL when it cannot be read (logged: retry the batch later). */
of_cat_snap_t *of_catcache_acquire(of_catcache_t *cc);
/* After a batch: committed, the platform goods rows its transaction wrote (n of them) go into a new published
 * snapshot and *batch_snap (the batch's reference) moves onto it; rolled back, nothing. */
void of_catcache_commit(of_catcache_t *cc, of_cat_snap_t **batch_snap, int committed, const of_api_goods_t *rows,
                        size_t n);
/* Between batches: read the tables' fingerprints when OF_CATALOG_REFRESH_S has passed, and publish what changed. */
void of_catcache_tick(of_catcache_t *cc);
/* The same check now, whatever the time since the last one (a batch that must see the latest configuration:
 * a resubmit request). */
void of_catcache_refresh(of_catcache_t *cc);
/* The tables (comma-separated, each once) whose change the loads and refreshes since the last call published (all of
 * them after the first load); 1 when there are some. Cleared by the call. */
int of_catcache_changes(of_catcache_t *cc, char *buf, size_t size);

#endif
