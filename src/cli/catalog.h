/* The engine's catalog for the programs (catalog.c). */
#ifndef VMAFX_CLI_CATALOG_H
#define VMAFX_CLI_CATALOG_H

#include <stdio.h>

#include "vmafx/vmafx.h"
#include "api/jobspec.h"

/* The features with their options and the built-in models, for `vmafx score --help`. */
void cli_print_catalog(FILE *f);

/* The engine's catalog (vmafx_catalog_json) with libvmaf's presets added as "presets":
 * [{"option": "aom_ctc", "version": "v7.0", "models": [..], "features": [..],
 *   "common_bitdepth": true}]: what GET /v1/models serves. malloc'ed, NULL when out of memory. */
char *cli_catalog_json(void);

/* `vmafx models`: the catalog on the terminal, or --json. */
int cmd_models(int argc, char **argv);

/* Refuses a parsed job whose models or features the engine would refuse (unknown names, bad
 * options, options an extractor cannot compute): -1 with the field ("models[0]") and a
 * message starting with it. The controller's check_scoring. */
int cli_check_job(const JobSpec *job, char *field, size_t fn, char *err, size_t n);

#endif
