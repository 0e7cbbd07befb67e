/* String helpers shared by the URI parser, the allow-list and the serving code. */
#ifndef VMAFX_STORAGE_URI_UTIL_H
#define VMAFX_STORAGE_URI_UTIL_H

#include <stddef.h>

#include "storage/storage_uri.h"

/* Percent-decodes len bytes of in; -EINVAL on a bad escape, %00 or a control character. */
int uri_decode(const char *in, size_t len, char *out, size_t n);
/* Percent-encodes a path for a URL, keeping '/' and the unreserved characters. */
int uri_encode_path(const char *in, char *out, size_t n);
/* 1 if a '/'-separated segment of path is "..". */
int uri_has_dotdot(const char *path);
/* The input as it may appear in a message: credentials redacted, shortened if huge. */
void uri_display(const char *uri, char *out, size_t n);
/* 1 if s has the rclone "remote:path" form (not a local path, not a URL). */
int uri_is_remote_spec(const char *s);

/* Moves t's root down to the object's own directory (for the local backend: serving or
 * mounting "/tmp" because an input lies under it would be too much, and a mount point
 * inside the mounted directory is refused by rclone). */
int uri_root_at_parent(StorageTarget *t);

#endif
