/* The limit options (name, short name, help, parser) as one table: the CLI's
 * create/run/update and the TUI's limits dialog are built from it. */
#include <string.h>

#include "berth.h"

static int set_memory(const char *t, struct be_limits *l, struct be_error **err)
{
	return be_limits_parse_memory(t, &l->memory, err);
}

static int set_swap(const char *t, struct be_limits *l, struct be_error **err)
{
	return be_limits_parse_memory_swap(t, &l->memory_swap, err);
}

static int set_cpus(const char *t, struct be_limits *l, struct be_error **err)
{
	return be_limits_parse_cpus(t, &l->cpu_quota_us, &l->cpu_period_us, err);
}

/* A weight, with an error that names the option and shows the whole text. */
static int set_weight(const char *opt, const char *t, uint64_t *out, struct be_error **err)
{
	struct be_error *e = NULL;
	if (be_limits_parse_weight(t, out, &e) == 0)
		return 0;
	be_error_free(e);
	return be_error_set(err, 0, "invalid --%s \"%s\": want a number from 1 to 10000", opt,
	                    t ? t : "");
}

static int set_cpu_weight(const char *t, struct be_limits *l, struct be_error **err)
{
	return set_weight("cpu-weight", t, &l->cpu_weight, err);
}

static int set_pids(const char *t, struct be_limits *l, struct be_error **err)
{
	return be_limits_parse_pids(t, &l->pids_max, err);
}

static int set_io_weight(const char *t, struct be_limits *l, struct be_error **err)
{
	return set_weight("io-weight", t, &l->io_weight, err);
}

const struct be_limit_option be_limit_options[] = {
        {{"memory", 'm', BE_OPT_VALUE, "SIZE", "memory limit (e.g. 512m, 1g; at least 4m)"},
         set_memory},
        {{"memory-swap", 0, BE_OPT_VALUE, "SIZE", "memory plus swap limit, or -1 for unlimited"},
         set_swap},
        {{"cpus", 0, BE_OPT_VALUE, "N", "CPU quota in CPUs (e.g. 0.5, 2)"}, set_cpus},
        {{"cpu-weight", 0, BE_OPT_VALUE, "W", "CPU weight 1-10000 (v1: cpu.shares)"},
         set_cpu_weight},
        {{"pids-limit", 0, BE_OPT_VALUE, "N", "most processes at once, 1-4194304 (-1: unlimited)"},
         set_pids},
        {{"io-weight", 0, BE_OPT_VALUE, "W", "block IO weight 1-10000 where the kernel has it"},
         set_io_weight},
        {{0}, NULL},
};

int be_limits_set(struct be_limits *lim, const char *name, const char *text, struct be_error **err)
{
	for (const struct be_limit_option *o = be_limit_options; o->opt.name; o++)
		if (strcmp(o->opt.name, name) == 0)
			return o->parse(text, lim, err);
	return be_error_set(err, 0, "unknown limit --%s", name);
}
