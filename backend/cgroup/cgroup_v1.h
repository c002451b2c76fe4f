/* Private to the v1 backend: where controllers are mounted, read without
 * libcgroup (cgroup_v1_mounts.c). */
#ifndef BE_CGROUP_V1_H
#define BE_CGROUP_V1_H

#include "cgroup/cgroup.h"

/* The mount point of a v1 controller (from /proc/self/mountinfo, read
 * once per process), or NULL when it is not mounted.  The string lives as
 * long as the process. */
const char *cg_v1_mount_point(const char *controller);
/* Fills *err after libcgroup's start-up failed with code: the cgroup2
 * mount it could not read (path and errno) when there is one, else its
 * code and errno.  Returns -1. */
int cg_v1_explain_init(int code, struct be_error **err);

#endif
