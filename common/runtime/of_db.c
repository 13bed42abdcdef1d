/* of_db.c -- MySQL C API wrapper: prepared statement registry, binding in one place, retried transactions. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <errmsg.h>
#include <mysqld_error.h>
#include "of_db.h"
#include "of_log.h"
#include "of_metrics.h"
#include "of_money.h"
#include "of_str.h"
#include "of_time.h"

#define OF_DB_MAX_STMTS 2048
#define SMALL_BINDS 64

struct of_db_s {
    MYSQL *my;
    const of_config_t *cfg;
    const char *session; /* of_db_connect_session's statement, run at every connect; NULL = none */
    char dbname[128];
    char host[256];
    unsigned int port;
    const char *sql[OF_DB_MAX_STMTS];
    char *owned[OF_DB_MAX_STMTS]; /* texts built for multi-row statements (freed on close) */
    short lazy[OF_DB_MAX_STMTS];  /* a multi-row statement's slot: 1 + its index in mtext, 0 = a plain one */
    unsigned short lazy_rows[OF_DB_MAX_STMTS];
    struct {
        char *head, *row, *sep, *tail; /* copies */
    } * mtext;
    int nmtext;
    MYSQL_STMT *stmt[OF_DB_MAX_STMTS];
    int nstmts;
    int broken;              /* connection lost: reconnect before the next use */
    unsigned int last_errno; /* of the last failed call, 0 when it succeeded (of_db_last_errno) */
    /* D-T10-51: one multi-row INSERT takes consecutive auto-increment ids (innodb_autoinc_lock_mode 0 or 1), spaced
     * by auto_increment_increment; probed on every connect. 0 = not guaranteed (mode 2): of_db_exec_multi_ids
     * then writes one row per statement. */
    int consecutive_ids;
    uint64_t id_step;
    int multi_max;     /* the largest part of a multi-row statement (of_db_set_multi_max), 0 = the prepared sizes' */
    int bulk;          /* D-RT-16: OF_MYSQL_BULK and the server takes bulk executions (probed on every connect) */
    int bulk_refused;  /* the server refused one (binlog_format=STATEMENT): multi-row statements from now on */
    size_t part_bytes; /* a statement's data at most (of_db_part_bytes): OF_DB_BULK_BYTES, or half max_allowed_packet */
    unsigned char no_bulk[OF_DB_MAX_STMTS]; /* a statement the server refused a bulk of (ER_UNSUPPORTED_PS) */
    /* D-T10-70: the parameters of the statements prepared now, and when each was last used (a tick per use) */
    long params;
    long budget; /* OF_MYSQL_PREPARED_PARAMS, 0 = no limit */
    unsigned long tick;
    unsigned long used[OF_DB_MAX_STMTS];
    int stop_abandon;           /* of_db_set_stop_abandon (D-RT-12) */
    int64_t tx_start_us;        /* of_db_tx's attempt in progress (of_mono_us), 0 outside one (D-RT-12) */
    unsigned int tx_gave_up_on; /* of_db_tx_gave_up_on */
    /* D-T10-73: the parameters of a statement of more than SMALL_BINDS, bound in arrays kept from one statement to the
     * next (grown, never shrunk while the connection lives) instead of four callocs and frees a statement */
    MYSQL_BIND *bb;
    char (*bmoney)[32];
    unsigned long *blen;
    my_bool *bnull;
    size_t bcap;
};

/* Issue 10, item 1: a database that refuses writes for a while (table full, read-only, out of connections ...)
 * must hold the batch back, not dead-letter it; only what a row's data causes may cost a message its place.
 * Codes are MariaDB's/MySQL's (mysqld_error.h: 1000-1999, 3000-4999), the client library's (errmsg.h: 2000-2999,
 * 5000-5999) and the server's OS/file errors (mysys: 1-999, e.g. 3 "Error writing file (Errcode: 28)"). */
of_db_blame_t of_db_errno_blame(unsigned int e) {
    switch (e) {
    case 0:
        return OF_DB_BLAME_NONE;

    /* ---- the server's condition: retry (OF_ERR_TRANSIENT) ---- */
    /* storage full or failing: a table, the disk, the temporary directory, a file the engine needs */
    case ER_RECORD_FILE_FULL:          /* 1114 The table '%s' is full */
    case ER_DISK_FULL:                 /* 1021 Disk full, waiting for someone to free some space */
    case ER_GET_ERRNO:                 /* 1030 Got error %d from storage engine (28 = no space left on device) */
    case ER_ERROR_ON_WRITE:            /* 1026 Error writing file (Errcode: 28 ...) */
    case ER_ERROR_ON_READ:             /* 1024 */
    case ER_CANT_CREATE_FILE:          /* 1004 */
    case ER_CANT_OPEN_FILE:            /* 1016 */
    case ER_FILE_NOT_FOUND:            /* 1017 */
    case ER_CANT_LOCK:                 /* 1015 Can't lock file */
    case ER_IO_WRITE_ERROR:            /* 1811 */
    case ER_TEMP_FILE_WRITE_FAILURE:   /* 1878 */
    case ER_BINLOG_ROW_LOGGING_FAILED: /* 1534 Writing one row to the row-based binary log failed */
    case ER_GET_TEMPORARY_ERRMSG:      /* 1297 Got temporary error %d '%s' from %s */
    /* a damaged or missing table: the operator repairs it; no message is at fault, so wait */
    case ER_NOT_KEYFILE:             /* 1034 Incorrect key file for table; try to repair it */
    case ER_CRASHED_ON_USAGE:        /* 1194 */
    case ER_CRASHED_ON_REPAIR:       /* 1195 */
    case ER_INDEX_CORRUPT:           /* 1712 */
    case ER_TABLE_CORRUPT:           /* 1877 */
    case ER_ROW_IN_WRONG_PARTITION:  /* 1863 */
    case ER_TABLESPACE_MISSING:      /* 1812 */
    case ER_TABLESPACE_DISCARDED:    /* 1814 */
    case ER_NO_SUCH_TABLE_IN_ENGINE: /* 1932 */
    /* D-RT-13: a table, column or database the code names is not there (a migration running, renaming, or not run
     * yet): names are fixed in the code, so no message can cause it; wait for the schema, as for a damaged table */
    case ER_NO_SUCH_TABLE:   /* 1146 */
    case ER_BAD_FIELD_ERROR: /* 1054 */
    case ER_BAD_DB_ERROR:    /* 1049 */
    /* read-only: read_only=1 (1290 for a user without READ ONLY ADMIN/SUPER), a replica, a read-only transaction */
    case ER_OPTION_PREVENTS_STATEMENT:             /* 1290 running with the --read-only option */
    case ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION: /* 1792 */
    case ER_READ_ONLY_MODE:                        /* 1836 Running in read-only mode */
    /* out of memory or other resources */
    case ER_OUTOFMEMORY:                     /* 1037 */
    case ER_OUT_OF_SORTMEMORY:               /* 1038 */
    case ER_OUT_OF_RESOURCES:                /* 1041 */
    case ER_CANT_CREATE_THREAD:              /* 1135 */
    case ER_LOCK_TABLE_FULL:                 /* 1206 total number of locks exceeds the lock table size */
    case ER_TOO_MANY_CONCURRENT_TRXS:        /* 1637 */
    case ER_MAX_PREPARED_STMT_COUNT_REACHED: /* 1461 max_prepared_stmt_count, server-wide */
    /* too many connections, limits, blocked host, privileges (a grant missing is the configuration's, never the
     * message's: wait for the fix instead of dead-lettering the backlog) */
    case ER_CON_COUNT_ERROR:              /* 1040 Too many connections */
    case ER_TOO_MANY_USER_CONNECTIONS:    /* 1203 */
    case ER_USER_LIMIT_REACHED:           /* 1226 max_questions, max_updates ... per hour */
    case ER_HOST_IS_BLOCKED:              /* 1129 */
    case ER_DBACCESS_DENIED_ERROR:        /* 1044 */
    case ER_ACCESS_DENIED_ERROR:          /* 1045 */
    case ER_TABLEACCESS_DENIED_ERROR:     /* 1142 */
    case ER_COLUMNACCESS_DENIED_ERROR:    /* 1143 */
    case ER_SPECIFIC_ACCESS_DENIED_ERROR: /* 1227 */
    /* concurrency: deadlock, lock wait, a lock or a statement aborted, a definition changed meanwhile */
    case ER_LOCK_DEADLOCK:         /* 1213 (also Galera's certification failure) */
    case ER_LOCK_WAIT_TIMEOUT:     /* 1205 */
    case ER_LOCK_ABORTED:          /* 1689 Wait on a lock was aborted due to a pending exclusive lock */
    case ER_CHECKREAD:             /* 1020 Record has changed since last read */
    case ER_TABLE_DEF_CHANGED:     /* 1412 Table definition has changed, please retry transaction */
    case ER_NEED_REPREPARE:        /* 1615 Prepared statement needs to be re-prepared */
    case ER_QUERY_INTERRUPTED:     /* 1317 KILL QUERY */
    case ER_STATEMENT_TIMEOUT:     /* 1969 max_statement_time exceeded (a loaded server) */
    case ER_ERROR_DURING_COMMIT:   /* 1180 */
    case ER_ERROR_DURING_ROLLBACK: /* 1181 */
    case ER_XA_RBROLLBACK:         /* 1402 */
    case ER_XA_RBTIMEOUT:          /* 1613 */
    case ER_XA_RBDEADLOCK:         /* 1614 */
    /* the server going away or not ready */
    case ER_SERVER_SHUTDOWN:         /* 1053 Server shutdown in progress */
    case ER_CONNECTION_KILLED:       /* 1927 */
    case ER_NEW_ABORTING_CONNECTION: /* 1184 */
    case ER_ABORTING_CONNECTION:     /* 1152 */
    case ER_NET_READ_ERROR:          /* 1158 */
    case ER_NET_READ_INTERRUPTED:    /* 1159 */
    case ER_NET_ERROR_ON_WRITE:      /* 1160 */
    case ER_NET_WRITE_INTERRUPTED:   /* 1161 */
    case ER_UNKNOWN_COM_ERROR:       /* 1047 Galera: WSREP has not yet prepared node for application use */
    case 4031: /* MySQL 8 ER_CLIENT_INTERACTION_TIMEOUT (MariaDB's 4031, a missing trigger, only CREATE TRIGGER raises)
                */
    /* the client library: no connection, connection lost, out of sync, out of memory */
    case CR_SOCKET_CREATE_ERROR:  /* 2001 */
    case CR_CONNECTION_ERROR:     /* 2002 */
    case CR_CONN_HOST_ERROR:      /* 2003 */
    case CR_IPSOCK_ERROR:         /* 2004 */
    case CR_UNKNOWN_HOST:         /* 2005 (a name server away) */
    case CR_SERVER_GONE_ERROR:    /* 2006 */
    case CR_OUT_OF_MEMORY:        /* 2008 */
    case CR_SERVER_HANDSHAKE_ERR: /* 2012 */
    case CR_SERVER_LOST:          /* 2013 */
    case CR_COMMANDS_OUT_OF_SYNC: /* 2014 */
    case CR_SSL_CONNECTION_ERROR: /* 2026 */
    case CR_MALFORMED_PACKET:     /* 2027 */
    case CR_SERVER_LOST_EXTENDED: /* 2055 */
    case CR_STMT_CLOSED:          /* 2056 statement closed by a reconnect */
    case CR_ERR_NET_READ:         /* 5013 */
    case CR_ERR_NET_WRITE:        /* 5014 */
        return OF_DB_BLAME_SERVER;

    /* ---- one row's data: the message may be dead-lettered (OF_ERR_DB; 1062 OF_ERR_DUPLICATE) ---- */
    case ER_DUP_ENTRY:                       /* 1062 */
    case ER_DUP_ENTRY_WITH_KEY_NAME:         /* 1586 */
    case ER_DUP_UNIQUE:                      /* 1169 */
    case ER_BAD_NULL_ERROR:                  /* 1048 Column cannot be null */
    case ER_WARN_NULL_TO_NOTNULL:            /* 1263 */
    case ER_TOO_BIG_ROWSIZE:                 /* 1118 Row size too large */
    case ER_NO_REFERENCED_ROW:               /* 1216 foreign key */
    case ER_ROW_IS_REFERENCED:               /* 1217 */
    case ER_NO_REFERENCED_ROW_2:             /* 1452 */
    case ER_ROW_IS_REFERENCED_2:             /* 1451 */
    case ER_WARN_DATA_OUT_OF_RANGE:          /* 1264 Out of range value for column */
    case WARN_DATA_TRUNCATED:                /* 1265 Data truncated for column */
    case ER_TRUNCATED_WRONG_VALUE:           /* 1292 Truncated incorrect %s value */
    case ER_INVALID_CHARACTER_STRING:        /* 1300 */
    case ER_DIVISION_BY_ZERO:                /* 1365 */
    case ER_TRUNCATED_WRONG_VALUE_FOR_FIELD: /* 1366 Incorrect string value */
    case ER_ILLEGAL_VALUE_FOR_TYPE:          /* 1367 */
    case ER_VIEW_CHECK_FAILED:               /* 1369 */
    case ER_DATA_TOO_LONG:                   /* 1406 Data too long for column */
    case ER_DATETIME_FUNCTION_OVERFLOW:      /* 1441 */
    case ER_WRONG_VALUE:                     /* 1525 Incorrect %s value */
    case ER_NO_PARTITION_FOR_GIVEN_VALUE:    /* 1526 */
    case ER_SIGNAL_EXCEPTION:                /* 1644 a trigger's SIGNAL SQLSTATE '45000': a rule refused the row */
    case ER_DATA_OUT_OF_RANGE:               /* 1690 BIGINT value is out of range */
    case ER_DATA_OVERFLOW:                   /* 1916 */
    case ER_CONSTRAINT_FAILED:               /* 4025 CONSTRAINT failed (CHECK) */
    case ER_JSON_SYNTAX:                     /* 4038 */
        return OF_DB_BLAME_ROW;

    /* ---- the SQL, a column left out, the transaction's size: permanent, but no message is to blame by itself ---- */
    case ER_PARSE_ERROR:              /* 1064 */
    case ER_WRONG_VALUE_COUNT_ON_ROW: /* 1136 */
    case ER_NO_DEFAULT_FOR_FIELD:     /* 1364 a column left out of the INSERT */
    case ER_SP_DOES_NOT_EXIST:        /* 1305 */
    case ER_NET_PACKET_TOO_LARGE:     /* 1153 larger than max_allowed_packet: a smaller transaction may pass */
    case ER_TRANS_CACHE_FULL:         /* 1197 larger than max_binlog_cache_size: idem */
    case ER_STMT_CACHE_FULL:          /* 1705 idem */
    case ER_UNKNOWN_ERROR:            /* 1105 an engine's or a plugin's catch-all */
    case CR_NET_PACKET_TOO_LARGE:     /* 2020 */
    case CR_NO_PREPARE_STMT:          /* 2030 */
    case CR_PARAMS_NOT_BOUND:         /* 2031 */
    case CR_INVALID_PARAMETER_NO:     /* 2034 */
    case CR_INVALID_BUFFER_USE:       /* 2035 */
    case CR_UNSUPPORTED_PARAM_TYPE:   /* 2036 */
    case CR_NO_DATA:                  /* 2051 */
    case CR_NO_STMT_METADATA:         /* 2052 */
    case CR_NOT_IMPLEMENTED:          /* 2054 */
        return OF_DB_BLAME_STATEMENT;

    default:
        /* Unknown codes: the server's OS/file errors (below 1000) and the client library's (2000-2999,
         * 5000-5999) are conditions of the server or the network: retry. An unknown server code (1000-1999,
         * 3000+) is permanent but blames no message: a caller that isolates a poison message (of_ingest) dead-
         * letters for it only when the database accepts the message's batch-mates, never a whole batch. */
        if (e < 1000 || (e >= CR_MIN_ERROR && e <= CR_MAX_ERROR) || (e >= 5000 && e <= 5999)) return OF_DB_BLAME_SERVER;
        return OF_DB_BLAME_STATEMENT;
    }
}

of_err_t of_db_errno_class(unsigned int e) {
    switch (of_db_errno_blame(e)) {
    case OF_DB_BLAME_NONE:
        return OF_OK;
    case OF_DB_BLAME_SERVER:
        return OF_ERR_TRANSIENT;
    default:
        return e == ER_DUP_ENTRY ? OF_ERR_DUPLICATE : OF_ERR_DB;
    }
}

unsigned int of_db_last_errno(const of_db_t *db) {
    return db->last_errno;
}

/* Errors after which the connection is closed and opened again (statements re-prepared on the way). */
static int is_conn_lost(unsigned int e) {
    switch (e) {
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case CR_CONN_HOST_ERROR:
    case CR_CONNECTION_ERROR:
    case CR_SERVER_LOST_EXTENDED:
    case CR_COMMANDS_OUT_OF_SYNC:
    case CR_MALFORMED_PACKET:
    case CR_STMT_CLOSED:
    case CR_NET_PACKET_TOO_LARGE:
    case CR_ERR_NET_READ:
    case CR_ERR_NET_WRITE:
    case ER_SERVER_SHUTDOWN:
    case ER_CONNECTION_KILLED:
    case ER_NEW_ABORTING_CONNECTION:
    case ER_ABORTING_CONNECTION:
    case ER_NET_READ_ERROR:
    case ER_NET_READ_INTERRUPTED:
    case ER_NET_ERROR_ON_WRITE:
    case ER_NET_WRITE_INTERRUPTED:
    case ER_NET_PACKET_TOO_LARGE: /* the server closes the connection after it */
    case ER_NEED_REPREPARE:       /* re-prepare every statement */
    case 4031:
        return 1;
    default:
        return 0;
    }
}

static of_err_t fail(of_db_t *db, unsigned int e, const char *what, const char *msg, char *errstr, size_t size) {
    if (is_conn_lost(e)) db->broken = 1;
    db->last_errno = e;
    of_err_t c = of_db_errno_class(e);
    if (c == OF_OK)
        c = OF_ERR_DB; /* a failure the library left without a code (e.g. out of memory) is one all the same */
    return of_seterr(errstr, size, c, "%s: mysql %u: %s", what, e, msg && *msg ? msg : "unknown client error");
}

/* Close statement i (prepared again on its next use; a multi-row size's text is built again too). */
static void close_stmt(of_db_t *db, int i) {
    long n = (long)mysql_stmt_param_count(db->stmt[i]);
    mysql_stmt_close(db->stmt[i]);
    db->stmt[i] = NULL;
    db->params -= n;
    of_metric_gauge_add(OF_MG_DB_STATEMENTS, -1);
    of_metric_gauge_add(OF_MG_DB_PARAMS, -n);
    if (db->lazy[i]) {
        free(db->owned[i]);
        db->owned[i] = NULL;
        db->sql[i] = NULL;
    }
}

static void drop_stmts(of_db_t *db) {
    for (int i = 0; i < db->nstmts; i++)
        if (db->stmt[i]) close_stmt(db, i);
}

/* D-T10-70: after preparing statement `keep`, close the least recently used others until the connection's
 * parameters fit OF_MYSQL_PREPARED_PARAMS (a statement larger than the budget alone stays: it is in use). A linear scan
 * per statement closed: preparing is rare next to executing, and closing rarer still when the budget fits the worker's
 * working set. */
static void fit_budget(of_db_t *db, int keep) {
    while (db->budget && db->params > db->budget) {
        int lru = -1;
        for (int i = 0; i < db->nstmts; i++)
            if (db->stmt[i] && i != keep && (lru < 0 || db->used[i] < db->used[lru])) lru = i;
        if (lru < 0) return;
        close_stmt(db, lru);
        of_metric_add(OF_M_DB_STMT_CLOSED, 1);
    }
}

/* What a connection reads of its server on connect. D-T10-51: may a multi-row INSERT's ids be computed from its
 * first one? Anything unexpected answers no (one row per statement: slower, never wrong). D-RT-16: the most data a
 * statement should carry (of_db_part_bytes), from max_allowed_packet. */
static void probe_server(of_db_t *db) {
    db->consecutive_ids = 0;
    db->id_step = 1;
    db->part_bytes = 64 * 1024; /* D-RT-16: when the server's packet limit cannot be read, small parts */
    if (mysql_query(db->my, "SELECT @@innodb_autoinc_lock_mode, @@auto_increment_increment, @@max_allowed_packet"))
        return;
    MYSQL_RES *r = mysql_store_result(db->my);
    if (!r) return;
    MYSQL_ROW row = mysql_fetch_row(r);
    if (row && row[0] && row[1]) {
        long mode = strtol(row[0], NULL, 10);
        long step = strtol(row[1], NULL, 10);
        if ((mode == 0 || mode == 1) && step >= 1) {
            db->consecutive_ids = 1;
            db->id_step = (uint64_t)step;
        }
    }
    if (row && row[2]) {
        unsigned long long packet = strtoull(row[2], NULL, 10);
        if (packet >= 2 * 64 * 1024)
            db->part_bytes = packet / 2 < OF_DB_BULK_BYTES ? (size_t)(packet / 2) : OF_DB_BULK_BYTES;
    }
    mysql_free_result(r);
}

/* D-RT-16: bulk executions when configured and the server is a MariaDB that announces them (MySQL does not). */
static void probe_bulk(of_db_t *db) {
    unsigned long caps = 0, ext = 0;
    db->bulk = 0;
    if (db->bulk_refused || !of_cfg_int(db->cfg, OF_CFG_MYSQL_BULK)) return;
    if (mariadb_get_infov(db->my, MARIADB_CONNECTION_SERVER_CAPABILITIES, &caps) ||
        mariadb_get_infov(db->my, MARIADB_CONNECTION_EXTENDED_SERVER_CAPABILITIES, &ext))
        return;
    db->bulk = !(caps & CLIENT_MYSQL) && (ext & (unsigned long)(MARIADB_CLIENT_STMT_BULK_OPERATIONS >> 32));
}

static int table_lock_wait; /* of_db_set_table_lock_wait (D-RT-15) */

static of_err_t do_connect(of_db_t *db, char *errstr, size_t errstr_size) {
    const of_config_t *cfg = db->cfg;
    db->my = mysql_init(NULL);
    if (!db->my) return of_seterr(errstr, errstr_size, OF_ERR_NOMEM, "mysql_init failed");
    unsigned int t = (unsigned int)of_cfg_int(cfg, OF_CFG_MYSQL_CONNECT_TIMEOUT_S);
    unsigned int rw = t * 6; /* reads wait for locks: allow longer than connect */
    mysql_options(db->my, MYSQL_OPT_CONNECT_TIMEOUT, &t);
    mysql_options(db->my, MYSQL_OPT_READ_TIMEOUT, &rw);
    mysql_options(db->my, MYSQL_OPT_WRITE_TIMEOUT, &rw);
    mysql_options(db->my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    /* D-RT-8: a row lock is waited for OF_MYSQL_LOCK_WAIT_S, then the statement fails (1205, retried), so that a stop
     * is not held up for MariaDB's 50 s; on every connect, reconnects too (an integer from the validated config) */
    char init[120];
    int lw = (int)of_cfg_int(cfg, OF_CFG_MYSQL_LOCK_WAIT_S);
    if (table_lock_wait) /* D-RT-15: a worker's; the table's lock (LOCK TABLES, a DDL) too */
        snprintf(init, sizeof init, "SET SESSION innodb_lock_wait_timeout = %d, lock_wait_timeout = %d", lw, lw);
    else
        snprintf(init, sizeof init, "SET SESSION innodb_lock_wait_timeout = %d", lw);
    mysql_options(db->my, MYSQL_INIT_COMMAND, init);
    if (db->session) mysql_options(db->my, MYSQL_INIT_COMMAND, db->session); /* of_db_connect_session */
    if (!mysql_real_connect(db->my, db->host, of_cfg_str(cfg, OF_CFG_MYSQL_USER),
                            of_cfg_str(cfg, OF_CFG_MYSQL_PASSWORD), db->dbname, db->port, NULL,
                            CLIENT_MULTI_STATEMENTS)) {
        unsigned int e = mysql_errno(db->my);
        db->last_errno = e;
        of_err_t err = of_seterr(errstr, errstr_size,
                                 e == ER_ACCESS_DENIED_ERROR || e == ER_DBACCESS_DENIED_ERROR || e == ER_BAD_DB_ERROR
                                     ? OF_ERR_CONFIG
                                     : OF_ERR_TRANSIENT,
                                 "connect %s@%s:%u/%s: mysql %u: %s", of_cfg_str(cfg, OF_CFG_MYSQL_USER), db->host,
                                 db->port, db->dbname, e, mysql_error(db->my));
        mysql_close(db->my);
        db->my = NULL;
        return err;
    }
    db->broken = 0;
    probe_server(db);
    probe_bulk(db);
    return OF_OK;
}

/* *classp (may be NULL): OF_OK, or the failure's class (OF_ERR_TRANSIENT: the server not reached) */
static of_db_t *connect_with(const of_config_t *cfg, const char *host, unsigned int port, const char *dbname,
                             const char *session, of_err_t *classp, char *errstr, size_t errstr_size) {
    of_err_t c;
    if (!classp) classp = &c;
    of_db_t *db = calloc(1, sizeof *db);
    if (!db) {
        *classp = of_seterr(errstr, errstr_size, OF_ERR_NOMEM, "out of memory");
        return NULL;
    }
    db->cfg = cfg;
    db->session = session;
    db->budget = (long)of_cfg_int(cfg, OF_CFG_MYSQL_PREPARED_PARAMS);
    snprintf(db->host, sizeof db->host, "%s", host ? host : of_cfg_str(cfg, OF_CFG_MYSQL_HOST));
    db->port = port ? port : (unsigned int)of_cfg_int(cfg, OF_CFG_MYSQL_PORT);
    snprintf(db->dbname, sizeof db->dbname, "%s", dbname ? dbname : of_cfg_str(cfg, OF_CFG_MYSQL_DB));
    of_err_t e = do_connect(db, errstr, errstr_size);
    *classp = e;
    if (e) {
        free(db);
        return NULL;
    }
    return db;
}

of_db_t *of_db_connect_to(const of_config_t *cfg, const char *host, unsigned int port, const char *dbname, char *errstr,
                          size_t errstr_size) {
    return connect_with(cfg, host, port, dbname, NULL, NULL, errstr, errstr_size);
}

of_db_t *of_db_connect(const of_config_t *cfg, const char *dbname, char *errstr, size_t errstr_size) {
    return of_db_connect_to(cfg, NULL, 0, dbname, errstr, errstr_size);
}

of_db_t *of_db_connect_session(const of_config_t *cfg, const char *session, char *errstr, size_t errstr_size) {
    return connect_with(cfg, NULL, 0, NULL, session, NULL, errstr, errstr_size);
}

void of_db_close(of_db_t *db) {
    if (!db) return;
    drop_stmts(db);
    if (db->my) mysql_close(db->my);
    for (int i = 0; i < db->nstmts; i++)
        free(db->owned[i]);
    for (int i = 0; i < db->nmtext; i++) {
        free(db->mtext[i].head);
        free(db->mtext[i].row);
        free(db->mtext[i].sep);
        free(db->mtext[i].tail);
    }
    free(db->mtext);
    free(db->bb);
    free(db->bmoney);
    free(db->blen);
    free(db->bnull);
    free(db);
}

MYSQL *of_db_handle(of_db_t *db) {
    return db->my;
}

size_t of_db_part_bytes(const of_db_t *db) {
    return db->part_bytes;
}

static of_err_t ensure_conn(of_db_t *db, char *errstr, size_t errstr_size) {
    if (db->my && !db->broken) return OF_OK;
    drop_stmts(db);
    if (db->my) mysql_close(db->my);
    db->my = NULL;
    of_err_t err = do_connect(db, errstr, errstr_size);
    if (!err) of_info("database reconnected", OF_S("db", db->dbname), OF_END);
    return err == OF_ERR_CONFIG ? OF_ERR_TRANSIENT : err;
}

int of_db_register(of_db_t *db, const char *sql) {
    for (int i = 0; i < db->nstmts; i++)
        if (db->sql[i] == sql) return i;
    if (db->nstmts >= OF_DB_MAX_STMTS) return -1;
    db->sql[db->nstmts] = sql;
    return db->nstmts++;
}

of_err_t of_db_register_multi(of_db_t *db, const char *head, const char *row, const char *tail, of_db_multi_t *m) {
    return of_db_register_multi_sep(db, head, row, ", ", tail, m);
}

/* The row counts of a multi-row statement's prepared sizes (OF_DB_MULTI_SIZES, ascending). */
static const int SIZES[OF_DB_MULTI_SIZES] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10,  11,
                                             12, 13, 14, 15, 16, 24, 32, 48, 64, 128, 256};

int of_db_multi_size_ok(int row_params, int rows, int bound) {
    if (rows == 1) return 1;
    if (rows < 1 || row_params < 1) return 0;
    /* D-RT-10: past 64 rows, sizes of at most OF_DB_MULTI_PARAMS parameters (128 rows of up to 8, 256 of up to 4) */
    if (rows > OF_DB_MULTI_MAX && ((long)rows * row_params > OF_DB_MULTI_PARAMS || rows > SIZES[OF_DB_MULTI_SIZES - 1]))
        return 0;
    int pow2 = !(rows & (rows - 1));
    if (!bound) return pow2 || row_params < OF_DB_MULTI_WIDE;
    return (pow2 || row_params == 1) && (long)rows * row_params <= bound; /* D-T10-64: fewer sizes, each bounded */
}

/* D-T10-64: the bound of the statements registered from now on, process-wide (set once at start, before the
 * connections register their statements); 0 = none. */
static int param_bound;

void of_db_set_param_bound(int params) {
    param_bound = params > 0 ? params : 0;
}

/* D-RT-16: an INSERT or REPLACE whose rows are value lists: its one-row statement repeated over an array of rows is
 * the same statement (not an INSERT … SELECT of a derived table, whose rows are joined otherwise). */
static int bulk_shape(const char *head, const char *row, const char *sep, const char *tail) {
    size_t n = strlen(head);
    while (n && (head[n - 1] == ' ' || head[n - 1] == '\n'))
        n--;
    while (n && (*head == ' ' || *head == '\n'))
        head++, n--;
    return (!strncasecmp(head, "INSERT", 6) || !strncasecmp(head, "REPLACE", 7)) && n >= 6 &&
           !strncasecmp(head + n - 6, "VALUES", 6) && !strchr(head, '?') && !strchr(tail, '?') && !strcmp(sep, ", ") &&
           *row == '(';
}

of_err_t of_db_register_multi_sep(of_db_t *db, const char *head, const char *row, const char *sep, const char *tail,
                                  of_db_multi_t *m) {
    m->row_params = 0;
    for (const char *c = row; *c; c++)
        m->row_params += *c == '?';
    m->bulk = bulk_shape(head, row, sep, tail);
    if (db->nstmts + OF_DB_MULTI_SIZES > OF_DB_MAX_STMTS) return OF_ERR_NOMEM;
    void *mt = realloc(db->mtext, (size_t)(db->nmtext + 1) * sizeof *db->mtext);
    if (!mt) return OF_ERR_NOMEM;
    db->mtext = mt;
    char *h = strdup(head), *r = strdup(row), *s = strdup(sep), *t = strdup(tail);
    if (!h || !r || !s || !t) {
        free(h);
        free(r);
        free(s);
        free(t);
        return OF_ERR_NOMEM;
    }
    db->mtext[db->nmtext].head = h;
    db->mtext[db->nmtext].row = r;
    db->mtext[db->nmtext].sep = s;
    db->mtext[db->nmtext].tail = t;
    db->nmtext++;
    for (int k = 0; k < OF_DB_MULTI_SIZES; k++) { /* the text is built when the size is first used (get_stmt) */
        if (!of_db_multi_size_ok(m->row_params, SIZES[k], param_bound)) {
            m->id[k] = -1;
            continue;
        }
        db->sql[db->nstmts] = NULL;
        db->lazy[db->nstmts] = (short)db->nmtext;
        db->lazy_rows[db->nstmts] = (unsigned short)SIZES[k];
        m->id[k] = db->nstmts++;
    }
    return OF_OK;
}

/* The text of multi-row slot id: head, row × rows joined by sep, tail. NULL when out of memory. */
static char *multi_text(of_db_t *db, int id) {
    const char *head = db->mtext[db->lazy[id] - 1].head, *row = db->mtext[db->lazy[id] - 1].row,
               *sep = db->mtext[db->lazy[id] - 1].sep, *tail = db->mtext[db->lazy[id] - 1].tail;
    int rows = db->lazy_rows[id];
    size_t hl = strlen(head), rl = strlen(row), tl = strlen(tail), sl = strlen(sep);
    char *sql = malloc(hl + (size_t)rows * (rl + sl) + tl + 1);
    if (!sql) return NULL;
    char *w = sql;
    memcpy(w, head, hl);
    w += hl;
    for (int r = 0; r < rows; r++) {
        if (r) {
            memcpy(w, sep, sl);
            w += sl;
        }
        memcpy(w, row, rl);
        w += rl;
    }
    memcpy(w, tail, tl + 1);
    return sql;
}

/* The largest prepared size (index into m->id) that fits n rows. */
static int multi_size(const of_db_t *db, const of_db_multi_t *m, int n) {
    int k = OF_DB_MULTI_SIZES - 1;
    while (k && (SIZES[k] > n || (db->multi_max && SIZES[k] > db->multi_max) || m->id[k] < 0))
        k--;
    return k;
}

void of_db_set_multi_max(of_db_t *db, int rows) {
    db->multi_max = rows > 0 ? rows : 0;
}

/* How chunk() fills a multi-row call's last part. */
enum { PAD_NONE, PAD_FIT, PAD_POW2 };

static int is_pow2(int n) {
    return !(n & (n - 1));
}

/* The smallest prepared size (index into m->id) of at least n rows, a power of two when pow2 (D-RT-9); -1 when
 * none. */
static int multi_size_up(const of_db_t *db, const of_db_multi_t *m, int n, int pow2) {
    for (int k = 0; k < OF_DB_MULTI_SIZES; k++)
        if (SIZES[k] >= n && (!pow2 || is_pow2(SIZES[k])) && m->id[k] >= 0 &&
            !(db->multi_max && SIZES[k] > db->multi_max))
            return k;
    return -1;
}

/* One chunk of a multi-row call: the next `left` rows at p. PAD_NONE: the largest size that fits (*kp), p as it is.
 * PAD_FIT (the *_in calls): when no size holds exactly `left` rows but a larger one does, the rest in one statement
 * of that size, the last row (or pad_row) repeated, in *bufp (reallocated; the caller frees it); NULL when out of
 * memory. PAD_POW2 (of_db_exec_multi_pad): the rest in the smallest power-of-two size that holds it, even when a
 * size holds it exactly, filled with pad_row. */
static const of_param_t *chunk(const of_db_t *db, const of_db_multi_t *m, const of_param_t *p, int left, int pad,
                               const of_param_t *pad_row, of_param_t **bufp, int *kp) {
    int k = multi_size(db, m, left), up = -1;
    if (pad != PAD_NONE && (SIZES[k] < left || (pad == PAD_POW2 && !is_pow2(SIZES[k]))))
        up = multi_size_up(db, m, left, pad == PAD_POW2);
    *kp = k;
    if (up < 0) return p;
    size_t rp = (size_t)m->row_params, have = (size_t)left;
    free(*bufp);
    if (!(*bufp = malloc((size_t)SIZES[up] * rp * sizeof **bufp))) return NULL;
    memcpy(*bufp, p, have * rp * sizeof **bufp);
    for (size_t r = have; r < (size_t)SIZES[up]; r++)
        memcpy(*bufp + r * rp, pad_row ? pad_row : p + (have - 1) * rp, rp * sizeof **bufp);
    *kp = up;
    return *bufp;
}

static of_err_t exec_bulk(of_db_t *db, const of_db_multi_t *m, const of_param_t *params, int nrows, int *donep,
                          uint64_t *affectedp, char *errstr, size_t errstr_size);

static of_err_t exec_multi(of_db_t *db, const of_db_multi_t *m, const of_param_t *params, int nrows, int pad,
                           const of_param_t *pad_row, uint64_t *affectedp, char *errstr, size_t errstr_size) {
    if (pad == PAD_NONE && nrows > 1 && m->bulk && db->bulk && !db->multi_max) { /* D-RT-16 */
        int done = 0;
        of_err_t e = exec_bulk(db, m, params, nrows, &done, affectedp, errstr, errstr_size);
        if (e || done) return e;
    }
    uint64_t total = 0;
    of_param_t *padded = NULL;
    of_err_t err = OF_OK;
    for (int done = 0; done < nrows && !err;) {
        int k;
        const of_param_t *p =
            chunk(db, m, params + (size_t)done * (size_t)m->row_params, nrows - done, pad, pad_row, &padded, &k);
        uint64_t aff = 0;
        if (!p)
            err = of_seterr(errstr, errstr_size, OF_ERR_NOMEM, "out of memory writing rows");
        else if (!(err = of_db_exec(db, m->id[k], p, SIZES[k] * m->row_params, &aff, NULL, errstr, errstr_size)))
            total += aff;
        done += SIZES[k];
    }
    free(padded);
    if (!err && affectedp) *affectedp = total;
    return err;
}

of_err_t of_db_exec_multi(of_db_t *db, const of_db_multi_t *m, const of_param_t *params, int nrows, uint64_t *affectedp,
                          char *errstr, size_t errstr_size) {
    return exec_multi(db, m, params, nrows, PAD_NONE, NULL, affectedp, errstr, errstr_size);
}

of_err_t of_db_exec_multi_in(of_db_t *db, const of_db_multi_t *m, const of_param_t *params, int nrows,
                             uint64_t *affectedp, char *errstr, size_t errstr_size) {
    return exec_multi(db, m, params, nrows, PAD_FIT, NULL, affectedp, errstr, errstr_size);
}

of_err_t of_db_exec_multi_pad(of_db_t *db, const of_db_multi_t *m, const of_param_t *params, int nrows,
                              const of_param_t *pad_row, uint64_t *affectedp, char *errstr, size_t errstr_size) {
    return exec_multi(db, m, params, nrows, PAD_POW2, pad_row, affectedp, errstr, errstr_size);
}

of_err_t of_db_exec_multi_ids(of_db_t *db, const of_db_multi_t *m, const of_param_t *params, int nrows, uint64_t *ids,
                              uint64_t *affectedp, char *errstr, size_t errstr_size) {
    uint64_t total = 0;
    for (int done = 0; done < nrows;) {
        /* without the guarantee of consecutive ids, one row per statement (its id is its own) */
        int k = db->consecutive_ids ? multi_size(db, m, nrows - done) : 0;
        uint64_t aff = 0, first = 0;
        of_err_t err = of_db_exec(db, m->id[k], params + (size_t)done * (size_t)m->row_params, SIZES[k] * m->row_params,
                                  &aff, &first, errstr, errstr_size);
        if (err) return err;
        if (!first) return of_seterr(errstr, errstr_size, OF_ERR_DB, "multi-row insert returned no auto-increment id");
        if (aff != (uint64_t)SIZES[k]) /* an IGNORE or an upsert: the ids would not be the rows' */
            return of_seterr(errstr, errstr_size, OF_ERR_DB, "multi-row insert wrote %llu of %d rows: ids unknown",
                             (unsigned long long)aff, SIZES[k]);
        for (int r = 0; r < SIZES[k]; r++)
            ids[done + r] = first + (uint64_t)r * db->id_step;
        total += aff;
        done += SIZES[k];
    }
    if (affectedp) *affectedp = total;
    return OF_OK;
}

/* The bytes of a result's cells (D-T10-72): blocks filled one after the other, the first sized to a small result,
 * then 64 kB (or one cell's size) each (a read of a batch's rows has thousands of cells: one allocation each was ~6 %
 * of trade-modify's CPU, in malloc and free). */
struct of_rows_block {
    struct of_rows_block *next;
    size_t used, cap;
    char data[];
};
typedef struct of_rows_block rblock_t;

static char *rows_alloc(of_rows_t *rows, size_t n, size_t want) {
    rblock_t *b = rows->blocks;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > want ? n : want;
        rblock_t *nb = malloc(sizeof *nb + cap);
        if (!nb) return NULL;
        nb->next = b;
        nb->used = 0;
        nb->cap = cap;
        rows->blocks = b = nb;
    }
    char *p = b->data + b->used;
    b->used += n;
    return p;
}

/* Append the rows of b to a (same columns); b is emptied. */
static of_err_t rows_append(of_rows_t *a, of_rows_t *b) {
    if (!b->nrows) return OF_OK;
    size_t na = (size_t)a->nrows * (size_t)a->ncols, nb = (size_t)b->nrows * (size_t)b->ncols;
    char **cells = realloc(a->cells, (na + nb + 1) * sizeof *cells);
    if (!cells) return OF_ERR_NOMEM;
    a->cells = cells;
    size_t *lens = realloc(a->lens, (na + nb + 1) * sizeof *lens);
    if (!lens) return OF_ERR_NOMEM;
    a->lens = lens;
    memcpy(a->cells + na, b->cells, nb * sizeof *cells);
    memcpy(a->lens + na, b->lens, nb * sizeof *lens);
    long long *iv = a->icol && b->icol && !memcmp(a->icol, b->icol, (size_t)a->ncols)
                        ? realloc(a->ivals, (na + nb + 1) * sizeof *iv)
                        : NULL;
    if (iv) {
        a->ivals = iv;
        memcpy(a->ivals + na, b->ivals, nb * sizeof *iv);
    } else { /* the parts' integer columns differ (a column typed by its parameters): the numbers come from the text */
        free(a->icol);
        free(a->ivals);
        a->icol = NULL;
        a->ivals = NULL;
    }
    rblock_t **tail = &a->blocks; /* b's bytes go with its cells */
    while (*tail)
        tail = &(*tail)->next;
    *tail = b->blocks;
    b->blocks = NULL;
    a->nrows += b->nrows;
    b->nrows = 0; /* the cells belong to a now */
    return OF_OK;
}

static of_err_t query_multi(of_db_t *db, const of_db_multi_t *m, const of_param_t *params, int nrows, int pad,
                            const of_param_t *pad_row, of_rows_t **rowsp, char *errstr, size_t errstr_size) {
    *rowsp = NULL;
    of_rows_t *all = NULL;
    of_param_t *padded = NULL;
    for (int done = 0; done < nrows;) {
        int k;
        const of_param_t *p =
            chunk(db, m, params + (size_t)done * (size_t)m->row_params, nrows - done, pad, pad_row, &padded, &k);
        if (!p) {
            of_rows_free(all);
            return of_seterr(errstr, errstr_size, OF_ERR_NOMEM, "out of memory reading rows");
        }
        of_rows_t *part;
        of_err_t err = of_db_query(db, m->id[k], p, SIZES[k] * m->row_params, &part, errstr, errstr_size);
        if (err) {
            free(padded);
            of_rows_free(all);
            return err;
        }
        if (!all)
            all = part;
        else {
            err = rows_append(all, part);
            of_rows_free(part);
            if (err) {
                of_rows_free(all);
                free(padded);
                return of_seterr(errstr, errstr_size, err, "out of memory reading rows");
            }
        }
        done += SIZES[k];
    }
    free(padded);
    if (!all && !(all = calloc(1, sizeof *all)))
        return of_seterr(errstr, errstr_size, OF_ERR_NOMEM, "out of memory reading rows");
    *rowsp = all;
    return OF_OK;
}

of_err_t of_db_query_multi(of_db_t *db, const of_db_multi_t *m, const of_param_t *params, int nrows, of_rows_t **rowsp,
                           char *errstr, size_t errstr_size) {
    return query_multi(db, m, params, nrows, PAD_NONE, NULL, rowsp, errstr, errstr_size);
}

of_err_t of_db_query_multi_in(of_db_t *db, const of_db_multi_t *m, const of_param_t *params, int nrows,
                              const of_param_t *pad, of_rows_t **rowsp, char *errstr, size_t errstr_size) {
    return query_multi(db, m, params, nrows, PAD_FIT, pad, rowsp, errstr, errstr_size);
}

static of_err_t stop_due(const of_db_t *db, char *errstr, size_t errstr_size);

/* Statement `id`, prepared (on its first use, or its first since D-T10-70 closed it). Prepared on its own round trip,
 * not with its first execution: MariaDB's execute_direct (PREPARE and EXECUTE in one packet, the EXECUTE naming "the
 * statement just prepared") would run the connection's previous statement with these parameters when the PREPARE
 * fails at the server's statement limit (1461): tried and left out, D-T10-74. */
static MYSQL_STMT *get_stmt(of_db_t *db, int id, char *errstr, size_t errstr_size, of_err_t *errp) {
    if ((*errp = stop_due(db, errstr, errstr_size))) return NULL;
    if (id < 0 || id >= db->nstmts) {
        *errp = of_seterr(errstr, errstr_size, OF_ERR_DB, "statement %d not registered", id);
        return NULL;
    }
    if ((*errp = ensure_conn(db, errstr, errstr_size))) return NULL;
    db->used[id] = ++db->tick;
    if (db->stmt[id]) return db->stmt[id];
    if (!db->sql[id] && db->lazy[id]) { /* a multi-row size used for the first time */
        if (!(db->owned[id] = multi_text(db, id))) {
            *errp = of_seterr(errstr, errstr_size, OF_ERR_NOMEM, "out of memory building statement %d", id);
            return NULL;
        }
        db->sql[id] = db->owned[id];
    }
    MYSQL_STMT *st = mysql_stmt_init(db->my);
    if (!st) {
        *errp = of_seterr(errstr, errstr_size, OF_ERR_NOMEM, "mysql_stmt_init failed");
        return NULL;
    }
    if (mysql_stmt_prepare(st, db->sql[id], strlen(db->sql[id]))) {
        *errp = fail(db, mysql_stmt_errno(st), "prepare", mysql_stmt_error(st), errstr, errstr_size);
        mysql_stmt_close(st);
        return NULL;
    }
    db->stmt[id] = st;
    long n = (long)mysql_stmt_param_count(st);
    db->params += n;
    of_metric_gauge_add(OF_MG_DB_STATEMENTS, 1);
    of_metric_gauge_add(OF_MG_DB_PARAMS, n);
    fit_budget(db, id);
    return st;
}

/* The one place where parameters become MYSQL_BINDs (MariaDB/MySQL differences stay here). Up to SMALL_BINDS
 * parameters live in the struct; more (multi-row statements) in the connection's arrays (D-T10-73). */
typedef char money_t[32];
typedef struct {
    MYSQL_BIND *b;
    money_t *money;
    unsigned long *len;
    my_bool *is_null;
    MYSQL_BIND sb[SMALL_BINDS];
    money_t smoney[SMALL_BINDS];
    unsigned long slen[SMALL_BINDS];
    my_bool snull[SMALL_BINDS];
} binds_t;

static int grow_binds(of_db_t *db, size_t n) {
    if (n <= db->bcap) return 0;
    size_t cap = db->bcap ? db->bcap : 256;
    while (cap < n)
        cap *= 2;
    MYSQL_BIND *b = realloc(db->bb, cap * sizeof *b);
    if (b) db->bb = b;
    money_t *m = realloc(db->bmoney, cap * sizeof *m);
    if (m) db->bmoney = m;
    unsigned long *l = realloc(db->blen, cap * sizeof *l);
    if (l) db->blen = l;
    my_bool *z = realloc(db->bnull, cap * sizeof *z);
    if (z) db->bnull = z;
    if (!b || !m || !l || !z) return -1;
    db->bcap = cap;
    return 0;
}

/* An OFP_STR's or OFP_BLOB's length (a string's 0 with s: strlen). */
static unsigned long param_len(const of_param_t *p) {
    return (unsigned long)(!p->s ? 0 : p->len || p->type == OFP_BLOB ? p->len : strlen(p->s));
}

/* The MySQL type a parameter of type t is bound as (OFP_U64: LONGLONG, is_unsigned set by the caller). */
static enum enum_field_types param_field_type(of_param_type_t t) {
    switch (t) {
    case OFP_NULL:
        return MYSQL_TYPE_NULL;
    case OFP_MONEY:
        return MYSQL_TYPE_NEWDECIMAL;
    case OFP_STR:
        return MYSQL_TYPE_STRING;
    case OFP_BLOB:
        return MYSQL_TYPE_BLOB;
    default:
        return MYSQL_TYPE_LONGLONG;
    }
}

static of_err_t bind_params(of_db_t *db, MYSQL_STMT *st, binds_t *bs, const of_param_t *p, int n, char *errstr,
                            size_t size) {
    bs->b = bs->sb;
    bs->money = bs->smoney;
    bs->len = bs->slen;
    bs->is_null = bs->snull;
    if ((unsigned long)n != mysql_stmt_param_count(st))
        return of_seterr(errstr, size, OF_ERR_DB, "statement wants %lu parameters, got %d", mysql_stmt_param_count(st),
                         n);
    if (n > SMALL_BINDS) {
        if (grow_binds(db, (size_t)n))
            return of_seterr(errstr, size, OF_ERR_NOMEM, "out of memory binding %d parameters", n);
        bs->b = db->bb;
        bs->money = db->bmoney;
        bs->len = db->blen;
        bs->is_null = db->bnull;
    }
    if (n) memset(bs->b, 0, sizeof(MYSQL_BIND) * (size_t)n);
    for (int i = 0; i < n; i++) {
        MYSQL_BIND *b = &bs->b[i];
        b->buffer_type = param_field_type(p[i].type);
        switch (p[i].type) {
        case OFP_REF: /* of_wset resolves references before a statement runs */
            return of_seterr(errstr, size, OF_ERR_DB, "parameter %d: unresolved row reference", i + 1);
        case OFP_NULL:
            bs->is_null[i] = 1;
            b->is_null = &bs->is_null[i];
            break;
        case OFP_I64:
            b->buffer = (void *)&p[i].i;
            break;
        case OFP_U64:
            b->buffer = (void *)&p[i].u;
            b->is_unsigned = 1;
            break;
        case OFP_MONEY: {
            bs->len[i] = (unsigned long)strlen(of_money_fmt(p[i].i, bs->money[i], sizeof bs->money[i]));
            b->buffer = bs->money[i];
            b->buffer_length = bs->len[i];
            b->length = &bs->len[i];
            break;
        }
        case OFP_STR:
        case OFP_BLOB:
            bs->len[i] = param_len(&p[i]);
            b->buffer = (void *)(p[i].s ? p[i].s : "");
            b->buffer_length = bs->len[i];
            b->length = &bs->len[i];
            break;
        }
    }
    if (n && mysql_stmt_bind_param(st, bs->b))
        return of_seterr(errstr, size, OF_ERR_DB, "bind: %s", mysql_stmt_error(st));
    return OF_OK;
}

of_err_t of_db_exec(of_db_t *db, int id, const of_param_t *params, int nparams, uint64_t *affectedp,
                    uint64_t *insert_idp, char *errstr, size_t errstr_size) {
    of_err_t err;
    db->last_errno = 0;
    MYSQL_STMT *st = get_stmt(db, id, errstr, errstr_size, &err);
    if (!st) return err;
    binds_t bs;
    if ((err = bind_params(db, st, &bs, params, nparams, errstr, errstr_size))) return err;
    if (mysql_stmt_execute(st))
        return fail(db, mysql_stmt_errno(st), "execute", mysql_stmt_error(st), errstr, errstr_size);
    if (affectedp) *affectedp = mysql_stmt_affected_rows(st);
    if (insert_idp) *insert_idp = mysql_stmt_insert_id(st);
    return OF_OK;
}

/* ---- D-RT-16: bulk executions ---- */

/* The rows of a bulk execution, handed to the client library's per-row callback. */
typedef struct {
    const of_param_t *p;
    int rp;
    char *ind;          /* rp indicators (the connection's bnull) */
    unsigned long *len; /* rp lengths (blen) */
    money_t *money;     /* rp decimal texts (bmoney) */
} bulk_rows_t;

/* Point the binds b at row `row`'s parameters: called by libmariadb for each row as it writes the request (and by
 * exec_bulk for the first, before binding). Every column's type is the one bulk_types found for it. */
static my_bool bulk_row(void *data, MYSQL_BIND *b, unsigned int row) {
    bulk_rows_t *br = data;
    const of_param_t *p = br->p + (size_t)row * (size_t)br->rp;
    for (int c = 0; c < br->rp; c++) {
        br->ind[c] = STMT_INDICATOR_NONE;
        switch (p[c].type) {
        case OFP_NULL:
            br->ind[c] = STMT_INDICATOR_NULL;
            break;
        case OFP_I64:
        case OFP_U64:
            b[c].buffer = (void *)&p[c].i;
            break;
        case OFP_MONEY:
            br->len[c] = (unsigned long)strlen(of_money_fmt(p[c].i, br->money[c], sizeof br->money[c]));
            b[c].buffer = br->money[c];
            b[c].buffer_length = br->len[c];
            break;
        case OFP_STR:
        case OFP_BLOB:
            br->len[c] = param_len(&p[c]);
            b[c].buffer = (void *)(p[c].s ? p[c].s : "");
            b[c].buffer_length = br->len[c];
            break;
        default:
            return 1;
        }
    }
    return 0;
}

/* Each column's one type over rows [0, n) (a NULL row takes any; a column of NULLs only, MYSQL_TYPE_NULL) into b; 0
 * when a column binds two types (an I64 and a U64 are two: the sign goes with the type), or a row reference is
 * left (of_wset resolves them first). */
static int bulk_types(const of_param_t *p, int rp, int n, MYSQL_BIND *b) {
    for (int c = 0; c < rp; c++) {
        of_param_type_t t = OFP_NULL;
        for (int r = 0; r < n; r++) {
            of_param_type_t x = p[(size_t)r * (size_t)rp + (size_t)c].type;
            if (x == OFP_REF) return 0;
            if (x == OFP_NULL) continue;
            if (t == OFP_NULL)
                t = x;
            else if (x != t)
                return 0;
        }
        b[c].buffer_type = param_field_type(t);
        b[c].is_unsigned = t == OFP_U64;
    }
    return 1;
}

/* The rows from `from` that one bulk execution takes: at most `cap` bytes of their data as the request carries it
 * (a byte of indicator, then 8 for a number, a length of up to 9 and the bytes for text, at most 32 for a decimal),
 * at least one row. */
static int bulk_part(const of_param_t *p, int rp, int from, int n, size_t cap) {
    size_t bytes = 0;
    int r = from;
    for (; r < n; r++) {
        size_t row = 0;
        for (int c = 0; c < rp; c++) {
            const of_param_t *x = &p[(size_t)r * (size_t)rp + (size_t)c];
            row += 1 + (x->type == OFP_STR || x->type == OFP_BLOB ? 9 + param_len(x)
                        : x->type == OFP_MONEY                    ? 9 + sizeof(money_t)
                        : x->type == OFP_NULL                     ? 0
                                                                  : 8);
        }
        if (r > from && bytes + row > cap) break;
        bytes += row;
    }
    return r - from;
}

static void bulk_reset(MYSQL_STMT *st) {
    unsigned int zero = 0;
    mysql_stmt_attr_set(st, STMT_ATTR_ARRAY_SIZE, &zero);
    mysql_stmt_attr_set(st, STMT_ATTR_CB_PARAM, NULL);
    mysql_stmt_attr_set(st, STMT_ATTR_CB_USER_DATA, NULL);
}

/* m's rows in bulk executions of its one-row statement. *donep = 1 when it ran them (or failed running them); 0 when
 * the rows do not fit a bulk (bulk_types) or the server refused the first one before writing anything (the caller then
 * runs the multi-row statements). */
static of_err_t exec_bulk(of_db_t *db, const of_db_multi_t *m, const of_param_t *params, int nrows, int *donep,
                          uint64_t *affectedp, char *errstr, size_t errstr_size) {
    int rp = m->row_params;
    *donep = 0;
    if (rp < 1) return OF_OK; /* a bulk needs parameters: the multi-row statements */
    if (grow_binds(db, (size_t)rp))
        return of_seterr(errstr, errstr_size, OF_ERR_NOMEM, "out of memory binding %d parameters", rp);
    MYSQL_BIND *b = db->bb;
    memset(b, 0, sizeof *b * (size_t)rp);
    if (!bulk_types(params, rp, nrows, b)) return OF_OK;
    of_err_t err;
    db->last_errno = 0;
    if (db->no_bulk[m->id[0]]) return OF_OK;
    MYSQL_STMT *st = get_stmt(db, m->id[0], errstr, errstr_size, &err);
    if (!st) return *donep = 1, err;
    if (!db->bulk) return OF_OK; /* get_stmt reconnected, to a server without them */
    if (mysql_stmt_param_count(st) != (unsigned long)rp)
        return *donep = 1, of_seterr(errstr, errstr_size, OF_ERR_DB, "statement wants %lu parameters, got %d",
                                     mysql_stmt_param_count(st), rp);
    bulk_rows_t br = {.rp = rp, .ind = (char *)db->bnull, .len = db->blen, .money = db->bmoney};
    for (int c = 0; c < rp; c++) {
        b[c].length = &br.len[c];
        b[c].u.indicator = &br.ind[c];
    }
    uint64_t total = 0;
    for (int done = 0; done < nrows;) {
        int n = bulk_part(params, rp, done, nrows, db->part_bytes);
        unsigned int size = (unsigned int)n;
        br.p = params + (size_t)done * (size_t)rp;
        if (bulk_row(&br, b, 0) || mysql_stmt_attr_set(st, STMT_ATTR_ARRAY_SIZE, &size) ||
            mysql_stmt_attr_set(st, STMT_ATTR_CB_USER_DATA, &br) ||
            mysql_stmt_attr_set(st, STMT_ATTR_CB_PARAM, (const void *)bulk_row) || mysql_stmt_bind_param(st, b)) {
            bulk_reset(st);
            return *donep = 1, of_seterr(errstr, errstr_size, OF_ERR_DB, "bind: %s", mysql_stmt_error(st));
        }
        int bad = mysql_stmt_execute(st);
        unsigned int e = bad ? mysql_stmt_errno(st) : 0;
        if (bad && !done && (e == ER_BINLOG_NON_SUPPORTED_BULK || e == ER_UNSUPPORTED_PS)) {
            /* refused before any row was written: the connection's binary log in STATEMENT format (every statement,
             * from now on), or this statement's kind */
            bulk_reset(st);
            if (e == ER_BINLOG_NON_SUPPORTED_BULK) {
                db->bulk = 0;
                db->bulk_refused = 1;
            } else
                db->no_bulk[m->id[0]] = 1;
            of_warn(e == ER_BINLOG_NON_SUPPORTED_BULK
                        ? "database refuses bulk executions: multi-row statements from now on"
                        : "database refuses a statement's bulk executions: multi-row statements for it from now on",
                    OF_S("db", db->dbname), OF_I("mysql_errno", e), OF_S("error", mysql_stmt_error(st)), OF_END);
            return OF_OK;
        }
        *donep = 1;
        if (bad) {
            err = fail(db, e, "execute", mysql_stmt_error(st), errstr, errstr_size);
            bulk_reset(st);
            return err;
        }
        total += mysql_stmt_affected_rows(st);
        bulk_reset(st);
        done += n;
    }
    if (affectedp) *affectedp = total;
    return OF_OK;
}

/* D-T10-76: a column of an integer type (not ZEROFILL, whose text is padded): read as a number. */
static int int_column(const MYSQL_FIELD *f) {
    switch (f->type) {
    case MYSQL_TYPE_TINY:
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_LONGLONG:
        return !(f->flags & ZEROFILL_FLAG);
    default:
        return 0;
    }
}

/* v's decimal text ending at end (not terminated); its length in *len. */
static const char *int_text(long long v, int is_unsigned, char *end, unsigned long *len) {
    int neg = !is_unsigned && v < 0;
    const char *p = of_str_dec(end, neg ? 0ULL - (unsigned long long)v : (unsigned long long)v, neg);
    *len = (unsigned long)(end - p);
    return p;
}

of_err_t of_db_query(of_db_t *db, int id, const of_param_t *params, int nparams, of_rows_t **rowsp, char *errstr,
                     size_t errstr_size) {
    *rowsp = NULL;
    of_err_t err;
    db->last_errno = 0;
    MYSQL_STMT *st = get_stmt(db, id, errstr, errstr_size, &err);
    if (!st) return err;
    binds_t bs;
    if ((err = bind_params(db, st, &bs, params, nparams, errstr, errstr_size))) return err;
    my_bool upd = 1;
    mysql_stmt_attr_set(st, STMT_ATTR_UPDATE_MAX_LENGTH, &upd);
    if (mysql_stmt_execute(st))
        return fail(db, mysql_stmt_errno(st), "execute", mysql_stmt_error(st), errstr, errstr_size);
    MYSQL_RES *meta = mysql_stmt_result_metadata(st);
    if (!meta) return of_seterr(errstr, errstr_size, OF_ERR_DB, "statement returns no result set");
    if (mysql_stmt_store_result(st)) {
        mysql_free_result(meta);
        return fail(db, mysql_stmt_errno(st), "store", mysql_stmt_error(st), errstr, errstr_size);
    }
    int ncols = (int)mysql_num_fields(meta);
    MYSQL_FIELD *fields = mysql_fetch_fields(meta);
    of_rows_t *rows = calloc(1, sizeof *rows);
    MYSQL_BIND *rb = calloc((size_t)ncols, sizeof *rb);
    unsigned long *lens = calloc((size_t)ncols, sizeof *lens);
    my_bool *nulls = calloc((size_t)ncols, sizeof *nulls);
    char **bufs = calloc((size_t)ncols, sizeof *bufs);
    long long *ibufs = calloc((size_t)ncols + 1, sizeof *ibufs);
    int nint = 0;
    /* cells are nrows × ncols: counted in size_t and bounded so that every index fits the int fields of of_rows_t
     * (issue 10 item 8: the product was an int) */
    uint64_t nrows64 = (uint64_t)mysql_stmt_num_rows(st);
    size_t ncells = 0;
    err = OF_OK;
    if (!rows || !rb || !lens || !nulls || !bufs || !ibufs) {
        err = OF_ERR_NOMEM;
        goto out;
    }
    if (nrows64 > (uint64_t)INT_MAX || __builtin_mul_overflow((size_t)nrows64, (size_t)ncols, &ncells) ||
        ncells > (size_t)INT_MAX) {
        err = of_seterr(errstr, errstr_size, OF_ERR_DB, "result of %llu rows x %d columns is too large",
                        (unsigned long long)nrows64, ncols);
        goto out;
    }
    int nrows = (int)nrows64;
    rows->ncols = ncols;
    rows->cells = calloc(ncells + 1, sizeof(char *));
    rows->lens = calloc(ncells + 1, sizeof(size_t));
    if (!rows->cells || !rows->lens) {
        err = OF_ERR_NOMEM;
        goto out;
    }
    for (int c = 0; c < ncols; c++)
        nint += int_column(&fields[c]);
    if (nint &&
        (!(rows->icol = calloc((size_t)ncols, 1)) || !(rows->ivals = calloc(ncells + 1, sizeof *rows->ivals)))) {
        err = OF_ERR_NOMEM;
        goto out;
    }
    for (int c = 0; c < ncols; c++) {
        rb[c].length = &lens[c];
        rb[c].is_null = &nulls[c];
        if (int_column(&fields[c])) { /* D-T10-76: 8 bytes as they come, no text conversion and back */
            rows->icol[c] = 1;
            rb[c].buffer_type = MYSQL_TYPE_LONGLONG;
            rb[c].buffer = &ibufs[c];
            rb[c].is_unsigned = (fields[c].flags & UNSIGNED_FLAG) != 0;
            continue;
        }
        size_t cap = fields[c].max_length + 1;
        if (cap < 32) cap = 32;
        bufs[c] = malloc(cap);
        if (!bufs[c]) {
            err = OF_ERR_NOMEM;
            goto out;
        }
        rb[c].buffer_type = MYSQL_TYPE_STRING;
        rb[c].buffer = bufs[c];
        rb[c].buffer_length = cap;
    }
    if (ncols && mysql_stmt_bind_result(st, rb)) {
        err = of_seterr(errstr, errstr_size, OF_ERR_DB, "bind result: %s", mysql_stmt_error(st));
        goto out;
    }
    size_t first = 0; /* every cell at its column's longest: an upper bound of the result's bytes */
    for (int c = 0; c < ncols; c++)
        first += fields[c].max_length + 1;
    first = first > 64 * 1024 / (size_t)(nrows ? nrows : 1) ? 64 * 1024 : first * (size_t)nrows;
    for (int r = 0; r < nrows; r++) {
        int rc = mysql_stmt_fetch(st);
        if (rc == MYSQL_NO_DATA) break;
        if (rc == 1) {
            err = fail(db, mysql_stmt_errno(st), "fetch", mysql_stmt_error(st), errstr, errstr_size);
            goto out;
        }
        for (int c = 0; c < ncols; c++) {
            if (nulls[c]) continue;
            char digits[24];
            const char *src = bufs[c];
            if (rows->icol && rows->icol[c]) {
                rows->ivals[r * ncols + c] = ibufs[c];
                src = int_text(ibufs[c], rb[c].is_unsigned, digits + sizeof digits, &lens[c]);
            }
            /* the first block sized to the whole result when it is small (a result kept for long holds no more) */
            char *cell = rows_alloc(rows, lens[c] + 1, rows->blocks ? 64 * 1024 : first);
            if (!cell) {
                err = OF_ERR_NOMEM;
                goto out;
            }
            memcpy(cell, src, lens[c]);
            cell[lens[c]] = '\0';
            rows->cells[r * ncols + c] = cell;
            rows->lens[r * ncols + c] = lens[c];
        }
        rows->nrows = r + 1;
    }
out:
    mysql_stmt_free_result(st);
    mysql_free_result(meta);
    if (bufs)
        for (int c = 0; c < ncols; c++)
            free(bufs[c]);
    free(bufs);
    free(ibufs);
    free(rb);
    free(lens);
    free(nulls);
    if (err) {
        of_rows_free(rows);
        if (err == OF_ERR_NOMEM) of_seterr(errstr, errstr_size, err, "out of memory reading rows");
        return err;
    }
    *rowsp = rows;
    return OF_OK;
}

void of_rows_free(of_rows_t *rows) {
    if (!rows) return;
    for (rblock_t *b = rows->blocks, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(rows->cells);
    free(rows->lens);
    free(rows->icol);
    free(rows->ivals);
    free(rows);
}

const char *of_rows_str(const of_rows_t *rows, int row, int col) {
    if (!rows || row < 0 || row >= rows->nrows || col < 0 || col >= rows->ncols) return NULL;
    return rows->cells[row * rows->ncols + col];
}

long long of_rows_i64(const of_rows_t *rows, int row, int col) {
    const char *s = of_rows_str(rows, row, col);
    if (s && rows->icol && rows->icol[col]) return rows->ivals[row * rows->ncols + col];
    return s ? strtoll(s, NULL, 10) : 0;
}

of_err_t of_db_plain(of_db_t *db, const char *sql, char *errstr, size_t errstr_size) {
    db->last_errno = 0;
    of_err_t err = stop_due(db, errstr, errstr_size);
    if (!err) err = ensure_conn(db, errstr, errstr_size);
    if (err) return err;
    if (mysql_real_query(db->my, sql, strlen(sql)))
        return fail(db, mysql_errno(db->my), "query", mysql_error(db->my), errstr, errstr_size);
    /* drain every result of a multi-statement */
    int status;
    do {
        MYSQL_RES *r = mysql_store_result(db->my);
        if (r) mysql_free_result(r);
        status = mysql_next_result(db->my);
        if (status > 0) return fail(db, mysql_errno(db->my), "query", mysql_error(db->my), errstr, errstr_size);
    } while (status == 0);
    return OF_OK;
}

static volatile sig_atomic_t *interrupt_flag;

void of_db_set_stop_abandon(of_db_t *db, int on) {
    db->stop_abandon = on;
}

unsigned int of_db_tx_gave_up_on(const of_db_t *db) {
    return db->tx_gave_up_on;
}

void of_db_set_table_lock_wait(int on) {
    table_lock_wait = on;
}

void of_db_set_interrupt(volatile sig_atomic_t *flag) {
    interrupt_flag = flag;
}

static int interrupted(void) {
    return interrupt_flag && *interrupt_flag;
}

/* D-RT-12, on a connection that opted in (of_db_set_stop_abandon): a statement of a transaction that began
 * OF_DB_STOP_GRACE_MS or more ago is not sent once a stop was asked (the transaction fails as transient: of_db_tx rolls
 * it back and, the stop asked, returns), so that a stop waits for at most the statement in flight of a transaction
 * held up by row locks, not for each of its later statements' lock waits in turn; a younger transaction (a batch takes
 * ~0.1 s) goes on to its commit. */
static of_err_t stop_due(const of_db_t *db, char *errstr, size_t errstr_size) {
    if (!db->stop_abandon || !db->tx_start_us || !interrupted()) return OF_OK;
    int64_t age = of_mono_us() - db->tx_start_us;
    if (age < (int64_t)OF_DB_STOP_GRACE_MS * 1000) return OF_OK;
    return of_seterr(errstr, errstr_size, OF_ERR_TRANSIENT,
                     "stopping: the transaction, %.1f s old, was abandoned before its next statement (rolled back: its "
                     "work is done after the restart)",
                     (double)age / 1e6);
}

/* Sleep ms, in 20 ms steps so that an interrupt is noticed. */
static void sleep_ms(long ms) {
    for (long slept = 0; slept < ms && !interrupted(); slept += 20) {
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

of_db_t *of_db_connect_wait(const of_config_t *cfg, const char *what, char *errstr, size_t errstr_size) {
    return of_db_connect_wait_to(cfg, NULL, 0, NULL, what, errstr, errstr_size);
}

of_db_t *of_db_connect_wait_to(const of_config_t *cfg, const char *host, unsigned int port, const char *dbname,
                               const char *what, char *errstr, size_t errstr_size) {
    long pause = OF_DB_CONNECT_WAIT_FIRST_MS;
    for (int attempt = 1;; attempt++) {
        of_err_t c;
        of_db_t *db = connect_with(cfg, host, port, dbname, NULL, &c, errstr, errstr_size);
        if (db) {
            if (attempt > 1) of_info("database reachable", OF_S("for", what), OF_I("attempts", attempt), OF_END);
            return db;
        }
        if (c != OF_ERR_TRANSIENT) return NULL; /* the credentials, the database's name, memory */
        if (!interrupted()) {
            of_warn("database unavailable at start; waiting for it", OF_S("for", what), OF_S("error", errstr),
                    OF_I("attempt", attempt), OF_I("retry_ms", pause), OF_END);
            sleep_ms(pause);
        }
        if (interrupted()) {
            of_seterr(errstr, errstr_size, OF_ERR_TRANSIENT, "stopped while waiting for the database");
            return NULL;
        }
        pause = pause * 2 > OF_DB_CONNECT_WAIT_MAX_MS ? OF_DB_CONNECT_WAIT_MAX_MS : pause * 2;
    }
}

of_err_t of_db_tx(of_db_t *db, of_db_tx_fn fn, void *ctx, char *errstr, size_t errstr_size) {
    long retries = (long)of_cfg_int(db->cfg, OF_CFG_TX_RETRIES);
    long cap = (long)of_cfg_int(db->cfg, OF_CFG_RETRY_BACKOFF_MAX_MS);
    long backoff = 20;
    unsigned int same = 0; /* the errno every failed attempt so far failed with, 0 when they differ */
    db->tx_gave_up_on = 0;
    if (db->stop_abandon && interrupted()) /* D-RT-12: none begins after a stop */
        return of_seterr(errstr, errstr_size, OF_ERR_TRANSIENT,
                         "stopping: no transaction begins after a stop (its work is done after the restart)");
    for (long attempt = 0;; attempt++) {
        of_err_t err = ensure_conn(db, errstr, errstr_size);
        int64_t t0 = of_mono_us();
        if (!err) err = of_db_plain(db, "START TRANSACTION", errstr, errstr_size);
        db->tx_start_us = t0;
        if (!err) err = fn(db, ctx, errstr, errstr_size);
        db->tx_start_us = 0;
        if (!err) {
            int bad = mysql_commit(db->my);
            of_metric_observe(OF_MH_TX, (double)(of_mono_us() - t0) / 1e6);
            if (bad)
                err = fail(db, mysql_errno(db->my), "commit", mysql_error(db->my), errstr, errstr_size);
            else
                return OF_OK;
        }
        if (db->my && !db->broken) mysql_rollback(db->my);
        if (err != OF_ERR_TRANSIENT || interrupted()) return err;
        same = attempt == 0 || same == db->last_errno ? db->last_errno : 0;
        if (attempt >= retries) {
            db->tx_gave_up_on = attempt ? same : 0; /* one attempt alone cannot tell a lasting error from a race */
            return err;
        }
        of_metric_add(OF_M_RETRIED, 1);
        of_warn("transaction retry", OF_I("attempt", attempt + 1), OF_S("error", errstr), OF_I("backoff_ms", backoff),
                OF_END);
        sleep_ms(backoff + rand() % (backoff / 2 + 1));
        if (interrupted()) return err; /* a stop during the backoff (it ends the sleep): no attempt more (D-RT-12) */
        backoff = backoff * 2 > cap ? cap : backoff * 2;
    }
}
