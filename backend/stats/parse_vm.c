/* Parsers of VM monitor command lines (qemu, firecracker, cloud-hypervisor,
 * crosvm) and vCPU thread names.  Pure functions on literal text. */
#include <string.h>
#include <strings.h>

#include "stats/parse.h"

static void copy_text(char *dst, size_t len, const char *src, size_t n)
{
	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

const char *parse_vmm_of(const char *argv0)
{
	const char *base = strrchr(argv0, '/');
	base = base ? base + 1 : argv0;
	if (strncmp(base, "qemu-system-", 12) == 0 || strcmp(base, "qemu-kvm") == 0)
		return "qemu";
	if (strcmp(base, "firecracker") == 0)
		return "firecracker";
	/* comm is cut at 15 characters: "cloud-hyperviso" */
	if (strncmp(base, "cloud-hyperviso", 15) == 0)
		return "cloud-hypervisor";
	if (strcmp(base, "crosvm") == 0)
		return "crosvm";
	return NULL;
}

/* A size with an optional unit letter; bare numbers are in units of
 * default_unit.  "1.5G" is allowed, as qemu allows it. */
static int parse_size(const char *s, size_t n, uint64_t default_unit, uint64_t *out)
{
	const char *end = s + n;
	const char *p = s;
	double v = 0;
	if (p == end || *p < '0' || *p > '9')
		return -1;
	v = parse_decimal(p, &p);
	if (p > end)
		return -1;
	uint64_t unit = default_unit;
	if (p < end) {
		static const char units[] = "bkmgtpe";
		const char *u = strchr(units, *p | 0x20);
		if (u == NULL || *p == '\0' || p + 1 != end)
			return -1;
		unit = 1ULL << (10 * (u - units));
	}
	double bytes = v * (double)unit;
	if (bytes >= 18446744073709551615.0)
		return -1;
	*out = (uint64_t)bytes;
	return 0;
}

/* Value of key=VALUE in a comma list; *n gets its length. */
static const char *opt_value(const char *list, const char *key, size_t *n)
{
	size_t kl = strlen(key);
	for (const char *p = list; *p;) {
		size_t wl = strcspn(p, ",");
		if (wl > kl && strncmp(p, key, kl) == 0 && p[kl] == '=') {
			*n = wl - kl - 1;
			return p + kl + 1;
		}
		p += wl + (p[wl] == ',');
	}
	return NULL;
}

int parse_qemu_mem(const char *arg, uint64_t *bytes)
{
	size_t n;
	const char *v = opt_value(arg, "size", &n);
	if (v == NULL) {
		/* "-m 64" or "-m 64M,slots=2,maxmem=1G" */
		v = arg;
		n = strcspn(arg, ",");
		if (memchr(v, '=', n))
			return -1;
	}
	return parse_size(v, n, 1ULL << 20, bytes);
}

static unsigned smp_count(const char *arg)
{
	uint64_t v;
	size_t n = strcspn(arg, ",");
	if (n && !memchr(arg, '=', n) && parse_size(arg, n, 1, &v) == 0)
		return (unsigned)v;
	const char *x = opt_value(arg, "cpus", &n);
	if (x && parse_size(x, n, 1, &v) == 0)
		return (unsigned)v;
	/* Topology only: sockets * dies * clusters * cores * threads. */
	static const char *const parts[] = {"sockets", "dies", "clusters", "cores", "threads"};
	uint64_t prod = 1;
	bool any = false;
	for (size_t i = 0; i < 5; i++) {
		x = opt_value(arg, parts[i], &n);
		if (x && parse_size(x, n, 1, &v) == 0) {
			prod *= v;
			any = true;
		}
	}
	return any ? (unsigned)prod : 0;
}

/* Option name without its leading dashes, or NULL when arg is no option. */
static const char *opt_name(const char *arg)
{
	if (arg[0] != '-')
		return NULL;
	return arg[1] == '-' ? arg + 2 : arg + 1;
}

static void parse_qemu(const char *const *av, size_t ac, struct be_vm_cmdline *out)
{
	out->mem_bytes = 128ULL << 20; /* qemu's default for x86 and most boards */
	out->vcpus = 1;
	for (size_t i = 1; i + 1 < ac; i++) {
		const char *o = opt_name(av[i]);
		if (o == NULL)
			continue;
		const char *v = av[i + 1];
		uint64_t m;
		if (strcmp(o, "m") == 0 && parse_qemu_mem(v, &m) == 0) {
			out->mem_bytes = m;
		} else if (strcmp(o, "smp") == 0) {
			out->vcpus = smp_count(v);
		} else if (strcmp(o, "name") == 0) {
			size_t n;
			const char *g = opt_value(v, "guest", &n);
			if (g == NULL) {
				g = v;
				n = strcspn(v, ",");
			}
			copy_text(out->name, sizeof(out->name), g, n);
		}
	}
}

static void parse_other(const char *const *av, size_t ac, struct be_vm_cmdline *out)
{
	bool ch = strcmp(out->vmm, "cloud-hypervisor") == 0;
	bool cros = strcmp(out->vmm, "crosvm") == 0;
	if (ch) {
		out->mem_bytes = 512ULL << 20;
		out->vcpus = 1;
	}
	for (size_t i = 1; i + 1 < ac; i++) {
		const char *o = opt_name(av[i]);
		if (o == NULL)
			continue;
		const char *v = av[i + 1];
		size_t n;
		uint64_t x;
		if (strcmp(o, "id") == 0 || (cros && strcmp(o, "name") == 0)) {
			copy_text(out->name, sizeof(out->name), v, strlen(v));
		} else if (ch && strcmp(o, "memory") == 0) {
			const char *s = opt_value(v, "size", &n);
			if (s && parse_size(s, n, 1, &x) == 0)
				out->mem_bytes = x;
		} else if (ch && strcmp(o, "cpus") == 0) {
			const char *s = opt_value(v, "boot", &n);
			if (s && parse_size(s, n, 1, &x) == 0)
				out->vcpus = (unsigned)x;
		} else if (cros && (strcmp(o, "mem") == 0 || strcmp(o, "m") == 0)) {
			const char *s = opt_value(v, "size", &n);
			if (s == NULL) {
				s = v;
				n = strlen(v);
			}
			if (parse_size(s, n, 1ULL << 20, &x) == 0)
				out->mem_bytes = x;
		} else if (cros && (strcmp(o, "cpus") == 0 || strcmp(o, "c") == 0)) {
			out->vcpus = smp_count(v);
			if (out->vcpus == 0 && (v = opt_value(av[i + 1], "num-cores", &n)) &&
			    parse_size(v, n, 1, &x) == 0)
				out->vcpus = (unsigned)x;
		}
	}
}

int parse_vm_cmdline(const char *argv, size_t len, struct be_vm_cmdline *out)
{
	memset(out, 0, sizeof(*out));
	/* Split in place into at most 256 pointers; the text is NUL-separated,
	 * and may lack the final NUL when cut. */
	const char *av[256];
	size_t ac = 0;
	for (size_t off = 0; off < len && ac < 256;) {
		const char *a = argv + off;
		const char *nul = memchr(a, '\0', len - off);
		if (nul == NULL)
			break;
		av[ac++] = a;
		off = (size_t)(nul - argv) + 1;
	}
	if (ac == 0)
		return -1;
	const char *vmm = parse_vmm_of(av[0]);
	if (vmm == NULL)
		return -1;
	copy_text(out->vmm, sizeof(out->vmm), vmm, strlen(vmm));
	if (strcmp(vmm, "qemu") == 0)
		parse_qemu(av, ac, out);
	else
		parse_other(av, ac, out);
	return 0;
}

bool parse_is_vcpu_thread(const char *comm)
{
	/* qemu with -name debug-threads=on: "CPU 0/KVM", "CPU 0/TCG" */
	if (strncmp(comm, "CPU ", 4) == 0 && comm[4] >= '0' && comm[4] <= '9')
		return strchr(comm, '/') != NULL;
	if (strncmp(comm, "fc_vcpu", 7) == 0)
		return true;
	if (strncmp(comm, "crosvm_vcpu", 11) == 0)
		return true;
	return strncmp(comm, "vcpu", 4) == 0 && comm[4] >= '0' && comm[4] <= '9';
}
