/* VM images: ROOT/vmimages/NAME/ holds the kernel (vmlinuz), the read-only
 * qcow2 base (disk.qcow2) and image.json.  The demo image is made offline
 * from the demo container image's busybox userland and berth's guest init
 * (an ext4 disk made with mke2fs -d, no loop mount) and Debian's cloud
 * kernel from a cache (scripts/fetch-kernel.sh fills it). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vm/vm.h"
#include "image/image.h"
#include "store/store.h"

#define DEMO_DISK_SIZE "1G" /* sparse: the qcow2 base holds only what is used */

/* berth's init for demo VMs: mounts, runs berth.cmd (or a shell) on the
 * serial console, prints the exit marker the keeper waits for, powers
 * off.  The ACPI power button (berth vm stop) ends it with 143. */
static const char init_script[] =
        "#!/bin/sh\n"
        "# berth's guest init (made by berth vm image demo)\n"
        "export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root TERM=vt100\n"
        "mount -t proc proc /proc\n"
        "mount -t sysfs sys /sys\n"
        "mount -t devtmpfs dev /dev\n"
        "mkdir -p /dev/pts /dev/shm\n"
        "mount -t devpts devpts /dev/pts\n"
        "mount -t tmpfs tmp /tmp\n"
        "for a in $(cat /proc/cmdline); do\n"
        "\tcase \"$a\" in\n"
        "\tberth.name=*) name=${a#berth.name=} ;;\n"
        "\tberth.token=*) tok=${a#berth.token=} ;;\n"
        "\tberth.cmd=*) cmd=${a#berth.cmd=} ;;\n"
        "\tesac\n"
        "done\n"
        "if [ -n \"$name\" ]; then echo \"$name\" >/etc/hostname; hostname \"$name\"; fi\n"
        "ip link set lo up 2>/dev/null\n"
        "insmod /lib/modules/button.ko 2>/dev/null\n"
        "insmod /lib/modules/evdev.ko 2>/dev/null\n"
        "off() { echo \"berth-exit-$tok $1\"; sync; mount -o remount,ro / 2>/dev/null; "
        "poweroff -f; }\n"
        "for e in /sys/class/input/event*; do\n"
        "\t[ \"$(cat $e/device/name 2>/dev/null)\" = \"Power Button\" ] || continue\n"
        "\t( dd if=/dev/input/${e##*/} bs=24 count=1 >/dev/null 2>&1; off 143 ) &\n"
        "done\n"
        "# the guest's own view, for berth compare: a line every 5 s on ttyS1\n"
        "( echo \"kernel $(uname -r)\"; while :; do\n"
        "\techo \"mem $(awk '/^MemTotal:|^MemAvailable:/ {printf \"%s \", $2}' /proc/meminfo)\"\n"
        "\tsleep 5; done ) >/dev/ttyS1 2>/dev/null &\n"
        "set --\n"
        "if [ -n \"$cmd\" ]; then\n"
        "\tIFS=,\n"
        "\tfor w in $cmd; do\n"
        "\t\tif [ \"$w\" = - ]; then set -- \"$@\" \"\"; "
        "else set -- \"$@\" \"$(echo \"$w\" | base64 -d)\"; fi\n"
        "\tdone\n"
        "\tunset IFS\n"
        "fi\n"
        "[ $# -eq 0 ] && set -- /bin/sh\n"
        "cd /\n"
        "echo \"berth-start-$tok\"\n"
        "setsid -c \"$@\" </dev/ttyS0 >/dev/ttyS0 2>&1\n"
        "off $?\n";

/* Modules the init loads from the disk (the rest it needs is built in:
 * nvme, ext4, the 8250 serial console). */
static const char *const modules[] = {"drivers/acpi/button.ko", "drivers/input/evdev.ko"};

void vm_image_clear(struct vm_image *im)
{
	free(im->kernel_path);
	free(im->disk_path);
	free(im->release);
	memset(im, 0, sizeof(*im));
}

int vm_image_load(const struct be_ctx *ctx, const char *name, struct vm_image *out,
                  struct be_error **err)
{
	memset(out, 0, sizeof(*out));
	if (be_name_check("vm image", name, err) < 0)
		return -1;
	cleanup_free char *path = ctx_path(ctx, "vmimages/%s/image.json", name);
	if (!util_path_exists(path))
		return be_error_set(
		        err, 0, "no such vm image: %s (make the demo with `berth vm image demo`)",
		        name);
	cleanup_json json_t *o = store_load(path, err);
	if (o == NULL)
		return -1;
	const char *rel = json_string_value(json_object_get(o, "kernel_release"));
	json_t *created = json_object_get(o, "created");
	if (rel == NULL || !json_is_integer(created))
		return be_error_set(err, EINVAL, "%s: bad kernel_release or created", path);
	out->release = xstrdup(rel);
	out->created = json_integer_value(created);
	out->kernel_path = ctx_path(ctx, "vmimages/%s/vmlinuz", name);
	out->disk_path = ctx_path(ctx, "vmimages/%s/disk.qcow2", name);
	return 0;
}

/* A kernel tree (boot/vmlinuz-REL, lib/modules/REL) at dir; *release set. */
static bool kernel_at(const char *dir, char **release)
{
	cleanup_free char *boot = xasprintf("%s/boot", dir);
	cleanup_dir DIR *d = opendir(boot);
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "vmlinuz-", 8) != 0)
			continue;
		cleanup_free char *mods = xasprintf("%s/lib/modules/%s", dir, de->d_name + 8);
		if (util_path_exists(mods)) {
			*release = xstrdup(de->d_name + 8);
			return true;
		}
	}
	return false;
}

/* The kernel's folder: the one given, $BERTH_KERNEL_DIR, ROOT/kernel/root,
 * or build/kernel/root beside the berth binary (make kernel fills it). */
static char *find_kernel(const struct be_ctx *ctx, const char *given, char **release,
                         struct be_error **err)
{
	cleanup_free char *exe = be_self_exe(NULL);
	cleanup_free char *beside = exe ? xasprintf("%s/kernel/root", dirname(exe)) : NULL;
	cleanup_free char *in_root = ctx_path(ctx, "kernel/root");
	const char *env = getenv("BERTH_KERNEL_DIR");
	const char *cand[] = {given, env && *env ? env : NULL, in_root, beside};
	for (size_t i = 0; i < 4; i++) {
		if (cand[i] && kernel_at(cand[i], release))
			return xstrdup(cand[i]);
		if (i == 0 && given)
			break; /* a folder given is the only one looked at */
	}
	cleanup_free char *cache = ctx_path(ctx, "kernel");
	be_error_set(err, 0,
	             "no guest kernel %s%s: fetch Debian's cloud kernel with "
	             "`scripts/fetch-kernel.sh %s` (or `make kernel`), or give --kernel-dir",
	             given ? "in " : "found", given ? given : "", cache);
	return NULL;
}

static int write_text(const char *path, const char *text, mode_t mode, struct be_error **err)
{
	if (util_write_file_atomic(path, text, strlen(text), false, err) < 0)
		return -1;
	if (chmod(path, mode) < 0)
		return be_error_set(err, errno, "chmod %s", path);
	return 0;
}

static int copy_file(const char *from, const char *to, mode_t mode, struct be_error **err)
{
	cleanup_close int in = open(from, O_RDONLY | O_CLOEXEC);
	cleanup_close int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (in < 0)
		return be_error_set(err, errno, "reading %s", from);
	if (out < 0 || util_copy_fd(in, out) < 0)
		return be_error_set(err, errno, "writing %s", to);
	return 0;
}

/* The guest's tree: the demo userland, the init, the modules it loads. */
static int fill_rootfs(const char *rootfs, const char *kdir, const char *rel, struct be_error **err)
{
	if (mkdir(rootfs, 0755) < 0)
		return be_error_set(err, errno, "creating %s", rootfs);
	if (image_demo_fill(rootfs, err) < 0)
		return -1;
	cleanup_free char *init = xasprintf("%s/sbin/berth-init", rootfs);
	cleanup_free char *mods = xasprintf("%s/lib/modules", rootfs);
	if (write_text(init, init_script, 0755, err) < 0 || util_mkdir_p(mods, 0755, err) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(modules) / sizeof(modules[0]); i++) {
		cleanup_free char *from =
		        xasprintf("%s/lib/modules/%s/kernel/%s", kdir, rel, modules[i]);
		cleanup_free char *to = xasprintf("%s/%s", mods, strrchr(modules[i], '/') + 1);
		if (copy_file(from, to, 0644, err) < 0)
			return -1;
	}
	return 0;
}

static int build_demo(const struct be_ctx *ctx, const char *work, const char *kdir, const char *rel,
                      struct be_error **err)
{
	cleanup_free char *rootfs = xasprintf("%s/rootfs", work);
	cleanup_free char *raw = xasprintf("%s/disk.raw", work);
	cleanup_free char *qcow = xasprintf("%s/disk.qcow2", work);
	cleanup_free char *kernel = xasprintf("%s/boot/vmlinuz-%s", kdir, rel);
	cleanup_free char *vmlinuz = xasprintf("%s/vmlinuz", work);
	if (fill_rootfs(rootfs, kdir, rel, err) < 0)
		return -1;
	char *const mke2fs[] = {
	        (char *)"mke2fs",       (char *)"-q", (char *)"-t", (char *)"ext4", (char *)"-L",
	        (char *)"berth",        (char *)"-d", rootfs,       (char *)"-F",   raw,
	        (char *)DEMO_DISK_SIZE, NULL};
	char *const convert[] = {(char *)"qemu-img",
	                         (char *)"convert",
	                         (char *)"-f",
	                         (char *)"raw",
	                         (char *)"-O",
	                         (char *)"qcow2",
	                         raw,
	                         qcow,
	                         NULL};
	if (vm_exec(mke2fs, err) < 0 || vm_exec(convert, err) < 0)
		return -1;
	unlink(raw);
	if (chmod(qcow, 0444) < 0)
		return be_error_set(err, errno, "chmod %s", qcow);
	if (util_rm_rf(rootfs, err) < 0 || copy_file(kernel, vmlinuz, 0644, err) < 0)
		return -1;
	cleanup_json json_t *o =
	        json_pack("{s:s,s:I,s:s}", "kernel_release", rel, "created",
	                  (json_int_t)(util_wall_ns() / 1000000000), "source", "demo");
	cleanup_free char *rec = xasprintf("%s/image.json", work);
	(void)ctx;
	return store_save(rec, o, BE_STORE_DURABLE, err);
}

static int demo_locked(struct be_ctx *ctx, const char *name, const char *kernel_dir, bool force,
                       struct be_error **err)
{
	cleanup_free char *dest = ctx_path(ctx, "vmimages/%s", name);
	if (util_path_exists(dest) && !force)
		return 0;
	cleanup_free char *rel = NULL;
	cleanup_free char *kdir = find_kernel(ctx, kernel_dir, &rel, err);
	if (kdir == NULL)
		return -1;
	cleanup_free char *parent = ctx_path(ctx, "vmimages");
	if (util_mkdir_p(parent, 0700, err) < 0)
		return -1;
	cleanup_close int work_lock = -1;
	cleanup_free char *work = store_mkdtemp(ctx, "vmimage", &work_lock, err);
	if (work == NULL)
		return -1;
	if (build_demo(ctx, work, kdir, rel, err) < 0) {
		util_rm_rf(work, NULL);
		return -1;
	}
	if (util_path_exists(dest) && store_trash(ctx, dest, err) < 0) {
		util_rm_rf(work, NULL);
		return -1;
	}
	if (rename(work, dest) < 0) {
		int e = errno;
		util_rm_rf(work, NULL);
		return be_error_set(err, e, "renaming %s to %s", work, dest);
	}
	return util_fsync_dir(parent, err);
}

int be_vm_image_demo(struct be_ctx *ctx, const char *name, const char *kernel_dir, bool force,
                     struct be_error **err)
{
	if (name == NULL)
		name = "demo";
	if (be_name_check("vm image", name, err) < 0)
		return -1;
	cleanup_lock struct be_lock *lock = NULL;
	if (store_lock_take(ctx, "vmimage", name, &lock, err) < 0 ||
	    demo_locked(ctx, name, kernel_dir, force, err) < 0)
		return be_error_wrap(err, "making the demo vm image %s", name);
	return 0;
}

int be_vm_image_list(struct be_ctx *ctx, struct be_vm_image_info **out, size_t *n,
                     struct be_error **err)
{
	*out = NULL;
	*n = 0;
	cleanup_free char *dir = ctx_path(ctx, "vmimages");
	cleanup_dir DIR *d = opendir(dir);
	if (d == NULL)
		return errno == ENOENT ? 0 : be_error_set(err, errno, "reading %s", dir);
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		struct vm_image im;
		if (!be_name_valid(de->d_name) || vm_image_load(ctx, de->d_name, &im, NULL) < 0)
			continue;
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		struct be_vm_image_info *i = &(*out)[(*n)++];
		memset(i, 0, sizeof(*i));
		snprintf(i->name, sizeof(i->name), "%.64s", de->d_name);
		snprintf(i->kernel, sizeof(i->kernel), "%s", im.release);
		struct stat st;
		i->disk_bytes = stat(im.disk_path, &st) == 0 ? (uint64_t)st.st_blocks * 512 : 0;
		i->created = im.created;
		vm_image_clear(&im);
	}
	return 0;
}

int be_vm_image_remove(struct be_ctx *ctx, const char *name, struct be_error **err)
{
	struct vm_image im;
	if (vm_image_load(ctx, name, &im, err) < 0)
		return -1;
	vm_image_clear(&im);
	cleanup_lock struct be_lock *lock = NULL;
	if (store_lock_take(ctx, "vmimage", name, &lock, err) < 0)
		return -1;
	cleanup_free struct vm_disk_node *nodes = NULL;
	size_t n = 0;
	if (vm_disk_nodes(ctx, &nodes, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (strcmp(nodes[i].image, name) == 0)
			return be_error_set(err, 0,
			                    "vm image %s is in use by vm disks (remove the "
			                    "vms made from it first)",
			                    name);
	cleanup_free char *dest = ctx_path(ctx, "vmimages/%s", name);
	if (store_trash(ctx, dest, err) < 0)
		return -1;
	store_empty_trash(ctx, NULL);
	return 0;
}
