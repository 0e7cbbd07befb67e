/* Messages, clock and the progress line. */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "cli.h"

int cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("vmafx: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return -1;
}

void cli_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("vmafx: warning: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

void progress_start(Progress *p, int enabled, unsigned total)
{
    p->enabled = enabled;
    p->total = total;
    p->t0 = p->last = cli_now();
}

void progress_update(Progress *p, unsigned frames)
{
    if (!p->enabled) return;
    double now = cli_now();
    if (now - p->last < 0.25) return;   /* a few updates a second are enough */
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
