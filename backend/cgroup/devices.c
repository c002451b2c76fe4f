/* The device rules of a container's cgroup, docker's default list: deny
 * everything, allow mknod of any node, and read/write only the harmless
 * ones.  v1 writes them to the devices controller; v2 has no such files and
 * takes a BPF_PROG_TYPE_CGROUP_DEVICE program, assembled here by hand and
 * loaded with raw bpf(2) (why not libbpf: docs/sandbox.md). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>

#include "cgroup/cgroup.h"
#include "base/util.h"

/* The allow list, as runc appends it to every docker container (runc's
 * DefaultAllowedDevices); -1 is a wildcard.  Everything else is refused:
 * mknod of any node works (the node is useless), opening it fails with
 * EPERM. */
const struct cg_device_rule cg_device_rules[] = {
        {'c', -1, -1, "m"},    /* mknod of any char node */
        {'b', -1, -1, "m"},    /* ... and any block node */
        {'c', 1, 3, "rwm"},    /* /dev/null */
        {'c', 1, 5, "rwm"},    /* /dev/zero */
        {'c', 1, 7, "rwm"},    /* /dev/full */
        {'c', 1, 8, "rwm"},    /* /dev/random */
        {'c', 1, 9, "rwm"},    /* /dev/urandom */
        {'c', 5, 0, "rwm"},    /* /dev/tty */
        {'c', 5, 1, "rwm"},    /* /dev/console */
        {'c', 5, 2, "rwm"},    /* /dev/ptmx */
        {'c', 136, -1, "rwm"}, /* /dev/pts/ * */
        {'c', 10, 200, "rwm"}, /* /dev/net/tun */
};
const size_t cg_n_device_rules = sizeof(cg_device_rules) / sizeof(cg_device_rules[0]);

void cg_device_rule_text(const struct cg_device_rule *r, char *buf, size_t len)
{
	char maj[16] = "*", min[16] = "*";
	if (r->major >= 0)
		snprintf(maj, sizeof(maj), "%d", r->major);
	if (r->minor >= 0)
		snprintf(min, sizeof(min), "%d", r->minor);
	snprintf(buf, len, "%c %s:%s %s", r->type, maj, min, r->access);
}

int cg_devices_v1(const char *dir, struct be_error **err)
{
	cleanup_free char *deny = xasprintf("%s/devices.deny", dir);
	cleanup_free char *allow = xasprintf("%s/devices.allow", dir);
	if (cg_write(deny, "a", err) < 0)
		return -1;
	/* One open for all the rules: the kernel takes each write() as one
	 * rule. */
	cleanup_close int fd = open(allow, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return be_error_set(err, errno, "writing %s", allow);
	for (size_t i = 0; i < cg_n_device_rules; i++) {
		char line[64];
		cg_device_rule_text(&cg_device_rules[i], line, sizeof(line));
		size_t len = strlen(line);
		ssize_t w;
		do
			w = write(fd, line, len);
		while (w < 0 && errno == EINTR);
		if (w == (ssize_t)len)
			continue;
		/* A parent that denies it (berth inside a container with
		 * fewer devices): the rule stays denied here too. */
		if (w < 0 && errno == EPERM)
			continue;
		return be_error_set(err, w < 0 ? errno : EIO, "writing \"%s\" to %s", line, allow);
	}
	return 0;
}

/* ---- the v2 program --------------------------------------------------------
 * The context (struct bpf_cgroup_dev_ctx) holds access_type (the device type
 * in the low 16 bits, the access mask above), major and minor.  Loaded into
 * r2 = type, r3 = access, r4 = major, r5 = minor; each rule is a block of
 * "jump to the next block unless it matches" tests ending in "return 1";
 * after the last block, "return 0". */

#define INSN(c, d, s, o, i)                                                                        \
	((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})

static unsigned access_mask(const char *access)
{
	unsigned m = 0;
	for (const char *p = access; *p; p++)
		m |= *p == 'r'   ? BPF_DEVCG_ACC_READ
		     : *p == 'w' ? BPF_DEVCG_ACC_WRITE
		     : *p == 'm' ? BPF_DEVCG_ACC_MKNOD
		                 : 0;
	return m;
}

size_t cg_devices_program(struct bpf_insn *out, size_t max)
{
	const unsigned all = BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD;
	struct bpf_insn p[256];
	size_t n = 0;
	p[n++] = INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, 0, 0);
	p[n++] = INSN(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff);
	p[n++] = INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_3, BPF_REG_1, 0, 0);
	p[n++] = INSN(BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16);
	p[n++] = INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_4, BPF_REG_1, 4, 0);
	p[n++] = INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_5, BPF_REG_1, 8, 0);
	for (size_t i = 0; i < cg_n_device_rules; i++) {
		const struct cg_device_rule *r = &cg_device_rules[i];
		size_t jumps[4], nj = 0;
		int type = r->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK;
		jumps[nj++] = n;
		p[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, 0, type);
		unsigned mask = access_mask(r->access);
		if (mask != all) {
			/* Every access asked for must be in the rule's mask. */
			p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0);
			p[n++] = INSN(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_1, 0, 0, (int)mask);
			jumps[nj++] = n;
			p[n++] = INSN(BPF_JMP | BPF_JNE | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0);
		}
		if (r->major >= 0) {
			jumps[nj++] = n;
			p[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, 0, r->major);
		}
		if (r->minor >= 0) {
			jumps[nj++] = n;
			p[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, 0, r->minor);
		}
		p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1);
		p[n++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
		for (size_t j = 0; j < nj; j++)
			p[jumps[j]].off = (short)(n - jumps[j] - 1);
	}
	p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
	p[n++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	if (out != NULL)
		memcpy(out, p, (n < max ? n : max) * sizeof(*p));
	return n;
}

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

/* Loads the program; a refusal is loaded again with the verifier's log
 * (which costs milliseconds, so not on the first try) to say why. */
static int load_program(struct be_error **err)
{
	struct bpf_insn prog[256];
	size_t n = cg_devices_program(prog, 256);
	union bpf_attr load;
	memset(&load, 0, sizeof(load));
	load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	load.insns = (uintptr_t)prog;
	load.insn_cnt = (unsigned)n;
	load.license = (uintptr_t) "GPL";
	int fd = (int)sys_bpf(BPF_PROG_LOAD, &load);
	if (fd >= 0)
		return fd;
	int e = errno;
	char log[2048] = "";
	load.log_buf = (uintptr_t)log;
	load.log_size = sizeof(log);
	load.log_level = 1;
	fd = (int)sys_bpf(BPF_PROG_LOAD, &load);
	if (fd >= 0)
		close(fd);
	/* The verifier's reason is its last line. */
	size_t len = strnlen(log, sizeof(log) - 1);
	while (len > 0 && log[len - 1] == '\n')
		log[--len] = '\0';
	const char *why = strrchr(log, '\n') ? strrchr(log, '\n') + 1 : log;
	return be_error_set(err, e, "loading the device program%s%.200s", *why ? ": " : "", why);
}

int cg_devices_v2(const char *dir, struct be_error **err)
{
	cleanup_close int pfd = load_program(err);
	if (pfd < 0)
		return -1;
	cleanup_close int cfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cfd < 0)
		return be_error_set(err, errno, "opening %s", dir);
	union bpf_attr at;
	memset(&at, 0, sizeof(at));
	at.target_fd = (unsigned)cfd;
	at.attach_bpf_fd = (unsigned)pfd;
	at.attach_type = BPF_CGROUP_DEVICE;
	at.attach_flags = BPF_F_ALLOW_MULTI;
	/* The attachment holds the program: our fd may close; it goes with
	 * the cgroup. */
	if (sys_bpf(BPF_PROG_ATTACH, &at) < 0)
		return be_error_set(err, errno, "attaching the device program to %s", dir);
	return 0;
}

int cg_devices_v2_count(const char *dir, struct be_error **err)
{
	cleanup_close int cfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cfd < 0)
		return be_error_set(err, errno, "opening %s", dir);
	union bpf_attr q;
	memset(&q, 0, sizeof(q));
	q.query.target_fd = (unsigned)cfd;
	q.query.attach_type = BPF_CGROUP_DEVICE;
	if (sys_bpf(BPF_PROG_QUERY, &q) < 0)
		return be_error_set(err, errno, "querying the device programs of %s", dir);
	return (int)q.query.prog_cnt;
}
