/* Large cleared blocks: pictures and the per-worker planes of the extractors. */
#ifndef VMAFX_ENGINE_BIG_ALLOC_H
#define VMAFX_ENGINE_BIG_ALLOC_H

#include <stddef.h>

/* A cleared block aligned to 64 bytes, released with free(); NULL when out of memory. Its
 * whole 2 MiB ranges are offered to the kernel for transparent huge pages. */
void *big_alloc_cleared(size_t bytes);

/* A cleared block (calloc's) whose pages stay untouched until used, so parts never used cost
 * no memory; the whole 2 MiB ranges inside it are advised for huge pages, which only a
 * first use makes resident. Released with free(). */
void *big_calloc(size_t bytes);

#endif
