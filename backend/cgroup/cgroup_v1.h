/* Private to the v1 backend: where controllers are mounted
 * (cgroup_v1_mounts.c). */
#ifndef BE_CGROUP_V1_H
#define BE_CGROUP_V1_H

#include "cgroup/cgroup.h"

/* The mount point of a v1 controller (from /proc/self/mountinfo, read
 * once per process), or NULL when it is not mounted.  The string lives as
 * long as the process. */
const char *cg_v1_mount_point(const char *controller);

#endif
