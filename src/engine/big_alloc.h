/* Large zero-filled blocks: pictures and the per-worker work memory of the extractors. */
#ifndef VMAFX_ENGINE_BIG_ALLOC_H
#define VMAFX_ENGINE_BIG_ALLOC_H

#include <stddef.h>

/* A zero-filled block aligned to 64 bytes (pictures, an extractor's per-worker work memory)
 * whose pages stay untouched until used, released with big_free(). A block of 1.5 MiB and
 * more gets a mapping of its own, 2 MiB aligned, and its whole 2 MiB ranges (the last one
 * too when the block fills at least three quarters of it) are advised for huge pages: where
 * a page fault costs as much as it does in these virtual machines (~15 us), a 1080p worker's
 * planes then fault a few times instead of thousands of times. Sanitizer builds take the
 * heap instead, so that overruns stay visible. */
void *big_zeroed(size_t bytes);
void big_free(void *p);

#endif
