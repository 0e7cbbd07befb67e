/* CPU detection and the kernel table. */
#include <stdio.h>
#include <string.h>

#include "cpu.h"

enum VmafxCpu cpu_detect(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
        return __builtin_cpu_supports("avx512vnni") ? VMAFX_CPU_AVX512VNNI : VMAFX_CPU_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi2")) return VMAFX_CPU_AVX2;
#endif
    return VMAFX_CPU_SCALAR;
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
    enum VmafxCpu have = cpu_detect();
    enum VmafxCpu level = requested == VMAFX_CPU_AUTO || requested > have ? have : requested;
    t->level = level;
    t->slow_gathers = cpu_slow_gathers();
}
