/* Scoring-root allow-list and metadata-address refusal (see allowlist.c). */
#ifndef VMAFX_STORAGE_ALLOWLIST_H
#define VMAFX_STORAGE_ALLOWLIST_H

#include <stddef.h>

#include "storage/storage.h"

/* real: the realpath of a local target (ignored for others). what: the input's name for
 * the message. 0, or -EPERM with the reason. */
int allow_check(const StorageConfig *cfg, const StorageTarget *t, const char *real, const char *what,
                char *err, size_t n);
int allow_check_url(const StorageConfig *cfg, const char *url, const char *what, char *err, size_t n);

#endif
