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
/* Whether the running CPU has every instruction set of a level (AUTO: yes). */
int cpu_runs(enum VmafxCpu level);
/* The levels in rank order, each above the ones before it; n gets the count. */
const enum VmafxCpu *cpu_levels(int *n);
/* The requested level (AUTO: the top one) if runs() says so, else the next one below it that
 * runs; scalar always does. */
enum VmafxCpu cpu_pick(enum VmafxCpu requested, int (*runs)(enum VmafxCpu));

/* Which kernel families a level takes: every SIMD level the AVX2 ones, AVX512 and AVX512VNNI
 * the AVX-512 ones (AVX2VNNI comes after them in the enum, so no order test will do). */
static inline int cpu_level_avx2(enum VmafxCpu l)
{
    return l >= VMAFX_CPU_AVX2;
}

static inline int cpu_level_avx512(enum VmafxCpu l)
{
    return l == VMAFX_CPU_AVX512 || l == VMAFX_CPU_AVX512VNNI;
}
/* Whether vector gathers are slow enough on the running CPU that kernels with an arithmetic
 * alternative should take it: AMD (measured on Zen 5), and Intel where the kernel reports the
 * Gather Data Sampling mitigation (Skylake to Ice Lake and Tiger Lake with the 2023 microcode,
 * which slows every gather) or cannot tell because a hypervisor decides it, as in most cloud
 * VMs; not an Intel CPU the kernel reports unaffected (Alder Lake, Sapphire Rapids and later)
 * or unmitigated. */
int cpu_slow_gathers(void);
/* The rule above for one line of /sys/devices/system/cpu/vulnerabilities/gather_data_sampling. */
int cpu_gds_slows_gathers(const char *status);
/* Fills t for the requested level, or where the CPU lacks it the next level below that it
 * has; VMAFX_CPU_AUTO means detected. */
void kernels_init(KernelTable *t, enum VmafxCpu requested);

#endif
