/* Software prefetch of picture rows. The extractors that read a fresh picture first (ADM's
 * level-0 DWT: 4 rows per output row; motion: 5 rows of two pictures) stall on memory although
 * they walk the rows in order; asking for the rows of the next step ahead of time cut ADM's
 * level-0 vertical pass to a quarter at 1080p. Prefetches change no result. */
#ifndef VMAFX_ENGINE_PREFETCH_H
#define VMAFX_ENGINE_PREFETCH_H

#include <stddef.h>

static inline void prefetch_row(const void *row, size_t bytes)
{
    const char *p = row;
    for (size_t b = 0; b < bytes; b += 64) __builtin_prefetch(p + b);
}

#endif
