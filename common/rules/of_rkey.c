/* of_rkey.c -- Redis key builders and the Redis Cluster hash slot (of_rkey.h). */
#include "of_rkey.h"
#include <stdio.h>
#include <string.h>

uint16_t of_rkey_crc16(const void *buf, size_t len) {
    const unsigned char *p = buf;
    uint16_t crc = 0;
    for (size_t i = 0; i < len; i++) {
        crc ^= (uint16_t)(p[i] << 8);
        for (int b = 0; b < 8; b++)
            crc = (uint16_t)(crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1);
    }
    return crc;
}

unsigned of_rkey_slot(const char *key, size_t len) {
    const char *open = memchr(key, '{', len);
    if (open) {
        size_t rest = len - (size_t)(open - key) - 1;
        const char *close = memchr(open + 1, '}', rest);
        if (close && close > open + 1) return of_rkey_crc16(open + 1, (size_t)(close - open - 1)) % OF_RKEY_SLOTS;
    }
    return of_rkey_crc16(key, len) % OF_RKEY_SLOTS;
}

/* prefix kind:a[:b] */
static const char *join(char *buf, size_t size, const char *prefix, const char *kind, const char *a, const char *b) {
    snprintf(buf, size, "%s%s:%s%s%s", prefix, kind, a, b ? ":" : "", b ? b : "");
    return buf;
}

const char *of_rkey_dedupe(char *buf, size_t size, const char *prefix, const char *consumer, const char *event_id) {
    return join(buf, size, prefix, "dedupe", consumer, event_id);
}

const char *of_rkey_delivery(char *buf, size_t size, const char *prefix, const char *ref, const char *what) {
    snprintf(buf, size, "%sdlv:{%s}:%s", prefix, ref, what);
    return buf;
}

const char *of_rkey_fsjob(char *buf, size_t size, const char *prefix, const char *job_id) {
    return join(buf, size, prefix, "fsjob", job_id, NULL);
}

const char *of_rkey_fsjob_active(char *buf, size_t size, const char *prefix) {
    return join(buf, size, prefix, "fsjob", "active", NULL);
}

const char *of_rkey_fsidem(char *buf, size_t size, const char *prefix, const char *client, const char *idem) {
    return join(buf, size, prefix, "fsidem", client, idem);
}

const char *of_rkey_seq(char *buf, size_t size, const char *prefix, const char *name) {
    return join(buf, size, prefix, "seq", name, NULL);
}
