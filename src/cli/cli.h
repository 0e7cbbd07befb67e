/* Shared helpers of the command-line programs. */
#ifndef VMAFX_CLI_H
#define VMAFX_CLI_H

#include <stdio.h>
#include "api/jobspec.h"
#include "base/mono.h"
#include "base/config.h"
#include "base/log.h"
#include "base/mono.h"
#include "vmafx/vmafx.h"

/* One line "vmafx: error: <message>" on stderr; returns -1. The prefix is the program's name
 * (vmafx, vmafx-controller, vmafx-node: CLI_PROGRAM, set per program in meson.build), after
 * the UTC time in the services (CLI_TIMESTAMPS), whose lines are logs. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same without a level: "vmafx-controller: listening on ...". */
void cli_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Makes lg's lines look like the program's own (its name, timestamps in the services). */
void cli_log_setup(Log *lg);

/* Progress line on stderr (frames, fps, ETA when the frame count is known), only when
 * enabled (a terminal, not --quiet). */
typedef struct Progress {
    int enabled;
    unsigned total; /* expected frames; 0: unknown (no ETA) */
    double t0, last;
} Progress;
void progress_start(Progress *p, int enabled, unsigned total);
void progress_update(Progress *p, unsigned frames);
void progress_end(Progress *p);

/* "auto", "scalar", "avx2", "avx512" (--cpu / VMAFX_CPU); -1 after the message. */
int cli_parse_cpu(const char *s, enum VmafxCpu *out);
/* libvmaf's --cpumask N as the highest kernel level it allows (common.c says how); -1 after
 * the message. */
int cli_parse_cpumask(const char *s, enum VmafxCpu *out);

/* The scoring request from the flags `vmafx score` and `vmafx submit` share (request_flags.c);
 * only what a request cannot hold (a non-number, a string too long) is refused here, with
 * "cmd: " before the message. -1 after the message. */
int cli_request_from_flags(const ConfigValues *v, JobSpec *s, const char *cmd);
/* jobspec_validate, its message told by flag ("--scale: unknown method 'x' (...)"). */
int cli_request_check(const JobSpec *s, JobOrigin origin);
/* The engine's check of a job's models and features (the controller's check_scoring), told
 * by flag ("--model vmaf_v9: unknown model version 'vmaf_v9'"): a client refuses what the
 * controller would. */
int cli_request_check_engine(const JobSpec *s);

int cmd_score(int argc, char **argv);

#endif
