/* Writing a report file so that a failed run never leaves a file that looks complete. */
#ifndef VMAFX_CLI_OUTPUT_H
#define VMAFX_CLI_OUTPUT_H

#include "pipeline/request.h"

/* Writes to a temporary file beside path and renames it into place; "-" = stdout. */
int output_write_report(const PipelineScore *sc, enum VmafxFormat fmt, const char *path);

#endif
