/* Leveled, redacted log lines (see log.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
    /* One fprintf per line: lines of concurrent jobs do not interleave mid-line. */
    fprintf(stderr, "vmafx: %s: %s%s\n", module, level_name(level), line);
}

LogLevel log_level_parse(const char *s)
{
    static const char *names[] = { "", "error", "warning", "info", "debug" };
    for (int i = 1; i <= VLOG_DEBUG; i++)
        if (s && !strcmp(s, names[i])) return (LogLevel)i;
    return VLOG_DEFAULT;
}
