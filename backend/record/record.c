/* A container's records: config.json and state.json (durable), the run
 * file (runtime), the paths of its files (the one place that spells them),
 * and the helpers that read processes' start times. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "record/record.h"
#include "store/store.h"

char *rec_path(const struct be_ctx *ctx, const char *name, const char *file)
{
	return file ? ctx_path(ctx, "containers/%s/%s", name, file)
	            : ctx_path(ctx, "containers/%s", name);
}

char *rec_run_path(const struct be_ctx *ctx, const char *name, const char *suffix)
{
	return ctx_run_path(ctx, "containers/%s%s", name, suffix);
}

json_t *rec_strv_json(char *const *v)
{
	json_t *arr = json_array();
	for (size_t i = 0; v && v[i]; i++)
		json_array_append_new(arr, json_string(v[i]));
	return arr;
}

char **rec_json_strv(json_t *arr)
{
	size_t n = json_is_array(arr) ? json_array_size(arr) : 0;
	char **v = xcalloc(n + 1, sizeof(char *));
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const char *s = json_string_value(json_array_get(arr, i));
		if (s)
			v[k++] = xstrdup(s);
	}
	return v;
}

void rec_strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

void rec_config_clear(struct rec_config *c)
{
	rec_strv_free(c->cmd);
	rec_strv_free(c->env);
	free(c->workdir);
	free(c->user);
	free(c->hostname);
	for (size_t i = 0; i < c->n_mounts; i++)
		be_volume_mount_clear(&c->mounts[i]);
	free(c->mounts);
	free(c->network);
	free(c->ports);
	memset(c, 0, sizeof(*c));
}

static const struct be_field config_fields[] = {
        {"name", JSON_STRING, false},      {"image", JSON_STRING, false},
        {"cmd", JSON_ARRAY, false},        {"env", JSON_ARRAY, false},
        {"workdir", JSON_STRING, false},   {"user", JSON_STRING, true},
        {"hostname", JSON_STRING, false},  {"net", JSON_STRING, false},
        {"limits", JSON_OBJECT, false},    {"tty", JSON_TRUE, false},
        {"interactive", JSON_TRUE, false}, {"auto_remove", JSON_TRUE, false},
        {"created", JSON_INTEGER, false},  {"mounts", JSON_ARRAY, true},
        {"read_only", JSON_TRUE, true},    {"network", JSON_STRING, true},
        {"ports", JSON_ARRAY, true},
};

static const struct be_field limit_fields[] = {
        {"memory", JSON_INTEGER, false},       {"memory_swap", JSON_INTEGER, false},
        {"cpu_quota_us", JSON_INTEGER, false}, {"cpu_period_us", JSON_INTEGER, false},
        {"cpu_weight", JSON_INTEGER, false},   {"pids_max", JSON_INTEGER, false},
        {"io_weight", JSON_INTEGER, false},
};

static json_t *limits_json(const struct be_limits *l)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "memory", (json_int_t)l->memory,
	                 "memory_swap", (json_int_t)l->memory_swap, "cpu_quota_us",
	                 (json_int_t)l->cpu_quota_us, "cpu_period_us", (json_int_t)l->cpu_period_us,
	                 "cpu_weight", (json_int_t)l->cpu_weight, "pids_max",
	                 (json_int_t)l->pids_max, "io_weight", (json_int_t)l->io_weight);
}

static void limits_from_json(json_t *o, struct be_limits *l)
{
	l->memory = (uint64_t)json_integer_value(json_object_get(o, "memory"));
	l->memory_swap = json_integer_value(json_object_get(o, "memory_swap"));
	l->cpu_quota_us = (uint64_t)json_integer_value(json_object_get(o, "cpu_quota_us"));
	l->cpu_period_us = (uint64_t)json_integer_value(json_object_get(o, "cpu_period_us"));
	l->cpu_weight = (uint64_t)json_integer_value(json_object_get(o, "cpu_weight"));
	l->pids_max = json_integer_value(json_object_get(o, "pids_max"));
	l->io_weight = (uint64_t)json_integer_value(json_object_get(o, "io_weight"));
}

static void copy_name(char *dst, const char *src)
{
	snprintf(dst, BE_NAME_MAX + 1, "%s", src ? src : "");
}

int rec_config_load(const struct be_ctx *ctx, const char *name, struct rec_config *out,
                    struct be_error **err)
{
	if (be_name_check("container", name, err) < 0)
		return -1;
	cleanup_free char *path = rec_path(ctx, name, "config.json");
	if (!util_path_exists(path))
		return be_error_set(err, 0, "no such container: %s", name);
	cleanup_json json_t *o = store_load(path, err);
	if (o == NULL || BE_STORE_CHECK(path, o, config_fields, err) < 0)
		return -1;
	json_t *lim = json_object_get(o, "limits");
	if (BE_STORE_CHECK(path, lim, limit_fields, err) < 0)
		return -1;
	/* Values too: a hand-edited file must not name another container,
	 * an image path, or a network mode berth does not have. */
	const char *fname = json_string_value(json_object_get(o, "name"));
	const char *net = json_string_value(json_object_get(o, "net"));
	if (strcmp(fname, name) != 0)
		return be_error_set(err, 0, "%s: \"name\" is \"%.80s\", not %s", path, fname, name);
	if (!be_name_valid(json_string_value(json_object_get(o, "image"))))
		return be_error_set(err, 0, "%s: \"image\" is not a valid image name", path);
	if (strcmp(net, "none") != 0 && strcmp(net, "host") != 0 && strcmp(net, "bridge") != 0)
		return be_error_set(err, 0, "%s: \"net\" must be none, host or bridge", path);
	const char *network = json_string_value(json_object_get(o, "network"));
	if (network && !be_name_valid(network))
		return be_error_set(err, 0, "%s: \"network\" is not a valid network name", path);
	memset(out, 0, sizeof(*out));
	copy_name(out->name, json_string_value(json_object_get(o, "name")));
	copy_name(out->image, json_string_value(json_object_get(o, "image")));
	out->cmd = rec_json_strv(json_object_get(o, "cmd"));
	out->env = rec_json_strv(json_object_get(o, "env"));
	out->workdir = xstrdup(json_string_value(json_object_get(o, "workdir")));
	const char *user = json_string_value(json_object_get(o, "user"));
	out->user = user ? xstrdup(user) : NULL;
	out->hostname = xstrdup(json_string_value(json_object_get(o, "hostname")));
	out->net = strcmp(net, "host") == 0     ? BE_NET_HOST
	           : strcmp(net, "bridge") == 0 ? BE_NET_BRIDGE
	                                        : BE_NET_NONE;
	if (out->net == BE_NET_BRIDGE)
		out->network = xstrdup(network ? network : BE_NET_DEFAULT);
	limits_from_json(lim, &out->limits);
	out->tty = json_is_true(json_object_get(o, "tty"));
	out->interactive = json_is_true(json_object_get(o, "interactive"));
	out->auto_remove = json_is_true(json_object_get(o, "auto_remove"));
	out->created = json_integer_value(json_object_get(o, "created"));
	out->read_only = json_is_true(json_object_get(o, "read_only"));
	if (rec_mounts_from_json(path, json_object_get(o, "mounts"), out, err) < 0 ||
	    rec_ports_from_json(path, json_object_get(o, "ports"), &out->ports, &out->n_ports,
	                        err) < 0) {
		rec_config_clear(out);
		return -1;
	}
	return 0;
}

int rec_config_save(const struct be_ctx *ctx, const struct rec_config *c, struct be_error **err)
{
	cleanup_free char *dir = rec_path(ctx, c->name, NULL);
	return rec_config_write(dir, c, err);
}

int rec_config_write(const char *dir, const struct rec_config *c, struct be_error **err)
{
	cleanup_json json_t *o = json_pack(
	        "{s:s,s:s,s:o,s:o,s:s,s:s?,s:s,s:s,s:o,s:b,s:b,s:b,s:I}", "name", c->name, "image",
	        c->image, "cmd", rec_strv_json(c->cmd), "env", rec_strv_json(c->env), "workdir",
	        c->workdir ? c->workdir : "/", "user", c->user, "hostname", c->hostname, "net",
	        c->net == BE_NET_HOST     ? "host"
	        : c->net == BE_NET_BRIDGE ? "bridge"
	                                  : "none",
	        "limits", limits_json(&c->limits), "tty", c->tty, "interactive", c->interactive,
	        "auto_remove", c->auto_remove, "created", (json_int_t)c->created);
	if (o == NULL)
		return be_error_set(err, ENOMEM, "saving config of %s", c->name);
	if (c->n_mounts)
		json_object_set_new(o, "mounts", rec_mounts_json(c));
	if (c->read_only)
		json_object_set_new(o, "read_only", json_true());
	if (c->net == BE_NET_BRIDGE && c->network)
		json_object_set_new(o, "network", json_string(c->network));
	if (c->n_ports)
		json_object_set_new(o, "ports", rec_ports_json(c->ports, c->n_ports));
	cleanup_free char *path = xasprintf("%s/config.json", dir);
	/* A --rm container lives for one run: its records need no fsync. */
	return store_save(path, o, c->auto_remove ? 0 : BE_STORE_DURABLE, err);
}

static const struct be_field state_fields[] = {
        {"head", JSON_STRING, false},         {"exit_code", JSON_INTEGER, false},
        {"oom_killed", JSON_TRUE, false},     {"started_ns", JSON_INTEGER, false},
        {"finished_ns", JSON_INTEGER, false}, {"last_snapshot", JSON_STRING, true},
};

int rec_state_load(const struct be_ctx *ctx, const char *name, struct rec_state *out,
                   struct be_error **err)
{
	if (be_name_check("container", name, err) < 0)
		return -1;
	cleanup_free char *path = rec_path(ctx, name, "state.json");
	cleanup_json json_t *o = store_load(path, err);
	if (o == NULL || BE_STORE_CHECK(path, o, state_fields, err) < 0)
		return -1;
	memset(out, 0, sizeof(*out));
	snprintf(out->head, sizeof(out->head), "%s", json_string_value(json_object_get(o, "head")));
	out->exit_code = (int)json_integer_value(json_object_get(o, "exit_code"));
	out->oom_killed = json_is_true(json_object_get(o, "oom_killed"));
	out->started_ns = json_integer_value(json_object_get(o, "started_ns"));
	out->finished_ns = json_integer_value(json_object_get(o, "finished_ns"));
	copy_name(out->last_snapshot, json_string_value(json_object_get(o, "last_snapshot")));
	return 0;
}

int rec_state_save(const struct be_ctx *ctx, const char *name, const struct rec_state *s,
                   struct be_error **err)
{
	cleanup_free char *dir = rec_path(ctx, name, NULL);
	return rec_state_write(dir, s, true, err);
}

int rec_state_write(const char *dir, const struct rec_state *s, bool durable, struct be_error **err)
{
	cleanup_json json_t *o = json_pack(
	        "{s:s,s:i,s:b,s:I,s:I,s:s}", "head", s->head, "exit_code", s->exit_code,
	        "oom_killed", s->oom_killed, "started_ns", (json_int_t)s->started_ns, "finished_ns",
	        (json_int_t)s->finished_ns, "last_snapshot", s->last_snapshot);
	if (o == NULL)
		return be_error_set(err, ENOMEM, "saving state in %s", dir);
	cleanup_free char *path = xasprintf("%s/state.json", dir);
	return store_save(path, o, durable ? BE_STORE_DURABLE : 0, err);
}

static const struct be_field run_fields[] = {
        {"pid", JSON_INTEGER, false},        {"pid_start", JSON_INTEGER, false},
        {"keeper_pid", JSON_INTEGER, false}, {"keeper_start", JSON_INTEGER, false},
        {"started_ns", JSON_INTEGER, false},
};

int rec_run_load(const struct be_ctx *ctx, const char *name, struct rec_run *out,
                 struct be_error **err)
{
	cleanup_free char *path = rec_run_path(ctx, name, ".json");
	if (!util_path_exists(path))
		return 0;
	cleanup_json json_t *o = store_load(path, err);
	if (o == NULL || BE_STORE_CHECK(path, o, run_fields, err) < 0)
		return -1;
	out->pid = (pid_t)json_integer_value(json_object_get(o, "pid"));
	out->pid_start = (uint64_t)json_integer_value(json_object_get(o, "pid_start"));
	out->keeper_pid = (pid_t)json_integer_value(json_object_get(o, "keeper_pid"));
	out->keeper_start = (uint64_t)json_integer_value(json_object_get(o, "keeper_start"));
	out->started_ns = json_integer_value(json_object_get(o, "started_ns"));
	return 1;
}

int rec_run_save(const struct be_ctx *ctx, const char *name, const struct rec_run *r,
                 struct be_error **err)
{
	cleanup_free char *dir = ctx_run_path(ctx, "containers");
	if (util_mkdir_p(dir, 0700, err) < 0)
		return -1;
	cleanup_json json_t *o = json_pack(
	        "{s:i,s:I,s:i,s:I,s:I}", "pid", (int)r->pid, "pid_start", (json_int_t)r->pid_start,
	        "keeper_pid", (int)r->keeper_pid, "keeper_start", (json_int_t)r->keeper_start,
	        "started_ns", (json_int_t)r->started_ns);
	cleanup_free char *path = rec_run_path(ctx, name, ".json");
	/* Runtime state lives on tmpfs and dies with a reboot: no fsync. */
	return store_save(path, o, 0, err);
}

void rec_run_remove(const struct be_ctx *ctx, const char *name)
{
	cleanup_free char *path = rec_run_path(ctx, name, ".json");
	unlink(path);
	/* What belonged to that run: its last live capture (journal/). */
	cleanup_free char *live = rec_run_path(ctx, name, ".live");
	unlink(live);
}

uint64_t rec_proc_start(const struct be_ctx *ctx, pid_t pid)
{
	if (pid <= 0)
		return 0;
	char path[256], buf[1024];
	snprintf(path, sizeof(path), "%s/%d/stat", ctx->proc_root, (int)pid);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* comm may hold spaces and parentheses: fields start after the last ')'. */
	char *p = strrchr(buf, ')');
	if (p == NULL)
		return 0;
	p += 2;
	/* p is at field 3 (state); start time is field 22. */
	for (int field = 3; field < 22 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (p == NULL)
		return 0;
	/* A zombie still has a start time, but it is dead for our purposes. */
	char state = *(strrchr(buf, ')') + 2);
	if (state == 'Z' || state == 'X')
		return 0;
	return strtoull(p, NULL, 10);
}

bool rec_proc_same(const struct be_ctx *ctx, pid_t pid, uint64_t start)
{
	uint64_t now = rec_proc_start(ctx, pid);
	return now != 0 && now == start;
}

bool rec_running(const struct be_ctx *ctx, const char *name, struct rec_run *run)
{
	struct rec_run r;
	if (rec_run_load(ctx, name, &r, NULL) != 1)
		return false;
	if (!rec_proc_same(ctx, r.keeper_pid, r.keeper_start))
		return false;
	if (run)
		*run = r;
	return true;
}

int rec_lock_existing(struct be_ctx *ctx, const char *name, struct be_lock **lock,
                      struct be_error **err)
{
	if (store_lock_take(ctx, "container", name, lock, err) < 0)
		return -1;
	struct rec_config cfg;
	if (rec_config_load(ctx, name, &cfg, err) < 0) {
		store_lock_release(*lock);
		*lock = NULL;
		return -1;
	}
	rec_config_clear(&cfg);
	return 0;
}
