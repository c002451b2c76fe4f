/* A VM's records: config.json and state.json under ROOT/vms/NAME (durable,
 * through store), the run record RUN/vms/NAME.json (runtime), the paths of
 * its files, and the cgroup context of VMs. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vm/vm.h"
#include "record/record.h"
#include "store/store.h"

char *vm_path(const struct be_ctx *ctx, const char *name, const char *file)
{
	return file ? ctx_path(ctx, "vms/%s/%s", name, file) : ctx_path(ctx, "vms/%s", name);
}

char *vm_run_path(const struct be_ctx *ctx, const char *name, const char *suffix)
{
	return ctx_run_path(ctx, "vms/%s%s", name, suffix);
}

char *vm_disk_path(const struct be_ctx *ctx, const char *id, const char *suffix)
{
	return ctx_path(ctx, "vmdisks/%s%s", id, suffix);
}

void vm_config_clear(struct vm_config *c)
{
	rec_strv_free(c->cmd);
	memset(c, 0, sizeof(*c));
}

void vm_state_clear(struct vm_state *s)
{
	free(s->snaps);
	memset(s, 0, sizeof(*s));
}

static const struct be_field config_fields[] = {
        {"name", JSON_STRING, false},
        {"image", JSON_STRING, false},
        {"cmd", JSON_ARRAY, false},
        {"memory", JSON_INTEGER, false},
        {"cpu_quota_us", JSON_INTEGER, false},
        {"cpu_period_us", JSON_INTEGER, false},
        {"vcpus", JSON_INTEGER, false},
        {"net", JSON_STRING, false},
        {"auto_remove", JSON_TRUE, false},
        {"created", JSON_INTEGER, false},
};

static void copy_str(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

int vm_config_load(const struct be_ctx *ctx, const char *name, struct vm_config *out,
                   struct be_error **err)
{
	memset(out, 0, sizeof(*out));
	if (be_name_check("vm", name, err) < 0)
		return -1;
	cleanup_free char *path = vm_path(ctx, name, "config.json");
	if (!util_path_exists(path))
		return be_error_set(err, 0, "no such vm: %s", name);
	cleanup_json json_t *o = store_load(path, err);
	if (o == NULL || BE_STORE_CHECK(path, o, config_fields, err) < 0)
		return -1;
	const char *n = json_string_value(json_object_get(o, "name"));
	const char *img = json_string_value(json_object_get(o, "image"));
	const char *net = json_string_value(json_object_get(o, "net"));
	if (strcmp(n, name) != 0 || !be_name_valid(img) ||
	    (strcmp(net, "none") != 0 && strcmp(net, "user") != 0))
		return be_error_set(err, EINVAL, "%s: bad name, image or net", path);
	copy_str(out->name, sizeof(out->name), n);
	copy_str(out->image, sizeof(out->image), img);
	out->cmd = rec_json_strv(json_object_get(o, "cmd"));
	out->memory = (uint64_t)json_integer_value(json_object_get(o, "memory"));
	out->cpu_quota_us = (uint64_t)json_integer_value(json_object_get(o, "cpu_quota_us"));
	out->cpu_period_us = (uint64_t)json_integer_value(json_object_get(o, "cpu_period_us"));
	out->vcpus = (unsigned)json_integer_value(json_object_get(o, "vcpus"));
	out->net = strcmp(net, "user") == 0 ? BE_VM_NET_USER : BE_VM_NET_NONE;
	out->auto_remove = json_is_true(json_object_get(o, "auto_remove"));
	out->created = json_integer_value(json_object_get(o, "created"));
	if (out->memory < BE_VM_MEMORY_MIN || out->vcpus < 1 || out->vcpus > 64) {
		vm_config_clear(out);
		return be_error_set(err, EINVAL, "%s: bad memory or vcpus", path);
	}
	return 0;
}

int vm_config_save(const struct be_ctx *ctx, const struct vm_config *c, struct be_error **err)
{
	cleanup_free char *dir = vm_path(ctx, c->name, NULL);
	return vm_config_write(dir, c, err);
}

int vm_config_write(const char *dir, const struct vm_config *c, struct be_error **err)
{
	cleanup_json json_t *o = json_pack(
	        "{s:s,s:s,s:o,s:I,s:I,s:I,s:I,s:s,s:b,s:I}", "name", c->name, "image", c->image,
	        "cmd", rec_strv_json(c->cmd), "memory", (json_int_t)c->memory, "cpu_quota_us",
	        (json_int_t)c->cpu_quota_us, "cpu_period_us", (json_int_t)c->cpu_period_us, "vcpus",
	        (json_int_t)c->vcpus, "net", c->net == BE_VM_NET_USER ? "user" : "none",
	        "auto_remove", c->auto_remove, "created", (json_int_t)c->created);
	cleanup_free char *path = xasprintf("%s/config.json", dir);
	return store_save(path, o, BE_STORE_DURABLE, err);
}

static const struct be_field state_fields[] = {
        {"top", JSON_STRING, false},          {"snapshots", JSON_ARRAY, false},
        {"exit_code", JSON_INTEGER, false},   {"started_ns", JSON_INTEGER, false},
        {"finished_ns", JSON_INTEGER, false}, {"boot_ns", JSON_INTEGER, false},
        {"accel", JSON_STRING, false},        {"top_fresh", JSON_TRUE, true},
};

static bool disk_id_valid(const char *id)
{
	if (strlen(id) != VM_ID_LEN)
		return false;
	for (const char *p = id; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

static int snaps_load(const char *path, json_t *arr, struct vm_state *out, struct be_error **err)
{
	size_t n = json_array_size(arr);
	if (n > VM_SNAP_MAX)
		return be_error_set(err, EINVAL, "%s: too many snapshots", path);
	out->snaps = xcalloc(n + 1, sizeof(*out->snaps));
	for (size_t i = 0; i < n; i++) {
		json_t *s = json_array_get(arr, i);
		const char *name = json_string_value(json_object_get(s, "name"));
		const char *disk = json_string_value(json_object_get(s, "disk"));
		json_t *created = json_object_get(s, "created");
		if (!name || !disk || !json_is_integer(created) || !be_name_valid(name) ||
		    !disk_id_valid(disk))
			return be_error_set(err, EINVAL, "%s: snapshot %zu is malformed", path, i);
		copy_str(out->snaps[i].name, sizeof(out->snaps[i].name), name);
		copy_str(out->snaps[i].disk, sizeof(out->snaps[i].disk), disk);
		out->snaps[i].created = json_integer_value(created);
	}
	out->n_snaps = n;
	return 0;
}

int vm_state_load(const struct be_ctx *ctx, const char *name, struct vm_state *out,
                  struct be_error **err)
{
	memset(out, 0, sizeof(*out));
	cleanup_free char *path = vm_path(ctx, name, "state.json");
	cleanup_json json_t *o = store_load(path, err);
	if (o == NULL || BE_STORE_CHECK(path, o, state_fields, err) < 0)
		return -1;
	const char *top = json_string_value(json_object_get(o, "top"));
	if (!disk_id_valid(top))
		return be_error_set(err, EINVAL, "%s: bad top disk \"%s\"", path, top);
	copy_str(out->top, sizeof(out->top), top);
	copy_str(out->accel, sizeof(out->accel), json_string_value(json_object_get(o, "accel")));
	out->exit_code = (int)json_integer_value(json_object_get(o, "exit_code"));
	out->started_ns = json_integer_value(json_object_get(o, "started_ns"));
	out->finished_ns = json_integer_value(json_object_get(o, "finished_ns"));
	out->boot_ns = (uint64_t)json_integer_value(json_object_get(o, "boot_ns"));
	out->top_fresh = json_is_true(json_object_get(o, "top_fresh"));
	if (snaps_load(path, json_object_get(o, "snapshots"), out, err) < 0) {
		vm_state_clear(out);
		return -1;
	}
	return 0;
}

int vm_state_save(const struct be_ctx *ctx, const char *name, const struct vm_state *s,
                  struct be_error **err)
{
	cleanup_free char *dir = vm_path(ctx, name, NULL);
	return vm_state_write(dir, s, err);
}

int vm_state_write(const char *dir, const struct vm_state *s, struct be_error **err)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < s->n_snaps; i++)
		json_array_append_new(arr, json_pack("{s:s,s:s,s:I}", "name", s->snaps[i].name,
		                                     "disk", s->snaps[i].disk, "created",
		                                     (json_int_t)s->snaps[i].created));
	cleanup_json json_t *o =
	        json_pack("{s:s,s:o,s:i,s:I,s:I,s:I,s:s,s:b}", "top", s->top, "snapshots", arr,
	                  "exit_code", s->exit_code, "started_ns", (json_int_t)s->started_ns,
	                  "finished_ns", (json_int_t)s->finished_ns, "boot_ns",
	                  (json_int_t)s->boot_ns, "accel", s->accel, "top_fresh", s->top_fresh);
	cleanup_free char *path = xasprintf("%s/state.json", dir);
	return store_save(path, o, BE_STORE_DURABLE, err);
}

static const struct be_field run_fields[] = {
        {"keeper_pid", JSON_INTEGER, false},   {"qemu_pid", JSON_INTEGER, false},
        {"keeper_start", JSON_INTEGER, false}, {"qemu_start", JSON_INTEGER, false},
        {"started_ns", JSON_INTEGER, false},   {"cgroup_memory", JSON_INTEGER, false},
        {"accel", JSON_STRING, false},
};

int vm_run_load(const struct be_ctx *ctx, const char *name, struct vm_run *out,
                struct be_error **err)
{
	memset(out, 0, sizeof(*out));
	cleanup_free char *path = vm_run_path(ctx, name, ".json");
	if (!util_path_exists(path))
		return 0;
	cleanup_json json_t *o = store_load(path, err);
	if (o == NULL || BE_STORE_CHECK(path, o, run_fields, err) < 0)
		return -1;
	out->keeper_pid = (pid_t)json_integer_value(json_object_get(o, "keeper_pid"));
	out->qemu_pid = (pid_t)json_integer_value(json_object_get(o, "qemu_pid"));
	out->keeper_start = (uint64_t)json_integer_value(json_object_get(o, "keeper_start"));
	out->qemu_start = (uint64_t)json_integer_value(json_object_get(o, "qemu_start"));
	out->started_ns = json_integer_value(json_object_get(o, "started_ns"));
	out->cgroup_memory = (uint64_t)json_integer_value(json_object_get(o, "cgroup_memory"));
	copy_str(out->accel, sizeof(out->accel), json_string_value(json_object_get(o, "accel")));
	if (out->keeper_pid <= 0)
		return be_error_set(err, EINVAL, "%s: bad keeper pid", path);
	return 1;
}

int vm_run_save(const struct be_ctx *ctx, const char *name, const struct vm_run *r,
                struct be_error **err)
{
	cleanup_free char *dir = ctx_run_path(ctx, "vms");
	if (util_mkdir_p(dir, 0700, err) < 0)
		return -1;
	cleanup_json json_t *o = json_pack(
	        "{s:i,s:i,s:I,s:I,s:I,s:I,s:s}", "keeper_pid", (int)r->keeper_pid, "qemu_pid",
	        (int)r->qemu_pid, "keeper_start", (json_int_t)r->keeper_start, "qemu_start",
	        (json_int_t)r->qemu_start, "started_ns", (json_int_t)r->started_ns, "cgroup_memory",
	        (json_int_t)r->cgroup_memory, "accel", r->accel);
	cleanup_free char *path = vm_run_path(ctx, name, ".json");
	return store_save(path, o, 0, err);
}

uint64_t vm_proc_start(const struct be_ctx *ctx, pid_t pid)
{
	return rec_proc_start(ctx, pid);
}

bool vm_run_alive(const struct be_ctx *ctx, const struct vm_run *r)
{
	return r->keeper_pid > 0 && rec_proc_same(ctx, r->keeper_pid, r->keeper_start);
}

struct be_ctx *vm_cg_ctx(const struct be_ctx *ctx)
{
	struct be_ctx *c = xmalloc(sizeof(*c));
	*c = *ctx;
	c->cgroup_parent = xasprintf("%s%s", ctx->cgroup_parent, BE_VM_CGROUP_SUFFIX);
	return c;
}

void vm_cg_ctx_free(struct be_ctx *c)
{
	if (c == NULL)
		return;
	free(c->cgroup_parent);
	free(c);
}
