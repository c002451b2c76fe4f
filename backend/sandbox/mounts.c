/* What the user adds to a container's filesystem and network namespace:
 * bind mounts and volumes (detached mount trees the keeper made) and tmpfs
 * mounts on targets resolved inside the root, the read-only root, and the
 * loopback brought up. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/sandbox.h"
#include "base/util.h"

/* path (absolute, inside the root) opened O_PATH with every link resolved
 * as if rootfd were "/": nothing can lead out of the root. */
static int open_in_root(int rootfd, const char *path, struct be_error **err)
{
	struct open_how how = {
	        .flags = O_PATH | O_CLOEXEC,
	        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	int fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	if (fd < 0 && errno == EXDEV) {
		/* A mount point on the way (/dev, /proc, an earlier mount): allowed. */
		how.resolve &= ~(unsigned long long)RESOLVE_NO_XDEV;
		fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	}
	if (fd < 0 && errno != ENOENT)
		be_error_set(err, errno, "opening %s in the container", path);
	return fd;
}

/* The mount point for target: opened, or made (a directory, or an empty
 * file for a file source) inside the root with its missing parents. */
static int mount_point_fd(int rootfd, const char *target, bool dir, struct be_error **err)
{
	int fd = open_in_root(rootfd, target, err);
	if (fd >= 0 || errno != ENOENT)
		return fd;
	cleanup_free char *parent = xstrdup(target);
	char *slash = strrchr(parent, '/');
	const char *last = target + (slash - parent) + 1;
	*slash = '\0';
	cleanup_close int pfd = parent[0] ? mount_point_fd(rootfd, parent, true, err)
	                                  : fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
	if (pfd < 0)
		return -1;
	if (dir) {
		if (mkdirat(pfd, last, 0755) < 0 && errno != EEXIST)
			return be_error_set(err, errno, "making mount point %s", target);
	} else {
		int f = openat(pfd, last, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (f < 0)
			return be_error_set(err, errno, "making mount point %s", target);
		close(f);
	}
	fd = openat(pfd, last, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return be_error_set(err, errno, "opening mount point %s", target);
	return fd;
}

/* A fresh tmpfs, as a detached mount. */
static int make_tmpfs(const struct be_sandbox_mount *m, struct be_error **err)
{
	cleanup_close int fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0)
		return be_error_set(err, errno, "tmpfs for %s", m->target);
	char mode[16], size[32];
	snprintf(mode, sizeof(mode), "%o", m->mode ? m->mode : 01777);
	snprintf(size, sizeof(size), "%llu", (unsigned long long)m->size);
	if (fsconfig(fs, FSCONFIG_SET_STRING, "mode", mode, 0) < 0 ||
	    (m->size && fsconfig(fs, FSCONFIG_SET_STRING, "size", size, 0) < 0) ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return be_error_set(err, errno, "tmpfs for %s", m->target);
	unsigned attrs =
	        MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (m->readonly ? MOUNT_ATTR_RDONLY : 0);
	int mnt = fsmount(fs, FSMOUNT_CLOEXEC, attrs);
	if (mnt < 0)
		return be_error_set(err, errno, "tmpfs for %s", m->target);
	return mnt;
}

static int one_mount(int rootfd, const struct be_sandbox_mount *m, struct be_error **err)
{
	cleanup_close int tree = -1;
	int src = m->src_fd;
	if (src < 0) {
		tree = make_tmpfs(m, err);
		if (tree < 0)
			return -1;
		src = tree;
	}
	cleanup_close int at = mount_point_fd(rootfd, m->target, m->src_dir, err);
	if (at < 0)
		return be_error_wrap(err, "mount on %s", m->target);
	struct stat st;
	if (fstat(at, &st) == 0 && S_ISDIR(st.st_mode) != m->src_dir)
		return be_error_set(err, ENOTDIR, "mount on %s: the source is a %s, the target not",
		                    m->target, m->src_dir ? "directory" : "file");
	if (move_mount(src, "", at, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return be_error_set(err, errno, "mounting on %s", m->target);
	return 0;
}

int sandbox_user_mounts(const struct be_sandbox_cfg *cfg, struct be_error **err)
{
	if (cfg->n_mounts == 0)
		return 0;
	cleanup_close int rootfd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return be_error_set(err, errno, "opening the container's root");
	for (size_t i = 0; i < cfg->n_mounts; i++)
		if (one_mount(rootfd, &cfg->mounts[i], err) < 0)
			return -1;
	return 0;
}

int sandbox_readonly_root(const struct be_sandbox_cfg *cfg, struct be_error **err)
{
	if (!cfg->read_only_root)
		return 0;
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
	if (mount_setattr(AT_FDCWD, "/", 0, &attr, sizeof(attr)) < 0)
		return be_error_set(err, errno, "making / read-only");
	return 0;
}

int sandbox_lo_up(struct be_error **err)
{
	cleanup_close int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return be_error_set(err, errno, "bringing lo up: socket");
	struct ifreq ifr = {0};
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return be_error_set(err, errno, "bringing lo up");
	if (ifr.ifr_flags & IFF_UP)
		return 0;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		return be_error_set(err, errno, "bringing lo up");
	return 0;
}
