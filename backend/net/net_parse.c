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

const char *be_net_proto_name(enum be_proto p)
{
	return p == BE_PROTO_UDP ? "udp" : "tcp";
}

static int parse_port_num(const char *s, size_t len, uint16_t *out, bool zero_ok)
{
	if (len == 0 || len > 5)
		return -1;
	unsigned v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > 65535 || (v == 0 && !zero_ok))
		return -1;
	*out = (uint16_t)v;
	return 0;
}

int be_net_parse_port(const char *text, struct be_port *out, struct be_error **err)
{
	memset(out, 0, sizeof(*out));
	char buf[80];
	if (strlen(text) >= sizeof(buf))
		return be_error_set(err, 0, "-p \"%.40s...\": too long", text);
	snprintf(buf, sizeof(buf), "%s", text);
	char *slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (strcmp(slash + 1, "udp") == 0)
			out->proto = BE_PROTO_UDP;
		else if (strcmp(slash + 1, "tcp") != 0)
			return be_error_set(err, 0, "-p \"%s\": protocol must be tcp or udp", text);
	}
	char *parts[3] = {buf, NULL, NULL};
	int n = 1;
	for (char *c = buf; *c && n <= 3; c++)
		if (*c == ':') {
			*c = '\0';
			if (n == 3)
				return be_error_set(err, 0, "-p \"%s\": use [IP:]HOSTPORT:PORT",
				                    text);
			parts[n++] = c + 1;
		}
	const char *ip = n == 3 ? parts[0] : NULL;
	const char *host = n >= 2 ? parts[n - 2] : NULL;
	const char *ctr = parts[n - 1];
	if (parse_port_num(ctr, strlen(ctr), &out->ctr_port, false) < 0)
		return be_error_set(err, 0, "-p \"%s\": container port \"%s\" is not 1-65535", text,
		                    ctr);
	if (host && *host && parse_port_num(host, strlen(host), &out->host_port, false) < 0)
		return be_error_set(err, 0, "-p \"%s\": host port \"%s\" is not 1-65535", text,
		                    host);
	uint32_t a;
	if (ip && *ip && strcmp(ip, "0.0.0.0") != 0) {
		if (net_ip_parse(ip, &a) < 0)
			return be_error_set(err, 0, "-p \"%s\": \"%s\" is not an IPv4 address",
			                    text, ip);
		net_ip_str(a, out->host_ip);
	}
	return 0;
}

const char *be_net_port_format(const struct be_port *p, char *buf, size_t len)
{
	snprintf(buf, len, "%s:%u->%u/%s", p->host_ip[0] ? p->host_ip : "0.0.0.0", p->host_port,
	         p->ctr_port, be_net_proto_name(p->proto));
	return buf;
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
