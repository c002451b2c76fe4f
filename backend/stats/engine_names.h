/* Names and images of other engines' containers, read from the engines' own
 * state files (docker's config.v2.json, podman's containers.json) without
 * their daemons, sockets or network.  The monitor (stats.c) uses it once per
 * new docker or podman item; nothing here runs on a warm refresh. */
#ifndef BE_ENGINE_NAMES_H
#define BE_ENGINE_NAMES_H

#include <jansson.h>

#include "berth.h"

/* Podman keeps one store per storage driver, each with a list of lasting
 * containers and one of --rm ("volatile") containers. */
#define BE_PODMAN_LISTS 4

/* One batch of lookups, for the items a refresh found new.  The podman
 * lists are read at most once per batch, and only when a podman item asks. */
struct be_engine_names {
	const struct be_ctx *ctx;
	bool podman_read;                /* the lists were read (or tried) */
	json_t *podman[BE_PODMAN_LISTS]; /* each a JSON array, or NULL */
};

/* Starts a batch: allocates and reads nothing. */
void engine_names_init(struct be_engine_names *en, const struct be_ctx *ctx);
/* Names a docker or podman item from its engine's files: it->name and
 * it->image, sanitised.  True when a name was found; false (it unchanged)
 * for other kinds and when the file is missing, unreadable, malformed or
 * does not know the id: that is not an error. */
bool engine_names_fill(struct be_engine_names *en, struct be_item *it);
/* Frees what the batch read. */
void engine_names_done(struct be_engine_names *en);

/* Copies in into out (len > 0 bytes, always NUL-terminated, cut to fit)
 * keeping printable ASCII only: every other byte becomes '?', so nothing
 * read from a file can move a terminal's cursor or end a line.  Returns the
 * length written. */
size_t engine_sanitize(char *out, size_t len, const char *in);

#endif
