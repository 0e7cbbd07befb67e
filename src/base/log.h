/* Log lines with a level and a module name. There is no global logger: each owner (a
 * storage context, a node) holds a Log that says where lines go. Every line is passed
 * through redact_copy() first, so a credential that slipped into a message never leaves. */
#ifndef VMAFX_BASE_LOG_H
#define VMAFX_BASE_LOG_H

#include <stddef.h>

typedef enum { VLOG_DEFAULT = 0, VLOG_ERROR, VLOG_WARN, VLOG_INFO, VLOG_DEBUG } LogLevel;

typedef void (*LogSink)(void *user, LogLevel level, const char *line);

typedef struct Log {
    LogSink sink; /* NULL: "[TIME ]PROGRAM: <module>: <message>" on stderr */
    void *user;
    LogLevel level;      /* most verbose level written; VLOG_DEFAULT means VLOG_INFO */
    const char *program; /* the line's prefix; NULL: "vmafx". The module is left out when
                            * the program is named after it ("vmafx-node", "node") */
    int timestamps;      /* lines start with the UTC time (log_timestamp): the services' logs */
} Log;

void log_msg(const Log *lg, LogLevel level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The current UTC time as "2026-12-05T17:45:01.123Z" (RFC 3339, milliseconds). */
void log_timestamp(char *buf, size_t n);

/* "error", "warning", "info", "debug" -> level; VLOG_DEFAULT for anything else. */
LogLevel log_level_parse(const char *s);

#endif
