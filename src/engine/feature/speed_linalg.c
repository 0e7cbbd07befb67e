/* SpEED's float linear algebra on the 25x25 covariance matrix: its eigenvalues (Householder
 * tridiagonalisation, then implicit QR steps with Wilkinson shifts, as GSL's symmtd/symm) and
 * the solution of K X = B by a Householder QR decomposition built from full matrix products.
 *
 * The results feed logarithms whose sums are printed to six decimals, and libvmaf computes
 * them in float with particular roundings: every expression here keeps libvmaf's types (float,
 * with the few double temporaries it has) and its order of operations. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "speed.h"

#define EPS 1e-6
#define MAX_QR_ITERS 500

static inline float sign_of(float x)
{
    return x >= 0 ? 1.0f : -1.0f;
}

/* sqrt(x^2 + y^2), the square root taken in double */
static inline float hyp(float x, float y)
{
    return (float)sqrt(x * x + y * y);
}

/* ---- eigenvalues ----------------------------------------------------------------------- */

/* Householder reflector for column col of a, rows r..n-1: scales rows r+1.. of the column
 * into the reflector's vector (implicit 1 at row r), puts beta at row r, returns tau. */
static float reflector(float *a, int n, int col, int r)
{
    if (n - r == 1) return 0.0f;
    float ss = 0;
    for (int i = r + 1; i < n; i++) ss += a[i * n + col] * a[i * n + col];
    const float xnorm = (float)sqrt(ss);
    if (xnorm == 0.0f) return 0.0f;
    const float alpha = a[r * n + col];
    const float beta = -sign_of(alpha) * hyp(alpha, xnorm);
    const float tau = (beta - alpha) / beta;
    const float s = alpha - beta;
    if (s != 0.0f) {
        for (int i = r; i < n; i++) a[i * n + col] /= s;
        a[r * n + col] = beta;
    }
    return tau;
}

/* a <- H a H on the trailing block [lo, n) with H = I - tau v v', via
 * x = tau A v, x -= (tau/2)(x.v) v, A -= x v' + v x'. */
static void apply_reflector(float *a, int n, int lo, const float *v, float tau, float *x)
{
    for (int i = lo; i < n; i++) {
        x[i] = 0.0f;
        for (int j = lo; j < n; j++) x[i] += tau * a[i * n + j] * v[j];
    }
    float xv = 0;
    for (int i = lo; i < n; i++) xv += x[i] * v[i];
    const float alpha = (float)(-0.5 * tau * xv);
    for (int i = lo; i < n; i++) x[i] += alpha * v[i];
    for (int i = lo; i < n; i++)
        for (int j = lo; j < n; j++) a[i * n + j] -= x[i] * v[j] + v[i] * x[j];
}

/* Reduces symmetric a (destroyed) to tridiagonal d (diagonal), e (sub-diagonal). */
static void tridiagonalise(float *a, int n, float *d, float *e, float *v, float *x)
{
    for (int i = 0; i + 2 < n; i++) {
        const float tau = reflector(a, n, i, i + 1);
        for (int j = i + 1; j < n; j++) v[j] = a[j * n + i];
        if (tau == 0.0f) continue;
        v[i + 1] = 1.0f;
        apply_reflector(a, n, i + 1, v, tau, x);
    }
    for (int i = 0; i < n; i++) d[i] = a[i * n + i];
    for (int i = 0; i + 1 < n; i++) e[i] = a[(i + 1) * n + i];
}

static void chop(const float *d, float *e, int n)
{
    for (int i = 0; i + 1 < n; i++)
        if (fabsf(e[i]) < EPS * (fabsf(d[i]) + fabsf(d[i + 1]))) e[i] = 0.0f;
}

/* Eigenvalue of the trailing 2x2 block nearer its last diagonal entry (Wilkinson shift). */
static float wilkinson(const float *d, const float *e, int n)
{
    const float ta = d[n - 2], tb = d[n - 1], tab = e[n - 2];
    const float dt = (float)((ta - tb) / 2.0);
    if (dt > 0) return tb - tab * (tab / (dt + hyp(dt, tab)));
    if (dt == 0) return tb - fabsf(tab);
    return tb + tab * (tab / (-dt + hyp(dt, tab)));
}

/* c, s with [c -s; s c]' (a, b) = (r, 0) up to sign */
static void givens(float a, float b, float *c, float *s)
{
    if (b == 0) {
        *c = 1;
        *s = 0;
    } else if (fabsf(b) > fabsf(a)) {
        const float t = -a / b;
        const float u = (float)(1.0 / sqrt(1 + t * t));
        *s = u;
        *c = u * t;
    } else {
        const float t = -b / a;
        const float u = (float)(1.0 / sqrt(1 + t * t));
        *c = u;
        *s = u * t;
    }
}

/* The rotated 2x2 block (ap bp; bp aq): its new diagonal p, off-diagonal b, diagonal q. */
typedef struct Rot {
    float p, b, q;
} Rot;

static inline Rot rotate(float c, float s, float ap, float bp, float aq)
{
    Rot r;
    r.p = c * (c * ap - s * bp) + s * (s * aq - c * bp);
    r.b = c * (s * ap + c * bp) - s * (s * bp + c * aq);
    r.q = s * (s * ap + c * bp) + c * (s * bp + c * aq);
    return r;
}

/* One implicit shifted QR step on the unreduced tridiagonal block d[0..n), e[0..n-1). */
static void qr_step(float *d, float *e, int n)
{
    float mu = wilkinson(d, e, n);
    if (EPS * fabsf(mu) > fabsf(d[0]) + fabsf(e[0])) mu = 0;
    float x = d[0] - mu, z = e[0];
    float ap = d[0], bp = e[0], aq = d[1];
    float c, s;
    if (n == 2) {
        givens(x, z, &c, &s);
        const Rot r = rotate(c, s, ap, bp, aq);
        d[0] = r.p;
        e[0] = r.b;
        d[1] = r.q;
        return;
    }
    float bk = 0, zk = 0, bq = e[1];
    for (int k = 0; k < n - 1; k++) {
        givens(x, z, &c, &s);
        const float bk_prev = c * bk - s * zk;
        const Rot r = rotate(c, s, ap, bp, aq);
        zk = -s * bq;
        bk = r.b;
        ap = r.q;
        bp = c * bq;
        if (k < n - 2) aq = d[k + 2];
        if (k < n - 3) bq = e[k + 2];
        d[k] = r.p;
        if (k > 0) e[k - 1] = bk_prev;
        if (k < n - 2) e[k + 1] = bp;
        x = bk;
        z = zk;
    }
    d[n - 1] = ap;
    e[n - 2] = bk;
}

static void tridiagonal_eigenvalues(float *d, float *e, int n)
{
    chop(d, e, n);
    int b = n - 1, iter = 0;
    while (b > 0 && iter < MAX_QR_ITERS) {
        if (e[b - 1] == 0.0f) {
            b--;
            continue;
        }
        int a = b - 1;
        while (a > 0 && e[a - 1] != 0.0f) a--;
        qr_step(d + a, e + a, b - a + 1);
        chop(d + a, e + a, b - a + 1);
        iter++;
    }
}

void speed_eigenvalues(const float *a, int n, float *eig, float *scratch)
{
    float *m = scratch, *d = m + n * n, *e = d + n, *v = e + n, *x = v + n;
    memcpy(m, a, sizeof(float) * n * n);
    if (n == 1) {
        eig[0] = m[0];
        return;
    }
    tridiagonalise(m, n, d, e, v, x);
    tridiagonal_eigenvalues(d, e, n);
    memcpy(eig, d, sizeof(float) * n);
}

/* ---- linear system ----------------------------------------------------------------------- */

static float norm2(const float *v, int n)
{
    float ss = 0;
    for (int i = 0; i < n; i++) ss += v[i] * v[i];
    return (float)sqrt(ss);
}

/* q = H_{n-2} ... H_0 with H_k the reflector that clears column k of (the running product
 * times a) below the diagonal; the products are full n x n matrix products. r = q a. */
static void householder_qr(const SpeedKernels *k, const float *a, int n, float *q, float *r, float *h,
                           float *z)
{
    const unsigned un = (unsigned)n;
    float *v = r; /* r is free scratch until the end */
    memcpy(z, a, sizeof(float) * n * n);
    for (int i = 0; i < n * n; i++) q[i] = i % (n + 1) == 0 ? 1.0f : 0.0f;
    for (int c = 0; c + 1 < n; c++) {
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (i < c || j < c) z[i * n + j] = i == j ? 1.0f : 0.0f;
        for (int i = 0; i < n; i++) v[i] = z[i * n + c];
        const float nv = norm2(v, n);
        v[c] += sign_of(a[c * n + c]) * nv;
        const float nv2 = norm2(v, n);
        for (int i = 0; i < n; i++) v[i] = v[i] / nv2;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) h[i * n + j] = -2.0f * v[i] * v[j];
        for (int i = 0; i < n; i++) h[i * n + i] += 1;
        k->matmul(r, h, z, un, un, un);
        memcpy(z, r, sizeof(float) * n * n);
        k->matmul(r, h, q, un, un, un);
        memcpy(q, r, sizeof(float) * n * n);
    }
    k->matmul(r, q, a, un, un, un);
}

int speed_solve(const SpeedKernels *k, const float *a, int n, const float *b, int m, float *x, float *scratch,
                float *rect)
{
    float *q = scratch, *r = q + n * n, *h = r + n * n, *z = h + n * n;
    householder_qr(k, a, n, q, r, h, z);
    k->matmul(rect, q, b, (unsigned)n, (unsigned)n, (unsigned)m);
    /* back substitution of R X = Q B */
    for (int i = n - 1; i >= 0; i--) {
        const float piv = r[i * n + i];
        if (fabsf(piv) < EPS) return -EINVAL;
        for (int j = 0; j < m; j++) {
            float t = rect[(size_t)i * m + j];
            for (int l = i + 1; l < n; l++) t -= x[(size_t)l * m + j] * r[i * n + l];
            x[(size_t)i * m + j] = t / piv;
        }
    }
    return 0;
}
