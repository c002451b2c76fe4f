/* Recordings of samples: JSON Lines written to a file, through zlib's gzip
 * writer when the name ends in ".gz".  zlib is linked statically: it is
 * small (~90 KB) and has no dependencies, so it costs the start path
 * nothing measurable, unlike a dlopen'ed libarchive writer. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "berth.h"
#include "be_metrics.h"
#include "base/util.h"

struct be_recorder {
	char *path;
	int fd;
	gzFile gz; /* NULL for a plain file */
	uint64_t lines;
};

static bool gz_name(const char *path)
{
	size_t n = strlen(path);
	return n > 3 && strcmp(path + n - 3, ".gz") == 0;
}

int be_recorder_open(const char *path, struct be_recorder **out, struct be_error **err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return be_error_set(err, errno, "opening recording %s", path);
	struct be_recorder *r = xcalloc(1, sizeof(*r));
	r->path = xstrdup(path);
	r->fd = fd;
	if (gz_name(path)) {
		/* gzdopen owns the fd from here (gzclose closes it). */
		r->gz = gzdopen(fd, "wb6");
		if (r->gz == NULL) {
			close(fd);
			free(r->path);
			free(r);
			return be_error_set(err, ENOMEM, "opening recording %s: gzip writer", path);
		}
		r->fd = -1;
	}
	*out = r;
	return 0;
}

int be_recorder_write(struct be_recorder *r, const char *data, size_t len, struct be_error **err)
{
	if (r->gz) {
		/* Each sample is flushed to a point a reader can decompress up
		 * to, so a recording cut by a crash keeps what was written. */
		if (len && (gzwrite(r->gz, data, (unsigned)len) != (int)len ||
		            gzflush(r->gz, Z_SYNC_FLUSH) != Z_OK)) {
			int zerr;
			const char *msg = gzerror(r->gz, &zerr);
			return be_error_set(err, zerr == Z_ERRNO ? errno : EIO,
			                    "writing recording %s: %s", r->path, msg);
		}
	} else {
		for (size_t off = 0; off < len;) {
			ssize_t n = write(r->fd, data + off, len - off);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return be_error_set(err, n < 0 ? errno : EIO,
				                    "writing recording %s", r->path);
			off += (size_t)n;
		}
	}
	r->lines++;
	return 0;
}

uint64_t be_recorder_count(const struct be_recorder *r)
{
	return r->lines;
}

int be_recorder_close(struct be_recorder *r, struct be_error **err)
{
	if (r == NULL)
		return 0;
	int rc = 0;
	if (r->gz) {
		int z = gzclose(r->gz);
		if (z != Z_OK)
			rc = be_error_set(err, z == Z_ERRNO ? errno : EIO,
			                  "closing recording %s: gzip error %d", r->path, z);
	} else if (r->fd >= 0) {
		if (fsync(r->fd) < 0 && errno != EINVAL)
			rc = be_error_set(err, errno, "closing recording %s", r->path);
		close(r->fd);
	}
	free(r->path);
	free(r);
	return rc;
}
