/* Fuzzes the /proc parsers (backend/stats/parse_proc.c, parse_vm.c):
 * /proc/PID/stat, status, cgroup, /proc/net/dev, meminfo, loadavg,
 * /proc/stat, a VM's command line and its memory size. */
#include <stdlib.h>
#include <string.h>

#include "stats/parse.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *t = fuzz_cstr(data, size);
	struct be_proc_stat ps;
	parse_proc_stat(t, &ps);
	struct be_proc_status st;
	parse_proc_status(t, &st);
	struct be_net_dev nd;
	parse_net_dev(t, &nd);
	struct be_meminfo mi;
	parse_meminfo(t, &mi);
	struct be_loadavg la;
	parse_loadavg(t, &la);
	struct be_cpu_times all, each[8];
	size_t n;
	parse_proc_stat_cpus(t, &all, each, 8, &n);
	char path[256];
	parse_proc_cgroup(t, "memory", path, sizeof(path));
	parse_proc_cgroup(t, "", path, sizeof(path));
	parse_vmm_of(t);
	/* A command line is NUL-separated: the raw bytes, not the C string. */
	struct be_vm_cmdline vm;
	memset(&vm, 0, sizeof(vm));
	parse_vm_cmdline((const char *)data, size, &vm);
	uint64_t bytes;
	parse_qemu_mem(t, &bytes);
	parse_is_vcpu_thread(t);
	free(t);
	return 0;
}
