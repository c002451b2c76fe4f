/* The isolation inspector: every wall a running container has (and every
 * part it shares with the host), read from the kernel's own files, each
 * line marked and explained in one sentence.  For teaching: `berth inspect
 * --isolation NAME` and the TUI's inspector (i in the detail view). */
#ifndef BE_ISOLATION_H
#define BE_ISOLATION_H

#include <stddef.h>

struct be_ctx;
struct be_error;

enum be_iso_mark {
	BE_ISO_WALL,   /* isolated: the container has its own, or a limit holds */
	BE_ISO_SHARED, /* shared with the host, as designed (the kernel, a time namespace) */
	BE_ISO_OPEN,   /* an open door: nothing stops the container here */
};

struct be_iso_line {
	char section[16]; /* "namespace", "hostname", "rootfs", "network", "cgroup",
	                     "capabilities", "seccomp", "privileges", "paths", "devices" */
	char what[40];    /* "pid", "memory limit", ... */
	char value[320];  /* what was found: "own pid:[4026532301], host pid:[4026531836]" */
	char source[200]; /* the file(s) it was read from */
	enum be_iso_mark mark;
	const char *meaning; /* one sentence on what it means (static text) */
};

struct be_isolation {
	char name[65];
	int pid; /* the container's init, as the host sees it */
	struct be_iso_line *lines;
	size_t n;
};

/* Inspects running container name: its init's namespaces against the
 * host's, hostname, root filesystem, interfaces, cgroup limits with their
 * files, capabilities, seccomp, no_new_privs, masked and read-only paths
 * and device rules.  Fails when it does not run.  Free with
 * be_isolation_free. */
int be_isolation_inspect(struct be_ctx *ctx, const char *name, struct be_isolation *out,
                         struct be_error **err);
void be_isolation_free(struct be_isolation *iso);
/* "wall", "shared", "open door". */
const char *be_iso_mark_name(enum be_iso_mark m);
/* The JSON of `inspect --isolation --json` (docs/isolation.md); the caller
 * frees it. */
char *be_isolation_json(const struct be_isolation *iso);

/* Capability names ("CHOWN", "SYS_ADMIN"...) of bits set in mask into buf,
 * comma-separated; returns how many. */
int be_caps_names(unsigned long long mask, char *buf, size_t len);

#endif
