/* Feature extractors: one struct of callbacks per metric, listed in the registry
 * (registry.c). Adding a metric = one file + one registry line.
 *
 * Life cycle: init() once per instance with the picture geometry and option values;
 * extract() once per scored frame (possibly on several instances in parallel threads, each
 * instance used by one thread at a time); flush() once on one instance after the last
 * frame; close() always. Features are written into the collector under libvmaf's names,
 * built with feature_name() so that non-default options show in the name (e.g. "_egl_1"). */
#ifndef VMAFX_ENGINE_EXTRACTOR_H
#define VMAFX_ENGINE_EXTRACTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "vmafx/vmafx.h"
#include "collector.h"
#include "../cpu.h"

#define EXTRACTOR_MAX_OPTIONS 24

/* A numeric option (booleans are 0/1). alias is used in feature names when the value is not
 * the default ("_alias_value", or "_alias" alone for a boolean); options with
 * feature_param=false never change names (e.g. debug). */
typedef struct ExtractorOption {
    const char *name;
    const char *alias;
    double def, min, max;
    bool feature_param;
    bool boolean;
} ExtractorOption;

/* What an option takes other than any number in its range (FeatureExtractor.option_kinds):
 * one of some words (NULL-ended; the value is the word's index and feature names show the
 * word), integers only, or free text (ExtractorParams.text, never in feature names). */
typedef struct ExtractorOptionKind {
    const char *name;
    const char *const *choices;
    bool integer;
    bool text;
} ExtractorOptionKind;

typedef struct ExtractorParams {
    unsigned w, h, bpc; /* luma geometry and bit depth */
    enum VmafxPixelFormat pix_fmt;
    double opt[EXTRACTOR_MAX_OPTIONS]; /* option values, in the extractor's table order */
    const char *suffix;                /* "" or e.g. "_egl_1" (see feature_name()) */
    const KernelTable *kernels;        /* SIMD-or-scalar kernels chosen at start-up */
    const char *const *text;           /* text options' values, table order (or NULL) */
    const VmafxFileSink *files;        /* the caller's side-file writer, or NULL */
    char *why;                         /* init may say here why it refuses */
    size_t why_len;
    unsigned *history; /* init() raises it to 2 if it reads
                                                * prev_prev_ref (may be NULL) */
} ExtractorParams;

typedef struct FrameInput {
    const VmafxPicture *ref, *dis;
    const VmafxPicture *prev_ref;      /* reference of frame index-1, NULL at index 0 */
    const VmafxPicture *prev_prev_ref; /* reference of frame index-2, NULL below 2 or
                                                * unless init() asked for it (history) */
    unsigned index;
    const VmafxPicture *prev_dis; /* distorted of frame index-1 (EXTRACTOR_PREV_DIS) */
} FrameInput;

enum {
    EXTRACTOR_TEMPORAL = 1 << 0,    /* needs prev_ref (and prev_prev_ref) */
    EXTRACTOR_EVERY_FRAME = 1 << 1, /* runs on frames skipped by subsampling too */
    EXTRACTOR_PREV_DIS = 1 << 2,    /* needs prev_dis as well (with EXTRACTOR_TEMPORAL) */
    EXTRACTOR_EARLY_FLUSH = 1 << 3, /* flush() replays writes libvmaf makes while extracting:
                                        it runs before other flushes (report order) */
    EXTRACTOR_CHROMA = 1 << 4,      /* reads the U and V planes; without it only Y is read,
                                        and inputs may leave U and V unfilled */
};

typedef struct FeatureExtractor {
    const char *name;            /* "vif", "adm", "motion", "psnr", ... */
    const char *const *provides; /* model feature names it computes, NULL-ended */
    const ExtractorOption *options;
    unsigned n_options;
    const ExtractorOptionKind *option_kinds; /* may be NULL; ended by a NULL name */
    unsigned flags;
    size_t priv_size;
    int (*init)(void *priv, const ExtractorParams *p);
    int (*extract)(void *priv, const FrameInput *in, FeatureCollector *out);
    int (*flush)(void *priv, FeatureCollector *out, unsigned n_frames); /* may be NULL */
    void (*close)(void *priv);                                          /* may be NULL */
    /* Refuses option values the extractor cannot compute, before any picture: 0, or a
     * negative code with a one-line reason naming the option in why. May be NULL. */
    int (*check)(const double *opt, char *why, size_t n);
} FeatureExtractor;

/* Registry. */
const FeatureExtractor *extractor_find(const char *name);
const FeatureExtractor *extractor_at(unsigned i); /* NULL past the last one */
const FeatureExtractor *extractor_providing(const char *model_feature_name);

/* The kind of option o of fx (NULL: any number in range). */
const ExtractorOptionKind *extractor_option_kind(const FeatureExtractor *fx, const ExtractorOption *o);
/* Parses the text value of option o of fx: a choice word, true/false, or a number. 0 or
 * -EINVAL. */
int extractor_option_parse(const FeatureExtractor *fx, const ExtractorOption *o, const char *text,
                           double *value);

/* The collector name of a feature: base when suffix is empty, else alias + suffix
 * (libvmaf: "VMAF_integer_feature_adm2_score" or "integer_adm2_egl_1"). */
void feature_name(char *buf, size_t n, const char *base, const char *alias, const char *suffix);

/* Output name of a collector name ("VMAF_integer_feature_adm2_score" -> "integer_adm2"). */
const char *feature_output_name(const char *name);

#endif
