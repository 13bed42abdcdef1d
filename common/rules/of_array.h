/* of_array.h -- growable arrays: room for one more element, doubling. Pure. */
#ifndef OF_ARRAY_H
#define OF_ARRAY_H
#include <stddef.h>

/* Make *arr (of elem-byte elements, *cap of them allocated) hold at least need elements: doubled from 16 (or need)
 * when short. 0, or -1 when out of memory (*arr and *cap unchanged). */
int of_array_grow(void **arr, size_t *cap, size_t need, size_t elem);

#endif
