/* test_db_class.c -- issue 10, item 1: which MySQL errors a database refusal that passes raises (retry, never a
 * dead letter) and which ones a message's row causes (the message may be dead-lettered). Pure functions only. */
#include <criterion/criterion.h>
#include <errmsg.h>
#include <mysqld_error.h>
#include "of_db.h"

static void expect(const unsigned int *codes, size_t n, of_db_blame_t blame, of_err_t class) {
    for (size_t i = 0; i < n; i++) {
        cr_expect_eq(of_db_errno_blame(codes[i]), blame, "mysql %u: blame %d, want %d", codes[i],
                     of_db_errno_blame(codes[i]), blame);
        cr_expect_eq(of_db_errno_class(codes[i]), class, "mysql %u: class %s, want %s", codes[i],
                     of_err_str(of_db_errno_class(codes[i])), of_err_str(class));
    }
}
#define EXPECT(codes, blame, class) expect(codes, sizeof codes / sizeof codes[0], blame, class)

Test(issue10_item1, no_error) {
    cr_expect_eq(of_db_errno_blame(0), OF_DB_BLAME_NONE);
    cr_expect_eq(of_db_errno_class(0), OF_OK);
}

Test(issue10_item1, table_or_disk_full_is_retried) {
    static const unsigned int c[] = {
        1114, ER_RECORD_FILE_FULL, 1021, 1030, 1026, 3 /* EE_WRITE, errno 28 */, 20 /* EE_DISK_FULL */, 1878};
    EXPECT(c, OF_DB_BLAME_SERVER, OF_ERR_TRANSIENT);
}

Test(issue10_item1, read_only_is_retried) {
    static const unsigned int c[] = {1290, ER_OPTION_PREVENTS_STATEMENT, 1792, 1836};
    EXPECT(c, OF_DB_BLAME_SERVER, OF_ERR_TRANSIENT);
}

Test(issue10_item1, out_of_memory_and_connections_are_retried) {
    static const unsigned int c[] = {1037, 1038, 1041, 1040, 1203, 1226, 1135, 1206, 1637, 1461};
    EXPECT(c, OF_DB_BLAME_SERVER, OF_ERR_TRANSIENT);
}

Test(issue10_item1, locks_and_interrupted_statements_are_retried) {
    static const unsigned int c[] = {1205, 1213, 1689, 1317, 1969, 1180, 1181, 1412, 1615, 1020};
    EXPECT(c, OF_DB_BLAME_SERVER, OF_ERR_TRANSIENT);
}

Test(issue10_item1, shutdown_lost_connection_and_galera_are_retried) {
    static const unsigned int c[] = {1053, 1927, 1047, 1158, 1159, 1160, 1161, 1184, 2002,
                                     2003, 2006, 2013, 2014, 2026, 2055, 5013, 5014, 4031};
    EXPECT(c, OF_DB_BLAME_SERVER, OF_ERR_TRANSIENT);
}

Test(issue10_item1, missing_privileges_are_retried) {
    static const unsigned int c[] = {1044, 1045, 1142, 1143, 1227};
    EXPECT(c, OF_DB_BLAME_SERVER, OF_ERR_TRANSIENT);
}

Test(issue10_item1, bad_row_data_blames_the_message) {
    static const unsigned int c[] = {1406, 1366, 1264, 1265, 1048, 1452, 1451, 4025, 1292, 1690, 1644, 1118};
    EXPECT(c, OF_DB_BLAME_ROW, OF_ERR_DB);
}

Test(issue10_item1, duplicate_key_stays_duplicate) {
    cr_expect_eq(of_db_errno_class(ER_DUP_ENTRY), OF_ERR_DUPLICATE);
    cr_expect_eq(of_db_errno_blame(ER_DUP_ENTRY), OF_DB_BLAME_ROW);
}

Test(issue10_item1, sql_and_size_errors_blame_no_message) {
    static const unsigned int c[] = {1064, 1364, 1136, 1153, 1197, 1105, 2031, 2034};
    EXPECT(c, OF_DB_BLAME_STATEMENT, OF_ERR_DB);
}

/* D-RT-13: a table, column or database the code names and the server does not have (a migration running or not run
 * yet) is the server's condition: retried, never a dead letter (3 s without api_refund dead-lettered 255 changes) */
Test(issue10_item1, D_RT_13_missing_tables_columns_and_databases_are_retried) {
    static const unsigned int c[] = {1146, 1054, 1049};
    EXPECT(c, OF_DB_BLAME_SERVER, OF_ERR_TRANSIENT);
}

Test(issue10_item1, unknown_codes) {
    /* client library and OS/file ranges: the server's condition; an unknown server code: permanent, no blame */
    static const unsigned int server[] = {999, 2999, 5999, 2100};
    EXPECT(server, OF_DB_BLAME_SERVER, OF_ERR_TRANSIENT);
    static const unsigned int statement[] = {3999, 1999, 4999, 6000};
    EXPECT(statement, OF_DB_BLAME_STATEMENT, OF_ERR_DB);
}

Test(issue10_item1, error_classes) {
    cr_expect_eq(of_err_class(OF_ERR_TRANSIENT), OF_ERRCLASS_RETRIABLE);
    cr_expect_eq(of_err_class(OF_ERR_DB), OF_ERRCLASS_PERMANENT);
}
