/* The JSON Lines schema of `berth stats --json` and `berth top --json`, in
 * one place: a table of fields (name with its unit, type, where the value
 * lives, which BE_HAVE_* bits it needs), written by hand with escaping.
 * docs/stats.md documents the same fields. */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "stats/stats.h"

enum ftype {
	FT_U64,     /* uint64_t */
	FT_LIMIT,   /* uint64_t, BE_UNLIMITED -> null */
	FT_DBL2,    /* double, 2 decimals */
	FT_DBL4,    /* double, 4 decimals */
	FT_POS2,    /* double, 2 decimals, null when < 0 */
	FT_STR,     /* char[] */
	FT_STR_OPT, /* char[], null when empty */
	FT_BOOL,    /* bool */
	FT_KIND,    /* enum be_kind */
	FT_PID,     /* pid_t */
	FT_UINT,    /* unsigned */
	FT_MEM_PCT, /* memory use against the limit, computed */
};

/* Where the field's value comes from. */
enum fwhen {
	W_ALWAYS,
	W_HAVE,    /* (cur.have & have) == have */
	W_VM,      /* is_vm */
	W_HOST,    /* (host.have & have) == have */
	W_NONZERO, /* a uint64_t that is not 0 (0 = unknown) */
};

struct jfield {
	const char *name;
	enum ftype type;
	size_t off;
	enum fwhen when;
	uint32_t have;
};

#define IT(f) offsetof(struct be_item, f)
#define CUR(f) offsetof(struct be_item, cur.f)
#define HAVE(bits) W_HAVE, (bits)
#define RATE(bits) W_HAVE, ((bits) | BE_HAVE_RATES)
#define PSI(res, field, bit)                                                                       \
	{"psi_" #res "_some_avg10", FT_DBL2, CUR(field.some_avg10), HAVE(bit)},                    \
	        {"psi_" #res "_some_avg60", FT_DBL2, CUR(field.some_avg60), HAVE(bit)},            \
	        {"psi_" #res "_some_avg300", FT_DBL2, CUR(field.some_avg300), HAVE(bit)},          \
	        {"psi_" #res "_some_total_us", FT_U64, CUR(field.some_total_us), HAVE(bit)},       \
	        {"psi_" #res "_full_avg10", FT_DBL2, CUR(field.full_avg10), HAVE(bit)},            \
	        {"psi_" #res "_full_avg60", FT_DBL2, CUR(field.full_avg60), HAVE(bit)},            \
	        {"psi_" #res "_full_avg300", FT_DBL2, CUR(field.full_avg300), HAVE(bit)},          \
	{                                                                                          \
		"psi_" #res "_full_total_us", FT_U64, CUR(field.full_total_us), HAVE(bit)          \
	}

static const struct jfield item_fields[] = {
        {"kind", FT_KIND, IT(kind), W_ALWAYS, 0},
        {"name", FT_STR, IT(name), W_ALWAYS, 0},
        {"id", FT_STR, IT(id), W_ALWAYS, 0},
        {"image", FT_STR_OPT, IT(image), W_ALWAYS, 0},
        {"cgroup", FT_STR_OPT, IT(cgroup), W_ALWAYS, 0},
        {"berth", FT_BOOL, IT(berth), W_ALWAYS, 0},
        {"root", FT_STR_OPT, IT(root), W_ALWAYS, 0},
        {"start_time_unix", FT_U64, IT(start_time_unix), W_NONZERO, 0},
        {"pids", FT_U64, CUR(pids), HAVE(BE_HAVE_PIDS)},
        {"pids_limit", FT_LIMIT, CUR(pids_limit), HAVE(BE_HAVE_PIDS_LIMIT)},
        {BE_CPU_PERCENT_FIELD, FT_DBL2, CUR(cpu_percent), RATE(BE_HAVE_CPU)},
        {"cpu_cores", FT_DBL4, CUR(cpu_cores), RATE(BE_HAVE_CPU)},
        {"cpu_quota_percent", FT_POS2, CUR(cpu_quota_percent), RATE(BE_HAVE_CPU)},
        {"cpu_usage_ns", FT_U64, CUR(cpu_usage_ns), HAVE(BE_HAVE_CPU)},
        {"cpu_user_ns", FT_U64, CUR(cpu_user_ns), HAVE(BE_HAVE_CPU_SPLIT)},
        {"cpu_system_ns", FT_U64, CUR(cpu_system_ns), HAVE(BE_HAVE_CPU_SPLIT)},
        {"cpu_quota_us", FT_LIMIT, CUR(cpu_quota_us), HAVE(BE_HAVE_CPU_LIMIT)},
        {"cpu_period_us", FT_U64, CUR(cpu_period_us), HAVE(BE_HAVE_CPU_LIMIT)},
        {"cpu_weight", FT_U64, CUR(cpu_weight), HAVE(BE_HAVE_CPU_WEIGHT)},
        {"cpu_periods", FT_U64, CUR(cpu_periods), HAVE(BE_HAVE_THROTTLE)},
        {"throttled_periods", FT_U64, CUR(throttled_periods), HAVE(BE_HAVE_THROTTLE)},
        {"throttled_ns", FT_U64, CUR(throttled_ns), HAVE(BE_HAVE_THROTTLE)},
        {"throttled_percent", FT_DBL2, CUR(throttled_percent), RATE(BE_HAVE_THROTTLE)},
        {"memory_bytes", FT_U64, CUR(mem_bytes), HAVE(BE_HAVE_MEM)},
        {"memory_working_set_bytes", FT_U64, CUR(mem_working_set_bytes), HAVE(BE_HAVE_MEM_STAT)},
        {"memory_anon_bytes", FT_U64, CUR(mem_anon_bytes), HAVE(BE_HAVE_MEM_STAT)},
        {"memory_file_bytes", FT_U64, CUR(mem_file_bytes), HAVE(BE_HAVE_MEM_STAT)},
        {"memory_limit_bytes", FT_LIMIT, CUR(mem_limit_bytes), HAVE(BE_HAVE_MEM_LIMIT)},
        {"memory_percent_of_limit", FT_MEM_PCT, 0, W_ALWAYS, 0},
        {"memory_peak_bytes", FT_U64, CUR(mem_peak_bytes), HAVE(BE_HAVE_MEM_PEAK)},
        {"memory_swap_bytes", FT_U64, CUR(mem_swap_bytes), HAVE(BE_HAVE_SWAP)},
        {"memory_limit_hits", FT_U64, CUR(mem_limit_hits), HAVE(BE_HAVE_LIMIT_HITS)},
        {"oom_events", FT_U64, CUR(oom_events), HAVE(BE_HAVE_OOM_EVENTS)},
        {"oom_kills", FT_U64, CUR(oom_kills), HAVE(BE_HAVE_OOM)},
        {"blkio_read_bytes", FT_U64, CUR(io_read_bytes), HAVE(BE_HAVE_IO)},
        {"blkio_write_bytes", FT_U64, CUR(io_write_bytes), HAVE(BE_HAVE_IO)},
        {"blkio_read_ops", FT_U64, CUR(io_read_ops), HAVE(BE_HAVE_IO_OPS)},
        {"blkio_write_ops", FT_U64, CUR(io_write_ops), HAVE(BE_HAVE_IO_OPS)},
        {"blkio_read_bytes_per_s", FT_DBL2, CUR(io_read_bytes_per_s), RATE(BE_HAVE_IO)},
        {"blkio_write_bytes_per_s", FT_DBL2, CUR(io_write_bytes_per_s), RATE(BE_HAVE_IO)},
        {"blkio_read_ops_per_s", FT_DBL2, CUR(io_read_ops_per_s), RATE(BE_HAVE_IO_OPS)},
        {"blkio_write_ops_per_s", FT_DBL2, CUR(io_write_ops_per_s), RATE(BE_HAVE_IO_OPS)},
        {"net_host", FT_BOOL, 0, W_ALWAYS, BE_HAVE_NET_HOST},
        {"net_rx_bytes", FT_U64, CUR(net_rx_bytes), HAVE(BE_HAVE_NET)},
        {"net_tx_bytes", FT_U64, CUR(net_tx_bytes), HAVE(BE_HAVE_NET)},
        {"net_rx_packets", FT_U64, CUR(net_rx_packets), HAVE(BE_HAVE_NET)},
        {"net_tx_packets", FT_U64, CUR(net_tx_packets), HAVE(BE_HAVE_NET)},
        {"net_rx_bytes_per_s", FT_DBL2, CUR(net_rx_bytes_per_s), RATE(BE_HAVE_NET)},
        {"net_tx_bytes_per_s", FT_DBL2, CUR(net_tx_bytes_per_s), RATE(BE_HAVE_NET)},
        {"net_rx_packets_per_s", FT_DBL2, CUR(net_rx_packets_per_s), RATE(BE_HAVE_NET)},
        {"net_tx_packets_per_s", FT_DBL2, CUR(net_tx_packets_per_s), RATE(BE_HAVE_NET)},
        PSI(cpu, psi_cpu, BE_HAVE_PSI_CPU),
        PSI(memory, psi_mem, BE_HAVE_PSI_MEM),
        PSI(io, psi_io, BE_HAVE_PSI_IO),
        {"vmm", FT_STR, IT(vm.vmm), W_VM, 0},
        {"vm_pid", FT_PID, IT(vm.pid), W_VM, 0},
        {"vm_guest_memory_bytes", FT_U64, IT(vm.guest_mem_bytes), W_VM, 0},
        {"vm_vcpus", FT_UINT, IT(vm.vcpus), W_VM, 0},
        {"vm_vcpu_threads", FT_UINT, IT(vm.vcpu_threads), W_VM, 0},
        {"vm_threads", FT_UINT, IT(vm.threads), W_VM, 0},
        {"vm_rss_bytes", FT_U64, IT(vm.rss_bytes), W_VM, 0},
        {"vm_cpu_ns", FT_U64, IT(vm.cpu_ns), W_VM, 0},
};

#define HO(f) offsetof(struct be_host, f)
#define HPSI(res, field, bit)                                                                      \
	{"psi_" #res "_some_avg10", FT_DBL2, HO(field.some_avg10), W_HOST, bit},                   \
	        {"psi_" #res "_some_avg60", FT_DBL2, HO(field.some_avg60), W_HOST, bit},           \
	        {"psi_" #res "_some_total_us", FT_U64, HO(field.some_total_us), W_HOST, bit},      \
	        {"psi_" #res "_full_avg10", FT_DBL2, HO(field.full_avg10), W_HOST, bit},           \
	{                                                                                          \
		"psi_" #res "_full_total_us", FT_U64, HO(field.full_total_us), W_HOST, bit         \
	}

static const struct jfield host_fields[] = {
        {"ncpus", FT_UINT, HO(ncpus), W_ALWAYS, 0},
        {BE_CPU_PERCENT_FIELD, FT_DBL2, HO(cpu_percent), W_HOST, BE_HAVE_HOST_RATES},
        {"memory_total_bytes", FT_U64, HO(mem_total_bytes), W_ALWAYS, 0},
        {"memory_available_bytes", FT_U64, HO(mem_available_bytes), W_ALWAYS, 0},
        {"memory_used_bytes", FT_U64, HO(mem_used_bytes), W_ALWAYS, 0},
        {"memory_free_bytes", FT_U64, HO(mem_free_bytes), W_ALWAYS, 0},
        {"memory_buffers_bytes", FT_U64, HO(mem_buffers_bytes), W_ALWAYS, 0},
        {"memory_cached_bytes", FT_U64, HO(mem_cached_bytes), W_ALWAYS, 0},
        {"swap_total_bytes", FT_U64, HO(swap_total_bytes), W_ALWAYS, 0},
        {"swap_free_bytes", FT_U64, HO(swap_free_bytes), W_ALWAYS, 0},
        {"load1", FT_DBL2, HO(load1), W_ALWAYS, 0},
        {"load5", FT_DBL2, HO(load5), W_ALWAYS, 0},
        {"load15", FT_DBL2, HO(load15), W_ALWAYS, 0},
        {"tasks_running", FT_UINT, HO(tasks_running), W_ALWAYS, 0},
        {"tasks_total", FT_UINT, HO(tasks_total), W_ALWAYS, 0},
        HPSI(cpu, psi_cpu, BE_HAVE_HOST_PSI_CPU),
        HPSI(memory, psi_mem, BE_HAVE_HOST_PSI_MEM),
        HPSI(io, psi_io, BE_HAVE_HOST_PSI_IO),
};

/* An appending writer that counts what it could not hold. */
struct jw {
	char *buf;
	size_t len, pos;
};

static void put(struct jw *w, const char *s, size_t n)
{
	if (w->pos < w->len) {
		size_t room = w->len - w->pos - 1;
		memcpy(w->buf + w->pos, s, n < room ? n : room);
		w->buf[w->pos + (n < room ? n : room)] = '\0';
	}
	w->pos += n;
}

static void puts_(struct jw *w, const char *s)
{
	put(w, s, strlen(s));
}

/* Length of a valid UTF-8 sequence at s, or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* A JSON string; bytes that are not UTF-8 are written as \u00XX. */
static void put_string(struct jw *w, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	put(w, "\"", 1);
	while (*s) {
		char esc[8];
		size_t n = *s >= 0x80 ? utf8_len(s) : 1;
		if (*s == '"' || *s == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*s;
			put(w, esc, 2);
		} else if (*s < 0x20 || *s == 0x7f || n == 0) {
			snprintf(esc, sizeof(esc), "\\u%04x", *s);
			put(w, esc, 6);
			n = 1;
		} else {
			put(w, (const char *)s, n);
		}
		s += n;
	}
	put(w, "\"", 1);
}

static bool present(const struct jfield *f, uint32_t have, bool is_vm, const void *base)
{
	switch (f->when) {
	case W_NONZERO: return *(const uint64_t *)((const char *)base + f->off) != 0;
	case W_HAVE:
	case W_HOST: return (have & f->have) == f->have;
	case W_VM: return is_vm;
	case W_ALWAYS:
	default: return true;
	}
}

static void put_mem_pct(struct jw *w, const struct be_sample *x)
{
	char num[48];
	uint32_t need = BE_HAVE_MEM | BE_HAVE_MEM_LIMIT;
	if ((x->have & need) != need || x->mem_limit_bytes == BE_UNLIMITED ||
	    x->mem_limit_bytes == 0) {
		puts_(w, "null");
		return;
	}
	stats_fmt_fixed(num, sizeof(num), 100.0 * (double)x->mem_bytes / (double)x->mem_limit_bytes,
	                2);
	puts_(w, num);
}

static void put_value(struct jw *w, const struct jfield *f, const void *base)
{
	const char *p = (const char *)base + f->off;
	char num[48];
	uint64_t u;
	double d;
	switch (f->type) {
	case FT_U64:
	case FT_LIMIT:
		memcpy(&u, p, sizeof(u));
		if (f->type == FT_LIMIT && u == BE_UNLIMITED)
			snprintf(num, sizeof(num), "null");
		else
			snprintf(num, sizeof(num), "%" PRIu64, u);
		break;
	case FT_DBL2:
	case FT_DBL4:
	case FT_POS2:
		memcpy(&d, p, sizeof(d));
		if (f->type == FT_POS2 && d < 0)
			snprintf(num, sizeof(num), "null");
		else
			stats_fmt_fixed(num, sizeof(num), d, f->type == FT_DBL4 ? 4 : 2);
		break;
	case FT_STR: put_string(w, p); return;
	case FT_STR_OPT:
		if (*p)
			put_string(w, p);
		else
			puts_(w, "null");
		return;
	case FT_BOOL: puts_(w, *(const bool *)p ? "true" : "false"); return;
	case FT_KIND: put_string(w, be_kind_name(*(const enum be_kind *)p)); return;
	case FT_PID: snprintf(num, sizeof(num), "%d", (int)*(const pid_t *)p); break;
	case FT_UINT: snprintf(num, sizeof(num), "%u", *(const unsigned *)p); break;
	case FT_MEM_PCT: put_mem_pct(w, &((const struct be_item *)base)->cur); return;
	default: snprintf(num, sizeof(num), "null"); break;
	}
	puts_(w, num);
}

static int write_record(const char *record, int64_t time_ms, const struct jfield *fields, size_t n,
                        const void *base, uint32_t have, bool is_vm, char *buf, size_t len)
{
	struct jw w = {buf, len, 0};
	if (len)
		buf[0] = '\0';
	char num[32];
	puts_(&w, "{\"record\":");
	put_string(&w, record);
	snprintf(num, sizeof(num), ",\"time_unix_ms\":%" PRId64, time_ms);
	puts_(&w, num);
	for (size_t i = 0; i < n; i++) {
		const struct jfield *f = &fields[i];
		put(&w, ",\"", 2);
		puts_(&w, f->name);
		put(&w, "\":", 2);
		if (f->type == FT_BOOL && f->when == W_ALWAYS && f->have)
			puts_(&w, (have & f->have) ? "true" : "false"); /* a flag bit */
		else if (present(f, have, is_vm, base))
			put_value(&w, f, base);
		else
			puts_(&w, "null");
	}
	put(&w, "}", 1);
	return (int)w.pos;
}

int be_stats_item_json(const struct be_item *it, int64_t time_unix_ms, char *buf, size_t len)
{
	return write_record("item", time_unix_ms, item_fields,
	                    sizeof(item_fields) / sizeof(item_fields[0]), it, it->cur.have,
	                    it->is_vm, buf, len);
}

int be_stats_host_json(const struct be_host *h, int64_t time_unix_ms, char *buf, size_t len)
{
	struct jw w = {buf, len, 0};
	int n = write_record("host", time_unix_ms, host_fields,
	                     sizeof(host_fields) / sizeof(host_fields[0]), h, h->have, false, buf,
	                     len);
	/* The per-CPU array goes before the closing brace. */
	w.pos = n > 0 ? (size_t)n - 1 : 0;
	if (w.pos < len)
		buf[w.pos] = '\0';
	puts_(&w, ",\"cpu_percent_each\":");
	if (!(h->have & BE_HAVE_HOST_RATES) || h->cpu_percent_each == NULL) {
		puts_(&w, "null");
	} else {
		put(&w, "[", 1);
		for (unsigned i = 0; i < h->ncpus; i++) {
			char num[32];
			stats_fmt_fixed(num, sizeof(num), h->cpu_percent_each[i], 2);
			if (i)
				put(&w, ",", 1);
			puts_(&w, num);
		}
		put(&w, "]", 1);
	}
	put(&w, "}", 1);
	return (int)w.pos;
}

/* ---- reading records back (a recording replayed) ------------------------------ */

/* Stores JSON value v as field f of base; false when its type is not f's. */
static bool get_value(const struct jfield *f, const json_t *v, void *base)
{
	char *p = (char *)base + f->off;
	switch (f->type) {
	case FT_U64:
	case FT_LIMIT: {
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			return false;
		uint64_t u = (uint64_t)json_integer_value(v);
		memcpy(p, &u, sizeof(u));
		return true;
	}
	case FT_DBL2:
	case FT_DBL4:
	case FT_POS2: {
		if (!json_is_number(v))
			return false;
		double d = json_number_value(v);
		memcpy(p, &d, sizeof(d));
		return true;
	}
	case FT_STR:
	case FT_STR_OPT:
		if (!json_is_string(v))
			return false;
		return true; /* copied by the caller, which knows the size */
	case FT_BOOL:
		if (!json_is_boolean(v))
			return false;
		*(bool *)p = json_is_true(v);
		return true;
	case FT_PID:
		if (!json_is_integer(v))
			return false;
		*(pid_t *)p = (pid_t)json_integer_value(v);
		return true;
	case FT_UINT:
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			return false;
		*(unsigned *)p = (unsigned)json_integer_value(v);
		return true;
	default: return true;
	}
}

/* The size of string field f (the struct's char arrays). */
static size_t str_size(const struct jfield *f)
{
	if (f->off == IT(vm.vmm))
		return sizeof(((struct be_item *)0)->vm.vmm);
	if (f->off == IT(id))
		return BE_ITEM_ID_MAX;
	if (f->off == IT(cgroup))
		return BE_ITEM_CGROUP_MAX;
	if (f->off == IT(root))
		return BE_ITEM_ROOT_MAX;
	return BE_ITEM_NAME_MAX;
}

static enum be_kind kind_of(const char *s)
{
	for (int k = 0; k < BE_KIND_COUNT; k++)
		if (strcmp(be_kind_name((enum be_kind)k), s) == 0)
			return (enum be_kind)k;
	return BE_KIND_CGROUP;
}

/* An absent limit whose reading is there means "no limit": the stream
 * leaves null (unlimited) fields out. */
static void limits_absent(const json_t *o, struct be_sample *x)
{
	if ((x->have & BE_HAVE_MEM) && !json_object_get(o, "memory_limit_bytes")) {
		x->mem_limit_bytes = BE_UNLIMITED;
		x->have |= BE_HAVE_MEM_LIMIT;
	}
	if ((x->have & BE_HAVE_PIDS) && !json_object_get(o, "pids_limit")) {
		x->pids_limit = BE_UNLIMITED;
		x->have |= BE_HAVE_PIDS_LIMIT;
	}
	if ((x->have & BE_HAVE_CPU_LIMIT) && !json_object_get(o, "cpu_quota_us"))
		x->cpu_quota_us = BE_UNLIMITED;
}

int stats_item_from_json(const json_t *o, struct be_item *it)
{
	memset(it, 0, sizeof(*it));
	it->cur.cpu_quota_percent = -1;
	if (!json_is_object(o) || !json_is_string(json_object_get(o, "name")))
		return -1;
	for (size_t i = 0; i < sizeof(item_fields) / sizeof(item_fields[0]); i++) {
		const struct jfield *f = &item_fields[i];
		const json_t *v = json_object_get(o, f->name);
		if (v == NULL || json_is_null(v))
			continue;
		if (f->type == FT_BOOL && f->when == W_ALWAYS && f->have) {
			if (json_is_true(v))
				it->cur.have |= f->have; /* a flag bit */
			continue;
		}
		if (f->type == FT_MEM_PCT || !get_value(f, v, it))
			continue;
		if (f->type == FT_KIND)
			it->kind = kind_of(json_string_value(v));
		else if (f->type == FT_STR || f->type == FT_STR_OPT)
			snprintf((char *)it + f->off, str_size(f), "%s", json_string_value(v));
		if (f->when == W_HAVE)
			it->cur.have |= f->have;
		if (f->when == W_VM)
			it->is_vm = true;
	}
	limits_absent(o, &it->cur);
	return 0;
}

int stats_host_from_json(const json_t *o, struct be_host *h, double *each, size_t each_max)
{
	memset(h, 0, sizeof(*h));
	if (!json_is_object(o))
		return -1;
	for (size_t i = 0; i < sizeof(host_fields) / sizeof(host_fields[0]); i++) {
		const struct jfield *f = &host_fields[i];
		const json_t *v = json_object_get(o, f->name);
		if (v && !json_is_null(v) && get_value(f, v, h) && f->when == W_HOST)
			h->have |= f->have;
	}
	const json_t *a = json_object_get(o, "cpu_percent_each");
	size_t n = json_array_size(a);
	if (n && n == h->ncpus && n <= each_max) {
		for (size_t i = 0; i < n; i++)
			each[i] = json_number_value(json_array_get(a, i));
		h->cpu_percent_each = each;
	}
	h->mem_used_bytes =
	        h->mem_used_bytes ? h->mem_used_bytes : h->mem_total_bytes - h->mem_available_bytes;
	return 0;
}
