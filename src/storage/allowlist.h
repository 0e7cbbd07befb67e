/* Scoring-root allow-list and metadata-address refusal (see allowlist.c). */
#ifndef VMAFX_STORAGE_ALLOWLIST_H
#define VMAFX_STORAGE_ALLOWLIST_H

#include <limits.h>
#include <stddef.h>

#include "storage/storage.h"

/* real: the realpath of a local target (ignored for others). what: the input's name for
 * the message. 0, or -EPERM with the reason. */
int allow_check(const StorageConfig *cfg, const StorageTarget *t, const char *real, const char *what,
                char *err, size_t n);
/* A local input: refused when it lies outside every root, judged first by its spelling
 * (before the file system is touched, so a missing and an existing file outside get the
 * same answer), then by where it really leads (realpath). 0 with real set, -EPERM, or the
 * error of resolving it ("file not found"). Without an allow-list, only resolves. */
int allow_resolve_local(const StorageConfig *cfg, const char *path, char real[PATH_MAX], const char *what,
                        char *err, size_t n);
int allow_check_url(const StorageConfig *cfg, const char *url, const char *what, char *err, size_t n);

#endif
