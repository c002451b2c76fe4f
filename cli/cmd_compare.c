/* berth compare CONTAINER VM: the two kinds of instance side by side, from
 * live readings: whose kernel, what the host sees, what memory the host
 * pays (and what the guest thinks it has), start time, snapshot cost. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <time.h>

#include "cli.h"

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static const struct be_item *find_item(const struct be_monitor *mon, enum be_kind kind,
                                       const char *name)
{
	for (size_t i = 0; i < be_monitor_count(mon); i++) {
		const struct be_item *it = be_monitor_item(mon, i);
		if (it->kind == kind && strcmp(it->name, name) == 0)
			return it;
	}
	return NULL;
}

/* Starts a throwaway container of image running `true`: start to exit. */
static double container_start_ms(struct be_ctx *ctx, const char *image)
{
	char *cmd[] = {(char *)"true", NULL};
	struct be_container_spec spec = {.image = image, .cmd = cmd, .auto_remove = true};
	char name[BE_NAME_MAX + 1];
	struct be_error *err = NULL;
	uint64_t t0 = now_ns();
	if (be_container_create(ctx, &spec, name, &err) < 0) {
		be_error_free(err);
		return -1;
	}
	struct be_start_opts o = {
	        .attach = true, .in_fd = -1, .out_fd = -1, .err_fd = -1, .console_fd = -1};
	if (be_container_start(ctx, name, &o, &err) < 0) {
		be_error_free(err);
		be_container_remove(ctx, name, true, NULL);
		return -1;
	}
	char buf[16];
	while (read(o.exit_fd, buf, sizeof(buf)) > 0)
		;
	close(o.exit_fd);
	return (double)(now_ns() - t0) / 1e6;
}

static void row(const char *what, const char *ct, const char *vm)
{
	printf("%-22s %-42s %s\n", what, ct, vm);
}

static void sizes(char *buf, size_t len, uint64_t a, const char *sep, uint64_t b)
{
	char x[32], y[32];
	snprintf(buf, len, "%s%s%s", be_format_size(a, x, sizeof(x)), sep,
	         be_format_size(b, y, sizeof(y)));
}

static void print_table(struct be_ctx *ctx, const char *ct, const char *vmn,
                        const struct be_item *ci, const struct be_item *vi,
                        const struct be_vm_details *vd, const struct be_vm_guest *g,
                        const char *image, bool snap)
{
	struct utsname u;
	uname(&u);
	char a[128], b[160], m1[32];
	printf("%-22s %-42s %s\n", "", ct, vmn);
	snprintf(a, sizeof(a), "shared: the host's %s", u.release);
	snprintf(b, sizeof(b), "own: %s", g->kernel[0] ? g->kernel : "(not reported yet)");
	row("kernel", a, b);
	snprintf(a, sizeof(a), "%zu process%s", ci->npids, ci->npids == 1 ? "" : "es");
	snprintf(b, sizeof(b), "1 qemu process, %u threads (%u vCPU)", vi->vm.threads,
	         vi->vm.vcpu_threads ? vi->vm.vcpu_threads : vd->vcpus);
	row("what the host sees", a, b);
	snprintf(a, sizeof(a), "%s (cgroup usage)",
	         be_format_size(ci->cur.mem_bytes, m1, sizeof(m1)));
	sizes(b, sizeof(b), vi->vm.rss_bytes, " qemu RSS, cgroup ", vi->cur.mem_bytes);
	row("memory the host pays", a, b);
	if (g->mem_total) {
		sizes(b, sizeof(b), g->mem_total - g->mem_available, " used of ", g->mem_total);
		row("memory the guest sees", "(the host's, limited by its cgroup)", b);
	}
	double cms = container_start_ms(ctx, image);
	if (cms >= 0)
		snprintf(a, sizeof(a), "%.1f ms (run --rm %s true, now)", cms, image);
	else
		snprintf(a, sizeof(a), "(could not start one)");
	snprintf(b, sizeof(b), "%.0f ms (boot to the init's command, last start)",
	         (double)vd->boot_ns / 1e6);
	row("start time", a, b);
	if (!snap) {
		row("snapshot cost", "(berth compare --snapshot measures it)", "");
		return;
	}
	char sname[64];
	snprintf(sname, sizeof(sname), "compare-%lld", (long long)time(NULL));
	struct be_snapshot_taken t;
	struct be_vm_snapshot_taken vt;
	struct be_error *err = NULL;
	uint64_t t0 = now_ns();
	int r = be_snapshot_take(ctx, ct, sname, &t, &err);
	double cs = (double)(now_ns() - t0) / 1e6;
	be_error_clear(&err);
	t0 = now_ns();
	int vr = be_vm_snapshot(ctx, vmn, sname, &vt, &err);
	double vs = (double)(now_ns() - t0) / 1e6;
	be_error_clear(&err);
	if (r < 0)
		snprintf(a, sizeof(a), "(failed)");
	else if (t.live)
		snprintf(a, sizeof(a), "%.1f ms (live; frozen %.1f ms)", cs,
		         (double)t.frozen_ns / 1e6);
	else
		snprintf(a, sizeof(a), "%.1f ms (the upper sealed)", cs);
	if (vr < 0)
		snprintf(b, sizeof(b), "(failed)");
	else
		snprintf(b, sizeof(b), "%.1f ms (%s %.1f ms)", vs,
		         vt.live ? "live; QMP blockdev-snapshot-sync" : "qemu-img overlay",
		         (double)vt.took_ns / 1e6);
	row("snapshot cost", a, b);
}

static int cmd_compare(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	const char *ct = a->argv[0], *vmn = a->argv[1];
	struct be_error *err = NULL;
	struct be_container_info info;
	if (be_container_get(ctx, ct, &info, &err) < 0)
		return cli_fail(err);
	char image[BE_NAME_MAX + 1];
	snprintf(image, sizeof(image), "%s", info.image);
	be_container_info_clear(&info);
	struct be_vm_details vd;
	if (be_vm_inspect(ctx, vmn, &vd, &err) < 0)
		return cli_fail(err);
	struct be_vm_guest g;
	if (be_vm_guest_view(ctx, vmn, &g, &err) < 0) {
		be_vm_details_clear(&vd);
		return cli_fail(err);
	}
	struct be_monitor *mon = be_monitor_new(ctx, NULL, &err);
	int rc = 0;
	if (mon == NULL || be_monitor_refresh(mon, &err) < 0) {
		rc = cli_fail(err);
	} else {
		const struct be_item *ci = find_item(mon, BE_KIND_BERTH, ct);
		const struct be_item *vi = find_item(mon, BE_KIND_VM, vmn);
		if (ci == NULL)
			rc = cli_failf("container %s is not running", ct);
		else if (vi == NULL || !vi->is_vm)
			rc = cli_failf("vm %s is not running", vmn);
		else
			print_table(ctx, ct, vmn, ci, vi, &vd, &g, image, cli_flag(a, "snapshot"));
	}
	be_monitor_free(mon);
	be_vm_details_clear(&vd);
	return rc;
}

static const struct be_option compare_opts[] = {
        {"snapshot", 0, BE_OPT_FLAG, NULL, "take a snapshot of each (compare-TIME) to time it"},
        {0},
};

const struct cli_command cli_cmds_compare[] = {
        {.name = "compare",
         .args = "CONTAINER VM",
         .summary = "a running container and a running vm side by side, from live readings",
         .details = "Kernel (shared or own), what the host sees (processes, or one qemu with\n"
                    "vCPU threads), memory the host pays against what the guest sees, start\n"
                    "time (a throwaway container now; the vm's last boot) and, with\n"
                    "--snapshot, the cost of a snapshot of each.",
         .min_args = 2,
         .max_args = 2,
         .options = compare_opts,
         .run = cmd_compare},
        {0},
};
