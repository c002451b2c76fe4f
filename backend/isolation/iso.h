/* The isolation module's own helpers, shared by its two files. */
#ifndef BE_ISO_INT_H
#define BE_ISO_INT_H

#include "berth.h"
#include "base/util.h"

__attribute__((format(printf, 7, 8))) void iso_add(struct be_isolation *iso, const char *section,
                                                   const char *what, enum be_iso_mark mark,
                                                   const char *meaning, const char *source,
                                                   const char *fmt, ...);
/* A small file's text, or NULL (caller frees). */
char *iso_read(const char *path);
/* The limit files of the container's cgroup (v1 and v2 names). */
void iso_cgroup(struct be_ctx *ctx, const char *name, struct be_isolation *iso);
/* Capabilities, seccomp and no_new_privs from /proc/PID/status. */
void iso_privileges(struct be_ctx *ctx, struct be_isolation *iso);
/* berth's masked and read-only paths and the device rules. */
void iso_policy(struct be_ctx *ctx, const char *name, struct be_isolation *iso);

/* be_isolation_inspect once the init's pid is known (unit tests call it on
 * fixture /proc and cgroup trees). */
void iso_inspect_pid(struct be_ctx *ctx, const char *name, int pid, struct be_isolation *out);

#endif
