/* Leveled, redacted log lines (see log.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "redact.h"

static const char *level_name(LogLevel l)
{
    switch (l) {
    case VLOG_ERROR: return "error: ";
    case VLOG_WARN: return "warning: ";
    case VLOG_DEBUG: return "debug: ";
    default: return "";
    }
}

void log_msg(const Log *lg, LogLevel level, const char *module, const char *fmt, ...)
{
    LogLevel max = lg && lg->level ? lg->level : VLOG_INFO;
    if (level > max) return;
    char raw[2048], line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof(raw), fmt, ap);
    va_end(ap);
    redact_copy(line, sizeof(line), raw);
    if (lg && lg->sink) {
        lg->sink(lg->user, level, line);
        return;
    }
    const char *prog = lg && lg->program ? lg->program : "vmafx";
    const char *dash = strrchr(prog, '-');
    int named = dash && !strcmp(dash + 1, module); /* "vmafx-node: node: ..." says it twice */
    char ts[40] = "";
    if (lg && lg->timestamps) {
        log_timestamp(ts, sizeof(ts) - 1);
        strcat(ts, " ");
    }
    /* One fprintf per line: lines of concurrent jobs do not interleave mid-line. */
    fprintf(stderr, "%s%s: %s%s%s%s\n", ts, prog, named ? "" : module, named ? "" : ": ", level_name(level),
            line);
}

void log_timestamp(char *buf, size_t n)
{
    struct timespec t;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &t);
    gmtime_r(&t.tv_sec, &tm);
    char day[32];
    strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, n, "%s.%03ldZ", day, t.tv_nsec / 1000000);
}

LogLevel log_level_parse(const char *s)
{
    static const char *names[] = { "", "error", "warning", "info", "debug" };
    for (int i = 1; i <= VLOG_DEBUG; i++)
        if (s && !strcmp(s, names[i])) return (LogLevel)i;
    return VLOG_DEFAULT;
}
