/* Snapshots, rollback and clones of VMs on their qcow2 chains.  A
 * snapshot freezes the VM's top overlay and puts a fresh empty one above
 * (qemu-img when stopped, QMP blockdev-snapshot-sync while running): one
 * small file, whatever the size of the disk.  Rollback puts a fresh
 * overlay over the snapshot's; a clone one over the source's current
 * state, so clones share everything below. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vm/vm.h"
#include "store/store.h"

/* Freezes the top of a VM: a new disk over it becomes the top; *frozen
 * gets the old top.  Live through QMP when it runs.  The caller holds the
 * VM's lock and a gc hold, and saves st. */
/* The parent disk id of id ("" for the image's base) into out. */
static int top_parent(const struct be_ctx *ctx, const char *id, char *out, struct be_error **err)
{
	cleanup_free struct vm_disk_node *nodes = NULL;
	size_t n = 0;
	if (vm_disk_nodes(ctx, &nodes, &n, err) < 0)
		return -1;
	ssize_t i = vm_chain_find(nodes, n, id);
	if (i < 0)
		return be_error_set(err, ENOENT, "vm disk %s has no record", id);
	memcpy(out, nodes[i].parent, VM_ID_LEN + 1);
	return 0;
}

static int freeze_top(struct be_ctx *ctx, const char *name, const char *image, struct vm_state *st,
                      bool reuse_parent, char *frozen, bool *live, uint64_t *took_ns,
                      struct be_error **err)
{
	char id[VM_ID_LEN + 1];
	memcpy(frozen, st->top, VM_ID_LEN + 1);
	*live = vm_running(ctx, name, NULL);
	uint64_t t0 = util_now_ns();
	if (!*live && st->top_fresh && reuse_parent) {
		/* Nothing was written since the last freeze: what is below the
		 * top is the current state, and a second clone shares it. */
		*took_ns = 0;
		return top_parent(ctx, st->top, frozen, err);
	}
	if (!*live) {
		if (vm_disk_new(ctx, image, st->top, id, err) < 0)
			return -1;
		*took_ns = util_now_ns() - t0;
	} else {
		util_random_hex(id, VM_ID_LEN / 2);
		cleanup_free char *file = vm_disk_path(ctx, id, ".qcow2");
		cleanup_free char *qmp = vm_run_path(ctx, name, ".qmp");
		if (vm_disk_record(ctx, id, image, st->top, err) < 0)
			return -1;
		cleanup_free char *args =
		        xasprintf("{\"device\":\"disk0\",\"snapshot-file\":\"%s\","
		                  "\"format\":\"qcow2\",\"mode\":\"absolute-paths\"}",
		                  file);
		struct vm_qmp *q = vm_qmp_open(qmp, 2000, err);
		t0 = util_now_ns(); /* the command alone, not the connection */
		int r = q ? vm_qmp_exec(q, "blockdev-snapshot-sync", args, err) : -1;
		*took_ns = util_now_ns() - t0;
		vm_qmp_close(q);
		if (r < 0) {
			cleanup_free char *rec = vm_disk_path(ctx, id, ".json");
			unlink(rec);
			unlink(file);
			return be_error_wrap(err, "live snapshot of vm %s", name);
		}
	}
	memcpy(st->top, id, VM_ID_LEN + 1);
	st->top_fresh = !*live;
	return 0;
}

static bool snap_exists(const struct vm_state *st, const char *snap)
{
	for (size_t i = 0; i < st->n_snaps; i++)
		if (strcmp(st->snaps[i].name, snap) == 0)
			return true;
	return false;
}

int be_vm_snapshot(struct be_ctx *ctx, const char *name, const char *snap,
                   struct be_vm_snapshot_taken *out, struct be_error **err)
{
	cleanup_lock struct be_lock *lock = NULL;
	if (vm_lock(ctx, name, &lock, err) < 0)
		return -1;
	struct vm_config c;
	struct vm_state st;
	if (vm_config_load(ctx, name, &c, err) < 0)
		return -1;
	int r = vm_state_load(ctx, name, &st, err);
	char image[BE_NAME_MAX + 1];
	snprintf(image, sizeof(image), "%s", c.image);
	vm_config_clear(&c);
	if (r < 0)
		return -1;
	char gen[BE_NAME_MAX + 1];
	if (snap == NULL) {
		for (size_t i = st.n_snaps + 1;; i++) {
			snprintf(gen, sizeof(gen), "snap%zu", i);
			if (!snap_exists(&st, gen))
				break;
		}
		snap = gen;
	}
	if (be_name_check("snapshot", snap, err) < 0 ||
	    (snap_exists(&st, snap) &&
	     be_error_set(err, 0, "vm %s has a snapshot %s already", name, snap)) ||
	    (st.n_snaps >= VM_SNAP_MAX &&
	     be_error_set(err, 0, "vm %s has %d snapshots: remove some", name, VM_SNAP_MAX))) {
		vm_state_clear(&st);
		return -1;
	}
	cleanup_lock struct be_lock *hold = NULL;
	struct vm_snap s = {.created = util_wall_ns() / 1000000000};
	bool live = false;
	uint64_t took = 0;
	r = store_lock_take_shared(ctx, "vmdisks", "gc", &hold, err) < 0 ||
	                    freeze_top(ctx, name, image, &st, false, s.disk, &live, &took, err) < 0
	            ? -1
	            : 0;
	if (r == 0) {
		snprintf(s.name, sizeof(s.name), "%s", snap);
		st.snaps = xrealloc(st.snaps, (st.n_snaps + 1) * sizeof(*st.snaps));
		st.snaps[st.n_snaps++] = s;
		r = vm_state_save(ctx, name, &st, err);
	}
	vm_state_clear(&st);
	if (r < 0)
		return be_error_wrap(err, "snapshot of vm %s", name);
	if (out) {
		snprintf(out->name, sizeof(out->name), "%s", snap);
		out->live = live;
		out->took_ns = took;
	}
	return 0;
}

int be_vm_snapshots(struct be_ctx *ctx, const char *name, struct be_vm_snapshot_info **out,
                    size_t *n, struct be_error **err)
{
	*out = NULL;
	*n = 0;
	struct vm_state st;
	if (be_name_check("vm", name, err) < 0)
		return -1;
	cleanup_free char *dir = vm_path(ctx, name, NULL);
	if (!util_path_exists(dir))
		return be_error_set(err, 0, "no such vm: %s", name);
	if (vm_state_load(ctx, name, &st, err) < 0)
		return -1;
	cleanup_free struct vm_disk_node *nodes = NULL;
	size_t nn = 0;
	if (vm_disk_nodes(ctx, &nodes, &nn, err) < 0) {
		vm_state_clear(&st);
		return -1;
	}
	const char *cur = vm_snap_parent(st.snaps, st.n_snaps, nodes, nn, st.top);
	*out = xcalloc(st.n_snaps + 1, sizeof(**out));
	for (size_t i = 0; i < st.n_snaps; i++) {
		struct be_vm_snapshot_info *v = &(*out)[i];
		snprintf(v->name, sizeof(v->name), "%s", st.snaps[i].name);
		snprintf(v->disk, sizeof(v->disk), "%s", st.snaps[i].disk);
		snprintf(v->parent, sizeof(v->parent), "%s",
		         vm_snap_parent(st.snaps, st.n_snaps, nodes, nn, st.snaps[i].disk));
		v->created = st.snaps[i].created;
		v->size = vm_disk_size(ctx, st.snaps[i].disk);
		v->current = strcmp(cur, st.snaps[i].name) == 0;
	}
	*n = st.n_snaps;
	vm_state_clear(&st);
	return 0;
}

int be_vm_rollback(struct be_ctx *ctx, const char *name, const char *snap, struct be_error **err)
{
	cleanup_lock struct be_lock *lock = NULL;
	if (vm_lock(ctx, name, &lock, err) < 0)
		return -1;
	if (vm_running(ctx, name, NULL))
		return be_error_set(err, 0, "vm %s is running: stop it before a rollback", name);
	struct vm_config c;
	struct vm_state st;
	if (vm_config_load(ctx, name, &c, err) < 0)
		return -1;
	if (vm_state_load(ctx, name, &st, err) < 0) {
		vm_config_clear(&c);
		return -1;
	}
	ssize_t k = -1;
	for (size_t i = 0; i < st.n_snaps; i++)
		if (strcmp(st.snaps[i].name, snap) == 0)
			k = (ssize_t)i;
	int r = -1;
	cleanup_lock struct be_lock *hold = NULL;
	if (k < 0)
		be_error_set(err, 0, "vm %s has no snapshot %s", name, snap);
	else if (store_lock_take_shared(ctx, "vmdisks", "gc", &hold, err) == 0 &&
	         vm_disk_new(ctx, c.image, st.snaps[k].disk, st.top, err) == 0) {
		st.top_fresh = true;
		r = vm_state_save(ctx, name, &st, err);
	}
	vm_config_clear(&c);
	vm_state_clear(&st);
	if (r < 0)
		return be_error_wrap(err, "rolling vm %s back to %s", name, snap);
	store_lock_release(steal_pointer(&hold));
	vm_disk_gc(ctx, NULL); /* the old top */
	return 0;
}

int be_vm_clone(struct be_ctx *ctx, const char *src, const char *dst, bool auto_remove,
                struct be_error **err)
{
	if (be_name_check("vm", dst, err) < 0)
		return -1;
	cleanup_lock struct be_lock *lock = NULL, *dlock = NULL, *hold = NULL;
	if (vm_lock(ctx, src, &lock, err) < 0 || store_lock_take(ctx, "vm", dst, &dlock, err) < 0)
		return -1;
	struct vm_config c;
	struct vm_state st;
	if (vm_config_load(ctx, src, &c, err) < 0)
		return -1;
	if (vm_state_load(ctx, src, &st, err) < 0) {
		vm_config_clear(&c);
		return -1;
	}
	char frozen[VM_ID_LEN + 1];
	bool live;
	uint64_t took;
	int r = store_lock_take_shared(ctx, "vmdisks", "gc", &hold, err);
	if (r == 0)
		r = freeze_top(ctx, src, c.image, &st, true, frozen, &live, &took, err);
	if (r == 0)
		r = vm_state_save(ctx, src, &st, err);
	store_lock_release(steal_pointer(&hold));
	if (r == 0) {
		snprintf(c.name, sizeof(c.name), "%s", dst);
		c.auto_remove = auto_remove;
		c.created = util_wall_ns() / 1000000000;
		r = vm_write_dir(ctx, &c, frozen[0] ? frozen : NULL, err);
	}
	vm_config_clear(&c);
	vm_state_clear(&st);
	if (r < 0)
		return be_error_wrap(err, "cloning vm %s to %s", src, dst);
	return 0;
}
