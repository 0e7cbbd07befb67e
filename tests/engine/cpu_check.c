/* The choice between gathers and arithmetic (cpu_slow_gathers): the rule for each status line
 * the kernel writes to .../vulnerabilities/gather_data_sampling, then the running CPU's answer
 * on the last line ("slow_gathers N"), which tests/test_engine_cpu.py checks against the CPU's
 * vendor and that file. Before it, the kernel level picked for each request on CPUs that have
 * only some of the levels (cpu_pick), and a line "runs LEVEL 0|1" per level for this CPU, which
 * the test checks against /proc/cpuinfo's flags. Prints "bad: ..." for each wrong answer. */
#include <stdio.h>

#include "cpu.h"

static unsigned have; /* the levels a made-up CPU runs, bit per enum value */

static int runs_made_up(enum VmafxCpu l)
{
    return l == VMAFX_CPU_SCALAR || (have >> l & 1);
}

#define B(l) (1u << VMAFX_CPU_##l)

static int check_pick(void)
{
    static const struct {
        unsigned have;
        enum VmafxCpu requested, want;
    } cases[] = {
        /* an AVX-512 CPU without AVX-VNNI (Skylake-X, Zen 4) */
        { B(AVX2) | B(AVX512) | B(AVX512VNNI), VMAFX_CPU_AUTO, VMAFX_CPU_AVX512VNNI },
        { B(AVX2) | B(AVX512) | B(AVX512VNNI), VMAFX_CPU_AVX2VNNI, VMAFX_CPU_AVX2 },
        { B(AVX2) | B(AVX512), VMAFX_CPU_AVX512VNNI, VMAFX_CPU_AVX512 },
        /* an AVX2 CPU with AVX-VNNI (Alder Lake) */
        { B(AVX2) | B(AVX2VNNI), VMAFX_CPU_AUTO, VMAFX_CPU_AVX2VNNI },
        { B(AVX2) | B(AVX2VNNI), VMAFX_CPU_AVX512VNNI, VMAFX_CPU_AVX2VNNI },
        { B(AVX2) | B(AVX2VNNI), VMAFX_CPU_AVX2, VMAFX_CPU_AVX2 },
        /* plain AVX2, and none */
        { B(AVX2), VMAFX_CPU_AVX2VNNI, VMAFX_CPU_AVX2 },
        { B(AVX2), VMAFX_CPU_AUTO, VMAFX_CPU_AVX2 },
        { 0, VMAFX_CPU_AVX512, VMAFX_CPU_SCALAR },
        { 0, VMAFX_CPU_SCALAR, VMAFX_CPU_SCALAR },
        /* everything (Zen 5) */
        { B(AVX2) | B(AVX2VNNI) | B(AVX512) | B(AVX512VNNI), VMAFX_CPU_AUTO, VMAFX_CPU_AVX512VNNI },
        { B(AVX2) | B(AVX2VNNI) | B(AVX512) | B(AVX512VNNI), VMAFX_CPU_AVX2VNNI, VMAFX_CPU_AVX2VNNI },
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        have = cases[i].have;
        enum VmafxCpu got = cpu_pick(cases[i].requested, runs_made_up);
        if (got != cases[i].want) {
            printf("bad: levels %#x, request %d gives %d, want %d\n", cases[i].have, cases[i].requested, got,
                   cases[i].want);
            bad = 1;
        }
    }
    return bad;
}

int main(void)
{
    static const char *const names[] = { "auto", "scalar", "avx2", "avx512", "avx512vnni", "avx2vnni" };
    int bad = check_pick();
    int n;
    const enum VmafxCpu *levels = cpu_levels(&n);
    for (int i = 0; i < n; i++) printf("runs %s %d\n", names[levels[i]], cpu_runs(levels[i]));
    static const struct {
        const char *status;
        int slow;
    } cases[] = {
        { "Not affected\n", 0 },
        { "Vulnerable\n", 0 },
        { "Vulnerable: No microcode\n", 0 },
        { "Mitigation: Microcode\n", 1 },
        { "Mitigation: Microcode (locked)\n", 1 },
        { "Mitigation: AVX disabled, no microcode\n", 1 },
        { "Unknown: Dependent on hypervisor status\n", 1 },
        { "", 0 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (cpu_gds_slows_gathers(cases[i].status) != cases[i].slow) {
            printf("bad: \"%s\" gives %d\n", cases[i].status, !cases[i].slow);
            bad = 1;
        }
    printf("slow_gathers %d\n", cpu_slow_gathers());
    return bad;
}
