/* Safe extraction's insides, shared by extract.c (the checks, the loops
 * over archives and directories, libarchive's writer) and extract_file.c
 * (regular files written directly).  Private to the image module. */
#ifndef BE_EXTRACT_INT_H
#define BE_EXTRACT_INT_H

#include <archive.h>
#include <archive_entry.h>

#include "image/extract.h"

#define READ_BLOCK (1u << 20) /* most files arrive in one piece */

/* One extraction: where it writes, what it has done, whom it tells. */
struct extract {
	int dir_fd; /* the layer directory */
	const struct be_extract_opts *opts;
	struct archive *in;
	bool in_is_disk;
	uint64_t start_ns;
	uint64_t data_bytes;  /* file data written */
	uint64_t next_report; /* data_bytes at which to call progress again */
	/* Writeback while extracting: kicked every FLUSH_STEP of data. */
	struct util_flusher *flusher;
	uint64_t next_flush;
	uint64_t entries;
	char *last; /* name of the last entry read, for errors */
	/* The parent directory the last check found whole (every component a
	 * real directory): tar entries come grouped by directory, so most
	 * entries need no fstatat at all.  Forgotten as soon as an entry
	 * names it or one of its components (that entry may replace it). */
	char *ok_parent;
	/* The directory regular files are created in, open (see
	 * parent_fd): -1 for none, or when it may have been replaced. */
	int parent_fd;
	char *parent_path;
	bool no_openat2; /* the kernel has none: libarchive writes all */
	/* What layer_count_dir would find, kept while every entry is known
	 * to have made a new name (exact false once one may have replaced or
	 * added other names). */
	int64_t size, files;
	bool exact;
};

/* Fails with 'entry "NAME": MESSAGE' about the entry being handled. */
__attribute__((format(printf, 4, 5))) int
extract_entry_fail(struct extract *x, struct be_error **err, int errnum, const char *fmt, ...);
/* libarchive's message for a, never NULL. */
const char *extract_arch_text(struct archive *a);
/* Calls the progress hook (done: the last call). */
void extract_report(struct extract *x, bool done);
/* Counts n more bytes of file data written: kicks the flusher every
 * FLUSH_STEP and calls the progress hook every PROGRESS_STEP. */
void extract_wrote(struct extract *x, uint64_t n);

/* Closes the kept parent directory (it may be replaced by the next entry). */
void extract_forget_parent(struct extract *x);
/* True when extract_write_file can write the entry: a plain regular file
 * whose metadata is owner, mode and times only. */
bool extract_simple_file(struct archive_entry *e);
/* Writes a checked simple file at path (normalised) with its data from
 * data_fd when >= 0, else from the archive.  Returns 1 when written and
 * counted, 0 when libarchive must write it (its parent is not there yet,
 * or the name is taken: a later entry replaces an earlier one), -1 on
 * failure (err set). */
int extract_write_file(struct extract *x, struct archive_entry *e, const char *path, int data_fd,
                       struct be_error **err);

#endif
