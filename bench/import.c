/* Benchmark of `berth image import`: a generated 200 MB, 20,000-file
 * uncompressed tarball, imported and extracted with `tar -x` in the same
 * run (three times each, interleaved; medians), printed as MB/s and ratios.
 * berth syncs the filesystem before it seals a layer, so `tar -x` followed
 * by syncfs is shown as well.  Everything made is removed. */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"

#define FILES 20000
#define DIRS 200
#define TOTAL_BYTES (200u * 1000 * 1000)
#define REPS 3

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

/* Runs argv; returns the wall time in seconds, or -1 on failure. */
static double run_timed(const char *const argv[])
{
	uint64_t t0 = util_now_ns();
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	int status;
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench import: %s failed\n", argv[0]);
		return -1;
	}
	return (double)(util_now_ns() - t0) / 1e9;
}

static void sync_fs(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		syncfs(fd);
		close(fd);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v)
{
	qsort(v, REPS, sizeof(*v), cmp_double);
	return v[REPS / 2];
}

/* One round: tar -x, tar -x + syncfs, berth image import; each starts
 * with no dirty data and an empty target. */
static int round_once(const char *work, const char *tar, const char *berth, int rep, double *t)
{
	char out[4096], root[4096], name[32];
	snprintf(out, sizeof(out), "%s/x", work);
	snprintf(root, sizeof(root), "%s/root", work);
	snprintf(name, sizeof(name), "bench%d", rep);
	const char *tar_argv[] = {"/bin/tar", "-xf", tar, "-C", out, NULL};
	for (int k = 0; k < 2; k++) {
		util_rm_rf(out, NULL);
		mkdir(out, 0755);
		sync_fs(work);
		uint64_t t0 = util_now_ns();
		if (run_timed(tar_argv) < 0)
			return -1;
		if (k == 1)
			sync_fs(out);
		t[k] = (double)(util_now_ns() - t0) / 1e9;
	}
	util_rm_rf(out, NULL);
	sync_fs(work);
	const char *imp_argv[] = {berth, "--root", root, "image", "import", "-q", name, tar, NULL};
	if ((t[2] = run_timed(imp_argv)) < 0)
		return -1;
	const char *rm_argv[] = {berth, "--root", root, "image", "rm", name, NULL};
	return run_timed(rm_argv) < 0 ? -1 : 0;
}

int main(void)
{
	const char *berth = getenv("BERTH_BIN");
	if (berth == NULL || access(berth, X_OK) < 0)
		berth = "build/berth";
	char work[] = "/tmp/berth-bench-XXXXXX";
	if (mkdtemp(work) == NULL) {
		perror("bench import: mkdtemp");
		return 1;
	}
	char tar[4096];
	snprintf(tar, sizeof(tar), "%s/bench.tar", work);
	int rc = make_tarball(tar);
	double t[3][REPS];
	for (int rep = 0; rc == 0 && rep < REPS; rep++) {
		double one[3];
		rc = round_once(work, tar, berth, rep, one);
		for (int k = 0; k < 3; k++)
			t[k][rep] = one[k];
	}
	if (rc == 0) {
		double mb = TOTAL_BYTES / 1e6, tx = median(t[0]), ts = median(t[1]),
		       bi = median(t[2]);
		printf("import of a %.0f MB, %d-file tar (medians of %d, interleaved):\n", mb,
		       FILES, REPS);
		printf("  tar -x               %6.2f s  %7.1f MB/s\n", tx, mb / tx);
		printf("  tar -x + syncfs      %6.2f s  %7.1f MB/s\n", ts, mb / ts);
		printf("  berth image import   %6.2f s  %7.1f MB/s\n", bi, mb / bi);
		printf("  berth / tar -x: %.2fx the time; berth / (tar -x + syncfs): %.2fx\n",
		       bi / tx, bi / ts);
	}
	util_rm_rf(work, NULL);
	return rc == 0 ? 0 : 1;
}
