/* Removes secrets from text that is about to be logged or shown: URL passwords, values of
 * keys that look like credentials (key=..., "secret": "...", sig=..., X-Amz-Signature=...),
 * and HTTP Authorization values. Conservative: it may hide a harmless value, never the
 * other way round on purpose. */
#ifndef VMAFX_BASE_REDACT_H
#define VMAFX_BASE_REDACT_H

#include <stddef.h>

/* Copies src into dst (always NUL-terminated) with secrets replaced by "***". */
void redact_copy(char *dst, size_t n, const char *src);

#endif
