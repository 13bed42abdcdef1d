/* of_file.c -- whole-file reads (Lua scripts, migrations, test payloads). */
#include <stdio.h>
#include <stdlib.h>
#include "of_file.h"

char *of_file_read(const char *path, size_t *lenp) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        if (lenp) *lenp = (size_t)n;
    }
    return buf;
}
