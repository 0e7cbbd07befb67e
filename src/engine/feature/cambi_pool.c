/* CAMBI: spatial pooling, the mean of the top k c-values of one scale.
 *
 * libvmaf selects the k largest with a quick-select and adds them, as doubles, in the order
 * the partition leaves them: in general that order decides the rounding of the sum, so
 * cambi_top_k_mean_select keeps libvmaf's partition exactly and is the definition.
 *
 * Most of the time no addition rounds at all. Every positive float is a multiple of its own
 * ulp, so all summed values are multiples of q, the ulp of the smallest of them; while every
 * partial sum stays below 2^53 q, each is a multiple of q that a double holds exactly, and the
 * sum is the same in every order. cambi_top_k_mean therefore finds the k-th largest value t
 * with a radix select on the bits (non-negative floats order as their bit patterns), adds the
 * values above t and the copies of t in any order, and keeps that sum only when it is below
 * 2^52 q (below 2^53 q even if it rounded, so no partial sum of libvmaf's order reached
 * 2^53 q either); otherwise it falls back to the definition. Same bits, without the
 * quick-select's unpredictable branches. */
#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "cambi.h"

/* libvmaf's partition, kept exactly. Afterwards arr[0..k) hold the k largest values. */
static void quick_select(float *arr, int n, int k)
{
    if (n == k) return;
    int left = 0, right = n - 1;
    while (left < right) {
        const float pivot = arr[k];
        int i = left, j = right;
        do {
            while (arr[i] > pivot) i++;
            while (arr[j] < pivot) j--;
            if (i <= j) {
                float t = arr[i];
                arr[i] = arr[j];
                arr[j] = t;
                i++;
                j--;
            }
        } while (i <= j);
        if (j < k) left = i;
        if (k < i) right = j;
    }
}

/* The bits of a float, read without breaking the aliasing rules (a plain load once compiled). */
static inline uint32_t bits_at(const float *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static int top_k_count(double topk, int n)
{
    double want = topk * n;
    return want < 1 ? 1 : want > n ? n : (int)want;
}

double cambi_top_k_mean_select(float *c, double topk, int n)
{
    const int k = top_k_count(topk, n);
    quick_select(c, n, k);
    /* adding +0 changes nothing, and most c-values are 0: blocks of 8 zeros (all bits 0, as
     * c-values are never -0) are passed over */
    double sum = 0;
    int i = 0;
    for (; i + 8 <= k; i += 8) {
        uint64_t bits[4];
        memcpy(bits, c + i, sizeof(bits));
        if (!(bits[0] | bits[1] | bits[2] | bits[3])) continue;
        for (int j = i; j < i + 8; j++)
            if (c[j] != 0.0f) sum += c[j];
    }
    for (; i < k; i++)
        if (c[i] != 0.0f) sum += c[i];
    return sum / k;
}

/* Walks the digits of a histogram down from `top` to the one that holds the k-th largest:
 * *above gains the count of values in the larger digits, *k becomes the rank left within. */
static uint32_t pick_digit(const uint32_t *hist, uint32_t top, int *k, int *above)
{
    int acc = 0;
    uint32_t d = top;
    while (d > 0 && acc + (int)hist[d] < *k) acc += (int)hist[d--];
    *above += acc;
    *k -= acc;
    return d;
}

/* Histogram of the digit (the bits at shift, under mask) of the values whose bits above
 * `top` equal `prefix` (all values when top is 32), in four parts so that runs of equal
 * values do not wait on one counter; summed into h[0] up to `bins`. */
static void histogram(uint32_t h[4][1 << 12], const float *c, int n, int shift, uint32_t mask, int top,
                      uint32_t prefix, uint32_t bins)
{
    memset(h, 0, sizeof(uint32_t[4][1 << 12]));
    const uint32_t pm = top >= 32 ? 0 : ~0u << top;
    prefix = top >= 32 ? 0 : prefix << top;
    int i = 0;
    for (; i + 4 <= n; i += 4)
        for (int j = 0; j < 4; j++)
            h[j][(bits_at(c + i + j) >> shift) & mask] += (bits_at(c + i + j) & pm) == prefix;
    for (; i < n; i++) h[0][(bits_at(c + i) >> shift) & mask] += (bits_at(c + i) & pm) == prefix;
    for (uint32_t d = 0; d < bins; d++) h[0][d] += h[1][d] + h[2][d] + h[3][d];
}

#define HIGH_INF 0x7f8u /* the high 12 bits of +inf */

/* The bits of the k-th largest of c[0..n) (all >= +0), and in *above the count of larger
 * values; -1 when a value is +inf or NaN. */
static int select_kth(const float *c, int n, int k, uint32_t *kth, int *above, uint32_t h[4][1 << 12])
{
    histogram(h, c, n, 20, 0xfff, 32, 0, HIGH_INF);
    for (uint32_t d = HIGH_INF; d < 1u << 12; d++)
        if (h[0][d] | h[1][d] | h[2][d] | h[3][d]) return -1;
    int rank = k;
    *above = 0;
    uint32_t t = pick_digit(h[0], HIGH_INF - 1, &rank, above);
    histogram(h, c, n, 8, 0xfff, 20, t, 1u << 12);
    t = t << 12 | pick_digit(h[0], 0xfff, &rank, above);
    histogram(h, c, n, 0, 0xff, 8, t, 1u << 8);
    *kth = t << 8 | pick_digit(h[0], 0xff, &rank, above);
    return 0;
}

void cambi_pool_reset(CambiPoolScan *p)
{
    for (int j = 0; j < CAMBI_POOL_LANES; j++) {
        p->lo[j] = UINT32_MAX;
        p->zeros[j] = p->bits[j] = 0;
        p->sum[j] = 0;
    }
}

/* Sixteen lanes, so that the compiler vectorises the loop with any instruction set and keeps
 * several vectors of running minima and sums. The minimum is of the keys (bits - 1) ^ sign
 * compared as signed, i.e. of bits - 1 unsigned: the smallest bits other than +0's. The
 * bits are or-ed to see a sign bit. The sums are in no particular order: they are kept only
 * when no addition rounded (see above). */
void cambi_pool_scan(CambiPoolScan *p, const float *c, int n)
{
    uint32_t lo[CAMBI_POOL_LANES], zeros[CAMBI_POOL_LANES], bits[CAMBI_POOL_LANES];
    double sum[CAMBI_POOL_LANES];
    memcpy(bits, p->bits, sizeof(bits));
    memcpy(lo, p->lo, sizeof(lo));
    memcpy(zeros, p->zeros, sizeof(zeros));
    memcpy(sum, p->sum, sizeof(sum));
    int i = 0;
    for (; i + CAMBI_POOL_LANES <= n; i += CAMBI_POOL_LANES)
        for (int j = 0; j < CAMBI_POOL_LANES; j++) {
            const uint32_t v = bits_at(c + i + j), key = (v - 1) ^ 0x80000000u;
            zeros[j] += v == 0;
            bits[j] |= v;
            lo[j] = (int32_t)key < (int32_t)lo[j] ? key : lo[j];
            sum[j] += c[i + j];
        }
    for (; i < n; i++) {
        const uint32_t v = bits_at(c + i), key = (v - 1) ^ 0x80000000u;
        zeros[0] += v == 0;
        bits[0] |= v;
        lo[0] = (int32_t)key < (int32_t)lo[0] ? key : lo[0];
        sum[0] += c[i];
    }
    memcpy(p->bits, bits, sizeof(bits));
    memcpy(p->lo, lo, sizeof(lo));
    memcpy(p->zeros, zeros, sizeof(zeros));
    memcpy(p->sum, sum, sizeof(sum));
}

/* The sum of the values of c[0..n) whose bits are above t. */
static double sum_above(const float *c, int n, uint32_t t)
{
    double s[4] = { 0, 0, 0, 0 };
    int i = 0;
    for (; i + 4 <= n; i += 4)
        for (int j = 0; j < 4; j++) s[j] += bits_at(c + i + j) > t ? c[i + j] : 0.0f;
    for (; i < n; i++) s[0] += bits_at(c + i) > t ? c[i] : 0.0f;
    return (s[0] + s[1]) + (s[2] + s[3]);
}

double cambi_top_k_mean(float *c, double topk, int n, const CambiPoolScan *p)
{
    static_assert(sizeof(float) == sizeof(uint32_t), "float is binary32");
    const int k = top_k_count(topk, n);
    int zeros = 0;
    uint32_t key = UINT32_MAX, bits = 0;
    double all = 0;
    for (int j = 0; j < CAMBI_POOL_LANES; j++) {
        zeros += (int)p->zeros[j];
        bits |= p->bits[j];
        key = (int32_t)p->lo[j] < (int32_t)key ? p->lo[j] : key;
        all += p->sum[j];
    }
    if (bits >> 31) return cambi_top_k_mean_select(c, topk, n); /* a sign bit set */
    if (!bits) return 0.0;                                      /* all +0 */
    const uint32_t lo = (key ^ 0x80000000u) + 1;                /* the smallest value above +0 */
    double sum;
    float smallest;       /* the smallest value above +0 that the sum holds */
    if (k >= n - zeros) { /* the top k: every value above +0, and zeros */
        sum = all;        /* NaN or inf if one is */
        memcpy(&smallest, &lo, sizeof(smallest));
    } else {
        uint32_t h[4][1 << 12], t;
        int above;
        if (select_kth(c, n, k, &t, &above, h)) return cambi_top_k_mean_select(c, topk, n);
        memcpy(&smallest, &t, sizeof(smallest));
        /* the values above t, and k - above copies of t */
        sum = sum_above(c, n, t) + (double)(k - above) * smallest;
    }
    /* every summed value is a multiple of the smallest one's ulp */
    int e;
    frexpf(smallest, &e);
    const double q = ldexp(1.0, (e < -125 ? -125 : e) - 24);
    if (sum < ldexp(q, 52)) return sum / k;
    return cambi_top_k_mean_select(c, topk, n);
}
