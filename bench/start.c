/* bench/start: how long `berth run --rm demo /bin/true` takes against
 * `crun run` of an equivalent bundle (busybox rootfs, same namespaces) and
 * against a floor program that only clones the namespaces, mounts the
 * overlay, pivots and execs.  Interleaved rounds; medians and ratios.
 * Needs root.  Everything runs in a private mount namespace so that crun,
 * which refuses a hybrid host, does not see its cgroup2 mount. */
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

static int run_quiet(const char *const argv[])
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
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

static const char crun_config[] =
        "{\"ociVersion\":\"1.0.0\",\"process\":{\"terminal\":false,\"user\":{\"uid\":0,\"gid\":0},"
        "\"args\":[\"/bin/true\"],\"env\":[\"PATH=/bin:/usr/bin\"],\"cwd\":\"/\","
        "\"capabilities\":{\"bounding\":[\"CAP_KILL\"],\"effective\":[\"CAP_KILL\"],"
        "\"permitted\":[\"CAP_KILL\"]},\"noNewPrivileges\":true},"
        "\"root\":{\"path\":\"rootfs\",\"readonly\":false},\"hostname\":\"bench\","
        "\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
        "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"nosuid\","
        "\"mode=755\"]}],"
        "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"},{\"type\":\"ipc\"},"
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

static char root[64];

static void cleanup(void)
{
	char cmd[128];
	if (root[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf --one-file-system '%s'", root);
		shell(cmd);
	}
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
	snprintf(root, sizeof(root), "/tmp/berth-bench-start-XXXXXX");
	if (mkdtemp(root) == NULL)
		return 1;
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

	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "'%s' --root '%s' image demo -q", berth, root);
	if (shell(cmd) != 0) {
		fprintf(stderr, "bench start: %s failed\n", cmd);
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
	fputs(crun_config, f);
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
	for (int i = 0; i < rounds; i++) {
		char id[32];
		snprintf(id, sizeof(id), "bench%d-%d", (int)getpid(), i);
		const char *ab[] = {berth,  "--root", root,        "run",
		                    "--rm", "demo",   "/bin/true", NULL};
		const char *ac[] = {"crun", "run", "--bundle", bundle, id, NULL};
		const char *af[] = {self, "floor", opts, merged, NULL};
		double t0 = now_ms();
		failures += run_quiet(ab) != 0;
		double t1 = now_ms();
		failures += run_quiet(ac) != 0;
		double t2 = now_ms();
		failures += run_quiet(af) != 0;
		double t3 = now_ms();
		tb[i] = t1 - t0;
		tc[i] = t2 - t1;
		tf[i] = t3 - t2;
	}
	double mb = median(tb, rounds), mc = median(tc, rounds), mf = median(tf, rounds);
	printf("start path, %d interleaved rounds, medians (ms):\n", rounds);
	printf("  berth run --rm demo /bin/true  %7.2f\n", mb);
	printf("  crun run (same namespaces)     %7.2f\n", mc);
	printf("  floor (clone+overlay+pivot)    %7.2f\n", mf);
	printf("  ratio berth/crun   %.2f   (goal <= 0.75)\n", mb / mc);
	printf("  ratio berth/floor  %.2f\n", mb / mf);
	if (failures)
		printf("  failed runs: %d\n", failures);
	free(tb);
	free(tc);
	free(tf);
	return failures ? 1 : 0;
}
