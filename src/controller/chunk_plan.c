/* Frame counts from file sizes (see chunk_plan.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "chunk_plan.h"

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcasecmp(s + a - b, suffix);
}

/* Bytes of one frame's samples: chroma "420", "422", "444" (or y4m's C tag), bits per sample. */
static long long frame_bytes(unsigned w, unsigned h, const char *chroma, unsigned bits)
{
    long long luma = (long long)w * h, c = 0;
    unsigned cw = (w + 1) / 2, ch = (h + 1) / 2;
    if (!strncmp(chroma, "444", 3)) c = 2 * luma;
    else if (!strncmp(chroma, "422", 3)) c = 2LL * cw * h;
    else if (!strncmp(chroma, "420", 3)) c = 2LL * cw * ch;
    else if (!strncmp(chroma, "mono", 4)) c = 0;
    else return -1;
    return (luma + c) * (bits > 8 ? 2 : 1);
}

/* Frames of a y4m file whose FRAME headers all have the first one's length (what writers
 * do); -1 when it is not one. */
static long long y4m_frames(const char *path, long long size)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    char head[512], frame[256];
    int ok = fgets(head, sizeof(head), f) && fgets(frame, sizeof(frame), f) &&
             !strncmp(head, "YUV4MPEG2 ", 10) && !strncmp(frame, "FRAME", 5);
    fclose(f);
    if (!ok) return -1;
    const long long head_len = (long long)strlen(head), frame_head = (long long)strlen(frame);
    unsigned w = 0, h = 0, bits = 8;
    char chroma[32] = "420";
    for (char *t = strtok(head + 10, " \n"); t; t = strtok(NULL, " \n")) {
        if (*t == 'W') w = (unsigned)atoi(t + 1);
        else if (*t == 'H') h = (unsigned)atoi(t + 1);
        else if (*t == 'C') snprintf(chroma, sizeof(chroma), "%s", t + 1);
    }
    const char *p = strchr(chroma, 'p');
    if (p && p[1] >= '0' && p[1] <= '9') bits = (unsigned)atoi(p + 1);
    long long fb = w && h ? frame_bytes(w, h, chroma, bits) : -1;
    return fb > 0 ? (size - head_len) / (frame_head + fb) : -1;
}

/* Frames of one input, or -1 when unknown. */
static long long input_frames(const char *uri, const JobSpec *job, const StorageConfig *storage)
{
    StorageTarget *t = malloc(sizeof(*t));
    char err[300];
    long long frames = -1;
    struct stat st;
    if (t && !storage_parse_uri(uri, storage, t, err, sizeof(err)) && t->kind == STORAGE_LOCAL &&
        !stat(t->location, &st) && S_ISREG(st.st_mode)) {
        if (ends_with(t->location, ".y4m")) {
            frames = y4m_frames(t->location, st.st_size);
        } else if (ends_with(t->location, ".yuv") && job->opt.width && job->opt.height) {
            const char *fmt = *job->opt.pixel_format ? job->opt.pixel_format : "420";
            long long fb = frame_bytes(job->opt.width, job->opt.height, fmt,
                                       job->opt.bitdepth ? job->opt.bitdepth : 8);
            if (fb > 0) frames = st.st_size / fb;
        }
    }
    free(t);
    return frames;
}

long long chunk_plan_frames(const JobSpec *job, const StorageConfig *storage, char *why, size_t n)
{
    if (!strcmp(job->opt.fps_mismatch, "resample")) {
        /* which distorted frame a reference frame meets is found while reading from the start */
        snprintf(why, n,
                 "fps_mismatch resample pairs frames from the start of both inputs: scored as one chunk");
        return 0;
    }
    long long ref = input_frames(job->reference_uri, job, storage);
    long long dis = input_frames(job->distorted_uri, job, storage);
    if (ref < 0 || dis < 0) {
        snprintf(why, n,
                 "the frame count of %s is not known to the controller (only local .y4m and .yuv inputs "
                 "are counted): scored as one chunk",
                 ref < 0 ? "the reference" : "the distorted input");
        return 0;
    }
    return chunk_plan_bound(job, ref, dis, why, n);
}

int chunk_plan_unknown(const JobSpec *job, const StorageConfig *storage)
{
    return strcmp(job->opt.fps_mismatch, "resample") && (input_frames(job->reference_uri, job, storage) < 0 ||
                                                         input_frames(job->distorted_uri, job, storage) < 0);
}

long long chunk_plan_bound(const JobSpec *job, long long ref, long long dis, char *why, size_t n)
{
    ref -= job->opt.frame_skip_ref;
    dis -= job->opt.frame_skip_dist;
    long long frames = ref < dis ? ref : dis;
    unsigned range = 0;
    if (jobspec_sync(job->opt.sync, &range) > 0) frames -= range; /* the offset drops at most range frames */
    if (job->opt.frame_cnt && frames > job->opt.frame_cnt) frames = job->opt.frame_cnt;
    if (frames <= 0) {
        snprintf(why, n, "no frames to score are known: scored as one chunk");
        return 0;
    }
    return frames;
}
