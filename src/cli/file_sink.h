/* The side-file writer `vmafx score` gives the engine (VmafxFileSink): CAMBI's heat maps. */
#ifndef VMAFX_CLI_FILE_SINK_H
#define VMAFX_CLI_FILE_SINK_H

#include "vmafx/vmafx.h"

/* Writes into the local file system, creating directories (mode 0770) as libvmaf does. */
const VmafxFileSink *cli_file_sink(void);

#endif
