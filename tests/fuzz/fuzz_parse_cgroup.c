/* Fuzzes the cgroup file parsers of the monitor (backend/stats/parse.c):
 * cpu.stat, cpuacct.stat, cpu.max, memory.stat (v1, v2), memory.events,
 * memory.oom_control, io.stat, blkio, pressure, cgroup.procs, and the
 * number readers under them. */
#include <stdlib.h>

#include "stats/parse.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *t = fuzz_cstr(data, size);
	struct be_cpu_stat cpu;
	parse_cpu_stat_v2(t, &cpu);
	parse_cpu_stat_v1(t, &cpu);
	parse_cpuacct_stat(t, 10000000, &cpu);
	uint64_t a, b;
	parse_cpu_max(t, &a, &b);
	struct be_mem_stat mem;
	if (parse_memory_stat_v1(t, &mem) == 0)
		parse_mem_working_set(a, &mem);
	parse_memory_stat_v2(t, &mem);
	struct be_mem_events ev;
	parse_memory_events(t, &ev);
	parse_oom_control(t, &a, &b);
	struct be_io io;
	parse_io_stat(t, &io);
	parse_blkio(t, &a, &b);
	struct be_psi psi;
	parse_pressure(t, &psi);
	pid_t pids[16];
	parse_pids(t, pids, 16);
	parse_u64(t, &a);
	parse_limit(t, &a);
	static const char *const keys[] = {"usage_usec", "nr_throttled", "anon", "file"};
	uint64_t vals[4];
	parse_keyed(t, keys, 4, vals);
	const char *end;
	parse_decimal(t, &end);
	free(t);
	return 0;
}
