/* The `vmafx` commands that talk to the controller: submit, status, wait, cancel, results,
 * jobs. Exit status: 0 done (for wait: the job completed), 1 the job failed or was cancelled
 * or the controller refused, 2 bad usage, 3 --timeout reached. */
#ifndef VMAFX_CLI_CLIENT_H
#define VMAFX_CLI_CLIENT_H

#include <jansson.h>

#include "api/apiclient.h"
#include "base/config.h"

/* 1 if name is one of the client commands. */
int client_command_known(const char *name);
/* argv[0] is the command name. */
int cmd_client(int argc, char **argv);

/* ---- shared by client*.c ---- */

/* One call; 0 with the HTTP status and the parsed JSON answer (NULL when empty or not
 * JSON), or -1 with the reason printed. */
int client_call(const ApiClient *api, const char *method, const char *path, const char *body,
                const char *headers, int *status, json_t **answer);
/* The controller's error message printed as one line; returns 1. */
int client_refused(int status, json_t *answer);
/* Polls the job until it ends; prints the progress on a terminal and a summary at the end. */
int client_wait(const ApiClient *api, const char *id, const ConfigValues *v);
/* "vmaf: 73.997941" for each model of a completed job, like `vmafx score`. */
void client_print_scores(json_t *job, FILE *f);
int client_submit(const ApiClient *api, const ConfigValues *v);
/* The job's warnings (scaling, sync, frame counts and rates), one "warning: ..." line each
 * ("vmafx: warning: ..." on stderr). */
void client_print_warnings(json_t *job, FILE *f);
/* The i-th model's label ("vmaf_v0.6.1") and pooled mean: 0, 1 when the job has no score
 * for it (not completed), -1 past the last model. */
int client_model_score(json_t *job, size_t i, char *label, size_t n, double *mean);
/* The i-th model's key in the report ("vmaf"); 0, or -1 past the last model. */
int client_model_key(json_t *job, size_t i, char *name, size_t n);
/* vmafx jobs (client_jobs.c) and vmafx compare (client_compare.c). */
int client_jobs(const ApiClient *api, const ConfigValues *v);
int client_compare(const ApiClient *api, const ConfigValues *v, const char *a, const char *b);
/* A job's CSV report rewritten as libvmaf's MicroDVD subtitles (what `vmafx score --sub`
 * writes); malloc'ed, or NULL with the reason printed. */
char *client_csv_to_sub(const char *csv, size_t len, size_t *out_len);

#endif
