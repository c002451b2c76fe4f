/* Unit tests of backend/parse*.c: every parser on literal file contents as
 * the kernel writes them (v1 and v2), including malformed text. */
#include <stdio.h>
#include <string.h>

#include "stats/parse.h"
#include "testutil.h"

#define MIB 1048576ull

static void test_be_parse_u64_plain(void **state)
{
	(void)state;
	uint64_t v = 0;
	assert_int_equal(parse_u64("123456\n", &v), 0);
	assert_int_equal(v, 123456);
	assert_int_equal(parse_u64("  7 \n", &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(parse_u64("", &v), -1);
	assert_int_equal(parse_u64("12x\n", &v), -1);
	assert_int_equal(parse_u64("-5\n", &v), -1);
	assert_int_equal(parse_u64("99999999999999999999999\n", &v), 0);
	assert_true(v == UINT64_MAX); /* saturates */
}

static void test_be_parse_limit_unlimited_forms(void **state)
{
	(void)state;
	uint64_t v = 0;
	assert_int_equal(parse_limit("max\n", &v), 0);
	assert_true(v == BE_UNLIMITED);
	assert_int_equal(parse_limit("-1\n", &v), 0); /* v1 cfs_quota_us */
	assert_true(v == BE_UNLIMITED);
	assert_int_equal(parse_limit("9223372036854771712\n", &v), 0); /* v1 memory */
	assert_true(v == BE_UNLIMITED);
	assert_int_equal(parse_limit("536870912\n", &v), 0);
	assert_int_equal(v, 512 * MIB);
	assert_int_equal(parse_limit("maximum\n", &v), -1);
	assert_int_equal(parse_limit("-12\n", &v), -1);
}

static void test_be_parse_decimal_locale_free(void **state)
{
	(void)state;
	const char *end;
	assert_true(parse_decimal("12.34 rest", &end) > 12.339);
	assert_true(parse_decimal("12.34 rest", &end) < 12.341);
	assert_string_equal(end, " rest");
	assert_true(parse_decimal("0.00", NULL) == 0.0);
	assert_true(parse_decimal("7", NULL) == 7.0);
}

static void test_be_parse_keyed_colon_and_unknown(void **state)
{
	(void)state;
	static const char *const keys[] = {"a", "bb", "missing"};
	uint64_t v[3] = {0, 0, 42};
	uint64_t f = parse_keyed("zz 1\na 5\nbb: 7 kB\nab 9\n", keys, 3, v);
	assert_int_equal(f, 3);
	assert_int_equal(v[0], 5);
	assert_int_equal(v[1], 7);
	assert_int_equal(v[2], 42);
}

static void test_be_parse_cpu_stat_v2_full(void **state)
{
	(void)state;
	struct be_cpu_stat c = {0};
	const char *text = "usage_usec 81828144\nuser_usec 40867352\nsystem_usec 40960791\n"
	                   "core_sched.force_idle_usec 0\nnr_periods 120\nnr_throttled 30\n"
	                   "throttled_usec 1500000\nnr_bursts 0\nburst_usec 0\n";
	assert_int_equal(parse_cpu_stat_v2(text, &c), 0);
	assert_int_equal(c.usage_ns, 81828144000ull);
	assert_int_equal(c.user_ns, 40867352000ull);
	assert_int_equal(c.system_ns, 40960791000ull);
	assert_true(c.has_split && c.has_throttle);
	assert_int_equal(c.periods, 120);
	assert_int_equal(c.throttled, 30);
	assert_int_equal(c.throttled_ns, 1500000000ull);
}

static void test_be_parse_cpu_stat_v2_no_cpu_controller(void **state)
{
	(void)state;
	/* Without the cpu controller cpu.stat has only the usage lines. */
	struct be_cpu_stat c = {0};
	assert_int_equal(parse_cpu_stat_v2("usage_usec 10\nuser_usec 6\nsystem_usec 4\n", &c), 0);
	assert_true(c.has_usage && c.has_split && !c.has_throttle);
	assert_int_equal(parse_cpu_stat_v2("nr_periods 1\n", &c), -1);
}

static void test_be_parse_cpu_stat_v1_throttle(void **state)
{
	(void)state;
	struct be_cpu_stat c = {0};
	assert_int_equal(parse_cpu_stat_v1("nr_periods 52\nnr_throttled 26\nthrottled_time "
	                                   "1300000000\nnr_bursts 0\nburst_time 0\n",
	                                   &c),
	                 0);
	assert_int_equal(c.periods, 52);
	assert_int_equal(c.throttled, 26);
	assert_int_equal(c.throttled_ns, 1300000000ull);
	assert_int_equal(parse_cpu_stat_v1("nr_periods 52\n", &c), -1);
}

static void test_be_parse_cpuacct_stat_ticks(void **state)
{
	(void)state;
	struct be_cpu_stat c = {0};
	assert_int_equal(parse_cpuacct_stat("user 4186\nsystem 4138\n", 10000000, &c), 0);
	assert_int_equal(c.user_ns, 41860000000ull);
	assert_int_equal(c.system_ns, 41380000000ull);
	assert_int_equal(parse_cpuacct_stat("user 1\n", 10000000, &c), -1);
}

static void test_be_parse_cpu_max_forms(void **state)
{
	(void)state;
	uint64_t q, p;
	assert_int_equal(parse_cpu_max("max 100000\n", &q, &p), 0);
	assert_true(q == BE_UNLIMITED);
	assert_int_equal(p, 100000);
	assert_int_equal(parse_cpu_max("50000 100000\n", &q, &p), 0);
	assert_int_equal(q, 50000);
	assert_int_equal(parse_cpu_max("50000\n", &q, &p), -1);
	assert_int_equal(parse_cpu_max("50000 0\n", &q, &p), -1);
	assert_int_equal(parse_cpu_max("x 100000\n", &q, &p), -1);
}

static const char memory_stat_v1[] =
        "cache 10371072\nrss 9105408\nrss_huge 0\nshmem 9068544\nmapped_file 7598080\n"
        "dirty 12288\nwriteback 0\nswap 0\npgpgin 35722\npgpgout 30967\npgfault 40200\n"
        "pgmajfault 0\ninactive_anon 0\nactive_anon 1531904\ninactive_file 909312\n"
        "active_file 393216\nunevictable 16642048\n"
        "hierarchical_memory_limit 9223372036854771712\n"
        "hierarchical_memsw_limit 9223372036854771712\ntotal_cache 32976896\n"
        "total_rss 16642048\ntotal_rss_huge 0\ntotal_shmem 9068544\n"
        "total_mapped_file 11079680\ntotal_dirty 319488\ntotal_writeback 0\ntotal_swap 4096\n"
        "total_inactive_anon 7290880\ntotal_active_anon 1585152\ntotal_inactive_file 9637888\n"
        "total_active_file 14270464\ntotal_unevictable 16642048\n";

static void test_be_parse_memory_stat_v1_hierarchical(void **state)
{
	(void)state;
	struct be_mem_stat m;
	assert_int_equal(parse_memory_stat_v1(memory_stat_v1, &m), 0);
	assert_int_equal(m.anon, 16642048);
	assert_int_equal(m.file, 32976896);
	assert_int_equal(m.inactive_file, 9637888);
	assert_int_equal(m.active_file, 14270464);
	assert_int_equal(m.shmem, 9068544);
	assert_true(m.has_swap);
	assert_int_equal(m.swap, 4096);
	assert_int_equal(parse_mem_working_set(40000000, &m), 40000000 - 9637888);
	assert_int_equal(parse_mem_working_set(1000, &m), 0); /* never below zero */
}

static void test_be_parse_memory_stat_v1_local_only(void **state)
{
	(void)state;
	struct be_mem_stat m;
	assert_int_equal(
	        parse_memory_stat_v1("cache 100\nrss 200\ninactive_file 30\nactive_file 70\n", &m),
	        0);
	assert_int_equal(m.anon, 200);
	assert_int_equal(m.file, 100);
	assert_int_equal(m.inactive_file, 30);
	assert_false(m.has_swap);
	assert_int_equal(parse_memory_stat_v1("pgfault 1\n", &m), -1);
}

static void test_be_parse_memory_stat_v2_keys(void **state)
{
	(void)state;
	struct be_mem_stat m;
	const char *text = "anon 10485760\nfile 6291456\nkernel 1048576\nkernel_stack 16384\n"
	                   "shmem 4096\nfile_mapped 0\ninactive_anon 0\nactive_anon 10485760\n"
	                   "inactive_file 4194304\nactive_file 2097152\nunevictable 0\n"
	                   "workingset_refault_anon 0\n";
	assert_int_equal(parse_memory_stat_v2(text, &m), 0);
	assert_int_equal(m.anon, 10 * MIB);
	assert_int_equal(m.file, 6 * MIB);
	assert_int_equal(m.inactive_file, 4 * MIB);
	assert_int_equal(m.active_file, 2 * MIB);
	assert_int_equal(m.shmem, 4096);
	assert_int_equal(parse_mem_working_set(16 * MIB, &m), 12 * MIB);
	assert_int_equal(parse_memory_stat_v2("kernel 1\n", &m), -1);
}

static void test_be_parse_memory_events_v2(void **state)
{
	(void)state;
	struct be_mem_events e;
	assert_int_equal(parse_memory_events("low 0\nhigh 4\nmax 17\noom 2\noom_kill 1\n"
	                                     "oom_group_kill 0\n",
	                                     &e),
	                 0);
	assert_int_equal(e.high, 4);
	assert_int_equal(e.max, 17);
	assert_int_equal(e.oom, 2);
	assert_int_equal(e.oom_kill, 1);
	assert_int_equal(parse_memory_events("low 0\nhigh 0\n", &e), -1);
}

static void test_be_parse_oom_control_v1(void **state)
{
	(void)state;
	uint64_t under = 9, kills = 9;
	assert_int_equal(
	        parse_oom_control("oom_kill_disable 0\nunder_oom 1\noom_kill 3\n", &under, &kills),
	        0);
	assert_int_equal(under, 1);
	assert_int_equal(kills, 3);
	/* kernels before 4.13 have no oom_kill line */
	assert_int_equal(parse_oom_control("oom_kill_disable 0\nunder_oom 0\n", &under, &kills), 0);
	assert_int_equal(kills, 0);
	assert_int_equal(parse_oom_control("garbage\n", &under, &kills), -1);
}

static void test_be_parse_io_stat_sums_devices(void **state)
{
	(void)state;
	struct be_io io;
	const char *text = "8:16 rbytes=1048576 wbytes=2097152 rios=10 wios=20 dbytes=0 dios=0\n"
	                   "253:0 rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n";
	assert_int_equal(parse_io_stat(text, &io), 0);
	assert_int_equal(io.rbytes, 1048576 + 4096);
	assert_int_equal(io.wbytes, 2097152);
	assert_int_equal(io.rios, 11);
	assert_int_equal(io.wios, 20);
	assert_int_equal(parse_io_stat("", &io), 0); /* no IO yet */
	assert_int_equal(io.rbytes, 0);
	assert_int_equal(parse_io_stat("8:16 rbytes\n", &io), -1);
	assert_int_equal(parse_io_stat("sda rbytes=1\n", &io), -1);
}

static void test_be_parse_blkio_v1(void **state)
{
	(void)state;
	uint64_t r, w;
	const char *text = "8:0 Read 1048576\n8:0 Write 2097152\n8:0 Sync 3145728\n8:0 Async 0\n"
	                   "8:0 Discard 0\n8:0 Total 3145728\n8:16 Read 10\n8:16 Write 0\n"
	                   "Total 3145738\n";
	assert_int_equal(parse_blkio(text, &r, &w), 0);
	assert_int_equal(r, 1048586);
	assert_int_equal(w, 2097152);
	assert_int_equal(parse_blkio("Total 0\n", &r, &w), 0); /* an idle cgroup */
	assert_int_equal(r, 0);
	assert_int_equal(parse_blkio("8:0 Read\n", &r, &w), -1);
}

static void test_be_parse_pressure_some_full(void **state)
{
	(void)state;
	struct be_psi p;
	assert_int_equal(parse_pressure("some avg10=56.58 avg60=0.24 avg300=0.54 total=9064199\n"
	                                "full avg10=1.00 avg60=0.00 avg300=0.00 total=12\n",
	                                &p),
	                 0);
	assert_true(p.some_avg10 > 56.579 && p.some_avg10 < 56.581);
	assert_true(p.some_avg300 > 0.539 && p.some_avg300 < 0.541);
	assert_int_equal(p.some_total_us, 9064199);
	assert_true(p.has_full);
	assert_true(p.full_avg10 > 0.99 && p.full_avg10 < 1.01);
	assert_int_equal(p.full_total_us, 12);
	/* the host's cpu pressure on old kernels has no full line */
	assert_int_equal(parse_pressure("some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", &p), 0);
	assert_false(p.has_full);
	assert_int_equal(parse_pressure("some avg10=1\n", &p), -1);
	assert_int_equal(parse_pressure("", &p), -1);
}

static void test_be_parse_proc_stat_comm_with_spaces_and_parens(void **state)
{
	(void)state;
	struct be_proc_stat s;
	const char *text = "4242 (my (odd) prog) S 1 4242 4242 0 -1 4194560 100 0 0 0 "
	                   "150 50 0 0 20 0 3 0 12345 100000000 9000 18446744073709551615 0 0 "
	                   "0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n";
	assert_int_equal(parse_proc_stat(text, &s), 0);
	assert_int_equal(s.pid, 4242);
	assert_string_equal(s.comm, "my (odd) prog");
	assert_int_equal(s.state, 'S');
	assert_int_equal(s.ppid, 1);
	assert_int_equal(s.utime, 150);
	assert_int_equal(s.stime, 50);
	assert_int_equal(s.num_threads, 3);
	assert_int_equal(s.starttime, 12345);
	assert_int_equal(s.rss_pages, 9000);
}

static void test_be_parse_proc_stat_bad(void **state)
{
	(void)state;
	struct be_proc_stat s;
	assert_int_equal(parse_proc_stat("4242 noparen S 1\n", &s), -1);
	assert_int_equal(parse_proc_stat("4242 (cut) S 1 2 3\n", &s), -1);
	assert_int_equal(parse_proc_stat("", &s), -1);
	/* Ends right after "(comm) ": no state to read (fuzz_parse_proc found
	 * a read past the end here). */
	assert_int_equal(parse_proc_stat("1 (sd) ", &s), -1);
}

static void test_be_parse_proc_status_fields(void **state)
{
	(void)state;
	struct be_proc_status s;
	const char *text = "Name:\tqemu-system-x86\nUmask:\t0022\nState:\tS (sleeping)\n"
	                   "Tgid:\t700\nNgid:\t0\nPid:\t700\nPPid:\t1\nVmPeak:\t 1000 kB\n"
	                   "VmRSS:\t   36480 kB\nThreads:\t3\n";
	assert_int_equal(parse_proc_status(text, &s), 0);
	assert_string_equal(s.name, "qemu-system-x86");
	assert_int_equal(s.pid, 700);
	assert_int_equal(s.ppid, 1);
	assert_int_equal(s.vm_rss_bytes, 36480ull * 1024);
	assert_int_equal(s.threads, 3);
	assert_int_equal(s.ns_pid, 0); /* no NSpid line */
	/* In a container: the host's pid first, the innermost namespace's last. */
	const char *nested = "Name:\tsh\nPid:\t4242\nNSpid:\t4242\t17\t1\nVmRSS:\t1 kB\n";
	assert_int_equal(parse_proc_status(nested, &s), 0);
	assert_int_equal(s.pid, 4242);
	assert_int_equal(s.ns_pid, 1);
	assert_int_equal(parse_proc_status("Name:\tx\nPid:\t9\nNSpid:\t9\n", &s), 0);
	assert_int_equal(s.ns_pid, 9);
	assert_int_equal(parse_proc_status("Umask:\t0022\n", &s), -1);
}

static void test_be_parse_net_dev_skips_lo(void **state)
{
	(void)state;
	struct be_net_dev n;
	const char *text =
	        "Inter-|   Receive                                                |  Transmit\n"
	        " face |bytes    packets errs drop fifo frame compressed multicast|bytes    "
	        "packets errs drop fifo colls carrier compressed\n"
	        "    lo:  999999    9999    0    0    0     0          0         0   999999    "
	        "9999    0    0    0     0       0          0\n"
	        "  eth0: 1048576    1000    0    0    0     0          0         0   524288     "
	        "500    0    0    0     0       0          0\n"
	        "  eth1:10    1    0    0    0     0          0         0   20     2    0    0    "
	        "0     0       0          0\n";
	assert_int_equal(parse_net_dev(text, &n), 0);
	assert_int_equal(n.ifaces, 2);
	assert_int_equal(n.rx_bytes, 1048586);
	assert_int_equal(n.rx_packets, 1001);
	assert_int_equal(n.tx_bytes, 524308);
	assert_int_equal(n.tx_packets, 502);
	assert_int_equal(parse_net_dev("  eth0: 1 2 3\n", &n), -1);
}

static void test_be_parse_meminfo_kb(void **state)
{
	(void)state;
	struct be_meminfo m;
	assert_int_equal(parse_meminfo("MemTotal:        8000000 kB\nMemFree:         2000000 kB\n"
	                               "MemAvailable:    6000000 kB\nBuffers:          100000 kB\n"
	                               "Cached:          3000000 kB\nSwapTotal:       1000000 kB\n"
	                               "SwapFree:         900000 kB\n",
	                               &m),
	                 0);
	assert_int_equal(m.total, 8000000ull * 1024);
	assert_int_equal(m.available, 6000000ull * 1024);
	assert_int_equal(m.swap_free, 900000ull * 1024);
	/* no MemAvailable (kernel < 3.14): free + buffers + cached */
	assert_int_equal(parse_meminfo("MemTotal: 100 kB\nMemFree: 10 kB\nBuffers: 5 kB\n"
	                               "Cached: 20 kB\n",
	                               &m),
	                 0);
	assert_int_equal(m.available, 35 * 1024);
	assert_int_equal(parse_meminfo("Buffers: 5 kB\n", &m), -1);
}

static void test_be_parse_loadavg_line(void **state)
{
	(void)state;
	struct be_loadavg l;
	assert_int_equal(parse_loadavg("2.17 1.01 0.49 1/103 13152\n", &l), 0);
	assert_true(l.load1 > 2.169 && l.load1 < 2.171);
	assert_true(l.load15 > 0.489 && l.load15 < 0.491);
	assert_int_equal(l.running, 1);
	assert_int_equal(l.total, 103);
	assert_int_equal(parse_loadavg("x y z\n", &l), -1);
}

static void test_be_parse_proc_stat_cpus_each(void **state)
{
	(void)state;
	struct be_cpu_times all, each[4];
	size_t n;
	const char *text = "cpu  1000 10 500 8000 500 0 0 0 0 0\n"
	                   "cpu0 500 5 250 4000 250 0 0 0 0 0\n"
	                   "cpu1 500 5 250 4000 250 0 0 0 0 0\nintr 1 2 3\nctxt 4\n";
	assert_int_equal(parse_proc_stat_cpus(text, &all, each, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(all.total, 10010);
	assert_int_equal(all.busy, 10010 - 8000 - 500);
	assert_int_equal(each[1].busy, 755);
	/* more CPUs than room: counted, not written */
	assert_int_equal(parse_proc_stat_cpus(text, &all, each, 1, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(parse_proc_stat_cpus("intr 1\n", &all, each, 4, &n), -1);
}

static void test_be_parse_pids_procs(void **state)
{
	(void)state;
	pid_t p[2];
	assert_int_equal(parse_pids("100\n101\n102\n", p, 2), 3);
	assert_int_equal(p[0], 100);
	assert_int_equal(p[1], 101);
	assert_int_equal(parse_pids("", p, 2), 0);
	assert_int_equal(parse_pids("12a\n", p, 2), -1);
	assert_int_equal(parse_pids("0\n", p, 2), -1);
}

static void test_be_parse_proc_cgroup_v1_v2(void **state)
{
	(void)state;
	char path[128];
	const char *text = "12:pids:/a\n4:memory:/machine.slice/x\n2:cpu,cpuacct:/c\n"
	                   "1:name=systemd:/s\n0::/unified/y\n";
	assert_int_equal(parse_proc_cgroup(text, "memory", path, sizeof(path)), 0);
	assert_string_equal(path, "/machine.slice/x");
	assert_int_equal(parse_proc_cgroup(text, "cpuacct", path, sizeof(path)), 0);
	assert_string_equal(path, "/c");
	assert_int_equal(parse_proc_cgroup(text, NULL, path, sizeof(path)), 0);
	assert_string_equal(path, "/unified/y");
	assert_int_equal(parse_proc_cgroup(text, "blkio", path, sizeof(path)), -1);
}

/* A command line as /proc/<pid>/cmdline holds it: words ended by NULs. */
static size_t cmdline(char *buf, const char *const *words)
{
	size_t n = 0;
	for (; *words; words++) {
		strcpy(buf + n, *words);
		n += strlen(*words) + 1;
	}
	return n;
}

static void test_be_parse_vm_cmdline_qemu(void **state)
{
	(void)state;
	char buf[512];
	struct be_vm_cmdline c;
	const char *const a[] = {"/usr/bin/qemu-system-x86_64",
	                         "-S",
	                         "-display",
	                         "none",
	                         "-nodefaults",
	                         "-m",
	                         "64",
	                         NULL};
	assert_int_equal(parse_vm_cmdline(buf, cmdline(buf, a), &c), 0);
	assert_string_equal(c.vmm, "qemu");
	assert_int_equal(c.mem_bytes, 64 * MIB);
	assert_int_equal(c.vcpus, 1);
	assert_string_equal(c.name, "");
	const char *const b[] = {
	        "qemu-system-aarch64",       "-name", "guest=vm1,debug-threads=on", "-m",
	        "size=2G,slots=4,maxmem=8G", "-smp",  "4,sockets=1,cores=4",        NULL};
	assert_int_equal(parse_vm_cmdline(buf, cmdline(buf, b), &c), 0);
	assert_string_equal(c.name, "vm1");
	assert_int_equal(c.mem_bytes, 2048 * MIB);
	assert_int_equal(c.vcpus, 4);
	const char *const d[] = {"qemu-kvm", "--name", "plain", "-smp", "sockets=2,cores=3", NULL};
	assert_int_equal(parse_vm_cmdline(buf, cmdline(buf, d), &c), 0);
	assert_string_equal(c.name, "plain");
	assert_int_equal(c.mem_bytes, 128 * MIB); /* qemu's default */
	assert_int_equal(c.vcpus, 6);
}

static void test_be_parse_vm_cmdline_others(void **state)
{
	(void)state;
	char buf[512];
	struct be_vm_cmdline c;
	const char *const fc[] = {"firecracker", "--id", "fc1", "--api-sock", "/run/x", NULL};
	assert_int_equal(parse_vm_cmdline(buf, cmdline(buf, fc), &c), 0);
	assert_string_equal(c.vmm, "firecracker");
	assert_string_equal(c.name, "fc1");
	assert_int_equal(c.mem_bytes, 0); /* set through its API: unknown */
	const char *const ch[] = {
	        "/usr/bin/cloud-hypervisor", "--cpus", "boot=2", "--memory", "size=1G", NULL};
	assert_int_equal(parse_vm_cmdline(buf, cmdline(buf, ch), &c), 0);
	assert_string_equal(c.vmm, "cloud-hypervisor");
	assert_int_equal(c.mem_bytes, 1024 * MIB);
	assert_int_equal(c.vcpus, 2);
	const char *const cv[] = {"crosvm", "run", "--mem", "512", "--cpus", "3", "vmlinux", NULL};
	assert_int_equal(parse_vm_cmdline(buf, cmdline(buf, cv), &c), 0);
	assert_int_equal(c.mem_bytes, 512 * MIB);
	assert_int_equal(c.vcpus, 3);
	const char *const no[] = {"/bin/bash", "-m", "64", NULL};
	assert_int_equal(parse_vm_cmdline(buf, cmdline(buf, no), &c), -1);
	assert_int_equal(parse_vm_cmdline(buf, 0, &c), -1);
	/* cut without a final NUL: the last word is dropped, not overrun */
	memcpy(buf,
	       "qemu-system-x86_64\0-m\0"
	       "12",
	       24);
	assert_int_equal(parse_vm_cmdline(buf, 24, &c), 0);
	assert_int_equal(c.mem_bytes, 128 * MIB);
}

static void test_be_parse_qemu_mem_units(void **state)
{
	(void)state;
	uint64_t b;
	assert_int_equal(parse_qemu_mem("64", &b), 0);
	assert_int_equal(b, 64 * MIB);
	assert_int_equal(parse_qemu_mem("64M", &b), 0);
	assert_int_equal(b, 64 * MIB);
	assert_int_equal(parse_qemu_mem("1.5G", &b), 0);
	assert_int_equal(b, 1536 * MIB);
	assert_int_equal(parse_qemu_mem("2097152k", &b), 0);
	assert_int_equal(b, 2048 * MIB);
	assert_int_equal(parse_qemu_mem("512M,slots=2,maxmem=4G", &b), 0);
	assert_int_equal(b, 512 * MIB);
	assert_int_equal(parse_qemu_mem("slots=2,size=1G", &b), 0);
	assert_int_equal(b, 1024 * MIB);
	assert_int_equal(parse_qemu_mem("64X", &b), -1);
	assert_int_equal(parse_qemu_mem("slots=2", &b), -1);
	assert_int_equal(parse_qemu_mem("", &b), -1);
}

static void test_be_is_vcpu_thread_names(void **state)
{
	(void)state;
	assert_true(parse_is_vcpu_thread("CPU 0/KVM"));
	assert_true(parse_is_vcpu_thread("CPU 12/TCG"));
	assert_true(parse_is_vcpu_thread("fc_vcpu 1"));
	assert_true(parse_is_vcpu_thread("vcpu0"));
	assert_true(parse_is_vcpu_thread("crosvm_vcpu2"));
	assert_false(parse_is_vcpu_thread("qemu-system-x86"));
	assert_false(parse_is_vcpu_thread("CPU hog"));
	assert_false(parse_is_vcpu_thread("vcpus"));
	assert_string_equal(parse_vmm_of("cloud-hyperviso"), "cloud-hypervisor");
	assert_null(parse_vmm_of("qemu-img"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_be_parse_u64_plain),
	        cmocka_unit_test(test_be_parse_limit_unlimited_forms),
	        cmocka_unit_test(test_be_parse_decimal_locale_free),
	        cmocka_unit_test(test_be_parse_keyed_colon_and_unknown),
	        cmocka_unit_test(test_be_parse_cpu_stat_v2_full),
	        cmocka_unit_test(test_be_parse_cpu_stat_v2_no_cpu_controller),
	        cmocka_unit_test(test_be_parse_cpu_stat_v1_throttle),
	        cmocka_unit_test(test_be_parse_cpuacct_stat_ticks),
	        cmocka_unit_test(test_be_parse_cpu_max_forms),
	        cmocka_unit_test(test_be_parse_memory_stat_v1_hierarchical),
	        cmocka_unit_test(test_be_parse_memory_stat_v1_local_only),
	        cmocka_unit_test(test_be_parse_memory_stat_v2_keys),
	        cmocka_unit_test(test_be_parse_memory_events_v2),
	        cmocka_unit_test(test_be_parse_oom_control_v1),
	        cmocka_unit_test(test_be_parse_io_stat_sums_devices),
	        cmocka_unit_test(test_be_parse_blkio_v1),
	        cmocka_unit_test(test_be_parse_pressure_some_full),
	        cmocka_unit_test(test_be_parse_proc_stat_comm_with_spaces_and_parens),
	        cmocka_unit_test(test_be_parse_proc_stat_bad),
	        cmocka_unit_test(test_be_parse_proc_status_fields),
	        cmocka_unit_test(test_be_parse_net_dev_skips_lo),
	        cmocka_unit_test(test_be_parse_meminfo_kb),
	        cmocka_unit_test(test_be_parse_loadavg_line),
	        cmocka_unit_test(test_be_parse_proc_stat_cpus_each),
	        cmocka_unit_test(test_be_parse_pids_procs),
	        cmocka_unit_test(test_be_parse_proc_cgroup_v1_v2),
	        cmocka_unit_test(test_be_parse_vm_cmdline_qemu),
	        cmocka_unit_test(test_be_parse_vm_cmdline_others),
	        cmocka_unit_test(test_be_parse_qemu_mem_units),
	        cmocka_unit_test(test_be_is_vcpu_thread_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
