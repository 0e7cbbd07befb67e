/* Frame-rate mismatch and out-of-step hints (see alignment.h). A 25 fps reference scored
 * frame by frame against a 30 fps distorted compares different moments after the first
 * second, and a distorted that lost its first frames is compared one frame off throughout:
 * both give low scores that look like poor quality, so both are said. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alignment.h"

/* Rates closer than this (relative) are the same rate: containers round an average rate
 * (25 vs 25.0004), while 29.97 against 30 (0.1 %) is a real mismatch. */
#define RATE_TOLERANCE 5e-4
/* The first frames this much (dB) below the later ones look like a start out of step. */
#define FIRST_DROP_DB 10.0
/* One frame off matching this much (dB) better than as paired: shifted inputs. */
#define NEIGHBOUR_DB 1.0
#define ALIGN_HINT_EVERY 10

int align_fps_mode(const char *s, AlignFpsMode *out)
{
    static const char *const names[] = { "warn", "error", "resample" };
    if (!*s) return *out = ALIGN_FPS_WARN, 0;
    for (int i = 0; i < 3; i++)
        if (!strcmp(s, names[i])) return *out = (AlignFpsMode)i, 0;
    return -1;
}

int align_rates(const char *ref_name, double ref_fps, const char *dis_name, double dis_fps, AlignFpsMode mode,
                double *ratio, char *msg, size_t n)
{
    *ratio = 0;
    *msg = 0;
    if (!(ref_fps > 0) || !(dis_fps > 0) || fabs(ref_fps - dis_fps) <= RATE_TOLERANCE * ref_fps) return 0;
    int len = snprintf(msg, n, "frame rates differ: %s is %.4g fps, %s is %.4g fps", ref_name, ref_fps,
                       dis_name, dis_fps);
    size_t used = len < 0 ? 0 : (size_t)len < n ? (size_t)len : n;
    if (mode == ALIGN_FPS_ERROR) {
        snprintf(msg + used, n - used, " (refused: --fps-mismatch error)");
        return -EINVAL;
    }
    if (mode == ALIGN_FPS_RESAMPLE) {
        *ratio = dis_fps / ref_fps;
        snprintf(msg + used, n - used,
                 "; distorted resampled to %.4g fps (the frame nearest each reference "
                 "frame's time)",
                 ref_fps);
        return 0;
    }
    snprintf(msg + used, n - used,
             "; frames were paired one by one, so most pairs show different moments and "
             "the scores mean little: use --fps-mismatch resample (or error)");
    return 0;
}

unsigned align_resampled_slot(unsigned m, double ratio)
{
    return (unsigned)floor((double)m / ratio + 0.5 + 1e-9);
}

/* A copy of the picture's luma (the hint reads nothing else) into *keep, allocated once. */
static int keep_luma(VmafxPicture *keep, const VmafxPicture *p)
{
    if (!keep->buf && vmafx_picture_alloc(keep, p->pix_fmt, p->bpc, p->w[0], p->h[0])) return -1;
    size_t row = (size_t)p->w[0] * (p->bpc > 8 ? 2 : 1);
    for (unsigned y = 0; y < p->h[0]; y++)
        memcpy((char *)keep->data[0] + (size_t)y * keep->stride[0],
               (const char *)p->data[0] + (size_t)y * p->stride[0], row);
    return 0;
}

static void add_first(AlignHint *h, int which, const VmafxPicture *a, const VmafxPicture *b)
{
    h->first[which] += media_luma_psnr(a, b);
    h->n_first[which]++;
}

/* The one-frame-apart pairs are taken one step late (frame k against the kept frame k - 1),
 * never by reading ahead: a look-ahead on a stalled input would hide the other input's
 * failure until the stall timeout. */
void align_hint_add(AlignHint *h, unsigned k, const VmafxPicture *ref, const VmafxPicture *dis)
{
    if (k <= ALIGN_HINT_FIRST) {
        if (k < ALIGN_HINT_FIRST) add_first(h, 0, ref, dis);
        if (k && h->prev_ref.buf) {
            add_first(h, 1, &h->prev_ref, dis); /* the distorted one frame later */
            add_first(h, 2, ref, &h->prev_dis); /* the reference one frame later */
        }
        if (k < ALIGN_HINT_FIRST && (keep_luma(&h->prev_ref, ref) || keep_luma(&h->prev_dis, dis)))
            align_hint_free(h); /* out of memory: no one-frame-apart sums */
        if (k == ALIGN_HINT_FIRST) align_hint_free(h);
    } else if (k % ALIGN_HINT_EVERY == 0) {
        h->rest += media_luma_psnr(ref, dis);
        h->n_rest++;
    }
}

void align_hint_free(AlignHint *h)
{
    if (h->prev_ref.buf) vmafx_picture_free(&h->prev_ref);
    if (h->prev_dis.buf) vmafx_picture_free(&h->prev_dis);
}

static double mean(double sum, unsigned n)
{
    return n ? sum / n : 0;
}

int align_hint_text(const AlignHint *h, char *msg, size_t n)
{
    if (h->n_first[0] < 3) return 0;
    double as_paired = mean(h->first[0], h->n_first[0]);
    for (int w = 1; w <= 2; w++) {
        if (h->n_first[w] < 3 || mean(h->first[w], h->n_first[w]) < as_paired + NEIGHBOUR_DB) continue;
        snprintf(msg, n,
                 "the first frames match better one frame apart (luma PSNR %.2f dB with the %s one frame "
                 "later, %.2f dB as paired): the inputs may be out of step; try --sync auto",
                 mean(h->first[w], h->n_first[w]), w == 1 ? "distorted" : "reference", as_paired);
        return 1;
    }
    if (h->n_rest >= 3 && as_paired < mean(h->rest, h->n_rest) - FIRST_DROP_DB) {
        snprintf(msg, n,
                 "the first %u frames' luma PSNR (%.2f dB) is far below the later frames' (%.2f dB): the "
                 "inputs may be out of step at the start; try --sync auto",
                 h->n_first[0], as_paired, mean(h->rest, h->n_rest));
        return 1;
    }
    return 0;
}
