/* See big_alloc.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "big_alloc.h"

#define HUGE_PAGE ((size_t)2 << 20)

/* Blocks of 2 MiB and more are aligned to 2 MiB and advised MADV_HUGEPAGE (where transparent
 * huge pages are set to "madvise", the usual default): clearing a 1080p picture then takes
 * a few page faults instead of 1,500, which in a virtual machine cost more than the
 * clearing itself. */
void *big_calloc(size_t bytes)
{
    char *p = calloc(bytes, 1);
#ifdef MADV_HUGEPAGE
    if (p && bytes >= 2 * HUGE_PAGE) {
        uintptr_t start = ((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
        uintptr_t end = ((uintptr_t)p + bytes) & ~(uintptr_t)(HUGE_PAGE - 1);
        if (end > start) madvise((void *)start, end - start, MADV_HUGEPAGE);
    }
#endif
    return p;
}

void *big_alloc_cleared(size_t bytes)
{
    void *p = NULL;
#ifdef MADV_HUGEPAGE
    if (bytes >= HUGE_PAGE) {
        /* the whole 2 MiB ranges get huge pages, and the tail too when it is most of one
         * (a 1080p 10-bit picture or CAMBI plane ends 2.0 MiB into its last range): the
         * resident memory then grows by at most a quarter of a huge page */
        size_t huge = bytes & ~(HUGE_PAGE - 1);
        if (bytes - huge >= HUGE_PAGE - HUGE_PAGE / 4) huge += HUGE_PAGE;
        if (posix_memalign(&p, HUGE_PAGE, huge > bytes ? huge : bytes)) return NULL;
        madvise(p, huge, MADV_HUGEPAGE); /* advice: failure is harmless */
    }
#endif
    if (!p && !(p = aligned_alloc(64, (bytes + 63) & ~(size_t)63))) return NULL;
    memset(p, 0, bytes);
    return p;
}
