/* Helpers of the fuzz targets (see fuzz.h), linked into each of them. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "fuzz.h"

char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

static char dir[64];

static void remove_dir(void)
{
	if (dir[0])
		util_rm_rf(dir, NULL);
}

const char *fuzz_dir(void)
{
	if (dir[0] == '\0') {
		/* tmpfs when there is one: the targets that write files run
		 * faster there. */
		struct stat st;
		const char *base =
		        stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm" : "/tmp";
		snprintf(dir, sizeof(dir), "%s/berth-fuzz-XXXXXX", base);
		if (mkdtemp(dir) == NULL)
			abort();
		atexit(remove_dir);
	}
	return dir;
}

void fuzz_write(const char *path, const uint8_t *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		abort();
	for (size_t off = 0; off < size;) {
		ssize_t w = write(fd, data + off, size - off);
		if (w <= 0)
			abort();
		off += (size_t)w;
	}
	close(fd);
}

void fuzz_rm(const char *path)
{
	util_rm_rf(path, NULL);
}
