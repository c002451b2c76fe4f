/* Commands of the image family: image import, ls, inspect, rm, demo; the
 * import progress line on stderr. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define PROGRESS_EVERY_NS 100000000ull /* ~10 Hz */
#define BAR_WIDTH 24

/* ---- progress -------------------------------------------------------------- */

struct progress {
	uint64_t last_ns;
	bool shown;
};

static void show_progress(const struct be_import_progress *p, void *data)
{
	struct progress *s = data;
	if (s->shown && !p->done && p->elapsed_ns - s->last_ns < PROGRESS_EVERY_NS)
		return;
	s->last_ns = p->elapsed_ns;
	s->shown = true;
	char done[32], total[32], rate[32];
	double secs = (double)p->elapsed_ns / 1e9;
	be_format_size(p->bytes, done, sizeof(done));
	be_format_size(secs > 0 ? (uint64_t)((double)p->bytes / secs) : 0, rate, sizeof(rate));
	fputc('\r', stderr);
	if (p->total > 0) {
		uint64_t pct = p->bytes >= p->total ? 100 : p->bytes * 100 / p->total;
		int fill = (int)(pct * BAR_WIDTH / 100);
		fprintf(stderr, "[%.*s%*s] %3" PRIu64 "%% %s / %s", fill,
		        "########################", BAR_WIDTH - fill, "", pct, done,
		        be_format_size(p->total, total, sizeof(total)));
	} else {
		fprintf(stderr, "%s read", done);
	}
	fprintf(stderr, ", %" PRIu64 " entries, %s/s\033[K", p->entries, rate);
	fflush(stderr);
}

/* ---- helpers ------------------------------------------------------------------- */

/* "3 hours ago" for recent images, the date for those older than two weeks. */
static void format_created(int64_t created, char *buf, size_t len)
{
	int64_t d = (int64_t)time(NULL) - created;
	if (d >= 14 * 86400) {
		time_t t = (time_t)created;
		struct tm tm;
		localtime_r(&t, &tm);
		strftime(buf, len, "%Y-%m-%d", &tm);
		return;
	}
	char ago[48];
	snprintf(buf, len, "%s ago", be_format_duration(d, ago, sizeof(ago)));
}

static int print_json(char *text)
{
	puts(text);
	free(text);
	return 0;
}

/* ---- commands ------------------------------------------------------------------ */

static int cmd_import(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	bool quiet = cli_flag(a, "quiet");
	struct progress state = {0};
	struct be_import_opts opts = {.replace = cli_flag(a, "force")};
	if (!quiet && cli_isatty(2)) {
		opts.progress = show_progress;
		opts.progress_data = &state;
	}
	struct be_error *err = NULL;
	int r = be_image_import(ctx, a->argv[0], a->argv[1], &opts, &err);
	if (state.shown)
		fputc('\n', stderr);
	if (r < 0)
		return cli_fail(err);
	if (!quiet)
		puts(a->argv[0]);
	return 0;
}

static void print_table(const struct be_image_info *v, size_t n)
{
	int w = 4, rw = 10, tw = 3;
	for (size_t i = 0; i < n; i++) {
		if ((int)strlen(v[i].name) > w)
			w = (int)strlen(v[i].name);
		if ((int)strlen(v[i].repository) > rw)
			rw = (int)strlen(v[i].repository);
		if ((int)strlen(v[i].tag) > tw)
			tw = (int)strlen(v[i].tag);
	}
	printf("%-*s  %-*s  %-*s  %-19s  %-12s  %6s  %10s  %s\n", w, "NAME", rw, "REPOSITORY", tw,
	       "TAG", "DIGEST", "ID", "LAYERS", "SIZE", "CREATED");
	for (size_t i = 0; i < n; i++) {
		char size[32], created[48], digest[20];
		be_format_size(v[i].size > 0 ? (uint64_t)v[i].size : 0, size, sizeof(size));
		format_created(v[i].created, created, sizeof(created));
		/* "sha256:" and 12 hex, as docker's --digests is cut. */
		snprintf(digest, sizeof(digest), "%.19s", v[i].digest[0] ? v[i].digest : "-");
		printf("%-*s  %-*s  %-*s  %-19s  %-12s  %6zu  %10s  %s\n", w, v[i].name, rw,
		       v[i].repository[0] ? v[i].repository : "-", tw, v[i].tag[0] ? v[i].tag : "-",
		       digest, v[i].top, v[i].n_layers, size, created);
	}
}

static int cmd_ls(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	struct be_error *err = NULL;
	if (cli_flag(a, "json")) {
		char *text = NULL;
		if (be_image_list_json(ctx, &text, &err) < 0)
			return cli_fail(err);
		return print_json(text);
	}
	struct be_image_info *v = NULL;
	size_t n = 0;
	if (be_image_list(ctx, &v, &n, &err) < 0)
		return cli_fail(err);
	if (cli_flag(a, "quiet"))
		for (size_t i = 0; i < n; i++)
			puts(v[i].name);
	else
		print_table(v, n);
	be_image_list_free(v, n);
	return 0;
}

static int cmd_inspect(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	struct be_error *err = NULL;
	char *text = NULL;
	if (be_image_inspect_json(ctx, a->argv[0], &text, &err) < 0)
		return cli_fail(err);
	return print_json(text);
}

static int cmd_rm(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	int rc = 0;
	for (int i = 0; i < a->argc; i++) {
		struct be_error *err = NULL;
		if (be_image_remove(ctx, a->argv[i], &err) < 0)
			rc = cli_fail(err);
		else
			puts(a->argv[i]);
	}
	return rc;
}

static int cmd_demo(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	const char *name = a->argc > 0 ? a->argv[0] : "demo";
	struct be_error *err = NULL;
	if (be_image_demo(ctx, name, &err) < 0)
		return cli_fail(err);
	if (!cli_flag(a, "quiet"))
		puts(name);
	return 0;
}

static const struct be_option import_opts[] = {
        {"force", 'f', BE_OPT_FLAG, NULL, "replace an image of the same name"},
        {"quiet", 'q', BE_OPT_FLAG, NULL, "no progress on stderr, no name on stdout"},
        {0},
};

static const struct be_option ls_opts[] = {
        {"json", 0, BE_OPT_FLAG, NULL, "print a JSON array (name, id, layers, size, files, ...)"},
        {"quiet", 'q', BE_OPT_FLAG, NULL, "print names only"},
        {0},
};

static const struct be_option demo_opts[] = {
        {"quiet", 'q', BE_OPT_FLAG, NULL, "print nothing on success"},
        {0},
};

const struct cli_command cli_cmds_image[] = {
        {.name = "image import",
         .args = "NAME SOURCE",
         .summary = "import a rootfs tarball or directory as image NAME",
         .details = "SOURCE is a tarball (plain, gzip, xz, zstd, bzip2, ...: anything libarchive\n"
                    "reads), - for standard input, or a directory (copied with modes, owners,\n"
                    "symlinks, hard links and xattrs).  The image is one new layer, but\n"
                    "an archive made by `docker save` or `podman save`, or an OCI image\n"
                    "layout tarball, becomes one layer per image layer (whiteouts kept)\n"
                    "with the image's command, environment and working directory.\n"
                    "Refused, naming the entry: absolute paths, \"..\", writing through a\n"
                    "symlink, symlinks or hard links pointing out of the layer, device nodes.\n"
                    "A failed import leaves nothing behind.  On a terminal, progress (bytes,\n"
                    "entries, rate; a bar when the size is known) is shown on stderr.",
         .min_args = 2,
         .max_args = 2,
         .options = import_opts,
         .run = cmd_import},
        {.name = "image ls",
         .args = "",
         .summary = "list images (name, repository, tag, digest, id, layers, size, created)",
         .details = "SIZE is the apparent size of the files in all the image's layers.",
         .min_args = 0,
         .max_args = 0,
         .options = ls_opts,
         .run = cmd_ls},
        {.name = "image inspect",
         .args = "NAME",
         .summary = "show an image's record and its layers as JSON",
         .min_args = 1,
         .max_args = 1,
         .run = cmd_inspect},
        {.name = "image rm",
         .args = "NAME...",
         .summary = "remove images",
         .details = "Layers that no other image, container or snapshot uses are deleted.\n"
                    "Refused while a container was created from the image.",
         .min_args = 1,
         .max_args = -1,
         .run = cmd_rm},
        {.name = "image demo",
         .args = "[NAME]",
         .summary = "make the demo image from the host's busybox-static",
         .details = "Builds image NAME (default demo) from /bin/busybox with its applet links\n"
                    "(sh, ls, cat, ps, top, ...) and a minimal /etc.  Kept as it is when it was\n"
                    "already built from the same busybox; rebuilt otherwise.",
         .min_args = 0,
         .max_args = 1,
         .options = demo_opts,
         .run = cmd_demo},
        {0},
};
