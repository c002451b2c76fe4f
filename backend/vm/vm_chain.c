/* The logic of qcow2 chains (pure, on records): which disk files the VMs'
 * tops and snapshots build on, how deep a chain is, which snapshot a disk
 * sits on.  vm_disk.c does the files. */
#include <string.h>

#include "vm/vm.h"

ssize_t vm_chain_find(const struct vm_disk_node *nodes, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(nodes[i].id, id) == 0)
			return (ssize_t)i;
	return -1;
}

int vm_chain_depth(const struct vm_disk_node *nodes, size_t n, const char *id)
{
	int depth = 0;
	while (id[0]) {
		ssize_t i = vm_chain_find(nodes, n, id);
		if (i < 0 || (size_t)depth > n)
			return -1; /* missing, or a loop */
		depth++;
		id = nodes[i].parent;
	}
	return depth;
}

int vm_chain_mark(struct vm_disk_node *nodes, size_t n, const char *const *roots, size_t nroots)
{
	int rc = 0;
	for (size_t r = 0; r < nroots; r++) {
		const char *id = roots[r];
		size_t steps = 0;
		while (id[0]) {
			ssize_t i = vm_chain_find(nodes, n, id);
			if (i < 0 || steps++ > n) {
				rc = -1;
				break;
			}
			if (nodes[i].keep)
				break; /* the rest is marked already */
			nodes[i].keep = true;
			id = nodes[i].parent;
		}
	}
	return rc;
}

const char *vm_snap_parent(const struct vm_snap *s, size_t n, const struct vm_disk_node *nodes,
                           size_t nn, const char *disk)
{
	ssize_t i = vm_chain_find(nodes, nn, disk);
	if (i < 0)
		return "";
	/* The nearest ancestor that is a snapshot. */
	size_t steps = 0;
	for (const char *id = nodes[i].parent; id[0] && steps++ <= nn;) {
		for (size_t k = 0; k < n; k++)
			if (strcmp(s[k].disk, id) == 0)
				return s[k].name;
		ssize_t j = vm_chain_find(nodes, nn, id);
		if (j < 0)
			return "";
		id = nodes[j].parent;
	}
	return "";
}
