/* Float kernels, SIMD body shared by float_avx2.c and float_avx512.c. Each includes this file
 * after defining the vector types VF (VN floats), VI (VN int32), VD (VN/2 doubles) and the
 * V_* operations below. Every lane does the scalar kernel's operations in its order
 * (float_kernels.c): multiplies and adds stay separate, VIF's divisions by sigma_nsq are
 * done on doubles, and V_BLEND(m, a, b) (b where m) replays its ifs; so all levels agree
 * bit for bit. Columns past the last whole vector are done one at a time, the scalar way,
 * or (vif_terms) through a zero-padded vector. */
#include <string.h>

static void vert_simd(const float *f, int taps, const float *const *x, unsigned w, float *out)
{
    unsigned j = 0;
    for (; j + VN <= w; j += VN) {
        VF acc = V_ZERO();
        for (int k = 0; k < taps; k++) acc = V_ADD(acc, V_MUL(V_SET1(f[k]), V_LOADU(x[k] + j)));
        V_STOREU(out + j, acc);
    }
    for (; j < w; j++) {
        float acc = 0;
        for (int k = 0; k < taps; k++) acc += f[k] * x[k][j];
        out[j] = acc;
    }
}

static void vert5_simd(const float *f, int taps, const float *const *x, const float *const *y,
                       unsigned w, float *const out[5])
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
    for (; j < w; j++) {
        float mx = 0, my = 0, xx = 0, yy = 0, xy = 0;
        for (int k = 0; k < taps; k++) {
            const float a = x[k][j], b = y[k][j];
            mx += f[k] * a;
            my += f[k] * b;
            xx += f[k] * (a * a);
            yy += f[k] * (b * b);
            xy += f[k] * (a * b);
        }
        out[0][j] = mx;
        out[1][j] = my;
        out[2][j] = xx;
        out[3][j] = yy;
        out[4][j] = xy;
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
    for (; j < w; j++) {
        float acc = 0;
        for (int k = 0; k < taps; k++) acc += f[k] * in[j + k];
        out[j] = acc;
    }
}

/* float_log2_approx on every lane. */
static inline VF log2_simd(VF x)
{
    const VI bits = V_CASTI(x);
    const VI e = I_SUB(I_SRLI(I_AND(bits, I_SET1(0x7F800000)), 23), I_SET1(127));
    const VF t = V_SUB(V_CASTF(I_OR(I_AND(bits, I_SET1(0x007FFFFF)), I_SET1(0x3F800000))),
                       V_SET1(1.0f));
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

static inline void vif_terms_vec(const float *const m[5], unsigned j, const FloatVifParams *p,
                                 float *num, float *den)
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

static void vif_terms_simd(const float *const m[5], unsigned w, const FloatVifParams *p,
                           float *num, float *den)
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
