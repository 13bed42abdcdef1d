/* of_migrate.c -- schema migrations: schema/<db>/NNN_name.sql applied once each, in order. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <openssl/sha.h>
#include "of_file.h"
#include "of_migrate.h"

static const char SQL_CREATE[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version VARCHAR(16) NOT NULL PRIMARY KEY, name VARCHAR(255) NOT NULL,"
    " checksum CHAR(64) NOT NULL, applied_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)"
    ") ENGINE=InnoDB DEFAULT CHARSET=ascii";
static const char SQL_GET[] = "SELECT checksum FROM schema_migrations WHERE version = ?";
static const char SQL_PUT[] = "INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)";

const char *of_migrate_schema_dir(const of_config_t *cfg) {
    const char *d = of_cfg_str(cfg, OF_CFG_SCHEMA_DIR);
    if (*d) return d;
    struct stat st;
    if (stat(OF_SOURCE_DIR "/schema/main", &st) == 0) return OF_SOURCE_DIR "/schema";
    return "/usr/local/share/orderfleet/schema";
}

static int cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

of_err_t of_migrate_dir(of_db_t *db, const char *dir, int dry_run, int *appliedp, char *errstr, size_t errstr_size) {
    *appliedp = 0;
    of_err_t err = of_db_plain(db, SQL_CREATE, errstr, errstr_size);
    if (err) return err;
    int st_get = of_db_register(db, SQL_GET), st_put = of_db_register(db, SQL_PUT);
    DIR *d = opendir(dir);
    if (!d) return of_seterr(errstr, errstr_size, OF_ERR_IO, "cannot open %s", dir);
    char **names = NULL;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t l = strlen(e->d_name);
        if (l < 8 || strcmp(e->d_name + l - 4, ".sql") || e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        char **nn = realloc(names, sizeof *nn * (size_t)(n + 1));
        if (!nn) break;
        names = nn;
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, cmp);
    for (int i = 0; i < n && !err; i++) {
        char version[16];
        size_t vl = strspn(names[i], "0123456789");
        snprintf(version, sizeof version, "%.*s", (int)(vl < 15 ? vl : 15), names[i]);
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        size_t len;
        char *sql = of_file_read(path, &len);
        if (!sql) {
            err = of_seterr(errstr, errstr_size, OF_ERR_IO, "cannot read %s", path);
            break;
        }
        unsigned char md[SHA256_DIGEST_LENGTH];
        SHA256((unsigned char *)sql, len, md);
        char sum[65];
        for (int k = 0; k < 32; k++)
            snprintf(sum + 2 * k, 3, "%02x", md[k]);
        of_rows_t *rows;
        of_param_t pv = OFP_S(version);
        if ((err = of_db_query(db, st_get, &pv, 1, &rows, errstr, errstr_size))) {
            free(sql);
            break;
        }
        if (rows->nrows) {
            if (strcmp(of_rows_str(rows, 0, 0), sum))
                err = of_seterr(errstr, errstr_size, OF_ERR_DB,
                                "%s was changed after it was applied (checksum differs): add a new migration instead",
                                path);
            else
                printf("  = %s (applied)\n", names[i]);
        } else if (dry_run) {
            printf("  + %s (pending)\n", names[i]);
        } else {
            printf("  + %s ... ", names[i]);
            fflush(stdout);
            err = of_db_plain(db, sql, errstr, errstr_size);
            if (!err) {
                of_param_t p[] = {OFP_S(version), OFP_S(names[i]), OFP_S(sum)};
                err = of_db_exec(db, st_put, p, 3, NULL, NULL, errstr, errstr_size);
            }
            printf("%s\n", err ? "FAILED" : "ok");
            if (!err)
                (*appliedp)++;
            else {
                size_t l = strlen(errstr);
                snprintf(errstr + l, errstr_size - l, " (in %s)", names[i]);
            }
        }
        of_rows_free(rows);
        free(sql);
    }
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return err;
}
