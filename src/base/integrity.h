/* Streaming integrity check of an input: counts the bytes against the size the storage
 * reported and hashes them against the hash it reported, as they are read, so that a
 * truncated, overlong or altered stream fails the job instead of being scored.
 *
 * Feeding it: a sequential reader calls integrity_update() with every buffer it reads.
 * A reader that seeks or resumes (HTTP range requests) calls integrity_update_at() with the
 * offset of each buffer: overlapping re-reads are fine; hashing goes on over the longest
 * prefix read in order. Before integrity_finish(), a reader that skipped around reads from
 * integrity_resume_offset() to the end and feeds that too (for an mp4 with its index at the
 * end this is just the index). Call integrity_finish() only after the whole stream was
 * consumed; a reader that stops early on purpose just drops the verifier (it owns nothing). */
#ifndef VMAFX_BASE_INTEGRITY_H
#define VMAFX_BASE_INTEGRITY_H

#include <stddef.h>
#include <stdint.h>
#include <nettle/md5.h>

typedef enum { HASH_NONE = 0, HASH_MD5 } HashType;

typedef struct IntegrityVerifier {
    int64_t expected; /* -1: unknown */
    int64_t next;     /* bytes [0, next) were hashed in order */
    int64_t end;      /* furthest byte offset seen */
    int past_end;     /* a byte beyond the expected size arrived */
    HashType type;
    char expected_hex[65];
    struct md5_ctx md5;
} IntegrityVerifier;

/* expected_size -1: unknown. type HASH_NONE: size only. -EINVAL if the hex is malformed. */
int integrity_init(IntegrityVerifier *v, int64_t expected_size, HashType type, const char *expected_hex);
void integrity_update(IntegrityVerifier *v, const void *buf, size_t n);
void integrity_update_at(IntegrityVerifier *v, int64_t offset, const void *buf, size_t n);
int64_t integrity_resume_offset(const IntegrityVerifier *v);
/* 0 when every check passed; -EIO with a message (no input name: the caller adds it). */
int integrity_finish(IntegrityVerifier *v, char *err, size_t n);
const char *hash_type_name(HashType t);

#endif
