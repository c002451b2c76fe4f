/* sha256 through nettle (a small, well-kept library, linked statically):
 * blobs are hashed as they stream and compared as "sha256:<hex>" strings. */
#include "digest.h"

#include <errno.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

_Static_assert(sizeof(struct sha256_ctx) <= sizeof(((struct digest_sha256 *)0)->ctx),
               "struct digest_sha256 too small for nettle's sha256_ctx");

void digest_sha256_init(struct digest_sha256 *d)
{
	sha256_init((struct sha256_ctx *)d->ctx);
}

void digest_sha256_update(struct digest_sha256 *d, const void *buf, size_t n)
{
	sha256_update((struct sha256_ctx *)d->ctx, n, buf);
}

void digest_sha256_final(struct digest_sha256 *d, char out[DIGEST_STR_MAX])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t raw[SHA256_DIGEST_SIZE];
	sha256_digest((struct sha256_ctx *)d->ctx, sizeof(raw), raw);
	memcpy(out, "sha256:", 7);
	for (size_t i = 0; i < sizeof(raw); i++) {
		out[7 + 2 * i] = hex[raw[i] >> 4];
		out[8 + 2 * i] = hex[raw[i] & 15];
	}
	out[7 + 2 * sizeof(raw)] = '\0';
}

void digest_sha256_buf(const void *buf, size_t n, char out[DIGEST_STR_MAX])
{
	struct digest_sha256 d;
	digest_sha256_init(&d);
	digest_sha256_update(&d, buf, n);
	digest_sha256_final(&d, out);
}

int digest_sha256_fd(int fd, const char *path, char out[DIGEST_STR_MAX], struct be_error **err)
{
	struct digest_sha256 d;
	digest_sha256_init(&d);
	char buf[64 * 1024];
	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return be_error_set(err, errno, "reading %s", path);
		if (r == 0)
			break;
		digest_sha256_update(&d, buf, (size_t)r);
	}
	digest_sha256_final(&d, out);
	return 0;
}

bool digest_valid(const char *s)
{
	if (s == NULL || strncmp(s, "sha256:", 7) != 0)
		return false;
	size_t i = 0;
	for (const char *p = s + 7; *p; p++, i++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return i == DIGEST_SHA256_HEX;
}
