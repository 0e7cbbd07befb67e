/* libvmaf's log convention: messages on stderr, filtered by the context's log level. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "compat.h"

static const char *level_name(enum VmafLogLevel l)
{
    switch (l) {
    case VMAF_LOG_LEVEL_ERROR: return "ERROR";
    case VMAF_LOG_LEVEL_WARNING: return "WARNING";
    case VMAF_LOG_LEVEL_INFO: return "INFO";
    default: return "DEBUG";
    }
}

void compat_log(const VmafContext *ctx, enum VmafLogLevel level, const char *fmt, ...)
{
    enum VmafLogLevel max = ctx ? ctx->cfg.log_level : VMAF_LOG_LEVEL_ERROR;
    if (level == VMAF_LOG_LEVEL_NONE || level > max) return;
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fprintf(stderr, "libvmaf %s: %s\n", level_name(level), msg);
}

int compat_engine_error(const VmafContext *ctx, const char *what, int err)
{
    compat_log(ctx, VMAF_LOG_LEVEL_ERROR, "%s: %s", what,
               ctx && ctx->eng ? vmafx_last_error(ctx->eng) : "failed");
    return err == -ENOMEM ? -ENOMEM : -EINVAL;
}
