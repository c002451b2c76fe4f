/* Content digests: sha256 as OCI writes it ("sha256:<64 hex>"), computed
 * while data streams (nettle), and the check of a digest string. */
#ifndef BE_DIGEST_H
#define BE_DIGEST_H

#include <stdbool.h>
#include <stddef.h>

#include "berth.h"

#define DIGEST_SHA256_HEX 64
/* "sha256:" + 64 hex + NUL */
#define DIGEST_STR_MAX (7 + DIGEST_SHA256_HEX + 1)

/* A running sha256; opaque storage big enough for nettle's context. */
struct digest_sha256 {
	_Alignas(8) unsigned char ctx[128];
};

void digest_sha256_init(struct digest_sha256 *d);
void digest_sha256_update(struct digest_sha256 *d, const void *buf, size_t n);
/* Writes "sha256:<hex>" into out (DIGEST_STR_MAX bytes); d is spent. */
void digest_sha256_final(struct digest_sha256 *d, char out[DIGEST_STR_MAX]);
/* One-shot digest of a buffer. */
void digest_sha256_buf(const void *buf, size_t n, char out[DIGEST_STR_MAX]);
/* Digest of the file at fd from its current offset to EOF; -1 on a read
 * error (err names path). */
int digest_sha256_fd(int fd, const char *path, char out[DIGEST_STR_MAX], struct be_error **err);
/* True when s is "sha256:" followed by exactly 64 lowercase hex digits
 * (the only algorithm berth accepts; anything else is refused before any
 * path is built from it). */
bool digest_valid(const char *s);

#endif
