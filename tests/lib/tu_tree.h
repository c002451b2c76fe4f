/* Test helpers for layered trees: a manifest of a directory tree (one
 * sorted line per entry with type, mode, owner, content checksum, link
 * target and xattrs) and the manifest of an overlay view of layers, mounted
 * read-only in a private mount namespace of a child process (so no mount
 * can outlive it). */
#ifndef BERTH_TU_TREE_H
#define BERTH_TU_TREE_H

#include <stddef.h>

/* Manifest of the tree at dir (the root itself excluded; trusted.overlay.*
 * xattrs left out).  Caller frees; NULL when dir cannot be read. */
char *tu_manifest(const char *dir);
/* Manifest of the overlay view of dirs (top first, at least two). */
char *tu_overlay_manifest(const char *const *dirs, size_t n);
/* Manifest of container NAME's current state under ROOT: its upper over
 * the chain of its head layer (read from state.json and layer.json). */
char *tu_container_manifest(const char *root, const char *name);
/* Manifest of the chain of layer ID (a snapshot's state). */
char *tu_layer_manifest(const char *root, const char *id);
/* The head layer of container NAME (12 hex + NUL into out), or "" . */
void tu_container_head(const char *root, const char *name, char out[13]);
/* Number of layers in the chain from ID down (0 when broken). */
size_t tu_chain_len(const char *root, const char *id);

/* Layers under ROOT/layers that no image or container record references,
 * directly or as an ancestor.  Returns their count; first (len bytes)
 * receives the first one's id. */
size_t tu_orphan_layers(const char *root, char *first, size_t len);

#endif
