/* Which accelerator VMs use, and what qemu costs beyond guest RAM: a probe
 * boot of a VM image's kernel with no disk (it panics at once and, with
 * -no-reboot, qemu exits).  KVM counts only when that boot ends in time:
 * nested KVM may open /dev/kvm and then hang (NOTES.md).  The result is
 * cached in ROOT/vm/accel.json. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vm/vm.h"
#include "store/store.h"

#define PROBE_KVM_MS 6000u  /* a working KVM reaches the panic in ~1 s */
#define PROBE_TCG_MS 60000u /* TCG on a loaded host: several seconds */
#define PROBE_RAM_MB 128
#define OVERHEAD_MARGIN (64ull << 20) /* TCG: its translation cache is capped at 64 MiB */

/* Some VM image's kernel, to probe with (caller frees). */
static char *any_kernel(const struct be_ctx *ctx, struct be_error **err)
{
	cleanup_free char *dir = ctx_path(ctx, "vmimages");
	cleanup_dir DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL) {
		struct vm_image im;
		if (!be_name_valid(de->d_name) || vm_image_load(ctx, de->d_name, &im, NULL) < 0)
			continue;
		char *k = xstrdup(im.kernel_path);
		vm_image_clear(&im);
		return k;
	}
	be_error_set(err, 0, "probing kvm: no vm image yet (make one with `berth vm image demo`)");
	return NULL;
}

/* qemu's memory beyond the guest's RAM now: its RSS less the Rss of the
 * guest RAM mapping (the anonymous mapping of exactly ram bytes), read from
 * /proc/PID/smaps.  0 when it cannot tell. */
static uint64_t own_rss(const struct be_ctx *ctx, pid_t pid, uint64_t ram)
{
	cleanup_free char *path = xasprintf("%s/%d/smaps", be_ctx_proc_root(ctx), (int)pid);
	cleanup_fclose FILE *f = fopen(path, "r");
	if (f == NULL)
		return 0;
	char line[512];
	uint64_t total = 0, guest = 0;
	bool in_guest = false;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long a, b, kb;
		if (sscanf(line, "%llx-%llx ", &a, &b) == 2 && strchr(line, ' ')) {
			in_guest = b - a == ram;
			continue;
		}
		if (sscanf(line, "Rss: %llu kB", &kb) == 1) {
			total += kb * 1024;
			if (in_guest)
				guest += kb * 1024;
		}
	}
	return total > guest ? total - guest : 0;
}

/* Boots kernel under accel; true when qemu ended by itself in time.
 * *overhead gets the most memory qemu held beyond guest RAM meanwhile. */
static bool probe(const struct be_ctx *ctx, const char *kernel, const char *accel,
                  unsigned timeout_ms, uint64_t *overhead)
{
	pid_t pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		char mem[16];
		snprintf(mem, sizeof(mem), "%d", PROBE_RAM_MB);
		execlp("qemu-system-x86_64", "qemu-system-x86_64", "-accel", accel, "-m", mem,
		       "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
		       "-serial", "null", "-kernel", kernel, "-append",
		       "console=ttyS0 panic=-1 quiet", (char *)NULL);
		_exit(127);
	}
	uint64_t deadline = util_now_ns() + timeout_ms * 1000000ull;
	int status = 0;
	*overhead = 0;
	for (;;) {
		uint64_t own = own_rss(ctx, pid, (uint64_t)PROBE_RAM_MB << 20);
		if (own > *overhead)
			*overhead = own;
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		if (util_now_ns() >= deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return false;
		}
		usleep(100000);
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int load_cache(const char *path, char accel[8], uint64_t *overhead)
{
	cleanup_json json_t *o = store_load(path, NULL);
	const char *a = json_string_value(json_object_get(o, "accel"));
	json_t *ov = json_object_get(o, "overhead");
	if (a == NULL || !json_is_integer(ov) || (strcmp(a, "kvm") && strcmp(a, "tcg")))
		return -1;
	snprintf(accel, 8, "%s", a);
	*overhead = (uint64_t)json_integer_value(ov);
	return 0;
}

static int probe_all(const struct be_ctx *ctx, const char *forced, char accel[8],
                     uint64_t *overhead, struct be_error **err)
{
	cleanup_free char *kernel = any_kernel(ctx, err);
	if (kernel == NULL)
		return -1;
	uint64_t rss = 0;
	bool kvm = false;
	if (forced == NULL || strcmp(forced, "kvm") == 0)
		kvm = access("/dev/kvm", R_OK | W_OK) == 0 &&
		      probe(ctx, kernel, "kvm", PROBE_KVM_MS, &rss);
	if (forced && strcmp(forced, "kvm") == 0 && !kvm)
		return be_error_set(err, 0,
		                    "BERTH_VM_ACCEL=kvm, but a probe boot under kvm failed");
	if (!kvm && !probe(ctx, kernel, "tcg,tb-size=64", PROBE_TCG_MS, &rss))
		return be_error_set(err, 0,
		                    "a probe boot of %s under tcg failed (is "
		                    "qemu-system-x86 installed?)",
		                    kernel);
	snprintf(accel, 8, "%s", kvm ? "kvm" : "tcg");
	/* qemu's own peak (RSS less the guest RAM mapping's); the margin
	 * covers devices, buffers and a translation cache still growing. */
	*overhead = rss + OVERHEAD_MARGIN;
	return 0;
}

int be_vm_accel(struct be_ctx *ctx, bool refresh, char accel[8], uint64_t *overhead,
                struct be_error **err)
{
	const char *forced = getenv("BERTH_VM_ACCEL");
	if (forced && *forced == '\0')
		forced = NULL;
	if (forced && strcmp(forced, "kvm") && strcmp(forced, "tcg"))
		return be_error_set(err, 0, "BERTH_VM_ACCEL must be kvm or tcg, not \"%s\"",
		                    forced);
	cleanup_free char *dir = ctx_path(ctx, "vm");
	cleanup_free char *path =
	        ctx_path(ctx, "vm/accel%s%s.json", forced ? "-" : "", forced ? forced : "");
	if (!refresh && load_cache(path, accel, overhead) == 0)
		return 0;
	/* Two clients probing at once both write the same answer. */
	if (probe_all(ctx, forced, accel, overhead, err) < 0)
		return -1;
	cleanup_json json_t *o =
	        json_pack("{s:s,s:I,s:I}", "accel", accel, "overhead", (json_int_t)*overhead,
	                  "probed", (json_int_t)(util_wall_ns() / 1000000000));
	if (util_mkdir_p(dir, 0700, err) < 0 || store_save(path, o, BE_STORE_DURABLE, err) < 0)
		return -1;
	return 0;
}
