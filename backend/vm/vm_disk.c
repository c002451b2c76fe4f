/* Disk files of VMs: ROOT/vmdisks/ID.qcow2, each a thin qcow2 overlay over
 * its parent disk or its image's base, with ID.json naming the parent.
 * Files are never renamed (qcow2 headers name their backing file by path);
 * ones no VM builds on any more are deleted by vm_disk_gc. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vm/vm.h"
#include "store/store.h"

int vm_exec(char *const *argv, struct be_error **err)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return be_error_set(err, errno, "running %s", argv[0]);
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return be_error_set(err, errno, "running %s", argv[0]);
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);
		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(p[1], 2);
		execvp(argv[0], argv);
		dprintf(2, "%s", strerror(errno));
		_exit(127);
	}
	close(p[1]);
	char msg[512];
	size_t n = 0;
	ssize_t r;
	while ((r = read(p[0], msg + n, sizeof(msg) - 1 - n)) > 0 || (r < 0 && errno == EINTR))
		if (r > 0)
			n += (size_t)r;
	close(p[0]);
	msg[n] = '\0';
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	char *nl = strrchr(msg, '\n'); /* the last line says the most */
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return be_error_set(err, 0, "%s: %s (Debian: apt-get install qemu-utils e2fsprogs)",
		                    argv[0], nl ? nl + 1 : msg);
	return be_error_set(err, 0, "%s failed: %s", argv[0], nl ? nl + 1 : msg);
}

static int make_overlay(const char *backing, const char *fmt, const char *path,
                        struct be_error **err)
{
	char *const argv[] = {(char *)"qemu-img",
	                      (char *)"create",
	                      (char *)"-q",
	                      (char *)"-f",
	                      (char *)"qcow2",
	                      (char *)"-b",
	                      (char *)backing,
	                      (char *)"-F",
	                      (char *)fmt,
	                      (char *)path,
	                      NULL};
	return vm_exec(argv, err);
}

int vm_disk_record(const struct be_ctx *ctx, const char *id, const char *image, const char *parent,
                   struct be_error **err)
{
	cleanup_json json_t *o =
	        json_pack("{s:s,s:s,s:I}", "image", image, "parent", parent ? parent : "",
	                  "created", (json_int_t)(util_wall_ns() / 1000000000));
	cleanup_free char *path = vm_disk_path(ctx, id, ".json");
	return store_save(path, o, BE_STORE_DURABLE, err);
}

int vm_disk_new(const struct be_ctx *ctx, const char *image, const char *parent, char *new_id,
                struct be_error **err)
{
	cleanup_free char *dir = ctx_path(ctx, "vmdisks");
	if (util_mkdir_p(dir, 0700, err) < 0)
		return -1;
	util_random_hex(new_id, VM_ID_LEN / 2);
	cleanup_free char *path = vm_disk_path(ctx, new_id, ".qcow2");
	cleanup_free char *backing = NULL;
	if (parent) {
		backing = vm_disk_path(ctx, parent, ".qcow2");
	} else {
		struct vm_image im;
		if (vm_image_load(ctx, image, &im, err) < 0)
			return -1;
		backing = xstrdup(im.disk_path);
		vm_image_clear(&im);
	}
	/* The record first: a crash leaves a record without a file, which
	 * gc removes, never a file nobody knows. */
	if (vm_disk_record(ctx, new_id, image, parent, err) < 0)
		return -1;
	if (make_overlay(backing, "qcow2", path, err) < 0) {
		cleanup_free char *rec = vm_disk_path(ctx, new_id, ".json");
		unlink(rec);
		return be_error_wrap(err, "making disk %s", new_id);
	}
	return 0;
}

static int node_load(const struct be_ctx *ctx, const char *id, struct vm_disk_node *out,
                     struct be_error **err)
{
	cleanup_free char *path = vm_disk_path(ctx, id, ".json");
	cleanup_json json_t *o = store_load(path, err);
	if (o == NULL)
		return -1;
	const char *parent = json_string_value(json_object_get(o, "parent"));
	const char *image = json_string_value(json_object_get(o, "image"));
	if (parent == NULL || image == NULL || strlen(parent) > VM_ID_LEN)
		return be_error_set(err, EINVAL, "%s: bad parent or image", path);
	memset(out, 0, sizeof(*out));
	snprintf(out->id, sizeof(out->id), "%s", id);
	snprintf(out->parent, sizeof(out->parent), "%s", parent);
	snprintf(out->image, sizeof(out->image), "%s", image);
	return 0;
}

int vm_disk_nodes(const struct be_ctx *ctx, struct vm_disk_node **out, size_t *n,
                  struct be_error **err)
{
	*out = NULL;
	*n = 0;
	cleanup_free char *dir = ctx_path(ctx, "vmdisks");
	cleanup_dir DIR *d = opendir(dir);
	if (d == NULL)
		return errno == ENOENT ? 0 : be_error_set(err, errno, "reading %s", dir);
	struct dirent *de;
	size_t cap = 0;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		if (len != VM_ID_LEN + 5 || strcmp(de->d_name + VM_ID_LEN, ".json") != 0)
			continue;
		char id[VM_ID_LEN + 1];
		memcpy(id, de->d_name, VM_ID_LEN);
		id[VM_ID_LEN] = '\0';
		if (*n == cap)
			*out = xrealloc(*out, (cap = cap ? cap * 2 : 16) * sizeof(**out));
		if (node_load(ctx, id, &(*out)[*n], err) < 0) {
			free(*out);
			*out = NULL;
			*n = 0;
			return -1;
		}
		(*n)++;
	}
	return 0;
}

/* Ids every VM's top and snapshots name; *roots freed by the caller. */
static int all_roots(const struct be_ctx *ctx, char (**roots)[VM_ID_LEN + 1], size_t *n,
                     struct be_error **err)
{
	*roots = NULL;
	*n = 0;
	cleanup_free char *dir = ctx_path(ctx, "vms");
	cleanup_dir DIR *d = opendir(dir);
	if (d == NULL)
		return errno == ENOENT ? 0 : be_error_set(err, errno, "reading %s", dir);
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (!be_name_valid(de->d_name))
			continue;
		struct vm_state st;
		cleanup_free char *sp = vm_path(ctx, de->d_name, "state.json");
		if (!util_path_exists(sp))
			continue; /* a VM being made: its disk is not recorded yet */
		if (vm_state_load(ctx, de->d_name, &st, err) < 0)
			return -1;
		*roots = xrealloc(*roots, (*n + st.n_snaps + 1) * sizeof(**roots));
		memcpy((*roots)[(*n)++], st.top, VM_ID_LEN + 1);
		for (size_t i = 0; i < st.n_snaps; i++)
			memcpy((*roots)[(*n)++], st.snaps[i].disk, VM_ID_LEN + 1);
		vm_state_clear(&st);
	}
	return 0;
}

int vm_disk_gc(const struct be_ctx *ctx, struct be_error **err)
{
	cleanup_lock struct be_lock *lock = NULL;
	if (store_lock_take(ctx, "vmdisks", "gc", &lock, err) < 0)
		return -1;
	cleanup_free struct vm_disk_node *nodes = NULL;
	size_t n = 0, nr = 0;
	cleanup_free char(*roots)[VM_ID_LEN + 1] = NULL;
	if (vm_disk_nodes(ctx, &nodes, &n, err) < 0 || all_roots(ctx, &roots, &nr, err) < 0)
		return be_error_wrap(err, "collecting unused vm disks");
	cleanup_free const char **rp = xcalloc(nr + 1, sizeof(*rp));
	for (size_t i = 0; i < nr; i++)
		rp[i] = roots[i];
	/* A broken chain keeps everything: deleting on a guess loses data. */
	if (vm_chain_mark(nodes, n, rp, nr) < 0)
		return be_error_set(err, EINVAL, "vm disks: a chain is broken; nothing deleted");
	for (size_t i = 0; i < n; i++) {
		if (nodes[i].keep)
			continue;
		cleanup_free char *q = vm_disk_path(ctx, nodes[i].id, ".qcow2");
		cleanup_free char *j = vm_disk_path(ctx, nodes[i].id, ".json");
		if (unlink(q) < 0 && errno != ENOENT)
			return be_error_set(err, errno, "removing %s", q);
		unlink(j);
	}
	return 0;
}

int64_t vm_disk_size(const struct be_ctx *ctx, const char *id)
{
	cleanup_free char *q = vm_disk_path(ctx, id, ".qcow2");
	struct stat st;
	if (stat(q, &st) < 0)
		return -1;
	return (int64_t)st.st_blocks * 512;
}
