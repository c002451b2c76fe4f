/* Benchmark of `berth image import` against its peer `tar -x` followed by
 * `sync -f` (syncfs of the filesystem extracted to: berth syncs exactly
 * that filesystem before it seals a layer, so this is like for like): a
 * generated ~200 MB, 20,000-file uncompressed tarball, extracted by both
 * into fresh directories of one filesystem, interleaved ABAB/BABA.
 *
 * Fairness: before each timing the tarball is read into the page cache and
 * the filesystem synced, so both start with the source cached and nothing
 * dirty.  Nothing is deleted until every round is timed: on ext4 without a
 * journal (this build machine) every inode allocation skips the inodes of
 * files deleted in the last 60 s (recently_deleted()), which made whichever
 * side ran after a deletion several times slower.  Each round is printed,
 * then the median ratio and its spread.  BENCH_ROUNDS sets the rounds
 * (default 7).
 *
 * Where: by default on a fresh ext4 made for the run (mkfs.ext4's
 * defaults, so with its journal, as most hosts have; inode tables written
 * at mkfs so no lazy init runs during the rounds) on a loop device of a
 * sparse file under /var/tmp, mounted in this process's own mount
 * namespace: no deletion by anyone else reaches it, and the mount, the
 * loop device and the file (unlinked once mounted) go with the process
 * however it ends.  BENCH_DIR=DIR runs on DIR's filesystem instead (the
 * host's, with whatever it has been through).  Everything made is
 * removed at the end.
 */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"

#define FILES 20000
#define DIRS 200
#define TOTAL_BYTES (200u * 1000 * 1000)
#define MAX_ROUNDS 25
static uint32_t rnd_state = 2463534242u;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* Writes the tarball: DIRS directories of FILES/DIRS files whose sizes
 * vary around the mean and add up to TOTAL_BYTES. */
static int make_tarball(const char *path)
{
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	if (archive_write_open_filename(a, path) != ARCHIVE_OK) {
		fprintf(stderr, "bench import: %s: %s\n", path, archive_error_string(a));
		archive_write_free(a);
		return -1;
	}
	static char buf[64 * 1024];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)rnd();
	size_t mean = TOTAL_BYTES / FILES, left = TOTAL_BYTES;
	struct archive_entry *e = archive_entry_new();
	for (int i = 0; i < FILES; i++) {
		char name[64];
		if (i % (FILES / DIRS) == 0) {
			archive_entry_clear(e);
			snprintf(name, sizeof(name), "d%03d", i / (FILES / DIRS));
			archive_entry_set_pathname(e, name);
			archive_entry_set_filetype(e, AE_IFDIR);
			archive_entry_set_perm(e, 0755);
			archive_write_header(a, e);
		}
		size_t size = i == FILES - 1 ? left : mean / 5 + rnd() % (mean * 8 / 5);
		if (size > left)
			size = left;
		left -= size;
		archive_entry_clear(e);
		snprintf(name, sizeof(name), "d%03d/f%05d", i / (FILES / DIRS), i);
		archive_entry_set_pathname(e, name);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)size);
		archive_write_header(a, e);
		for (size_t done = 0; done < size;) {
			size_t n = size - done < sizeof(buf) ? size - done : sizeof(buf);
			archive_write_data(a, buf, n);
			done += n;
		}
	}
	archive_entry_free(e);
	int r = archive_write_close(a) == ARCHIVE_OK ? 0 : -1;
	archive_write_free(a);
	return r;
}

/* Runs argv with stdout on /dev/null; 0 when it exits 0. */
static int run(const char *const argv[])
{
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	int status;
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench import: %s failed\n", argv[0]);
		return -1;
	}
	return 0;
}

static int sync_fs(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	int r = fd >= 0 ? syncfs(fd) : -1;
	if (fd >= 0)
		close(fd);
	return r;
}

/* Reads the whole file so that it sits in the page cache. */
static void warm(const char *path)
{
	static char buf[1 << 20];
	int fd = open(path, O_RDONLY);
	while (fd >= 0 && read(fd, buf, sizeof(buf)) > 0)
		;
	if (fd >= 0)
		close(fd);
}

static double secs_since(uint64_t t0)
{
	return (double)(util_now_ns() - t0) / 1e9;
}

/* The peer: tar -x into a fresh directory, then syncfs of its filesystem
 * (what `sync -f DIR` does).  *tx gets the tar -x part alone. */
static double time_tar(const char *work, const char *tar, int round, double *tx)
{
	char out[4096];
	snprintf(out, sizeof(out), "%s/tar%d", work, round);
	if (mkdir(out, 0755) < 0)
		return -1;
	const char *argv[] = {"/bin/tar", "-xf", tar, "-C", out, NULL};
	uint64_t t0 = util_now_ns();
	if (run(argv) < 0)
		return -1;
	*tx = secs_since(t0);
	if (sync_fs(out) < 0)
		return -1;
	return secs_since(t0);
}

static double time_berth(const char *berth, const char *root, const char *tar, int round)
{
	char name[32];
	snprintf(name, sizeof(name), "bench%d", round);
	const char *argv[] = {berth, "--root", root, "image", "import", "-q", name, tar, NULL};
	uint64_t t0 = util_now_ns();
	return run(argv) < 0 ? -1 : secs_since(t0);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(const double *v, int n)
{
	double s[MAX_ROUNDS];
	memcpy(s, v, (size_t)n * sizeof(*v));
	qsort(s, (size_t)n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* Round r: tar then berth on even rounds, berth then tar on odd ones. */
static int round_once(const char *work, const char *root, const char *tar, const char *berth, int r,
                      double *tt, double *tx, double *tb)
{
	for (int k = 0; k < 2; k++) {
		warm(tar);
		if (sync_fs(work) < 0)
			return -1;
		if ((k == 0) == (r % 2 == 0))
			*tt = time_tar(work, tar, r, tx);
		else
			*tb = time_berth(berth, root, tar, r);
	}
	return *tt < 0 || *tb < 0 ? -1 : 0;
}

static void report(const double *tt, const double *tb, int rounds)
{
	double ratio[MAX_ROUNDS], lo = 1e9, hi = 0;
	for (int i = 0; i < rounds; i++) {
		ratio[i] = tb[i] / tt[i];
		lo = ratio[i] < lo ? ratio[i] : lo;
		hi = ratio[i] > hi ? ratio[i] : hi;
	}
	double mb = TOTAL_BYTES / 1e6, mt = median(tt, rounds), mi = median(tb, rounds);
	printf("  median: tar -x + sync -f %6.2f s (%5.1f MB/s), berth %6.2f s (%5.1f MB/s)\n", mt,
	       mb / mt, mi, mb / mi);
	printf("  berth / (tar -x + sync -f): median %.2fx the time (rounds %.2f to %.2f)\n",
	       median(ratio, rounds), lo, hi);
}

/* Makes the fresh filesystem (see the top) for rounds rounds and mounts it
 * on work/fs; 0 or -1 (with a message). */
static int fresh_fs(const char *work, int rounds, char *mnt, size_t len)
{
	char img[4096], size[32], inodes[32];
	snprintf(img, sizeof(img), "%s/fs.img", work);
	snprintf(mnt, len, "%s/fs", work);
	/* Each round: two copies of the tar's files; then berth's records. */
	unsigned long long bytes =
	        (unsigned long long)(rounds * 2 + 1) * (TOTAL_BYTES / 1000000 + 40);
	snprintf(size, sizeof(size), "%lluM", bytes);
	snprintf(inodes, sizeof(inodes), "%d", (rounds * 2 + 1) * (FILES + DIRS + 1000));
	const char *mkfs[] = {"mkfs.ext4",
	                      "-q",
	                      "-F",
	                      "-N",
	                      inodes,
	                      "-E",
	                      "lazy_itable_init=0,lazy_journal_init=0",
	                      img,
	                      size,
	                      NULL};
	const char *mnt_argv[] = {"mount", "-o", "loop", img, mnt, NULL};
	if (mkdir(mnt, 0755) < 0 || run(mkfs) < 0)
		return -1;
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		perror("bench import: a private mount namespace");
		return -1;
	}
	int r = run(mnt_argv);
	unlink(img); /* the loop device holds it while mounted */
	return r;
}

int main(void)
{
	const char *berth = getenv("BERTH_BIN");
	if (berth == NULL || access(berth, X_OK) < 0)
		berth = "build/berth";
	const char *env = getenv("BENCH_ROUNDS");
	int rounds = env ? atoi(env) : 7;
	if (rounds < 1 || rounds > MAX_ROUNDS)
		rounds = 7;
	/* Not /tmp by default: there tests make and delete trees all the time,
	 * and allocation near recent deletions is slow (see above). */
	const char *base = getenv("BENCH_DIR");
	bool fresh = base == NULL || *base == '\0';
	char work[1024];
	snprintf(work, sizeof(work), "%s/berth-bench-XXXXXX", fresh ? "/var/tmp" : base);
	if (mkdtemp(work) == NULL) {
		perror("bench import: mkdtemp");
		return 1;
	}
	if (fresh && geteuid() != 0) {
		puts("bench import: a fresh filesystem needs root (or set BENCH_DIR); skipped");
		rmdir(work);
		return 0;
	}
	/* The tarball on the host's filesystem (read from the page cache);
	 * the extractions in out. */
	char tar[4096], root[4096], out[2048];
	snprintf(tar, sizeof(tar), "%s/bench.tar", work);
	snprintf(out, sizeof(out), "%s", work);
	int rc = make_tarball(tar);
	if (rc == 0 && fresh)
		rc = fresh_fs(work, rounds, out, sizeof(out));
	snprintf(root, sizeof(root), "%s/root", out);
	printf("import of a %.0f MB, %d-file tar into %s (%d rounds, ABAB/BABA):\n",
	       TOTAL_BYTES / 1e6, FILES, fresh ? "a fresh ext4 of its own" : work, rounds);
	double tt[MAX_ROUNDS], tx[MAX_ROUNDS], tb[MAX_ROUNDS];
	for (int r = 0; rc == 0 && r < rounds; r++) {
		rc = round_once(out, root, tar, berth, r, &tt[r], &tx[r], &tb[r]);
		if (rc == 0)
			printf("  round %d (%s first): tar -x %5.2f s + sync -f %5.2f s = %5.2f s, "
			       "berth %5.2f s: %.2fx\n",
			       r + 1, r % 2 ? "berth" : "tar", tx[r], tt[r] - tx[r], tt[r], tb[r],
			       tb[r] / tt[r]);
		fflush(stdout);
	}
	if (rc == 0)
		report(tt, tb, rounds);
	if (fresh && strcmp(out, work) != 0)
		umount2(out, MNT_DETACH); /* the namespace would at exit anyway */
	util_rm_rf(work, NULL);
	return rc == 0 ? 0 : 1;
}
