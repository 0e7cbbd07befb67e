/* The controller's merge of a chunked job (ControllerConfig.merge): the chunks' raw values
 * through the same engine and report writers as `vmafx score` (pipeline/chunk.h). */
#ifndef VMAFX_CLI_CONTROLLER_MERGE_H
#define VMAFX_CLI_CONTROLLER_MERGE_H

#include <stddef.h>

int cli_merge_chunks(const char *spec, const char *const *texts, const size_t *lens, unsigned n, char **json,
                     char **xml, char **csv, char *err, size_t en);

#endif
