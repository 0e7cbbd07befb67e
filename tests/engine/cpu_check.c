/* The choice between gathers and arithmetic (cpu_slow_gathers): the rule for each status line
 * the kernel writes to .../vulnerabilities/gather_data_sampling, then the running CPU's answer
 * on the last line ("slow_gathers N"), which tests/test_engine_cpu.py checks against the CPU's
 * vendor and that file. Prints "bad: ..." for each status the rule gets wrong. */
#include <stdio.h>

#include "cpu.h"

int main(void)
{
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
    int bad = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (cpu_gds_slows_gathers(cases[i].status) != cases[i].slow) {
            printf("bad: \"%s\" gives %d\n", cases[i].status, !cases[i].slow);
            bad = 1;
        }
    printf("slow_gathers %d\n", cpu_slow_gathers());
    return bad;
}
