/* CPU detection and the kernel table. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "cpu.h"

static const enum VmafxCpu ranked[] = { VMAFX_CPU_SCALAR, VMAFX_CPU_AVX2, VMAFX_CPU_AVX2VNNI,
                                        VMAFX_CPU_AVX512, VMAFX_CPU_AVX512VNNI };
#define N_RANKED (int)(sizeof(ranked) / sizeof(ranked[0]))

/* Indexed by the enum's values. */
static const char *const level_names[] = {
    [VMAFX_CPU_AUTO] = "auto",         [VMAFX_CPU_SCALAR] = "scalar", [VMAFX_CPU_AVX2] = "avx2",
    [VMAFX_CPU_AVX2VNNI] = "avx2vnni", [VMAFX_CPU_AVX512] = "avx512", [VMAFX_CPU_AVX512VNNI] = "avx512vnni"
};
#define N_NAMES (sizeof(level_names) / sizeof(level_names[0]))

const char *vmafx_cpu_name(enum VmafxCpu cpu)
{
    return (unsigned)cpu < N_NAMES ? level_names[cpu] : NULL;
}

int vmafx_cpu_parse(const char *name, enum VmafxCpu *out)
{
    for (unsigned i = 0; i < N_NAMES; i++)
        if (!strcmp(name, level_names[i])) {
            *out = (enum VmafxCpu)i;
            return 0;
        }
    return -EINVAL;
}

const enum VmafxCpu *cpu_levels(int *n)
{
    *n = N_RANKED;
    return ranked;
}

#if defined(__x86_64__) || defined(__i386__)
/* AVX-VNNI (CPUID leaf 7 sub-leaf 1, EAX bit 4): gcc 12's __builtin_cpu_supports does not
 * read that sub-leaf. Its registers are AVX2's, whose OS support the caller has checked. */
static int has_avx_vnni(void)
{
    unsigned a, b, c, d;
    return __get_cpuid_count(7, 1, &a, &b, &c, &d) && (a >> 4 & 1);
}
#endif

int cpu_runs(enum VmafxCpu level)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    const int avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi2");
    const int avx512 = avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                       __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
    switch (level) {
    case VMAFX_CPU_AVX2: return avx2;
    case VMAFX_CPU_AVX2VNNI: return avx2 && has_avx_vnni();
    case VMAFX_CPU_AVX512: return avx512;
    case VMAFX_CPU_AVX512VNNI: return avx512 && __builtin_cpu_supports("avx512vnni");
    default: return 1;
    }
#else
    return level == VMAFX_CPU_AUTO || level == VMAFX_CPU_SCALAR;
#endif
}

enum VmafxCpu cpu_pick(enum VmafxCpu requested, int (*runs)(enum VmafxCpu))
{
    int i = N_RANKED - 1;
    if (requested != VMAFX_CPU_AUTO)
        while (i > 0 && ranked[i] != requested) i--;
    while (i > 0 && !runs(ranked[i])) i--;
    return ranked[i];
}

enum VmafxCpu cpu_detect(void)
{
    return cpu_pick(VMAFX_CPU_AUTO, cpu_runs);
}

int cpu_gds_slows_gathers(const char *status)
{
    return !strncmp(status, "Mitigation", 10) || !strncmp(status, "Unknown", 7);
}

int cpu_slow_gathers(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    if (__builtin_cpu_is("amd")) return 1;
    if (!__builtin_cpu_is("intel")) return 0;
    FILE *f = fopen("/sys/devices/system/cpu/vulnerabilities/gather_data_sampling", "re");
    if (!f) return 0; /* a kernel before 6.5 (August 2023), or no /sys: as before */
    char status[128] = "";
    int slow = fgets(status, sizeof(status), f) && cpu_gds_slows_gathers(status);
    fclose(f);
    return slow;
#else
    return 0;
#endif
}

void kernels_init(KernelTable *t, enum VmafxCpu requested)
{
    t->level = cpu_pick(requested, cpu_runs);
    t->slow_gathers = cpu_slow_gathers();
}
