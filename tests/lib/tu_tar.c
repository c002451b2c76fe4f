/* The test tarball writer (tu_tar.h). */
#include <archive_entry.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "testutil.h"
#include "tu_tar.h"

/* Same bytes every run: a small linear congruential generator. */
static void write_random(struct archive *a, size_t size)
{
	unsigned x = 12345;
	char buf[4096];
	for (size_t done = 0; done < size;) {
		size_t n = size - done < sizeof(buf) ? size - done : sizeof(buf);
		for (size_t i = 0; i < n; i++) {
			x = x * 1103515245u + 12345u;
			buf[i] = (char)(x >> 16);
		}
		archive_write_data(a, buf, n);
		done += n;
	}
}

/* Sets the entry's type (and size, link or device); returns the data to
 * write after the header for H (the caller frees), else NULL. */
static char *describe(struct archive_entry *ae, const struct tu_tar_entry *e, size_t *len)
{
	char *data = NULL;
	*len = 0;
	switch (e->kind) {
	case 'f':
		archive_entry_set_filetype(ae, AE_IFREG);
		*len = strlen(e->arg);
		archive_entry_set_size(ae, (la_int64_t)*len);
		break;
	case 'F':
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_set_size(ae, (la_int64_t)e->size);
		break;
	case 'H': {
		int fd = open(e->arg, O_RDONLY | O_CLOEXEC);
		assert_true(fd >= 0);
		struct stat st;
		assert_int_equal(fstat(fd, &st), 0);
		data = tu_slurp_fd(fd);
		close(fd);
		*len = (size_t)st.st_size;
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_set_size(ae, st.st_size);
		break;
	}
	case 'd': archive_entry_set_filetype(ae, AE_IFDIR); break;
	case 'l':
		archive_entry_set_filetype(ae, AE_IFLNK);
		archive_entry_set_symlink(ae, e->arg);
		break;
	case 'h':
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_set_hardlink(ae, e->arg);
		break;
	case 'c':
	case 'b':
		archive_entry_set_filetype(ae, e->kind == 'c' ? AE_IFCHR : AE_IFBLK);
		archive_entry_set_rdev(ae, e->kind == 'c' ? makedev(1, 3) : makedev(8, 0));
		break;
	case 'p': archive_entry_set_filetype(ae, AE_IFIFO); break;
	default: fail_msg("tu_make_tar: unknown kind '%c'", e->kind);
	}
	return data;
}

void tu_make_tar(const char *path, int filter, const struct tu_tar_entry *e, size_t n)
{
	struct archive *a = archive_write_new();
	archive_write_add_filter(a, filter);
	archive_write_set_format_pax_restricted(a);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *ae = archive_entry_new();
		archive_entry_set_pathname(ae, e[i].path);
		archive_entry_set_mtime(ae, 1700000000, 0);
		size_t len;
		char *data = describe(ae, &e[i], &len);
		int mode = e[i].mode                                ? e[i].mode
		           : (e[i].kind == 'd' || e[i].kind == 'H') ? 0755
		                                                    : 0644;
		archive_entry_set_perm(ae, (mode_t)mode);
		assert_true(archive_write_header(a, ae) >= ARCHIVE_WARN);
		if (e[i].kind == 'f')
			assert_int_equal(archive_write_data(a, e[i].arg, len), (la_ssize_t)len);
		else if (e[i].kind == 'H')
			assert_int_equal(archive_write_data(a, data, len), (la_ssize_t)len);
		else if (e[i].kind == 'F')
			write_random(a, e[i].size);
		free(data);
		archive_entry_free(ae);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}
