/* Writing a report file so that a failed run never leaves a file that looks complete. */
#ifndef VMAFX_CLI_OUTPUT_H
#define VMAFX_CLI_OUTPUT_H

#include "pipeline/request.h"

/* Writes to a temporary file beside path and renames it into place; "-" = stdout. A new file
 * gets the mode the umask leaves of 0666 (as files made with open(2) or by shells do), a
 * replaced one keeps its mode. */
/* Text to a path as output_write_report writes a report ("-": standard output). */
int output_write_text(const char *text, size_t len, const char *path);
int output_write_report(const PipelineScore *sc, enum VmafxFormat fmt, const char *path);

/* Before any scoring: -1 after the message when the report could not be written to path (its
 * folder missing or not writable, path a folder), so that a long run does not fail at its
 * end. */
int output_check(const char *path);

/* The report's format from the flags --xml/--json/--csv/--sub (at most one), or else from
 * path's extension (.xml .json .csv .sub), or XML (libvmaf's default). -1 after the message
 * for two flags. */
int output_format(int xml, int json, int csv, int sub, const char *path, enum VmafxFormat *out);
/* The same with another default than XML (vmafx results: JSON). */
int output_format_or(int xml, int json, int csv, int sub, const char *path, enum VmafxFormat dflt,
                     enum VmafxFormat *out);

#endif
