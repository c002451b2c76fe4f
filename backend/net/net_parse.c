/* Pure text and address work for networking: -p and CIDR parsers, the
 * address pool, the subnet choice, and the texts of a container's
 * /etc/hosts and /etc/resolv.conf. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"

const char *net_ip_str(uint32_t addr, char buf[16])
{
	snprintf(buf, 16, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 255, (addr >> 8) & 255,
	         addr & 255);
	return buf;
}

int net_ip_parse(const char *text, uint32_t *addr)
{
	struct in_addr a;
	if (text == NULL || inet_pton(AF_INET, text, &a) != 1)
		return -1;
	*addr = ntohl(a.s_addr);
	return 0;
}

int be_net_parse_cidr(const char *text, uint32_t *addr, unsigned *prefix, struct be_error **err)
{
	char buf[32];
	const char *slash = strchr(text, '/');
	if (slash == NULL || (size_t)(slash - text) >= sizeof(buf))
		return be_error_set(err, 0, "subnet \"%.40s\": use A.B.C.D/N", text);
	memcpy(buf, text, (size_t)(slash - text));
	buf[slash - text] = '\0';
	char *end = NULL;
	errno = 0;
	unsigned long p = strtoul(slash + 1, &end, 10);
	if (net_ip_parse(buf, addr) < 0 || errno || end == slash + 1 || *end || p < 8 || p > 30)
		return be_error_set(err, 0, "subnet \"%.40s\": use A.B.C.D/N with N from 8 to 30",
		                    text);
	uint32_t mask = (uint32_t)(0xffffffffu << (32 - p));
	if (*addr & ~mask)
		return be_error_set(err, 0,
		                    "subnet \"%.40s\": host bits are set (network is %s/%lu)", text,
		                    net_ip_str(*addr & mask, buf), p);
	*prefix = (unsigned)p;
	return 0;
}

size_t net_routes_parse(const char *text, struct net_route *out, size_t max)
{
	size_t n = 0;
	for (const char *l = text; l && *l && n < max;) {
		/* One line at a time: sscanf would read on past its end. */
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);
		char line[256];
		snprintf(line, sizeof(line), "%.*s",
		         (int)(len < sizeof(line) ? len : sizeof(line) - 1), l);
		l = nl ? nl + 1 : NULL;
		struct net_route r;
		unsigned d, g, flags, refc, use, metric, mask;
		if (sscanf(line, "%31s %x %x %x %u %u %u %x", r.dev, &d, &g, &flags, &refc, &use,
		           &metric, &mask) != 8)
			continue;
		r.dst = __builtin_bswap32(d);
		r.prefix = (unsigned)__builtin_popcount(mask);
		out[n++] = r;
	}
	return n;
}

static uint32_t mask_of(unsigned prefix)
{
	return prefix == 0 ? 0 : (uint32_t)(0xffffffffu << (32 - prefix));
}

bool net_overlaps(uint32_t a, unsigned pa, uint32_t b, unsigned pb)
{
	uint32_t m = mask_of(pa < pb ? pa : pb);
	return (a & m) == (b & m);
}

uint32_t net_pool_pick(uint32_t subnet, unsigned prefix, const uint32_t *used, size_t n_used)
{
	uint32_t first = subnet + 2, last = (subnet | ~mask_of(prefix)) - 1;
	for (uint32_t ip = first; ip <= last; ip++) {
		bool taken = false;
		for (size_t i = 0; i < n_used && !taken; i++)
			taken = used[i] == ip;
		if (!taken)
			return ip;
	}
	return 0;
}

uint32_t net_subnet_pick(const uint32_t *taken, const unsigned *taken_prefix, size_t n,
                         unsigned start)
{
	const uint32_t base = (10u << 24) | (210u << 16);
	for (unsigned k = 0; k < 256; k++) {
		uint32_t cand = base | (((start + k) & 255u) << 8);
		bool clash = false;
		for (size_t i = 0; i < n && !clash; i++)
			clash = net_overlaps(cand, 24, taken[i], taken_prefix[i]);
		if (!clash)
			return cand;
	}
	return 0;
}

static bool loopback_ns(const char *addr)
{
	return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0 ||
	       strcmp(addr, "0:0:0:0:0:0:0:1") == 0;
}

char *net_resolv_rewrite(const char *host_text)
{
	size_t cap = strlen(host_text ? host_text : "") + 128;
	char *out = xcalloc(1, cap);
	size_t len = 0;
	bool have_ns = false;
	cleanup_free char *copy = xstrdup(host_text ? host_text : "");
	char *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char word[16], addr[64];
		if (sscanf(line, " %15s %63s", word, addr) == 2 &&
		    strcmp(word, "nameserver") == 0) {
			if (loopback_ns(addr))
				continue;
			have_ns = true;
		}
		len += (size_t)snprintf(out + len, cap - len, "%s\n", line);
	}
	if (!have_ns)
		snprintf(out + len, cap - len, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
	return out;
}

char *net_hosts_text(const char *hostname, const char *name, uint32_t ip,
                     const struct net_member *others, size_t n)
{
	size_t cap = 256 + strlen(hostname) + strlen(name) + n * (BE_NAME_MAX + 20);
	char *out = xcalloc(1, cap);
	char a[16];
	size_t len = (size_t)snprintf(out, cap,
	                              "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost "
	                              "ip6-loopback\n");
	if (ip) {
		if (strcmp(hostname, name) == 0)
			len += (size_t)snprintf(out + len, cap - len, "%s\t%s\n", net_ip_str(ip, a),
			                        hostname);
		else
			len += (size_t)snprintf(out + len, cap - len, "%s\t%s %s\n",
			                        net_ip_str(ip, a), hostname, name);
	}
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(out + len, cap - len, "%s\t%s\n",
		                        net_ip_str(others[i].ip, a), others[i].name);
	return out;
}
