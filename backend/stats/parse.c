/* Parsers of cgroupfs and /proc counter files: keyed lines, limits, CPU,
 * memory, IO, pressure.  Pure functions on literal text (see parse.h);
 * process, host and VM command-line parsers are in parse_proc.c. */
#include <string.h>

#include "stats/parse.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

const char *parse_skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Digits to u64, saturating; returns the end, or NULL when no digit. */
const char *parse_read_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;
	while (*p >= '0' && *p <= '9') {
		uint64_t d = (uint64_t)(*p - '0');
		v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
		p++;
	}
	if (p == s)
		return NULL;
	*out = v;
	return p;
}

const char *parse_next_line(const char *s)
{
	const char *nl = strchr(s, '\n');
	return nl ? nl + 1 : s + strlen(s);
}

int parse_u64(const char *text, uint64_t *out)
{
	const char *p = text;
	while (is_blank(*p))
		p++;
	p = parse_read_u64(p, out);
	if (p == NULL)
		return -1;
	while (is_blank(*p))
		p++;
	return *p == '\0' ? 0 : -1;
}

int parse_limit(const char *text, uint64_t *out)
{
	const char *p = text;
	while (is_blank(*p))
		p++;
	const char *word = NULL;
	if (strncmp(p, "max", 3) == 0)
		word = p + 3;
	else if (strncmp(p, "-1", 2) == 0)
		word = p + 2;
	if (word) {
		while (is_blank(*word))
			word++;
		if (*word != '\0')
			return -1;
		*out = BE_UNLIMITED;
		return 0;
	}
	if (parse_u64(p, out) < 0)
		return -1;
	if (*out >= (1ULL << 62)) /* v1: PAGE_COUNTER_MAX * page size */
		*out = BE_UNLIMITED;
	return 0;
}

double parse_decimal(const char *s, const char **end)
{
	double v = 0;
	bool neg = false;
	if (*s == '-') {
		neg = true;
		s++;
	}
	while (*s >= '0' && *s <= '9')
		v = v * 10 + (*s++ - '0');
	if (*s == '.') {
		double scale = 0.1;
		for (s++; *s >= '0' && *s <= '9'; s++, scale /= 10)
			v += (*s - '0') * scale;
	}
	if (end)
		*end = s;
	return neg ? -v : v;
}

uint64_t parse_keyed(const char *text, const char *const *keys, size_t nkeys, uint64_t *vals)
{
	uint64_t found = 0;
	for (const char *line = text; *line; line = parse_next_line(line)) {
		const char *w = parse_skip_blanks(line);
		size_t n = strcspn(w, " \t:\n");
		if (n == 0)
			continue;
		for (size_t i = 0; i < nkeys && i < 64; i++) {
			if (keys[i][0] != w[0] || strncmp(keys[i], w, n) != 0 || keys[i][n] != '\0')
				continue;
			const char *v = w + n;
			if (*v == ':')
				v++;
			uint64_t x;
			if (parse_read_u64(parse_skip_blanks(v), &x)) {
				vals[i] = x;
				found |= 1ULL << i;
			}
			break;
		}
	}
	return found;
}

int parse_cpu_stat_v2(const char *text, struct be_cpu_stat *out)
{
	static const char *const keys[] = {"usage_usec", "user_usec",    "system_usec",
	                                   "nr_periods", "nr_throttled", "throttled_usec"};
	uint64_t v[6] = {0};
	uint64_t f = parse_keyed(text, keys, 6, v);
	if (!(f & 1))
		return -1;
	out->usage_ns = v[0] * 1000;
	out->has_usage = true;
	out->user_ns = v[1] * 1000;
	out->system_ns = v[2] * 1000;
	out->has_split = (f & 6) == 6;
	out->periods = v[3];
	out->throttled = v[4];
	out->throttled_ns = v[5] * 1000;
	out->has_throttle = (f & 56) == 56;
	return 0;
}

int parse_cpu_stat_v1(const char *text, struct be_cpu_stat *out)
{
	static const char *const keys[] = {"nr_periods", "nr_throttled", "throttled_time"};
	uint64_t v[3] = {0};
	if (parse_keyed(text, keys, 3, v) != 7)
		return -1;
	out->periods = v[0];
	out->throttled = v[1];
	out->throttled_ns = v[2];
	out->has_throttle = true;
	return 0;
}

int parse_cpuacct_stat(const char *text, uint64_t tick_ns, struct be_cpu_stat *out)
{
	static const char *const keys[] = {"user", "system"};
	uint64_t v[2] = {0};
	if (parse_keyed(text, keys, 2, v) != 3)
		return -1;
	out->user_ns = v[0] * tick_ns;
	out->system_ns = v[1] * tick_ns;
	out->has_split = true;
	return 0;
}

int parse_cpu_max(const char *text, uint64_t *quota_us, uint64_t *period_us)
{
	const char *p = parse_skip_blanks(text);
	uint64_t q;
	if (strncmp(p, "max", 3) == 0 && is_blank(p[3])) {
		q = BE_UNLIMITED;
		p += 3;
	} else {
		p = parse_read_u64(p, &q);
		if (p == NULL)
			return -1;
	}
	p = parse_skip_blanks(p);
	uint64_t period;
	p = parse_read_u64(p, &period);
	if (p == NULL || period == 0)
		return -1;
	while (is_blank(*p))
		p++;
	if (*p)
		return -1;
	*quota_us = q;
	*period_us = period;
	return 0;
}

int parse_memory_stat_v1(const char *text, struct be_mem_stat *out)
{
	static const char *const keys[] = {"total_rss",
	                                   "total_cache",
	                                   "total_inactive_file",
	                                   "total_active_file",
	                                   "total_shmem",
	                                   "total_swap",
	                                   "rss",
	                                   "cache",
	                                   "inactive_file",
	                                   "active_file",
	                                   "shmem",
	                                   "swap"};
	uint64_t v[12] = {0};
	uint64_t f = parse_keyed(text, keys, 12, v);
	/* Without use_hierarchy (or on old kernels) only local keys exist. */
	uint64_t *src = v;
	uint64_t fs = f & 63;
	if ((f & 3) != 3) {
		src = v + 6;
		fs = f >> 6;
	}
	if ((fs & 3) != 3)
		return -1;
	memset(out, 0, sizeof(*out));
	out->anon = src[0];
	out->file = src[1];
	out->inactive_file = src[2];
	out->active_file = src[3];
	out->shmem = src[4];
	out->swap = src[5];
	out->has_swap = (fs & 32) != 0;
	return 0;
}

int parse_memory_stat_v2(const char *text, struct be_mem_stat *out)
{
	static const char *const keys[] = {"anon", "file", "inactive_file", "active_file", "shmem"};
	uint64_t v[5] = {0};
	uint64_t f = parse_keyed(text, keys, 5, v);
	if ((f & 3) != 3)
		return -1;
	memset(out, 0, sizeof(*out));
	out->anon = v[0];
	out->file = v[1];
	out->inactive_file = v[2];
	out->active_file = v[3];
	out->shmem = v[4];
	return 0;
}

uint64_t parse_mem_working_set(uint64_t usage, const struct be_mem_stat *st)
{
	return usage > st->inactive_file ? usage - st->inactive_file : 0;
}

int parse_memory_events(const char *text, struct be_mem_events *out)
{
	static const char *const keys[] = {"low", "high", "max", "oom", "oom_kill"};
	uint64_t v[5] = {0};
	uint64_t f = parse_keyed(text, keys, 5, v);
	if ((f & 24) != 24)
		return -1;
	out->low = v[0];
	out->high = v[1];
	out->max = v[2];
	out->oom = v[3];
	out->oom_kill = v[4];
	return 0;
}

int parse_oom_control(const char *text, uint64_t *under_oom, uint64_t *oom_kill)
{
	static const char *const keys[] = {"under_oom", "oom_kill"};
	uint64_t v[2] = {0};
	uint64_t f = parse_keyed(text, keys, 2, v);
	if (!(f & 1))
		return -1;
	*under_oom = v[0];
	*oom_kill = v[1];
	return 0;
}

/* "MAJ:MIN" at the start of a line. */
static const char *read_devno(const char *p)
{
	uint64_t x;
	p = parse_read_u64(p, &x);
	if (p == NULL || *p != ':')
		return NULL;
	return parse_read_u64(p + 1, &x);
}

int parse_io_stat(const char *text, struct be_io *out)
{
	memset(out, 0, sizeof(*out));
	for (const char *line = text; *line; line = parse_next_line(line)) {
		const char *p = parse_skip_blanks(line);
		if (*p == '\n' || *p == '\0')
			continue;
		p = read_devno(p);
		if (p == NULL)
			return -1;
		while (*p == ' ') {
			p++;
			size_t n = strcspn(p, "= \n");
			uint64_t v;
			if (p[n] != '=' || parse_read_u64(p + n + 1, &v) == NULL)
				return -1;
			if (n == 6 && memcmp(p, "rbytes", 6) == 0)
				out->rbytes += v;
			else if (n == 6 && memcmp(p, "wbytes", 6) == 0)
				out->wbytes += v;
			else if (n == 4 && memcmp(p, "rios", 4) == 0)
				out->rios += v;
			else if (n == 4 && memcmp(p, "wios", 4) == 0)
				out->wios += v;
			p += n + 1 + strspn(p + n + 1, "0123456789");
		}
	}
	return 0;
}

int parse_blkio(const char *text, uint64_t *read, uint64_t *write)
{
	*read = *write = 0;
	for (const char *line = text; *line; line = parse_next_line(line)) {
		const char *p = parse_skip_blanks(line);
		if (*p == '\n' || *p == '\0' || strncmp(p, "Total", 5) == 0)
			continue;
		p = read_devno(p);
		if (p == NULL || *p != ' ')
			return -1;
		p++;
		size_t n = strcspn(p, " \n");
		uint64_t v;
		if (p[n] != ' ' || parse_read_u64(p + n + 1, &v) == NULL)
			return -1;
		if (n == 4 && memcmp(p, "Read", 4) == 0)
			*read += v;
		else if (n == 5 && memcmp(p, "Write", 5) == 0)
			*write += v;
	}
	return 0;
}

/* One "some avg10=.. avg60=.. avg300=.. total=.." line after its first word. */
static int pressure_line(const char *p, double avg[3], uint64_t *total)
{
	static const char *const names[] = {"avg10=", "avg60=", "avg300="};
	for (int i = 0; i < 3; i++) {
		p = parse_skip_blanks(p);
		size_t n = strlen(names[i]);
		if (strncmp(p, names[i], n) != 0)
			return -1;
		avg[i] = parse_decimal(p + n, &p);
	}
	p = parse_skip_blanks(p);
	if (strncmp(p, "total=", 6) != 0 || parse_read_u64(p + 6, total) == NULL)
		return -1;
	return 0;
}

int parse_pressure(const char *text, struct be_psi *out)
{
	memset(out, 0, sizeof(*out));
	bool some = false;
	for (const char *line = text; *line; line = parse_next_line(line)) {
		double avg[3];
		uint64_t total;
		if (strncmp(line, "some ", 5) == 0) {
			if (pressure_line(line + 5, avg, &total) < 0)
				return -1;
			out->some_avg10 = avg[0];
			out->some_avg60 = avg[1];
			out->some_avg300 = avg[2];
			out->some_total_us = total;
			some = true;
		} else if (strncmp(line, "full ", 5) == 0) {
			if (pressure_line(line + 5, avg, &total) < 0)
				return -1;
			out->full_avg10 = avg[0];
			out->full_avg60 = avg[1];
			out->full_avg300 = avg[2];
			out->full_total_us = total;
			out->has_full = true;
		}
	}
	return some ? 0 : -1;
}

long parse_pids(const char *text, pid_t *out, size_t max)
{
	long n = 0;
	for (const char *line = text; *line; line = parse_next_line(line)) {
		const char *p = parse_skip_blanks(line);
		if (*p == '\n')
			continue;
		uint64_t v;
		p = parse_read_u64(p, &v);
		if (p == NULL || v == 0 || v > INT32_MAX || (*p != '\n' && *p != '\0'))
			return -1;
		if ((size_t)n < max)
			out[n] = (pid_t)v;
		n++;
	}
	return n;
}
