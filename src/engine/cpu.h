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
/* Whether vector gathers are slow enough on the running CPU that kernels with an arithmetic
 * alternative should take it: AMD (measured on Zen 5); not Intel, where it was not measured. */
int cpu_slow_gathers(void);
/* Fills t for min(requested, detected); VMAFX_CPU_AUTO means detected. */
void kernels_init(KernelTable *t, enum VmafxCpu requested);

#endif
