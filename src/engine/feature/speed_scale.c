/* SpEED's speed_prescale: one row of the float plane (Speed.full) resized to the scaled size
 * by nearest, bilinear, bicubic or lanczos4 sampling, computed as libvmaf's vif_tools.c does
 * (float weights, coordinates through double, edges mirrored). SpEED needs only the rows its
 * anti-alias filter reads, so rows are made on demand instead of whole planes. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "speed.h"

static inline float mirrorf(float i, float left, float right)
{
    return i < left ? -i : i > right ? 2 * right - i : i;
}

/* Source coordinate of output position o for a size ratio (pixel centres aligned). */
static inline float source_coord(int o, float ratio)
{
    return (float)((o + 0.5) * ratio - 0.5);
}

int speed_scale_init(Speed *s)
{
    const SpeedGeometry *g = &s->g;
    if (!g->resize || s->o.method != SPEED_BILINEAR) return 0;
    s->col0 = malloc(sizeof(int) * g->sw);
    s->col1 = malloc(sizeof(int) * g->sw);
    s->colw = malloc(sizeof(float) * g->sw);
    if (!s->col0 || !s->col1 || !s->colw) return -ENOMEM;
    const float ratio = (float)g->w / g->sw;
    for (unsigned x = 0; x < g->sw; x++) {
        const float xx = source_coord((int)x, ratio);
        s->col0[x] = (int)mirrorf((float)floor(xx), 0, (float)(g->w - 1));
        s->col1[x] = (int)mirrorf((float)ceil(xx), 0, (float)(g->w - 1));
        s->colw[x] = xx - s->col0[x];
    }
    return 0;
}

static void row_nearest(const Speed *s, unsigned y, float *dst)
{
    const SpeedGeometry *g = &s->g;
    const float rx = (float)g->w / g->sw, ry = (float)g->h / g->sh;
    const float *src = s->full + (size_t)(int)(y * ry) * s->full_stride;
    for (unsigned x = 0; x < g->sw; x++) dst[x] = src[(int)(x * rx)];
}

static void row_bilinear(const Speed *s, unsigned y, float *dst)
{
    const SpeedGeometry *g = &s->g;
    const float yy = source_coord((int)y, (float)g->h / g->sh);
    const int y1 = (int)mirrorf((float)floor(yy), 0, (float)(g->h - 1));
    const int y2 = (int)mirrorf((float)ceil(yy), 0, (float)(g->h - 1));
    const float dy = yy - y1;
    const float *r1 = s->full + (size_t)y1 * s->full_stride;
    const float *r2 = s->full + (size_t)y2 * s->full_stride;
    for (unsigned x = 0; x < g->sw; x++) {
        const int x1 = s->col0[x], x2 = s->col1[x];
        const float dx = s->colw[x];
        dst[x] = (1 - dy) * (1 - dx) * r1[x1] + (1 - dy) * dx * r1[x2] + dy * (1 - dx) * r2[x1] +
                 dy * dx * r2[x2];
    }
}

static float cubic(float t)
{
    const float a = -0.75f;
    if (t < 0) t = -t;
    if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
    if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
    return 0;
}

static float bicubic_at(const Speed *s, float x, float y)
{
    const int x0 = (int)floor(x), y0 = (int)floor(y);
    const float dx = x - x0, dy = y - y0;
    float wx[4], wy[4];
    for (int i = -1; i <= 2; i++) {
        wx[i + 1] = cubic(i - dx);
        wy[i + 1] = cubic(i - dy);
    }
    float v = 0.0f;
    for (int j = -1; j <= 2; j++) {
        const int yi = (int)mirrorf((float)(y0 + j), 0, (float)(s->g.h - 1));
        for (int i = -1; i <= 2; i++) {
            const int xi = (int)mirrorf((float)(x0 + i), 0, (float)(s->g.w - 1));
            v += s->full[(size_t)yi * s->full_stride + xi] * (wx[i + 1] * wy[j + 1]);
        }
    }
    return v;
}

static float lanczos(float x, float a)
{
    if (x == 0.0) return 1.0;
    if (x > -a && x < a) return (float)(a * sin(M_PI * x) * sin(M_PI * x / a) / (M_PI * M_PI * x * x));
    return 0.0;
}

static float lanczos4_at(const Speed *s, float x, float y)
{
    enum { A = 4 };
    const int x0 = (int)floor(x), y0 = (int)floor(y);
    const float dx = x - x0, dy = y - y0;
    float wx[2 * A + 1], wy[2 * A + 1];
    for (int i = -A; i <= A; i++) {
        wx[i + A] = lanczos(i - dx, (float)A);
        wy[i + A] = lanczos(i - dy, (float)A);
    }
    float v = 0.0f, wsum = 0.0f;
    for (int j = -A; j <= A; j++) {
        for (int i = -A; i <= A; i++) {
            const float w = wx[i + A] * wy[j + A];
            wsum += w;
            const int xi = (int)mirrorf((float)(x0 + i), 0, (float)(s->g.w - 1));
            const int yi = (int)mirrorf((float)(y0 + j), 0, (float)(s->g.h - 1));
            v += s->full[(size_t)yi * s->full_stride + xi] * w;
        }
    }
    return v / wsum;
}

void speed_scale_row(const Speed *s, unsigned y, float *dst)
{
    const SpeedGeometry *g = &s->g;
    if (g->sw == g->w && g->sh == g->h) { /* libvmaf copies when sizes agree */
        memcpy(dst, s->full + (size_t)y * s->full_stride, sizeof(float) * g->sw);
        return;
    }
    switch (s->o.method) {
    case SPEED_NEAREST: row_nearest(s, y, dst); return;
    case SPEED_BILINEAR: row_bilinear(s, y, dst); return;
    default: break;
    }
    const float rx = (float)g->w / g->sw, yy = source_coord((int)y, (float)g->h / g->sh);
    for (unsigned x = 0; x < g->sw; x++) {
        const float xx = source_coord((int)x, rx);
        dst[x] = s->o.method == SPEED_BICUBIC ? bicubic_at(s, xx, yy) : lanczos4_at(s, xx, yy);
    }
}
