/* Shared by the libFuzzer harnesses (tests/fuzz/fuzz_*.c): the input as a file the code under
 * test can open by path, and a check that aborts with a message (a property that failed is a
 * finding, like a crash). */
#ifndef VMAFX_FUZZ_H
#define VMAFX_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The bytes as an anonymous in-memory file; *path names it (/proc/self/fd/N). Close fd after. */
static inline int fuzz_memfile(const uint8_t *data, size_t size, char *path, size_t n)
{
    int fd = memfd_create("fuzz-input", 0);
    if (fd < 0) abort();
    size_t off = 0;
    while (off < size) {
        ssize_t w = write(fd, data + off, size - off);
        if (w <= 0) abort();
        off += (size_t)w;
    }
    snprintf(path, n, "/proc/self/fd/%d", fd);
    return fd;
}

/* The bytes as a NUL-terminated string (malloc'ed). */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s) abort();
    memcpy(s, data, size);
    s[size] = 0;
    return s;
}

/* clang-format off */
#define FUZZ_CHECK(cond, ...)                                                                 \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            fprintf(stderr, "property failed: " __VA_ARGS__);                                 \
            fputc('\n', stderr);                                                              \
            abort();                                                                          \
        }                                                                                     \
    } while (0)
/* clang-format on */

#endif
