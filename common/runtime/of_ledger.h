/* of_ledger.h -- the processed-event ledger (processed_event): its retention. */
#ifndef OF_LEDGER_H
#define OF_LEDGER_H
#include "of_db.h"

/* Delete up to limit ledger rows older than retention_h hours (OF_LEDGER_RETENTION_H). A replay of messages older
 * than the retention is applied again, so it must exceed the topics' retention (a week on the local stack).
 * Returns the number deleted, -1 on a database error. The statement is registered on db at the first call. */
int of_ledger_prune(of_db_t *db, int retention_h, int limit);

#endif
