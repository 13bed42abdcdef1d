/* of_err.c -- error names and classes. */
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include "of_err.h"

static const char *const names[OF_ERR__COUNT] = {
    [OF_OK] = "ok",
    [OF_ERR_INVALID] = "invalid",
    [OF_ERR_DECODE] = "decode",
    [OF_ERR_UNKNOWN_REF] = "unknown_ref",
    [OF_ERR_DUPLICATE] = "duplicate",
    [OF_ERR_STALE] = "stale",
    [OF_ERR_TRANSIENT] = "transient",
    [OF_ERR_DB] = "db",
    [OF_ERR_CONFIG] = "config",
    [OF_ERR_IO] = "io",
    [OF_ERR_NOMEM] = "nomem",
};

const char *of_err_str(of_err_t err) {
    if ((unsigned)err >= OF_ERR__COUNT) return "unknown";
    return names[err];
}

of_errclass_t of_err_class(of_err_t err) {
    switch (err) {
    case OF_OK:
    case OF_ERR_DUPLICATE:
    case OF_ERR_STALE:
        return OF_ERRCLASS_NONE;
    case OF_ERR_TRANSIENT:
    case OF_ERR_IO:
        return OF_ERRCLASS_RETRIABLE;
    case OF_ERR_INVALID:
    case OF_ERR_DECODE:
    case OF_ERR_UNKNOWN_REF:
    case OF_ERR_DB:
        return OF_ERRCLASS_PERMANENT;
    default:
        return OF_ERRCLASS_FATAL;
    }
}

of_err_t of_seterr(char *errstr, size_t errstr_size, of_err_t err, const char *fmt, ...) {
    if (errstr && errstr_size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(errstr, errstr_size, fmt, ap);
        va_end(ap);
    }
    return err;
}
