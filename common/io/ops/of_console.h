/* of_console.h -- the ops console (of-console, issue 15): one server-rendered HTML page, behind the operators'
 * token, on libmicrohttpd like the gateway:
 *   GET  /              the page: orders by status, what moved in the last 15 minutes, lag per consumer group,
 *                       retry-ladder occupancy, dead letters (re-drive buttons), flash-sale jobs by state, sync
 *                       conflicts, the stock check; ?q=… an order search showing `explain`
 *   GET  /panels        the panels alone (the page fetches them every OF_CONSOLE_REFRESH_S)
 *   POST /redrive       id, csrf: re-drive that dead letter (ordctl dlq redrive ID), then 303 to /?redriven=ID
 *   GET  /login, POST /login (token), POST /logout (csrf)   the session cookie
 *   GET  /healthz       200 ok (no token)
 * Without a valid bearer token or session cookie: 401 with the login form. */
#ifndef OF_CONSOLE_H
#define OF_CONSOLE_H
#include <stddef.h>
#include "of_config.h"

typedef struct of_console_s of_console_t;

/* Starts the HTTP server (OF_CONSOLE_BIND:OF_CONSOLE_PORT, OF_CONSOLE_THREADS). NULL + errstr when the
 * configuration is unusable (no OF_CONSOLE_TOKEN, shorter than 16) or the port is taken. */
of_console_t *of_console_new(const of_config_t *cfg, char *errstr, size_t errstr_size);
/* Stops accepting, finishes the requests in flight, frees (Kafka handles and the re-drive producer included). */
void of_console_destroy(of_console_t *c);

#endif
