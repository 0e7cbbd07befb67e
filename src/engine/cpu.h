/* Kernel function table: scalar kernels are the definition; SIMD siblings (feature/x86/) are
 * filled in at start-up when the CPU has them, and can be forced down with VmafxCpu. */
#ifndef VMAFX_ENGINE_CPU_H
#define VMAFX_ENGINE_CPU_H

#include "vmafx/vmafx.h"

typedef struct KernelTable {
    enum VmafxCpu level; /* the level the table was built for */
} KernelTable;

/* Best level the running CPU supports. */
enum VmafxCpu cpu_detect(void);
/* Fills t for min(requested, detected); VMAFX_CPU_AUTO means detected. */
void kernels_init(KernelTable *t, enum VmafxCpu requested);

#endif
