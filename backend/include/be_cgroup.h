/* Public part of the cgroup module: the resource limits a container asks
 * for, and the parsers the front ends use to fill them from option text.
 * Creating, limiting and removing cgroups is internal (backend/cgroup/cgroup.h). */
#ifndef BE_CGROUP_H
#define BE_CGROUP_H

#include <stdbool.h>
#include <stdint.h>

#include "be_opts.h"

struct be_error;
struct be_ctx;

/* What a container may use.  Zero in a field means "not limited" (or the
 * kernel's default for weights). */
struct be_limits {
	/* bytes, 0 = unlimited; else at least 4 MiB */
	uint64_t memory;
	/* bytes of memory+swap, as docker's --memory-swap: 0 = default (twice
	 * memory when memory is set), -1 = unlimited swap, else >= memory */
	int64_t memory_swap;
	/* CFS quota per period, 0 = unlimited; period 0 = default (100000) */
	uint64_t cpu_quota_us;
	uint64_t cpu_period_us;
	/* 1..10000 as cgroup v2 cpu.weight, 0 = default; v1: cpu.shares */
	uint64_t cpu_weight;
	/* > 0: most tasks at once; 0 or -1 = unlimited */
	int64_t pids_max;
	/* 1..10000 as io.weight, 0 = default; v1: blkio.weight or
	 * blkio.bfq.weight where the kernel has one, else ignored */
	uint64_t io_weight;
};

#define BE_LIMITS_MEMORY_MIN (4ull << 20)
#define BE_LIMITS_PERIOD_DEFAULT 100000u
#define BE_LIMITS_PIDS_MAX 4194304

/* --memory: a size ("512m", "1g", powers of 1024) of at least 4 MiB.
 * Fails with a one-line error naming the option on anything else. */
int be_limits_parse_memory(const char *text, uint64_t *out, struct be_error **err);
/* --memory-swap: a size of at least 4 MiB, or "-1" (gives -1: unlimited). */
int be_limits_parse_memory_swap(const char *text, int64_t *out, struct be_error **err);
/* --cpus: a decimal number of CPUs from 0.01 to the number of online CPUs;
 * "0.5" gives quota 50000 and period 100000.  No exponents, no hex. */
int be_limits_parse_cpus(const char *text, uint64_t *quota_us, uint64_t *period_us,
                         struct be_error **err);
/* --pids-limit: an integer from 1 to 4194304, or "-1" or "max" for
 * unlimited (both give -1, so a caller can tell it was given); "0" is
 * refused with the range. */
int be_limits_parse_pids(const char *text, int64_t *out, struct be_error **err);
/* --cpu-weight, --io-weight: an integer from 1 to 10000. */
int be_limits_parse_weight(const char *text, uint64_t *out, struct be_error **err);
/* Checks a whole set of limits (ranges, and --memory-swap against
 * --memory); fails with a one-line error naming the option at fault. */
int be_limits_check(const struct be_limits *lim, struct be_error **err);

/* The one table of limit options: `create`, `run` and `update` take them
 * as options, and the TUI's limits dialog parses its text with the same
 * table.  parse sets its field of lim from text, or fails with a one-line
 * error naming the option. */
struct be_limit_option {
	struct be_option opt;
	int (*parse)(const char *text, struct be_limits *lim, struct be_error **err);
};
/* Ended by a zeroed entry. */
extern const struct be_limit_option be_limit_options[];
/* Sets the limit whose long option is name from text (be_limit_options'
 * parser); an unknown name fails. */
int be_limits_set(struct be_limits *lim, const char *name, const char *text, struct be_error **err);

#endif
