/* Parsers of /proc files (per process and host-wide) and of VM command
 * lines.  Pure functions on literal text (see parse.h). */
#include <stdio.h>
#include <string.h>

#include "stats/parse.h"

static void copy_text(char *dst, size_t len, const char *src, size_t n)
{
	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int parse_proc_stat(const char *text, struct be_proc_stat *out)
{
	memset(out, 0, sizeof(*out));
	uint64_t v;
	const char *p = parse_read_u64(text, &v);
	if (p == NULL || p[0] != ' ' || p[1] != '(')
		return -1;
	out->pid = (pid_t)v;
	const char *comm = p + 2;
	const char *close = strrchr(comm, ')');
	if (close == NULL || close[1] != ' ')
		return -1;
	copy_text(out->comm, sizeof(out->comm), comm, (size_t)(close - comm));
	p = close + 2;
	if (*p == '\0')
		return -1; /* no state: nothing after "(comm) " (found by fuzz_parse_proc) */
	out->state = *p++;
	/* Fields 4.. after the state; we want 4 ppid, 14 utime, 15 stime,
	 * 20 num_threads, 22 starttime, 24 rss. */
	for (int field = 4; field <= 24; field++) {
		if (*p != ' ')
			return -1;
		p++;
		int64_t sign = 1;
		if (*p == '-') {
			sign = -1;
			p++;
		}
		p = parse_read_u64(p, &v);
		if (p == NULL)
			return -1;
		if (sign < 0)
			v = 0;
		switch (field) {
		case 4: out->ppid = (pid_t)v; break;
		case 14: out->utime = v; break;
		case 15: out->stime = v; break;
		case 20: out->num_threads = v; break;
		case 22: out->starttime = v; break;
		case 24: out->rss_pages = v; break;
		default: break;
		}
	}
	return 0;
}

int parse_proc_status(const char *text, struct be_proc_status *out)
{
	memset(out, 0, sizeof(*out));
	bool name = false;
	for (const char *line = text; *line; line = parse_next_line(line)) {
		if (strncmp(line, "Name:", 5) == 0) {
			const char *v = parse_skip_blanks(line + 5);
			copy_text(out->name, sizeof(out->name), v, strcspn(v, "\n"));
			name = true;
		} else if (strncmp(line, "NSpid:", 6) == 0) {
			/* "NSpid:\t4242\t1": host's view first, innermost last. */
			const char *v = line + 6;
			uint64_t n;
			const char *end;
			while ((end = parse_read_u64(parse_skip_blanks(v), &n)) != NULL) {
				out->ns_pid = (pid_t)n;
				v = end;
			}
		}
	}
	static const char *const keys[] = {"Pid", "PPid", "VmRSS", "Threads"};
	uint64_t v[4] = {0};
	uint64_t f = parse_keyed(text, keys, 4, v);
	if (!name || !(f & 1))
		return -1;
	out->pid = (pid_t)v[0];
	out->ppid = (pid_t)v[1];
	out->vm_rss_bytes = v[2] * 1024;
	out->threads = v[3];
	return 0;
}

int parse_net_dev(const char *text, struct be_net_dev *out)
{
	memset(out, 0, sizeof(*out));
	for (const char *line = text; *line; line = parse_next_line(line)) {
		const char *colon = strchr(line, ':');
		const char *nl = strchr(line, '\n');
		if (colon == NULL || (nl && colon > nl))
			continue; /* the two header lines */
		const char *name = parse_skip_blanks(line);
		if (colon - name == 2 && strncmp(name, "lo", 2) == 0)
			continue;
		uint64_t f[10];
		const char *p = colon + 1;
		for (int i = 0; i < 10; i++) {
			p = parse_read_u64(parse_skip_blanks(p), &f[i]);
			if (p == NULL)
				return -1;
		}
		/* rx: bytes packets errs drop fifo frame compressed multicast;
		 * tx: bytes packets ... */
		out->rx_bytes += f[0];
		out->rx_packets += f[1];
		out->tx_bytes += f[8];
		out->tx_packets += f[9];
		out->ifaces++;
	}
	return 0;
}

int parse_meminfo(const char *text, struct be_meminfo *out)
{
	static const char *const keys[] = {"MemTotal", "MemFree",   "MemAvailable", "Buffers",
	                                   "Cached",   "SwapTotal", "SwapFree"};
	uint64_t v[7] = {0};
	uint64_t f = parse_keyed(text, keys, 7, v);
	if ((f & 3) != 3)
		return -1;
	out->total = v[0] * 1024;
	out->free = v[1] * 1024;
	/* Kernels before 3.14 lack MemAvailable: estimate as free + cache. */
	out->available = (f & 4) ? v[2] * 1024 : (v[1] + v[3] + v[4]) * 1024;
	out->buffers = v[3] * 1024;
	out->cached = v[4] * 1024;
	out->swap_total = v[5] * 1024;
	out->swap_free = v[6] * 1024;
	return 0;
}

int parse_loadavg(const char *text, struct be_loadavg *out)
{
	const char *p = parse_skip_blanks(text);
	double l[3];
	for (int i = 0; i < 3; i++) {
		if (*p < '0' || *p > '9')
			return -1;
		l[i] = parse_decimal(p, &p);
		p = parse_skip_blanks(p);
	}
	uint64_t run, total;
	p = parse_read_u64(p, &run);
	if (p == NULL || *p != '/' || parse_read_u64(p + 1, &total) == NULL)
		return -1;
	out->load1 = l[0];
	out->load5 = l[1];
	out->load15 = l[2];
	out->running = (unsigned)run;
	out->total = (unsigned)total;
	return 0;
}

/* "cpu  user nice system idle iowait irq softirq steal ..." after the word. */
static int cpu_line(const char *p, struct be_cpu_times *t)
{
	uint64_t v[8] = {0};
	int n = 0;
	for (; n < 8; n++) {
		const char *q = parse_read_u64(parse_skip_blanks(p), &v[n]);
		if (q == NULL)
			break;
		p = q;
	}
	if (n < 4)
		return -1;
	t->total = 0;
	for (int i = 0; i < n; i++)
		t->total += v[i];
	t->busy = t->total - v[3] - v[4];
	return 0;
}

int parse_proc_stat_cpus(const char *text, struct be_cpu_times *all, struct be_cpu_times *each,
                         size_t max, size_t *n)
{
	bool got_all = false;
	*n = 0;
	for (const char *line = text; *line; line = parse_next_line(line)) {
		if (strncmp(line, "cpu", 3) != 0)
			continue;
		if (line[3] == ' ') {
			if (cpu_line(line + 3, all) < 0)
				return -1;
			got_all = true;
			continue;
		}
		uint64_t idx;
		const char *p = parse_read_u64(line + 3, &idx);
		if (p == NULL || *p != ' ')
			continue;
		struct be_cpu_times t;
		if (cpu_line(p, &t) < 0)
			return -1;
		if (idx < max)
			each[idx] = t;
		if (idx + 1 > *n)
			*n = (size_t)idx + 1;
	}
	return got_all ? 0 : -1;
}

int parse_proc_cgroup(const char *text, const char *controller, char *path, size_t len)
{
	for (const char *line = text; *line; line = parse_next_line(line)) {
		const char *c1 = strchr(line, ':');
		const char *nl = strchr(line, '\n');
		size_t end = nl ? (size_t)(nl - line) : strlen(line);
		if (c1 == NULL || (size_t)(c1 - line) > end)
			continue;
		const char *c2 = memchr(c1 + 1, ':', end - (size_t)(c1 + 1 - line));
		if (c2 == NULL)
			continue;
		bool match = false;
		if (controller == NULL) {
			match = c2 == c1 + 1 && strncmp(line, "0:", 2) == 0;
		} else {
			size_t cl = strlen(controller);
			for (const char *w = c1 + 1; w < c2;) {
				size_t wl = strcspn(w, ",:");
				if (wl == cl && strncmp(w, controller, cl) == 0)
					match = true;
				w += wl + 1;
			}
		}
		if (match) {
			copy_text(path, len, c2 + 1, end - (size_t)(c2 + 1 - line));
			return 0;
		}
	}
	return -1;
}
