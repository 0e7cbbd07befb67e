/* Messages, clock and the progress line. */
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "base/log.h"
#include "base/mono.h"

#ifndef CLI_PROGRAM
#define CLI_PROGRAM "vmafx"
#endif
#ifndef CLI_TIMESTAMPS
#define CLI_TIMESTAMPS 0
#endif

/* The whole line in one write, so that it does not interleave with a log line of a thread. */
static void say(const char *level, const char *fmt, va_list ap)
{
    char msg[4096], ts[40] = "";
    vsnprintf(msg, sizeof(msg), fmt, ap);
    if (CLI_TIMESTAMPS) {
        log_timestamp(ts, sizeof(ts) - 1);
        strcat(ts, " ");
    }
    fprintf(stderr, "%s%s: %s%s\n", ts, CLI_PROGRAM, level, msg);
}

int cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say("error: ", fmt, ap);
    va_end(ap);
    return -1;
}

void cli_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say("warning: ", fmt, ap);
    va_end(ap);
}

void cli_note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say("", fmt, ap);
    va_end(ap);
}

void cli_log_setup(Log *lg)
{
    lg->program = CLI_PROGRAM;
    lg->timestamps = CLI_TIMESTAMPS;
}

int cli_parse_cpu(const char *s, enum VmafxCpu *out)
{
    if (!vmafx_cpu_parse(s, out)) return 0;
    return cli_error(
        "--cpu / VMAFX_CPU: unknown kernel level '%s' (auto, scalar, avx2, avx2vnni, avx512, avx512vnni)", s);
}

/* libvmaf's --cpumask: a set bit forbids an instruction set (its x86 flags: 1 SSE2, 2 SSSE3,
 * 4 SSE4.1, 8 AVX2, 16 AVX-512, 32 AVX-512 ICL). Mapped onto vmafx's kernel levels as the
 * libvmaf API layer maps VmafConfiguration.cpumask (src/compat/context.c), so `vmaf` linked
 * against vmafx and `vmafx score` agree: any of the bits up to AVX2 gives scalar (libvmaf's AVX2
 * code needs the SSE sets too), an AVX-512 bit caps the level at avx2, 0 leaves the best the
 * CPU has. */
int cli_parse_cpumask(const char *s, enum VmafxCpu *out)
{
    char *end;
    errno = 0;
    unsigned long m = strtoul(s, &end, 0);
    if (!*s || *end || errno || m > 0xffffffffUL || *s == '-')
        return cli_error("--cpumask: '%s' is not an unsigned integer (a bit mask)", s);
    *out = m & (1 | 2 | 4 | 8) ? VMAFX_CPU_SCALAR : m & (16 | 32) ? VMAFX_CPU_AVX2 : VMAFX_CPU_AUTO;
    return 0;
}

void progress_start(Progress *p, int enabled, unsigned total)
{
    p->enabled = enabled;
    p->total = total;
    p->t0 = p->last = mono_now();
}

void progress_update(Progress *p, unsigned frames)
{
    if (!p->enabled) return;
    double now = mono_now();
    if (now - p->last < 0.25) return; /* a few updates a second are enough */
    p->last = now;
    double fps = frames / (now - p->t0);
    fprintf(stderr, "\r\033[Kframe %u", frames);
    if (p->total) fprintf(stderr, "/%u", p->total);
    fprintf(stderr, "  %.1f fps", fps);
    if (p->total > frames && fps > 0) {
        unsigned eta = (unsigned)((p->total - frames) / fps + 0.5);
        fprintf(stderr, "  ETA %u:%02u", eta / 60, eta % 60);
    }
    fflush(stderr);
}

void progress_end(Progress *p)
{
    if (p->enabled) fputs("\r\033[K", stderr);
}
