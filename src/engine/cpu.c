/* CPU detection and the kernel table. */
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

int cpu_slow_gathers(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    return __builtin_cpu_is("amd");
#else
    return 0;
#endif
}

void kernels_init(KernelTable *t, enum VmafxCpu requested)
{
    enum VmafxCpu have = cpu_detect();
    enum VmafxCpu level = requested == VMAFX_CPU_AUTO || requested > have ? have : requested;
    t->level = level;
}
