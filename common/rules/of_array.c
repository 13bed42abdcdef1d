/* of_array.c -- growable arrays. Pure. */
#include "of_array.h"
#include <stdint.h>
#include <stdlib.h>

int of_array_grow(void **arr, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return 0;
    size_t n = *cap ? *cap : 16;
    while (n < need)
        n *= 2;
    if (elem && n > SIZE_MAX / elem) return -1;
    void *p = realloc(*arr, n * elem);
    if (!p) return -1;
    *arr = p;
    *cap = n;
    return 0;
}
