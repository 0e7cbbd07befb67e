/* Report writers: the XML, JSON, CSV and SUB layouts of libvmaf's output.c, byte for byte
 * (spec section 10), plus two vmafx additions that appear only when set: the input frame
 * counts when they differ, and a free-text note. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* ---- growable text buffer ---- */

/* Makes room for extra more bytes plus the terminating NUL; 0 on success. */
static int reserve(TextBuf *b, size_t extra)
{
    if (b->oom) return -1;
    if (b->len + extra < b->cap) return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap <= b->len + extra) {
        if (cap > ((size_t)-1) / 2) {
            b->oom = 1;
            return -1;
        }
        cap *= 2;
    }
    char *s = realloc(b->s, cap);
    if (!s) {
        b->oom = 1;
        return -1;
    }
    b->s = s;
    b->cap = cap;
    return 0;
}

void textbuf_puts(TextBuf *b, const char *s)
{
    size_t n = strlen(s);
    if (reserve(b, n)) return;
    memcpy(b->s + b->len, s, n + 1);
    b->len += n;
}

void textbuf_printf(TextBuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || reserve(b, (size_t)n)) {
        b->oom |= n < 0;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* ---- numbers ---- */

/* libvmaf switches to 16 decimals when the fraction of |v| needs more than six
 * multiplications by ten to reach 1 (a first non-zero digit at the 7th decimal or later).
 * The repeated multiplication is kept as is: at the 1e-6 boundary its rounding decides.
 * NaN, infinities and magnitudes beyond int range take six decimals there (the int
 * conversion yields INT_MIN on x86, so the "fraction" is >= 1). */
static int wants_16_decimals(double v)
{
    double a = v < 0 ? -v : v;
    if (!(a < 2147483648.0)) return 0;
    double frac = a - (double)(int)a;
    int zeros = 0;
    while (frac < 1.0 && frac != 0) {
        frac *= 10;
        zeros++;
    }
    return zeros > 6;
}

void report_number(TextBuf *b, double v)
{
    textbuf_printf(b, wants_16_decimals(v) ? "%.16f" : "%.6f", v);
}

/* JSON has no NaN or infinity: libvmaf writes null for them. */
static void json_number(TextBuf *b, double v)
{
    if (isfinite(v)) report_number(b, v);
    else textbuf_puts(b, "null");
}

static void json_string(TextBuf *b, const char *s)
{
    textbuf_puts(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': textbuf_puts(b, "\\\""); break;
        case '\\': textbuf_puts(b, "\\\\"); break;
        case '\n': textbuf_puts(b, "\\n"); break;
        case '\r': textbuf_puts(b, "\\r"); break;
        case '\t': textbuf_puts(b, "\\t"); break;
        default:
            if (*p < 0x20) textbuf_printf(b, "\\u%04x", *p);
            else textbuf_printf(b, "%c", *p);
        }
    }
    textbuf_puts(b, "\"");
}

static void xml_attr_value(TextBuf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '&': textbuf_puts(b, "&amp;"); break;
        case '<': textbuf_puts(b, "&lt;"); break;
        case '>': textbuf_puts(b, "&gt;"); break;
        case '"': textbuf_puts(b, "&quot;"); break;
        case '\'': textbuf_puts(b, "&apos;"); break;
        default:
            if (*p < 0x20) textbuf_printf(b, "&#%u;", *p);
            else textbuf_printf(b, "%c", *p);
        }
    }
}

/* ---- per-frame values ---- */

/* The values of one listed frame; has[f] is 0 where the feature has none there. */
typedef struct FrameRow {
    double *v;
    unsigned char *has;
    unsigned count;
} FrameRow;

static void load_row(const ReportData *d, unsigned frame, FrameRow *row)
{
    row->count = 0;
    for (unsigned f = 0; f < d->n_features; f++) {
        row->has[f] = d->value(d->src, f, frame, &row->v[f]) != 0;
        row->count += row->has[f];
    }
}

static const char *const pool_names[4] = { "min", "max", "mean", "harmonic_mean" };

static int input_counts_differ(const VmafxReportInfo *info)
{
    return info->frames_ref && info->frames_dis && info->frames_ref != info->frames_dis;
}

/* ---- JSON ---- */

static void json_header(const ReportData *d, TextBuf *b)
{
    const VmafxReportInfo *info = d->info;
    textbuf_puts(b, "{\n");
    textbuf_printf(b, "  \"version\": \"%s\",\n", VMAFX_VERSION);
    if (isfinite(info->fps)) textbuf_printf(b, "  \"fps\": %.2f,\n", info->fps);
    else textbuf_puts(b, "  \"fps\": null,\n");
    if (input_counts_differ(info))
        textbuf_printf(b, "  \"input_frames\": {\"reference\": %u, \"distorted\": %u},\n", info->frames_ref,
                       info->frames_dis);
    if (info->note) {
        textbuf_puts(b, "  \"note\": ");
        json_string(b, info->note);
        textbuf_puts(b, ",\n");
    }
}

/* One frame's metrics. A non-finite value is written as null without the line break,
 * exactly as libvmaf does (the result is still valid JSON). */
static void json_metrics(const ReportData *d, const FrameRow *row, TextBuf *b)
{
    unsigned k = 0;
    for (unsigned f = 0; f < d->n_features; f++) {
        if (!row->has[f]) continue;
        const char *sep = ++k < row->count ? "," : "";
        textbuf_printf(b, "        \"%s\": ", d->names[f]);
        if (isfinite(row->v[f])) {
            report_number(b, row->v[f]);
            textbuf_printf(b, "%s\n", sep);
        } else {
            textbuf_printf(b, "null%s", sep);
        }
    }
}

static void json_frames(const ReportData *d, FrameRow *row, TextBuf *b)
{
    unsigned listed = 0;
    textbuf_puts(b, "  \"frames\": [");
    for (unsigned k = 0; k < d->n_frames; k++) {
        unsigned frame = d->frame_index[k];
        load_row(d, frame, row);
        if (!row->count) continue; /* frames without any value are not listed */
        textbuf_puts(b, listed++ ? ",\n" : "\n");
        textbuf_printf(b, "    {\n      \"frameNum\": %u,\n      \"metrics\": {\n", frame);
        json_metrics(d, row, b);
        textbuf_puts(b, "      }\n    }");
    }
    textbuf_puts(b, "\n  ],\n");
}

static void json_pooled(const ReportData *d, TextBuf *b)
{
    textbuf_puts(b, "  \"pooled_metrics\": {");
    for (unsigned f = 0; f < d->n_features; f++) {
        textbuf_printf(b, "%s    \"%s\": {", f ? ",\n" : "\n", d->names[f]);
        for (unsigned j = 0; j < 4; j++) {
            textbuf_printf(b, "%s      \"%s\": ", j ? ",\n" : "\n", pool_names[j]);
            json_number(b, d->pooled[f][j]);
        }
        textbuf_puts(b, "\n    }");
    }
    textbuf_puts(b, "\n  },\n");
}

static void write_json(const ReportData *d, FrameRow *row, TextBuf *b)
{
    json_header(d, b);
    json_frames(d, row, b);
    json_pooled(d, b);
    textbuf_puts(b, "  \"aggregate_metrics\": {");
    for (unsigned i = 0; i < d->n_aggregates; i++) {
        textbuf_printf(b, "\n    \"%s\": ", d->aggregate_names[i]);
        json_number(b, d->aggregate_values[i]);
        if (i + 1 < d->n_aggregates) textbuf_puts(b, ",");
    }
    textbuf_puts(b, "\n  }\n}\n");
}

/* ---- XML ---- */

static void xml_fyi(const VmafxReportInfo *info, TextBuf *b)
{
    textbuf_printf(b, "  <fyi fps=\"%.2f\" ", info->fps);
    if (input_counts_differ(info))
        textbuf_printf(b, "reference_frames=\"%u\" distorted_frames=\"%u\" ", info->frames_ref,
                       info->frames_dis);
    if (info->note) {
        textbuf_puts(b, "note=\"");
        xml_attr_value(b, info->note);
        textbuf_puts(b, "\" ");
    }
    textbuf_puts(b, "/>\n");
}

static void write_xml(const ReportData *d, FrameRow *row, TextBuf *b)
{
    textbuf_printf(b, "<VMAF version=\"%s\">\n", VMAFX_VERSION);
    textbuf_printf(b, "  <params qualityWidth=\"%u\" qualityHeight=\"%u\" />\n", d->width, d->height);
    xml_fyi(d->info, b);
    textbuf_puts(b, "  <frames>\n");
    for (unsigned k = 0; k < d->n_frames; k++) {
        unsigned frame = d->frame_index[k];
        load_row(d, frame, row);
        if (!row->count) continue;
        textbuf_printf(b, "    <frame frameNum=\"%u\" ", frame);
        for (unsigned f = 0; f < d->n_features; f++) {
            if (!row->has[f]) continue;
            textbuf_printf(b, "%s=\"", d->names[f]);
            report_number(b, row->v[f]);
            textbuf_puts(b, "\" ");
        }
        textbuf_puts(b, "/>\n");
    }
    textbuf_puts(b, "  </frames>\n  <pooled_metrics>\n");
    for (unsigned f = 0; f < d->n_features; f++) {
        textbuf_printf(b, "    <metric name=\"%s\" ", d->names[f]);
        for (unsigned j = 0; j < 4; j++) {
            textbuf_printf(b, "%s=\"", pool_names[j]);
            report_number(b, d->pooled[f][j]);
            textbuf_puts(b, "\" ");
        }
        textbuf_puts(b, "/>\n");
    }
    textbuf_puts(b, "  </pooled_metrics>\n  <aggregate_metrics ");
    for (unsigned i = 0; i < d->n_aggregates; i++) {
        textbuf_printf(b, "%s=\"", d->aggregate_names[i]);
        report_number(b, d->aggregate_values[i]);
        textbuf_puts(b, "\" ");
    }
    textbuf_puts(b, "/>\n</VMAF>\n");
}

/* ---- CSV and SUB ---- */

/* The header names every feature; a row carries only the values the frame has
 * (libvmaf does not pad missing values). */
static void write_csv(const ReportData *d, FrameRow *row, TextBuf *b)
{
    textbuf_puts(b, "Frame,");
    for (unsigned f = 0; f < d->n_features; f++) textbuf_printf(b, "%s,", d->names[f]);
    textbuf_puts(b, "\n");
    for (unsigned k = 0; k < d->n_frames; k++) {
        unsigned frame = d->frame_index[k];
        load_row(d, frame, row);
        if (!row->count) continue;
        textbuf_printf(b, "%u,", frame);
        for (unsigned f = 0; f < d->n_features; f++) {
            if (!row->has[f]) continue;
            report_number(b, row->v[f]);
            textbuf_puts(b, ",");
        }
        textbuf_puts(b, "\n");
    }
}

/* MicroDVD subtitles: each frame's values shown during that frame. */
static void write_sub(const ReportData *d, FrameRow *row, TextBuf *b)
{
    for (unsigned k = 0; k < d->n_frames; k++) {
        unsigned frame = d->frame_index[k];
        load_row(d, frame, row);
        if (!row->count) continue;
        textbuf_printf(b, "{%u}{%u}frame: %u|", frame, frame + 1, frame);
        for (unsigned f = 0; f < d->n_features; f++) {
            if (!row->has[f]) continue;
            textbuf_printf(b, "%s: ", d->names[f]);
            report_number(b, row->v[f]);
            textbuf_puts(b, "|");
        }
        textbuf_puts(b, "\n");
    }
}

int report_write(const ReportData *d, enum VmafxFormat fmt, TextBuf *out)
{
    if (!d || !out || !d->info || (d->n_features && (!d->names || !d->pooled || !d->value)) ||
        (d->n_frames && !d->frame_index))
        return -EINVAL;
    if (fmt != VMAFX_FORMAT_XML && fmt != VMAFX_FORMAT_JSON && fmt != VMAFX_FORMAT_CSV &&
        fmt != VMAFX_FORMAT_SUB)
        return -EINVAL;
    unsigned n = d->n_features ? d->n_features : 1;
    FrameRow row = { malloc(sizeof(double) * n), malloc(n), 0 };
    if (!row.v || !row.has) {
        free(row.v);
        free(row.has);
        return -ENOMEM;
    }
    switch (fmt) {
    case VMAFX_FORMAT_JSON: write_json(d, &row, out); break;
    case VMAFX_FORMAT_CSV: write_csv(d, &row, out); break;
    case VMAFX_FORMAT_SUB: write_sub(d, &row, out); break;
    default: write_xml(d, &row, out); break;
    }
    free(row.v);
    free(row.has);
    /* an empty report still yields a valid empty string */
    if (!out->oom && !out->s && reserve(out, 0) == 0) out->s[0] = 0;
    return out->oom ? -ENOMEM : 0;
}
