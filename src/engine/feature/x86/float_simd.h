/* Float kernels, SIMD body shared by float_avx2.c and float_avx512.c. Each includes this file
 * after defining the vector types VF (VN floats), VI (VN int32), VD (VN/2 doubles) and the
 * V_* operations below. Every lane does the scalar kernel's operations in its order
 * (float_kernels.c): multiplies and adds stay separate, VIF's divisions by sigma_nsq are
 * done on doubles, and V_BLEND(m, a, b) (b where m) replays its ifs; so all levels agree
 * bit for bit. Columns past the last whole vector go to the scalar kernels (scalar()), or
 * (vif_terms) through a zero-padded vector. */
#include <math.h>
#include <string.h>

/* The scalar kernel table, for the columns past the last whole vector. */
static inline FloatKernels scalar(void)
{
    FloatKernels c;
    float_kernels_init(&c, VMAFX_CPU_SCALAR);
    return c;
}

/* rows[k] + j for k < n, into out[n]. */
static inline const float *const *rows_at(const float *const *rows, int n, unsigned j, const float **out)
{
    for (int k = 0; k < n; k++) out[k] = rows[k] + j;
    return out;
}

static void vert_simd(const float *f, int taps, const float *const *x, unsigned w, float *out)
{
    unsigned j = 0;
    for (; j + VN <= w; j += VN) {
        VF acc = V_ZERO();
        for (int k = 0; k < taps; k++) acc = V_ADD(acc, V_MUL(V_SET1(f[k]), V_LOADU(x[k] + j)));
        V_STOREU(out + j, acc);
    }
    if (j < w) {
        const float *xt[FLOAT_MAX_TAPS];
        scalar().vert(f, taps, rows_at(x, taps, j, xt), w - j, out + j);
    }
}

static void vert5_simd(const float *f, int taps, const float *const *x, const float *const *y, unsigned w,
                       float *const out[5])
{
    unsigned j = 0;
    for (; j + VN <= w; j += VN) {
        VF mx = V_ZERO(), my = V_ZERO(), xx = V_ZERO(), yy = V_ZERO(), xy = V_ZERO();
        for (int k = 0; k < taps; k++) {
            const VF c = V_SET1(f[k]), a = V_LOADU(x[k] + j), b = V_LOADU(y[k] + j);
            mx = V_ADD(mx, V_MUL(c, a));
            my = V_ADD(my, V_MUL(c, b));
            xx = V_ADD(xx, V_MUL(c, V_MUL(a, a)));
            yy = V_ADD(yy, V_MUL(c, V_MUL(b, b)));
            xy = V_ADD(xy, V_MUL(c, V_MUL(a, b)));
        }
        V_STOREU(out[0] + j, mx);
        V_STOREU(out[1] + j, my);
        V_STOREU(out[2] + j, xx);
        V_STOREU(out[3] + j, yy);
        V_STOREU(out[4] + j, xy);
    }
    if (j < w) {
        const float *xt[FLOAT_MAX_TAPS], *yt[FLOAT_MAX_TAPS];
        float *ot[5];
        for (int q = 0; q < 5; q++) ot[q] = out[q] + j;
        scalar().vert5(f, taps, rows_at(x, taps, j, xt), rows_at(y, taps, j, yt), w - j, ot);
    }
}

static void horz_simd(const float *f, int taps, const float *in, unsigned w, float *out)
{
    in -= taps / 2;
    unsigned j = 0;
    for (; j + VN <= w; j += VN) {
        VF acc = V_ZERO();
        for (int k = 0; k < taps; k++) acc = V_ADD(acc, V_MUL(V_SET1(f[k]), V_LOADU(in + j + k)));
        V_STOREU(out + j, acc);
    }
    if (j < w) scalar().horz(f, taps, in + taps / 2 + j, w - j, out + j);
}

/* float_log2_approx on every lane. */
static inline VF log2_simd(VF x)
{
    const VI bits = V_CASTI(x);
    const VI e = I_SUB(I_SRLI(I_AND(bits, I_SET1(0x7F800000)), 23), I_SET1(127));
    const VF t = V_SUB(V_CASTF(I_OR(I_AND(bits, I_SET1(0x007FFFFF)), I_SET1(0x3F800000))), V_SET1(1.0f));
    VF v = V_ZERO();
    for (int i = 0; i < 9; i++) v = V_ADD(V_MUL(v, t), V_SET1(float_log2_poly[i]));
    return V_ADD(I_CVTF(e), v);
}

/* (float)(1.0 + a / (b + c)) with a, b promoted to double (c double; b NULL: a / c). */
static inline VF one_plus_ratio(VF a, const VF *b, double c)
{
    const VD one = VD_SET1(1.0), cd = VD_SET1(c);
    VD lo = VD_LO(a), hi = VD_HI(a);
    VD dlo = cd, dhi = cd;
    if (b) {
        dlo = VD_ADD(VD_LO(*b), cd);
        dhi = VD_ADD(VD_HI(*b), cd);
    }
    lo = VD_ADD(one, VD_DIV(lo, dlo));
    hi = VD_ADD(one, VD_DIV(hi, dhi));
    return VD_PACK(lo, hi);
}

static inline void vif_terms_vec(const float *const m[5], unsigned j, const FloatVifParams *p, float *num,
                                 float *den)
{
    const VF zero = V_ZERO(), eps = V_SET1(1.0e-10f);
    const VF mu1 = V_LOADU(m[0] + j), mu2 = V_LOADU(m[1] + j);
    VF s1 = V_SUB(V_LOADU(m[2] + j), V_MUL(mu1, mu1));
    VF s2 = V_SUB(V_LOADU(m[3] + j), V_MUL(mu2, mu2));
    const VF s12 = V_SUB(V_LOADU(m[4] + j), V_MUL(mu1, mu2));
    s1 = V_MAX(s1, zero);
    s2 = V_MAX(s2, zero);
    VF g = V_DIV(s12, V_ADD(s1, eps));
    VF sv = V_SUB(s2, V_MUL(g, s12));
    VM c = V_LT(s1, eps);
    g = V_BLEND(c, g, zero);
    sv = V_BLEND(c, sv, s2);
    s1 = V_BLEND(c, s1, zero);
    c = V_LT(s2, eps);
    g = V_BLEND(c, g, zero);
    sv = V_BLEND(c, sv, zero);
    c = V_LT(g, zero);
    sv = V_BLEND(c, sv, s2);
    g = V_BLEND(c, g, zero);
    sv = V_MAX(sv, eps);
    g = V_MIN(g, V_SET1(p->gain_limit));
    VF n = log2_simd(one_plus_ratio(V_MUL(V_MUL(g, g), s1), &sv, p->sigma_nsq));
    VF d = log2_simd(one_plus_ratio(s1, NULL, p->sigma_nsq));
    n = V_BLEND(V_LT(s12, zero), n, zero);
    c = V_LT(s1, V_SET1(p->sigma_nsq_up));
    n = V_BLEND(c, n, V_SUB(V_SET1(1.0f), V_MUL(s2, V_SET1(p->sigma_max_inv))));
    d = V_BLEND(c, d, V_SET1(1.0f));
    V_STOREU(num + j, n);
    V_STOREU(den + j, d);
}

static void vif_terms_simd(const float *const m[5], unsigned w, const FloatVifParams *p, float *num,
                           float *den)
{
    unsigned j = 0;
    for (; j + VN <= w; j += VN) vif_terms_vec(m, j, p, num, den);
    if (j == w) return;
    float pad[5][VN], pn[VN], pd[VN];
    const float *pm[5] = { pad[0], pad[1], pad[2], pad[3], pad[4] };
    memset(pad, 0, sizeof(pad));
    for (int q = 0; q < 5; q++) memcpy(pad[q], m[q] + j, (w - j) * sizeof(float));
    vif_terms_vec(pm, 0, p, pn, pd);
    memcpy(num + j, pn, (w - j) * sizeof(float));
    memcpy(den + j, pd, (w - j) * sizeof(float));
}

/* ---- ADM ---- */

static inline VF tap4_simd(const float *c, VF s0, VF s1, VF s2, VF s3)
{
    VF acc = V_ADD(V_ZERO(), V_MUL(V_SET1(c[0]), s0));
    acc = V_ADD(acc, V_MUL(V_SET1(c[1]), s1));
    acc = V_ADD(acc, V_MUL(V_SET1(c[2]), s2));
    return V_ADD(acc, V_MUL(V_SET1(c[3]), s3));
}

static void dwt_vert_simd(const float *const r[4], unsigned w, const float c_lo[4], const float c_hi[4],
                          float *lo, float *hi)
{
    unsigned j = 0;
    for (; j + VN <= w; j += VN) {
        const VF s0 = V_LOADU(r[0] + j), s1 = V_LOADU(r[1] + j), s2 = V_LOADU(r[2] + j),
                 s3 = V_LOADU(r[3] + j);
        V_STOREU(lo + j, tap4_simd(c_lo, s0, s1, s2, s3));
        if (hi) V_STOREU(hi + j, tap4_simd(c_hi, s0, s1, s2, s3));
    }
    if (j < w) {
        const float *rt[4];
        scalar().dwt_vert(rows_at(r, 4, j, rt), w - j, c_lo, c_hi, lo + j, hi ? hi + j : NULL);
    }
}

static void dwt_horz_simd(const float c[4], const float *ev, const float *od, unsigned j0, unsigned j1,
                          float *out)
{
    unsigned j = j0;
    for (; j + VN <= j1; j += VN)
        V_STOREU(out + j,
                 tap4_simd(c, V_LOADU(od + j - 1), V_LOADU(ev + j), V_LOADU(od + j), V_LOADU(ev + j + 1)));
    if (j < j1) scalar().dwt_horz(c, ev, od, j, j1, out);
}

static inline VF v_abs(VF x)
{
    return V_CASTF(I_AND(V_CASTI(x), I_SET1(0x7FFFFFFF)));
}

/* The masking threshold's centre term: (float)(sum + 1/15 * |a|) in double. */
static inline VF centre_add(VF sum, VF a)
{
    const VD k = VD_SET1(FLOAT_ONE_BY_15);
    const VF m = v_abs(a);
    return VD_PACK(VD_ADD(VD_LO(sum), VD_MUL(k, VD_LO(m))), VD_ADD(VD_HI(sum), VD_MUL(k, VD_HI(m))));
}

static void cm_row_simd(const float *const fl[3][3], const float *const an[3], const float *const src[3],
                        const float rf[3], unsigned j0, unsigned j1, float *const x[3])
{
    unsigned j = j0;
    for (; j + VN <= j1; j += VN) {
        VF thr = V_ZERO();
        for (int t = 0; t < 3; t++) {
            VF sum = V_ZERO();
            sum = V_ADD(sum, V_LOADU(fl[t][0] + j - 1));
            sum = V_ADD(sum, V_LOADU(fl[t][0] + j));
            sum = V_ADD(sum, V_LOADU(fl[t][0] + j + 1));
            sum = V_ADD(sum, V_LOADU(fl[t][1] + j - 1));
            sum = centre_add(sum, V_LOADU(an[t] + j));
            sum = V_ADD(sum, V_LOADU(fl[t][1] + j + 1));
            sum = V_ADD(sum, V_LOADU(fl[t][2] + j - 1));
            sum = V_ADD(sum, V_LOADU(fl[t][2] + j));
            sum = V_ADD(sum, V_LOADU(fl[t][2] + j + 1));
            thr = V_ADD(thr, sum);
        }
        for (int t = 0; t < 3; t++) {
            const VF v = V_SUB(v_abs(V_MUL(V_LOADU(src[t] + j), V_SET1(rf[t]))), thr);
            V_STOREU(x[t] + j, V_BLEND(V_LT(v, V_ZERO()), v, V_ZERO()));
        }
    }
    if (j < j1) scalar().cm_row(fl, an, src, rf, j, j1, x);
}

#ifdef V_RCP
/* libvmaf's n * (xi + xi * (1 - d * xi)), xi the hardware reciprocal estimate. Only levels
 * whose estimate is rcpss's (AVX2's vrcpps; not AVX-512's rcp14) define V_RCP. */
static inline VF divs_simd(VF n, VF d)
{
    const VF xi = V_RCP(d);
    return V_MUL(n, V_ADD(xi, V_MUL(xi, V_SUB(V_SET1(1.0f), V_MUL(d, xi)))));
}

static inline VF clip01_simd(VF k)
{
    const VF one = V_SET1(1.0f);
    return V_BLEND(V_LT(k, V_ZERO()), V_BLEND(V_LT(one, k), k, one), V_ZERO());
}

/* limit_gain (float_adm_kernels.c) in double: where r > 0, min(r * egl, t); then where
 * r < 0, max(r * egl, t); each rounded back to float. */
static inline VF limit_gain_simd(VF r, VF t, double egl)
{
    const VD e = VD_SET1(egl), z = VD_SET1(0.0);
    VD lo = VD_LO(r), hi = VD_HI(r);
    const VD tlo = VD_LO(t), thi = VD_HI(t);
    lo = VD_BLEND(VD_LT(z, lo), lo, VD_MIN(VD_MUL(lo, e), tlo));
    hi = VD_BLEND(VD_LT(z, hi), hi, VD_MIN(VD_MUL(hi, e), thi));
    r = VD_PACK(lo, hi);
    lo = VD_LO(r);
    hi = VD_HI(r);
    lo = VD_BLEND(VD_LT(lo, z), lo, VD_MAX(VD_MUL(lo, e), tlo));
    hi = VD_BLEND(VD_LT(hi, z), hi, VD_MAX(VD_MUL(hi, e), thi));
    return VD_PACK(lo, hi);
}

static void decouple_simd(const float *const ref[3], const float *const dis[3], float *const r[3],
                          float *const a[3], size_t n, double egl)
{
    const VF cos_1deg_sq = V_SET1((float)(cos(1.0 * M_PI / 180.0) * cos(1.0 * M_PI / 180.0)));
    const VF eps = V_SET1(1e-30f);
    size_t o = 0;
    for (; o + VN <= n; o += VN) {
        VF ov[3], tv[3], rv[3];
        for (int b = 0; b < 3; b++) {
            ov[b] = V_LOADU(ref[b] + o);
            tv[b] = V_LOADU(dis[b] + o);
            rv[b] = V_MUL(clip01_simd(divs_simd(tv[b], V_ADD(ov[b], eps))), ov[b]);
        }
        const VF dot = V_ADD(V_MUL(ov[0], tv[0]), V_MUL(ov[1], tv[1]));
        const VF omag = V_ADD(V_MUL(ov[0], ov[0]), V_MUL(ov[1], ov[1]));
        const VF tmag = V_ADD(V_MUL(tv[0], tv[0]), V_MUL(tv[1], tv[1]));
        const VM flag = V_AND_MASK(V_GE(dot, V_ZERO()),
                                   V_GE(V_MUL(dot, dot), V_MUL(V_MUL(cos_1deg_sq, omag), tmag)));
        for (int b = 0; b < 3; b++) {
            rv[b] = V_BLEND(flag, rv[b], limit_gain_simd(rv[b], tv[b], egl));
            V_STOREU(r[b] + o, rv[b]);
            V_STOREU(a[b] + o, V_SUB(tv[b], rv[b]));
        }
    }
    if (o < n) {
        const float *rt[3] = { ref[0] + o, ref[1] + o, ref[2] + o };
        const float *dt[3] = { dis[0] + o, dis[1] + o, dis[2] + o };
        float *ro[3] = { r[0] + o, r[1] + o, r[2] + o }, *ao[3] = { a[0] + o, a[1] + o, a[2] + o };
        scalar().decouple(rt, dt, ro, ao, n - o, egl);
    }
}
#endif
