/* Containers at rest: create, list, inspect, update, remove. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "record/record.h"
#include "image/image.h"
#include "layer/layer.h"
#include "journal/journal.h"
#include "store/store.h"
#include "container/container.h"
#include "volume/volume.h"
#include "net/net.h"

const char *be_container_status_name(enum be_container_status s)
{
	switch (s) {
	case BE_STATUS_CREATED: return "created";
	case BE_STATUS_RUNNING: return "running";
	case BE_STATUS_PAUSED: return "paused";
	case BE_STATUS_EXITED: return "exited";
	case BE_STATUS_DAMAGED: return "damaged";
	case BE_STATUS_ORPHANED: return "orphaned";
	}
	return "unknown";
}

/* A docker-like name: adjective_noun plus digits on collision. */
static void generate_name(const struct be_ctx *ctx, char *out)
{
	static const char *const adj[] = {"brave", "calm",   "eager", "keen",   "quiet", "swift",
	                                  "tidy",  "bold",   "fond",  "wise",   "merry", "sharp",
	                                  "happy", "lucid",  "proud", "vivid",  "witty", "zesty",
	                                  "noble", "gentle", "jolly", "plucky", "sunny", "crisp"};
	static const char *const noun[] = {
	        "lovelace", "turing",   "hopper",    "ritchie", "thompson", "torvalds", "knuth",
	        "liskov",   "hamilton", "dijkstra",  "shannon", "babbage",  "curie",    "noether",
	        "euler",    "gauss",    "kernighan", "pike",    "wirth",    "hoare",    "lamport"};
	char hex[9];
	for (int attempt = 0; attempt < 100; attempt++) {
		util_random_hex(hex, 4);
		unsigned long r = strtoul(hex, NULL, 16);
		const char *a = adj[r % (sizeof(adj) / sizeof(adj[0]))];
		const char *n = noun[(r >> 8) % (sizeof(noun) / sizeof(noun[0]))];
		if (attempt < 10)
			snprintf(out, BE_NAME_MAX + 1, "%s_%s", a, n);
		else
			snprintf(out, BE_NAME_MAX + 1, "%s_%s_%lu", a, n, r % 1000);
		cleanup_free char *dir = rec_path(ctx, out, NULL);
		if (!util_path_exists(dir))
			return;
	}
}

/* Replaces or appends "K=V" in env (by key). */
static void env_set(char ***env, size_t *n, const char *kv)
{
	const char *eq = strchr(kv, '=');
	size_t klen = eq ? (size_t)(eq - kv) : strlen(kv);
	for (size_t i = 0; i < *n; i++)
		if (strncmp((*env)[i], kv, klen) == 0 && (*env)[i][klen] == '=') {
			free((*env)[i]);
			(*env)[i] = xstrdup(kv);
			return;
		}
	*env = xrealloc(*env, (*n + 2) * sizeof(char *));
	(*env)[(*n)++] = xstrdup(kv);
	(*env)[*n] = NULL;
}

static bool env_has(char **env, size_t n, const char *key)
{
	size_t klen = strlen(key);
	for (size_t i = 0; i < n; i++)
		if (strncmp(env[i], key, klen) == 0 && env[i][klen] == '=')
			return true;
	return false;
}

/* The container's environment: the image's, then HOSTNAME, HOME, TERM,
 * then -e values ("K" alone takes the client's value, as docker). */
static int build_env(const struct be_image_rec *img, const struct be_container_spec *spec,
                     const char *hostname, char ***out, struct be_error **err)
{
	char **env = xcalloc(1, sizeof(char *));
	size_t n = 0;
	for (size_t i = 0; i < img->n_env; i++)
		env_set(&env, &n, img->env[i]);
	if (!env_has(env, n, "PATH"))
		env_set(&env, &n,
		        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	cleanup_free char *h = xasprintf("HOSTNAME=%s", hostname);
	env_set(&env, &n, h);
	if (!env_has(env, n, "HOME"))
		env_set(&env, &n, "HOME=/root");
	if (spec->tty)
		env_set(&env, &n, "TERM=xterm");
	for (size_t i = 0; spec->env && spec->env[i]; i++) {
		const char *kv = spec->env[i];
		if (kv[0] == '=' || kv[0] == '\0') {
			rec_strv_free(env);
			return be_error_set(err, 0,
			                    "invalid environment value \"%s\": want KEY=VALUE", kv);
		}
		if (strchr(kv, '=') == NULL) {
			const char *v = getenv(kv);
			if (v == NULL)
				continue;
			cleanup_free char *full = xasprintf("%s=%s", kv, v);
			env_set(&env, &n, full);
			continue;
		}
		env_set(&env, &n, kv);
	}
	*out = env;
	return 0;
}

static int check_hostname(const char *h, struct be_error **err)
{
	size_t n = strlen(h);
	bool ok = n > 0 && n <= 63;
	for (size_t i = 0; ok && i < n; i++)
		ok = (h[i] >= 'a' && h[i] <= 'z') || (h[i] >= 'A' && h[i] <= 'Z') ||
		     (h[i] >= '0' && h[i] <= '9') || h[i] == '-' || h[i] == '.';
	if (!ok || h[0] == '-')
		return be_error_set(err, 0, "invalid hostname \"%s\": use 1 to 63 of a-z 0-9 - .",
		                    h);
	return 0;
}

static char **strv_dup(char *const *v, size_t n)
{
	char **out = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		out[i] = xstrdup(v[i]);
	return out;
}

/* Fills cfg from the spec and the image's defaults. */
static int make_config(struct be_ctx *ctx, const struct be_container_spec *spec, const char *name,
                       const struct be_image_rec *img, struct rec_config *cfg,
                       struct be_error **err)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->name, sizeof(cfg->name), "%s", name);
	snprintf(cfg->image, sizeof(cfg->image), "%s", spec->image);
	size_t ncmd = 0;
	while (spec->cmd && spec->cmd[ncmd])
		ncmd++;
	cfg->cmd = ncmd ? strv_dup(spec->cmd, ncmd) : strv_dup(img->cmd, img->n_cmd);
	if (cfg->cmd[0] == NULL || cfg->cmd[0][0] == '\0')
		return be_error_set(err, 0, "no command given and image %s has none", spec->image);
	cfg->hostname = xstrdup(spec->hostname ? spec->hostname : name);
	/* A name may hold '_' and 64 characters, a hostname neither: the
	 * default swaps the one and drops the 64th. */
	for (char *p = cfg->hostname; !spec->hostname && *p; p++)
		if (*p == '_')
			*p = '-';
	if (!spec->hostname && strlen(cfg->hostname) > 63)
		cfg->hostname[63] = '\0';
	if (check_hostname(cfg->hostname, err) < 0)
		return -1;
	const char *wd = spec->workdir ? spec->workdir : (img->workdir ? img->workdir : "/");
	if (wd[0] != '/')
		return be_error_set(err, 0, "invalid working directory \"%s\": must be absolute",
		                    wd);
	cfg->workdir = xstrdup(wd);
	cfg->user = spec->user && *spec->user ? xstrdup(spec->user) : NULL;
	if (ct_net_config(ctx, spec, cfg, err) < 0)
		return -1;
	cfg->limits = spec->limits;
	if (be_limits_check(&cfg->limits, err) < 0)
		return -1;
	cfg->tty = spec->tty;
	cfg->interactive = spec->interactive;
	cfg->auto_remove = spec->auto_remove;
	cfg->created = util_wall_ns() / 1000000000;
	cfg->read_only = spec->read_only;
	if (vol_prepare(ctx, spec->mounts, spec->n_mounts, &cfg->mounts, err) < 0)
		return -1;
	cfg->n_mounts = cfg->mounts ? spec->n_mounts : 0;
	return build_env(img, spec, cfg->hostname, &cfg->env, err);
}

/* Writes the container's directory under ROOT/tmp and renames it into
 * place: it appears whole or not at all. */
int ct_write_container_dir(struct be_ctx *ctx, const struct rec_config *cfg, const char *head,
                           ct_dir_step_fn made, void *made_data, struct be_error **err)
{
	/* The lock keeps other clients' repair away from the work dir. */
	cleanup_close int lock_fd = -1;
	cleanup_free char *tmp = store_mkdtemp(ctx, "ct", &lock_fd, err);
	if (tmp == NULL)
		return -1;
	/* Every cleanup variable is declared before the first goto: a jump
	 * over one would free an uninitialised pointer. */
	cleanup_free char *dest = rec_path(ctx, cfg->name, NULL);
	cleanup_free char *stale = rec_run_path(ctx, cfg->name, ".exit");
	cleanup_free char *parent = ctx_path(ctx, "containers");
	static const char *const subdirs[] = {"upper", "work", "merged"};
	int r = -1;
	for (size_t i = 0; i < 3; i++) {
		cleanup_free char *d = xasprintf("%s/%s", tmp, subdirs[i]);
		if (mkdir(d, 0755) < 0) {
			be_error_set(err, errno, "creating %s", d);
			goto out;
		}
	}
	if (made && made(made_data, tmp, CT_DIR_MADE, err) < 0)
		goto out;
	struct rec_state st = {.exit_code = -1};
	snprintf(st.head, sizeof(st.head), "%s", head);
	bool durable = !cfg->auto_remove;
	if (util_fail("create.records", err) < 0 || rec_config_write(tmp, cfg, err) < 0 ||
	    rec_state_write(tmp, &st, durable, err) < 0)
		goto out;
	/* The exit code an earlier --rm container of this name left. */
	unlink(stale);
	if (made && made(made_data, tmp, CT_DIR_WRITTEN, err) < 0)
		goto out;
	util_fault("create.before_rename");
	if (rename(tmp, dest) < 0) {
		be_error_set(err, errno, "creating %s", dest);
		goto out;
	}
	r = durable ? util_fsync_dir(parent, err) : 0;
out:
	util_rm_rf(tmp, NULL);
	return r;
}

/* ct_create_locked's hook, called by ct_write_container_dir. */
struct made_call {
	ct_before_write_fn fn;
	void *data;
	const char *name;
	int lock_fd;
	const struct rec_config *cfg;
	const struct rec_state *st;
};

static int made_trampoline(void *data, const char *tmp, enum ct_dir_step step,
                           struct be_error **err)
{
	struct made_call *c = data;
	return c->fn(c->data, c->name, c->lock_fd, tmp, step, c->cfg, c->st, err);
}

int ct_create_locked(struct be_ctx *ctx, const struct be_container_spec *spec, char *name,
                     struct be_lock **lock_out, struct rec_config *cfg_out,
                     struct rec_state *st_out, ct_before_write_fn before_write, void *hook_data,
                     struct be_error **err)
{
	if (spec->name && be_name_check("container", spec->name, err) < 0)
		return -1;
	if (be_name_check("image", spec->image, err) < 0)
		return -1;
	cleanup_lock struct be_lock *lock = NULL;
	if (spec->name) {
		snprintf(name, BE_NAME_MAX + 1, "%s", spec->name);
		if (store_lock_take(ctx, "container", name, &lock, err) < 0)
			return -1;
		cleanup_free char *dir = rec_path(ctx, name, NULL);
		if (util_path_exists(dir))
			return be_error_set(err, 0, "container %s already exists", name);
	} else {
		/* A generated name another client just took is skipped. */
		for (int attempt = 0; lock == NULL; attempt++) {
			generate_name(ctx, name);
			cleanup_free char *dir = rec_path(ctx, name, NULL);
			if (store_lock_take(ctx, "container", name, &lock,
			                    attempt < 20 ? NULL : err) < 0) {
				if (attempt >= 20)
					return -1;
				continue;
			}
			if (util_path_exists(dir)) {
				store_lock_release(lock);
				lock = NULL;
			}
		}
	}
	/* Shared with other creates, exclusive against `image rm`: the image
	 * cannot go while the container is made from it. */
	cleanup_lock struct be_lock *img_lock = NULL;
	if (store_lock_take_shared(ctx, "image", spec->image, &img_lock, err) < 0)
		return -1;
	struct be_image_rec *img = NULL;
	if (image_load(ctx, spec->image, &img, err) < 0)
		return -1;
	struct rec_config cfg;
	int r = make_config(ctx, spec, name, img, &cfg, err);
	if (r == 0 && img->n_layers == 0)
		r = be_error_set(err, 0, "image %s has no layers", spec->image);
	struct rec_state st = {.exit_code = -1};
	if (r == 0)
		snprintf(st.head, sizeof(st.head), "%s", img->layers[0]);
	struct made_call call = {before_write, hook_data, name, store_lock_fd(lock), &cfg, &st};
	if (r == 0)
		r = ct_write_container_dir(ctx, &cfg, img->layers[0],
		                           before_write ? made_trampoline : NULL, &call, err);
	if (r == 0 && st_out)
		*st_out = st;
	image_rec_free(img);
	if (r < 0) {
		rec_config_clear(&cfg);
		return be_error_wrap(err, "creating container %s", name);
	}
	store_event(ctx, name, "create", "image %s", spec->image);
	if (cfg_out)
		*cfg_out = cfg;
	else
		rec_config_clear(&cfg);
	if (lock_out)
		*lock_out = steal_pointer(&lock);
	return 0;
}

int be_container_create(struct be_ctx *ctx, const struct be_container_spec *spec, char *name_out,
                        struct be_error **err)
{
	char name[BE_NAME_MAX + 1];
	if (ct_create_locked(ctx, spec, name, NULL, NULL, NULL, NULL, NULL, err) < 0)
		return -1;
	if (name_out)
		snprintf(name_out, BE_NAME_MAX + 1, "%s", name);
	return 0;
}

static char *join_argv(char **v)
{
	size_t len = 1;
	for (size_t i = 0; v && v[i]; i++)
		len += strlen(v[i]) + 1;
	char *s = xcalloc(1, len);
	for (size_t i = 0; v && v[i]; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, v[i]);
	}
	return s;
}

int be_container_get(struct be_ctx *ctx, const char *name, struct be_container_info *out,
                     struct be_error **err)
{
	struct rec_config cfg;
	if (rec_config_load(ctx, name, &cfg, err) < 0)
		return -1;
	/* Reading never ends anything: a dead keeper is only recorded (when
	 * nothing of its container runs), the rest waits for a command that
	 * changes state (start, stop, rm, system prune). */
	struct rec_run run;
	bool running = rec_running(ctx, name, &run);
	bool keeper_gone = !running && ct_record_dead_keeper(ctx, name);
	struct rec_state st;
	if (rec_state_load(ctx, name, &st, err) < 0) {
		rec_config_clear(&cfg);
		return -1;
	}
	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", cfg.name);
	snprintf(out->image, sizeof(out->image), "%s", cfg.image);
	out->command = join_argv(cfg.cmd);
	out->created = cfg.created;
	out->limits = cfg.limits;
	out->exit_code = st.exit_code;
	out->oom_killed = st.oom_killed;
	out->started_ns = st.started_ns;
	out->finished_ns = st.finished_ns;
	out->status = st.started_ns ? BE_STATUS_EXITED : BE_STATUS_CREATED;
	if (keeper_gone && rec_run_load(ctx, name, &run, NULL) == 1) {
		running = true;
		out->keeper_gone = true;
		out->problem = xasprintf("its keeper died while it runs: stop, rm -f %s or berth "
		                         "system prune ends it",
		                         name);
	}
	if (running) {
		out->status = cg_frozen(ctx, name) ? BE_STATUS_PAUSED : BE_STATUS_RUNNING;
		out->pid = run.pid;
		out->started_ns = run.started_ns;
		out->finished_ns = 0;
		out->exit_code = -1;
	}
	ct_net_info(ctx, &cfg, running, out);
	rec_config_clear(&cfg);
	return 0;
}

void be_container_info_clear(struct be_container_info *info)
{
	free(info->command);
	info->command = NULL;
	free(info->problem);
	info->problem = NULL;
	free(info->ports);
	info->ports = NULL;
	free(info->cgroup);
	info->cgroup = NULL;
}

void be_container_list_free(struct be_container_info *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		be_container_info_clear(&list[i]);
	free(list);
}

static int cmp_info(const void *a, const void *b)
{
	return strcmp(((const struct be_container_info *)a)->name,
	              ((const struct be_container_info *)b)->name);
}

int be_container_list(struct be_ctx *ctx, struct be_container_info **out, size_t *n,
                      struct be_error **err)
{
	cleanup_free char *dir = ctx_path(ctx, "containers");
	cleanup_dir DIR *d = opendir(dir);
	if (d == NULL)
		return be_error_set(err, errno, "reading %s", dir);
	struct be_container_info *list = NULL;
	size_t count = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (!be_name_valid(de->d_name))
			continue;
		struct be_container_info info;
		struct be_error *e2 = NULL;
		if (be_container_get(ctx, de->d_name, &info, &e2) < 0) {
			/* Listed as damaged, so that it can be seen and removed
			 * (creation and removal rename whole directories, so a
			 * directory still here is not one half made). */
			cleanup_free char *cdir = rec_path(ctx, de->d_name, NULL);
			if (!util_path_exists(cdir)) {
				be_error_free(e2);
				continue;
			}
			memset(&info, 0, sizeof(info));
			snprintf(info.name, sizeof(info.name), "%.*s", BE_NAME_MAX, de->d_name);
			info.status = BE_STATUS_DAMAGED;
			info.exit_code = -1;
			info.command = xstrdup("");
			info.problem = xstrdup(e2 && e2->msg ? e2->msg : "unreadable");
			be_error_free(e2);
		}
		list = xrealloc(list, (count + 1) * sizeof(*list));
		list[count++] = info;
	}
	ct_orphans_append(ctx, &list, &count);
	if (count)
		qsort(list, count, sizeof(*list), cmp_info);
	*out = list;
	*n = count;
	return 0;
}

static json_t *info_json(const struct be_container_info *c)
{
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:i,s:o,s:b,s:I,s:I,s:I}", "name", c->name, "image",
	                      c->image, "command", c->command ? c->command : "", "status",
	                      be_container_status_name(c->status), "pid", (int)c->pid, "exit_code",
	                      c->exit_code >= 0 ? json_integer(c->exit_code) : json_null(),
	                      "oom_killed", c->oom_killed, "created", (json_int_t)c->created,
	                      "started_ns", (json_int_t)c->started_ns, "finished_ns",
	                      (json_int_t)c->finished_ns);
	if (c->problem)
		json_object_set_new(o, "problem", json_string(c->problem));
	json_object_set_new(o, "net",
	                    json_string(c->net == BE_NET_HOST     ? "host"
	                                : c->net == BE_NET_BRIDGE ? "bridge"
	                                                          : "none"));
	if (c->network[0])
		json_object_set_new(o, "network", json_string(c->network));
	if (c->ip[0])
		json_object_set_new(o, "ip", json_string(c->ip));
	json_object_set_new(o, "ports", json_string(c->ports ? c->ports : ""));
	if (c->cgroup)
		json_object_set_new(o, "cgroup", json_string(c->cgroup));
	return o;
}

char *be_container_list_json(const struct be_container_info *list, size_t n)
{
	cleanup_json json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, info_json(&list[i]));
	return json_dumps(arr, JSON_INDENT(2));
}

static json_t *limits_out(const struct be_limits *l)
{
	json_t *o = json_object();
	json_object_set_new(o, "memory_bytes",
	                    l->memory ? json_integer((json_int_t)l->memory) : json_null());
	json_object_set_new(o, "memory_swap_bytes",
	                    l->memory_swap > 0 ? json_integer(l->memory_swap) : json_null());
	json_object_set_new(o, "cpu_quota_us",
	                    l->cpu_quota_us ? json_integer((json_int_t)l->cpu_quota_us)
	                                    : json_null());
	json_object_set_new(o, "cpu_period_us",
	                    json_integer(l->cpu_period_us ? (json_int_t)l->cpu_period_us : 100000));
	json_object_set_new(o, "cpu_weight",
	                    l->cpu_weight ? json_integer((json_int_t)l->cpu_weight) : json_null());
	json_object_set_new(o, "pids_limit",
	                    l->pids_max > 0 ? json_integer(l->pids_max) : json_null());
	json_object_set_new(o, "io_weight",
	                    l->io_weight ? json_integer((json_int_t)l->io_weight) : json_null());
	return o;
}

static json_t *time_json(int64_t ns)
{
	if (ns <= 0)
		return json_null();
	time_t t = (time_t)(ns / 1000000000);
	struct tm tm;
	char buf[64];
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	char full[96];
	snprintf(full, sizeof(full), "%s.%09lldZ", buf, (long long)(ns % 1000000000));
	return json_string(full);
}

int be_container_inspect_json(struct be_ctx *ctx, const char *name, char **out,
                              struct be_error **err)
{
	struct be_container_info info;
	if (be_container_get(ctx, name, &info, err) < 0)
		return -1;
	struct rec_config cfg;
	struct rec_state st;
	if (rec_config_load(ctx, name, &cfg, err) < 0) {
		be_container_info_clear(&info);
		return -1;
	}
	if (rec_state_load(ctx, name, &st, err) < 0) {
		be_container_info_clear(&info);
		rec_config_clear(&cfg);
		return -1;
	}
	json_t *o = json_object();
	json_object_set_new(o, "name", json_string(cfg.name));
	json_object_set_new(o, "image", json_string(cfg.image));
	json_object_set_new(o, "config",
	                    json_pack("{s:o,s:o,s:s,s:s?,s:s,s:s,s:b,s:b,s:b}", "cmd",
	                              rec_strv_json(cfg.cmd), "env", rec_strv_json(cfg.env),
	                              "workdir", cfg.workdir, "user", cfg.user, "hostname",
	                              cfg.hostname, "net",
	                              cfg.net == BE_NET_HOST     ? "host"
	                              : cfg.net == BE_NET_BRIDGE ? "bridge"
	                                                         : "none",
	                              "tty", cfg.tty, "interactive", cfg.interactive, "auto_remove",
	                              cfg.auto_remove));
	json_object_set_new(o, "limits", limits_out(&cfg.limits));
	json_object_set_new(o, "mounts", ct_mounts_json(ctx, &cfg));
	json_object_set_new(o, "network", ct_net_json(&cfg, &info));
	json_object_set_new(json_object_get(o, "config"), "read_only", json_boolean(cfg.read_only));
	json_t *state = json_object();
	json_object_set_new(state, "status", json_string(be_container_status_name(info.status)));
	json_object_set_new(
	        state, "running",
	        json_boolean(info.status == BE_STATUS_RUNNING || info.status == BE_STATUS_PAUSED));
	json_object_set_new(state, "paused", json_boolean(info.status == BE_STATUS_PAUSED));
	json_object_set_new(state, "pid", json_integer(info.pid));
	json_object_set_new(state, "exit_code",
	                    info.exit_code >= 0 ? json_integer(info.exit_code) : json_null());
	json_object_set_new(state, "oom_killed", json_boolean(info.oom_killed));
	json_object_set_new(state, "started_at", time_json(info.started_ns));
	json_object_set_new(state, "finished_at", time_json(info.finished_ns));
	struct rec_run run;
	if (rec_running(ctx, name, &run))
		json_object_set_new(state, "keeper_pid", json_integer(run.keeper_pid));
	json_object_set_new(o, "state", state);
	json_object_set_new(o, "created", json_integer(cfg.created));
	char **paths = NULL;
	size_t np = 0;
	json_t *cg = json_array();
	if (cg_paths(ctx, name, &paths, &np, NULL) == 0) {
		for (size_t i = 0; i < np; i++)
			json_array_append_new(cg, json_string(paths[i]));
		cg_strv_free(paths);
	}
	json_object_set_new(o, "cgroup_paths", cg);
	json_object_set_new(o, "head", json_string(st.head));
	char **ids = NULL;
	size_t nids = 0;
	json_t *layers = json_array();
	if (layer_chain(ctx, st.head, &ids, &nids, NULL) == 0) {
		for (size_t i = 0; i < nids; i++)
			json_array_append_new(layers, json_string(ids[i]));
		layer_chain_free(ids, nids);
	}
	json_object_set_new(o, "layers", layers);
	cleanup_free char *upper = rec_path(ctx, name, "upper");
	cleanup_free char *log = rec_path(ctx, name, "log");
	json_object_set_new(o, "upper_dir", json_string(upper));
	json_object_set_new(o, "log_path", json_string(log));
	*out = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	be_container_info_clear(&info);
	rec_config_clear(&cfg);
	return 0;
}

int be_container_remove(struct be_ctx *ctx, const char *name, bool force, struct be_error **err)
{
	cleanup_lock struct be_lock *lock = NULL;
	if (store_lock_take(ctx, "container", name, &lock, err) < 0)
		return -1;
	return ct_remove_locked(ctx, name, lock, force, err);
}

int ct_remove_locked(struct be_ctx *ctx, const char *name, struct be_lock *lock, bool force,
                     struct be_error **err)
{
	struct rec_config cfg;
	struct be_error *bad = NULL;
	if (rec_config_load(ctx, name, &cfg, &bad) < 0) {
		/* rm -f also removes a container whose config.json is damaged
		 * (nothing below needs the config); plain rm says why not. */
		cleanup_free char *d = rec_path(ctx, name, NULL);
		if (!util_path_exists(d) && ct_cgroup_exists(ctx, name)) {
			be_error_free(bad);
			if (!force)
				return be_error_set(
				        err, 0,
				        "container %s is orphaned (its records are gone "
				        "while it runs): rm -f %s ends it",
				        name, name);
			if (ct_end_orphan_locked(ctx, name, err) < 0)
				return -1;
			store_lock_drop_file(lock);
			return 0;
		}
		if (!force || !util_path_exists(d)) {
			if (util_path_exists(d))
				be_error_set(err, bad->errnum, "%s (rm -f %s removes it)", bad->msg,
				             name);
			else if (err && *err == NULL)
				*err = bad, bad = NULL;
			be_error_free(bad);
			return -1;
		}
		be_error_free(bad);
	} else {
		rec_config_clear(&cfg);
	}
	if (rec_running(ctx, name, NULL)) {
		if (!force)
			return be_error_set(err, 0,
			                    "container %s is running: stop it first or use rm -f",
			                    name);
		if (ct_stop_locked(ctx, name, 0, false, err) < 0)
			return be_error_wrap(err, "removing %s", name);
	}
	if (ct_reconcile(ctx, name, err) < 0)
		return -1;
	cleanup_free char *dir = rec_path(ctx, name, NULL);
	util_fault("rm.before_trash");
	if (store_trash(ctx, dir, err) < 0)
		return be_error_wrap(err, "removing %s", name);
	rec_run_remove(ctx, name);
	store_lock_drop_file(lock);
	store_event(ctx, name, "remove", "%s", force ? "forced" : "");
	/* Its snapshot layers that nothing else uses go with it. */
	journal_gc(ctx, name, NULL, NULL);
	return store_trash_reap(ctx, err);
}

int be_container_update(struct be_ctx *ctx, const char *name, const struct be_limits *lim,
                        struct be_error **err)
{
	static const struct be_limits none = {0};
	if (memcmp(lim, &none, sizeof(none)) == 0)
		return be_error_set(err, 0,
		                    "updating %s: nothing to change (give --memory, --cpus, "
		                    "--pids-limit...)",
		                    name);
	cleanup_lock struct be_lock *lock = NULL;
	if (store_lock_take(ctx, "container", name, &lock, err) < 0)
		return -1;
	struct rec_config cfg;
	if (rec_config_load(ctx, name, &cfg, err) < 0)
		return -1;
	struct be_limits l = cfg.limits;
	if (lim->memory)
		l.memory = lim->memory;
	if (lim->memory_swap)
		l.memory_swap = lim->memory_swap;
	if (lim->cpu_quota_us) {
		l.cpu_quota_us = lim->cpu_quota_us;
		l.cpu_period_us = lim->cpu_period_us;
	}
	if (lim->cpu_weight)
		l.cpu_weight = lim->cpu_weight;
	if (lim->pids_max)
		l.pids_max = lim->pids_max;
	if (lim->io_weight)
		l.io_weight = lim->io_weight;
	int r = be_limits_check(&l, err);
	bool running = rec_running(ctx, name, NULL);
	if (!running)
		ct_reconcile(ctx, name, NULL); /* a dead keeper's cgroup goes */
	/* A weight the kernel has no file for would be recorded but never
	 * applied: refused, nothing recorded. */
	if (r == 0 && running && lim->io_weight && !cg_io_weight_supported(ctx, name))
		r = be_error_set(err, ENOTSUP,
		                 "--io-weight: this kernel offers no IO weight for the container's "
		                 "cgroup (no blkio.weight, blkio.bfq.weight, io.weight or "
		                 "io.bfq.weight)");
	if (r == 0 && running)
		r = cg_set_limits(ctx, name, &l, err);
	if (r == 0) {
		cfg.limits = l;
		r = rec_config_save(ctx, &cfg, err);
	}
	if (r == 0)
		store_event(ctx, name, "update", "memory %llu, cpu quota %llu/%llu us, pids %lld%s",
		            (unsigned long long)l.memory, (unsigned long long)l.cpu_quota_us,
		            (unsigned long long)l.cpu_period_us, (long long)l.pids_max,
		            running ? " (live)" : "");
	rec_config_clear(&cfg);
	return r < 0 ? be_error_wrap(err, "updating %s", name) : 0;
}
