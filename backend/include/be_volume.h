/* Public API of volumes and a container's mounts: the parsers of -v,
 * --mount and --tmpfs, and named volumes (ROOT/volumes/NAME/_data) with
 * create, list, remove, inspect and prune. */
#ifndef BE_VOLUME_H
#define BE_VOLUME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct be_ctx;
struct be_error;

enum be_mount_type { BE_MOUNT_BIND = 0, BE_MOUNT_VOLUME = 1, BE_MOUNT_TMPFS = 2 };

/* One mount of a container.  Strings are owned (be_volume_mount_clear). */
struct be_mount {
	enum be_mount_type type;
	char *source; /* bind: host path; volume: the volume's name; tmpfs: NULL */
	char *target; /* absolute path inside the container */
	bool readonly;
	bool force;    /* bind: allow /proc, /sys, /dev and the berth root as source */
	uint64_t size; /* tmpfs: bytes, 0 for the kernel's default (half of RAM) */
	unsigned mode; /* tmpfs: permission bits, 0 for 01777 */
};

/* -v SRC:DST[:OPTS]: SRC starting with '/' (or '.') is a host path (made
 * absolute against the cwd), else a volume name; OPTS is a comma list of
 * ro, rw, force.  Fills out (cleared first); one-line error on bad input. */
int be_volume_parse_bind(const char *text, struct be_mount *out, struct be_error **err);
/* --mount type=bind|volume|tmpfs,source=S,target=T[,readonly][,tmpfs-size=N]
 * [,tmpfs-mode=OCTAL][,force] (src, dst, destination and ro as docker's aliases). */
int be_volume_parse_mount(const char *text, struct be_mount *out, struct be_error **err);
/* --tmpfs PATH[:size=N,mode=OCTAL,ro] */
int be_volume_parse_tmpfs(const char *text, struct be_mount *out, struct be_error **err);
void be_volume_mount_clear(struct be_mount *m);
/* "bind", "volume" or "tmpfs". */
const char *be_volume_mount_type_name(enum be_mount_type t);

/* A named volume.  containers: names of the containers that mount it
 * (NULL-terminated; freed with the info). */
struct be_volume_info {
	char name[65];
	char *path; /* its data directory on the host */
	int64_t created;
	char **containers;
	size_t n_containers;
};

/* Creates volume NAME (an existing one: success, as docker). */
int be_volume_create(struct be_ctx *ctx, const char *name, struct be_error **err);
/* Every volume, sorted by name.  Free with be_volume_list_free. */
int be_volume_list(struct be_ctx *ctx, struct be_volume_info **out, size_t *n,
                   struct be_error **err);
void be_volume_list_free(struct be_volume_info *list, size_t n);
/* Removes volume NAME and its data; refused while a container (even a
 * stopped one) mounts it unless force. */
int be_volume_remove(struct be_ctx *ctx, const char *name, bool force, struct be_error **err);
/* JSON text of `volume inspect` (the caller frees). */
int be_volume_inspect_json(struct be_ctx *ctx, const char *name, char **out, struct be_error **err);
/* Removes every volume no container mounts; *removed (may be NULL) gets
 * their names (NULL-terminated, free each and the array). */
int be_volume_prune(struct be_ctx *ctx, char ***removed, size_t *n_removed, struct be_error **err);

#endif
