/* What a container process may do: the user it runs as (looked up in the
 * container's own /etc files), docker's default capabilities (libcap),
 * no_new_privs, the seccomp filter (compiled by the build), and the fd
 * purge. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/capability.h>
#include <sys/syscall.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/sandbox.h"
#include "sandbox/seccomp_rules.h"
#include "base/util.h"

/* docker's default set (moby oci/caps/defaults.go). */
static const cap_value_t keep_caps[] = {
        CAP_CHOWN,   CAP_DAC_OVERRIDE, CAP_FSETID,           CAP_FOWNER,
        CAP_MKNOD,   CAP_NET_RAW,      CAP_SETGID,           CAP_SETUID,
        CAP_SETFCAP, CAP_SETPCAP,      CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT,
        CAP_KILL,    CAP_AUDIT_WRITE,
};
#define NKEEP (sizeof(keep_caps) / sizeof(keep_caps[0]))

unsigned long long secure_default_caps(void)
{
	unsigned long long m = 0;
	for (size_t i = 0; i < NKEEP; i++)
		m |= 1ULL << keep_caps[i];
	return m;
}

/* ---- user ------------------------------------------------------------- */

/* A decimal id below 2^32 - 1 (-1 means "unchanged" to the kernel). */
static bool parse_id(const char *s, unsigned int *out)
{
	if (s[0] == '\0' || strlen(s) > 10)
		return false;
	unsigned long long v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (unsigned)(*p - '0');
	}
	if (v >= 0xffffffffULL)
		return false;
	*out = (unsigned int)v;
	return true;
}

/* ROOT/etc/FILE if it is a regular file (an image's FIFO or device there
 * must not hang or confuse the start), else NULL. */
static FILE *open_etc(const char *root, const char *file)
{
	cleanup_free char *p = xasprintf("%s/etc/%s", root, file);
	int fd = open(p, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	if (fd < 0)
		return NULL;
	FILE *f = NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		f = fdopen(fd, "r");
	if (f == NULL)
		close(fd);
	return f;
}

/* Finds uid's passwd entry: copies out its name and gid.  Returns 1 when
 * found, 0 when not. */
static int find_passwd_by_uid(const char *root, uid_t uid, char **name_out, gid_t *gid)
{
	cleanup_fclose FILE *f = open_etc(root, "passwd");
	if (f == NULL)
		return 0;
	struct passwd *pw;
	while ((pw = fgetpwent(f)) != NULL) {
		if (pw->pw_uid == uid) {
			*name_out = xstrdup(pw->pw_name);
			*gid = pw->pw_gid;
			return 1;
		}
	}
	return 0;
}

static int find_uid_by_name(const char *root, const char *name, uid_t *uid, gid_t *gid)
{
	cleanup_fclose FILE *f = open_etc(root, "passwd");
	if (f == NULL)
		return 0;
	struct passwd *pw;
	while ((pw = fgetpwent(f)) != NULL) {
		if (strcmp(pw->pw_name, name) == 0) {
			*uid = pw->pw_uid;
			*gid = pw->pw_gid;
			return 1;
		}
	}
	return 0;
}

static int find_gid_by_name(const char *root, const char *name, gid_t *gid)
{
	cleanup_fclose FILE *f = open_etc(root, "group");
	if (f == NULL)
		return 0;
	struct group *gr;
	while ((gr = fgetgrent(f)) != NULL) {
		if (strcmp(gr->gr_name, name) == 0) {
			*gid = gr->gr_gid;
			return 1;
		}
	}
	return 0;
}

static void add_group(struct be_sandbox_user *u, gid_t g)
{
	for (size_t i = 0; i < u->ngroups; i++)
		if (u->groups[i] == g)
			return;
	u->groups = xrealloc(u->groups, (u->ngroups + 1) * sizeof(gid_t));
	u->groups[u->ngroups++] = g;
}

/* Supplementary groups: the primary one, then every group naming user. */
static void collect_groups(const char *root, const char *user, struct be_sandbox_user *u)
{
	add_group(u, u->gid);
	if (user == NULL)
		return;
	cleanup_fclose FILE *f = open_etc(root, "group");
	if (f == NULL)
		return;
	struct group *gr;
	while ((gr = fgetgrent(f)) != NULL)
		for (char **m = gr->gr_mem; m && *m; m++)
			if (strcmp(*m, user) == 0)
				add_group(u, gr->gr_gid);
}

static int resolve_user_part(const char *root, const char *upart, struct be_sandbox_user *u,
                             char **name, struct be_error **err)
{
	unsigned int id;
	if (parse_id(upart, &id)) {
		u->uid = id;
		u->gid = 0; /* docker: a uid without a passwd entry gets gid 0 */
		find_passwd_by_uid(root, id, name, &u->gid);
		return 0;
	}
	if (!find_uid_by_name(root, upart, &u->uid, &u->gid))
		return be_error_set(err, 0,
		                    "unable to find user %.64s: no matching entries in passwd file",
		                    upart);
	*name = xstrdup(upart);
	return 0;
}

int secure_resolve_user(const char *root, const char *spec, struct be_sandbox_user *out,
                        struct be_error **err)
{
	*out = (struct be_sandbox_user){0};
	size_t len = spec ? strlen(spec) : 0;
	if (len == 0 || len > 200 || strchr(spec, '\n'))
		return be_error_set(err, 0, "invalid user \"%.64s\": use uid[:gid] or name[:group]",
		                    spec ? spec : "");
	cleanup_free char *copy = xstrdup(spec);
	char *gpart = strchr(copy, ':');
	if (gpart)
		*gpart++ = '\0';
	if (copy[0] == '\0' || (gpart && (gpart[0] == '\0' || strchr(gpart, ':'))))
		return be_error_set(err, 0, "invalid user \"%.64s\": use uid[:gid] or name[:group]",
		                    spec);
	cleanup_free char *name = NULL;
	if (resolve_user_part(root, copy, out, &name, err) < 0)
		return -1;
	if (gpart) {
		unsigned int id;
		if (parse_id(gpart, &id))
			out->gid = id;
		else if (!find_gid_by_name(root, gpart, &out->gid))
			return be_error_set(
			        err, 0,
			        "unable to find group %.64s: no matching entries in group file",
			        gpart);
	}
	collect_groups(root, name, out);
	return 0;
}

void secure_user_free(struct be_sandbox_user *u)
{
	free(u->groups);
	u->groups = NULL;
	u->ngroups = 0;
}

/* ---- capabilities ------------------------------------------------------ */

static bool kept(cap_value_t c)
{
	for (size_t i = 0; i < NKEEP; i++)
		if (keep_caps[i] == c)
			return true;
	return false;
}

static int set_caps(bool root, struct be_error **err)
{
	cap_t caps = cap_init(); /* all clear */
	if (caps == NULL)
		return be_error_set(err, errno, "cap_init");
	int r = 0;
	if (root && (cap_set_flag(caps, CAP_EFFECTIVE, NKEEP, keep_caps, CAP_SET) < 0 ||
	             cap_set_flag(caps, CAP_PERMITTED, NKEEP, keep_caps, CAP_SET) < 0))
		r = be_error_set(err, errno, "cap_set_flag");
	if (r == 0 && cap_set_proc(caps) < 0)
		r = be_error_set(err, errno, "setting capabilities");
	cap_free(caps);
	return r;
}

int secure_drop(const char *user_spec, struct be_error **err)
{
	struct be_sandbox_user u = {0};
	if (user_spec && secure_resolve_user("", user_spec, &u, err) < 0)
		return -1;
	int r = 0;
	unsigned max = cap_max_bits();
	for (unsigned c = 0; c < max && r == 0; c++)
		if (!kept((cap_value_t)c) && cap_drop_bound((cap_value_t)c) < 0 && errno != EINVAL)
			r = be_error_set(err, errno, "dropping capability %u from the bounding set",
			                 c);
	/* One prctl: libcap's cap_reset_ambient probes all 41 caps first. */
	if (r == 0 && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 &&
	    errno != EINVAL)
		r = be_error_set(err, errno, "clearing ambient capabilities");
	if (r == 0 && user_spec) {
		if (setgroups(u.ngroups, u.groups) < 0)
			r = be_error_set(err, errno, "setgroups for user %s", user_spec);
		else if (setresgid(u.gid, u.gid, u.gid) < 0)
			r = be_error_set(err, errno, "setgid %u", (unsigned)u.gid);
		else if (setresuid(u.uid, u.uid, u.uid) < 0)
			r = be_error_set(err, errno, "setuid %u", (unsigned)u.uid);
	}
	if (r == 0)
		r = set_caps(u.uid == 0, err);
	secure_user_free(&u);
	return r;
}

/* ---- seccomp ----------------------------------------------------------- */

/* The program the build made from secure_seccomp_rules: SECURE_FILTER. */
#include "seccomp_filter.h"

const struct sock_filter *secure_filter(size_t *len)
{
	*len = sizeof(SECURE_FILTER) / sizeof(SECURE_FILTER[0]);
	return SECURE_FILTER;
}

static int load_seccomp(struct be_error **err)
{
	struct sock_fprog prog = {
	        .len = (unsigned short)(sizeof(SECURE_FILTER) / sizeof(SECURE_FILTER[0])),
	        .filter = (struct sock_filter *)SECURE_FILTER,
	};
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0)
		return 0;
	if (errno == ENOSYS && prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) == 0)
		return 0;
	return be_error_set(err, errno, "loading the seccomp filter");
}

int secure_lock(bool no_seccomp, struct be_error **err)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return be_error_set(err, errno, "setting no_new_privs");
	if (no_seccomp)
		return 0;
	return load_seccomp(err);
}

/* ---- fds --------------------------------------------------------------- */

static int cloexec_by_dir(int keep_fd, struct be_error **err)
{
	cleanup_dir DIR *d = opendir("/proc/self/fd");
	if (d == NULL)
		return be_error_set(err, errno, "listing /proc/self/fd");
	int self = dirfd(d);
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		int fd = atoi(de->d_name);
		if (fd < 3 || fd == keep_fd || fd == self)
			continue;
		int fl = fcntl(fd, F_GETFD);
		if (fl >= 0)
			fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
	}
	return 0;
}

int secure_cloexec_fds(int keep_fd, struct be_error **err)
{
	int r;
	if (keep_fd < 3) {
		r = close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
	} else {
		r = keep_fd > 3 ? close_range(3, (unsigned)keep_fd - 1, CLOSE_RANGE_CLOEXEC) : 0;
		if (r == 0)
			r = close_range((unsigned)keep_fd + 1, ~0U, CLOSE_RANGE_CLOEXEC);
	}
	if (r < 0 && (errno == ENOSYS || errno == EINVAL))
		return cloexec_by_dir(keep_fd, err);
	if (r < 0)
		return be_error_set(err, errno, "close_range");
	return 0;
}
