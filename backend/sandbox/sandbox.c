/* The container's view of the filesystem: private mounts, the root made by
 * pivot_root with the old one detached, a fresh /proc, a read-only /sys, a
 * small /dev, and the masked and read-only paths docker uses. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "sandbox/sandbox.h"
#include "base/util.h"

unsigned long sandbox_clone_flags(const struct be_sandbox_cfg *cfg)
{
	unsigned long f = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC;
	if (!cfg->net_host)
		f |= CLONE_NEWNET;
	return f;
}

/* Hidden from the container: files get /dev/null bound over them,
 * directories an empty read-only tmpfs.  Paths missing here are skipped. */
static const char *const masked_paths[] = {
        "/proc/acpi",
        "/proc/asound",
        "/proc/interrupts",
        "/proc/kcore",
        "/proc/keys",
        "/proc/latency_stats",
        "/proc/sched_debug",
        "/proc/scsi",
        "/proc/timer_list",
        "/proc/timer_stats",
        "/sys/devices/virtual/powercap",
        "/sys/firmware",
};

/* Visible but read-only. */
static const char *const readonly_paths[] = {
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

const char *const *sandbox_masked_paths(size_t *n)
{
	*n = sizeof(masked_paths) / sizeof(masked_paths[0]);
	return masked_paths;
}

const char *const *sandbox_readonly_paths(size_t *n)
{
	*n = sizeof(readonly_paths) / sizeof(readonly_paths[0]);
	return readonly_paths;
}

static const struct {
	const char *name;
	unsigned major, minor;
} dev_nodes[] = {
        {"dev/null", 1, 3},   {"dev/zero", 1, 5},    {"dev/full", 1, 7},
        {"dev/random", 1, 8}, {"dev/urandom", 1, 9}, {"dev/tty", 5, 0},
};

static const struct {
	const char *target, *link;
} dev_links[] = {
        {"dev/ptmx", "pts/ptmx"},          {"dev/fd", "/proc/self/fd"},
        {"dev/stdin", "/proc/self/fd/0"},  {"dev/stdout", "/proc/self/fd/1"},
        {"dev/stderr", "/proc/self/fd/2"},
};

static int do_mount(const char *src, const char *target, const char *type, unsigned long flags,
                    const char *data, struct be_error **err)
{
	if (mount(src, target, type, flags, data) == 0)
		return 0;
	return be_error_set(err, errno, "mounting %s on /%s",
	                    type  ? type
	                    : src ? src
	                          : "remount",
	                    target);
}

/* A mount point inside the root, relative to the cwd (the root): created
 * when missing; a symlink is refused so that no mount lands outside. */
static int mount_point(const char *rel, struct be_error **err)
{
	struct stat st;
	if (lstat(rel, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		return be_error_set(err, 0, "/%s in the container's root is not a directory", rel);
	}
	if (errno != ENOENT || mkdir(rel, 0755) < 0)
		return be_error_set(err, errno, "making mount point /%s", rel);
	return 0;
}

static bool is_mount_point(const char *path)
{
	struct statx stx;
	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx) == 0 &&
	    (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
		return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
	/* Older kernels: a different device than the parent. */
	cleanup_free char *parent = xasprintf("%s/..", path);
	struct stat a, b;
	return stat(path, &a) == 0 && stat(parent, &b) == 0 && a.st_dev != b.st_dev;
}

static int setup_sys(bool net_host, struct be_error **err)
{
	if (mount_point("sys", err) < 0)
		return -1;
	if (!net_host)
		return do_mount("sysfs", "sys", "sysfs",
		                MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err);
	/* sysfs shows the net namespace of its mounter: with the host's net,
	 * bind the host's /sys, read-only all the way down. */
	if (do_mount("/sys", "sys", NULL, MS_BIND | MS_REC, NULL, err) < 0)
		return -1;
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
	                                      MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC};
	if (syscall(SYS_mount_setattr, AT_FDCWD, "sys", AT_RECURSIVE, &attr, sizeof(attr)) == 0)
		return 0;
	return do_mount(NULL, "sys", NULL,
	                MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
	                err);
}

static int setup_dev(struct be_error **err)
{
	if (mount_point("dev", err) < 0 ||
	    do_mount("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k",
	             err) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(dev_nodes) / sizeof(dev_nodes[0]); i++)
		if (mknod(dev_nodes[i].name, S_IFCHR | 0666,
		          makedev(dev_nodes[i].major, dev_nodes[i].minor)) < 0)
			return be_error_set(err, errno, "mknod /%s", dev_nodes[i].name);
	if (mkdir("dev/pts", 0755) < 0 || mkdir("dev/shm", 01777) < 0)
		return be_error_set(err, errno, "mkdir in /dev");
	if (do_mount("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
	             "newinstance,ptmxmode=0666,mode=0620,gid=5", err) < 0 ||
	    do_mount("shm", "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
	             "mode=1777,size=65536k", err) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(dev_links) / sizeof(dev_links[0]); i++)
		if (symlink(dev_links[i].link, dev_links[i].target) < 0)
			return be_error_set(err, errno, "symlink /%s", dev_links[i].target);
	return 0;
}

static int mask_paths(struct be_error **err)
{
	for (size_t i = 0; i < sizeof(masked_paths) / sizeof(masked_paths[0]); i++) {
		const char *p = masked_paths[i];
		struct stat st;
		if (stat(p, &st) < 0)
			continue;
		int r = S_ISDIR(st.st_mode)
		                ? mount("tmpfs", p, "tmpfs",
		                        MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0")
		                : mount("/dev/null", p, NULL, MS_BIND, NULL);
		if (r < 0 && errno != ENOENT)
			return be_error_set(err, errno, "masking %s", p);
	}
	return 0;
}

static int readonly_binds(struct be_error **err)
{
	for (size_t i = 0; i < sizeof(readonly_paths) / sizeof(readonly_paths[0]); i++) {
		const char *p = readonly_paths[i];
		if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0) {
			if (errno == ENOENT)
				continue;
			return be_error_set(err, errno, "binding %s", p);
		}
		if (mount(p, p, NULL,
		          MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		          NULL) < 0)
			return be_error_set(err, errno, "making %s read-only", p);
	}
	return 0;
}

/* pivot_root(".", ".") stacks the old root on the new one; detaching it
 * leaves the new root alone (what runc and crun do). */
static int pivot(struct be_error **err)
{
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return be_error_set(err, errno, "pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		return be_error_set(err, errno, "detaching the old root");
	if (chdir("/") < 0)
		return be_error_set(err, errno, "chdir /");
	return 0;
}

/* ---- a root that is not a mount point (berth inside a chroot) ----------
 * statmount(2) (Linux 6.8) and the unique mount id of statx (6.8), declared
 * here: Debian 12's headers predate them. */
#define SB_STATX_MNT_ID_UNIQUE 0x4000u
#define SB_STATMOUNT_MNT_BASIC 0x2u
#ifndef SYS_statmount
#define SYS_statmount 457
#endif
struct sb_mnt_id_req {
	uint32_t size, spare;
	uint64_t mnt_id, param;
};
struct sb_statmount {
	uint32_t size, mnt_opts;
	uint64_t mask;
	uint32_t sb_dev_major, sb_dev_minor;
	uint64_t sb_magic;
	uint32_t sb_flags, fs_type;
	uint64_t mnt_id, mnt_parent_id;
	uint32_t mnt_id_old, mnt_parent_id_old;
	uint64_t mnt_attr, mnt_propagation, mnt_peer_group, mnt_master, propagate_from;
	uint32_t mnt_root, mnt_point;
	uint64_t spare[50];
};

/* Whether the mount holding "/" (whose mount point lies outside the root,
 * so no path names it) propagates to peers. */
static int root_mount_shared(bool *shared, struct be_error **err)
{
	struct statx stx;
	if (statx(AT_FDCWD, "/", 0, SB_STATX_MNT_ID_UNIQUE, &stx) < 0)
		return be_error_set(err, errno, "statx /");
	if (!(stx.stx_mask & SB_STATX_MNT_ID_UNIQUE))
		return be_error_set(err, ENOSYS, "this kernel cannot name the mount that holds /");
	struct sb_mnt_id_req req = {
	        .size = 24, .mnt_id = stx.stx_mnt_id, .param = SB_STATMOUNT_MNT_BASIC};
	struct sb_statmount sm;
	memset(&sm, 0, sizeof(sm));
	if (syscall(SYS_statmount, &req, &sm, sizeof(sm), 0) < 0)
		return be_error_set(err, errno, "statmount of the mount that holds /");
	*shared = (sm.mnt_propagation & MS_SHARED) != 0;
	return 0;
}

/* In a chroot whose / is not a mount point, pivot_root and "make / private"
 * both fail (EINVAL).  A recursive clone of / attached onto / itself, then
 * entered (fchdir + chroot), is a root that is a mount point.  Attaching it
 * would copy it to the peers of a shared holder (the host): refused then. */
static int root_onto_own_mount(struct be_error **err)
{
	bool shared = true;
	if (root_mount_shared(&shared, err) < 0)
		return be_error_wrap(err, "/ is not a mount point (a chroot?)");
	if (shared)
		return be_error_set(
		        err, 0,
		        "/ is not a mount point (a chroot?) and the mount that holds it "
		        "is shared, so a mount made here would appear outside too: bind the "
		        "chroot's directory onto itself, or enter it from a private mount "
		        "namespace");
	cleanup_close int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	cleanup_close int t = (int)syscall(SYS_open_tree, AT_FDCWD, "/",
	                                   OPEN_TREE_CLONE | AT_RECURSIVE | O_CLOEXEC);
	if (cwd < 0 || t < 0)
		return be_error_set(err, errno, "cloning the mount of /");
	if (syscall(SYS_move_mount, t, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return be_error_set(err, errno, "mounting / onto itself");
	if (fchdir(t) < 0 || chroot(".") < 0 || fchdir(cwd) < 0)
		return be_error_set(err, errno, "entering the mount of /");
	return 0;
}

int sandbox_private_mounts(struct be_error **err)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0)
		return 0;
	if (errno != EINVAL || is_mount_point("/"))
		return be_error_set(err, errno, "making mounts private");
	if (root_onto_own_mount(err) < 0)
		return -1;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return be_error_set(err, errno, "making mounts private");
	return 0;
}

int sandbox_setup_root(const struct be_sandbox_cfg *cfg, struct be_error **err)
{
	const char *root = cfg->rootfs;
	if (root == NULL || root[0] != '/')
		return be_error_set(err, 0, "root \"%s\" is not an absolute path",
		                    root ? root : "");
	if (sandbox_private_mounts(err) < 0)
		return -1;
	if (!is_mount_point(root) && mount(root, root, NULL, MS_BIND | MS_REC, NULL) < 0)
		return be_error_set(err, errno, "binding %s", root);
	if (chdir(root) < 0)
		return be_error_set(err, errno, "chdir %s", root);
	if (mount_point("proc", err) < 0 ||
	    do_mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err) < 0 ||
	    setup_sys(cfg->net_host, err) < 0 || setup_dev(err) < 0 ||
	    sandbox_user_mounts(cfg, err) < 0)
		return be_error_wrap(err, "setting up %s", root);
	if (pivot(err) < 0 || mask_paths(err) < 0 || readonly_binds(err) < 0 ||
	    sandbox_readonly_root(cfg, err) < 0)
		return be_error_wrap(err, "setting up %s", root);
	return 0;
}
