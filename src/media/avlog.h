/* libav* diagnostics: kept out of the terminal, remembered per thread for error messages. */
#ifndef VMAFX_MEDIA_AVLOG_H
#define VMAFX_MEDIA_AVLOG_H

#include <stddef.h>

/* Installs the log hook once per process (idempotent, thread-safe). */
void avlog_init(void);
/* Forgets the calling thread's last libav error line. */
void avlog_clear(void);
/* The calling thread's last libav message of warning or error level, "" if none. */
const char *avlog_last(void);
/* The first line since avlog_damage_reset() in which a demuxer says the input is cut short or
 * damaged while carrying on as if it had simply ended ("File ended prematurely"), or NULL. */
const char *avlog_damage(void);
void avlog_damage_reset(void);
/* Text of a libav error code ("Input/output error"). */
const char *avlog_strerror(int code, char *buf, size_t n);

#endif
