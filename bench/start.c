/* bench/start: how long `berth run --rm demo /bin/true` takes against
 * `crun run` of an equivalent bundle (busybox rootfs, same namespaces) and
 * against a floor program that only clones the namespaces, mounts the
 * overlay, pivots and execs.  Interleaved rounds; wall medians and ratios,
 * and the CPU of each whole process tree: every process each runner makes
 * (berth's keeper and reaper included, which leave the client's process
 * group) stays in a cpuacct group of the runner's, and the containers'
 * own groups live under a parent group the bench holds, so that cpuacct
 * sums everything, whatever exits when.  Needs root.  Everything runs in
 * a private mount namespace so that crun, which refuses a hybrid host,
 * does not see its cgroup2 mount.  berth's state root is under /tmp
 * (BENCH_DIR to choose another place), its run directory on a tmpfs, as
 * for the default root (/var/lib/berth and /run/berth) and as crun keeps
 * its state in /run/crun. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS_DEFAULT 40

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* cpuacct groups: one per runner for its processes, one per runner for
 * its containers' groups (crun's cgroupsPath, berth's parent group). */
#define ACCT "/sys/fs/cgroup/cpuacct"
enum { R_BERTH, R_CRUN, R_FLOOR, NRUNNERS };
static const char *const runner_name[NRUNNERS] = {"berth", "crun", "floor"};
static char acct_dir[128], berth_parent[160];

static void write_str(const char *path, const char *v)
{
	int fd = open(path, O_WRONLY);
	if (fd >= 0) {
		if (write(fd, v, strlen(v)) < 0) {
			/* the figure for this runner will be missing */
		}
		close(fd);
	}
}

static unsigned long long read_ull(const char *path)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return strtoull(buf, NULL, 10);
}

/* ns of CPU charged to ACCT/<rel> and below. */
static unsigned long long usage_of(const char *dir)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/cpuacct.usage", dir);
	return read_ull(p);
}

static int current_runner = -1;

static int run_quiet(const char *const argv[])
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (current_runner >= 0) {
			char p[256];
			snprintf(p, sizeof(p), "%s/%s/cgroup.procs", acct_dir,
			         runner_name[current_runner]);
			write_str(p, "0");
		}
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int shell(const char *cmd)
{
	const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
	return run_quiet(argv);
}

/* ---- the floor: clone, overlay, pivot_root, exec ------------------------ */

static char stack[256 * 1024];
static const char *floor_opts, *floor_merged;

static int floor_child(void *arg)
{
	(void)arg;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("overlay", floor_merged, "overlay", 0, floor_opts) < 0 ||
	    chdir(floor_merged) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 ||
	    umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		_exit(125);
	execl("/bin/true", "true", (char *)NULL);
	_exit(127);
}

static int floor_main(const char *opts, const char *merged)
{
	floor_opts = opts;
	floor_merged = merged;
	int flags =
	        CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | SIGCHLD;
	pid_t pid = clone(floor_child, stack + sizeof(stack), flags, NULL);
	if (pid < 0)
		return 125;
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 125;
}

/* ---- set-up --------------------------------------------------------------- */

/* printf format: the cgroupsPath. */
static const char crun_config[] =
        "{\"ociVersion\":\"1.0.0\",\"process\":{\"terminal\":false,\"user\":{\"uid\":0,\"gid\":0},"
        "\"args\":[\"/bin/true\"],\"env\":[\"PATH=/bin:/usr/bin\"],\"cwd\":\"/\","
        "\"capabilities\":{\"bounding\":[\"CAP_KILL\"],\"effective\":[\"CAP_KILL\"],"
        "\"permitted\":[\"CAP_KILL\"]},\"noNewPrivileges\":true},"
        "\"root\":{\"path\":\"rootfs\",\"readonly\":false},\"hostname\":\"bench\","
        "\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
        "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"nosuid\","
        "\"mode=755\"]}],"
        "\"linux\":{\"cgroupsPath\":\"%s\",\"namespaces\":[{\"type\":\"pid\"},{\"type\":"
        "\"network\"},{\"type\":\"ipc\"},"
        "{\"type\":\"uts\"},{\"type\":\"mount\"},{\"type\":\"cgroup\"}],"
        "\"resources\":{\"memory\":{\"limit\":268435456},\"cpu\":{\"quota\":100000,"
        "\"period\":100000}}}}\n";

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(double), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static char root[128];

static void cleanup(void)
{
	char cmd[1024];
	if (root[0]) {
		char run[256];
		snprintf(run, sizeof(run), "%s/run", root);
		umount2(run, MNT_DETACH); /* the tmpfs, if made */
		/* The reaper may still hold the trash. */
		snprintf(cmd, sizeof(cmd),
		         "flock -w 30 '%s/trash' true 2>/dev/null; rm -rf --one-file-system '%s'",
		         root, root);
		shell(cmd);
	}
	if (acct_dir[0]) {
		snprintf(cmd, sizeof(cmd),
		         "for d in $(find /sys/fs/cgroup/*/'%s' /sys/fs/cgroup/*/'%s' -depth -type "
		         "d "
		         "2>/dev/null); do rmdir $d; done 2>/dev/null; true",
		         strrchr(acct_dir, '/') + 1, berth_parent);
		shell(cmd);
	}
}

/* The cgroup parent berth picks for a root: "berth-" and FNV-1a of it. */
static void berth_parent_of(const char *r)
{
	unsigned h = 2166136261u;
	for (const char *p = r; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	snprintf(berth_parent, sizeof(berth_parent), "berth-%08x", h);
}

/* Makes the runners' groups; a "hold" child keeps berth's parent group
 * (an older berth removes it when its last container goes). */
static int acct_setup(void)
{
	snprintf(acct_dir, sizeof(acct_dir), ACCT "/berth-bench-start-%d", (int)getpid());
	char p[512];
	if (mkdir(acct_dir, 0755) < 0)
		return -1;
	for (int i = 0; i < NRUNNERS; i++) {
		snprintf(p, sizeof(p), "%s/%s", acct_dir, runner_name[i]);
		if (mkdir(p, 0755) < 0)
			return -1;
	}
	snprintf(p, sizeof(p), "%s/crun-containers", acct_dir);
	if (mkdir(p, 0755) < 0)
		return -1;
	snprintf(p, sizeof(p), ACCT "/%s", berth_parent);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), ACCT "/%s/hold", berth_parent);
	return mkdir(p, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

/* Waits (bounded) until no process is left in a runner's group. */
static void acct_wait_empty(int r)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s/cgroup.procs", acct_dir, runner_name[r]);
	for (int i = 0; i < 300; i++) {
		char buf[16] = "";
		int fd = open(p, O_RDONLY);
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf)) : 0;
		if (fd >= 0)
			close(fd);
		if (n <= 0)
			return;
		usleep(100 * 1000);
	}
}

/* ns of CPU of runner r's trees so far: its processes and its containers. */
static unsigned long long tree_cpu(int r)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", acct_dir, runner_name[r]);
	unsigned long long u = usage_of(p);
	if (r == R_CRUN) {
		snprintf(p, sizeof(p), "%s/crun-containers", acct_dir);
		u += usage_of(p);
	} else if (r == R_BERTH) {
		snprintf(p, sizeof(p), ACCT "/%s", berth_parent);
		u += usage_of(p);
	}
	return u;
}

static void on_signal(int sig)
{
	(void)sig;
	cleanup();
	_exit(130);
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "floor") == 0)
		return floor_main(argv[2], argv[3]);
	if (geteuid() != 0) {
		puts("bench start: needs root; skipped");
		return 0;
	}
	const char *berth = getenv("BERTH_BIN") ? getenv("BERTH_BIN") : "build/berth";
	int rounds = getenv("ROUNDS") ? atoi(getenv("ROUNDS")) : ROUNDS_DEFAULT;
	const char *base = getenv("BENCH_DIR");
	snprintf(root, sizeof(root), "%s/berth-bench-start-XXXXXX", base && *base ? base : "/tmp");
	if (mkdtemp(root) == NULL)
		return 1;
	berth_parent_of(root);
	atexit(cleanup);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	/* A private mount namespace: the cgroup2 hide for crun stays ours. */
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		perror("bench start: unshare");
		return 1;
	}
	struct stat st;
	/* crun refuses a hybrid host: in this namespace only, unmount the
	 * nearly empty cgroup2 (libcgroup dislikes it hidden under a tmpfs). */
	if (stat("/sys/fs/cgroup/unified", &st) == 0)
		umount2("/sys/fs/cgroup/unified", MNT_DETACH);

	if (acct_setup() < 0) {
		perror("bench start: cpuacct groups");
		return 1;
	}
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "'%s' --root '%s' image demo -q", berth, root);
	if (shell(cmd) != 0) {
		fprintf(stderr, "bench start: %s failed\n", cmd);
		return 1;
	}
	/* berth's run directory (pids, locks, exit codes: never synced, gone
	 * at reboot) on a tmpfs, as the default root's /run/berth is, and as
	 * crun keeps its state in /run/crun; in this namespace only. */
	char run[256];
	snprintf(run, sizeof(run), "%s/run", root);
	if (mount("tmpfs", run, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700") < 0) {
		perror("bench start: a tmpfs for the run directory");
		return 1;
	}
	/* crun's bundle and the floor's layers: the demo image's one layer. */
	char bundle[256], lower[256], opts[1024], merged[256];
	snprintf(bundle, sizeof(bundle), "%s/bundle", root);
	{
		char full[2048];
		snprintf(full, sizeof(full),
		         "mkdir -p %s/rootfs %s/fl/upper %s/fl/work %s/fl/merged && cp -a "
		         "%s/layers/*/diff/. "
		         "%s/rootfs/ && ls -d %s/layers/*/diff > %s/lower",
		         bundle, root, root, root, root, bundle, root, root);
		if (shell(full) != 0)
			return 1;
	}
	snprintf(cmd, sizeof(cmd), "%s/config.json", bundle);
	FILE *f = fopen(cmd, "w");
	if (f == NULL)
		return 1;
	char cg_path[256];
	snprintf(cg_path, sizeof(cg_path), "/%s/crun-containers/bench", strrchr(acct_dir, '/') + 1);
	fprintf(f, crun_config, cg_path);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s/lower", root);
	f = fopen(cmd, "r");
	if (f == NULL || fgets(lower, sizeof(lower), f) == NULL)
		return 1;
	fclose(f);
	lower[strcspn(lower, "\n")] = '\0';
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s/fl/upper,workdir=%s/fl/work", lower,
	         root, root);
	snprintf(merged, sizeof(merged), "%s/fl/merged", root);

	double *tb = calloc((size_t)rounds, sizeof(double));
	double *tc = calloc((size_t)rounds, sizeof(double));
	double *tf = calloc((size_t)rounds, sizeof(double));
	char self[4096];
	ssize_t sl = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (sl <= 0 || !tb || !tc || !tf)
		return 1;
	self[sl] = '\0';
	int failures = 0;
	unsigned long long cpu0[NRUNNERS];
	for (int r = 0; r < NRUNNERS; r++)
		cpu0[r] = tree_cpu(r);
	for (int i = 0; i < rounds; i++) {
		char id[32];
		snprintf(id, sizeof(id), "bench%d-%d", (int)getpid(), i);
		const char *ab[] = {berth,  "--root", root,        "run",
		                    "--rm", "demo",   "/bin/true", NULL};
		const char *ac[] = {"crun", "run", "--bundle", bundle, id, NULL};
		const char *af[] = {self, "floor", opts, merged, NULL};
		current_runner = R_BERTH;
		double t0 = now_ms();
		failures += run_quiet(ab) != 0;
		double t1 = now_ms();
		current_runner = R_CRUN;
		failures += run_quiet(ac) != 0;
		double t2 = now_ms();
		current_runner = R_FLOOR;
		failures += run_quiet(af) != 0;
		double t3 = now_ms();
		tb[i] = t1 - t0;
		tc[i] = t2 - t1;
		tf[i] = t3 - t2;
	}
	current_runner = -1;
	double cpu[NRUNNERS];
	for (int r = 0; r < NRUNNERS; r++) {
		acct_wait_empty(r);
		cpu[r] = (double)(tree_cpu(r) - cpu0[r]) / 1e6 / rounds;
	}
	double mb = median(tb, rounds), mc = median(tc, rounds), mf = median(tf, rounds);
	printf("start path, %d interleaved rounds (wall: median; CPU of the whole process tree: "
	       "mean), ms\n",
	       rounds);
	printf("  %-34s %8s %8s\n", "", "wall", "CPU");
	printf("  %-34s %8.2f %8.2f\n", "berth run --rm demo /bin/true", mb, cpu[R_BERTH]);
	printf("  %-34s %8.2f %8.2f\n", "crun run (same namespaces)", mc, cpu[R_CRUN]);
	printf("  %-34s %8.2f %8.2f\n", "floor (clone+overlay+pivot+exec)", mf, cpu[R_FLOOR]);
	printf("  %-34s %8.2f %8.2f   (goals <= 0.75 wall, <= 1.0 CPU)\n", "berth / crun", mb / mc,
	       cpu[R_BERTH] / cpu[R_CRUN]);
	printf("  %-34s %8.2f %8.2f   (goal <= 2 wall)\n", "berth / floor", mb / mf,
	       cpu[R_BERTH] / cpu[R_FLOOR]);
	if (failures)
		printf("  failed runs: %d\n", failures);
	free(tb);
	free(tc);
	free(tf);
	return failures ? 1 : 0;
}
