/* Report writers: libvmaf's XML, JSON, CSV and SUB layouts, byte for byte (spec section 10). */
#ifndef VMAFX_ENGINE_REPORT_H
#define VMAFX_ENGINE_REPORT_H

#include <stddef.h>
#include "vmafx/vmafx.h"

/* A growable text buffer. */
typedef struct TextBuf {
    char *s;
    size_t len, cap;
    int oom;
} TextBuf;
void textbuf_printf(TextBuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void textbuf_puts(TextBuf *b, const char *s);

/* libvmaf's number format: "%.6f", or "%.16f" when the fraction is non-zero and below 1e-6. */
void report_number(TextBuf *b, double v);

/* What a writer needs to know, independent of how the engine stores it. */
typedef struct ReportData {
    unsigned width, height;
    unsigned n_features;
    const char *const *names;    /* output names, report order */
    unsigned n_frames;           /* frames listed */
    const unsigned *frame_index; /* their indices (frameNum) */
    /* value of feature f at listed frame k; returns 0 if the frame has no value */
    int (*value)(const void *src, unsigned f, unsigned frame_index, double *v);
    const void *src;
    const double (*pooled)[4]; /* per feature: min, max, mean, harmonic_mean */
    const VmafxReportInfo *info;
    unsigned n_aggregates; /* libvmaf's aggregate metrics (JSON and XML only) */
    const char *const *aggregate_names;
    const double *aggregate_values;
} ReportData;

int report_write(const ReportData *d, enum VmafxFormat fmt, TextBuf *out);

#endif
