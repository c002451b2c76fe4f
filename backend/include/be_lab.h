/* Lab mode: labelled demo containers that show isolation at work, each
 * with a paragraph on what to watch, started together and removed together,
 * even when the process that started them is killed. */
#ifndef BE_LAB_H
#define BE_LAB_H

#include <stdbool.h>
#include <stddef.h>

struct be_ctx;
struct be_error;

struct be_lab_item {
	const char *name;  /* "lab-mem" */
	const char *title; /* "memory grower under a 32 MiB limit" */
	const char *text;  /* one paragraph: what happens, what to watch */
};

/* The lab's containers, in order; n receives how many. */
const struct be_lab_item *be_lab_items(size_t *n);
/* The lab item of a container name, or NULL. */
const struct be_lab_item *be_lab_find(const char *name);

/* Makes the demo image if the root has none, starts every lab container
 * (one already there is removed first: it is the lab's), and leaves a
 * reaper process that removes them all once the calling process ends,
 * however it ends (it waits for EOF on a pipe only the caller holds).
 * Fails with nothing left running. */
int be_lab_start(struct be_ctx *ctx, struct be_error **err);
/* Removes the lab's containers now (the reaper finds nothing left). */
void be_lab_stop(struct be_ctx *ctx);

#endif
