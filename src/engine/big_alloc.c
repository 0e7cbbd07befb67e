/* See big_alloc.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "big_alloc.h"

#define HUGE_PAGE ((size_t)2 << 20)

/* Huge pages are advised with MADV_HUGEPAGE (where transparent huge pages are set to
 * "madvise", the usual default): a 1080p picture's first use then takes a few page faults
 * instead of 750, which in a virtual machine cost more than filling the memory. */

/* Under AddressSanitizer the work memory comes from the heap, where overruns are seen. */
#if defined(__SANITIZE_ADDRESS__)
#define BIG_FROM_HEAP 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BIG_FROM_HEAP 1
#endif
#endif

#ifdef BIG_FROM_HEAP
void *big_zeroed(size_t bytes)
{
    void *p = aligned_alloc(64, (bytes + 63) & ~(size_t)63);
    if (p) memset(p, 0, bytes);
    return p;
}

void big_free(void *p)
{
    free(p);
}
#else
#define PAGE ((size_t)4096)
#define HEADER 64 /* the mapping's length, kept in front of the block (keeps 64-byte alignment) */

/* The whole 2 MiB ranges of n bytes, the last one too when n fills three quarters of it. */
static size_t huge_part(size_t n)
{
    size_t huge = n & ~(HUGE_PAGE - 1);
    return n - huge >= HUGE_PAGE - HUGE_PAGE / 4 ? huge + HUGE_PAGE : huge;
}

void *big_zeroed(size_t bytes)
{
    const size_t need = bytes + HEADER, huge = bytes >= HUGE_PAGE - HUGE_PAGE / 4 ? huge_part(need) : 0;
    size_t len = (need + PAGE - 1) & ~(PAGE - 1);
    if (huge > len) len = huge;
    /* 2 MiB alignment: map one range more, then unmap what lies outside the aligned part */
    const size_t slack = huge ? HUGE_PAGE : 0;
    uint8_t *m = mmap(NULL, len + slack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return NULL;
    uint8_t *a = m;
    if (slack) {
        a = (uint8_t *)(((uintptr_t)m + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
        if (a > m) munmap(m, (size_t)(a - m));
        if (m + len + slack > a + len) munmap(a + len, (size_t)(m + len + slack - (a + len)));
#ifdef MADV_HUGEPAGE
        madvise(a, huge, MADV_HUGEPAGE); /* advice: failure is harmless */
#endif
    }
    *(size_t *)(void *)a = len;
    return a + HEADER;
}

void big_free(void *p)
{
    if (!p) return;
    uint8_t *a = (uint8_t *)p - HEADER;
    munmap(a, *(size_t *)(void *)a);
}
#endif
