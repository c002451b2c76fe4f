/* Public API of the container runtime: create, start (through a keeper
 * process per container), stop, kill, pause, exec, logs, inspect, remove. */
#ifndef BE_CONTAINER_H
#define BE_CONTAINER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "be_cgroup.h"

struct be_ctx;
struct be_error;

/* none: loopback only; host: the host's network namespace; bridge: a veth
 * on a bridge network (be_net.h), with an address, NAT and ports. */
enum be_net_mode { BE_NET_NONE = 0, BE_NET_HOST = 1, BE_NET_BRIDGE = 2 };

/* What the user asks for at create time (config.json).  Strings are
 * borrowed; NULL fields take the image's defaults. */
struct be_container_spec {
	const char *name; /* NULL: a generated name */
	const char *image;
	char *const *cmd; /* NULL or empty: the image's cmd */
	char *const *env; /* extra "K=V" values (-e), NULL-terminated or NULL */
	const char *workdir;
	const char *user;     /* "uid[:gid]" or a name from the image's /etc/passwd */
	const char *hostname; /* NULL: the container's name */
	enum be_net_mode net;
	struct be_limits limits;
	bool tty;
	bool interactive;
	bool auto_remove; /* --rm: removed when its init exits */
	/* -v, --mount, --tmpfs (be_volume_parse_*): bind sources are checked
	 * and named volumes made at create. */
	const struct be_mount *mounts;
	size_t n_mounts;
	bool read_only; /* --read-only: the root filesystem */
	/* BE_NET_BRIDGE: the network to join (NULL: BE_NET_DEFAULT) and the
	 * ports to publish (-p; checked for conflicts at create and start). */
	const char *network;
	const struct be_port *ports;
	size_t n_ports;
	/* net not given (-1 is not a mode): bridge for the default root when
	 * the host allows it, none for any other root. */
	bool net_default;
};

/* Creates containers/<name>/ with config.json, state.json and the overlay
 * working set.  Fails with nothing created on a bad name, an unknown image,
 * bad limits, or an existing name.  name_out (may be NULL) receives the
 * name (BE_NAME_MAX + 1 bytes). */
int be_container_create(struct be_ctx *ctx, const struct be_container_spec *spec, char *name_out,
                        struct be_error **err);

/* How a start connects the container's stdio.  With attach, the container's
 * stdout/stderr go to out_fd/err_fd as well as to its log; in_fd (or -1
 * for /dev/null) is its stdin.  console_fd >= 0 (the container end of
 * be_console_pair) gives it a terminal of its own instead (no log): its
 * master arrives on the client end (be_console_recv). */
struct be_start_opts {
	bool attach;
	int in_fd;
	int out_fd;
	int err_fd;
	int console_fd;
	/* Filled on success when attach: the keeper writes the container's
	 * exit code here as decimal text, then closes it (EOF without a code:
	 * the keeper vanished); the caller closes it. */
	int exit_fd;
	/* The caller exits once the container has started (or ended, when
	 * attached), as the CLI's run does: its keeper may then be its own
	 * child, forked once instead of twice (init or a subreaper collects
	 * it once the caller is gone).  A long-lived caller (the TUI) leaves
	 * it false: its keepers are nobody's children, so none waits on it. */
	bool caller_exits;
};

/* Starts a created or exited container: forks its keeper (which detaches,
 * mounts, makes the cgroup, clones the init) and returns once the init has
 * exec'd.  A failing exec is reported with exitcode 126/127 in *err. */
int be_container_start(struct be_ctx *ctx, const char *name, struct be_start_opts *opts,
                       struct be_error **err);

/* be_container_create then be_container_start under one lock, as `docker
 * run`, without reading back what was just written: no other client can
 * start, stop or remove it in between, and a container that cannot start
 * (the error's exitcode says 125, 126 or 127) is removed again, leaving
 * nothing.  name_out (may be NULL) receives the name (BE_NAME_MAX + 1
 * bytes); opts as be_container_start. */
int be_container_run(struct be_ctx *ctx, const struct be_container_spec *spec,
                     struct be_start_opts *opts, char *name_out, struct be_error **err);

/* Waits until the container is not running and returns its exit code. */
int be_container_wait(struct be_ctx *ctx, const char *name, struct be_error **err);

/* SIGTERM (or the image's stop signal), then SIGKILL after timeout_s;
 * returns once the keeper has cleaned up.  Not running: success. */
int be_container_stop(struct be_ctx *ctx, const char *name, unsigned timeout_s,
                      struct be_error **err);
/* Stops (as be_container_stop) and starts again; a --rm container is kept
 * across it, as docker does. */
int be_container_restart(struct be_ctx *ctx, const char *name, unsigned timeout_s,
                         struct be_error **err);
int be_container_kill(struct be_ctx *ctx, const char *name, int sig, struct be_error **err);
int be_container_pause(struct be_ctx *ctx, const char *name, bool paused, struct be_error **err);
/* Removes a stopped container (force: stops it first). */
int be_container_remove(struct be_ctx *ctx, const char *name, bool force, struct be_error **err);
/* Changes limits of a container; applied live when it runs.  Fields of lim
 * that are zero are left as they were. */
int be_container_update(struct be_ctx *ctx, const char *name, const struct be_limits *lim,
                        struct be_error **err);

enum be_container_status {
	BE_STATUS_CREATED,
	BE_STATUS_RUNNING,
	BE_STATUS_PAUSED,
	BE_STATUS_EXITED,
	BE_STATUS_DAMAGED,  /* its records cannot be read: `problem` says why */
	BE_STATUS_ORPHANED, /* runs, but containers/NAME is gone: `cgroup` and `pid` say where */
};
const char *be_container_status_name(enum be_container_status s);

struct be_container_info {
	char name[BE_NAME_MAX + 1];
	char image[BE_NAME_MAX + 1];
	char *command; /* joined argv, for display */
	enum be_container_status status;
	pid_t pid;     /* init's pid on the host, 0 when not running */
	int exit_code; /* -1: none or unknown */
	bool oom_killed;
	int64_t created;     /* unix seconds */
	int64_t started_ns;  /* unix ns, 0 never */
	int64_t finished_ns; /* unix ns, 0 never */
	struct be_limits limits;
	char *problem;    /* DAMAGED, ORPHANED or keeper_gone: the one-line why; else NULL */
	char *cgroup;     /* ORPHANED: "PARENT/NAME"; else NULL */
	bool keeper_gone; /* its keeper died while its processes run (prune ends them) */
	enum be_net_mode net;
	char network[BE_NAME_MAX + 1]; /* bridge: its network */
	char ip[16];                   /* running on a bridge: its address, else "" */
	char *ports; /* running: "127.0.0.1:8080->80/tcp, ..." as published, else NULL */
};

/* Every container, and every orphan (a running cgroup of this root whose
 * records are gone).  Reads only: never kills or removes (a dead keeper is
 * recorded as an exit when nothing of its container runs).  Free with
 * be_container_list_free. */
int be_container_list(struct be_ctx *ctx, struct be_container_info **out, size_t *n,
                      struct be_error **err);
int be_container_get(struct be_ctx *ctx, const char *name, struct be_container_info *out,
                     struct be_error **err);
void be_container_info_clear(struct be_container_info *info);
void be_container_list_free(struct be_container_info *list, size_t n);
/* What `system prune` ends: orphans and containers whose keeper died while
 * their processes run.  Free with be_container_list_free. */
int be_container_orphans(struct be_ctx *ctx, struct be_container_info **out, size_t *n,
                         struct be_error **err);
/* Ends one entry of be_container_orphans (kills what runs, removes its
 * cgroup); fails when NAME is a healthy container. */
int be_container_end_orphan(struct be_ctx *ctx, const char *name, struct be_error **err);
/* JSON text of `ps --json` (an array) and of `inspect`; the caller frees. */
char *be_container_list_json(const struct be_container_info *list, size_t n);
int be_container_inspect_json(struct be_ctx *ctx, const char *name, char **out,
                              struct be_error **err);

/* exec: runs argv in the running container (every namespace and its
 * cgroup).  stdio as in be_start_opts (console_fd or in/out/err fds).  Returns
 * the command's exit status (126/127 for exec failures), or -1 with *err. */
struct be_exec_opts {
	char *const *argv;
	char *const *env; /* extra "K=V" */
	const char *user;
	const char *workdir;
	int in_fd, out_fd, err_fd;
	int console_fd; /* >= 0: a terminal instead of the three (as be_start_opts) */
};
int be_container_exec(struct be_ctx *ctx, const char *name, const struct be_exec_opts *opts,
                      struct be_error **err);

/* Logs: copies the last `tail` lines (BE_LOGS_ALL: all) of the container's log to
 * out_fd; with follow, keeps copying until the container stops or
 * *stop becomes true. */
#define BE_LOGS_ALL (~0ul)
int be_container_logs(struct be_ctx *ctx, const char *name, unsigned long tail, bool follow,
                      int out_fd, volatile int *stop, struct be_error **err);

/* -t: the container opens a terminal in its own /dev/pts (so `tty` inside
 * names it) and passes the master back over a socket, as crun's console
 * socket.  be_console_pair makes the socket; give *container_end as
 * console_fd and close it once the call returned (for exec: once the exec
 * is under way, from another process).  be_console_recv returns the master,
 * sized as size_fd's terminal when size_fd is one (-1: leave the size). */
int be_console_pair(int *client_end, int *container_end, struct be_error **err);
int be_console_recv(int client_end, int size_fd, struct be_error **err);
/* Copies in_fd -> master and master -> out_fd until the master hangs up or
 * *stop becomes true.  When a signal interrupts it (SIGWINCH: the caller
 * installs a handler without SA_RESTART), in_fd's window size is copied to
 * the master, so the container's terminal follows the client's. */
int be_pty_relay(int master, int in_fd, int out_fd, volatile int *stop);

#endif
