/* of_err.h -- the project's one error enum, its text and its class (retriable / permanent / fatal). */
#ifndef OF_ERR_H
#define OF_ERR_H

#define OF_MUST_CHECK __attribute__((warn_unused_result))

typedef enum {
    OF_OK = 0,
    OF_ERR_INVALID,     /* bad input: validation failed (permanent: dead-letter) */
    OF_ERR_DECODE,      /* bytes are not the expected message (permanent) */
    OF_ERR_UNKNOWN_REF, /* refers to something we do not know: shop, goods (permanent) */
    OF_ERR_DUPLICATE,   /* already done: a replay (not a failure) */
    OF_ERR_STALE,       /* an older version than what is stored (not a failure) */
    OF_ERR_TRANSIENT,   /* deadlock, lost connection, broker timeout: retry */
    OF_ERR_DB,          /* database error that retrying will not cure (permanent) */
    OF_ERR_CONFIG,      /* start-up configuration error (fatal) */
    OF_ERR_IO,          /* file or socket error */
    OF_ERR_NOMEM,       /* fatal */
    OF_ERR__COUNT
} of_err_t;

typedef enum { OF_ERRCLASS_NONE, OF_ERRCLASS_RETRIABLE, OF_ERRCLASS_PERMANENT, OF_ERRCLASS_FATAL } of_errclass_t;

/* Short stable name of an error ("invalid", "transient" ...). Static string. */
const char *of_err_str(of_err_t err);
/* How a caller must react to err. */
of_errclass_t of_err_class(of_err_t err);

/* Copy a formatted message into errstr (always NUL-terminated). Returns err so callers can
 * `return of_seterr(errstr, size, OF_ERR_INVALID, "...")`. */
of_err_t of_seterr(char *errstr, size_t errstr_size, of_err_t err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
