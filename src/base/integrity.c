/* Byte count and MD5 of a stream against the storage's metadata (see integrity.h). */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "integrity.h"

const char *hash_type_name(HashType t)
{
    return t == HASH_MD5 ? "MD5" : "none";
}

int integrity_init(IntegrityVerifier *v, int64_t expected_size, HashType type, const char *expected_hex)
{
    memset(v, 0, sizeof(*v));
    v->expected = expected_size;
    v->type = type;
    if (type == HASH_NONE) return 0;
    size_t len = expected_hex ? strlen(expected_hex) : 0;
    if (len != 2 * MD5_DIGEST_SIZE) return -EINVAL;
    for (size_t i = 0; i < len; i++) {
        if (!isxdigit((unsigned char)expected_hex[i])) return -EINVAL;
        v->expected_hex[i] = (char)tolower((unsigned char)expected_hex[i]);
    }
    md5_init(&v->md5);
    return 0;
}

void integrity_update_at(IntegrityVerifier *v, int64_t offset, const void *buf, size_t n)
{
    int64_t stop = offset + (int64_t)n;
    if (stop > v->end) v->end = stop;
    if (v->expected >= 0 && stop > v->expected) v->past_end = 1;
    /* Only the part that continues the in-order prefix is hashed; a re-read of bytes
     * already hashed, or a read after a gap, leaves the hash where it was. */
    if (offset > v->next || stop <= v->next) return;
    size_t skip = (size_t)(v->next - offset);
    if (v->type == HASH_MD5) md5_update(&v->md5, n - skip, (const uint8_t *)buf + skip);
    v->next = stop;
}

void integrity_update(IntegrityVerifier *v, const void *buf, size_t n)
{
    integrity_update_at(v, v->next, buf, n);
}

int64_t integrity_resume_offset(const IntegrityVerifier *v)
{
    return v->next;
}

static void hex(const uint8_t *d, size_t len, char *out)
{
    for (size_t i = 0; i < len; i++) snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static int check_hash(IntegrityVerifier *v, char *err, size_t n)
{
    uint8_t d[MD5_DIGEST_SIZE];
    char got[2 * MD5_DIGEST_SIZE + 1];
    md5_digest(&v->md5, sizeof(d), d);
    hex(d, sizeof(d), got);
    if (!strcmp(got, v->expected_hex)) return 0;
    snprintf(err, n,
             "content does not match the stored MD5 (expected %s, got %s): the data was "
             "altered or the object changed while it was read",
             v->expected_hex, got);
    return -EIO;
}

int integrity_finish(IntegrityVerifier *v, char *err, size_t n)
{
    if (v->past_end) {
        snprintf(err, n, "size mismatch: more than the expected %" PRId64 " bytes arrived", v->expected);
        return -EIO;
    }
    if (v->expected >= 0 && v->end < v->expected) {
        snprintf(err, n, "truncated stream: %" PRId64 " of %" PRId64 " bytes arrived", v->end, v->expected);
        return -EIO;
    }
    if (v->type == HASH_NONE) return 0;
    if (v->next < v->end) {
        snprintf(err, n,
                 "%s not verified: only the first %" PRId64 " of %" PRId64 " bytes were read in "
                 "order (read the rest from integrity_resume_offset())",
                 hash_type_name(v->type), v->next, v->end);
        return -EIO;
    }
    return check_hash(v, err, n);
}
