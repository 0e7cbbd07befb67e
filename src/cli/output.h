/* Writing a report file so that a failed run never leaves a file that looks complete. */
#ifndef VMAFX_CLI_OUTPUT_H
#define VMAFX_CLI_OUTPUT_H

#include "pipeline/request.h"

/* Writes to a temporary file beside path and renames it into place; "-" = stdout. */
/* Text to a path as output_write_report writes a report ("-": standard output). */
int output_write_text(const char *text, size_t len, const char *path);
int output_write_report(const PipelineScore *sc, enum VmafxFormat fmt, const char *path);

#endif
