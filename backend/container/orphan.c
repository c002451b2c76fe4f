/* What a listing may do to a container whose keeper or records are gone:
 * look and record, never end.  Orphans (a cgroup of this root whose
 * containers/NAME vanished) are listed; rm -f and `system prune` end them. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "record/record.h"
#include "layer/layer.h"
#include "store/store.h"
#include "container/container.h"

/* The first process of the cgroup (its init, usually), or 0. */
static pid_t first_pid(const struct be_ctx *ctx, const char *name)
{
	char **paths = NULL;
	size_t n = 0;
	if (cg_paths(ctx, name, &paths, &n, NULL) < 0)
		return 0;
	pid_t pid = 0;
	for (size_t i = 0; i < n && pid == 0; i++) {
		cleanup_free char *procs = xasprintf("%s/cgroup.procs", strchr(paths[i], ':') + 1);
		cleanup_free char *text = util_read_file(procs, NULL, NULL);
		if (text)
			pid = (pid_t)atoi(text);
	}
	cg_strv_free(paths);
	return pid;
}

static bool has_records(const struct be_ctx *ctx, const char *name)
{
	cleanup_free char *dir = rec_path(ctx, name, NULL);
	return util_path_exists(dir);
}

bool ct_cgroup_exists(const struct be_ctx *ctx, const char *name)
{
	struct cg_state cs = {0};
	return cg_state(ctx, name, &cs, NULL) == 0 && cs.exists;
}

bool ct_record_dead_keeper(struct be_ctx *ctx, const char *name)
{
	struct rec_run run;
	if (rec_run_load(ctx, name, &run, NULL) != 1 ||
	    rec_proc_same(ctx, run.keeper_pid, run.keeper_start))
		return false;
	if (!cg_is_empty(ctx, name))
		return true;
	struct be_lock *lock = NULL;
	if (store_lock_take(ctx, "container", name, &lock, NULL) < 0)
		return false;
	struct rec_state st;
	if (rec_run_load(ctx, name, &run, NULL) == 1 &&
	    !rec_proc_same(ctx, run.keeper_pid, run.keeper_start) &&
	    rec_state_load(ctx, name, &st, NULL) == 0) {
		st.exit_code = -1;
		st.oom_killed = cg_oom_killed(ctx, name);
		st.started_ns = run.started_ns;
		st.finished_ns = util_wall_ns();
		if (rec_state_save(ctx, name, &st, NULL) == 0)
			rec_run_remove(ctx, name);
	}
	store_lock_release(lock);
	return false;
}

static void orphan_info(const struct be_ctx *ctx, const char *name, struct be_container_info *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", name);
	out->status = BE_STATUS_ORPHANED;
	out->exit_code = -1;
	out->pid = first_pid(ctx, name);
	out->command = xstrdup("");
	out->cgroup = xasprintf("%s/%s", be_ctx_cgroup_parent(ctx), name);
	out->problem = xasprintf("its records are gone while its cgroup %s lives: rm -f %s or "
	                         "berth system prune ends it",
	                         out->cgroup, name);
}

int ct_orphans_append(struct be_ctx *ctx, struct be_container_info **list, size_t *n)
{
	char **names = NULL;
	size_t count = 0;
	if (cg_list(ctx, &names, &count, NULL) < 0)
		return 0;
	size_t added = 0;
	for (size_t i = 0; i < count; i++) {
		if (has_records(ctx, names[i]))
			continue;
		*list = xrealloc(*list, (*n + 1) * sizeof(**list));
		orphan_info(ctx, names[i], &(*list)[(*n)++]);
		added++;
	}
	cg_strv_free(names);
	return (int)added;
}

int be_container_orphans(struct be_ctx *ctx, struct be_container_info **out, size_t *n,
                         struct be_error **err)
{
	struct be_container_info *all = NULL;
	size_t count = 0;
	if (be_container_list(ctx, &all, &count, err) < 0)
		return -1;
	size_t k = 0;
	for (size_t i = 0; i < count; i++) {
		if (all[i].status == BE_STATUS_ORPHANED || all[i].keeper_gone)
			all[k++] = all[i];
		else
			be_container_info_clear(&all[i]);
	}
	*out = all;
	*n = k;
	return 0;
}

int ct_end_orphan_locked(struct be_ctx *ctx, const char *name, struct be_error **err)
{
	if (has_records(ctx, name))
		return be_error_set(err, 0, "container %s is not orphaned (its records are there)",
		                    name);
	struct be_error *e2 = NULL;
	cg_kill_all(ctx, name, SIGKILL, &e2);
	be_error_clear(&e2);
	if (cg_destroy(ctx, name, err) < 0)
		return be_error_wrap(err, "ending orphaned container %s", name);
	layer_overlay_unmount(ctx, name, &e2);
	be_error_free(e2);
	rec_run_remove(ctx, name);
	return 0;
}

int be_container_end_orphan(struct be_ctx *ctx, const char *name, struct be_error **err)
{
	cleanup_lock struct be_lock *lock = NULL;
	if (store_lock_take(ctx, "container", name, &lock, err) < 0)
		return -1;
	if (!has_records(ctx, name)) {
		if (ct_end_orphan_locked(ctx, name, err) < 0)
			return -1;
		store_lock_drop_file(lock);
		return 0;
	}
	/* A keeper that died leaving processes: end them now (the repair a
	 * listing only reports). */
	if (rec_running(ctx, name, NULL))
		return be_error_set(err, 0, "container %s is not orphaned (it is running)", name);
	return ct_reconcile(ctx, name, err);
}
