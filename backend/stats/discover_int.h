/* The discovery walker's layout, shared by discover.c (cgroup walk) and
 * discover_vm.c (the /proc scan for VM processes). */
#ifndef BE_DISCOVER_INT_H
#define BE_DISCOVER_INT_H

#include "stats/discover.h"

#define BE_WALK_DEPTH 10
#define BE_MAX_WATCH 8

struct be_watch {
	char path[BE_ITEM_CGROUP_MAX]; /* "/a/b" */
	enum be_kind kind;
};

/* What the /proc scan remembers of one pid between refreshes. */
struct be_pcache {
	pid_t pid;
	int32_t vm;    /* index in vms, or -1: not a VM */
	uint64_t born; /* scan number when first seen */
};

struct be_vmrec {
	pid_t pid;
	bool used;
	struct be_vm_cmdline cmd;
	bool nspawn; /* a systemd-nspawn process, not a VM */
	char cgroup[BE_ITEM_CGROUP_MAX];
};

struct be_discover {
	const struct be_ctx *ctx;
	enum be_cgroup_layout layout;
	int ctl_fd[BE_CTL_COUNT]; /* v1 controllers; on v2 all the root */
	int walk_fd;              /* the hierarchy walked for names */
	int proc_fd;
	bool foreign;
	struct be_watch watch[BE_MAX_WATCH];
	size_t nwatch;
	struct be_dbuf dbuf[BE_WALK_DEPTH];
	char path[BE_ITEM_CGROUP_MAX];
	/* the /proc scan */
	struct be_dbuf pbuf;
	struct be_pcache *pc, *pc_next;
	size_t npc, pc_cap;
	struct be_vmrec *vms;
	size_t nvms;
	uint64_t scans;
	uint64_t btime;   /* boot time (/proc/stat), 0 until read */
	char text[32768]; /* comm, cmdline, cgroup of one process */
};

#endif
