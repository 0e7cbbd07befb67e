/* The settings tables of vmafx-controller, vmafx-node and the `vmafx` client commands, and
 * the helpers they share. Tables are built at run time only because the storage layer owns
 * its own rows (storage_settings()); everything else is constant. docs/configuration.md is
 * generated from these same tables (vmafx-config-doc). */
#ifndef VMAFX_CLI_SERVICE_OPTIONS_H
#define VMAFX_CLI_SERVICE_OPTIONS_H

#include <stddef.h>

#include "base/config.h"
#include "storage/storage.h"

/* Each fills out (room for cap rows) and returns the number of rows. */
size_t score_options(ConfigOption *out, size_t cap);
size_t controller_options(ConfigOption *out, size_t cap);
size_t node_options(ConfigOption *out, size_t cap);

/* Client commands: one table each (submit, status, wait, cancel, results, jobs). */
typedef struct ClientCommand {
    const char *name, *usage, *summary;
    const ConfigOption *opts;
    size_t n;
} ClientCommand;
const ClientCommand *client_commands(size_t *n);

/* Rows for the storage settings named in only (NULL-terminated; NULL: all of them). */
size_t storage_option_rows(ConfigOption *out, size_t cap, const char *const *only);
/* Hands every storage setting given (flag, environment or default) to cfg. */
int apply_storage_options(const ConfigValues *v, StorageConfig *cfg, char *err, size_t n);

/* Seconds in [min, max] (decimals allowed); -1 with a message naming the flag. */
int option_seconds(const ConfigValues *v, const char *name, double min, double max, double *out, char *err,
                   size_t n);
/* Byte counts with an optional K, M or G suffix (powers of 1024). */
int option_bytes(const ConfigValues *v, const char *name, size_t min, size_t *out, char *err, size_t n);

#endif
