/* of_file.h -- reading a whole file into memory. */
#ifndef OF_FILE_H
#define OF_FILE_H
#include <stddef.h>

/* The file's bytes plus a terminating NUL (so text can be used as a string); *lenp = byte count.
 * NULL when the file cannot be opened or read. Caller frees with free(). */
char *of_file_read(const char *path, size_t *lenp);

#endif
