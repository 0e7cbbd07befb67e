/* Shared helpers of the command-line programs. */
#ifndef VMAFX_CLI_H
#define VMAFX_CLI_H

#include <stdio.h>
#include "vmafx/vmafx.h"
#include "base/config.h"

/* One line "vmafx: <message>" on stderr; returns -1. */
int  cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
double cli_now(void);

/* Progress line on stderr (frames, fps, ETA when the frame count is known), only when
 * enabled (a terminal, not --quiet). */
typedef struct Progress {
    int enabled;
    unsigned total;          /* expected frames; 0: unknown (no ETA) */
    double t0, last;
} Progress;
void progress_start(Progress *p, int enabled, unsigned total);
void progress_update(Progress *p, unsigned frames);
void progress_end(Progress *p);

/* Adds the models of -m (default vmaf_v0.6.1) and the --feature extractors. */
int  cli_setup_models(VmafxContext *ctx, const ConfigValues *v, int no_prediction);
/* "vmaf_v0.6.1: 80.196020" per model (pooled mean). */
void cli_print_scores(const VmafxContext *ctx, const ConfigValues *v, FILE *f);

int cmd_score(int argc, char **argv);

#endif
