/* The disk-changing steps of snapshot operations, each behind the intent
 * record op.json so that a crash at any point is finished (or undone) by
 * journal_repair: capturing a stopped container's upper (seal by
 * exchange), capturing a running one's (freeze, copy, thaw), rolling back. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "journal/journal.h"
#include "store/store.h"
#include "record/record.h"

uint64_t snap_ino(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

bool snap_dir_empty(const char *path)
{
	cleanup_dir DIR *d = opendir(path);
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			return false;
	return true;
}

static void op_init(struct snap_op *op, enum snap_op_kind kind, const char *purpose,
                    const char *snap, const char *target, const char *head)
{
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	snprintf(op->purpose, sizeof(op->purpose), "%s", purpose ? purpose : "snapshot");
	snprintf(op->snap, sizeof(op->snap), "%s", snap ? snap : "");
	snprintf(op->target, sizeof(op->target), "%s", target ? target : "");
	snprintf(op->old_head, sizeof(op->old_head), "%.12s", head);
}

/* "snap-N" names advance the counter past N. */
static void bump_next(struct snap_list *l, const char *snap)
{
	if (strncmp(snap, "snap-", 5) != 0 || snap[5] < '1' || snap[5] > '9')
		return;
	char *end;
	long long n = strtoll(snap + 5, &end, 10);
	if (*end == '\0' && n >= l->next)
		l->next = n + 1;
}

/* Adds snapshot op->snap (layer, parent = the current one) unless there. */
static int record_snapshot(struct be_ctx *ctx, const char *name, const char *snap,
                           const char *layer, int64_t size, struct be_error **err)
{
	struct snap_list l;
	if (snap_list_load(ctx, name, &l, err) < 0)
		return -1;
	int r = 0;
	if (snap_find(&l, snap) == NULL) {
		struct snap_rec rec = {.created = (int64_t)time(NULL), .size = size};
		snprintf(rec.name, sizeof(rec.name), "%s", snap);
		snprintf(rec.layer, sizeof(rec.layer), "%s", layer);
		snprintf(rec.parent, sizeof(rec.parent), "%s", l.current);
		snap_list_add(&l, &rec);
		snprintf(l.current, sizeof(l.current), "%s", snap);
		bump_next(&l, snap);
		r = snap_list_save(ctx, name, &l, err);
	}
	snap_list_clear(&l);
	return r;
}

int snap_capture_finish(struct be_ctx *ctx, const char *name, const struct snap_op *op,
                        struct be_error **err)
{
	cleanup_free char *upper = rec_path(ctx, name, "upper");
	cleanup_free char *diff = layer_diff_path(ctx, op->layer);
	/* The fresh upper is the sealed empty directory: it takes the root
	 * attributes of the state it now sits on. */
	if (snap_copy_root_attrs(diff, upper, err) < 0)
		return -1;
	if (op->snap[0] && record_snapshot(ctx, name, op->snap, op->layer, -1, err) < 0)
		return -1;
	util_fault("snapshot.after_record");
	struct rec_state st;
	if (rec_state_load(ctx, name, &st, err) < 0)
		return -1;
	if (strcmp(st.head, op->layer) == 0)
		return 0;
	snprintf(st.head, sizeof(st.head), "%s", op->layer);
	if (op->snap[0])
		snprintf(st.last_snapshot, sizeof(st.last_snapshot), "%s", op->snap);
	if (rec_state_save(ctx, name, &st, err) < 0)
		return -1;
	util_fault("snapshot.after_state");
	return 0;
}

/* Seals a new empty directory as the layer, in place of the upper to come. */
static int seal_empty(struct be_ctx *ctx, const char *name, const char *head, char *id,
                      struct be_error **err)
{
	cleanup_free char *seal = rec_path(ctx, name, "seal");
	if (util_rm_rf(seal, err) < 0)
		return -1;
	if (mkdir(seal, 0755) < 0)
		return be_error_set(err, errno, "creating %s", seal);
	if (layer_seal_dir(ctx, seal, head, "snapshot", id, err) < 0) {
		rmdir(seal);
		return -1;
	}
	return 0;
}

int snap_capture_stopped(struct be_ctx *ctx, const char *name, const char *purpose,
                         const char *snap, const char *target, bool keep_op,
                         char layer_out[BE_LAYER_ID_LEN + 1], struct be_error **err)
{
	struct rec_state st;
	if (rec_state_load(ctx, name, &st, err) < 0)
		return -1;
	cleanup_free char *upper = rec_path(ctx, name, "upper");
	cleanup_free char *diff = NULL; /* before the first goto undo */
	struct snap_op op;
	op_init(&op, SNAP_OP_SNAPSHOT, purpose, snap, target, st.head);
	op.upper_ino = snap_ino(upper);
	if (op.upper_ino == 0)
		return be_error_set(err, errno, "reading %s", upper);
	if (snap_op_save(ctx, name, &op, err) < 0)
		return -1;
	util_fault("snapshot.after_intent");
	if (util_fail("snapshot.seal", err) < 0 ||
	    seal_empty(ctx, name, st.head, op.layer, err) < 0)
		goto undo;
	util_fault("snapshot.after_seal");
	/* One atomic step: the upper becomes the layer's diff, the layer's
	 * empty diff becomes the upper.  No moment without an upper.  (The
	 * intent does not name the layer: repair finds it by the upper's
	 * inode, and no collection runs while an intent is pending.) */
	diff = layer_diff_path(ctx, op.layer);
	if (renameat2(AT_FDCWD, upper, AT_FDCWD, diff, RENAME_EXCHANGE) < 0) {
		be_error_set(err, errno, "exchanging %s and %s", upper, diff);
		goto undo;
	}
	util_fault("snapshot.after_exchange");
	if (snap_capture_finish(ctx, name, &op, err) < 0)
		return be_error_wrap(err, "(the next berth command completes it)");
	if (!keep_op && snap_op_remove(ctx, name, err) < 0)
		return -1;
	util_fault("snapshot.after_done");
	memcpy(layer_out, op.layer, BE_LAYER_ID_LEN + 1);
	return 0;
undo:
	/* The upper never moved: drop the empty layer and the intent. */
	journal_gc(ctx, name, NULL, NULL);
	snap_op_remove(ctx, name, NULL);
	return -1;
}

/* ---- live capture ---------------------------------------------------------- */

/* A layer being built under ROOT/tmp, born locked so that other clients'
 * repair leaves it alone. */
static int begin_locked(struct be_ctx *ctx, struct be_layer_tmp **t, int *lock_fd,
                        struct be_error **err)
{
	return layer_begin_locked(ctx, t, lock_fd, err);
}

static int sync_dir_fs(const char *dir, struct be_error **err)
{
	cleanup_close int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || syncfs(fd) < 0)
		return be_error_set(err, errno, "syncing %s", dir);
	return 0;
}

/* The file system's clock, a little in the past: file times come from the
 * coarse clock, so anything changed after this call has a ctime at or
 * after the value returned. */
static struct timespec fs_clock_past(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME_COARSE, &ts);
	ts.tv_nsec -= 20 * 1000000L;
	if (ts.tv_nsec < 0) {
		ts.tv_nsec += 1000000000L;
		ts.tv_sec--;
	}
	return ts;
}

/* Drains the watch's events every 64 entries of the first pass. */
struct drain {
	struct snap_watch *w;
	unsigned n;
};

static void drain_tick(void *arg)
{
	struct drain *d = arg;
	if (++d->n % 64 == 0)
		snap_watch_drain(d->w);
}

/* Copies the running container's upper as pre-copy live migration does: a
 * first pass while it runs, then frozen only for what changed since (by
 * ctime), then thawed, with the signals that would end the process held
 * back meanwhile: the cgroup is thawed on every path.  The copied files
 * are synced after the thaw.  *frozen_ns receives how long it was frozen. */
static int live_copy(struct be_ctx *ctx, const char *name, bool freeze, const char *upper,
                     const char *dst, int64_t *frozen_ns, struct timespec *frozen_at,
                     struct be_error **err)
{
	/* Changes during the first pass are told by inotify where it can; the
	 * ctime walk covers the rest. */
	struct snap_watch *w = snap_watch_start(upper);
	struct timespec since = fs_clock_past();
	struct drain d = {.w = w};
	if (snap_copy_tree_live(upper, dst, w ? drain_tick : NULL, &d, err) < 0) {
		snap_watch_free(w);
		return -1;
	}
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGQUIT);
	sigprocmask(SIG_BLOCK, &block, &old);
	int r = 0;
	int64_t t0 = (int64_t)util_now_ns();
	if (freeze && cg_freeze(ctx, name, true, err) < 0)
		r = be_error_wrap(err, "freezing %s", name);
	if (r == 0) {
		util_fault("snapshot.live_frozen");
		r = w ? snap_watch_apply(w, upper, dst, NULL, err) : 1;
		if (r == 1)
			r = snap_copy_delta(upper, dst, &since, NULL, err);
	}
	if (r == 0)
		util_fault("snapshot.live_after_copy");
	/* The copy holds the upper as it is now, while frozen: a change after
	 * the thaw has a ctime at or after this reading of the file system's
	 * clock (only a change in the same tick before the freeze looks newer). */
	clock_gettime(CLOCK_REALTIME_COARSE, frozen_at);
	if (freeze && cg_freeze(ctx, name, false, r < 0 ? NULL : err) < 0) {
		/* Try once more: a frozen container must not be left behind. */
		if (cg_freeze(ctx, name, false, NULL) < 0 && r == 0)
			r = be_error_wrap(err, "thawing %s", name);
	}
	if (frozen_ns)
		*frozen_ns = (int64_t)util_now_ns() - t0;
	sigprocmask(SIG_SETMASK, &old, NULL);
	snap_watch_free(w);
	if (r == 0)
		r = sync_dir_fs(dst, err);
	return r;
}

/* RUN/containers/NAME.live: the last live capture of this run of NAME
 * (runtime state: it dies with the run). */
static const struct be_field live_fields[] = {
        {"layer", JSON_STRING, false},        {"head", JSON_STRING, false},
        {"pid_start", JSON_INTEGER, false},   {"frozen_sec", JSON_INTEGER, false},
        {"frozen_nsec", JSON_INTEGER, false},
};

static void live_record(struct be_ctx *ctx, const char *name, const char *layer, const char *head,
                        const struct timespec *frozen)
{
	struct rec_run run;
	if (rec_run_load(ctx, name, &run, NULL) <= 0)
		return;
	cleanup_json json_t *o =
	        json_pack("{s:s,s:s,s:I,s:I,s:I}", "layer", layer, "head", head, "pid_start",
	                  (json_int_t)run.pid_start, "frozen_sec", (json_int_t)frozen->tv_sec,
	                  "frozen_nsec", (json_int_t)frozen->tv_nsec);
	cleanup_free char *path = rec_run_path(ctx, name, ".live");
	if (o)
		store_save(path, o, 0, NULL);
}

bool snap_live_reusable(struct be_ctx *ctx, const char *name, char layer[BE_LAYER_ID_LEN + 1])
{
	cleanup_free char *path = rec_run_path(ctx, name, ".live");
	if (!util_path_exists(path))
		return false;
	cleanup_json json_t *o = store_load(path, NULL);
	struct rec_state st;
	struct rec_run run;
	struct be_layer_info li;
	if (o == NULL || BE_STORE_CHECK(path, o, live_fields, NULL) < 0 ||
	    rec_state_load(ctx, name, &st, NULL) < 0 || rec_run_load(ctx, name, &run, NULL) <= 0)
		return false;
	const char *id = json_string_value(json_object_get(o, "layer"));
	if (strcmp(json_string_value(json_object_get(o, "head")), st.head) != 0 ||
	    (uint64_t)json_integer_value(json_object_get(o, "pid_start")) != run.pid_start ||
	    !layer_id_valid(id) || layer_load(ctx, id, &li, NULL) < 0)
		return false;
	struct timespec frozen = {
	        .tv_sec = (time_t)json_integer_value(json_object_get(o, "frozen_sec")),
	        .tv_nsec = (long)json_integer_value(json_object_get(o, "frozen_nsec")),
	};
	cleanup_free char *upper = rec_path(ctx, name, "upper");
	if (snap_tree_changed_since(upper, &frozen))
		return false;
	snprintf(layer, BE_LAYER_ID_LEN + 1, "%s", id);
	return true;
}

int snap_capture_live(struct be_ctx *ctx, const char *name, const char *purpose, const char *snap,
                      const char *target, bool keep_op, char layer_out[BE_LAYER_ID_LEN + 1],
                      int64_t *frozen_ns, struct be_error **err)
{
	struct rec_state st;
	if (rec_state_load(ctx, name, &st, err) < 0)
		return -1;
	struct cg_state cs = {0};
	if (cg_state(ctx, name, &cs, err) < 0)
		return -1;
	cleanup_free char *upper = rec_path(ctx, name, "upper");
	struct snap_op op;
	op_init(&op, SNAP_OP_LIVE, purpose, snap, target, st.head);
	op.frozen = !cs.frozen; /* a container the user paused stays paused */
	if (snap_op_save(ctx, name, &op, err) < 0)
		return -1;
	util_fault("snapshot.live_after_intent");
	struct be_layer_tmp *t = NULL;
	cleanup_close int lock_fd = -1;
	if (begin_locked(ctx, &t, &lock_fd, err) < 0)
		goto undo;
	struct timespec frozen_at;
	if (live_copy(ctx, name, op.frozen, upper, layer_tmp_diff(t), frozen_ns, &frozen_at, err) <
	    0) {
		layer_abort(t);
		goto undo;
	}
	op.frozen = false;
	if (snap_op_save(ctx, name, &op, err) < 0) {
		layer_abort(t);
		goto undo;
	}
	util_fault("snapshot.live_after_thaw");
	if (layer_commit(ctx, t, st.head, "snapshot", op.layer, err) < 0)
		goto undo;
	util_fault("snapshot.live_after_commit");
	/* The copy equals the upper as it was while frozen: clones that come
	 * before the next change can share it. */
	live_record(ctx, name, op.layer, st.head, &frozen_at);
	int64_t size = -1, files;
	layer_size(ctx, op.layer, &size, &files, NULL);
	if (op.snap[0] && record_snapshot(ctx, name, op.snap, op.layer, size, err) < 0)
		goto undo;
	util_fault("snapshot.live_after_record");
	if (!keep_op && snap_op_remove(ctx, name, err) < 0)
		return -1;
	memcpy(layer_out, op.layer, BE_LAYER_ID_LEN + 1);
	return 0;
undo:
	journal_gc(ctx, name, NULL, NULL);
	snap_op_remove(ctx, name, NULL);
	return -1;
}

/* ---- rollback ---------------------------------------------------------------- */

/* Puts a fresh upper (with the root attributes of layer diff) in place of
 * the old one, which lands in upper.new; skipped when done already. */
static int swap_upper(struct be_ctx *ctx, const char *name, const struct snap_op *op,
                      const char *diff, struct be_error **err)
{
	cleanup_free char *upper = rec_path(ctx, name, "upper");
	cleanup_free char *fresh = rec_path(ctx, name, "upper.new");
	bool have_upper = util_path_exists(upper);
	if (have_upper && snap_ino(upper) != op->upper_ino)
		return 0; /* exchanged before a crash */
	if (util_rm_rf(fresh, err) < 0)
		return -1;
	if (mkdir(fresh, 0755) < 0)
		return be_error_set(err, errno, "creating %s", fresh);
	if (snap_copy_root_attrs(diff, fresh, err) < 0)
		return -1;
	util_fault("rollback.after_fresh");
	if (!have_upper)
		return rename(fresh, upper) == 0 ? 0
		                                 : be_error_set(err, errno, "creating %s", upper);
	if (renameat2(AT_FDCWD, fresh, AT_FDCWD, upper, RENAME_EXCHANGE) < 0)
		return be_error_set(err, errno, "exchanging %s and %s", fresh, upper);
	util_fault("rollback.after_exchange");
	return 0;
}

/* Moves path to the trash (when there) and makes it again, empty. */
static int renew_dir(struct be_ctx *ctx, const char *path, mode_t mode, struct be_error **err)
{
	if (util_path_exists(path) && store_trash(ctx, path, err) < 0)
		return -1;
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return be_error_set(err, errno, "creating %s", path);
	return 0;
}

int snap_rollback_finish(struct be_ctx *ctx, const char *name, const struct snap_op *op,
                         bool durable, struct be_error **err)
{
	cleanup_free char *diff = layer_diff_path(ctx, op->layer);
	if (swap_upper(ctx, name, op, diff, err) < 0)
		return -1;
	cleanup_free char *old = rec_path(ctx, name, "upper.new");
	if (util_path_exists(old) && store_trash(ctx, old, err) < 0)
		return -1;
	util_fault("rollback.after_trash");
	cleanup_free char *work = rec_path(ctx, name, "work");
	if (renew_dir(ctx, work, 0700, err) < 0)
		return -1;
	struct rec_state st;
	if (rec_state_load(ctx, name, &st, err) < 0)
		return -1;
	snprintf(st.head, sizeof(st.head), "%s", op->layer);
	snprintf(st.last_snapshot, sizeof(st.last_snapshot), "%s", op->snap);
	cleanup_free char *dir = rec_path(ctx, name, NULL);
	if (rec_state_write(dir, &st, durable, err) < 0)
		return -1;
	util_fault("rollback.after_state");
	struct snap_list l;
	if (snap_list_load(ctx, name, &l, err) < 0)
		return -1;
	int r = 0;
	if (strcmp(l.current, op->snap) != 0) {
		snprintf(l.current, sizeof(l.current), "%s", op->snap);
		r = snap_list_write(ctx, name, &l, durable, err);
	}
	snap_list_clear(&l);
	return r;
}
