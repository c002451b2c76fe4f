/* Run by the build: compiles the container's seccomp rules
 * (backend/sandbox/seccomp_rules.c) with libseccomp and prints the BPF
 * program as a C header, SECURE_FILTER, which secure.c loads as it is.
 * As seccompiler does for Firecracker: the program is made once, where
 * berth is built, for the architecture it is built for. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sandbox/seccomp_rules.h"

int main(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (ctx == NULL) {
		fputs("gen_seccomp: seccomp_init failed\n", stderr);
		return 1;
	}
	int r = secure_seccomp_rules(ctx);
	int fd = memfd_create("bpf", MFD_CLOEXEC);
	if (r == 0 && fd >= 0)
		r = seccomp_export_bpf(ctx, fd);
	seccomp_release(ctx);
	if (r < 0 || fd < 0) {
		fprintf(stderr, "gen_seccomp: %s\n", strerror(r < 0 ? -r : 1));
		return 1;
	}
	off_t len = lseek(fd, 0, SEEK_END);
	if (len <= 0 || len % (off_t)sizeof(struct sock_filter) != 0) {
		fputs("gen_seccomp: no program\n", stderr);
		return 1;
	}
	struct sock_filter *prog = malloc((size_t)len);
	if (prog == NULL || pread(fd, prog, (size_t)len, 0) != len) {
		fputs("gen_seccomp: reading the program failed\n", stderr);
		return 1;
	}
	size_t n = (size_t)len / sizeof(*prog);
	printf("/* Made by scripts/gen_seccomp.c from backend/sandbox/seccomp_rules.c:\n"
	       " * %zu instructions.  Do not edit. */\n"
	       "static const struct sock_filter SECURE_FILTER[] = {\n",
	       n);
	for (size_t i = 0; i < n; i++)
		printf("\t{0x%04x, %u, %u, 0x%08x},\n", prog[i].code, prog[i].jt, prog[i].jf,
		       prog[i].k);
	puts("};");
	free(prog);
	close(fd);
	return fflush(stdout) == 0 ? 0 : 1;
}
