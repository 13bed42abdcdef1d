/* of_db.h -- MySQL/MariaDB: connections, prepared statements by id, result rows, retried transactions. */
#ifndef OF_DB_H
#define OF_DB_H
#include <stddef.h>
#include <signal.h>
#include <stdint.h>
#include <mysql.h>
#include "of_config.h"
#include "of_err.h"

typedef struct of_db_s of_db_t;

/* Connect to database dbname (NULL = OF_MYSQL_DB) with utf8mb4, timeouts from config, autocommit on.
 * Caller frees with of_db_close(). NULL + errstr (never containing the password) on failure. */
of_db_t *of_db_connect(const of_config_t *cfg, const char *dbname, char *errstr, size_t errstr_size);
/* The same on another server (the order-sync sites): host NULL = OF_MYSQL_HOST, port 0 = OF_MYSQL_PORT; the account is
 * OF_MYSQL_USER / OF_MYSQL_PASSWORD. */
of_db_t *of_db_connect_to(const of_config_t *cfg, const char *host, unsigned int port, const char *dbname, char *errstr,
                          size_t errstr_size);
/* The same as of_db_connect (OF_MYSQL_DB), with session (a static statement, e.g. "SET SESSION …") run at this connect
 * and at every reconnection (MYSQL_INIT_COMMAND), so that the session never runs without it. */
of_db_t *of_db_connect_session(const of_config_t *cfg, const char *session, char *errstr, size_t errstr_size);
/* D-RT-14: a worker's first connection (OF_MYSQL_DB). A server that cannot be reached yet (a host starting, a restart,
 * too many connections) is waited for: each attempt logged (warn, naming `what`), the pause doubling from
 * OF_DB_CONNECT_WAIT_FIRST_MS up to OF_DB_CONNECT_WAIT_MAX_MS, until it answers or a stop is asked (the flag of
 * of_db_set_interrupt: NULL then, errstr says so). A refusal of the account or of the database's name, or no memory,
 * ends it at once (NULL, errstr): a configuration to fix, not an outage to wait for. */
#define OF_DB_CONNECT_WAIT_FIRST_MS 500
#define OF_DB_CONNECT_WAIT_MAX_MS 10000
of_db_t *of_db_connect_wait(const of_config_t *cfg, const char *what, char *errstr, size_t errstr_size);
/* The same wait for a connection to host:port, database dbname (of_db_connect_to's; NULL / 0 = the OF_MYSQL_* one). */
of_db_t *of_db_connect_wait_to(const of_config_t *cfg, const char *host, unsigned int port, const char *dbname,
                               const char *what, char *errstr, size_t errstr_size);
void of_db_close(of_db_t *db);
/* Borrowed; valid until the next reconnect. For plain (non-parameterised) statements such as DDL files. */
MYSQL *of_db_handle(of_db_t *db);

/* Register a statement; it is prepared on first use and again after every reconnect (style.md), or after it was
 * closed to keep the connection within OF_MYSQL_PREPARED_PARAMS (D-T10-70).
 * Returns its id (>= 0) or -1 when the registry is full. sql is borrowed (keep it static). */
int of_db_register(of_db_t *db, const char *sql);

/* OFP_REF: the auto-increment id of row .u of table .len of a write set (of_wset), resolved before the statement
 * runs; never bound as is. */
/* OFP_BLOB: bytes of length .len (0 is an empty value), bound as binary (no character set conversion). */
typedef enum { OFP_NULL, OFP_I64, OFP_U64, OFP_STR, OFP_MONEY, OFP_REF, OFP_BLOB } of_param_type_t;
/* 24 bytes: a batch's write set holds tens of thousands of them. */
typedef struct {
    of_param_type_t type;
    union {
        int64_t i;     /* OFP_I64, OFP_MONEY (1/10000 units) */
        uint64_t u;    /* OFP_U64, OFP_REF (the row) */
        const char *s; /* OFP_STR, OFP_BLOB (borrowed for the call) */
    };
    size_t len; /* OFP_STR length, 0 with s != NULL means strlen(s); OFP_BLOB length; OFP_REF: the table */
} of_param_t;
#define OFP_S(v) ((of_param_t){.type = OFP_STR, .s = (v)})
#define OFP_SN(v, n) ((of_param_t){.type = OFP_STR, .s = (v), .len = (n)})
#define OFP_BN(v, n) ((of_param_t){.type = OFP_BLOB, .s = (const char *)(v), .len = (n)})
#define OFP_I(v) ((of_param_t){.type = OFP_I64, .i = (int64_t)(v)})
#define OFP_U(v) ((of_param_t){.type = OFP_U64, .u = (uint64_t)(v)})
#define OFP_M(v) ((of_param_t){.type = OFP_MONEY, .i = (int64_t)(v)})
#define OFP_NUL ((of_param_t){.type = OFP_NULL})
#define OFP_REF(table, row) ((of_param_t){.type = OFP_REF, .u = (uint64_t)(row), .len = (size_t)(table)})

/* Execute a registered statement. affectedp / insert_idp may be NULL.
 * Errors: OF_ERR_DUPLICATE (1062), OF_ERR_TRANSIENT (a condition of the server that passes: deadlock, lock wait,
 * lost connection, table or disk full, read-only, too many connections ... see of_db_errno_blame),
 * OF_ERR_DB (anything else: of_db_last_errno tells whether a row's data is to blame). */
of_err_t of_db_exec(of_db_t *db, int stmt, const of_param_t *params, int nparams, uint64_t *affectedp,
                    uint64_t *insert_idp, char *errstr, size_t errstr_size) OF_MUST_CHECK;

/* Result of a query: every cell as a string (NULL for SQL NULL). */
struct of_rows_block; /* of_db.c */
typedef struct {
    int nrows, ncols;
    char **cells; /* nrows * ncols, pointing into blocks */
    size_t *lens;
    struct of_rows_block *blocks; /* the cells' bytes, a few large blocks, not one allocation per cell (D-T10-72) */
    /* D-T10-76: integer columns come as numbers (their cells hold the same decimal text): icol[c] is 1 for one,
     * ivals[row * ncols + c] its value (0 for NULL; an unsigned value as its bits). NULL when none. */
    unsigned char *icol;
    long long *ivals;
} of_rows_t;
/* Run a registered SELECT. Caller frees *rowsp with of_rows_free(). */
of_err_t of_db_query(of_db_t *db, int stmt, const of_param_t *params, int nparams, of_rows_t **rowsp, char *errstr,
                     size_t errstr_size) OF_MUST_CHECK;
void of_rows_free(of_rows_t *rows);
/* Borrowed; NULL for SQL NULL or out of range. */
const char *of_rows_str(const of_rows_t *rows, int row, int col);
/* The cell as an integer: an integer column's value, else the text's (strtoll); 0 for NULL or out of range. */
long long of_rows_i64(const of_rows_t *rows, int row, int col);

/* D-T10-65: a read of 200 or more distinct equality ranges (MariaDB's eq_range_index_dive_limit: keys, or pairs
 * times the values of another IN) is planned from the index's statistics instead of by looking each key up. On an
 * index whose column holds mostly one value (sales_trade.split_from_trade_id: 0) or with a row-constructor IN
 * ((shop_id, tid) pairs) those statistics make MariaDB scan the whole index, every row of the table, whatever the
 * keys. A read of such an index starts with this: its keys are looked up, the plan is a range of n keys.
 * MariaDB syntax (MySQL 8 would take the optimizer hint SET_VAR). */
#define OF_DB_DIVE "SET STATEMENT eq_range_index_dive_limit = 0 FOR "

/* Multi-row statements: head, then row k times joined by ", ", then tail, e.g. head "INSERT INTO t (a, b) VALUES ",
 * row "(?, ?)", tail " ON DUPLICATE KEY UPDATE ..."; or head "SELECT ... WHERE k IN (", row "?", tail ")". Each is
 * registered for the row counts of_db_multi_size_ok allows (its text built and prepared on first use), and a call
 * with n rows runs the largest sizes that fit, so a batch's rows of one table are a few round trips, not n: up to
 * 16 rows one statement, 17–80 mostly two (79 = 64 + 15), 500 rows nine (64 x 7, 48, 4); past 64 rows, 128 and 256
 * a statement while that is at most OF_DB_MULTI_PARAMS parameters (D-RT-10: 256 keys, 128 rows of up to 8 columns;
 * 200 keys: one read, padded by the *_in calls). Under a parameter bound (of_db_set_param_bound, D-T10-64) rows of
 * two parameters or more take the powers of two within it (sales_trade's 59 columns: 16 rows a statement under
 * 1,024). Params are row after row (row_params each); the head
 * and tail take none. A query returns the rows of every part, in part order. */
#define OF_DB_MULTI_SIZES 22
#define OF_DB_MULTI_MAX 64
/* Without a bound, rows of this many parameters or more get the powers of two only (1, 2, 4 … 64). */
#define OF_DB_MULTI_WIDE 16
/* The bound a worker of several lanes sets (D-T10-64). The client library keeps ~220 bytes per parameter of every
 * prepared statement for the statement's life (D-T10-70 closes the least recently used past a limit): sizes of up to 64
 * rows of every count cost a trade-submit connection ~9 MB (42,048 parameters after a 20,000-trade drain); with powers
 * of two of at most 1,024 parameters a table's sizes keep under 2 x 1,024 (19,556 after the same drain), at more,
 * smaller statements. */
#define OF_DB_MULTI_PARAMS 1024
/* 1 when a multi-row statement of row_params parameters a row is prepared for `rows` rows: one row always; at most
 * OF_DB_MULTI_MAX rows, or 128 and 256 while rows * row_params <= OF_DB_MULTI_PARAMS (D-RT-10); then without a bound
 * (0) any count for rows under OF_DB_MULTI_WIDE parameters and powers of two for wider ones; under a bound, for
 * rows of two parameters or more, powers of two of at most `bound` parameters (rows * row_params). Pure. */
int of_db_multi_size_ok(int row_params, int rows, int bound);
/* The bound of every multi-row statement registered from now on, on every connection of the process (0 = none,
 * the default): call once at start, before the connections register their statements (D-T10-64). */
void of_db_set_param_bound(int params);
typedef struct {
    int id[OF_DB_MULTI_SIZES];
    int row_params;
    int bulk; /* D-RT-16: an INSERT (or REPLACE) of value rows: its rows may go in one bulk execution */
} of_db_multi_t;
of_err_t of_db_register_multi(of_db_t *db, const char *head, const char *row, const char *tail,
                              of_db_multi_t *m) OF_MUST_CHECK;
/* At most `rows` rows per statement on this connection from now on (1: every row its own statement, the benchmark's
 * first ceiling); 0 = no cap but the prepared sizes. */
void of_db_set_multi_max(of_db_t *db, int rows);
/* The same with rows joined by sep instead of ", " (e.g. " UNION ALL " for a derived table of rows). */
of_err_t of_db_register_multi_sep(of_db_t *db, const char *head, const char *row, const char *sep, const char *tail,
                                  of_db_multi_t *m) OF_MUST_CHECK;
/* *affectedp: the sum over the parts. Not atomic by itself: run it inside of_db_tx.
 * D-RT-16: an INSERT or REPLACE of value rows (head "INSERT …", rows joined by ", ") on a connection where
 * OF_MYSQL_BULK is on and the server can (MariaDB 10.2+) runs its one-row statement once with every row as an array of
 * parameters (COM_STMT_BULK_EXECUTE), in parts of at most OF_DB_BULK_BYTES of data (or half the server's
 * max_allowed_packet when that is less): one round trip and one prepared statement a table, whatever the count. A
 * column whose rows bind different types (other than NULL) takes the multi-row statements instead; so does a server
 * that refuses the bulk before writing (binlog_format=STATEMENT: the connection stops trying; a statement whose kind it
 * refuses: that statement; logged). */
#define OF_DB_BULK_BYTES (4 * 1024 * 1024)
/* The most data one statement of this connection should carry: OF_DB_BULK_BYTES, or half the server's
 * max_allowed_packet when that is less (read on every connect; 64 kB when it could not be read). For a caller that
 * cuts its own rows into statements (the dlq-recorder's originals). */
size_t of_db_part_bytes(const of_db_t *db);
of_err_t of_db_exec_multi(of_db_t *db, const of_db_multi_t *m, const of_param_t *params, int nrows, uint64_t *affectedp,
                          char *errstr, size_t errstr_size) OF_MUST_CHECK;
/* A multi-row INSERT into a table with an auto-increment key: ids[r] = the id row r got (nrows of them). When the
 * server hands one statement consecutive ids (innodb_autoinc_lock_mode 0 or 1, probed on connect; decision D-T10-51)
 * they come from the first id and auto_increment_increment; otherwise every row is its own statement. */
of_err_t of_db_exec_multi_ids(of_db_t *db, const of_db_multi_t *m, const of_param_t *params, int nrows, uint64_t *ids,
                              uint64_t *affectedp, char *errstr, size_t errstr_size) OF_MUST_CHECK;
/* The same for a statement whose rows are keys that may repeat (UPDATE … WHERE k IN (…)): padded as
 * of_db_query_multi_in below, so that n keys are one statement while n fits the largest size. */
of_err_t of_db_exec_multi_in(of_db_t *db, const of_db_multi_t *m, const of_param_t *params, int nrows,
                             uint64_t *affectedp, char *errstr, size_t errstr_size) OF_MUST_CHECK;
/* D-RT-9: the same for a statement that a row of pad_row changes nothing with (an UPDATE … JOIN on a key or a DELETE
 * … IN (…), pad_row all NULLs): rows beyond the largest size in statements of that size, the rest in one statement of
 * the smallest power-of-two size that holds it, filled with pad_row (37 rows: one statement of 64, not 32 + 5; a
 * table then keeps only its power-of-two sizes prepared). *affectedp counts the real rows only (pad rows match none).
 */
of_err_t of_db_exec_multi_pad(of_db_t *db, const of_db_multi_t *m, const of_param_t *params, int nrows,
                              const of_param_t *pad_row, uint64_t *affectedp, char *errstr,
                              size_t errstr_size) OF_MUST_CHECK;
of_err_t of_db_query_multi(of_db_t *db, const of_db_multi_t *m, const of_param_t *params, int nrows, of_rows_t **rowsp,
                           char *errstr, size_t errstr_size) OF_MUST_CHECK;
/* The same for a read whose rows are keys that may repeat (WHERE k IN (…), (a, b) IN (…), a derived table whose
 * rows each name the asking key): the last part is padded up to the next prepared size by repeating the last row's
 * parameters (or with `pad`, one row's parameters, when not NULL), so that n keys take one round trip while n fits the
 * largest size (200 keys: one statement of 256, not 128 + 64 + 8). Only for statements where the padding changes
 * nothing the caller reads: an IN list returns a row once; a derived table whose rows each name the asking key
 * repeats the last key's result rows, unless `pad` names a key the caller skips. */
of_err_t of_db_query_multi_in(of_db_t *db, const of_db_multi_t *m, const of_param_t *params, int nrows,
                              const of_param_t *pad, of_rows_t **rowsp, char *errstr, size_t errstr_size) OF_MUST_CHECK;

/* Plain statement without parameters (BEGIN-free DDL, SET ...). */
of_err_t of_db_plain(of_db_t *db, const char *sql, char *errstr, size_t errstr_size) OF_MUST_CHECK;

typedef of_err_t (*of_db_tx_fn)(of_db_t *db, void *ctx, char *errstr, size_t errstr_size);
/* Run fn inside BEGIN..COMMIT. A transient error (deadlock 1213, lock wait 1205, lost connection
 * 2006/2013, table full 1114, read-only 1290 ... of_db_errno_blame) from fn or from COMMIT rolls back, reconnects when
 * needed, waits with exponential backoff (capped by OF_RETRY_BACKOFF_MAX_MS) and runs fn again, up to OF_TX_RETRIES
 * times. fn must therefore be safe to re-run (keep its effects in the database until commit). Any other error rolls
 * back and is returned. */
of_err_t of_db_tx(of_db_t *db, of_db_tx_fn fn, void *ctx, char *errstr, size_t errstr_size) OF_MUST_CHECK;

/* When the last of_db_tx returned a transient error after all of its attempts (OF_TX_RETRIES + 1, at least two),
 * each of which failed on a statement with the same MySQL error: that error number (a condition that outlasted the
 * retries, D-MOD-45). 0 otherwise: it committed, failed otherwise, stopped retrying for a stop (of_db_set_interrupt),
 * its attempts failed differently, or OF_TX_RETRIES is 0 (one attempt cannot tell a lasting error from a race). */
unsigned int of_db_tx_gave_up_on(const of_db_t *db);

/* D-RT-15: from now on every connection of the process (reconnections too) also bounds its wait for a table's lock
 * (metadata: another session's LOCK TABLES, an ALTER in progress) by OF_MYSQL_LOCK_WAIT_S, the session's
 * lock_wait_timeout (MariaDB's default: a day), as D-RT-8 bounds a row's; the statement then fails with 1205 and is
 * retried. For the workers (of_worker_init), whose stop it bounds; not for ordctl, whose migrations wait for their
 * tables' locks as long as the server lets them. */
void of_db_set_table_lock_wait(int on);
/* A flag (e.g. &of_stop_requested) that of_db_tx checks between retries: once set, it stops retrying
 * and returns the transient error at once, so SIGTERM is not held up by a long database outage. */
void of_db_set_interrupt(volatile sig_atomic_t *flag);

/* D-RT-12: on (1), once that flag is set, of_db_tx begins no transaction on db, and a transaction of db that began
 * OF_DB_STOP_GRACE_MS or more ago sends no statement more: both fail as transient, the transaction rolled back. Only
 * for a connection whose transactions have no effect outside the database before their commit (a Kafka send, an HTTP
 * call, a Redis counter): their work is then simply done again after the restart. Off by default. */
#define OF_DB_STOP_GRACE_MS 2000
void of_db_set_stop_abandon(of_db_t *db, int on);

/* What a MySQL error number blames (issue 10, item 1), and so what its caller may do about it. */
typedef enum {
    OF_DB_BLAME_NONE,      /* 0: no error */
    OF_DB_BLAME_SERVER,    /* a condition of the server that passes (full, read-only, too many connections, lock
                            * wait, lost connection, out of memory, shutting down ...): retry later, never dead-letter */
    OF_DB_BLAME_ROW,       /* the data of one row (too long, out of range, NULL, foreign key, CHECK, duplicate key):
                            * the message that carries it may be dead-lettered */
    OF_DB_BLAME_STATEMENT, /* the SQL, the schema, the transaction's size, or a code this table does not know: a
                            * smaller transaction may pass, but no message is to blame by this code alone */
} of_db_blame_t;
of_db_blame_t of_db_errno_blame(unsigned int mysql_errno);
/* The error class of a MySQL error number: OF_OK (0), OF_ERR_DUPLICATE (1062), OF_ERR_TRANSIENT (blame SERVER),
 * OF_ERR_DB (blame ROW or STATEMENT). */
of_err_t of_db_errno_class(unsigned int mysql_errno);
/* The MySQL error number of the last failed call on db (of_db_exec/query/plain/tx), 0 when the last call
 * succeeded or failed without one (an unregistered statement, a wrong parameter count, out of memory). */
unsigned int of_db_last_errno(const of_db_t *db);

#endif
