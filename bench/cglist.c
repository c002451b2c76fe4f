/* Benchmark of cg_list (issue 11): the names of 1,000 cgroups under a
 * root's parent, listed in every controller and de-duplicated, as ps and
 * every TUI refresh do.  Against a floor (readdir of the same directories,
 * no de-duplication) and the quadratic search per name it replaced.  The
 * cgroups are made under this program's own root's parent and removed, also
 * on failure. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "cgroup/cgroup.h"

#define NCG 1000
#define ROUNDS 20

static struct be_ctx *ctx;
static size_t made;
static char root[64];

static void cleanup(void)
{
	for (size_t i = 0; i < made; i++) {
		char name[32];
		snprintf(name, sizeof(name), "b%zu", i);
		cg_destroy(ctx, name, NULL);
	}
	if (ctx)
		be_ctx_free(ctx);
	if (root[0])
		util_rm_rf(root, NULL);
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Every valid name of every controller directory (duplicates kept). */
static char **read_all(char **dirs, size_t ndirs, size_t *n)
{
	char **v = NULL;
	*n = 0;
	for (size_t i = 0; i < ndirs; i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *de;
		while (d && (de = readdir(d)) != NULL)
			if (de->d_type == DT_DIR && be_name_valid(de->d_name))
				cg_strv_add(&v, n, xstrdup(de->d_name));
		if (d)
			closedir(d);
	}
	return v;
}

/* The de-duplication cg_list did before: a search of the kept names for
 * each name read. */
static size_t quadratic(char **all, size_t n)
{
	char **kept = xcalloc(n + 1, sizeof(*kept));
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		bool seen = false;
		for (size_t j = 0; j < k && !seen; j++)
			seen = strcmp(kept[j], all[i]) == 0;
		if (!seen)
			kept[k++] = all[i];
	}
	free(kept);
	return k;
}

int main(void)
{
	if (getuid() != 0) {
		fprintf(stderr, "cglist: needs root (it makes cgroups)\n");
		return 0;
	}
	snprintf(root, sizeof(root), "/tmp/berth-bench-XXXXXX");
	if (mkdtemp(root) == NULL)
		return 1;
	atexit(cleanup);
	struct be_ctx_opts o = {.root = root};
	struct be_error *err = NULL;
	if (be_ctx_open(&o, &ctx, &err) < 0) {
		fprintf(stderr, "cglist: %s\n", err->msg);
		return 1;
	}
	struct be_limits lim = {0};
	for (; made < NCG; made++) {
		char name[32];
		snprintf(name, sizeof(name), "b%zu", made);
		if (cg_create(ctx, name, &lim, &err) < 0) {
			fprintf(stderr, "cglist: %s\n", err->msg);
			return 1;
		}
	}
	char **dirs = NULL;
	size_t ndirs = 0;
	if (cg_paths(ctx, "b0", &dirs, &ndirs, &err) < 0) {
		fprintf(stderr, "cglist: %s\n", err->msg);
		return 1;
	}
	/* The parent directories: each path without "controller:" and "/b0". */
	for (size_t i = 0; i < ndirs; i++) {
		char *p = xstrdup(strchr(dirs[i], ':') + 1);
		*strrchr(p, '/') = '\0';
		free(dirs[i]);
		dirs[i] = p;
	}
	double t_list = 1e30, t_floor = 1e30, t_quad = 1e30;
	size_t names = 0, total = 0;
	for (int r = 0; r < ROUNDS; r++) {
		double t0 = now_ms();
		char **v = NULL;
		size_t n = 0;
		if (cg_list(ctx, &v, &n, &err) < 0)
			return 1;
		double t1 = now_ms();
		char **all = read_all(dirs, ndirs, &total);
		double t2 = now_ms();
		size_t k = quadratic(all, total);
		double t3 = now_ms();
		if (k != n || n < NCG) {
			fprintf(stderr, "cglist: %zu names listed, %zu by the search\n", n, k);
			return 1;
		}
		names = n;
		cg_strv_free(v);
		cg_strv_free(all);
		t_list = t1 - t0 < t_list ? t1 - t0 : t_list;
		t_floor = t2 - t1 < t_floor ? t2 - t1 : t_floor;
		t_quad = (t3 - t2) + (t2 - t1) < t_quad ? (t3 - t2) + (t2 - t1) : t_quad;
	}
	cg_strv_free(dirs);
	printf("cg_list of %zu cgroups in %zu controller dirs (%zu entries), best of %d:\n", names,
	       ndirs, total, ROUNDS);
	printf("  cg_list (sort + unique)       %8.2f ms  (%.2f x the readdir floor)\n", t_list,
	       t_list / t_floor);
	printf("  readdir floor (no de-dup)     %8.2f ms\n", t_floor);
	printf("  readdir + quadratic search    %8.2f ms  (%.2f x the floor; cg_list is %.1f x "
	       "faster)\n",
	       t_quad, t_quad / t_floor, t_quad / t_list);
	return 0;
}
