/* CAMBI kernels, SIMD body shared by cambi_avx2.c and cambi_avx512.c. Each includes this
 * file after defining:
 *   V16, N16      a vector of N16 uint16 lanes; M16 the result of a lane compare
 *   V32, N32      a vector of N32 int32/float lanes (N32 = N16 / 2); M32 likewise
 *   ld16, st16, add16, sub16, min16, eq16, gt16, and_m16, or_m16, sel16, ones16(M),
 *   set16, zero16, none16(M)
 *   ld_u16_to_32 (N32 uint16 -> int32 lanes), set32, add32, mul32, min32, max32, gt32,
 *   and_m32, not_m32, any32, all32, eq32, gather16 (uint16 at base + idx, zero-extended), gather_f,
 *   iota16 (0, 1, ...), mins16 (signed min), maskz16 (zero the lanes not in M),
 *   in_band16 (0 <= r <= top, unsigned compare), eq_prefix16 (leading elements equal to k),
 *   cvt_f, mul_f, max_f, zero_f, maskz_f (zero the lanes not in M), st_f
 * Every kernel reproduces its scalar definition in cambi_kernels.h bit for bit and leaves
 * its row tail to that definition. */

/* ---- spatial mask ---------------------------------------------------------------------- */

static void flat_row(const uint16_t *row, const uint16_t *below, uint16_t *d, int w)
{
    int c = 0;
    for (; c + N16 <= w - 1; c += N16) { /* row[c + N16] exists: not the last column */
        const V16 x = ld16(row + c);
        M16 f = eq16(x, ld16(row + c + 1));
        if (below) f = and_m16(f, eq16(x, ld16(below + c)));
        st16(d + c, ones16(f));
    }
    cambi_flat_row_c(row + c, below ? below + c : NULL, d + c, w - c);
}

static void box_update(uint16_t *colsum, const uint16_t *add, const uint16_t *sub, int w)
{
    int c = 0;
    for (; c + N16 <= w; c += N16)
        st16(colsum + c, sub16(add16(ld16(colsum + c), ld16(add + c)), ld16(sub + c)));
    cambi_box_update_c(colsum + c, add + c, sub + c, w - c);
}

static void mask_row(const uint16_t *colsum, uint16_t *mask, int w, int thr)
{
    const V16 t = set16((uint16_t)thr);
    int c = 0;
    for (; c + N16 <= w; c += N16) {
        V16 n = ld16(colsum + c - CAMBI_MASK_HALF);
        for (int k = 1 - CAMBI_MASK_HALF; k <= CAMBI_MASK_HALF; k++) n = add16(n, ld16(colsum + c + k));
        st16(mask + c, ones16(gt16(n, t))); /* box counts <= 49: signed compare is fine */
    }
    cambi_mask_row_c(colsum + c, mask + c, w - c, thr);
}

/* ---- mode filter and decimation -------------------------------------------------------- */

static inline V16 mode3(V16 a, V16 b, V16 c)
{
    const M16 a_dup = or_m16(eq16(a, b), eq16(a, c));
    const V16 r = sel16(eq16(b, c), b, min16(min16(a, b), c));
    return sel16(a_dup, a, r);
}

static void mode_h(const uint16_t *in, uint16_t *out, int w)
{
    if (w < N16 + 2) {
        cambi_mode_h_c(in, out, w);
        return;
    }
    out[0] = in[0];
    int c = 1;
    for (; c + N16 <= w - 1; c += N16) st16(out + c, mode3(ld16(in + c - 1), ld16(in + c), ld16(in + c + 1)));
    for (; c < w - 1; c++) out[c] = cambi_mode3(in[c - 1], in[c], in[c + 1]);
    out[w - 1] = in[w - 1];
}

static void mode_v(const uint16_t *a, const uint16_t *b, const uint16_t *c, uint16_t *out, int w)
{
    int j = 0;
    for (; j + N16 <= w; j += N16) st16(out + j, mode3(ld16(a + j), ld16(b + j), ld16(c + j)));
    cambi_mode_v_c(a + j, b + j, c + j, out + j, w - j);
}

/* ---- window histogram ------------------------------------------------------------------ */

/* N16 ones then N16 zeros: loading at N16 - r gives r leading ones. */
static const uint16_t lead_ones[2 * N16] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
#if N16 == 32
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
#endif
};

/* h[lo, hi) += 1 or -= 1. The last vector may reach past hi: it adds 0 there (the histogram
 * has CAMBI_SLACK elements after its last row). */
static inline void range_add(uint16_t *h, int lo, int hi, int up)
{
    int c = lo;
    for (; c + N16 <= hi; c += N16) {
        const V16 x = ld16(h + c), one = set16(1);
        st16(h + c, up ? add16(x, one) : sub16(x, one));
    }
    if (c < hi) {
        const V16 x = ld16(h + c), part = ld16(lead_ones + N16 - (hi - c));
        st16(h + c, up ? add16(x, part) : sub16(x, part));
    }
}

/* A run of k = c1 - c0 columns entering (or leaving) the same value row at once: column j
 * gains the number of run columns within pad of it, min(j - lo + 1, hi - j, k, 2 pad + 1)
 * with lo = c0 - pad, hi = c1 + pad: one pass over the run's reach instead of k ranges. */
static void run_add(uint16_t *h, int w, int pad, int c0, int c1, int up)
{
    const int lo = c0 - pad, hi = c1 + pad, k = c1 - c0;
    if (k == 1) {
        range_add(h, lo < 0 ? 0 : lo, hi > w ? w : hi, up);
        return;
    }
    const int start = lo < 0 ? 0 : lo, end = hi > w ? w : hi;
    const int kmax = k < 2 * pad + 1 ? k : 2 * pad + 1;
    const V16 from_lo = set16((uint16_t)(1 - lo)), to_hi = set16((uint16_t)hi);
    const V16 cap = set16((uint16_t)kmax), last = set16((uint16_t)end), zero = set16(0);
    for (int j = start; j < end; j += N16) {
        const V16 jj = add16(set16((uint16_t)j), iota16());
        V16 n = mins16(mins16(add16(jj, from_lo), sub16(to_hi, jj)), cap);
        n = maskz16(gt16(sub16(last, jj), zero), n); /* nothing past the end */
        const V16 x = ld16(h + j);
        st16(h + j, up ? add16(x, n) : sub16(x, n));
    }
}

/* Columns are handled in chunks: their keys live on the stack. */
#define SLIDE_CHUNK 512
#define KEY_END (-2) /* after the last key: equal to no key */

/* Histogram row of each column of a chunk, -1 where it does not move (masked out, out of
 * the band, or the same value leaving and entering: the two cancel). */
static void slide_keys(int16_t *ka, int16_t *ks, const uint16_t *add, const uint16_t *add_mask,
                       const uint16_t *sub, const uint16_t *sub_mask, int c0, int n, int base, int size)
{
    const V16 none = set16(0xFFFF), zero = set16(0), b = set16((uint16_t)base);
    const V16 top = set16((uint16_t)(size - 1));
    int c = 0;
    for (; c + N16 <= n; c += N16) {
        V16 ra = none, rs = none;
        if (add) {
            const V16 r = sub16(ld16(add + c0 + c), b);
            ra = sel16(and_m16(gt16(ld16(add_mask + c0 + c), zero), in_band16(r, top)), r, none);
        }
        if (sub) {
            const V16 r = sub16(ld16(sub + c0 + c), b);
            rs = sel16(and_m16(gt16(ld16(sub_mask + c0 + c), zero), in_band16(r, top)), r, none);
        }
        const M16 same = eq16(ra, rs);
        st16((uint16_t *)ka + c, sel16(same, none, ra));
        st16((uint16_t *)ks + c, sel16(same, none, rs));
    }
    for (; c < n; c++) {
        const int ra = cambi_hist_row(add, add_mask, c0 + c, base, size);
        const int rs = cambi_hist_row(sub, sub_mask, c0 + c, base, size);
        ka[c] = (int16_t)(ra == rs ? -1 : ra);
        ks[c] = (int16_t)(ra == rs ? -1 : rs);
    }
    for (int k = 0; k < N16; k++) ka[n + k] = ks[n + k] = KEY_END;
}

/* Each run of equal keys >= 0 enters (or leaves) its value row. */
static void apply_runs(uint16_t *hist, int w, int pad, const int16_t *key, int c0, int n, int up)
{
    int c = 0;
    while (c < n) {
        const int k = key[c];
        int e = c, m;
        do {
            m = eq_prefix16(key + e, k);
            e += m;
        } while (m == N16);
        if (k >= 0) run_add(hist + (size_t)k * w, w, pad, c0 + c, c0 + e, up);
        c = e;
    }
}

static void hist_slide(uint16_t *hist, int w, int pad, int base, int size, const uint16_t *add,
                       const uint16_t *add_mask, const uint16_t *sub, const uint16_t *sub_mask)
{
    int16_t ka[SLIDE_CHUNK + N16], ks[SLIDE_CHUNK + N16];
    if (size <= 0) return; /* nothing is in the band */
    for (int c0 = 0; c0 < w; c0 += SLIDE_CHUNK) {
        const int n = w - c0 < SLIDE_CHUNK ? w - c0 : SLIDE_CHUNK;
        slide_keys(ka, ks, add, add_mask, sub, sub_mask, c0, n, base, size);
        apply_runs(hist, w, pad, ks, c0, n, 0); /* leaving first, then entering */
        apply_runs(hist, w, pad, ka, c0, n, 1);
    }
}

/* ---- c-values -------------------------------------------------------------------------- */

/* N32 pixels of one value (in the band): the histogram rows are the same for all of them,
 * so they are loaded, not gathered, and the visibility test is one for all lanes. */
static inline V_F uniform_c_values(const uint16_t *hist, int w, int c, int r, M32 active,
                                   const CambiCParams *p)
{
    const V32 p0 = ld_u16_to_32(hist + (size_t)r * w + c);
    const int value = r + p->base + p->num_diffs;
    V_F best = zero_f();
    for (int d = 0; d < p->num_diffs; d++) {
        if (value > p->tvi[d] || value + d + 1 <= p->vlt_luma) continue;
        const V32 p1 = ld_u16_to_32(hist + (size_t)(r + d + 1) * w + c);
        const V32 p2 = r - d - 1 >= 0 ? ld_u16_to_32(hist + (size_t)(r - d - 1) * w + c) : set32(0);
        const V32 pm = max32(p1, p2);
        if (!any32(and_m32(active, gt32(pm, set32(0))))) continue; /* all 0: no look-up */
        const V_F num = cvt_f(mul32(set32(p->weight[d]), mul32(p0, pm)));
        best = max_f(best, mul_f(num, gather_f(p->lut, add32(pm, p0))));
    }
    return maskz_f(active, best);
}

static void c_values_row(float *out, const uint16_t *hist, const uint16_t *img, const uint16_t *mask, int w,
                         const CambiCParams *p)
{
    const V32 zero = set32(0), base = set32(p->base), top = set32(p->size - 1);
    const V32 width = set32(w), nd = set32(p->num_diffs), vlt = set32(p->vlt_luma);
    int c = 0;
    for (; c + N32 <= w; c += N32) {
        const V32 v = ld_u16_to_32(img + c);
        const V32 r_raw = sub32(v, base);
        /* active: mask set and value in the band (0 <= r <= size - 1) */
        const M32 active = and_m32(gt32(ld_u16_to_32(mask + c), zero),
                                   and_m32(not_m32(gt32(zero, r_raw)), not_m32(gt32(r_raw, top))));
        if (!any32(active)) {
            st_f(out + c, zero_f());
            continue;
        }
        if (all32(eq32(v, set32(img[c])))) {
            st_f(out + c, uniform_c_values(hist, w, c, img[c] - p->base, active, p));
            continue;
        }
        const V32 r = min32(max32(r_raw, zero), top);
        const V32 col = add32(set32(c), lane_index32());
        const V32 value = add32(v, nd);
        const V32 p0 = gather16(hist, add32(mul32(r, width), col));
        V_F best = zero_f();
        for (int d = 0; d < p->num_diffs; d++) {
            const M32 on = and_m32(active, and_m32(not_m32(gt32(value, set32(p->tvi[d]))),
                                                   gt32(add32(value, set32(d + 1)), vlt)));
            if (!any32(on)) continue;
            const V32 p1 = gather16(hist, add32(mul32(add32(r, set32(d + 1)), width), col));
            const V32 r2 = sub32(r, set32(d + 1));
            const M32 r2_ok = not_m32(gt32(zero, r2));
            const V32 p2_at = add32(mul32(max32(r2, zero), width), col);
            const V32 p2 = maskz32(r2_ok, gather16(hist, p2_at));
            const V32 pm = max32(p1, p2);
            if (!any32(and_m32(on, gt32(pm, zero)))) continue; /* all 0: no look-up */
            const V_F num = cvt_f(mul32(set32(p->weight[d]), mul32(p0, pm)));
            const V_F val = mul_f(num, gather_f(p->lut, add32(pm, p0)));
            best = max_f(best, maskz_f(on, val));
        }
        st_f(out + c, best);
    }
    for (; c < w; c++) out[c] = mask[c] ? cambi_c_value(hist, w, c, img[c], p) : 0.0f;
}

static void decimate_row(const uint16_t *src, uint16_t *dst, int w);

static void init_table(CambiKernels *k)
{
    k->flat_row = flat_row;
    k->box_update = box_update;
    k->mask_row = mask_row;
    k->mode_h = mode_h;
    k->mode_v = mode_v;
    k->decimate_row = decimate_row;
    k->hist_slide = hist_slide;
    k->c_values_row = c_values_row;
}
