/* The container's seccomp rules (seccomp_rules.c): what the build compiles
 * into the BPF program a start loads (secure.c), and the list `explain`
 * shows. */
#ifndef BE_SECCOMP_RULES_H
#define BE_SECCOMP_RULES_H

#include <seccomp.h>
#include <stddef.h>
#include <linux/filter.h>

/* Adds the rules (and the bad-architecture action) to a context made with
 * seccomp_init(SCMP_ACT_ALLOW); 0 or a negative errno. */
int secure_seccomp_rules(scmp_filter_ctx ctx);
/* The compiled program built into berth (secure.c). */
const struct sock_filter *secure_filter(size_t *len);

#endif
