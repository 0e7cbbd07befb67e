/* Bounded string copy that says when it had to cut (and keeps gcc's truncation analysis,
 * which cannot see the bounds we checked, out of the way). */
#ifndef VMAFX_BASE_STR_H
#define VMAFX_BASE_STR_H

#include <string.h>

/* Copies src into dst (size n, n > 0), always terminated; returns -1 if it was cut. */
static inline int str_copy(char *dst, size_t n, const char *src)
{
    size_t len = strlen(src);
    int cut = len >= n;
    if (cut) len = n - 1;
    memcpy(dst, src, len);
    dst[len] = 0;
    return cut ? -1 : 0;
}

#endif
