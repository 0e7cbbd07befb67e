/* Kernel function table: scalar kernels are the definition; SIMD siblings (feature/x86/) are
 * filled in at start-up when the CPU has them, and can be forced down with VmafxCpu. */
#ifndef VMAFX_ENGINE_CPU_H
#define VMAFX_ENGINE_CPU_H

#include "vmafx/vmafx.h"

typedef struct KernelTable {
    enum VmafxCpu level; /* the level the table was built for */
    int slow_gathers;    /* cpu_slow_gathers(), asked once per context */
} KernelTable;

/* Best level the running CPU supports. */
enum VmafxCpu cpu_detect(void);
/* Whether vector gathers are slow enough on the running CPU that kernels with an arithmetic
 * alternative should take it: AMD (measured on Zen 5), and Intel where the kernel reports the
 * Gather Data Sampling mitigation (Skylake to Ice Lake and Tiger Lake with the 2023 microcode,
 * which slows every gather) or cannot tell because a hypervisor decides it, as in most cloud
 * VMs; not an Intel CPU the kernel reports unaffected (Alder Lake, Sapphire Rapids and later)
 * or unmitigated. */
int cpu_slow_gathers(void);
/* The rule above for one line of /sys/devices/system/cpu/vulnerabilities/gather_data_sampling. */
int cpu_gds_slows_gathers(const char *status);
/* Fills t for min(requested, detected); VMAFX_CPU_AUTO means detected. */
void kernels_init(KernelTable *t, enum VmafxCpu requested);

#endif
