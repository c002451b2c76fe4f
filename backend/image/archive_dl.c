/* libarchive, loaded on first use.  Linking it pulls in libxml2, ICU and
 * libstdc++, which made every berth command (`run` included) 2.5 ms slower
 * to start, while only `image import` reads archives.  So berth does not
 * link libarchive: this file defines the libarchive functions the backend
 * uses, each forwarding to the real one, found with dlsym in the library
 * opened at the first call.  When the library cannot be opened, the
 * constructors (archive_read_new, archive_write_disk_new, archive_entry_new)
 * return NULL, which their callers already treat as an error; nothing else
 * is reachable without an object from them.  Add a line here when the
 * backend calls a new libarchive function (the link fails until then). */
#include <archive.h>
#include <archive_entry.h>
#include <dlfcn.h>
#include <stdlib.h>

static void *lib(void)
{
	static void *handle;
	static const char *const names[] = {"libarchive.so.13", "libarchive.so"};
	for (size_t i = 0; handle == NULL && i < sizeof(names) / sizeof(names[0]); i++)
		handle = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	return handle;
}

static void *sym(const char *name)
{
	void *h = lib();
	void *f = h ? dlsym(h, name) : NULL;
	/* Reached only through an object the library made, so it is loaded;
	 * a missing symbol means a libarchive too old for berth. */
	if (f == NULL)
		abort();
	return f;
}

/* A forwarder for a function returning a value, and one returning void. */
#define FWD(ret, name, params, args)                                                               \
	ret name params                                                                            \
	{                                                                                          \
		static ret(*fn) params;                                                            \
		if (fn == NULL)                                                                    \
			*(void **)&fn = sym(#name);                                                \
		return fn args;                                                                    \
	}
#define FWD_VOID(name, params, args)                                                               \
	void name params                                                                           \
	{                                                                                          \
		static void(*fn) params;                                                           \
		if (fn == NULL)                                                                    \
			*(void **)&fn = sym(#name);                                                \
		fn args;                                                                           \
	}
/* Constructors: NULL when the library is not there. */
#define FWD_NEW(ret, name)                                                                         \
	ret *name(void)                                                                            \
	{                                                                                          \
		if (lib() == NULL)                                                                 \
			return NULL;                                                               \
		static ret *(*fn)(void);                                                           \
		if (fn == NULL)                                                                    \
			*(void **)&fn = sym(#name);                                                \
		return fn();                                                                       \
	}

FWD_NEW(struct archive, archive_read_new)
FWD_NEW(struct archive, archive_write_disk_new)
FWD_NEW(struct archive_entry, archive_entry_new)
FWD_NEW(struct archive, archive_write_new)

FWD(int, archive_read_support_format_all, (struct archive * a), (a))
FWD(int, archive_read_support_filter_all, (struct archive * a), (a))
FWD(int, archive_read_open_fd, (struct archive * a, int fd, size_t bs), (a, fd, bs))
FWD(int, archive_read_open,
    (struct archive * a, void *data, archive_open_callback *o, archive_read_callback *r,
     archive_close_callback *c),
    (a, data, o, r, c))
FWD_VOID(archive_set_error, (struct archive * a, int n, const char *fmt, ...), (a, n, "%s", fmt))
FWD(int, archive_format, (struct archive * a), (a))
FWD(int, archive_read_next_header, (struct archive * a, struct archive_entry **e), (a, e))
FWD(int, archive_read_free, (struct archive * a), (a))
FWD(int, archive_read_data_block,
    (struct archive * a, const void **buff, size_t *size, la_int64_t *offset),
    (a, buff, size, offset))
FWD(la_int64_t, archive_filter_bytes, (struct archive * a, int n), (a, n))
FWD(const char *, archive_error_string, (struct archive * a), (a))
FWD(int, archive_write_header, (struct archive * a, struct archive_entry *e), (a, e))
FWD(int, archive_write_free, (struct archive * a), (a))
FWD(int, archive_write_finish_entry, (struct archive * a), (a))
FWD(int, archive_write_disk_set_options, (struct archive * a, int flags), (a, flags))
FWD(la_ssize_t, archive_write_data_block,
    (struct archive * a, const void *buf, size_t n, la_int64_t off), (a, buf, n, off))
FWD(la_ssize_t, archive_write_data, (struct archive * a, const void *buf, size_t n), (a, buf, n))
FWD(int, archive_write_close, (struct archive * a), (a))
/* Writers (registry/export.c: a layer as a tar). */
FWD(int, archive_write_set_format_pax_restricted, (struct archive * a), (a))
FWD(int, archive_write_set_bytes_in_last_block, (struct archive * a, int n), (a, n))
FWD(int, archive_write_open,
    (struct archive * a, void *data, archive_open_callback *o, archive_write_callback *w,
     archive_close_callback *c),
    (a, data, o, w, c))

FWD(int, archive_entry_xattr_reset, (struct archive_entry * e), (e))
FWD(int, archive_entry_xattr_next,
    (struct archive_entry * e, const char **name, const void **value, size_t *size),
    (e, name, value, size))
FWD_VOID(archive_entry_xattr_add_entry,
         (struct archive_entry * e, const char *name, const void *value, size_t size),
         (e, name, value, size))
FWD_VOID(archive_entry_xattr_clear, (struct archive_entry * e), (e))
FWD(const char *, archive_entry_pathname, (struct archive_entry * e), (e))
FWD(const char *, archive_entry_symlink, (struct archive_entry * e), (e))
FWD(const char *, archive_entry_hardlink, (struct archive_entry * e), (e))
FWD(__LA_MODE_T, archive_entry_filetype, (struct archive_entry * e), (e))
FWD(la_int64_t, archive_entry_size, (struct archive_entry * e), (e))
FWD(struct archive_entry *, archive_entry_clone, (struct archive_entry * e), (e))
FWD_VOID(archive_entry_free, (struct archive_entry * e), (e))
FWD_VOID(archive_entry_copy_pathname, (struct archive_entry * e, const char *p), (e, p))
FWD_VOID(archive_entry_copy_hardlink, (struct archive_entry * e, const char *p), (e, p))
FWD_VOID(archive_entry_copy_symlink, (struct archive_entry * e, const char *p), (e, p))
FWD_VOID(archive_entry_copy_stat, (struct archive_entry * e, const struct stat *st), (e, st))
FWD_VOID(archive_entry_set_size, (struct archive_entry * e, la_int64_t n), (e, n))
FWD_VOID(archive_entry_set_fflags,
         (struct archive_entry * e, unsigned long set, unsigned long clear), (e, set, clear))
FWD_VOID(archive_entry_fflags, (struct archive_entry * e, unsigned long *set, unsigned long *clear),
         (e, set, clear))
/* The fast path for regular files (extract_file.c). */
FWD(int, archive_entry_xattr_count, (struct archive_entry * e), (e))
FWD(int, archive_entry_acl_types, (struct archive_entry * e), (e))
FWD(int, archive_entry_sparse_count, (struct archive_entry * e), (e))
FWD(int, archive_entry_size_is_set, (struct archive_entry * e), (e))
FWD(la_int64_t, archive_entry_uid, (struct archive_entry * e), (e))
FWD(la_int64_t, archive_entry_gid, (struct archive_entry * e), (e))
FWD(__LA_MODE_T, archive_entry_perm, (struct archive_entry * e), (e))
FWD(time_t, archive_entry_atime, (struct archive_entry * e), (e))
FWD(long, archive_entry_atime_nsec, (struct archive_entry * e), (e))
FWD(int, archive_entry_atime_is_set, (struct archive_entry * e), (e))
FWD(time_t, archive_entry_mtime, (struct archive_entry * e), (e))
FWD(long, archive_entry_mtime_nsec, (struct archive_entry * e), (e))
FWD(int, archive_entry_mtime_is_set, (struct archive_entry * e), (e))
