/* of_log.h -- structured one-line logs: ts=... level=... comp=... msg="..." key=value ... */
#ifndef OF_LOG_H
#define OF_LOG_H

typedef enum { OF_LOG_DEBUG = 0, OF_LOG_INFO, OF_LOG_WARN, OF_LOG_ERROR } of_log_level_t;

/* Typed key/value arguments for of_log(); the list ends with OF_END. */
enum { OF_KV_END = 0, OF_KV_STR = 1, OF_KV_INT = 2, OF_KV_UINT = 3 };
#define OF_S(k, v) OF_KV_STR, (const char *)(k), (const char *)(v)
#define OF_I(k, v) OF_KV_INT, (const char *)(k), (long long)(v)
#define OF_U(k, v) OF_KV_UINT, (const char *)(k), (unsigned long long)(v)
#define OF_END OF_KV_END

/* Set the component name printed as comp= (borrowed; must outlive logging) and the minimum level. */
void of_log_init(const char *component, of_log_level_t min_level);
/* Parse "debug"/"info"/"warn"/"error"; returns -1 if unknown. */
int of_log_level_parse(const char *s);
int of_log_enabled(of_log_level_t lvl);

/* Write one line to stderr. Values are quoted and escaped when they hold spaces, quotes,
 * '=' or control bytes, so every line parses as key=value. Thread-safe (one write(2) per line). */
void of_log(of_log_level_t lvl, const char *msg, ...);

#define of_info(...) of_log(OF_LOG_INFO, __VA_ARGS__)
#define of_warn(...) of_log(OF_LOG_WARN, __VA_ARGS__)
#define of_error(...) of_log(OF_LOG_ERROR, __VA_ARGS__)
#define of_debug(...)                                                                                                  \
    do {                                                                                                               \
        if (of_log_enabled(OF_LOG_DEBUG)) of_log(OF_LOG_DEBUG, __VA_ARGS__);                                           \
    } while (0)

#endif
