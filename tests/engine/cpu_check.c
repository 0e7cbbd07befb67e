/* The choice between gathers and arithmetic (cpu_slow_gathers): the rule for each status line
 * the kernel writes to .../vulnerabilities/gather_data_sampling, then the running CPU's answer
 * on the last line ("slow_gathers N"), which tests/test_engine_cpu.py checks against the CPU's
 * vendor and that file. Before it, the kernel level picked for each request on CPUs that have
 * only some of the levels (cpu_pick), the level names (vmafx_cpu_name / vmafx_cpu_parse), and a
 * line "runs LEVEL 0|1" per level for this CPU, which the test checks against /proc/cpuinfo's
 * flags. Prints "bad: ..." for each wrong answer. */
#include <stdio.h>
#include <string.h>

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

/* Every value of the enum has one name that parses back to it; nothing else parses. */
static int check_names(void)
{
    int bad = 0;
    const enum VmafxCpu last = VMAFX_CPU_AVX2VNNI;
    for (int v = VMAFX_CPU_AUTO; v <= (int)last; v++) {
        const char *name = vmafx_cpu_name((enum VmafxCpu)v);
        enum VmafxCpu back = VMAFX_CPU_AUTO;
        if (!name || vmafx_cpu_parse(name, &back) || back != (enum VmafxCpu)v) {
            printf("bad: level %d is named %s and parses back to %d\n", v, name ? name : "(none)", back);
            bad = 1;
        }
        for (int u = VMAFX_CPU_AUTO; u < v; u++)
            if (name && !strcmp(name, vmafx_cpu_name((enum VmafxCpu)u))) {
                printf("bad: levels %d and %d are both named %s\n", u, v, name);
                bad = 1;
            }
    }
    if (vmafx_cpu_name((enum VmafxCpu)(last + 1))) printf("bad: a name past the enum\n"), bad = 1;
    static const char *const unknown[] = { "", "AVX2", "avx3", "avx2 ", "avx512vnn" };
    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
        enum VmafxCpu out = VMAFX_CPU_SCALAR;
        if (vmafx_cpu_parse(unknown[i], &out) == 0 || out != VMAFX_CPU_SCALAR) {
            printf("bad: \"%s\" parses as a level\n", unknown[i]);
            bad = 1;
        }
    }
    return bad;
}

int main(void)
{
    int bad = check_pick() | check_names();
    int n;
    const enum VmafxCpu *levels = cpu_levels(&n);
    for (int i = 0; i < n; i++) printf("runs %s %d\n", vmafx_cpu_name(levels[i]), cpu_runs(levels[i]));
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
