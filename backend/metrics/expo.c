/* The Prometheus text exposition (format 0.0.4) of the monitor's items and
 * host meters: one const table of metric families, each with its name (unit
 * and _total in it), HELP text, TYPE and where its value lives.  Label sets
 * are escaped once per item; values are written without printf on the hot
 * path, so a scrape of 1,000 containers costs little more than its refresh. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "berth.h"
#include "be_metrics.h"
#include "base/util.h"

enum vtype {
	V_U64,        /* an integer as it is */
	V_NS_SECONDS, /* nanoseconds, shown as seconds */
	V_US_SECONDS, /* microseconds, shown as seconds */
	V_DOUBLE,
	V_U32, /* an unsigned */
};

enum cond {
	C_HAVE,      /* the item's sample has the `have` bits */
	C_LIMIT,     /* ... and the value is not BE_UNLIMITED */
	C_PSI_FULL,  /* ... and the PSI file had a "full" line */
	C_VM,        /* the item is a VM (it->vm) */
	C_VM_KNOWN,  /* ... and the value is not 0 (unknown) */
	C_ITEM_TIME, /* the item's start time is known */
};

struct family {
	const char *name;
	const char *help;
	bool counter;
	enum vtype type;
	enum cond cond;
	uint32_t have;
	size_t off; /* in struct be_sample, or struct be_item for C_VM* */
};

#define S(f) offsetof(struct be_sample, f)
#define I(f) offsetof(struct be_item, f)
#define PSI(res, word, stall, field, bit, cond)                                                    \
	{                                                                                          \
		"berth_container_pressure_" res "_" word "_seconds_total",                         \
		        "Time some (waiting) or all (stalled) tasks of the item were stalled "     \
		        "on " res " (PSI " stall " total).",                                       \
		        true, V_US_SECONDS, cond, bit, S(field)                                    \
	}

static const struct family item_families[] = {
        {"berth_container_cpu_seconds_total", "CPU time used by the item (user and system).", true,
         V_NS_SECONDS, C_HAVE, BE_HAVE_CPU, S(cpu_usage_ns)},
        {"berth_container_cpu_user_seconds_total", "CPU time used in user mode.", true,
         V_NS_SECONDS, C_HAVE, BE_HAVE_CPU_SPLIT, S(cpu_user_ns)},
        {"berth_container_cpu_system_seconds_total", "CPU time used in kernel mode.", true,
         V_NS_SECONDS, C_HAVE, BE_HAVE_CPU_SPLIT, S(cpu_system_ns)},
        {"berth_container_cpu_periods_total", "CFS enforcement periods that elapsed.", true, V_U64,
         C_HAVE, BE_HAVE_THROTTLE, S(cpu_periods)},
        {"berth_container_cpu_throttled_periods_total",
         "CFS periods in which the item was throttled by its CPU quota.", true, V_U64, C_HAVE,
         BE_HAVE_THROTTLE, S(throttled_periods)},
        {"berth_container_cpu_throttled_seconds_total",
         "Time the item was held back by its CPU quota.", true, V_NS_SECONDS, C_HAVE,
         BE_HAVE_THROTTLE, S(throttled_ns)},
        {"berth_container_cpu_quota_seconds",
         "CPU time allowed per period (cpu.max, cfs_quota_us); absent without a quota.", false,
         V_US_SECONDS, C_LIMIT, BE_HAVE_CPU_LIMIT, S(cpu_quota_us)},
        {"berth_container_cpu_period_seconds", "CFS period length.", false, V_US_SECONDS, C_HAVE,
         BE_HAVE_CPU_LIMIT, S(cpu_period_us)},
        {"berth_container_memory_bytes",
         "Memory in use (v1 usage_in_bytes, v2 memory.current, RSS of a VM process).", false, V_U64,
         C_HAVE, BE_HAVE_MEM, S(mem_bytes)},
        {"berth_container_memory_working_set_bytes",
         "Memory in use less inactive file cache, as docker counts it.", false, V_U64, C_HAVE,
         BE_HAVE_MEM_STAT, S(mem_working_set_bytes)},
        {"berth_container_memory_anon_bytes", "Anonymous memory.", false, V_U64, C_HAVE,
         BE_HAVE_MEM_STAT, S(mem_anon_bytes)},
        {"berth_container_memory_file_bytes", "File cache memory.", false, V_U64, C_HAVE,
         BE_HAVE_MEM_STAT, S(mem_file_bytes)},
        {"berth_container_memory_limit_bytes", "Memory limit; absent when unlimited.", false, V_U64,
         C_LIMIT, BE_HAVE_MEM_LIMIT, S(mem_limit_bytes)},
        {"berth_container_memory_peak_bytes", "Highest memory use recorded by the kernel.", false,
         V_U64, C_HAVE, BE_HAVE_MEM_PEAK, S(mem_peak_bytes)},
        {"berth_container_memory_swap_bytes", "Swap in use.", false, V_U64, C_HAVE, BE_HAVE_SWAP,
         S(mem_swap_bytes)},
        {"berth_container_oom_kills_total", "Processes of the item killed by the OOM killer.", true,
         V_U64, C_HAVE, BE_HAVE_OOM, S(oom_kills)},
        {"berth_container_oom_events_total", "Times the item's memory limit ran out (v2).", true,
         V_U64, C_HAVE, BE_HAVE_OOM_EVENTS, S(oom_events)},
        {"berth_container_memory_limit_hits_total",
         "Times memory use reached the limit (v2 max events, v1 failcnt).", true, V_U64, C_HAVE,
         BE_HAVE_LIMIT_HITS, S(mem_limit_hits)},
        {"berth_container_pids", "Tasks in the item.", false, V_U64, C_HAVE, BE_HAVE_PIDS, S(pids)},
        {"berth_container_pids_limit", "Task limit; absent when unlimited.", false, V_U64, C_LIMIT,
         BE_HAVE_PIDS_LIMIT, S(pids_limit)},
        {"berth_container_io_read_bytes_total", "Bytes read from block devices.", true, V_U64,
         C_HAVE, BE_HAVE_IO, S(io_read_bytes)},
        {"berth_container_io_write_bytes_total", "Bytes written to block devices.", true, V_U64,
         C_HAVE, BE_HAVE_IO, S(io_write_bytes)},
        {"berth_container_io_read_ops_total", "Block device read operations.", true, V_U64, C_HAVE,
         BE_HAVE_IO_OPS, S(io_read_ops)},
        {"berth_container_io_write_ops_total", "Block device write operations.", true, V_U64,
         C_HAVE, BE_HAVE_IO_OPS, S(io_write_ops)},
        {"berth_container_network_receive_bytes_total",
         "Bytes received in the item's network namespace (loopback left out).", true, V_U64, C_HAVE,
         BE_HAVE_NET, S(net_rx_bytes)},
        {"berth_container_network_transmit_bytes_total",
         "Bytes sent from the item's network namespace (loopback left out).", true, V_U64, C_HAVE,
         BE_HAVE_NET, S(net_tx_bytes)},
        {"berth_container_network_receive_packets_total", "Packets received.", true, V_U64, C_HAVE,
         BE_HAVE_NET, S(net_rx_packets)},
        {"berth_container_network_transmit_packets_total", "Packets sent.", true, V_U64, C_HAVE,
         BE_HAVE_NET, S(net_tx_packets)},
        PSI("cpu", "waiting", "some", psi_cpu.some_total_us, BE_HAVE_PSI_CPU, C_HAVE),
        PSI("cpu", "stalled", "full", psi_cpu.full_total_us, BE_HAVE_PSI_CPU, C_PSI_FULL),
        PSI("memory", "waiting", "some", psi_mem.some_total_us, BE_HAVE_PSI_MEM, C_HAVE),
        PSI("memory", "stalled", "full", psi_mem.full_total_us, BE_HAVE_PSI_MEM, C_PSI_FULL),
        PSI("io", "waiting", "some", psi_io.some_total_us, BE_HAVE_PSI_IO, C_HAVE),
        PSI("io", "stalled", "full", psi_io.full_total_us, BE_HAVE_PSI_IO, C_PSI_FULL),
        {"berth_vm_guest_memory_bytes", "Memory given to the guest (-m); absent when unknown.",
         false, V_U64, C_VM_KNOWN, 0, I(vm.guest_mem_bytes)},
        {"berth_vm_vcpus", "Virtual CPUs configured (-smp); absent when unknown.", false, V_U32,
         C_VM_KNOWN, 0, I(vm.vcpus)},
        {"berth_vm_process_resident_bytes", "Resident memory of the VMM process.", false, V_U64,
         C_VM, 0, I(vm.rss_bytes)},
        {"berth_vm_process_cpu_seconds_total", "CPU time of the VMM process.", true, V_NS_SECONDS,
         C_VM, 0, I(vm.cpu_ns)},
        {"berth_container_start_time_seconds",
         "When the item started (its oldest process), in seconds since the epoch.", false, V_U64,
         C_ITEM_TIME, 0, I(start_time_unix)},
};

/* ---- the text buffer ----------------------------------------------------- */

void be_metrics_text_free(struct be_metrics_text *t)
{
	free(t->data);
	memset(t, 0, sizeof(*t));
}

static char *reserve(struct be_metrics_text *t, size_t n)
{
	if (t->cap - t->len < n + 1) {
		size_t cap = t->cap ? t->cap : 65536;
		while (cap - t->len < n + 1)
			cap *= 2;
		t->data = xrealloc(t->data, cap);
		t->cap = cap;
	}
	return t->data + t->len;
}

void be_metrics_text_append(struct be_metrics_text *t, const char *s, size_t n)
{
	memcpy(reserve(t, n), s, n);
	t->len += n;
	t->data[t->len] = '\0';
}

static void put(struct be_metrics_text *t, const char *s)
{
	be_metrics_text_append(t, s, strlen(s));
}

void be_metrics_escape(struct be_metrics_text *out, const char *s)
{
	/* At most two bytes per byte. */
	char *p = reserve(out, 2 * strlen(s)), *start = p;
	for (; *s; s++) {
		if (*s == '\\' || *s == '"') {
			*p++ = '\\';
			*p++ = *s;
		} else if (*s == '\n') {
			*p++ = '\\';
			*p++ = 'n';
		} else {
			*p++ = *s;
		}
	}
	out->len += (size_t)(p - start);
	out->data[out->len] = '\0';
}

/* ---- values -------------------------------------------------------------- */

static size_t put_u64(char *p, uint64_t v)
{
	char tmp[24];
	size_t n = 0;
	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	for (size_t i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	return n;
}

/* v / 10^digits with that many decimals ("12.000345"), trailing zeros cut. */
static size_t put_scaled(char *p, uint64_t v, unsigned digits, uint64_t scale)
{
	size_t n = put_u64(p, v / scale);
	uint64_t frac = v % scale;
	if (frac == 0)
		return n;
	p[n++] = '.';
	for (unsigned i = digits; i-- > 0;) {
		p[n + i] = (char)('0' + frac % 10);
		frac /= 10;
	}
	n += digits;
	while (p[n - 1] == '0')
		n--;
	return n;
}

static size_t put_double(char *p, double v)
{
	if (!(v == v))
		return (size_t)(memcpy(p, "NaN", 3), 3);
	size_t n = 0;
	if (v < 0) {
		p[n++] = '-';
		v = -v;
	}
	if (v >= 1e15)
		return n + (size_t)snprintf(p + n, 32, "%.6e", v);
	return n + put_scaled(p + n, (uint64_t)(v * 1e6 + 0.5), 6, 1000000);
}

static size_t put_value(char *p, enum vtype type, const void *where)
{
	switch (type) {
	case V_U64: return put_u64(p, *(const uint64_t *)where);
	case V_NS_SECONDS: return put_scaled(p, *(const uint64_t *)where, 9, 1000000000);
	case V_US_SECONDS: return put_scaled(p, *(const uint64_t *)where, 6, 1000000);
	case V_DOUBLE: return put_double(p, *(const double *)where);
	case V_U32: return put_u64(p, *(const unsigned *)where);
	}
	return 0;
}

/* ---- families ------------------------------------------------------------ */

static void put_head(struct be_metrics_text *out, const char *name, const char *help, bool counter)
{
	/* Text format 0.0.4: HELP and TYPE name the series as written, _total
	 * included (promtool checks that a counter's name ends in _total). */
	put(out, "# HELP ");
	put(out, name);
	put(out, " ");
	put(out, help);
	put(out, "\n# TYPE ");
	put(out, name);
	put(out, counter ? " counter\n" : " gauge\n");
}

/* Where fam's value of it is, or NULL when it has none. */
static const void *item_value(const struct family *fam, const struct be_item *it)
{
	const char *sample = (const char *)&it->cur, *item = (const char *)it;
	switch (fam->cond) {
	case C_HAVE: return (it->cur.have & fam->have) == fam->have ? sample + fam->off : NULL;
	case C_LIMIT:
		if ((it->cur.have & fam->have) != fam->have ||
		    *(const uint64_t *)(sample + fam->off) == BE_UNLIMITED)
			return NULL;
		return sample + fam->off;
	case C_PSI_FULL: {
		const struct be_psi *psi =
		        (const void *)(sample + fam->off - offsetof(struct be_psi, full_total_us));
		return (it->cur.have & fam->have) && psi->has_full ? sample + fam->off : NULL;
	}
	case C_VM: return it->is_vm ? item + fam->off : NULL;
	case C_VM_KNOWN:
		if (!it->is_vm)
			return NULL;
		if (fam->type == V_U32)
			return *(const unsigned *)(item + fam->off) ? item + fam->off : NULL;
		return *(const uint64_t *)(item + fam->off) ? item + fam->off : NULL;
	case C_ITEM_TIME: return it->start_time_unix ? item + fam->off : NULL;
	}
	return NULL;
}

static void put_series(struct be_metrics_text *out, const char *name, size_t name_len,
                       const char *labels, size_t labels_len, enum vtype type, const void *where)
{
	char *p = reserve(out, name_len + labels_len + 48), *start = p;
	memcpy(p, name, name_len);
	p += name_len;
	memcpy(p, labels, labels_len);
	p += labels_len;
	*p++ = ' ';
	p += put_value(p, type, where);
	*p++ = '\n';
	out->len += (size_t)(p - start);
	out->data[out->len] = '\0';
}

/* The label sets of the items, one after the other in text: item i's is
 * text.data[off[i]] to text.data[off[i + 1]]. */
struct metrics_labels {
	struct be_metrics_text text;
	size_t *off;
};

/* {kind="...",name="...",id="...",image="...",host="..."} of each item
 * (root="..." too for a container of another berth root). */
static void item_labels(const struct be_item *const *items, const char *const *images, size_t n,
                        const char *host, struct metrics_labels *lab)
{
	struct be_metrics_text *labels = &lab->text;
	size_t *off = lab->off;
	for (size_t i = 0; i < n; i++) {
		const struct be_item *it = items[i];
		off[i] = labels->len;
		put(labels, "{kind=\"");
		put(labels, be_kind_name(it->kind));
		put(labels, "\",name=\"");
		be_metrics_escape(labels, it->name);
		put(labels, "\",id=\"");
		be_metrics_escape(labels, it->id);
		put(labels, "\",image=\"");
		be_metrics_escape(labels, images && images[i] ? images[i] : it->image);
		if (it->root[0]) {
			put(labels, "\",root=\"");
			be_metrics_escape(labels, it->root);
		}
		put(labels, "\",host=\"");
		be_metrics_escape(labels, host);
		put(labels, "\"}");
	}
	off[n] = labels->len;
}

static void format_item_families(const struct be_item *const *items, size_t n,
                                 const struct metrics_labels *lab, struct be_metrics_text *out)
{
	for (size_t f = 0; f < sizeof(item_families) / sizeof(item_families[0]); f++) {
		const struct family *fam = &item_families[f];
		size_t name_len = strlen(fam->name);
		bool head = false;
		for (size_t i = 0; i < n; i++) {
			const void *v = item_value(fam, items[i]);
			if (v == NULL)
				continue;
			if (!head)
				put_head(out, fam->name, fam->help, fam->counter);
			head = true;
			put_series(out, fam->name, name_len, lab->text.data + lab->off[i],
			           lab->off[i + 1] - lab->off[i], fam->type, v);
		}
	}
}

/* ---- the host -------------------------------------------------------------- */

#define H(f) offsetof(struct be_host, f)
static const struct family host_families[] = {
        {"berth_host_cpus", "CPUs of the host.", false, V_U32, C_HAVE, 0, H(ncpus)},
        {"berth_host_cpu_usage_ratio",
         "CPU use of the host over the last refresh interval, 1 = all CPUs busy.", false, V_DOUBLE,
         C_HAVE, BE_HAVE_HOST_RATES, 0},
        {"berth_host_memory_total_bytes", "Memory of the host (MemTotal).", false, V_U64, C_HAVE, 0,
         H(mem_total_bytes)},
        {"berth_host_memory_available_bytes", "Memory available (MemAvailable).", false, V_U64,
         C_HAVE, 0, H(mem_available_bytes)},
        {"berth_host_memory_used_bytes", "Memory used: total less available.", false, V_U64, C_HAVE,
         0, H(mem_used_bytes)},
        {"berth_host_memory_cached_bytes", "Page cache (Cached).", false, V_U64, C_HAVE, 0,
         H(mem_cached_bytes)},
        {"berth_host_swap_total_bytes", "Swap of the host.", false, V_U64, C_HAVE, 0,
         H(swap_total_bytes)},
        {"berth_host_swap_free_bytes", "Swap unused.", false, V_U64, C_HAVE, 0, H(swap_free_bytes)},
        {"berth_host_load1", "Load average over 1 minute.", false, V_DOUBLE, C_HAVE, 0, H(load1)},
        {"berth_host_load5", "Load average over 5 minutes.", false, V_DOUBLE, C_HAVE, 0, H(load5)},
        {"berth_host_load15", "Load average over 15 minutes.", false, V_DOUBLE, C_HAVE, 0,
         H(load15)},
        {"berth_host_tasks", "Tasks (threads) on the host.", false, V_U32, C_HAVE, 0,
         H(tasks_total)},
        {"berth_host_pressure_cpu_waiting_seconds_total",
         "Time some tasks of the host were stalled on CPU (PSI some total).", true, V_US_SECONDS,
         C_HAVE, BE_HAVE_HOST_PSI_CPU, H(psi_cpu.some_total_us)},
        {"berth_host_pressure_memory_waiting_seconds_total",
         "Time some tasks of the host were stalled on memory (PSI some total).", true, V_US_SECONDS,
         C_HAVE, BE_HAVE_HOST_PSI_MEM, H(psi_mem.some_total_us)},
        {"berth_host_pressure_memory_stalled_seconds_total",
         "Time all tasks of the host were stalled on memory (PSI full total).", true, V_US_SECONDS,
         C_HAVE, BE_HAVE_HOST_PSI_MEM, H(psi_mem.full_total_us)},
        {"berth_host_pressure_io_waiting_seconds_total",
         "Time some tasks of the host were stalled on IO (PSI some total).", true, V_US_SECONDS,
         C_HAVE, BE_HAVE_HOST_PSI_IO, H(psi_io.some_total_us)},
        {"berth_host_pressure_io_stalled_seconds_total",
         "Time all tasks of the host were stalled on IO (PSI full total).", true, V_US_SECONDS,
         C_HAVE, BE_HAVE_HOST_PSI_IO, H(psi_io.full_total_us)},
};

static void format_host(const struct be_host *h, const char *host, struct be_metrics_text *out)
{
	struct be_metrics_text lab = {0};
	put(&lab, "{host=\"");
	be_metrics_escape(&lab, host);
	put(&lab, "\"}");
	/* The ratio is the only derived value: CPU% of all CPUs over 100. */
	double ratio = h->ncpus ? h->cpu_percent / 100.0 / h->ncpus : 0;
	for (size_t f = 0; f < sizeof(host_families) / sizeof(host_families[0]); f++) {
		const struct family *fam = &host_families[f];
		if ((h->have & fam->have) != fam->have || (f == 0 && h->ncpus == 0))
			continue;
		const void *v = fam->off ? (const char *)h + fam->off : (const void *)&ratio;
		put_head(out, fam->name, fam->help, fam->counter);
		put_series(out, fam->name, strlen(fam->name), lab.data, lab.len, fam->type, v);
	}
	be_metrics_text_free(&lab);
}

void be_metrics_format_items(const struct be_item *const *items, const char *const *images,
                             size_t n, const struct be_host *h, const char *host,
                             struct be_metrics_text *out)
{
	struct metrics_labels lab = {.off = xcalloc(n + 1, sizeof(size_t))};
	item_labels(items, images, n, host, &lab);
	put_head(out, "berth_items", "Containers and VMs the monitor found, by kind.", false);
	for (size_t k = 0; k < BE_KIND_COUNT; k++) {
		uint64_t count = 0;
		for (size_t i = 0; i < n; i++)
			count += items[i]->kind == (enum be_kind)k;
		put(out, "berth_items{kind=\"");
		put(out, be_kind_name((enum be_kind)k));
		put(out, "\",host=\"");
		be_metrics_escape(out, host);
		put(out, "\"} ");
		char num[24];
		num[put_u64(num, count)] = '\0';
		put(out, num);
		put(out, "\n");
	}
	format_item_families(items, n, &lab, out);
	if (h && h->ncpus)
		format_host(h, host, out);
	be_metrics_text_free(&lab.text);
	free(lab.off);
}

const char *be_metrics_hostname(char *buf, size_t len)
{
	struct utsname u;
	snprintf(buf, len, "%s", uname(&u) == 0 ? u.nodename : "localhost");
	return buf;
}
